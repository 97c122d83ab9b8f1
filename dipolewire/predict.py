"""Equilibrium chain lengths predicted from the pair energy: association constants and ideal-chain mass action.

Two steps, both exact for what they assume:

1. **Association constant of one bond** (:func:`association_constant`), by quadrature of the Boltzmann factor
   of the model's full pair energy (:meth:`~dipolewire.model.Model.pair_energy`: WCA cores, ligand shells,
   optional ligand attraction, point dipole) over the configurations that the chain analysis calls a bond
   (:class:`~dipolewire.analysis.chains.Chains`: body j is bonded *ahead* of body i when |r_ij| < r_max,
   u_i·u_j > cos θ and r̂_ij·u_i > cos θ, θ = 45° and r_max = 2.7 nm by default; in 2D the directions are
   projected on the plane first, as the analysis does):

       K = ∫ d^D r ⟨B_ij(r, u_i, u_j) exp(−U/kT)⟩_{u_i, u_j}       (nm³ in 3D, nm² in 2D)

   B_ij the directed bond indicator, ⟨…⟩ the average over both orientations. For θ ≤ 60° a pair is never bonded
   both ways, so the density of bonded pairs (dimers in the dilute limit) is ρ_pairs = K ρ1², each pair counted
   once, from the body behind (the same convention as :func:`dipolewire.physics.association_constant`, whose
   Monte Carlo value this quadrature reproduces). With a symmetric criterion (θ = 180°: every pair within
   r_max) the same integral counts each pair from both ends, and ρ_pairs = K ρ1²/2. Configurations inside
   the bonded region without any attraction count too (K ≠ 0 at U = 0), because the analysis counts them.

   3D: both axes uniform on the sphere. 2D (the dried monolayer seen from above): centres in one plane, the
   pair energy of the full 3D bodies, with the Janus axes' tilt out of the plane drawn from ``orientations``:

   - ``"film"`` (default for run files with walls): each axis's tilt weighted by the single-cluster Boltzmann
     factor of the walls of the film at its end-state height, exp(−Σ walls/kT) integrated over the height of
     the centre (:func:`dipolewire.boltzmann.wall_energy`); the azimuth is uniform. The demo's deposit
     (150 clusters in 32 nm × 32 nm, film 2.11 nm) has ⟨|u_z|⟩ = 0.28: neither flat (0) nor isotropic (0.5);
   - ``"sphere"``: axes uniform on the sphere, centres in a plane;
   - ``"plane"``: axes in the plane (2D rotations).

2. **Ideal-chain mass action** (:func:`mass_action`): each cluster has one head and one tail site, so it makes
   at most two bonds and chains are linear (the analysis keeps one bond ahead and one behind). With the same K
   for every bond and no interactions between chains, chains of n hold ρ_n = K^(n−1) ρ1^n and

       ρ = Σ n ρ_n = ρ1/(1 − Kρ1)²,  ⟨n⟩n = 1/(1 − Kρ1),  ⟨n⟩w = (1 + Kρ1)/(1 − Kρ1),

   solved in closed form: Kρ1 = 2Kρ/(1 + 2Kρ + √(1 + 4Kρ)), ⟨n⟩n = (1 + √(1 + 4Kρ))/2, ⟨n⟩w = √(1 + 4Kρ).
   This is Flory's most-probable distribution of linear condensation polymers (P. J. Flory, *Principles of
   Polymer Chemistry*, Cornell 1953, ch. VIII) and Wertheim's first-order theory for one A and one B site per
   particle (M. S. Wertheim, J. Stat. Phys. 42, 459 (1986); for patchy chains F. Sciortino, E. Bianchi,
   J. F. Douglas, P. Tartaglia, J. Chem. Phys. 126, 194903 (2007)), with Δ_AB = K.

   Left out: rings, branching (side-by-side bonds), excluded volume and dipolar forces between chains, and any
   dependence of K on the neighbours (a bond's energy in a chain is not exactly the two-body energy). It is a
   dilute-limit theory: at the demo's monolayer coverage it fails (docs/predictor.md).

:func:`inverse` finds the εr (hence λ) or the ligand-attraction depth that gives a requested ⟨n⟩w;
:func:`predict` does everything for a run file's end state. Units: nm, zJ, kT; densities 1/nm³ or 1/nm².
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from .analysis.chains import DEFAULT_MAX_ANGLE_DEG, DEFAULT_R_MAX_NM
from .errors import InputError

#: Orientations of the Janus axes for the 2D association constant (see the module docstring).
ORIENTATIONS_2D = ("film", "sphere", "plane")
#: Gauss points per angle (cos θ or an azimuth inside the bond's cone; twice as many on a full circle): K of the
#: demo's clusters changes by < 1e-4 (relative) from 8 to 16 points in 2D and 3D.
ANGLE_POINTS = 8
#: Radial quadrature: Gauss–Legendre panels of this width (nm), this many points each.
RADIAL_PANEL_NM = 0.05
RADIAL_POINTS = 4
#: Largest ⟨n⟩w searched for by :func:`inverse` through εr: εr from 1 (vacuum) to this.
MAX_EPS_R = 1e4
#: Ligand-attraction depths (kT) searched by :func:`inverse`.
MAX_ATTRACTION_KT = 40.0


@dataclass(frozen=True)
class BondCriterion:
    """The chain analysis's directed bond (nm, degrees); ``max_angle`` 180 bonds every pair within ``r_max``."""

    r_max: float = DEFAULT_R_MAX_NM
    max_angle: float = DEFAULT_MAX_ANGLE_DEG

    def __post_init__(self):
        if not self.r_max > 0:
            raise InputError("r_max", f"must be > 0 nm, got {self.r_max}")
        if not 0 < self.max_angle <= 180:
            raise InputError("max_angle", f"must be in (0°, 180°], got {self.max_angle}")


