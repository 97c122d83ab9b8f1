"""Encounter rates by Brownian dynamics: the Northrup–Allison–McCammon method (nm, ns, zJ).

Trajectories of one pair start with the two clusters at distance b (uniform directions: beyond b the force
is central, so arrivals at b are isotropic). Each runs until the pair comes within the reaction distance
R (it *reached*) or drifts apart to q (it *escaped*). The fraction β that reached gives the rate
k = k_D(b) β / (1 − (1 − β) k_D(b)/k_D(q)) (:func:`~.rates.nam_rate`); k_D(b) and k_D(q) are the exact
rates of arrival at b and q from infinity, where the pair feels only its radial potential.

A step of length dt can carry a pair across R and back unseen. For each step that starts and ends outside
R the probability that the Brownian path in between touched R is exp(−(r₀ − R)(r₁ − R)/(D dt)) (the
Brownian bridge across a plane, D the relative diffusion coefficient); a pair is counted as reached with
that probability, and likewise as escaped at q. This removes the O(√dt) bias of checking at steps only.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

import numpy as np
from scipy import optimize

from . import rates

#: The automatic start distance b puts half the exact resistance between R and b (k_D(b) = 2k), so
#: trajectories decide half the rate; the escape distance q puts half of what lies beyond b between b and q.
RESISTANCE_SHARE = 0.5
#: The automatic timestep keeps the rms relative step per axis √(2 D dt) and the drift per step
#: D |F| dt / kT below these fractions of min(R, b − R).
STEP_FRACTION = 0.04
DRIFT_FRACTION = 0.01
#: A timestep given in the file may be at most this multiple of the automatic one: beyond it pairs that have
#: reached can sink so deep into the shell repulsion that the next step flings them out of their cells.
MAX_TIMESTEP_FACTOR = 4.0
#: Pairs whose repulsion at the reaction distance exceeds this (in kT) meet too rarely to measure (k ∝ e^(−U/kT)).
MAX_BARRIER_KT = 300.0
#: Bumped whenever a change of the method changes its results: points measured before are then measured anew.
METHOD_VERSION = 2
#: Pairs drift as a whole; every ``RECENTRE_STEPS`` steps they are moved back to their sites (a rigid shift,
#: which changes nothing in their relative motion), and finished pairs are restarted.
RECENTRE_STEPS = 50
#: Extra lattice spacing beyond 2q (q: the escape distance, also the Yukawa cut-off) between pairs: this many nm
#: plus :data:`SPACING_MARGIN_STEPS` rms relative displacements over :data:`RECENTRE_STEPS` steps, room for a
#: pair's drift between recentrings and for a finished pair's separation growing until it is restarted.
SPACING_MARGIN_NM = 5.0
SPACING_MARGIN_STEPS = 16.0


@dataclass(frozen=True)
class Geometry:
    """Reaction distance R, start b, escape q and the Yukawa cut-off (nm); ``timestep`` ns; ``margin`` nm of
    lattice spacing beyond q + cut-off."""

    reaction: float
    start: float
    escape: float
    cutoff: float
    timestep: float
    margin: float = SPACING_MARGIN_NM

    @property
    def spacing(self) -> float:
        """Lattice spacing (nm) that keeps every pair beyond the cut-off of every other pair."""
        return self.escape + self.cutoff + self.margin


class GeometryError(ValueError):
    """A geometry that cannot be run: ``field`` names the file's key at fault."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


def _distance_at_share(pair, r_from: float, kT: float, share: float) -> float:
    """The r > r_from whose resistance ∫_r^∞ is (1 − share) of that from r_from."""
    total = rates.resistance(pair, r_from, kT)
    target = (1.0 - share) * total

    def gap(r):
        return rates.resistance(pair, r, kT) - target

    high = 2.0 * r_from
    while gap(high) > 0:
        high *= 2.0
        if high > 1e7:
            raise GeometryError(
                "encounter.start_distance", "the pair's resistance does not fall off; give start_distance"
            )
    return optimize.brentq(gap, r_from * (1 + 1e-12), high, xtol=1e-10, rtol=1e-12)


def automatic_timestep(pair, diffusion: float, kT: float, reaction: float, start: float, escape: float) -> float:
    """dt (ns) keeping √(2 D dt) within :data:`STEP_FRACTION` and the drift per step within
    :data:`DRIFT_FRACTION` of min(R, b − R)."""
    scale = min(reaction, start - reaction)
    by_noise = (STEP_FRACTION * scale) ** 2 / (2.0 * diffusion)
    largest_force = float(np.max(np.abs(pair.force(np.linspace(reaction, escape, 2001)))))
    by_drift = DRIFT_FRACTION * scale * kT / (diffusion * largest_force) if largest_force > 0 else math.inf
    return min(by_noise, by_drift)


