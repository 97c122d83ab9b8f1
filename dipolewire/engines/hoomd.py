"""HOOMD-blue engine (4.x, CPU or GPU): the same model and GSD schema as the LAMMPS engine.

HOOMD-blue is not on PyPI; install it from conda-forge (``environment.yml``). Units: HOOMD is
unit-free, so it runs directly in the nano system (nm, ns, ag, zJ, e).

Translation of the model's declaration (:mod:`dipolewire.interactions`):

- rigid Janus body: ``md.constrain.Rigid`` with one central particle per cluster (types
  ``<preset>:R`` / ``<preset>:S``) and the beads as constituents;
- ``wca``: ``md.pair.LJ`` cut at 2^(1/6)σ and shifted;
- ``point_dipole``: ``md.pair.aniso.Dipole`` on the central particles, A = e²/(4π ε0 εr) =
  230.708/εr zJ·nm/e², κ = 0; the dipole must sit at the body centre;
- dynamics: ``md.methods.Brownian`` on the body centres with the body's γt = 3πηd and isotropic
  γr = πηd³ (overdamped; LAMMPS integrates the same frictions with inertial Langevin, and the
  long-time Dt and Dr are the same Stokes–Einstein values);
- ``harmonic_wall``: applied by a ``md.force.Custom`` on bead surfaces (HOOMD has no harmonic wall);
  the planes follow the timestep exactly.
  This is the one piece of Python in HOOMD-blue's step loop: about 0.1 ms per step on a CPU, 39 % of
  the demo's loop (docs/performance.md); periodic bulk boxes (``drying.walls = false``) have none.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..units import COULOMB_ZJ_NM
from .base import Engine, Start

#: Neighbour-list buffer (nm): the fastest measured for the demo and a 10^4-cluster fluid
#: (docs/performance.md); fewer list rebuilds outweigh the longer lists.
NLIST_BUFFER_NM = 0.8

#: Points of the ligand-shell pair table (nm spacing ≈ cut-off / points).
SHELL_TABLE_POINTS = 2000

#: HOOMD-blue seeds are 16-bit.
SEED_MODULUS = 65536


def load_library():
    """Import HOOMD-blue, with an install hint when it is missing."""
    try:
        import hoomd
        import hoomd.md  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            "the HOOMD-blue engine needs the 'hoomd' package from conda-forge: conda env create -f environment.yml"
        ) from exc
    return hoomd


def gpu_available() -> bool:
    """Whether HOOMD-blue can see a GPU (False when HOOMD-blue is missing or built without GPU)."""
    try:
        hoomd = load_library()
        return bool(hoomd.version.gpu_enabled and hoomd.device.GPU.get_available_devices())
    except Exception:  # noqa: BLE001 - any failure means: no usable GPU
        return False


def make_device(kind: str = "auto"):
    """A HOOMD-blue device: ``"cpu"``, ``"gpu"`` or ``"auto"`` (GPU when one is available)."""
    hoomd = load_library()
    if kind == "cpu":
        return hoomd.device.CPU(notice_level=0)
    if kind == "gpu":
        if not gpu_available():
            raise InputError("--device", "no GPU is available to HOOMD-blue here; use --device cpu")
        return hoomd.device.GPU(notice_level=0)
    return hoomd.device.GPU(notice_level=0) if gpu_available() else hoomd.device.CPU(notice_level=0)


def version() -> str:
    return load_library().version.version


def point_dipole_interactions(positions, dipoles, eps_r=1.0, cutoff=10.0, kappa_per_nm=0.0):
    """Energy (zJ), forces (zJ/nm) and torques (zJ) of point dipoles evaluated by HOOMD-blue.

    Each particle gets its own type so that it can carry its own dipole. The box is periodic but
    large enough that no image is within the cut-off.
    """
    hoomd = load_library()
    positions = np.asarray(positions, dtype=float)
    dipoles = np.asarray(dipoles, dtype=float)
    n = len(positions)
    extent = 2 * (np.abs(positions).max() + cutoff) + 2.0
    sim = hoomd.Simulation(device=hoomd.device.CPU(notice_level=0), seed=1)
    snap = hoomd.Snapshot()
    snap.configuration.box = [extent, extent, extent, 0, 0, 0]
    snap.particles.N = n
    snap.particles.types = [f"P{k}" for k in range(n)]
    snap.particles.typeid[:] = np.arange(n)
    snap.particles.position[:] = positions
    snap.particles.orientation[:] = [1.0, 0.0, 0.0, 0.0]
    snap.particles.moment_inertia[:] = [1.0, 1.0, 1.0]
    sim.create_state_from_snapshot(snap)
    nlist = hoomd.md.nlist.Cell(buffer=0.4)
    dipole = hoomd.md.pair.aniso.Dipole(nlist, default_r_cut=cutoff)
    for a in snap.particles.types:
        dipole.mu[a] = tuple(dipoles[int(a[1:])])
        for b in snap.particles.types:
            dipole.params[(a, b)] = {"A": COULOMB_ZJ_NM / eps_r, "kappa": kappa_per_nm}
    integrator = hoomd.md.Integrator(dt=1e-6, integrate_rotational_dof=True, forces=[dipole])
    sim.operations.integrator = integrator
    sim.run(0)
    return float(dipole.energy), np.array(dipole.forces), np.array(dipole.torques)


def _plane_of_time(wall, timestep_ns):
    """z (nm) of a wall's plane as a function of the step, in plain floats (called every step)."""
    ramp, reference = wall.height, wall.reference
    if not wall.moves:
        z = float(wall.z(0.0))
        return lambda step: z
    return lambda step: reference + max(ramp.end, ramp.start - ramp.speed * (step * timestep_ns))


