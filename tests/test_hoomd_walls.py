"""The film's walls and interface well as HOOMD-blue wall potentials (dipolewire.engines.hoomd_walls).

The decomposition into truncated quadratics and their Mie parameters are checked without HOOMD-blue,
against the declared terms and against the Mie form HOOMD-blue documents; the engine itself where it is
installed.
"""

import numpy as np
import pytest

from dipolewire import spec
from dipolewire.boltzmann import film_document
from dipolewire.engines import hoomd_walls
from dipolewire.interactions import HarmonicWall, InterfaceWell, Ramp
from dipolewire.model import Model


def mie_shifted(r, epsilon, sigma, n, m, r_cut):
    """HOOMD-blue's Mie energy, ε·n/(n−m)·(n/m)^(m/(n−m))·[(σ/r)ⁿ − (σ/r)ᵐ], shifted to 0 at r_cut."""
    prefactor = n / (n - m) * (n / m) ** (m / (n - m))

    def mie(x):
        return prefactor * epsilon * ((sigma / x) ** n - (sigma / x) ** m)

    r = np.asarray(r, dtype=float)
    return np.where(r < r_cut, mie(r) - mie(r_cut), 0.0)


def well(depth=12.0, contact=1.0, width=0.5):
    return InterfaceWell("adsorption", 0.0, Ramp(5.0, 5.0, 0.0), depth=depth, contact=contact, range=width)


@pytest.mark.parametrize("depth, contact, width", [(12.0, 1.0, 0.5), (3.7, 0.92, 0.3), (40.0, 1.4, 1.1)])
def test_three_quadratics_are_the_interface_well(depth, contact, width):
    """Σ a_i (R_i − r)²₊ equals the declared well at every depth, above the interface included (r < 0),
    where the three terms continue as the flat bottom."""
    w = well(depth, contact, width)
    terms = hoomd_walls.interface_well_terms(w)
    r = np.linspace(0.0, contact + 2 * width, 2001)
    total = sum(t.energy(r) for t in terms)
    np.testing.assert_allclose(total, w.energy(r), rtol=0, atol=1e-12 * depth)
    # the sum is flat below the first knot, in value and in slope: HOOMD-blue's linear continuation
    # beyond the plane (r_extrap) stays at −depth
    slope_at_plane = sum(-2 * t.coefficient * t.knot for t in terms)
    assert slope_at_plane == pytest.approx(0.0, abs=1e-12 * depth)
    assert sum(t.coefficient for t in terms) == pytest.approx(0.0, abs=1e-12 * depth)


def test_harmonic_wall_terms_are_half_k_overlap_squared():
    wall = HarmonicWall("substrate", "lower", 0.0, Ramp(0.0, 0.0, 0.0), stiffness=250.0, range=3.0)
    terms = hoomd_walls.harmonic_wall_terms(wall, {"centre": 0.0, "Au": 0.61, "Cu": 0.55}, margin=3.0)
    assert set(terms) == {"Au", "Cu"}  # body centres are not touched
    z = np.linspace(-0.5, 2.0, 501)  # bead centre above the model's plane (nm)
    for bead, radius in (("Au", 0.61), ("Cu", 0.55)):
        overlap = np.maximum(radius - z, 0.0)
        np.testing.assert_allclose(terms[bead].energy(z + 3.0), 0.5 * 250.0 * overlap**2, rtol=1e-13, atol=1e-11)


@pytest.mark.parametrize("coefficient, knot", [(125.0, 3.61), (-96.0, 1.25), (48.0, 0.0127)])
def test_mie_parameters_give_the_truncated_quadratic(coefficient, knot):
    """HOOMD-blue's shifted Mie form with the parameters given is a·(R − r)² inside R, 0 beyond."""
    term = hoomd_walls.QuadraticTerm(coefficient, knot)
    p = term.mie_parameters()
    r = np.linspace(1e-3 * knot, 1.5 * knot, 1000)
    expected = term.energy(r)
    measured = mie_shifted(r, p["epsilon"], p["sigma"], p["n"], p["m"], p["r_cut"])
    np.testing.assert_allclose(measured, expected, rtol=1e-9, atol=1e-11 * abs(coefficient) * knot**2)


