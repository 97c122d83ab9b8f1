"""Analytic physics of point dipoles in a continuum solvent, in the nano unit system.

Units throughout (see :mod:`dipolewire.units`): lengths nm, dipoles e·nm, energies zJ,
forces zJ/nm, torques zJ (per radian), viscosities mPa·s = ag/(nm·ns), frictions ag/ns
(translational) and zJ·ns (rotational), diffusion nm²/ns and 1/ns, temperature via kT in zJ.

The pair interaction is the one HOOMD-blue's ``md.pair.aniso.Dipole`` evaluates (and, with
``kappa_per_nm = 0``, LAMMPS ``lj/cut/dipole/cut``)::

    U = A exp(-κ r) [ (μi·μj)/r³ − 3 (μi·r)(μj·r)/r⁵ ],     A = e²/(4π ε0 εr)

with r = ri − rj. Functions broadcast over leading axes: arrays of shape (..., 3).
"""

from __future__ import annotations

import math

import numpy as np

from .errors import InputError
from .units import COULOMB_ZJ_NM

#: Named pair geometries as (θ1, θ2, θ12) in degrees: the angles of μ1 and μ2 with the
#: separation vector r̂ (from 1 to 2) and the angle between μ1 and μ2.
GEOMETRIES: dict[str, tuple[float, float, float]] = {
    "head-to-tail": (0.0, 0.0, 0.0),
    "side-by-side-antiparallel": (90.0, 90.0, 180.0),
    "side-by-side-parallel": (90.0, 90.0, 0.0),
    "head-to-head": (0.0, 180.0, 180.0),
}


def _prefactor(eps_r):
    """A = e²/(4π ε0 εr) in zJ·nm/e²."""
    eps_r = np.asarray(eps_r, dtype=float)
    if np.any(eps_r < 1.0):
        raise InputError("eps_r", f"relative permittivity must be >= 1, got {eps_r}")
    return COULOMB_ZJ_NM / eps_r


def _pair_terms(r_ij, mu_i, mu_j, eps_r, kappa_per_nm):
    r_ij = np.asarray(r_ij, dtype=float)
    mu_i = np.asarray(mu_i, dtype=float)
    mu_j = np.asarray(mu_j, dtype=float)
    r2 = np.sum(r_ij * r_ij, axis=-1)
    r = np.sqrt(r2)
    screen = _prefactor(eps_r) * np.exp(-kappa_per_nm * r)
    a = np.sum(mu_i * mu_j, axis=-1)
    b = np.sum(mu_i * r_ij, axis=-1)
    c = np.sum(mu_j * r_ij, axis=-1)
    return r_ij, mu_i, mu_j, r, r2, screen, a, b, c


def dipole_energy(r_ij, mu_i, mu_j, eps_r=1.0, kappa_per_nm=0.0):
    """Pair energy (zJ) of point dipoles ``mu_i``, ``mu_j`` (e·nm) at ``r_ij = ri − rj`` (nm).

    ``eps_r`` is the relative permittivity of the medium, ``kappa_per_nm`` the inverse Debye
    length (1/nm) of the exponential screening used by HOOMD-blue (0: no screening).
    """
    _, _, _, r, r2, screen, a, b, c = _pair_terms(r_ij, mu_i, mu_j, eps_r, kappa_per_nm)
    return screen * (a - 3.0 * b * c / r2) / (r2 * r)


def dipole_force(r_ij, mu_i, mu_j, eps_r=1.0, kappa_per_nm=0.0):
    """Force (zJ/nm) on dipole i, −∂U/∂ri; the force on j is its negative."""
    r_ij, mu_i, mu_j, r, r2, screen, a, b, c = _pair_terms(r_ij, mu_i, mu_j, eps_r, kappa_per_nm)
    r5 = r2 * r2 * r
    angular = (a - 3.0 * b * c / r2) / (r2 * r)  # U / screen
    # radial part: d/dr of screen·r⁻³·a and of screen·r⁻⁵·(−3bc) at fixed b, c
    radial = screen * (3.0 * a / r5 - 15.0 * b * c / (r5 * r2) + kappa_per_nm * angular / r)
    along_mu = screen * 3.0 / r5
    return radial[..., None] * r_ij + (along_mu * c)[..., None] * mu_i + (along_mu * b)[..., None] * mu_j