def _gauss(lo: float, hi: float, n: int):
    x, w = np.polynomial.legendre.leggauss(n)
    half = 0.5 * (hi - lo)
    return lo + half * (1 + x), half * w


def _radial(r_max: float, breaks=(), r_min: float = 0.0):
    """Nodes and weights on [r_min, r_max]: Gauss panels of :data:`RADIAL_PANEL_NM`, split at ``breaks`` (nm)."""
    edges = [r_min, r_max, *(b for b in breaks if r_min < b < r_max)]
    edges = np.unique(np.asarray(edges, dtype=float))
    nodes, weights = [], []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        panels = max(1, math.ceil((hi - lo) / RADIAL_PANEL_NM - 1e-9))
        for k in range(panels):
            x, w = _gauss(lo + k * (hi - lo) / panels, lo + (k + 1) * (hi - lo) / panels, RADIAL_POINTS)
            nodes.append(x)
            weights.append(w)
    return np.concatenate(nodes), np.concatenate(weights)


def _unit(cos_theta, phi):
    sin_theta = np.sqrt(np.clip(1.0 - cos_theta**2, 0.0, None))
    return np.stack([sin_theta * np.cos(phi), sin_theta * np.sin(phi), cos_theta], axis=-1)


@dataclass(frozen=True)
class Quadrature:
    """Nodes of the bonded region at unit distance: directions ``d`` of r, axes ``u1``, ``u2`` (m, 3) and
    weights (m,) that include the orientation average; and radial nodes ``r`` (nm) with weights that include
    the Jacobian r² (3D) or r (2D). K = Σ_r Σ_m wr·wm·exp(−βU(r·d, u1, u2))."""

    d: np.ndarray
    u1: np.ndarray
    u2: np.ndarray
    w: np.ndarray
    r: np.ndarray
    wr: np.ndarray


