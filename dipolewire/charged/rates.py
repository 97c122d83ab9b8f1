"""Diffusion-limited encounter rates of a centrosymmetric pair (nm, ns, zJ; rates in nm³/ns).

Two spheres diffusing with relative diffusion coefficient D = D_a + D_b (nm²/ns) under a pair energy
U(r) meet, in steady state, at the Debye–Smoluchowski rate (Debye 1942)

    k = 4π D R*,    1/R* = ∫_R^∞ exp(U(r)/kT) r⁻² dr,

with R the reaction distance; R* is the effective reaction radius and W = R/R* the Fuchs stability
ratio. For U = 0, R* = R. The same integral started at any r gives k_D(r), the rate at which pairs reach
the sphere r from infinity, which the Northrup–Allison–McCammon method needs at its start (b) and
escape (q) distances (Northrup, Allison & McCammon, J. Chem. Phys. 80, 1517 (1984)):

    k = k_D(b) β / (1 − (1 − β) k_D(b)/k_D(q)),

β being the fraction of trajectories started at b that reach R before q.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate

from ..units import AVOGADRO_PER_MOL

#: 1 nm³/ns in M⁻¹ s⁻¹ (1 nm³ = 1e-24 L, per ns, per molecule → per mole): 6.022e8.
PER_M_PER_S_PER_NM3_PER_NS = 1e-24 / 1e-9 * AVOGADRO_PER_MOL


def to_per_molar_second(rate_nm3_per_ns):
    """A rate constant in nm³/ns → M⁻¹ s⁻¹."""
    return np.asarray(rate_nm3_per_ns) * PER_M_PER_S_PER_NM3_PER_NS


def resistance(pair, r_from: float, kT: float) -> float:
    """∫_{r_from}^∞ exp(U(r)/kT) r⁻² dr in 1/nm for a :class:`~.pair.ChargedPair` ``pair`` at ``kT`` (zJ).

    Integrated over x = 1/r on [0, 1/r_from], where the integrand is bounded, split at contact where the
    shell repulsion starts.
    """
    if not r_from > 0:
        raise ValueError(f"r_from must be > 0 nm, got {r_from!r}")

    def integrand(x):
        return math.exp(float(pair.energy(1.0 / x)) / kT) if x > 0 else 1.0

    top = 1.0 / r_from
    knots = [0.0, top]
    if r_from < pair.contact:
        knots.insert(1, 1.0 / pair.contact)
    total = 0.0
    for lo, hi in zip(knots, knots[1:], strict=False):
        value, _ = integrate.quad(integrand, lo, hi, epsabs=0.0, epsrel=1e-12, limit=500)
        total += value
    return total


def diffusion_limited_rate(pair, r_from: float, diffusion: float, kT: float) -> float:
    """k_D(r) = 4π D / ∫_r^∞ exp(U/kT) r⁻² dr (nm³/ns): the rate of first arrival at distance ``r_from``
    (nm) of pairs with relative diffusion coefficient ``diffusion`` (nm²/ns) coming from infinity."""
    return 4.0 * math.pi * diffusion / resistance(pair, r_from, kT)


def effective_radius(pair, reaction_distance: float, kT: float) -> float:
    """R* (nm) of the Debye–Smoluchowski rate k = 4π D R*."""
    return 1.0 / resistance(pair, reaction_distance, kT)


def debye_smoluchowski(pair, reaction_distance: float, diffusion: float, kT: float) -> float:
    """The exact steady-state encounter rate 4π D R* (nm³/ns) of a centrosymmetric pair."""
    return diffusion_limited_rate(pair, reaction_distance, diffusion, kT)


def nam_rate(k_start: float, k_escape: float, beta):
    """Northrup–Allison–McCammon rate (nm³/ns) from k_D(b), k_D(q) (nm³/ns) and the reaching fraction β."""
    beta = np.asarray(beta, dtype=float)
    return k_start * beta / (1.0 - (1.0 - beta) * k_start / k_escape)


def nam_rate_error(k_start: float, k_escape: float, reached: int, trajectories: int) -> float:
    """Standard error (nm³/ns) of :func:`nam_rate` from the binomial error of β = reached/trajectories.

    Propagated through dk/dβ = k_b (1 − Ω)/(1 − Ω + Ωβ)², Ω = k_b/k_q. A β of 0 or 1 is given the error of
    one trajectory more of the other kind (β(1 − β) is floored at 1/n), so that the error is never zero.
    """
    n = trajectories
    beta = reached / n
    variance = max(beta * (1.0 - beta), 1.0 / n) / n
    omega = k_start / k_escape
    slope = k_start * (1.0 - omega) / (1.0 - omega + omega * beta) ** 2
    return float(abs(slope) * math.sqrt(variance))


def reaching_fraction(pair, reaction: float, start: float, escape: float, kT: float) -> float:
    """β of the exact steady state: the probability that a pair started at ``start`` reaches ``reaction``
    before ``escape`` (nm), ∫_b^q e^(U/kT) r⁻² dr / ∫_R^q e^(U/kT) r⁻² dr (the splitting probability of
    radial diffusion). A benchmark for the trajectories, not an input of the rate."""
    outer = resistance(pair, escape, kT)
    return (resistance(pair, start, kT) - outer) / (resistance(pair, reaction, kT) - outer)
