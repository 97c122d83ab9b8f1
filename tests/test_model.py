"""The engine-neutral model: geometry, friction convention, drying schedule, initial state."""

import numpy as np
import pytest
from conftest import printed_digits, tiny_document

from dipolewire import physics
from dipolewire.engines.lammps import _bead_masses, bodies_from_atoms
from dipolewire.geometry import rotate
from dipolewire.model import Model
from dipolewire.spec import from_dict


@pytest.fixture
def model(tiny_spec):
    return Model(tiny_spec)


def test_r_au_cu_cores_sit_midway_along_the_ligated_cluster(model):
    """Au core 0.86 nm + 0.6 nm BINAP shell, Cu core 0.60 nm + 0.45 nm MNT shell, cores 0.33 nm apart: the
    cluster spans 0.45 + 0.30 + 0.33 + 0.43 + 0.60 = 2.11 nm; from its midpoint the Cu core sits at
    0.75 − 1.055 = −0.305 nm and the Au core 0.33 nm above it, at +0.025 nm (by hand)."""
    assert [(b.name, b.diameter, b.shell) for b in model.beads] == [("Au", 0.86, 0.6), ("Cu", 0.6, 0.45)]
    assert [b.z for b in model.beads] == pytest.approx([0.025, -0.305], abs=1e-12)
    assert model.diameter == pytest.approx(2.11)
    # every shell lies inside the sphere of the hydrodynamic diameter, the two ends touch it
    assert [abs(b.z) + b.outer_radius for b in model.beads] == pytest.approx([1.055, 1.055])


def test_model_diffusion_is_the_reference_stokes_einstein(paper_facts):
    """A 1.8 nm sphere in CH2Cl2 at 298.15 K: the reference sheet's Dt and Dr, to their printed digits. (That
    the engines' inertial bodies diffuse with these is measured in test_validation_quick.py.)"""
    model = Model(from_dict(tiny_document(cluster={"preset": "dipolar-sphere"})))
    assert model.diameter == 1.8
    se = paper_facts["stokes_einstein_CH2Cl2"]
    assert model.Dt == pytest.approx(se["Dt_nm2_per_ns"], abs=printed_digits(se["Dt_nm2_per_ns"]))
    assert model.Dr == pytest.approx(se["Dr_per_ns"], abs=printed_digits(se["Dr_per_ns"]))


def test_atom_masses_put_the_centre_of_mass_at_the_body_origin(model):
    masses = _bead_masses(model)
    z = [b.z for b in model.beads] + [model.dipole_position_body[2]]
    assert sum(masses) == pytest.approx(model.body.mass)
    assert all(m > 0 for m in masses)
    assert np.dot(masses, z) == pytest.approx(0.0, abs=1e-12)


def test_drying_schedule(model):
    """The tiny run worked out by hand: 40 clusters at 20 mM (0.0120443 nm⁻³) over 16 nm × 16 nm fill a film
    of 12.97296 nm, which dries to d = 2.11 nm at 1 nm/ns in 10.86296 ns, then holds 1 ns. Dt = 0.501204 nm²/ns
    (d = 2.11 nm); the default timestep, 2e-4 of the time to diffuse twice the 0.45 nm MNT shell
    (0.9²/0.501204 ns), is 3.23222e-4 ns: round(1/3.23222e-4) = 3094 steps a frame of 1.000049 ns, so
    ceil(11.86296/1.000049) = 12 frames after the first. Pe = 1 nm/ns × 12.97296 nm / 0.501204 nm²/ns."""
    assert model.initial_height == pytest.approx(12.97296, abs=1e-5)
    assert [float(model.film_height(t)) for t in (0.0, 5.0, 10.86296, 20.0)] == pytest.approx(
        [12.97296, 7.97296, 2.11, 2.11], abs=1e-5
    )
    assert model.drying_time == pytest.approx(10.86296, abs=1e-5)
    # εr linear in the solvent left, from CH2Cl2's 8.93 to the dry film's 1.5
    assert [float(model.eps_r(h)) for h in (12.97296, 7.54148, 2.11, 1.0)] == pytest.approx(
        [8.93, 5.215, 1.5, 1.5], abs=1e-5
    )
    assert model.timestep == pytest.approx(3.23222e-4, rel=1e-5)
    assert (model.n_segments, model.steps_per_frame, model.total_steps) == (12, 3094, 37128)
    assert model.peclet == pytest.approx(25.8836, abs=1e-4)


def test_initial_configuration_has_no_overlaps(model):
    positions, _, chirality = model.initial_configuration(np.random.default_rng(3))
    L = model.box_length
    delta = positions[:, None, :] - positions[None, :, :]
    delta[..., :2] -= L * np.round(delta[..., :2] / L)
    distance = np.linalg.norm(delta, axis=-1) + np.eye(len(positions)) * 1e9
    assert distance.min() >= model.diameter
    assert sorted(np.bincount(chirality)) == [20, 20]  # racemic


def test_initial_film_is_filled_evenly_with_random_orientations():
    """300 clusters in a 15.57 nm film: the mean centre sits mid-film, the lowest and highest layers are used,
    and Janus axes are isotropic (⟨u⟩ = 0, ⟨u_i²⟩ = 1/3). Means within 4.5 standard errors: over seeds
    0-299 the largest of these nine deviations was 4.3 standard errors (the u_i² ones, not quite Gaussian)."""
    model = Model(from_dict(tiny_document(amount={"clusters": 300, "concentration": "20 mM", "box_length": "40 nm"})))
    positions, orientations, _ = model.initial_configuration(np.random.default_rng(5))
    n, d, H = model.N, model.diameter, model.initial_height
    centre = positions - [0.0, 0.0, model.substrate_z + H / 2]
    assert np.all(np.abs(centre.mean(axis=0)) <= 4.5 * centre.std(axis=0, ddof=1) / np.sqrt(n))
    height = positions[:, 2] - model.substrate_z
    assert height.min() < d and height.max() > H - d
    axes = rotate(orientations, [0.0, 0.0, 1.0])
    assert np.all(np.abs(axes.mean(axis=0)) <= 4.5 * np.sqrt(1 / 3 / n))
    assert np.all(np.abs(np.mean(axes**2, axis=0) - 1 / 3) <= 4.5 * np.sqrt(4 / 45 / n))  # Var(u_z²) = 4/45


