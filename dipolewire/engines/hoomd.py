"""HOOMD-blue engine (4.x, CPU or GPU): the same model and GSD schema as the LAMMPS engine.

HOOMD-blue is not on PyPI; install it from conda-forge (``environment.yml``). Units: HOOMD is
unit-free, so it runs directly in the nano system (nm, ns, ag, zJ, e).

Mapping of the model (see :mod:`dipolewire.model`):

- rigid Janus bodies: ``md.constrain.Rigid`` with one central particle per cluster (types
  ``<preset>:R`` / ``<preset>:S``) and the beads as constituents; the point dipole sits on the central
  particle (``md.pair.aniso.Dipole``, A = e²/(4π ε0 εr) = 230.708/εr zJ·nm/e², κ = 0);
- bead sterics: ``md.pair.LJ`` cut at 2^(1/6)σ and shifted (WCA);
- dynamics: ``md.methods.Brownian`` on the body centres with γt = 3πηd and isotropic γr = πηd³
  (overdamped; LAMMPS integrates the same frictions with inertial Langevin, and the long-time Dt and
  Dr are the same Stokes–Einstein values);
- substrate and evaporation interface: the model's harmonic walls on bead surfaces, applied by a
  ``md.force.Custom`` (HOOMD has no harmonic wall); the interface height follows the timestep exactly.
  This is the one piece of Python in HOOMD-blue's step loop: about 0.1 ms per step on a CPU, 39 % of
  the demo's loop (docs/performance.md); periodic bulk boxes (``drying.walls = false``) have none.
"""

from __future__ import annotations

import numpy as np

from ..units import COULOMB_ZJ_NM

#: Neighbour-list buffer (nm): the fastest measured for the demo and a 10^4-cluster fluid
#: (docs/performance.md); fewer list rebuilds outweigh the longer lists.
NLIST_BUFFER_NM = 0.8

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
    from ..errors import InputError

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


class _FilmWalls:
    """Factory for the harmonic substrate and interface on bead surfaces (a HOOMD custom force)."""

    @staticmethod
    def create(hoomd, model, radius_by_typeid, start_step):
        class FilmWalls(hoomd.md.force.Custom):
            def __init__(self):
                super().__init__(aniso=False)
                self.radius = np.asarray(radius_by_typeid, dtype=float)
                self.bead = (self.radius > 0).astype(float)  # 0 for the body centres
                self.k = model.wall_stiffness
                self.start_step = start_step

            def set_forces(self, timestep):
                # called every step (HOOMD has no harmonic wall): few, in-place NumPy operations
                t = (timestep - self.start_step) * model.timestep
                top = float(model.interface_z(t))
                with self._state.cpu_local_snapshot as snap, self.cpu_local_force_arrays as out:
                    typeid = snap.particles.typeid
                    r, bead = self.radius[typeid], self.bead[typeid]
                    z = snap.particles.position[:, 2]
                    above = np.maximum(z + r - top, 0.0) * bead
                    below = np.maximum(model.substrate_z + r - z, 0.0) * bead
                    out.force[:, 2] = self.k * (below - above)
                    out.potential_energy[:] = 0.5 * self.k * (above * above + below * below)

        return FilmWalls()


