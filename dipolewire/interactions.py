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
    """A metal core of a Janus body: name (its particle type), core ``diameter`` (nm), position ``z`` on the
    body z axis (nm) and the thickness (nm) of the ligand ``shell`` around it."""

    name: str
    diameter: float
    z: float
    shell: float = 0.0

    @property
    def radius(self) -> float:
        """Core radius (nm)."""
        return 0.5 * self.diameter

    @property
    def outer_radius(self) -> float:
        """Radius (nm) of the ligated core: what touches a wall or another shell."""
        return 0.5 * self.diameter + self.shell


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
        if self.height.start == self.height.end:  # a film that starts at its final height: dry throughout
            return np.full_like(np.asarray(height_nm, dtype=float), self.dry)
        solvent_fraction = (np.asarray(height_nm) - self.height.end) / (self.height.start - self.height.end)
        solvent_fraction = np.clip(solvent_fraction, 0.0, 1.0)
        return self.dry + (self.wet - self.dry) * solvent_fraction

    def __call__(self, time_ns):
        return self.of_height(self.height(time_ns))


# --- pair terms ------------------------------------------------------------------------------------


def _bead_pair_sum(body: RigidBody, r, u1, u2, energy):
    """Σ over bead pairs of ``energy(type_a, type_b, distance nm)`` for two bodies: body 2 at ``r`` (n, 3) nm
    from body 1, Janus axes ``u1``, ``u2`` (n, 3)."""
    total = np.zeros(len(r))
    for a in body.beads:
        for b in body.beads:
            total += energy(a.name, b.name, np.linalg.norm(r + b.z * u2 - a.z * u1, axis=1))
    return total


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
        return _bead_pair_sum(body, r, u1, u2, lambda a, b, d: self.energy(*self.parameters(a, b), d))


def cosine_fade(x, width):
    """1 for x ≤ 0, (1 + cos(π x / width))/2 for 0 < x < width, 0 beyond: a smooth step (no units)."""
    x = np.asarray(x, dtype=float)
    inside = np.clip(x / width, 0.0, 1.0)
    return np.where(x <= 0, 1.0, 0.5 * (1.0 + np.cos(np.pi * inside)))


def cosine_fade_slope(x, width):
    """d(cosine_fade)/dx (1/nm)."""
    x = np.asarray(x, dtype=float)
    inside = (x > 0) & (x < width)
    return np.where(inside, -0.5 * np.pi / width * np.sin(np.pi * np.clip(x / width, 0.0, 1.0)), 0.0)


def quadratic_fade(x, width):
    """1 for x ≤ 0, 1 − 2(x/w)² up to w/2, 2(1 − x/w)² up to w, 0 beyond: a smooth step (no units) made of
    two parabolas, so that it is a sum of three truncated quadratics (R − x)²₊ with knots 0, w/2 and w, the
    form HOOMD-blue's wall potentials evaluate exactly (:mod:`dipolewire.engines.hoomd_walls`)."""
    s = np.clip(np.asarray(x, dtype=float) / width, 0.0, 1.0)
    return np.where(s < 0.5, 1.0 - 2.0 * s * s, 2.0 * (1.0 - s) ** 2)


def quadratic_fade_slope(x, width):
    """d(quadratic_fade)/dx (1/nm)."""
    s = np.clip(np.asarray(x, dtype=float) / width, 0.0, 1.0)
    return np.where(s < 0.5, -4.0 * s, -4.0 * (1.0 - s)) / width


