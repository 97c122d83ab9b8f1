"""The film's walls and interface well as HOOMD-blue's own wall potentials: no Python in the step loop.

Every declared plane term is a sum of truncated quadratics in the distance r (nm) of a particle from a
plane, E(r) = Σ_i a_i (R_i − r)² for r < R_i (a_i in zJ/nm², knots R_i in nm):

- a :class:`~dipolewire.interactions.HarmonicWall` is one such term per bead type, E = (k/2)·overlap²
  with overlap = R − r;
- an :class:`~dipolewire.interactions.InterfaceWell` (−depth, then a two-parabola fade) is three terms with
  knots at contact, contact + range/2 and contact + range, coefficients (1, −2, 1) × 2·depth/range².

HOOMD-blue's ``md.external.wall.Mie`` evaluates ε·C·[(σ/r)ⁿ − (σ/r)ᵐ] shifted to zero at r_cut. With
n = −2, m = −1 its prefactor is C = 4 and the shifted energy is exactly (4ε/σ²)·(r_cut − r)² for
r < r_cut when σ = 2·r_cut: a truncated quadratic, evaluated in C++ (or on the GPU) every step. So the
walls are the same functions of position as on LAMMPS (and in :mod:`dipolewire.boltzmann`); only the
planes' motion differs: HOOMD-blue's planes are moved between run segments of K steps on a fixed grid of
absolute steps, each placed where the exact plane is at the segment's middle, so a plane is never more
than :data:`PLANE_TOLERANCE_NM` from z(t) (half a step's travel for a front faster than twice that), and a
run split into calls anywhere gives the same trajectory (HOOMD-blue's Brownian method continues exactly).

HOOMD-blue continues each term linearly inside :data:`EXTRAPOLATION_NM` of its plane and beyond it
(``r_extrap``), so a particle that crosses a plane is still pushed back instead of escaping.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Largest distance (nm) between a moving plane in HOOMD-blue and the exact plane z(t) of the model.
PLANE_TOLERANCE_NM = 0.01

#: Distance (nm) from a HOOMD-blue plane inside which, and beyond which, each term continues linearly.
EXTRAPOLATION_NM = 1e-3


@dataclass(frozen=True)
class QuadraticTerm:
    """E(r) = ``coefficient`` · (``knot`` − r)² for r < ``knot`` (zJ/nm², nm), r the distance from the plane."""

    coefficient: float
    knot: float

    def energy(self, r):
        """Energy (zJ) at distance ``r`` (nm) from the plane (r ≥ 0)."""
        gap = np.maximum(self.knot - np.asarray(r, dtype=float), 0.0)
        return self.coefficient * gap * gap

    def mie_parameters(self) -> dict:
        """``md.external.wall.Mie`` parameters that evaluate this term exactly (n = −2, m = −1)."""
        return {
            "epsilon": self.coefficient * self.knot**2,  # a = 4ε/σ², σ = 2R
            "sigma": 2.0 * self.knot,
            "n": -2.0,
            "m": -1.0,
            "r_cut": self.knot,
            "r_extrap": EXTRAPOLATION_NM,
        }


#: Parameters of a type a wall potential leaves alone (ε = 0: HOOMD-blue skips the type).
NO_TERM = {"epsilon": 0.0, "sigma": 1.0, "n": -2.0, "m": -1.0, "r_cut": 0.0, "r_extrap": 0.0}


def harmonic_wall_terms(wall, radius_by_type: dict, margin: float) -> dict:
    """One :class:`QuadraticTerm` per bead type for a wall whose HOOMD-blue plane stands ``margin`` (nm)
    outside the model's plane: E = (k/2)(radius + margin − r)², r measured from the HOOMD-blue plane."""
    return {
        t: QuadraticTerm(0.5 * wall.stiffness, radius + margin) for t, radius in radius_by_type.items() if radius > 0
    }


def interface_well_terms(well) -> list[QuadraticTerm]:
    """Three :class:`QuadraticTerm` whose sum is ``well.energy(r)`` for every depth r ≥ 0 below the plane."""
    scale = 2.0 * well.depth / well.range**2
    knots = (well.contact, well.contact + 0.5 * well.range, well.contact + well.range)
    return [QuadraticTerm(-scale * c, k) for c, k in zip((1.0, -2.0, 1.0), knots, strict=True)]


def segment_steps(walls, timestep_ns: float) -> int:
    """Steps K per run segment so that no moving plane is further than :data:`PLANE_TOLERANCE_NM` from its
    exact position: a plane placed for the segment's middle acts on the forces computed at its steps 1 to K
    (HOOMD-blue keeps the forces of step 0 from the call before, with the previous plane, itself K/2 steps
    behind), so it is off by at most v·dt·K/2. At least 1: a front moving more than twice the tolerance per
    step is half a step's travel off."""
    speed = _fastest(walls)
    if speed == 0:
        return 0  # nothing moves: one placement for the whole run
    return max(1, math.floor(2 * PLANE_TOLERANCE_NM / (speed * timestep_ns)))