class _HarmonicWalls:
    """Factory for the declared harmonic walls on bead surfaces (a HOOMD custom force)."""

    @staticmethod
    def create(hoomd, walls, radius_by_typeid, timestep_ns):
        # (sign of the force, stiffness zJ/nm², plane z(step)) per wall; upper walls push down
        planes = [(-1.0 if w.side == "upper" else 1.0, w.stiffness, _plane_of_time(w, timestep_ns)) for w in walls]

        class HarmonicWalls(hoomd.md.force.Custom):
            def __init__(self):
                super().__init__(aniso=False)
                self.radius = np.asarray(radius_by_typeid, dtype=float)
                self.bead = (self.radius > 0).astype(float)  # 0 for the body centres

            def set_forces(self, timestep):
                # called every step (HOOMD has no harmonic wall): NumPy on local arrays, one write each
                with self._state.cpu_local_snapshot as snap, self.cpu_local_force_arrays as out:
                    typeid = snap.particles.typeid
                    r, bead = self.radius[typeid], self.bead[typeid]
                    z = np.asarray(snap.particles.position[:, 2])
                    force = energy = 0.0
                    for sign, k, plane in planes:
                        # overlap (nm) of the bead surfaces beyond the plane
                        overlap = (z + r - plane(timestep)) if sign < 0 else (plane(timestep) + r - z)
                        overlap = np.maximum(overlap, 0.0) * bead
                        force = force + sign * k * overlap
                        energy = energy + 0.5 * k * (overlap * overlap)
                    out.force[:, 2] = force
                    out.potential_energy[:] = energy

        return HarmonicWalls()


class _InterfaceWells:
    """Factory for the declared interface wells on body centres (a HOOMD custom force)."""

    @staticmethod
    def create(hoomd, wells, centre_typeids, timestep_ns):
        planes = [(well, _plane_of_time(well, timestep_ns)) for well in wells]
        centres = np.asarray(centre_typeids)

        class InterfaceWells(hoomd.md.force.Custom):
            def __init__(self):
                super().__init__(aniso=False)

            def set_forces(self, timestep):
                with self._state.cpu_local_snapshot as snap, self.cpu_local_force_arrays as out:
                    centre = np.isin(snap.particles.typeid, centres)
                    z = np.asarray(snap.particles.position[:, 2])
                    force = np.zeros(len(z))
                    energy = np.zeros(len(z))
                    for well, plane in planes:
                        below = plane(timestep) - z
                        force += np.where(centre, well.force_up(below), 0.0)
                        energy += np.where(centre, well.energy(below), 0.0)
                    out.force[:, 2] = force
                    out.potential_energy[:] = energy

        return InterfaceWells()


