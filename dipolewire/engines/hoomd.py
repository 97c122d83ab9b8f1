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
  long-time Dt and Dr are the same Stokes–Einstein values). HOOMD-blue's ``Langevin`` is not used: a
  ``Simulation.run`` call restarts without the previous step's Langevin torque, so short calls (moving
  walls, signals) would lower the rotational friction (by 2–8 % with calls of 12–20 steps);
- ``harmonic_wall`` and ``interface_well``: ``md.external.wall.Mie`` forces with n = −2, m = −1, which
  are exact truncated quadratics (:mod:`dipolewire.engines.hoomd_walls`); moving planes are placed
  between run segments, never more than 0.01 nm from the model's plane. No Python runs per step.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..units import COULOMB_ZJ_NM
from .base import Engine, Start
from .hoomd_walls import HoomdWalls

#: Neighbour-list buffer (nm): the fastest measured for the demo and a 10^4-cluster fluid
#: (docs/performance.md); fewer list rebuilds outweigh the longer lists.
NLIST_BUFFER_NM = 0.8

#: Pair terms with a neighbour list of their own: the dipoles (cut off at ~6 nm, between body centres), so that
#: the bead contacts (~2.5 nm) are not searched in dipole-sized volumes (docs/performance.md).
LONG_RANGE_KINDS = ("point_dipole",)

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
        self._walls = None

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
        """The harmonic walls as ``Mie`` wall forces on the bead surfaces (:mod:`.hoomd_walls`)."""
        return self._walls.add_harmonic_walls(walls)

    def _walls_interface_well(self, wells):
        """The interface wells as ``Mie`` wall forces on the body centres (:mod:`.hoomd_walls`)."""
        return self._walls.add_interface_wells(wells)

    def _attach(self, rigid) -> None:
        hoomd, m = self.hoomd, self.model
        body = m.body
        # one tree neighbour list per range: the bead contacts apart from the long dipole cut-off
        short, long = (hoomd.md.nlist.Tree(buffer=NLIST_BUFFER_NM, exclusions=("body",)) for _ in range(2))
        self._forces = {
            term.kind: self.translation(term)(term, long if term.kind in LONG_RANGE_KINDS else short)
            for term in m.pair_terms
        }
        self._walls = HoomdWalls(hoomd, m)
        for kind, walls in self.kinds(m.walls).items():
            self.translation(kind, "walls")(walls)
        brownian = hoomd.md.methods.Brownian(filter=hoomd.filter.Rigid(("center",)), kT=m.dynamics.kT)
        for a in body.types:
            brownian.gamma[a] = body.gamma_t
            brownian.gamma_r[a] = (body.gamma_r,) * 3
        integrator = hoomd.md.Integrator(
            dt=m.dynamics.timestep,
            integrate_rotational_dof=True,
            rigid=rigid,
            methods=[brownian],
            forces=list(self._forces.values()) + self._walls.forces,
        )
        self.sim.operations.integrator = integrator
        self.set_permittivity(float(m.permittivity(self.sim.timestep * m.dynamics.timestep)))
        self._walls.place(self.sim.timestep)
        self.sim.run(0)

    # --- running ----------------------------------------------------------------------------

    def _apply_permittivity(self, eps_r: float) -> None:
        dipole = self._forces["point_dipole"]
        types = self.model.dipole.types
        for i, a in enumerate(types):
            for b in types[i:]:
                dipole.params[(a, b)] = {"A": COULOMB_ZJ_NM / eps_r, "kappa": 0.0}

    def _run(self, steps: int, continuing: bool) -> None:
        # HOOMD-blue continues a run exactly in any case; the plane segments lie on a grid of absolute steps
        self._walls.run(self.sim, steps)

    def snapshot(self):
        from ..trajectory import Snapshot

        m = self.model
        energy = sum(float(f.energy) for f in self._forces.values()) + self._walls.energy
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