def plane_error_bound(walls, timestep_ns: float) -> float:
    """The largest distance (nm) between a HOOMD-blue plane and the model's plane over a run."""
    return 0.5 * _fastest(walls) * segment_steps(walls, timestep_ns) * timestep_ns


def _fastest(walls) -> float:
    """Speed (nm/ns) of the fastest moving plane; 0 when none moves."""
    return max((w.height.speed for w in walls if w.moves), default=0.0)


@dataclass
class _Plane:
    """One plane of a HOOMD-blue wall force: which force and slot, and where it goes (lab z, nm)."""

    force: object
    index: int  # in the force's list of walls
    wall: object  # the model's plane term (its z(t))
    offset: float  # HOOMD-blue plane minus model plane (nm)
    normal: float  # +1: the active side is above; −1: below
    z: float = math.nan


class HoomdWalls:
    """The declared plane terms of a model as HOOMD-blue ``Mie`` wall forces, and their planes' motion."""

    def __init__(self, hoomd, model):
        self.hoomd = hoomd
        self.timestep = model.dynamics.timestep
        self.forces = []
        self._planes: list[_Plane] = []
        body = model.body
        self._types = list(body.types)
        self._radius = {c: 0.0 for c in body.center_types} | {b.name: b.outer_radius for b in body.beads}
        self._centres = set(body.center_types)
        self.steps = segment_steps(model.walls, self.timestep)

    def add_harmonic_walls(self, walls) -> list:
        """``Mie`` wall forces on the bead types, one per stiffness and range (the substrate and the interface
        share one, each its own plane); a HOOMD-blue plane stands one wall range outside the model's, so
        the energy is harmonic for overlaps up to the bead radius plus that range (LAMMPS stops a run
        beyond one range)."""
        groups = {}
        for wall in walls:
            groups.setdefault((wall.stiffness, wall.range), []).append(wall)
        added = []
        for group in groups.values():
            planes = [
                (w, -w.range if w.side == "lower" else w.range, 1.0 if w.side == "lower" else -1.0) for w in group
            ]
            added.append(self._add(planes, harmonic_wall_terms(group[0], self._radius, group[0].range)))
        return added

    def add_interface_wells(self, wells) -> list:
        """Three ``Mie`` wall forces per :class:`~dipolewire.interactions.InterfaceWell`, on the body centres,
        their plane the interface itself (active below it)."""
        added = []
        for well in wells:
            for term in interface_well_terms(well):
                added.append(self._add([(well, 0.0, -1.0)], {c: term for c in self._centres}))
        return added

    def _add(self, planes, terms: dict):
        """A ``Mie`` wall force with ``terms`` per type on ``planes``: (model term, offset nm, normal ±1)."""
        entries = [_Plane(None, k, wall, offset, normal) for k, (wall, offset, normal) in enumerate(planes)]
        force = self.hoomd.md.external.wall.Mie(walls=[self._geometry(e, float(e.wall.z(0.0))) for e in entries])
        for t in self._types:
            force.params[t] = terms[t].mie_parameters() if t in terms else dict(NO_TERM)
        for entry in entries:
            entry.force = force
        self.forces.append(force)
        self._planes.extend(entries)
        return force

    def _geometry(self, plane: _Plane, z_model: float):
        z = z_model + plane.offset
        plane.z = z
        return self.hoomd.wall.Plane(origin=(0.0, 0.0, z), normal=(0.0, 0.0, plane.normal))

    @property
    def moving(self) -> bool:
        return self.steps > 0

    def place(self, step: int) -> None:
        """Put every plane where the model has it in the middle of the segment holding ``step``."""
        if self.moving:
            first = (step // self.steps) * self.steps
            time = (first + 0.5 * self.steps) * self.timestep
        else:
            time = step * self.timestep
        for plane in self._planes:
            z_model = float(plane.wall.z(time))
            if z_model + plane.offset != plane.z:
                # in place: reassigning the list would refill HOOMD-blue's fixed wall buffer
                plane.force.walls[plane.index] = self._geometry(plane, z_model)

    def run(self, sim, steps: int) -> None:
        """``sim.run(steps)`` in calls that end on every multiple of the segment length (absolute steps), the
        planes moved between them (Python once per segment)."""
        step, end = int(sim.timestep), int(sim.timestep) + int(steps)
        while step < end:
            self.place(step)
            stop = min(end, (step // self.steps + 1) * self.steps) if self.moving else end
            sim.run(stop - step)
            step = stop

    @property
    def energy(self) -> float:
        """Potential energy (zJ) of every plane term."""
        return sum(float(f.energy) for f in self.forces)