def dipole_torques(r_ij, mu_i, mu_j, eps_r=1.0, kappa_per_nm=0.0):
    """Torques (zJ) on dipoles i and j, τ = μ × (−∂U/∂μ), returned as ``(tau_i, tau_j)``."""
    r_ij, mu_i, mu_j, r, r2, screen, a, b, c = _pair_terms(r_ij, mu_i, mu_j, eps_r, kappa_per_nm)
    r3 = r2 * r
    # field at i due to j (and vice versa), E = −∂U/∂μ
    field_i = screen[..., None] * (3.0 * (c / (r3 * r2))[..., None] * r_ij - mu_j / r3[..., None])
    field_j = screen[..., None] * (3.0 * (b / (r3 * r2))[..., None] * r_ij - mu_i / r3[..., None])
    return np.cross(mu_i, field_i), np.cross(mu_j, field_j)


def aligned_energy(mu, r, theta1=0.0, theta2=0.0, theta12=0.0, eps_r=1.0, kappa_per_nm=0.0):
    """Classical energy E = −μ²(3 cosθ1 cosθ2 − cosθ12)/(4π ε0 εr r³) in zJ.

    ``mu`` in e·nm (both dipoles equal), ``r`` in nm, angles in radians: θ1 and θ2 are the
    angles of the dipoles with the line joining them, θ12 the angle between the dipoles.
    Head-to-tail (all zero) gives −2μ²/(4π ε0 εr r³). ``kappa_per_nm`` > 0 multiplies by
    the screening factor exp(−κr) of :func:`dipole_energy`.
    """
    geometry = 3.0 * np.cos(theta1) * np.cos(theta2) - np.cos(theta12)
    r = np.asarray(r, dtype=float)
    return -_prefactor(eps_r) * np.square(mu) * geometry * np.exp(-kappa_per_nm * r) / r**3


def check_angles(theta1, theta2, theta12):
    """Refuse (θ1, θ2, θ12) in radians that no pair of vectors can have."""
    for name, value in (("theta1", theta1), ("theta2", theta2), ("theta12", theta12)):
        if not 0.0 <= value <= math.pi + 1e-12:
            raise InputError(name, f"angle must be in [0°, 180°], got {math.degrees(value):g}°")
    # cos θ12 = cos θ1 cos θ2 + sin θ1 sin θ2 cos φ for some dihedral φ
    low, high = abs(theta1 - theta2), min(theta1 + theta2, 2.0 * math.pi - theta1 - theta2)
    if not low - 1e-9 <= theta12 <= high + 1e-9:
        raise InputError(
            "theta12",
            f"with θ1 = {math.degrees(theta1):g}° and θ2 = {math.degrees(theta2):g}° the angle "
            f"between the dipoles must lie in [{math.degrees(low):g}°, {math.degrees(high):g}°], "
            f"got {math.degrees(theta12):g}°",
        )


def distance_for_energy(energy_zJ, mu, theta1=0.0, theta2=0.0, theta12=0.0, eps_r=1.0, kappa_per_nm=0.0):
    """Separation (nm) at which two dipoles ``mu`` (e·nm) in the given geometry (radians, as in
    :func:`aligned_energy`) have pair energy ``energy_zJ`` (zJ).

    Unscreened, r = (A μ² g / −E)^(1/3) with g = 3 cosθ1 cosθ2 − cosθ12; with screening the
    monotonic |E(r)| is inverted by bisection to machine precision.
    """
    geometry = 3.0 * math.cos(theta1) * math.cos(theta2) - math.cos(theta12)
    scale = -float(_prefactor(eps_r)) * mu**2 * geometry  # E = scale · exp(−κr) / r³
    if energy_zJ == 0 or abs(scale) < 1e-300 or np.sign(scale) != np.sign(energy_zJ):
        kind = "attractive" if scale < 0 else "repulsive" if scale > 0 else "without energy"
        raise InputError("energy", f"this geometry is {kind}; no separation gives {energy_zJ:g} zJ")
    r = (scale / energy_zJ) ** (1.0 / 3.0)  # unscreened answer, an upper bound when κ > 0
    if kappa_per_nm > 0:
        low, high = 0.0, r
        for _ in range(200):
            mid = 0.5 * (low + high)
            if abs(scale) * math.exp(-kappa_per_nm * mid) / mid**3 > abs(energy_zJ):
                low = mid
            else:
                high = mid
        r = 0.5 * (low + high)
    return float(r)