class HoomdEngine(Engine):
    """One run of a :class:`~dipolewire.model.Model` on HOOMD-blue (the protocol of :class:`Engine`)."""

    name = "hoomd"
    label = "HOOMD-blue"

    def __init__(self, model, workdir):
        super().__init__(model, workdir)
        self.hoomd = load_library()
        self.device = make_device(model.execution.device)
        comm = self.device.communicator
        self.rank, self.ranks = comm.rank, comm.num_ranks
        self.device_name = "gpu" if isinstance(self.device, self.hoomd.device.GPU) else "cpu"
        self.sim = None
        self._forces = {}

    @property
    def version(self) -> str:
        return self.hoomd.version.version

    # --- building the simulation ------------------------------------------------------------

    def _snapshot(self, start: Start):
        m, body = self.model, self.model.body
        snap = self.hoomd.Snapshot(self.device.communicator)
        if snap.communicator.rank == 0:
            snap.configuration.box = [m.box.lx, m.box.ly, m.box.lz, 0, 0, 0]
            snap.particles.N = m.N
            snap.particles.types = list(body.types)
            snap.particles.typeid[:] = start.chirality
            snap.particles.position[:] = start.positions
            snap.particles.orientation[:] = start.orientations
            snap.particles.mass[:] = body.mass
            snap.particles.moment_inertia[:] = [body.inertia] * 3
            snap.particles.diameter[:] = body.diameter
        return snap

    def setup(self, start: Start, seed: int) -> None:
        hoomd = self.hoomd
        self.sim = hoomd.Simulation(device=self.device, seed=int(seed) % SEED_MODULUS)
        self.sim.timestep = int(start.step)
        self.sim.create_state_from_snapshot(self._snapshot(start))
        rigid = self._rigid()
        rigid.create_bodies(self.sim.state)
        self._attach(rigid)

    def setup_from_gsd(self, path, frame: int = -1, seed: int = 1) -> None:
        """Continue from a frame of a dipolewire GSD file written by either engine."""
        hoomd = self.hoomd
        self.sim = hoomd.Simulation(device=self.device, seed=int(seed) % SEED_MODULUS)
        self.sim.create_state_from_gsd(filename=str(path), frame=frame)
        self._attach(self._rigid())

    def _rigid(self):
        body = self.model.body
        rigid = self.hoomd.md.constrain.Rigid()
        constituents = {
            "constituent_types": [b.name for b in body.beads],
            "positions": [tuple(p) for p in body.bead_positions()],
            "orientations": [(1.0, 0.0, 0.0, 0.0)] * len(body.beads),
        }
        for center in body.center_types:
            rigid.body[center] = constituents
        return rigid

    # --- translation of the declaration ------------------------------------------------------

    @classmethod
    def check_term(cls, term) -> None:
        if term.kind == "point_dipole" and term.method != "cut":
            # md.pair.aniso.Dipole has no energy shift and HOOMD-blue no dipolar Ewald sum
            raise InputError(
                "numerics.dipole_method",
                f'the HOOMD-blue engine runs only "cut", not "{term.method}"; write dipole_method = "cut" '
                'in [numerics] or use engine = "lammps"',
            )
        if term.kind == "point_dipole" and np.any(np.asarray(term.position) != 0):
            raise InputError(
                "cluster.dipole_offset",
                "the HOOMD-blue engine puts the dipole at the body "
                'centre; use dipole_offset = "0 nm" or engine = "lammps"',
            )

    def _pair_wca(self, term, nlist):
        """``md.pair.LJ`` cut at 2^(1/6)σ and shifted, between bead types; nothing else interacts."""
        wca = self.hoomd.md.pair.LJ(nlist, default_r_cut=0.0, mode="shift")
        types = self.model.body.types
        for i, a in enumerate(types):
            for b in types[i:]:
                parameters = term.parameters(a, b)
                if parameters is None:
                    wca.params[(a, b)] = {"epsilon": 0.0, "sigma": 1.0}
                else:
                    epsilon, sigma = parameters
                    wca.params[(a, b)] = {"epsilon": epsilon, "sigma": sigma}
                    wca.r_cut[(a, b)] = term.r_cut(sigma)
        return wca

    def _pair_ligand_shell(self, term, nlist):
        """``md.pair.Table`` between bead types: :class:`~dipolewire.interactions.LigandShell` tabulated
        on :data:`SHELL_TABLE_POINTS` points (linear interpolation; see the table's error in the tests)."""
        table = self.hoomd.md.pair.Table(nlist, default_r_cut=0.0)
        types = self.model.body.types
        for i, a in enumerate(types):
            for b in types[i:]:
                table.params[(a, b)] = {"r_min": 0.0, "U": [0.0, 0.0], "F": [0.0, 0.0]}
        for a, b, ra, rb in term.pairs():
            r, energy, force = term.table(ra, rb, SHELL_TABLE_POINTS + 1)
            # HOOMD's grid spans r_min to r_cut in len(U) steps, the last point excluded
            table.params[(a, b)] = {"r_min": float(r[0]), "U": energy[:-1], "F": force[:-1]}
            table.r_cut[(a, b)] = float(r[-1])
        return table

    def _pair_point_dipole(self, term, nlist):
        """``md.pair.aniso.Dipole`` between body centres; A set from εr by :meth:`_apply_permittivity`."""
        dipole = self.hoomd.md.pair.aniso.Dipole(nlist, default_r_cut=0.0)
        types = self.model.body.types
        for i, a in enumerate(types):
            dipole.mu[a] = tuple(term.moment) if a in term.types else (0.0, 0.0, 0.0)
            for b in types[i:]:
                dipole.params[(a, b)] = {"A": 0.0, "kappa": 0.0}
                if a in term.types and b in term.types:
                    dipole.r_cut[(a, b)] = term.cutoff
        return dipole

    def _walls_harmonic_wall(self, walls):
        """The harmonic walls as one ``md.force.Custom`` on the bead surfaces."""
        body = self.model.body
        radius = [0.0] * len(body.center_types) + [b.outer_radius for b in body.beads]
        return _HarmonicWalls.create(self.hoomd, walls, radius, self.model.dynamics.timestep)

    def _walls_interface_well(self, wells):
        """The interface wells as one ``md.force.Custom`` on the body centres."""
        centres = list(range(len(self.model.body.center_types)))
        return _InterfaceWells.create(self.hoomd, wells, centres, self.model.dynamics.timestep)

    def _attach(self, rigid) -> None:
        hoomd, m = self.hoomd, self.model
        body = m.body
        nlist = hoomd.md.nlist.Cell(buffer=NLIST_BUFFER_NM, exclusions=("body",))
        self._forces = {term.kind: self.translation(term)(term, nlist) for term in m.pair_terms}
        for kind, walls in self.kinds(m.walls).items():
            self._forces[kind] = self.translation(kind, "walls")(walls)
        brownian = hoomd.md.methods.Brownian(filter=hoomd.filter.Rigid(("center",)), kT=m.dynamics.kT)
        for a in body.types:
            brownian.gamma[a] = body.gamma_t
            brownian.gamma_r[a] = (body.gamma_r,) * 3
        integrator = hoomd.md.Integrator(
            dt=m.dynamics.timestep,
            integrate_rotational_dof=True,
            rigid=rigid,
            methods=[brownian],
            forces=list(self._forces.values()),
        )
        self.sim.operations.integrator = integrator
        self.set_permittivity(float(m.permittivity(self.sim.timestep * m.dynamics.timestep)))
        self.sim.run(0)

    # --- running ----------------------------------------------------------------------------

    def _apply_permittivity(self, eps_r: float) -> None:
        dipole = self._forces["point_dipole"]
        types = self.model.dipole.types
        for i, a in enumerate(types):
            for b in types[i:]:
                dipole.params[(a, b)] = {"A": COULOMB_ZJ_NM / eps_r, "kappa": 0.0}

    def _run(self, steps: int, continuing: bool) -> None:
        self.sim.run(steps)  # HOOMD-blue continues a run exactly in any case

    def snapshot(self):
        from ..trajectory import Snapshot

        m = self.model
        energy = sum(float(f.energy) for f in self._forces.values())
        dipole_energy = float(self._forces["point_dipole"].energy)
        snap = self.sim.state.get_snapshot()
        if self.rank != 0:
            return None
        p = snap.particles
        time = self.sim.timestep * m.dynamics.timestep
        center = np.flatnonzero(np.asarray(p.body) == np.arange(p.N))
        images = np.array(p.image[center], dtype=np.int32)
        if not m.box.periodic_z:
            images[:, 2] = 0
        return Snapshot(
            step=int(self.sim.timestep),
            time=float(time),
            positions=np.array(p.position[center], dtype=float),
            orientations=np.array(p.orientation[center], dtype=float),
            images=images,
            film_height=float(m.film(time)),
            eps_r=self.eps_r,
            potential_energy=energy,
            dipole_energy=dipole_energy,
        )

    def barrier(self) -> None:
        self.device.communicator.barrier()

    def close(self) -> None:
        self.sim = None
