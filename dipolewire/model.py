"""The engine-neutral model of a drying film of rigid Janus dipolar clusters.

A :class:`Model` turns a :class:`~dipolewire.spec.RunSpec` into a declaration in the nano unit system
(nm, ns, ag, zJ, e·nm) made of the data types of :mod:`dipolewire.interactions`:

- :attr:`Model.body` — the rigid Janus body (beads, mass, inertia, frictions);
- :attr:`Model.pair_terms` — the pair interactions (WCA between beads, the point dipole);
- :attr:`Model.walls` — the substrate and the evaporation interface (empty for a periodic bulk box);
- :attr:`Model.film` and :attr:`Model.permittivity` — the schedules H(t) and εr(t);
- :attr:`Model.box`, :attr:`Model.dynamics`, :attr:`Model.execution` — box, integration, threads.

Engines read these and nothing else: each translates every term into its own commands.

Body frame: the Janus axis is +z, from the partner-metal hemisphere (−z) to the Au hemisphere (+z).
Each bead touches the hydrodynamic sphere (diameter d) from inside, so a head-to-tail contact
puts two body centres a distance d apart. Orientations are unit quaternions (w, x, y, z)
rotating the body frame into the lab frame, as in HOOMD-blue and GSD.

Box: periodic in x and y (side L, centred on 0), bounded in z by the substrate at
z = −Lz/2 + wall range and by the evaporation interface at a height H(t) above it.

Dynamics convention
-------------------
Stokes–Einstein frictions γt = 3πηd (ag/ns) and γr = πηd³ (zJ·ns) define Dt = kT/γt and
Dr = kT/γr. An engine that integrates rigid bodies with inertial Langevin dynamics (LAMMPS
``fix rigid langevin``) gets a body mass M = γt τ and an isotropic moment of inertia
I = γr τ with damping time τ = :data:`DAMPING_STEPS` timesteps: friction M/τ = γt and I/τ = γr,
so the long-time Dt and Dr are the Stokes–Einstein values whatever τ is, and momenta relax
within τ, far shorter than any diffusive time of the model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import physics
from .errors import InputError
from .geometry import Box
from .interactions import (
    WCA,
    Bead,
    FilmPermittivity,
    HarmonicWall,
    InterfaceWell,
    LigandShell,
    PointDipole,
    Ramp,
    RigidBody,
)
from .spec import RunSpec
from .units import kT_zJ

#: Inertial damping time in timesteps (see module docstring).
DAMPING_STEPS = 10.0
#: Margin (nm) between the highest interface wall plane and the top of the box.
BOX_MARGIN_NM = 2.0
#: Room (nm) beyond the largest cut-off that a neighbour list may search (HOOMD-blue's buffer is 0.8 nm, LAMMPS's
#: skin 0.5 nm): a film box is at least twice the dipole cut-off plus this high, because HOOMD-blue's lists look no
#: further than half the box along z, which is periodic there (a film started thin would otherwise be too low).
NEIGHBOR_ROOM_NM = 1.0
#: Range (nm) of the harmonic interface and substrate potentials beyond contact: the barrier
#: energy there is k·range²/2, hundreds of kT at the default stiffness.
WALL_RANGE_NM = 3.0


@dataclass(frozen=True)
class Dynamics:
    """How bodies move: timestep (ns), temperature (K) and kT (zJ), and the inertial damping time (ns)
    that an engine with momenta uses (see the module docstring)."""

    timestep: float
    temperature_K: float
    kT: float
    damping_time: float


@dataclass(frozen=True)
class Execution:
    """How an engine runs, without changing the physics: OpenMP threads per rank and the HOOMD-blue
    device ("auto", "cpu", "gpu")."""

    threads: int
    device: str


class Model:
    """The declaration of one run (see the module docstring), derived from a :class:`~dipolewire.spec.RunSpec`."""

    def __init__(self, spec: RunSpec):
        self.spec = spec
        c, s, d, n = spec.cluster, spec.solvent, spec.drying, spec.numerics
        self.N = spec.amount.clusters
        self.kT = kT_zJ(s.temperature)  # zJ
        self.diameter = c.hydrodynamic_diameter  # nm
        self.gamma_t = float(physics.translational_friction(s.viscosity, self.diameter))  # ag/ns
        self.gamma_r = float(physics.rotational_friction(s.viscosity, self.diameter))  # zJ·ns
        self.Dt = self.kT / self.gamma_t  # nm²/ns
        self.Dr = self.kT / self.gamma_r  # 1/ns
        self.timestep = n.timestep  # ns
        self.dynamics = Dynamics(n.timestep, s.temperature, self.kT, DAMPING_STEPS * n.timestep)
        self.execution = Execution(n.threads, n.device)

        geometry = c.geometry
        self.geometry = geometry
        beads = (Bead("Au", c.au_core_diameter, geometry.au_z, c.au_shell),)
        if c.partner_core_diameter is not None:
            beads += (Bead(c.partner or "X", c.partner_core_diameter, geometry.partner_z, c.partner_shell),)
        damping_time = self.dynamics.damping_time
        self.body = RigidBody(
            center_types=tuple(f"{c.preset}:{hand}" for hand in ("R", "S")),
            beads=beads,
            diameter=self.diameter,
            mass=self.gamma_t * damping_time,
            inertia=self.gamma_r * damping_time,
            gamma_t=self.gamma_t,
            gamma_r=self.gamma_r,
        )

        self.box_length, self.box_width = spec.amount.sides  # nm, along x and y
        #: where the run starts when it skips the dilute part of the drying (:mod:`dipolewire.film_start`)
        self.start = spec.start
        self.initial_height = spec.amount.film_height if self.start is None else self.start.film_height  # nm
        self.final_height = d.final_height  # nm
        self.front_speed = d.front_speed  # nm/ns
        if self.start is not None and self.initial_height <= self.final_height:
            # a film that starts at its final height holds there, at the dry film's εr
            self.film = Ramp(self.final_height, self.final_height, 0.0)
            self.permittivity = FilmPermittivity(d.eps_r_dry, d.eps_r_dry, self.film)
        else:
            self.film = Ramp(self.initial_height, self.final_height, self.front_speed)
            wet = s.eps_r if self.start is None else self.start.permittivity  # εr at the initial height
            self.permittivity = FilmPermittivity(wet, d.eps_r_dry, self.film)
        # room below the substrate and above the interface for the walls' harmonic ranges, and more
        # than a dipole cut-off between the film and its z image (HOOMD-blue boxes are periodic in z)
        margin = max(BOX_MARGIN_NM, n.dipole_cutoff + 1.0 - 2 * WALL_RANGE_NM)
        if d.walls:
            self.box_height = max(
                self.initial_height + 2 * WALL_RANGE_NM + margin, 2 * (n.dipole_cutoff + NEIGHBOR_ROOM_NM)
            )  # nm
            self.substrate_z = -0.5 * self.box_height + WALL_RANGE_NM  # nm
        else:  # periodic bulk: the "film" fills the box
            self.box_height = self.initial_height
            self.substrate_z = -0.5 * self.box_height
        self.box = Box(self.box_length, self.box_width, self.box_height, periodic_z=not d.walls)

        steric_epsilon = n.steric_epsilon_kT * self.kT  # zJ
        hypotheses = spec.hypotheses
        # no shell term for clusters without shells, unless their cores are to attract
        shells = ()
        if any(bead.shell > 0 for bead in beads) or hypotheses.ligand_attraction > 0:
            shells = (
                LigandShell(
                    tuple((bead.name, bead.outer_radius) for bead in beads),
                    c.shell_modulus,
                    hypotheses.ligand_attraction,
                    hypotheses.ligand_attraction_range,
                ),
            )
        self.pair_terms = (
            WCA(  # the metal cores: hard, at core contact
                tuple(
                    (a.name, b.name, steric_epsilon, 0.5 * (a.diameter + b.diameter))
                    for i, a in enumerate(beads)
                    for b in beads[i:]
                )
            ),
            *shells,
            PointDipole(
                types=self.body.center_types,
                moment=tuple(c.dipole * np.asarray(c.dipole_direction, dtype=float)),
                position=(0.0, 0.0, c.dipole_offset),
                cutoff=n.dipole_cutoff,
                permittivity=self.permittivity,
                method=n.dipole_method,
                accuracy=n.dipole_accuracy,
            ),
        )
        stiffness = d.interface_stiffness_kT_per_nm2 * self.kT  # zJ/nm²
        walls = ()
        if d.walls:
            walls = (
                HarmonicWall("substrate", "lower", self.substrate_z, Ramp(0.0, 0.0, 0.0), stiffness, WALL_RANGE_NM),
                HarmonicWall("interface", "upper", self.substrate_z, self.film, stiffness, WALL_RANGE_NM),
            )
            if hypotheses.interface_adsorption > 0:
                if c.dipole_offset != 0:
                    raise InputError(
                        "hypotheses.interface_adsorption",
                        'acts on body centres and needs cluster.dipole_offset = "0 nm"',
                    )
                walls += (
                    InterfaceWell(
                        "adsorption",
                        self.substrate_z,
                        self.film,
                        hypotheses.interface_adsorption,
                        0.5 * self.diameter,
                        hypotheses.interface_adsorption_range,
                    ),
                )
        elif hypotheses.interface_adsorption > 0:
            raise InputError("hypotheses.interface_adsorption", "needs an evaporation interface (drying.walls = true)")
        self.walls = walls

        # front_speed 0: a film held at its initial height and solvent permittivity
        self.drying_time = self.film.duration  # ns
        self.total_time = self.drying_time + d.hold  # ns
        self.steps_per_frame = max(1, round(n.output_interval / self.timestep))
        self.frame_interval = self.steps_per_frame * self.timestep  # ns
        self.n_segments = max(1, math.ceil(self.total_time / self.frame_interval - 1e-9))
        self.total_steps = self.n_segments * self.steps_per_frame

    # --- shorthands for the declaration ----------------------------------------------------

    @property
    def beads(self) -> tuple[Bead, ...]:
        return self.body.beads

    @property
    def center_types(self) -> tuple[str, ...]:
        """Particle types of the body centres, one per chirality."""
        return self.body.center_types

    @property
    def types(self) -> tuple[str, ...]:
        """All particle types: body centres first, then bead types."""
        return self.body.types

    def term(self, kind: str):
        """The declared pair term of ``kind``."""
        return next(term for term in self.pair_terms if term.kind == kind)

    @property
    def wca(self) -> WCA:
        return self.term(WCA.kind)

    @property
    def dipole(self) -> PointDipole:
        return self.term(PointDipole.kind)

    @cached_property
    def dipole_body(self) -> np.ndarray:
        """(3,) dipole moment in the body frame (e·nm)."""
        return np.asarray(self.dipole.moment, dtype=float)

    @cached_property
    def dipole_position_body(self) -> np.ndarray:
        """(3,) dipole position in the body frame (nm)."""
        return np.asarray(self.dipole.position, dtype=float)

    # --- drying protocol -----------------------------------------------------------------

    @property
    def peclet(self) -> float:
        """Pe = v·H0/Dt: drying speed against diffusion across the initial film (``amount.film_height``, also
        when a ``[start]`` begins thinner: the drying it starts part-way through)."""
        return self.front_speed * self.spec.amount.film_height / self.Dt

    def film_height(self, time_ns):
        """Height H(t) (nm) of the evaporation interface above the substrate."""
        return self.film(time_ns)

    def eps_r(self, height_nm):
        """εr of the film at height H (nm): see :class:`~dipolewire.interactions.FilmPermittivity`."""
        return self.permittivity.of_height(height_nm)

    def segment_eps_r(self, segment: int) -> float:
        """εr an engine applies during output segment ``segment`` (frame k → k+1): the schedule at its midpoint."""
        return float(self.permittivity((segment + 0.5) * self.frame_interval))

    def coupling(self, eps_r) -> float:
        """Dipolar coupling λ at contact (σ = hydrodynamic diameter) for permittivity ``eps_r``."""
        return float(physics.coupling_constant(self.spec.cluster.dipole, self.diameter, self.kT, eps_r))

    # --- bodies --------------------------------------------------------------------------

    def dipole_cutoff_report(self) -> str:
        """The truncation the dipole cut-off and method imply, as a sentence: the pair energy at the cut-off,
        and the dipolar energy a straight chain and a 2D polar square lattice (spacing d) lose or gain."""
        from . import lattice_sums

        cutoff, method = self.dipole.cutoff, self.dipole.method
        pair = (self.diameter / cutoff) ** 3
        head = f"dipole cut-off {cutoff:g} nm = {cutoff / self.diameter:.2f} d ({method})"
        if method in lattice_sums.LONG_RANGE:
            return (
                f"{head}: real-space cut-off of a sum over all periodic images, relative accuracy "
                f"{self.dipole.accuracy:g}; chains and lattices get their full dipolar energy"
            )
        x = cutoff / self.diameter
        errors = {
            lattice: lattice_sums.relative_error(lattice, lattice_sums.truncated_energy(lattice, x, method))
            for lattice in ("chain", "square2d")
        }
        return (
            f"{head}: the pair energy there is {100 * pair:.2f} % of contact; a straight chain loses "
            f"{100 * errors['chain']:.2f} % of its dipolar energy, a 2D polar square lattice "
            f"{100 * errors['square2d']:.2f} %"
        )

    def check_room(self) -> tuple[int, int, float]:
        """The initial film's lattice of sites (one cluster each): sites per side, layers and the height (nm)
        the centres span; refuses a film without a site for every cluster (before anything is written), naming
        ``start.film_height`` for a film that starts thin, else ``amount``."""
        d, L = self.diameter, self.box_length
        per_side = int(L // (1.02 * d))
        # centres from substrate + d/2 to interface − d/2; a periodic box repeats every H
        z_room = self.initial_height - d if self.walls else self.initial_height - 1.02 * d
        layers = max(int(z_room // (1.02 * d)) + 1, 0)
        sites = per_side * per_side * layers
        if per_side < 1 or sites < self.N:
            if self.start is not None:
                raise InputError(
                    "start.film_height",
                    f"cannot place {self.N} clusters without overlaps in a film {self.initial_height:.4g} nm thick "
                    f"(room for {sites}: {per_side} × {per_side} sites of {1.02 * d:.4g} nm in {layers} layer(s), a "
                    f"layer needing {d:.4g} nm); start from a thicker film, or use fewer clusters or a wider box",
                )
            raise InputError(
                "amount",
                f"cannot place {self.N} clusters without overlaps in the initial film "
                f"(room for {sites}); lower the concentration or the number of clusters",
            )
        return per_side, layers, z_room

    def check_start(self) -> None:
        """Refuse, before anything is written, a start whose clusters have no room (a start from another run's
        frame copies bodies that already have theirs)."""
        if self.start is None or not self.start.tiled:
            self.check_room()

    def initial_configuration(self, rng: np.random.Generator):
        """Non-overlapping random bodies in the initial film (at ``start.film_height`` for a run that starts
        thin), or the tiled bodies of a start from another run's frame (``rng`` unused).

        Centres sit on a randomly filled, jittered lattice of spacing ≥ d (so no two bodies
        overlap), with uniformly random orientations. Returns ``(positions (N, 3) nm,
        orientations (N, 4), chirality (N,) 0 = R / 1 = S)``, numbered by :meth:`spatial_order`.
        """
        if self.start is not None and self.start.tiled:
            from .film_start import tiled_bodies

            positions, orientations, chirality = tiled_bodies(self)
            order = self.spatial_order(positions)
            return positions[order], orientations[order], chirality[order].astype(np.int32)
        d, L = self.diameter, self.box_length
        per_side, layers, z_room = self.check_room()
        sites = per_side * per_side * layers
        chosen = rng.choice(sites, size=self.N, replace=False)
        ix, rest = np.divmod(chosen, per_side * layers)
        iy, iz = np.divmod(rest, layers)
        spacing_xy = L / per_side
        spacing_z = z_room / (layers - 1) if layers > 1 else 0.0
        jitter_xy = 0.5 * (spacing_xy - d)
        jitter_z = 0.5 * (spacing_z - d) if layers > 1 else 0.0
        x = -0.5 * L + (ix + 0.5) * spacing_xy + rng.uniform(-jitter_xy, jitter_xy, self.N)
        y = -0.5 * L + (iy + 0.5) * spacing_xy + rng.uniform(-jitter_xy, jitter_xy, self.N)
        z_low = self.substrate_z + 0.5 * d
        z = z_low + iz * spacing_z + (rng.uniform(-jitter_z, jitter_z, self.N) if layers > 1 else 0.0)
        z = np.clip(z, z_low, z_low + z_room)
        positions = np.column_stack([x, y, z])
        orientations = rng.normal(size=(self.N, 4))  # uniform on S³ = uniform rotations
        orientations /= np.linalg.norm(orientations, axis=1, keepdims=True)
        hand = self.spec.cluster.chirality
        if hand == "racemic":
            chirality = rng.permutation(np.arange(self.N) % 2)
        else:
            chirality = np.full(self.N, 0 if hand == "R" else 1)
        order = self.spatial_order(positions)
        return positions[order], orientations[order], chirality[order].astype(np.int32)

    @property
    def sort_bin(self) -> float:
        """Edge (nm) of the bins that number bodies through space: half the dipole cut-off."""
        return 0.5 * self.dipole.cutoff

    def spatial_order(self, positions):
        """Indices that number bodies bin by bin (edge :attr:`sort_bin`), x fastest and z slowest.

        This is the order of LAMMPS's spatial atom sort with the same bins, so an engine reads its
        per-body arrays nearly in sequence: 1.4-1.5x faster at 10^5 clusters (docs/performance.md).
        """
        lower = -0.5 * self.box.lengths
        cell = np.floor((np.asarray(positions) - lower) / self.sort_bin).astype(np.int64)
        return np.lexsort((cell[:, 0], cell[:, 1], cell[:, 2]))

    def pair_energy(self, r, u1, u2, eps_r=None):
        """Energy (zJ) of two of the model's bodies, summed over the declared pair terms: body 2 at ``r``
        (n, 3) nm from body 1, Janus axes ``u1``, ``u2`` (n, 3), at permittivity ``eps_r`` (default: the
        solvent's). Dipoles must lie on the Janus axis."""
        r, u1, u2 = (np.asarray(a, dtype=float) for a in (r, u1, u2))
        eps_r = self.permittivity.wet if eps_r is None else eps_r
        return sum(term.body_energy(self.body, r, u1, u2, eps_r) for term in self.pair_terms)

    def summary_lines(self) -> list[str]:
        """What a researcher should see before a run starts."""
        s = self.spec
        eps_start = float(self.permittivity(0.0))
        if self.start is not None and self.start.tiled:  # no solution: the clusters per area of the frame
            amount = f"{self.N / (self.box_length * self.box_width):.4g} clusters/nm²"
        else:
            amount = f"{s.amount.concentration_mM:.3g} mM"
        lam_wet, lam_dry = self.coupling(eps_start), self.coupling(s.drying.eps_r_dry)
        lines = [
            f"{self.N} × {s.cluster.preset} ({s.cluster.chirality}), μ = {s.cluster.dipole:.4f} e·nm, "
            f"d = {self.diameter:g} nm, in {s.solvent.preset or 'custom solvent'} at {s.solvent.temperature:g} K",
            f"film {self.initial_height:.4g} nm → {self.final_height:.4g} nm over {self.box_length:.4g} nm × "
            f"{self.box_width:.4g} nm ({amount}), front {self.front_speed:.4g} nm/ns, Pe = {self.peclet:.3g}",
            f"εr {eps_start:.4g} → {s.drying.eps_r_dry:g}: λ = {lam_wet:.2f} → {lam_dry:.2f}; "
            f"Dt = {self.Dt:.4g} nm²/ns, Dr = {self.Dr:.4g} /ns",
            f"{self.total_time:.4g} ns in {self.total_steps} steps of {self.timestep:.3g} ns, "
            f"{self.n_segments + 1} frames",
            self.dipole_cutoff_report(),
        ]
        if self.start is not None:
            from .film_start import describe

            lines.insert(1, describe(self))
        return lines