def test_bodies_are_numbered_bin_by_bin_x_fastest(model):
    """Bins of 2.5 nm (half the 5 nm cut-off) from the box corner (−8, −8, −10.4865) nm; cells worked out by hand."""
    assert model.sort_bin == 2.5
    positions = np.array(
        [
            [-7.0, -7.0, -7.0],  # cell (0, 0, 1)
            [7.0, -7.0, -9.0],  # (6, 0, 0)
            [-7.0, -4.0, -9.0],  # (0, 1, 0)
            [-5.4, -7.0, -9.0],  # (1, 0, 0): just above the first x edge at −5.5
            [-5.6, -7.0, -9.0],  # (0, 0, 0): just below it
            [7.9, 7.9, 10.4],  # (6, 6, 8): the last cell
            [-7.9, 7.9, -10.4],  # (0, 6, 0)
        ]
    )
    np.testing.assert_array_equal(model.spatial_order(positions), [4, 3, 1, 2, 6, 0, 5])


def test_initial_bodies_come_in_spatial_order():
    model = Model(from_dict(tiny_document(amount={"clusters": 300, "concentration": "20 mM", "box_length": "40 nm"})))
    positions, _, _ = model.initial_configuration(np.random.default_rng(5))
    np.testing.assert_array_equal(model.spatial_order(positions), np.arange(model.N))
    assert not np.all(np.diff(positions[:, 0]) >= 0)  # x alone does not order them: the bins do


def test_overfull_film_is_refused():
    document = tiny_document(drying={"final_height": "4.5 nm"})
    document["amount"] = {"clusters": 200, "film_height": "4.6 nm", "box_length": "20 nm"}
    crowded = Model(from_dict(document))
    from dipolewire.errors import InputError

    with pytest.raises(InputError, match="cannot place 200 clusters"):
        crowded.initial_configuration(np.random.default_rng(1))


def test_chain_truncation_fraction():
    # Apéry's constant: the sum to 2e5 leaves out about 1/(2·2e5²) = 1.25e-11
    assert physics.ZETA_3 == pytest.approx(sum(1.0 / n**3 for n in range(1, 200000)), rel=2e-11)
    # cut-off below two spacings keeps only nearest neighbours: 1 − 1/ζ(3) is lost
    assert physics.chain_truncation_fraction(1.5, 1.0) == pytest.approx(1 - 1 / physics.ZETA_3)
    exact_tail = sum(1.0 / n**3 for n in range(4, 200000))
    assert physics.chain_truncation_fraction(3.0, 1.0) == pytest.approx(exact_tail / physics.ZETA_3, rel=1e-6)
    assert physics.chain_truncation_fraction(1e3, 1.0) < 1e-6


@pytest.mark.parametrize("direction", [(0, 0, 1), (1, 0, 1)])
def test_orientation_recovered_from_atoms(direction, rng):
    spec = from_dict(tiny_document(cluster={"dipole_direction": list(direction), "dipole_offset": "0.2 nm"}))
    model = Model(spec)
    positions, q, _ = model.initial_configuration(rng)
    positions[:, :2] += rng.uniform(-30, 30, size=(model.N, 2))  # far outside: must wrap
    local = np.array([[0, 0, b.z] for b in model.beads] + [list(model.dipole_position_body)])
    atoms = positions[:, None, :] + rotate(q[:, None, :], local[None])
    L = np.array([model.box_length, model.box_length, model.box_height])
    images = np.floor((atoms + 0.5 * L) / L).astype(int)
    images[..., 2] = 0
    wrapped = atoms - images * L
    mu = np.zeros_like(atoms)
    mu[:, -1] = rotate(q, model.dipole_body)
    centres, q_back, centre_images = bodies_from_atoms(
        model, wrapped.reshape(-1, 3), images.reshape(-1, 3), mu.reshape(-1, 3)
    )
    np.testing.assert_allclose(centres + centre_images * L, positions, atol=1e-9)
    # an axial dipole leaves the spin about the Janus axis free: only the axis is defined
    checked = np.eye(3) if direction[0] else [[0.0, 0.0, 1.0]]
    for v in checked:
        np.testing.assert_allclose(rotate(q_back, v), rotate(q, v), atol=1e-9)


def test_front_speed_zero_holds_the_film():
    model = Model(from_dict(tiny_document(drying={"front_speed": "0 nm/ns", "hold": "5 ns"})))
    assert model.drying_time == 0.0 and model.total_time == pytest.approx(5.0)
    assert model.film_height(3.0) == pytest.approx(model.initial_height)
    assert model.eps_r(model.film_height(3.0)) == pytest.approx(8.93)


@pytest.mark.parametrize("cutoff", [5.0, 7.9])
def test_box_leaves_more_than_a_cutoff_between_the_film_and_its_z_image(cutoff):
    """Protocol check (the box is built for it): HOOMD-blue boxes are periodic in z, so the z image of the
    substrate must lie more than a dipole cut-off above the initial interface."""
    model = Model(from_dict(tiny_document(numerics={"dipole_cutoff": f"{cutoff} nm"})))
    substrate, interface = (wall.z(0.0) for wall in model.walls)
    assert substrate + model.box.lengths[2] - interface > cutoff