def quadrature(
    criterion: BondCriterion = BondCriterion(),
    dimensions: int = 3,
    tilt=None,
    angles: int = ANGLE_POINTS,
    breaks=(),
    r_min: float = 0.0,
) -> Quadrature:
    """The quadrature of K over ``criterion``'s bonded region (see :class:`Quadrature`).

    3D: u1 along z; cos θ of r and of u2 to u1 by Gauss–Legendre on [cos θmax, 1], the azimuth of u2 uniform
    (2·``angles`` points); the azimuth of r is integrated exactly (2π). 2D: centres in the x–y plane, u1's
    azimuth 0; the azimuths of r and u2 by Gauss–Legendre on [−θmax, θmax]. ``tilt`` None keeps the axes in
    the plane; otherwise ``tilt`` is a function of cos θ (to +z) ≥ 0 whose normalised values weight each
    axis's tilt (``lambda c: np.ones_like(c)``: uniform on the sphere). ``breaks`` (nm): radial points where
    the energy jumps."""
    if dimensions not in (2, 3):
        raise InputError("dimensions", f"must be 2 or 3, got {dimensions}")
    theta = math.radians(criterion.max_angle)
    r, wr = _radial(criterion.r_max, breaks, r_min)
    if dimensions == 3:
        c, wc = _gauss(math.cos(theta), 1.0, angles)
        phi = 2 * np.pi * np.arange(2 * angles) / (2 * angles)
        wphi = np.full(phi.shape, 2 * np.pi / phi.size)
        cr, c2, p2 = (a.ravel() for a in np.meshgrid(c, c, phi, indexing="ij"))
        w = np.einsum("i,j,k->ijk", wc, wc, wphi).ravel() * 2 * np.pi / (4 * np.pi)  # ∫dφ_r = 2π; u2 over 4π
        d = _unit(cr, np.zeros_like(cr))
        u1 = np.broadcast_to([0.0, 0.0, 1.0], d.shape)
        return Quadrature(d, u1, _unit(c2, p2), w, r, wr * r**2)
    a, wa = _gauss(-theta, theta, angles)
    if tilt is None:
        ar, a2 = (x.ravel() for x in np.meshgrid(a, a, indexing="ij"))
        w = np.outer(wa, wa).ravel() / (2 * np.pi)
        zero = np.zeros_like(ar)
        d = _unit(zero, ar)
        return Quadrature(d, _unit(zero, zero), _unit(zero, a2), w, r, wr * r)
    c, wc = _gauss(-1.0, 1.0, angles)
    p = np.asarray(tilt(c), dtype=float) * wc
    if not np.all(p >= 0) or not p.sum() > 0:
        raise ValueError("tilt weights must be ≥ 0 and not all 0")
    p = p / p.sum()
    ar, a2, c1, c2 = (x.ravel() for x in np.meshgrid(a, a, c, c, indexing="ij"))
    w = np.einsum("i,j,k,l->ijkl", wa, wa, p, p).ravel() / (2 * np.pi)
    d = _unit(np.zeros_like(ar), ar)
    return Quadrature(d, _unit(c1, np.zeros_like(c1)), _unit(c2, a2), w, r, wr * r)


def _beta_energies(beta_energy, q: Quadrature) -> np.ndarray:
    """βU at every node, (radial, angular)."""
    out = np.empty((q.r.size, q.w.size))
    for k, r in enumerate(q.r):
        out[k] = beta_energy(r * q.d, q.u1, q.u2)
    return out


def _integrate(beta_u: np.ndarray, q: Quadrature) -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        boltzmann = np.exp(-np.where(np.isfinite(beta_u), beta_u, np.inf))
    return float(q.wr @ (boltzmann @ q.w))


def association_constant(beta_energy, criterion: BondCriterion = BondCriterion(), dimensions: int = 3, **kw) -> float:
    """K (nm³ in 3D, nm² in 2D; convention in the module docstring) of two bodies whose energy in kT is
    ``beta_energy(r (n, 3) nm, u1 (n, 3), u2 (n, 3))``, bonded by ``criterion``; ``kw`` go to :func:`quadrature`."""
    q = quadrature(criterion, dimensions, **kw)
    return _integrate(_beta_energies(beta_energy, q), q)


# --- mass action -------------------------------------------------------------------------------------