def coupling_constant(mu, sigma, kT, eps_r=1.0):
    """Dipolar coupling λ = μ²/(4π ε0 εr σ³ kT): contact head-to-tail energy is −2λ kT.

    ``mu`` in e·nm, ``sigma`` (contact distance) in nm, ``kT`` in zJ.
    """
    return _prefactor(eps_r) * np.square(mu) / (np.power(sigma, 3) * kT)


def translational_friction(viscosity, diameter):
    """Stokes friction γt = 3π η d in ag/ns (η in mPa·s, d in nm)."""
    return 3.0 * math.pi * np.asarray(viscosity) * np.asarray(diameter)


def rotational_friction(viscosity, diameter):
    """Rotational Stokes friction γr = π η d³ in zJ·ns (η in mPa·s, d in nm)."""
    return math.pi * np.asarray(viscosity) * np.power(diameter, 3)


def translational_diffusion(kT, viscosity, diameter):
    """Stokes–Einstein Dt = kT/(3π η d) in nm²/ns (kT in zJ, η in mPa·s, d in nm)."""
    return kT / translational_friction(viscosity, diameter)


def rotational_diffusion(kT, viscosity, diameter):
    """Stokes–Einstein–Debye Dr = kT/(π η d³) in 1/ns (kT in zJ, η in mPa·s, d in nm)."""
    return kT / rotational_friction(viscosity, diameter)


def bjerrum_length(kT, eps_r):
    """Bjerrum length lB = e²/(4π ε0 εr kT) in nm (kT in zJ)."""
    return _prefactor(eps_r) / kT


def inverse_debye_length(ionic_strength, kT, eps_r):
    """κ in 1/nm, κ² = 8π lB I, for ionic strength I = ½ Σ ci zi² in nm⁻³ (kT in zJ); 0 without ions."""
    return np.sqrt(8.0 * math.pi * bjerrum_length(kT, eps_r) * ionic_strength)


def debye_length(ionic_strength, kT, eps_r):
    """Debye length 1/κ in nm (:func:`inverse_debye_length`), for ionic strength I > 0 in nm⁻³.

    Convert a molar ionic strength with ``units.parse("0.1 M", "concentration")``.
    """
    if np.any(np.asarray(ionic_strength) <= 0):
        raise InputError("ionic_strength", "must be > 0 (no ions means no screening)")
    return 1.0 / inverse_debye_length(ionic_strength, kT, eps_r)


#: Apéry's constant ζ(3) = Σ 1/n³.
ZETA_3 = 1.2020569031595942


def chain_truncation_fraction(cutoff, spacing):
    """Fraction of the dipolar energy of an infinite straight head-to-tail chain (spacing in nm)
    that a pair cut-off (nm) discards.

    Per particle, the chain energy is −(2μ²/(4π ε0 εr spacing³)) Σ_{n≥1} n⁻³ = −2 ζ(3) λ kT; the
    cut-off keeps the neighbours with n·spacing ≤ cutoff, so the lost fraction is
    Σ_{n > cutoff/spacing} n⁻³ / ζ(3).
    """
    kept = int(math.floor(cutoff / spacing + 1e-12))
    return float((ZETA_3 - np.sum(1.0 / np.arange(1, kept + 1, dtype=float) ** 3)) / ZETA_3)


