"""The vocabulary in which the model declares what is simulated: bodies, pair terms, walls and schedules.

Everything is plain data in the nano unit system (nm, ns, ag, zJ, e·nm, K). :class:`~dipolewire.model.Model`
builds one declaration from a run file; each engine translates every term it is given into its own
commands and refuses, naming itself, a term whose ``kind`` it does not list in its capabilities
(:mod:`dipolewire.engines.base`). A new physical term is one dataclass here, one line in the model that
declares it, and one translation per engine.

Body frame: the Janus axis is +z, from the partner-metal hemisphere (−z) to the Au hemisphere (+z).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: 2^(1/6): the Lennard-Jones minimum in units of σ, where a WCA potential is cut.
WCA_CUTOFF_SIGMAS = 2 ** (1 / 6)


# --- bodies ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bead:
    """A steric bead of a Janus body: name (its particle type), diameter (nm), position on the body z axis (nm)."""

    name: str
    diameter: float
    z: float

    @property
    def radius(self) -> float:
        return 0.5 * self.diameter


@dataclass(frozen=True)
class RigidBody:
    """A rigid Janus cluster: its beads, its point dipole and its dynamics.

    ``center_types`` are the particle types of the body centres, one per chirality (R, S).
    ``mass`` (ag) and isotropic ``inertia`` (ag·nm²) serve engines that integrate momenta; ``gamma_t``
    (ag/ns) and ``gamma_r`` (zJ·ns) are the Stokes–Einstein frictions of a sphere of ``diameter`` (nm).
    """

    center_types: tuple[str, ...]
    beads: tuple[Bead, ...]
    diameter: float
    mass: float
    inertia: float
    gamma_t: float
    gamma_r: float

    @property
    def types(self) -> tuple[str, ...]:
        """All particle types: body centres first, then beads."""
        return self.center_types + tuple(bead.name for bead in self.beads)

    def bead_positions(self) -> np.ndarray:
        """(n_beads, 3) bead positions in the body frame (nm)."""
        return np.array([[0.0, 0.0, bead.z] for bead in self.beads])


# --- schedules -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ramp:
    """A quantity that moves from ``start`` towards ``end`` at ``speed`` (units per ns), then holds.

    ``speed`` 0 holds ``start`` for ever. Used for the film height H(t) (nm).
    """

    start: float
    end: float
    speed: float

    @property
    def duration(self) -> float:
        """Time (ns) to reach ``end``; 0 when the ramp does not move."""
        return (self.start - self.end) / self.speed if self.speed > 0 else 0.0

    def __call__(self, time_ns):
        if self.speed == 0:
            return np.full_like(np.asarray(time_ns, dtype=float), self.start)
        return np.maximum(self.end, self.start - self.speed * np.asarray(time_ns))


@dataclass(frozen=True)
class FilmPermittivity:
    """εr of a drying film: linear in the remaining solvent fraction (H − Hf)/(H0 − Hf) of the film
    ``height`` ramp, from the solvent's ``wet`` value down to the dry film's ``dry`` value.

    Engines apply it per output frame, at the frame's midpoint (:meth:`~dipolewire.model.Model.segment_eps_r`).
    """

    wet: float
    dry: float
    height: Ramp

    def of_height(self, height_nm):
        solvent_fraction = (np.asarray(height_nm) - self.height.end) / (self.height.start - self.height.end)
        solvent_fraction = np.clip(solvent_fraction, 0.0, 1.0)
        return self.dry + (self.wet - self.dry) * solvent_fraction

    def __call__(self, time_ns):
        return self.of_height(self.height(time_ns))


# --- pair terms ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WCA:
    """Purely repulsive Lennard-Jones between bead types, cut at 2^(1/6)σ and shifted to 0 there.

    ``pairs``: ``(type_a, type_b, epsilon zJ, sigma nm)`` for every unordered pair of bead types, in a
    fixed order; pairs of different bodies only (beads of one body never interact).
    """

    pairs: tuple[tuple[str, str, float, float], ...]
    kind = "wca"

    @staticmethod
    def r_cut(sigma: float) -> float:
        return WCA_CUTOFF_SIGMAS * sigma

    @property
    def max_cutoff(self) -> float:
        return max(self.r_cut(sigma) for *_, sigma in self.pairs)

    def parameters(self, a: str, b: str) -> tuple[float, float] | None:
        """(epsilon zJ, sigma nm) of a pair of types in either order, or None if they do not interact."""
        for x, y, epsilon, sigma in self.pairs:
            if {x, y} == {a, b}:
                return epsilon, sigma
        return None

    def energy(self, epsilon: float, sigma: float, r):
        """Energy (zJ) of one pair at centre distances ``r`` (nm)."""
        x6 = (sigma / np.maximum(r, 1e-9)) ** 6
        return np.where(r < self.r_cut(sigma), 4 * epsilon * (x6 * x6 - x6) + epsilon, 0.0)

    def body_energy(self, body: RigidBody, r, u1, u2, eps_r):
        """Energy (zJ) between the beads of two bodies: body 2 at ``r`` (n, 3) nm from body 1, Janus axes
        ``u1``, ``u2`` (n, 3)."""
        energy = np.zeros(len(r))
        for a in body.beads:
            for b in body.beads:
                epsilon, sigma = self.parameters(a.name, b.name)
                energy += self.energy(epsilon, sigma, np.linalg.norm(r + b.z * u2 - a.z * u1, axis=1))
        return energy


@dataclass(frozen=True)
class PointDipole:
    """A point dipole ``moment`` (e·nm, body frame) at ``position`` (nm, body frame) on every body centre
    type in ``types``; bare dipole–dipole energy −[3(μ1·r̂)(μ2·r̂) − μ1·μ2] e²/(4π ε0 εr r³) (zJ), treated
    by ``method`` with cut-off ``cutoff`` (nm). εr follows the ``permittivity`` schedule.

    ``method`` (``numerics.dipole_method``): "cut" truncates without shift at the cut-off; "shifted_force"
    multiplies the energy by 1 − 4(r/r_c)³ + 3(r/r_c)⁴ (:func:`~dipolewire.lattice_sums.envelope`);
    "ewald" and "pppm" sum all periodic images (real space cut at r_c, the rest in k-space) to the
    relative ``accuracy`` δ (:mod:`~dipolewire.engines.lammps_dipole`)."""

    types: tuple[str, ...]
    moment: tuple[float, float, float]
    position: tuple[float, float, float]
    cutoff: float
    permittivity: FilmPermittivity
    method: str = "cut"
    accuracy: float = 1e-4
    kind = "point_dipole"

    def body_energy(self, body: RigidBody, r, u1, u2, eps_r):
        """Dipole–dipole energy (zJ) of two bodies (arguments as :meth:`WCA.body_energy`) at ``eps_r``.

        "cut" and "shifted_force": exactly the truncated pair energy the engines apply (0 beyond the
        cut-off). "ewald" and "pppm": the bare, untruncated two-body energy, since their energy is not
        pairwise (it includes every periodic image). Needs the dipole on the Janus axis, where the axes fix it."""
        from .lattice_sums import envelope
        from .physics import dipole_energy

        moment, offset = np.asarray(self.moment), self.position[2]
        if np.linalg.norm(np.cross(moment, [0.0, 0.0, 1.0])) > 1e-12 or any(self.position[:2]):
            raise ValueError("body_energy needs the dipole on the Janus axis")
        separation = -(r + offset * u2 - offset * u1)  # r_1 − r_2 for the dipole sites
        energy = dipole_energy(separation, moment[2] * u1, moment[2] * u2, eps_r)
        if self.method in ("ewald", "pppm"):
            return energy
        return energy * envelope(self.method, np.linalg.norm(separation, axis=1), self.cutoff)


# --- walls -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HarmonicWall:
    """A plane normal to z that pushes bead surfaces back with E = (k/2)·overlap², out to ``range`` (nm)
    of overlap.

    ``side`` "lower" keeps beads above the plane (the substrate), "upper" below it (the evaporation
    interface). The plane sits at z = ``reference`` + ``height``(t) (nm, lab frame); ``stiffness`` k
    in zJ/nm². Acts on every bead type by its radius; body centres are not touched.
    """

    name: str
    side: str
    reference: float
    height: Ramp
    stiffness: float
    range: float
    kind = "harmonic_wall"

    def z(self, time_ns):
        """Lab-frame z (nm) of the plane at ``time_ns``."""
        return self.reference + self.height(time_ns)

    @property
    def moves(self) -> bool:
        return self.height.speed > 0
