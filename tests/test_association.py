"""The association-constant integral against cases with closed forms, and the Janus pair energy."""

import math
import re

import numpy as np
import pytest
from conftest import tiny_document

from dipolewire import physics
from dipolewire.analysis.chains import DEFAULT_MAX_ANGLE_DEG, DEFAULT_R_MAX_NM, Chains
from dipolewire.geometry import rotate
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


@pytest.mark.parametrize("angle", [ANGLE, 60.0])
def test_no_interaction_gives_the_bonded_volume(angle):
    """Up to 60° a pair is bonded one way at most, so K is the volume of one bond's region: the cone of
    half-angle θ cut from a sphere of radius r_max, times the share (1 − cos θ)/2 of second-body axes
    within θ of the first body's."""
    c = math.cos(math.radians(angle))
    expected = 2 * math.pi * (1 - c) * R_MAX**3 / 3 * (1 - c) / 2
    if angle == ANGLE:
        assert expected == pytest.approx(K0, rel=1e-6)
    k, error = physics.association_constant(ideal, R_MAX, angle, 10_000, np.random.default_rng(1))
    assert k == pytest.approx(expected, rel=1e-12)
    assert error == pytest.approx(0.0, abs=1e-12)  # a constant integrand has no Monte Carlo error


def test_symmetric_rule_counts_each_pair_once():
    """At 180° every pair within r_max is bonded, both ways: K is half the sphere's volume, 2π r_max³/3
    (ρ2 counts unordered pairs), not the whole of it."""
    k, error = physics.association_constant(ideal, R_MAX, 180.0, 10_000, np.random.default_rng(1))
    assert k == pytest.approx(0.5 * 4 * math.pi * R_MAX**3 / 3, rel=1e-12)
    assert error == pytest.approx(0.0, abs=1e-12)