def mass_action(K: float, rho: float) -> dict:
    """Ideal linear chains (module docstring) at total density ``rho`` with association constant ``K`` (units
    that make Kρ dimensionless): free monomers ρ1, Kρ, Kρ1, ⟨n⟩n, ⟨n⟩w and the fraction of clusters in
    chains of two or more, 1 − ρ1/ρ."""
    if not K >= 0 or not rho >= 0:
        raise InputError("mass_action", f"needs K ≥ 0 and ρ ≥ 0, got K = {K}, ρ = {rho}")
    y = K * rho
    root = math.sqrt(1.0 + 4.0 * y)
    x = 2.0 * y / (1.0 + 2.0 * y + root)  # the root of y(1 − x)² = x below 1, written to keep digits at y → 0
    return {
        "rho": rho,
        "K_rho": y,
        "K_rho1": x,
        "rho1": rho * (1.0 - x) ** 2,
        "number_average": 0.5 * (1.0 + root),
        "weight_average": root,
        "fraction_in_chains": 1.0 - (1.0 - x) ** 2,
    }


def required_K(weight_average: float, rho: float) -> float:
    """K that gives ⟨n⟩w = ``weight_average`` at density ``rho``: (⟨n⟩w² − 1)/(4ρ)."""
    return (weight_average**2 - 1.0) / (4.0 * rho)


# --- the model ----------------------------------------------------------------------------------------


def film_tilt(model):
    """The film's tilt weight of one cluster's Janus axis, a function of cos θ: exp(−Σ walls/kT) integrated over
    the centre's height in the film at its end-state height (None when the model has no walls)."""
    from .boltzmann import wall_energy

    if not model.walls:
        return None
    t = model.total_time
    height = float(model.film_height(t))
    z = model.substrate_z + np.linspace(0.0, height, 201)

    def weight(cos_theta):
        cos_theta = np.asarray(cos_theta, dtype=float)
        energy = wall_energy(model, z[:, None], cos_theta[None, :], t) / model.kT
        return np.trapezoid(np.exp(-energy), z, axis=0)

    return weight


class PairTable:
    """βU of the model's pair at the nodes of a quadrature, split as S + D/εr + A·ε_att so that K is cheap at
    any εr and ligand-attraction depth ε_att (kT): S the steric terms, D the dipole at εr = 1, A per kT of
    attraction."""

    def __init__(self, model, dimensions: int, criterion: BondCriterion = BondCriterion(), orientations="film"):
        from .interactions import LigandShell, PointDipole

        self.model, self.dimensions, self.criterion = model, dimensions, criterion
        tilt = None
        if dimensions == 2:
            if orientations not in ORIENTATIONS_2D:
                raise InputError("orientations", f"must be one of {', '.join(ORIENTATIONS_2D)}, got {orientations!r}")
            if orientations == "film":
                tilt = film_tilt(model)
                orientations = "film" if tilt is not None else "sphere"
            if orientations == "sphere":
                tilt = np.ones_like
        self.orientations = orientations if dimensions == 2 else "sphere"
        q = self.q = quadrature(criterion, dimensions, tilt)
        kT, body = model.kT, model.body
        steric = [t for t in model.pair_terms if t.kind != PointDipole.kind]
        shells = [t for t in steric if isinstance(t, LigandShell)]
        self.S = np.empty((q.r.size, q.w.size))
        self.D = np.empty_like(self.S)
        self.A = np.zeros_like(self.S) if shells else None
        for k, r in enumerate(q.r):
            rv = r * q.d
            self.S[k] = sum(t.body_energy(body, rv, q.u1, q.u2, 1.0) for t in steric) / kT
            self.D[k] = model.dipole.body_energy(body, rv, q.u1, q.u2, 1.0) / kT
            if shells:
                one = dataclasses.replace(shells[0], attraction=kT)
                none = dataclasses.replace(shells[0], attraction=0.0)
                self.A[k] = (
                    one.body_energy(body, rv, q.u1, q.u2, 1.0) - none.body_energy(body, rv, q.u1, q.u2, 1.0)
                ) / kT
        # the model's own attraction is in S; A adds to it
        self.attraction_kT = model.spec.hypotheses.ligand_attraction / kT

    def K(self, eps_r: float, attraction_kT: float | None = None) -> float:
        """K (nm³ or nm²) at ``eps_r`` and ligand-attraction depth ``attraction_kT`` (default: the model's)."""
        beta_u = self.S + self.D / eps_r
        if attraction_kT is not None and attraction_kT != self.attraction_kT:
            if self.A is None:
                raise InputError("ligand_attraction", "this cluster has no ligand shells to attract")
            beta_u = beta_u + (attraction_kT - self.attraction_kT) * self.A
        return _integrate(beta_u, self.q)