def association_constant(beta_energy, r_max, max_angle_deg, samples=1_000_000, rng=None, batch=200_000):
    """Association constant K (nm³) of two identical axisymmetric bodies, with its standard error (nm³).

    K is the dilute-limit dimer ratio ρ2/ρ1² (ρ in 1/nm³), with ρ2 counting unordered pairs:

        K = ½ ∫ d³r ⟨B(r, u1, u2) exp(−βU(r, u1, u2))⟩ over uniform unit axes u1, u2,

    where B = 1 when the pair is bonded and the ½ is the symmetry number of a dimer of identical
    bodies (swapping them gives the same dimer). The bond is that of
    :class:`dipolewire.analysis.Chains`: body j is bonded *ahead* of body i (i → j) when |r_ij| <
    ``r_max`` (nm), u_i·u_j > cos θ and r̂_ij·u_i > cos θ, with θ = ``max_angle_deg``; a pair is
    bonded when it is bonded in either direction, B = B12 + B21 − B12·B21.

    How the two directions count, for any θ:

    - θ ≤ 60°: a pair is never bonded both ways (r̂ within θ of u1 and −r̂ within θ of u2 puts the
      axes more than 180° − 2θ ≥ θ apart), so the two directions are disjoint and, the energy being
      unchanged by swapping the bodies, K = ∫ B12 e^(−βU): every dimer counted once, from the body
      behind. This is exactly what :class:`Chains` counts as an open chain of two in a dilute system,
      and the range the validation's dimer-ratio check uses (45°).
    - θ > 60°: some pairs are bonded both ways; they count once (K = ∫ B12 e^(−βU) − ½ ∫ B12 B21
      e^(−βU)), not twice. :class:`Chains` reports such a pair as a ring of two rather than as an
      open chain, so for θ > 60° K is the dimer ratio of pairs bonded either way, not of its chains.
    - θ = 180°: the rule is symmetric (every pair within ``r_max`` is bonded, both ways), and K is half
      the bonded volume times the mean Boltzmann factor: 2π r_max³/3 for U = 0.

    ``beta_energy(r, u1, u2)`` takes arrays (n, 3) — separation r = r2 − r1 (nm) and unit axes — and
    returns U/kT (dimensionless). It must describe identical bodies: unchanged under (r, u1, u2) →
    (−r, u2, u1). The integral is Monte Carlo in the frame where u1 = z, over the region of B12: r
    uniform in the cone (volume 2π(1 − cos θ) r_max³/3), u2 uniform in its cone (a fraction
    (1 − cos θ)/2 of all directions); each sample weighs e^(−βU), halved when B21 holds too.

    Raises:
        InputError (a ValueError): ``r_max`` not > 0, ``max_angle_deg`` outside (0°, 180°], or
            ``samples`` < 2.
    """
    if not r_max > 0:
        raise InputError("r_max", f"must be > 0 nm, got {r_max}")
    if not 0 < max_angle_deg <= 180:
        raise InputError("max_angle_deg", f"must be in (0°, 180°], got {max_angle_deg}")
    if not samples >= 2:
        raise InputError("samples", f"must be >= 2 for a standard error, got {samples}")
    rng = rng if rng is not None else np.random.default_rng()
    cos_max = math.cos(math.radians(max_angle_deg))
    region = 2 * math.pi * (1 - cos_max) * r_max**3 / 3
    orientation_fraction = (1 - cos_max) / 2

    def cone(n):
        c = rng.uniform(cos_max, 1.0, n)
        phi = rng.uniform(0.0, 2 * math.pi, n)
        s = np.sqrt(1 - c * c)
        return np.column_stack([s * np.cos(phi), s * np.sin(phi), c])

    total, total_sq, done = 0.0, 0.0, 0
    while done < samples:
        n = min(batch, samples - done)
        r = cone(n) * (r_max * rng.uniform(0.0, 1.0, n) ** (1 / 3))[:, None]
        u1 = np.tile([0.0, 0.0, 1.0], (n, 1))
        u2 = cone(n)
        weight = np.exp(-np.asarray(beta_energy(r, u1, u2), dtype=float))
        if max_angle_deg > 60:  # below, a pair is never bonded both ways (see above)
            length = np.linalg.norm(r, axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                both = (-np.sum(r * u2, axis=1) / length > cos_max) & (length > 0)
            weight = np.where(both, 0.5 * weight, weight)
        total += weight.sum()
        total_sq += (weight**2).sum()
        done += n
    mean = total / done
    error = math.sqrt(max(total_sq / done - mean**2, 0.0) / done)
    scale = region * orientation_fraction
    return scale * mean, scale * error