def choose_geometry(
    pair, diffusion: float, kT: float, *, reaction=None, start=None, escape=None, timestep=None
) -> Geometry:
    """R, b, q, cut-off and dt for ``pair`` (a :class:`~.pair.ChargedPair`) with relative diffusion
    coefficient ``diffusion`` (nm²/ns) at ``kT`` (zJ); each given value (nm, ns) is kept, the others chosen
    (see :data:`RESISTANCE_SHARE`, :data:`STEP_FRACTION`, :data:`DRIFT_FRACTION`). Raises
    :class:`GeometryError` for a pair too repelled to measure, distances out of order, or a timestep above
    :data:`MAX_TIMESTEP_FACTOR` times the automatic one."""
    R = pair.contact if reaction is None else reaction
    barrier = float(pair.energy(R)) / kT
    if barrier > MAX_BARRIER_KT:
        raise GeometryError(
            "encounter.pairs",
            f"the repulsion at the reaction distance is {barrier:.0f} kT: such pairs meet at a rate of order "
            f"e^-{barrier:.0f} of the uncharged one, too rarely to measure (at most {MAX_BARRIER_KT:g} kT)",
        )
    b = _distance_at_share(pair, R, kT, RESISTANCE_SHARE) if start is None else start
    q = _distance_at_share(pair, b, kT, RESISTANCE_SHARE) if escape is None else escape
    if not R < b < q:
        raise GeometryError("encounter.start_distance", f"need reaction < start < escape, got {R:g}, {b:g}, {q:g} nm")
    automatic = automatic_timestep(pair, diffusion, kT, R, b, q)
    if timestep is None:
        timestep = automatic
    elif timestep > MAX_TIMESTEP_FACTOR * automatic:
        raise GeometryError(
            "encounter.timestep",
            f"must be at most {MAX_TIMESTEP_FACTOR:g} × the automatic {automatic:.3g} ns here "
            f"({MAX_TIMESTEP_FACTOR * automatic:.3g} ns), got {timestep:.3g} ns",
        )
    margin = SPACING_MARGIN_NM + SPACING_MARGIN_STEPS * math.sqrt(2.0 * diffusion * RECENTRE_STEPS * timestep)
    return Geometry(R, b, q, q, timestep, margin)


#: Trajectory steps per second of LAMMPS on one core of the 2-core AVX2 machine with 1000-2000 pairs at once
#: (benchmarks/results/encounter.json: 0.82-0.83e6; the validation's neutral pair 1.0e6): for plans only.
TRAJECTORY_STEPS_PER_S = 0.85e6


def estimated_steps(geometry: Geometry, diffusion: float) -> float:
    """A rough number of steps per trajectory: the time (q − R)²/(6D) to diffuse across the shell between
    the reaction and escape distances, in timesteps (for planning only)."""
    return (geometry.escape - geometry.reaction) ** 2 / (6.0 * diffusion * geometry.timestep)


@dataclass(frozen=True)
class Counts:
    """What the trajectories did: ``trajectories`` run, ``reached`` R first, the rest escaped; ``steps``
    taken by the engine and the summed steps of all trajectories; ``seconds`` of wall time."""

    trajectories: int
    reached: int
    steps: int
    trajectory_steps: int
    seconds: float

    @property
    def beta(self) -> float:
        return self.reached / self.trajectories


def _directions(rng, n):
    u = rng.normal(size=(n, 3))
    return u / np.linalg.norm(u, axis=1)[:, None]


def run_trajectories(engine, geometry: Geometry, diffusion: float, trajectories: int, rng, progress=None) -> Counts:
    """Run ``trajectories`` NAM trajectories on ``engine`` (a :class:`~.pair_engines.PairEngine` holding
    ``engine.count`` pairs) and count those that reach R before q. ``diffusion`` (nm²/ns) is the relative
    diffusion coefficient the engine integrates; ``rng`` a numpy Generator; ``progress(done, total)`` is
    called as trajectories finish."""
    R, b, q, dt = geometry.reaction, geometry.start, geometry.escape, geometry.timestep
    pairs = engine.count
    sites, edge = engine.sites, engine.edge
    active = np.zeros(pairs, dtype=bool)
    started = reached = finished = steps = trajectory_steps = 0
    r_prev = np.full(pairs, b)
    parked_separation = 0.5 * (R + b)

    def restart(d=None, r=None):
        """Start fresh trajectories on idle pairs, park the rest, and shift the running ones (``d``: b − a,
        minimum image, ``r`` its length) back to their sites."""
        nonlocal started
        idle = np.flatnonzero(~active)
        fresh = idle[: max(0, min(len(idle), trajectories - started))]
        separation = np.full(pairs, parked_separation)
        direction = np.tile([1.0, 0.0, 0.0], (pairs, 1))
        if d is not None:  # active pairs keep their relative vector and return to their sites
            separation[active] = r[active]
            direction[active] = d[active] / separation[active, None]
        separation[fresh] = b
        direction[fresh] = _directions(rng, len(fresh))
        half = 0.5 * separation[:, None] * direction
        engine.place(np.arange(pairs), sites - half, sites + half)
        engine.settle()
        active[fresh] = True
        r_prev[fresh] = b
        started += len(fresh)

    start_clock = time.perf_counter()
    restart()
    while finished < trajectories:
        a_pos, b_pos = engine.step()
        steps += 1
        trajectory_steps += int(active.sum())
        d = b_pos - a_pos
        d -= edge * np.round(d / edge)
        r = np.linalg.norm(d, axis=1)
        draws = rng.random((2, pairs))
        crossed_in = np.exp(-np.maximum(r_prev - R, 0.0) * np.maximum(r - R, 0.0) / (diffusion * dt))
        hit = active & ((r <= R) | (draws[0] < crossed_in))
        crossed_out = np.exp(-np.maximum(q - r_prev, 0.0) * np.maximum(q - r, 0.0) / (diffusion * dt))
        out = active & ~hit & ((r >= q) | (draws[1] < crossed_out))
        done = hit | out
        if done.any():
            reached += int(hit.sum())
            finished += int(done.sum())
            active &= ~done
            if progress is not None:
                progress(finished, trajectories)
        r_prev = r
        _check_cells(a_pos, d, r, sites, edge, geometry, steps)
        if finished < trajectories and (steps % RECENTRE_STEPS == 0 or active.sum() == 0):
            restart(d, r)
    return Counts(trajectories, reached, steps, trajectory_steps, time.perf_counter() - start_clock)


