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
# βU = 0: K is the bonded volume, a cone of half-angle 45° cut from a sphere of radius 2.7 nm,
# 2π(1 − cos 45°)·2.7³/3 = 12.07422 nm³, times the share of orientations within 45° of the first
# body's axis, (1 − cos 45°)/2 = 0.1464466 (worked out by hand)
K0 = 1.768229


def ideal(r, u1, u2):
    return np.zeros(len(r))


@pytest.mark.parametrize(
    ("angle", "expected"),
    [
        (ANGLE, K0),
        (90.0, math.pi * R_MAX**3 / 3),  # a hemisphere, and half of all orientations
        (180.0, 4 * math.pi * R_MAX**3 / 3),  # no angle cut: the whole sphere, every orientation
    ],
)
def test_no_interaction_gives_the_bonded_volume(angle, expected):
    k, error = physics.association_constant(ideal, R_MAX, angle, 10_000, np.random.default_rng(1))
    assert k == pytest.approx(expected, rel=1e-5)
    assert error == pytest.approx(0.0, abs=1e-12)  # a constant integrand has no Monte Carlo error


def test_square_well_and_its_standard_error():
    """βU = −3 within a = 1.5 nm: a fraction p = (a/R)³ of the cone volume weighs e³ instead of 1.

    The weights take two values, so the Monte Carlo standard error is known exactly as well:
    K0 (e³ − 1) √(p(1 − p)/n)."""
    depth, a, n = 3.0, 1.5, 400_000

    def beta_u(r, u1, u2):
        return np.where(np.linalg.norm(r, axis=1) < a, -depth, 0.0)

    p = (a / R_MAX) ** 3
    exact = K0 * (1 + p * (math.exp(depth) - 1))
    exact_error = K0 * (math.exp(depth) - 1) * math.sqrt(p * (1 - p) / n)
    k, error = physics.association_constant(beta_u, R_MAX, ANGLE, n, np.random.default_rng(2))
    # the error estimate from 4e5 two-valued weights: within 0.3 % of the exact one over seeds 0-29;
    # K within 2.2 of its standard errors there
    assert error == pytest.approx(exact_error, rel=0.01)
    assert abs(k - exact) < 4 * exact_error


@pytest.mark.parametrize("weighted", ["axes", "separation"])
def test_angular_weights(weighted):
    """βU = −s cos α, with α the angle between the two axes or between the separation and the first
    axis: cos α is uniform on [cos 45°, 1] in the bonded region, so K = K0 (eˢ − e^{s cos 45°})/(s (1 − cos 45°))."""
    strength = 4.0

    def beta_u(r, u1, u2):
        other = u2 if weighted == "axes" else r / np.linalg.norm(r, axis=1, keepdims=True)
        return -strength * np.sum(u1 * other, axis=1)

    exact = K0 * (math.exp(strength) - math.exp(strength * C)) / (strength * (1 - C))
    k, error = physics.association_constant(beta_u, R_MAX, ANGLE, 400_000, np.random.default_rng(3))
    # over seeds 0-29 both cases stayed within 2.2 standard errors (0.3 % of K)
    assert error < 0.005 * exact
    assert abs(k - exact) < 4 * error


def test_janus_pair_energy_at_head_to_tail_contact():
    model = Model(from_dict(tiny_document()))
    z = np.array([[0.0, 0.0, 1.0]])
    r = np.array([[0.0, 0.0, model.diameter]])
    mu = model.spec.cluster.dipole
    dipole = physics.aligned_energy(mu, model.diameter, eps_r=model.spec.solvent.eps_r)
    # the Au bead of body 1 touches the Cu bead of body 2: WCA at r = σ is ε; no other bead pair overlaps
    assert model.pair_energy(r, z, z)[0] == pytest.approx(dipole + model.spec.numerics.steric_epsilon_kT * model.kT)
    # beyond the beads' reach only the dipoles interact, out to the 5 nm cut-off and not past it (as in the engines)
    near, far = np.array([[0.0, 0.0, 4.9]]), np.array([[0.0, 0.0, 5.1]])
    assert model.pair_energy(near, z, z)[0] == pytest.approx(physics.aligned_energy(mu, 4.9, eps_r=8.93))
    assert model.pair_energy(far, z, z)[0] == 0.0
    # tail to tail: dipole repulsion, Cu beads overlap
    assert model.pair_energy(r, z, -z)[0] > 0