class HoomdRun:
    """One drying run of a :class:`~dipolewire.model.Model` on HOOMD-blue (same interface as LammpsRun)."""

    name = "hoomd"

    def __init__(self, model, workdir, device: str = "auto"):
        self.hoomd = load_library()
        self.model = model
        self.device = make_device(device)
        comm = self.device.communicator
        self.rank, self.ranks = comm.rank, comm.num_ranks
        self.device_name = "gpu" if isinstance(self.device, self.hoomd.device.GPU) else "cpu"
        self.sim = None
        self.eps_r = None

    @property
    def version(self) -> str:
        return self.hoomd.version.version

    # --- building the simulation ------------------------------------------------------------

    def _snapshot(self, positions, orientations, chirality):
        m = self.model
        snap = self.hoomd.Snapshot(self.device.communicator)
        if snap.communicator.rank == 0:
            snap.configuration.box = [m.box_length, m.box_length, m.box_height, 0, 0, 0]
            snap.particles.N = m.N
            snap.particles.types = list(m.types)
            snap.particles.typeid[:] = chirality
            snap.particles.position[:] = positions
            snap.particles.orientation[:] = orientations
            snap.particles.mass[:] = m.body_mass
            snap.particles.moment_inertia[:] = [m.body_inertia] * 3
            snap.particles.diameter[:] = m.diameter
        return snap

    def setup(self, positions, orientations, seed: int, chirality=None, start_step=0, start_time=0.0) -> None:
        """Create bodies at ``positions`` (N, 3) nm with ``orientations`` (N, 4), at ``start_step``
        (not 0 when a run resumes; time is step × timestep)."""
        hoomd, m = self.hoomd, self.model
        if chirality is None:
            chirality = np.zeros(m.N, dtype=np.int32)
        self.sim = hoomd.Simulation(device=self.device, seed=int(seed) % SEED_MODULUS)
        self.sim.timestep = int(start_step)
        self.sim.create_state_from_snapshot(self._snapshot(positions, orientations, chirality))
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
        m = self.model
        rigid = self.hoomd.md.constrain.Rigid()
        body = {
            "constituent_types": [b.name for b in m.beads],
            "positions": [(0.0, 0.0, b.z) for b in m.beads],
            "orientations": [(1.0, 0.0, 0.0, 0.0)] * len(m.beads),
        }
        for center in m.center_types:
            rigid.body[center] = body
        return rigid

    def _attach(self, rigid) -> None:
        hoomd, m = self.hoomd, self.model
        from ..errors import InputError

        if np.any(m.dipole_position_body != 0):
            raise InputError(
                "cluster.dipole_offset",
                "the HOOMD-blue engine puts the dipole at the body "
                'centre; use dipole_offset = "0 nm" or engine = "lammps"',
            )
        types = list(m.types)
        centers, beads = list(m.center_types), [b.name for b in m.beads]
        nlist = hoomd.md.nlist.Cell(buffer=NLIST_BUFFER_NM, exclusions=("body",))
        wca = hoomd.md.pair.LJ(nlist, default_r_cut=0.0, mode="shift")
        dipole = hoomd.md.pair.aniso.Dipole(nlist, default_r_cut=0.0)
        diameter = {b.name: b.diameter for b in m.beads}
        for i, a in enumerate(types):
            dipole.mu[a] = tuple(m.dipole_body) if a in centers else (0.0, 0.0, 0.0)
            for b in types[i:]:
                dipole.params[(a, b)] = {"A": 0.0, "kappa": 0.0}
                if a in beads and b in beads:
                    sigma = 0.5 * (diameter[a] + diameter[b])
                    wca.params[(a, b)] = {"epsilon": m.steric_epsilon, "sigma": sigma}
                    wca.r_cut[(a, b)] = 2 ** (1 / 6) * sigma
                else:
                    wca.params[(a, b)] = {"epsilon": 0.0, "sigma": 1.0}
                if a in centers and b in centers:
                    dipole.r_cut[(a, b)] = m.spec.numerics.dipole_cutoff
        radius = [0.0] * len(centers) + [b.radius for b in m.beads]
        self.start_step = 0  # steps count from the start of the run, also after a resume
        forces = [wca, dipole]
        self._forces = {"wca": wca, "dipole": dipole}
        if m.walls:
            walls = _FilmWalls.create(hoomd, m, radius, self.start_step)
            forces.append(walls)
            self._forces["walls"] = walls
        brownian = hoomd.md.methods.Brownian(filter=hoomd.filter.Rigid(("center",)), kT=m.kT)
        for a in types:
            brownian.gamma[a] = m.gamma_t
            brownian.gamma_r[a] = (m.gamma_r,) * 3
        integrator = hoomd.md.Integrator(
            dt=m.timestep, integrate_rotational_dof=True, rigid=rigid, methods=[brownian], forces=forces
        )
        self.sim.operations.integrator = integrator
        self._set_eps_r(float(m.eps_r(m.initial_height)))
        self.sim.run(0)

    def _set_eps_r(self, eps_r: float) -> None:
        if eps_r != self.eps_r:
            dipole = self._forces["dipole"]
            centers = list(self.model.center_types)
            for i, a in enumerate(centers):
                for b in centers[i:]:
                    dipole.params[(a, b)] = {"A": COULOMB_ZJ_NM / eps_r, "kappa": 0.0}
            self.eps_r = eps_r

    # --- running ----------------------------------------------------------------------------

    def advance(self, steps: int, eps_r: float) -> None:
        self._set_eps_r(eps_r)
        self.sim.run(steps)

    def snapshot(self):
        """The current state as a :class:`~dipolewire.trajectory.Snapshot` (rank 0; None elsewhere)."""
        from ..trajectory import Snapshot

        m = self.model
        energy = sum(float(f.energy) for f in self._forces.values())
        dipole_energy = float(self._forces["dipole"].energy)
        snap = self.sim.state.get_snapshot()
        if self.rank != 0:
            return None
        p = snap.particles
        time = (self.sim.timestep - self.start_step) * m.timestep
        center = np.flatnonzero(np.asarray(p.body) == np.arange(p.N))
        images = np.array(p.image[center], dtype=np.int32)
        if m.walls:
            images[:, 2] = 0
        return Snapshot(
            step=int(self.sim.timestep - self.start_step),
            time=float(time),
            positions=np.array(p.position[center], dtype=float),
            orientations=np.array(p.orientation[center], dtype=float),
            images=images,
            film_height=float(m.film_height(time)),
            eps_r=self.eps_r,
            potential_energy=energy,
            dipole_energy=dipole_energy,
        )

    def barrier(self) -> None:
        self.device.communicator.barrier()

    def close(self) -> None:
        self.sim = None
