"""The engine-neutral model: geometry, friction convention, drying schedule, initial state."""

import numpy as np
import pytest
from conftest import tiny_document

from dipolewire import physics, units
from dipolewire.engines.lammps import _bead_masses, bodies_from_atoms
from dipolewire.geometry import rotate
from dipolewire.model import Model
from dipolewire.spec import from_dict


@pytest.fixture
def model(tiny_spec):
    return Model(tiny_spec)


def test_head_to_tail_contact_is_the_hydrodynamic_diameter(model):
    au, cu = model.beads
    # Au bead of one body touches the Cu bead of the next along the axis
    contact = (au.z + au.radius) - (cu.z - cu.radius)
    assert contact == pytest.approx(model.diameter)
    assert au.z + au.radius == pytest.approx(model.diameter / 2)


def test_stokes_einstein_and_inertial_convention(model):
    kT = units.kT_zJ(298.15)
    assert model.Dt == pytest.approx(physics.translational_diffusion(kT, 0.413, 1.8))
    assert model.Dr == pytest.approx(physics.rotational_diffusion(kT, 0.413, 1.8))
    # friction of the inertial Langevin body: M/τ = γt, I/τ = γr
    assert model.body.mass / model.dynamics.damping_time == pytest.approx(model.gamma_t)
    assert model.body.inertia / model.dynamics.damping_time == pytest.approx(model.gamma_r)


def test_atom_masses_put_the_centre_of_mass_at_the_body_origin(model):
    masses = _bead_masses(model)
    z = [b.z for b in model.beads] + [model.dipole_position_body[2]]
    assert sum(masses) == pytest.approx(model.body.mass)
    assert all(m > 0 for m in masses)
    assert np.dot(masses, z) == pytest.approx(0.0, abs=1e-12)


def test_drying_schedule(model):
    assert model.film_height(0.0) == pytest.approx(model.initial_height)
    assert model.film_height(model.drying_time) == pytest.approx(model.final_height)
    assert model.film_height(model.drying_time + 5.0) == pytest.approx(model.final_height)
    assert model.eps_r(model.initial_height) == pytest.approx(8.93)
    assert model.eps_r(model.final_height) == pytest.approx(1.5)
    assert model.eps_r(0.5 * (model.initial_height + model.final_height)) == pytest.approx(0.5 * (8.93 + 1.5))
    assert model.peclet == pytest.approx(model.front_speed * model.initial_height / model.Dt)
    assert model.total_steps * model.timestep >= model.total_time - 1e-9


def test_initial_configuration_has_no_overlaps(model):
    positions, orientations, chirality = model.initial_configuration(np.random.default_rng(3))
    L = model.box_length
    delta = positions[:, None, :] - positions[None, :, :]
    delta[..., :2] -= L * np.round(delta[..., :2] / L)
    distance = np.linalg.norm(delta, axis=-1) + np.eye(len(positions)) * 1e9
    assert distance.min() >= model.diameter
    height = positions[:, 2] - model.substrate_z
    assert height.min() >= model.diameter / 2 - 1e-9
    assert height.max() <= model.initial_height - model.diameter / 2 + 1e-9
    np.testing.assert_allclose(np.linalg.norm(orientations, axis=1), 1.0)
    assert sorted(np.bincount(chirality)) == [20, 20]  # racemic


def test_initial_bodies_are_numbered_bin_by_bin_x_fastest():
    model = Model(from_dict(tiny_document(amount={"clusters": 300, "concentration": "20 mM", "box_length": "40 nm"})))
    positions, _, _ = model.initial_configuration(np.random.default_rng(5))
    lower = -0.5 * np.array([model.box_length, model.box_length, model.box_height])
    cell = np.floor((positions - lower) / model.sort_bin).astype(int)
    bins = np.ceil(np.array([model.box_length, model.box_length, model.box_height]) / model.sort_bin).astype(int)
    key = (cell[:, 2] * bins[1] + cell[:, 1]) * bins[0] + cell[:, 0]
    assert len(np.unique(cell[:, 0])) > 1 and len(np.unique(cell[:, 2])) > 1  # the order is not trivial
    assert np.all(np.diff(key) >= 0)


def test_overfull_film_is_refused():
    document = tiny_document(drying={"final_height": "3.9 nm"})
    document["amount"] = {"clusters": 300, "film_height": "4 nm", "box_length": "20 nm"}
    crowded = Model(from_dict(document))
    from dipolewire.errors import InputError

    with pytest.raises(InputError, match="cannot place 300 clusters"):
        crowded.initial_configuration(np.random.default_rng(1))


def test_chain_truncation_fraction():
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


def test_box_leaves_more_than_a_cutoff_between_the_film_and_its_z_image():
    for cutoff in ("5 nm", "7.9 nm"):
        model = Model(from_dict(tiny_document(numerics={"dipole_cutoff": cutoff})))
        assert model.box_height - model.initial_height >= model.spec.numerics.dipole_cutoff + 1.0 - 1e-9