def _check_cells(a_pos, separation, r, sites, edge, geometry: Geometry, step: int) -> None:
    """Stop if a cluster strayed so far from its pair's site that it could feel another pair. Each cluster of
    a pair lies within |centre − site| + r/2 of the site (``separation``: b − a, minimum image; ``r`` its
    length), one pass over the pairs."""
    from ..errors import RunStopped

    limit = 0.5 * (geometry.spacing - geometry.cutoff)
    centre = a_pos + 0.5 * separation - sites
    centre -= edge * np.round(centre / edge)
    reach = np.sqrt(np.einsum("ij,ij->i", centre, centre)) + 0.5 * r
    worst = float(reach.max())
    if worst >= limit:
        raise RunStopped(
            f"encounter: after step {step} a cluster is up to {worst:.3g} nm from its pair's site (limit "
            f"{limit:.3g} nm), where it could feel another pair; use a shorter encounter.timestep",
            exit_status=1,
        )


@dataclass(frozen=True)
class EncounterRate:
    """The rate of one species pair: BD (NAM) ``rate`` ± ``error`` and the exact Debye–Smoluchowski
    ``exact`` (nm³/ns), the exact β of the geometry, k_D(b), k_D(q) (nm³/ns) and the counts."""

    pair: tuple[str, str]
    engine: str
    diffusion: float
    kappa: float
    geometry: Geometry
    counts: Counts
    k_start: float
    k_escape: float
    rate: float
    error: float
    exact: float
    exact_beta: float

    @property
    def deviation(self) -> float:
        """(BD − exact)/exact."""
        return self.rate / self.exact - 1.0

    def to_dict(self) -> dict:
        out = asdict(self)
        out["beta"] = self.counts.beta
        out["deviation"] = self.deviation
        out["rate_per_M_per_s"] = float(rates.to_per_molar_second(self.rate))
        out["error_per_M_per_s"] = float(rates.to_per_molar_second(self.error))
        out["exact_per_M_per_s"] = float(rates.to_per_molar_second(self.exact))
        return out


def encounter_rate(
    pair,
    names,
    engine_name,
    gammas,
    temperature,
    diffusion,
    kT,
    geometry,
    trajectories,
    concurrent,
    seed,
    progress=None,
    kappa=0.0,
) -> EncounterRate:
    """BD encounter rate of ``pair`` on engine ``engine_name`` ("lammps" or "hoomd").

    ``gammas`` (ag/ns) of the two species, ``temperature`` K, ``diffusion`` = kT/γa + kT/γb (nm²/ns),
    ``kT`` zJ; ``concurrent`` pairs are simulated at once."""
    from .pair_engines import ENGINES

    count = min(concurrent, trajectories)
    engine = ENGINES[engine_name](
        pair, gammas, temperature, count, geometry.spacing, geometry.cutoff, geometry.timestep, seed
    )
    try:
        counts = run_trajectories(engine, geometry, diffusion, trajectories, np.random.default_rng(seed), progress)
    finally:
        engine.close()
    k_b = rates.diffusion_limited_rate(pair, geometry.start, diffusion, kT)
    k_q = rates.diffusion_limited_rate(pair, geometry.escape, diffusion, kT)
    return EncounterRate(
        pair=tuple(names),
        engine=engine.label,
        diffusion=diffusion,
        kappa=kappa,
        geometry=geometry,
        counts=counts,
        k_start=k_b,
        k_escape=k_q,
        rate=float(rates.nam_rate(k_b, k_q, counts.beta)),
        error=rates.nam_rate_error(k_b, k_q, counts.reached, counts.trajectories),
        exact=rates.debye_smoluchowski(pair, geometry.reaction, diffusion, kT),
        exact_beta=rates.reaching_fraction(pair, geometry.reaction, geometry.start, geometry.escape, kT),
    )