def test_moving_planes_stay_within_the_stated_tolerance():
    """Segment lengths K: a plane placed for the segment's middle acts on the forces of its steps 1 to K
    (step 0 keeps the forces of the call before, with the previous plane, as far behind), and is never further
    than 0.01 nm from z(t) there; K is the longest such segment; a front moving more than 0.02 nm per step
    is half a step's travel off."""
    tol = hoomd_walls.PLANE_TOLERANCE_NM
    for speed, dt in ((0.0617, 3.23e-4), (1.0, 3.23e-4), (55.7, 3.23e-4), (80.0, 3.23e-4), (0.0005, 1e-3)):
        front = HarmonicWall("interface", "upper", 0.0, Ramp(30.0, 2.0, speed), 250.0, 3.0)
        k = hoomd_walls.segment_steps([front], dt)
        bound = hoomd_walls.plane_error_bound([front], dt)
        steps = np.arange(1, k + 1)
        worst = np.max(np.abs(front.z(steps * dt) - front.z(0.5 * k * dt)))
        previous = abs(front.z(0.0) - front.z(-0.5 * k * dt))  # step 0, under the previous segment's plane
        assert max(worst, previous) <= bound * (1 + 1e-9)
        if speed * dt <= 2 * tol:
            assert bound <= tol * (1 + 1e-12)
            assert 0.5 * speed * (k + 1) * dt > tol  # one step longer would exceed it
        else:
            assert k == 1 and bound == pytest.approx(0.5 * speed * dt)
    still = HarmonicWall("substrate", "lower", 0.0, Ramp(0.0, 0.0, 0.0), 250.0, 3.0)
    assert hoomd_walls.segment_steps([still], 3.23e-4) == 0
    assert hoomd_walls.plane_error_bound([still], 3.23e-4) == 0.0


# --- on HOOMD-blue ---------------------------------------------------------------------------------------


def _one_cluster(tmp_path, height, tilt_angle, hypotheses=None, front=None):
    pytest.importorskip("hoomd", reason="HOOMD-blue is not installed (conda-forge only)")
    from dipolewire import engines
    from dipolewire.engines.base import Start

    document = film_document("hoomd", 4.4, hypotheses=hypotheses)
    if front:
        document["drying"] = front
    model = Model(spec.from_dict(document))
    q = np.array([[np.cos(tilt_angle / 2), np.sin(tilt_angle / 2), 0.0, 0.0]])
    position = np.array([[0.5, 0.2, model.substrate_z + height]])
    run = engines.create("hoomd", model, tmp_path)
    run.setup(Start(position, q, np.zeros(1, dtype=np.int32)), 1)
    return model, run


@pytest.mark.parametrize("height, angle", [(3.2, 0.0), (3.5, 0.3), (0.45, 0.0), (0.7, 2.0), (3.05, 1.2)])
def test_hoomd_wall_forces_are_minus_the_gradient_of_the_declared_energy(tmp_path, height, angle):
    """The total z force on one cluster pressed into the substrate or held at the interface (3 kT well) is
    −dE/dz of the declared walls and well (boltzmann.wall_energy, evaluated without any engine)."""
    from dipolewire.boltzmann import wall_energy
    from dipolewire.geometry import rotate

    model, run = _one_cluster(tmp_path, height, angle, {"interface_adsorption": "3 kT"})
    try:
        # every particle of the body (centre and two beads) in each wall force
        total = sum(np.array(f.forces)[:, 2].sum() for f in run._walls.forces)
        z = run.sim.state.get_snapshot().particles.position[0, 2]
    finally:
        run.close()
    tilt = rotate(np.array([[np.cos(angle / 2), np.sin(angle / 2), 0.0, 0.0]]), [0.0, 0.0, 1.0])[0, 2]
    h = 1e-6
    expected = -(wall_energy(model, z + h, tilt) - wall_energy(model, z - h, tilt)) / (2 * h)
    assert abs(expected) > 1.0  # the cluster is pushed or held: the check has a force to compare
    assert total == pytest.approx(float(expected), rel=1e-6)


def test_hoomd_step_loop_has_no_python_force(tmp_path):
    """Every force HOOMD-blue evaluates in a drying film is one of its own C++ computes."""
    hoomd = pytest.importorskip("hoomd")
    model, run = _one_cluster(tmp_path, 2.0, 0.0, {"interface_adsorption": "3 kT"})
    try:
        forces = run.sim.operations.integrator.forces
        assert len(forces) == 3 + 1 + 3  # pair terms, both walls in one, three well terms
        assert not any(isinstance(f, hoomd.md.force.Custom) for f in forces)
        assert not run.sim.operations.updaters and not run.sim.operations.writers
    finally:
        run.close()


def test_hoomd_planes_follow_the_moving_interface(tmp_path):
    """While the interface descends at 1 nm/ns, HOOMD-blue's plane is never more than 0.01 nm from the
    model's z(t) at any step (read at every segment boundary, from both sides of it)."""
    model, run = _one_cluster(tmp_path, 1.0, 0.0, front={"front_speed": "1 nm/ns", "final_height": "2.5 nm"})
    try:
        walls = run._walls
        interface = next(p for p in walls._planes if p.wall.name == "interface")
        k = walls.steps
        assert k > 1
        worst = 0.0
        for _ in range(6):
            start = run.sim.timestep
            run.advance(k // 2 + 3, run.eps_r)  # calls that straddle segment boundaries
            for step in (start, run.sim.timestep - 1):
                walls.place(step)
                plane = interface.force.walls[interface.index].origin[2] - interface.offset
                worst = max(worst, abs(plane - float(interface.wall.z(step * model.dynamics.timestep))))
    finally:
        run.close()
    assert 0.0 < worst <= hoomd_walls.PLANE_TOLERANCE_NM * (1 + 1e-9)