def end_state(model) -> dict:
    """The run's end state: film height (nm), box side (nm), clusters, εr, and densities (1/nm², 1/nm³)."""
    t = model.total_time
    height = float(model.film_height(t))
    area = model.box.lx * model.box.ly  # nm²
    return {
        "clusters": model.N,
        "box_nm": model.box_length,
        "height_nm": height,
        "eps_r": float(model.permittivity(t)),
        "rho_2d": model.N / area,
        "rho_3d": model.N / (area * height),
    }


def inverse(table: PairTable, rho: float, weight_average: float, eps_r: float) -> dict:
    """The εr (and λ) at the model's attraction, and the ligand-attraction depth (kT) at ``eps_r``, that give
    ⟨n⟩w = ``weight_average`` at density ``rho``; None where no value in εr ∈ [1, :data:`MAX_EPS_R`] or depth
    ∈ [0, :data:`MAX_ATTRACTION_KT`] kT reaches it."""
    from scipy.optimize import brentq

    if not weight_average >= 1:
        raise InputError("--length", f"must be ≥ 1 cluster, got {weight_average:g}")
    target = math.log(max(required_K(weight_average, rho), 1e-300))

    def log_k(value):
        return math.log(max(value, 1e-300))

    out = {"weight_average": weight_average, "K": required_K(weight_average, rho)}
    g = lambda log_eps: log_k(table.K(math.exp(log_eps))) - target  # noqa: E731
    lo, hi = 0.0, math.log(MAX_EPS_R)
    found = g(lo) >= 0 >= g(hi)
    out["eps_r"] = math.exp(brentq(g, lo, hi, xtol=1e-6)) if found else None
    out["coupling"] = table.model.coupling(out["eps_r"]) if found else None
    if table.A is None:
        out["attraction_kT"] = None
        return out
    h = lambda depth: log_k(table.K(eps_r, depth)) - target  # noqa: E731
    found = h(0.0) <= 0 <= h(MAX_ATTRACTION_KT)
    out["attraction_kT"] = brentq(h, 0.0, MAX_ATTRACTION_KT, xtol=1e-6) if found else None
    return out


def predict(spec, eps_r: float | None = None, length: float | None = None, dimensions=(2, 3), orientations="film"):
    """Predicted chains at a run file's end state (:func:`end_state`) at ``eps_r`` (default: the end state's,
    the dry film's for a drying run), per dimension: K, ρ, the mass-action results and λ; with ``length``, what
    :func:`inverse` needs for ⟨n⟩w = ``length``. Returns a plain dict (nm, kT)."""
    from .model import Model

    model = Model(spec)
    state = end_state(model)
    eps_r = state["eps_r"] if eps_r is None else float(eps_r)
    if not eps_r >= 1:
        raise InputError("--eps-r", f"relative permittivity must be >= 1, got {eps_r:g}")
    result = {"end_state": state, "eps_r": eps_r, "coupling": model.coupling(eps_r), "criterion": {}}
    for dim in dimensions:
        criterion = BondCriterion()
        table = PairTable(model, dim, criterion, orientations)
        K = table.K(eps_r)
        rho = state["rho_2d"] if dim == 2 else state["rho_3d"]
        entry = {"K": K, "orientations": table.orientations, **mass_action(K, rho)}
        if length is not None:
            entry["inverse"] = inverse(table, rho, length, eps_r)
        result[f"{dim}d"] = entry
        result["criterion"] = dataclasses.asdict(criterion)
    return result
