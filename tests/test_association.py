"""The association-constant integral against cases with closed forms, and the Janus pair energy."""

import math

import numpy as np
import pytest
from conftest import tiny_document

from dipolewire import physics
from dipolewire.model import Model
from dipolewire.spec import from_dict

R_MAX, ANGLE = 2.7, 45.0
C = math.cos(math.radians(ANGLE))
K0 = 2 * math.pi * (1 - C) * R_MAX**3 / 3 * (1 - C) / 2  # no interaction: bonded volume × orientation share


def test_no_interaction_gives_the_bonded_volume():
    k, error = physics.association_constant(
        lambda r, u1, u2: np.zeros(len(r)), R_MAX, ANGLE, 10_000, np.random.default_rng(1)
    )
    assert k == pytest.approx(K0, rel=1e-12) and error == pytest.approx(0.0, abs=1e-12)


def test_square_well():
    depth, a = 3.0, 1.5

    def beta_u(r, u1, u2):
        return np.where(np.linalg.norm(r, axis=1) < a, -depth, 0.0)

    exact = K0 * (a**3 * math.exp(depth) + R_MAX**3 - a**3) / R_MAX**3
    k, error = physics.association_constant(beta_u, R_MAX, ANGLE, 400_000, np.random.default_rng(2))
    assert abs(k - exact) < 4 * error
    assert error / exact < 0.01


def test_orientational_weight():
    strength = 4.0

    def beta_u(r, u1, u2):
        return -strength * np.sum(u1 * u2, axis=1)

    exact = K0 * (math.exp(strength) - math.exp(strength * C)) / (strength * (1 - C))
    k, error = physics.association_constant(beta_u, R_MAX, ANGLE, 400_000, np.random.default_rng(3))
    assert abs(k - exact) < 4 * error


def test_janus_pair_energy_at_head_to_tail_contact():
    model = Model(from_dict(tiny_document()))
    z = np.array([[0.0, 0.0, 1.0]])
    r = np.array([[0.0, 0.0, model.diameter]])
    mu = model.spec.cluster.dipole
    dipole = physics.aligned_energy(mu, model.diameter, eps_r=model.spec.solvent.eps_r)
    # the Au bead of body 1 touches the Cu bead of body 2: WCA at r = σ is ε; no other bead pair overlaps
    assert model.pair_energy(r, z, z)[0] == pytest.approx(dipole + model.spec.numerics.steric_epsilon_kT * model.kT)
    far = np.array([[0.0, 0.0, 5.0]])
    assert model.pair_energy(far, z, z)[0] == pytest.approx(physics.aligned_energy(mu, 5.0, eps_r=8.93))
    # tail to tail: dipole repulsion, Cu beads overlap
    assert model.pair_energy(r, z, -z)[0] > 0