def test_pairs_bonded_both_ways_count_once_at_90_degrees():
    """θ = 90°, U = 0. The bond 1 → 2 holds in a hemisphere of r for half of all u2: πR³/3. With r̂ at an
    angle α from u1 = z, the bond 2 → 1 holds as well for the u2 in the lune {u2·z > 0, u2·r̂ < 0} of
    dihedral angle α, a share α/2π of all directions; over the hemisphere that is
    (R³/3) ∫₀^{π/2} α sin α dα = R³/3. Pairs bonded either way: 2·πR³/3 − R³/3, and K is half of that,
    πR³/3 − R³/6 (worked out by hand). The weights take the values 1 and ½, the second with probability
    p = (R³/3)/(πR³/3) = 1/π, so the standard error is (πR³/3)·½·√(p(1 − p)/n)."""
    n = 400_000
    exact = math.pi * R_MAX**3 / 3 - R_MAX**3 / 6
    p = 1 / math.pi
    exact_error = math.pi * R_MAX**3 / 3 * 0.5 * math.sqrt(p * (1 - p) / n)
    k, error = physics.association_constant(ideal, R_MAX, 90.0, n, np.random.default_rng(4))
    assert error == pytest.approx(exact_error, rel=0.01)
    assert abs(k - exact) < 4 * exact_error
    # counting the doubly bonded pairs twice would give πR³/3, 150 standard errors away
    assert abs(k - math.pi * R_MAX**3 / 3) > 100 * exact_error


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0.0, ANGLE), "r_max: must be > 0 nm"),
        ((R_MAX, 0.0), "max_angle_deg: must be in (0°, 180°]"),
        ((R_MAX, 180.5), "max_angle_deg: must be in (0°, 180°]"),
    ],
)
def test_bad_arguments_are_refused(args, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        physics.association_constant(ideal, *args, 100, np.random.default_rng(0))
    with pytest.raises(ValueError, match=re.escape("samples: must be >= 2")):
        physics.association_constant(ideal, R_MAX, ANGLE, 1, np.random.default_rng(0))


def _random_pairs(n, rng):
    """Pairs near contact, randomly turned: half roughly head to tail (one way bonded, or not at all), half
    with the separation at 40°-80° from both axes, on either side (a pair that can be bonded both ways
    when θ > 60°)."""
    half = n // 2
    tilt = np.radians(np.concatenate([rng.normal(0.0, 35.0, (half, 2)), rng.uniform(40.0, 80.0, (n - half, 2))]))
    tilt[:half, 1] += np.pi  # the second axis measured from −r̂: head to tail
    x = rng.uniform(1.2, 3.0, n)[:, None] * np.array([1.0, 0.0, 0.0])
    u1 = np.column_stack([np.cos(tilt[:, 0]), np.sin(tilt[:, 0]), np.zeros(n)])
    u2 = np.column_stack([-np.cos(tilt[:, 1]), np.sin(tilt[:, 1]), np.zeros(n)])
    u2 += rng.normal(scale=0.15, size=(n, 3))  # out of the plane
    u2 /= np.linalg.norm(u2, axis=1, keepdims=True)
    turn = rng.normal(size=(n, 4))  # a random rotation of the whole pair (uniform unit quaternions)
    turn /= np.linalg.norm(turn, axis=1, keepdims=True)
    return rotate(turn, x), rotate(turn, u1), rotate(turn, u2)


def _bonded_ahead(r, ui, uj, angle):
    c = math.cos(math.radians(angle))
    length = np.linalg.norm(r)
    return bool(length < R_MAX and ui @ uj > c and (r @ ui) / length > c)


@pytest.mark.parametrize("angle", [ANGLE, 60.0, 75.0])
def test_the_integral_counts_what_the_chain_analysis_counts(angle):
    """Two clusters alone: the chain analysis finds an open chain of two exactly when the pair is bonded
    one way (the only case up to 60°, where K is its dimer ratio), and a ring of two when it is bonded
    both ways (possible only above 60°, where K counts such a pair as a dimer)."""
    pytest.importorskip("freud")
    rng = np.random.default_rng(5)
    box = np.array([30.0, 30.0, 30.0])
    seen = {"none": 0, "one": 0, "both": 0}
    for r, u1, u2 in zip(*_random_pairs(400, rng), strict=True):
        forward, backward = _bonded_ahead(r, u1, u2, angle), _bonded_ahead(-r, u2, u1, angle)
        chains = Chains(R_MAX, angle, 3).compute(box, np.array([box / 2, box / 2 + r]), np.array([u1, u2]))
        kind = "both" if forward and backward else "one" if forward or backward else "none"
        seen[kind] += 1
        assert sorted(chains.lengths.tolist()) == {"none": [1, 1], "one": [2], "both": []}[kind]
        assert len(chains.rings) == (kind == "both")
    assert seen["none"] > 50 and seen["one"] > 50
    assert (seen["both"] > 20) == (angle > 60) and (seen["both"] == 0) == (angle <= 60)


def test_the_validation_bond_is_one_where_k_is_the_chain_dimer_ratio():
    """The validation compares the chain analysis's dimer ratio, with its default bond, against K: that
    needs θ ≤ 60° (above, a pair bonded both ways is a ring of two to the chain analysis, a dimer to K)."""
    assert DEFAULT_MAX_ANGLE_DEG <= 60 and DEFAULT_R_MAX_NM == R_MAX


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
    # head to tail at the cluster's length, the Au shell of body 1 just touches the Cu shell of body 2 and the
    # Au shells are 2.11 − 2.06 nm apart: only the dipoles interact
    assert model.pair_energy(r, z, z)[0] == pytest.approx(dipole)
    # 0.1 nm closer, the Au/Cu shells overlap by 0.1 nm and the Au/Au shells by 0.05 nm (Hertz, by hand)
    closer = np.array([[0.0, 0.0, model.diameter - 0.1]])
    modulus = model.spec.cluster.shell_modulus
    hertz = 8 / 15 * modulus * (np.sqrt(1.03 * 0.75 / 1.78) * 0.1**2.5 + np.sqrt(1.03 / 2) * 0.05**2.5)
    expected = physics.aligned_energy(mu, model.diameter - 0.1, eps_r=model.spec.solvent.eps_r) + hertz
    assert model.pair_energy(closer, z, z)[0] == pytest.approx(expected, rel=1e-9)
    # beyond the beads' reach only the dipoles interact, out to the 5 nm cut-off and not past it (as in the engines)
    near, far = np.array([[0.0, 0.0, 4.9]]), np.array([[0.0, 0.0, 5.1]])
    assert model.pair_energy(near, z, z)[0] == pytest.approx(physics.aligned_energy(mu, 4.9, eps_r=8.93))
    assert model.pair_energy(far, z, z)[0] == 0.0
    # tail to tail: dipole repulsion, Cu shells overlap
    assert model.pair_energy(r, z, -z)[0] > 0