@dataclass(frozen=True)
class LigandShell:
    """Repulsion of compressed ligand shells, with an optional attraction between shells in contact.

    Two ligated cores of outer radii a and b (core radius + shell, nm) at centre distance r overlap by
    δ = a + b − r. Their shells push back as elastic spheres in Hertz contact,
    U = (8/15) E* √R δ^(5/2) with R = ab/(a + b) and contact modulus E* = ``modulus`` (zJ/nm³). With
    ``attraction`` ε > 0 (zJ) the shells also attract: −ε at contact and closer, fading to 0 with
    :func:`cosine_fade` over ``attraction_range`` (nm) beyond contact. ``shells``: (bead type, outer
    radius nm) for every bead type; pairs of different bodies only.
    """

    shells: tuple[tuple[str, float], ...]
    modulus: float
    attraction: float = 0.0
    attraction_range: float = 0.3
    kind = "ligand_shell"

    def pairs(self):
        """(type_a, type_b, outer radius a nm, outer radius b nm) for every unordered pair of bead types."""
        return [(a, b, ra, rb) for i, (a, ra) in enumerate(self.shells) for b, rb in self.shells[i:]]

    def radii(self, a: str, b: str) -> tuple[float, float]:
        table = dict(self.shells)
        return table[a], table[b]

    def r_cut(self, ra: float, rb: float) -> float:
        """Distance (nm) beyond which a pair of shells does not interact."""
        return ra + rb + (self.attraction_range if self.attraction > 0 else 0.0)

    def energy(self, ra: float, rb: float, r):
        """Energy (zJ) of two ligated cores of outer radii ``ra``, ``rb`` (nm) at centre distances ``r`` (nm)."""
        r = np.asarray(r, dtype=float)
        overlap = np.maximum(ra + rb - r, 0.0)
        energy = (8.0 / 15.0) * self.modulus * np.sqrt(ra * rb / (ra + rb)) * overlap**2.5
        if self.attraction > 0:
            energy = energy - self.attraction * cosine_fade(r - ra - rb, self.attraction_range)
        return energy

    def force(self, ra: float, rb: float, r):
        """Radial force −dU/dr (zJ/nm), positive when repulsive."""
        r = np.asarray(r, dtype=float)
        overlap = np.maximum(ra + rb - r, 0.0)
        force = (4.0 / 3.0) * self.modulus * np.sqrt(ra * rb / (ra + rb)) * overlap**1.5
        if self.attraction > 0:
            force = force + self.attraction * cosine_fade_slope(r - ra - rb, self.attraction_range)
        return force

    def table(self, ra: float, rb: float, points: int = 2000, r_min: float = 0.02):
        """The pair tabulated for an engine: r (nm) from ``r_min`` to the cut-off, U (zJ), F = −dU/dr (zJ/nm)."""
        r = np.linspace(r_min, self.r_cut(ra, rb), points)
        return r, self.energy(ra, rb, r), self.force(ra, rb, r)

    def body_energy(self, body: RigidBody, r, u1, u2, eps_r):
        """Shell energy (zJ) of two bodies (arguments as :meth:`WCA.body_energy`)."""
        return _bead_pair_sum(body, r, u1, u2, lambda a, b, d: self.energy(*self.radii(a, b), d))


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


class _OnMovingPlane:
    """A term attached to the plane z = ``reference`` + ``height``(t) (nm, lab frame)."""

    def z(self, time_ns):
        """Lab-frame z (nm) of the plane at ``time_ns``."""
        return self.reference + self.height(time_ns)

    @property
    def moves(self) -> bool:
        return self.height.speed > 0


@dataclass(frozen=True)
class HarmonicWall(_OnMovingPlane):
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


@dataclass(frozen=True)
class InterfaceWell(_OnMovingPlane):
    """A well that holds body centres at the evaporation interface (adsorption at the liquid–air surface).

    A body centre a distance h (nm) below the plane z = ``reference`` + ``height``(t) has energy
    −``depth`` (zJ) when h ≤ ``contact`` (nm; the cluster's surface touches the interface), fading to 0
    with :func:`quadratic_fade` over ``range`` (nm) further down. Acts on body centres only.
    """

    name: str
    reference: float
    height: Ramp
    depth: float
    contact: float
    range: float
    kind = "interface_well"

    def energy(self, depth_below_nm):
        """Energy (zJ) of a body centre ``depth_below_nm`` (nm) below the plane."""
        return -self.depth * quadratic_fade(np.asarray(depth_below_nm) - self.contact, self.range)

    def force_up(self, depth_below_nm):
        """Force along +z (zJ/nm) on a body centre ``depth_below_nm`` (nm) below the plane."""
        return -self.depth * quadratic_fade_slope(np.asarray(depth_below_nm) - self.contact, self.range)
