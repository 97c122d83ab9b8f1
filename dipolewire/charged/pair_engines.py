"""Two-body Brownian dynamics on LAMMPS and HOOMD-blue: many independent pairs of charged clusters at once.

Pair i is particles 2i (species a) and 2i + 1 (species b), near its own site of a cubic lattice whose
spacing keeps pairs out of each other's cut-off, so one simulation runs many independent two-body
trajectories. Both engines integrate overdamped translation, dx = F dt/γ + √(2 kT dt/γ) ξ with Gaussian ξ,
under the same :class:`~.pair.ChargedPair`: a Yukawa term A exp(−κr)/r (LAMMPS ``pair_style yukawa``,
HOOMD-blue ``md.pair.Yukawa``, both unshifted) and the WCA shell repulsion (Lennard-Jones cut at contact
and shifted). Units nm, ns, zJ, ag.

Positions are read and written every step from Python (the encounter bookkeeping needs every step), so
these engines run in one process.
"""

from __future__ import annotations

import numpy as np

from ..units import BOLTZMANN_ZJ_PER_K

#: LAMMPS's Marsaglia generator takes seeds 1 … 900 000 000.
MARSAGLIA_SEEDS = 899_999_999
#: Neighbour-list skin (nm): pairs move far less than this per step.
SKIN_NM = 1.0


def lattice_sites(count: int, spacing: float) -> tuple[np.ndarray, float]:
    """``count`` sites (nm) of a cubic lattice of ``spacing`` (nm) filling a periodic cube, and its edge (nm).
    Sites are cell centres, coordinates in [0, edge)."""
    n = max(1, int(np.ceil(count ** (1 / 3) - 1e-9)))
    grid = np.stack(np.meshgrid(*(np.arange(n),) * 3, indexing="ij"), axis=-1).reshape(-1, 3)[:count]
    return (grid + 0.5) * spacing, n * spacing


class PairEngine:
    """Protocol shared by the engines: ``place`` then ``settle``; ``step`` returns positions after one step.

    ``pair``: the :class:`~.pair.ChargedPair`; ``gammas``: translational frictions (ag/ns) of species a and b;
    ``temperature`` K; ``cutoff`` nm of the Yukawa term; ``timestep`` ns.
    """

    label = "engine"

    def __init__(self, pair, gammas, temperature, count, spacing, cutoff, timestep, seed):
        self.pair = pair
        self.count = count
        self.sites, self.edge = lattice_sites(count, spacing)
        self.cutoff = cutoff
        # a first placement, a quarter spacing apart; the caller places every pair before it steps
        self.first_positions = np.repeat(self.sites, 2, axis=0)
        self.first_positions[1::2, 0] += 0.25 * spacing

    def place(self, index, a_positions, b_positions) -> None:
        """Move pairs ``index`` to these positions (nm); call :meth:`settle` before the next step."""
        raise NotImplementedError

    def settle(self) -> None:
        """Recompute forces at the present positions (after :meth:`place`)."""
        raise NotImplementedError

    def step(self) -> tuple[np.ndarray, np.ndarray]:
        """One Brownian step; positions (count, 3) nm of the a and b particles (wrapped into the box)."""
        raise NotImplementedError

    def energy_and_forces(self) -> tuple[float, np.ndarray]:
        """Total pair energy (zJ) and forces (2·count, 3) zJ/nm at the present positions."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class LammpsPairs(PairEngine):
    label = "LAMMPS"

    def __init__(self, pair, gammas, temperature, count, spacing, cutoff, timestep, seed):
        super().__init__(pair, gammas, temperature, count, spacing, cutoff, timestep, seed)
        from ..engines.lammps import _num, new_instance

        lmp = self.lmp = new_instance()
        if lmp.extract_setting("world_size") != 1:
            raise RuntimeError("the encounter engines run in one process; start dipolewire encounter without mpiexec")
        edge = _num(self.edge)
        commands = [
            "atom_style atomic",
            "atom_modify map array sort 0 0.0",  # creation order = pair order, kept
            "boundary p p p",
            f"region box block 0 {edge} 0 {edge} 0 {edge}",
            "create_box 2 box",
            "mass * 1.0",  # overdamped: masses are not used
            f"pair_style hybrid/overlay yukawa {_num(pair.kappa)} {_num(cutoff)} lj/cut {_num(pair.contact)}",
            f"pair_coeff * * yukawa {_num(pair.amplitude)}",
            f"pair_coeff * * lj/cut {_num(pair.shell_epsilon)} {_num(pair.sigma)} {_num(pair.contact)}",
            "pair_modify pair lj/cut shift yes",
            f"neighbor {_num(SKIN_NM)} bin",
            "neigh_modify every 1 delay 0 check yes",
        ]
        for command in commands:
            lmp.command(command)
        types = np.tile([1, 2], count)
        lmp.create_atoms(2 * count, None, types.tolist(), self.first_positions.ravel().tolist())
        lmp.command("group a type 1")
        lmp.command("group b type 2")
        # LAMMPS's nano units take temperatures in K with its own Boltzmann constant; give it the kT we use
        temperature_lmp = temperature * BOLTZMANN_ZJ_PER_K / lmp.extract_global("boltz")
        for name, gamma, offset in (("a", gammas[0], 0), ("b", gammas[1], 1)):
            lmp.command(
                f"fix bd_{name} {name} brownian {_num(temperature_lmp)} {(2 * seed + offset) % MARSAGLIA_SEEDS + 1} "
                f"gamma_t {_num(gamma)} rng gaussian"
            )
        lmp.command(f"timestep {_num(timestep)}")

    def _x(self):
        return self.lmp.numpy.extract_atom("x")[: 2 * self.count]

    def place(self, index, a_positions, b_positions) -> None:
        x = self._x()
        x[2 * index] = a_positions
        x[2 * index + 1] = b_positions

    def settle(self) -> None:
        self.lmp.command("run 0 post no")

    def step(self):
        self.lmp.command("run 1 pre no post no")
        x = self._x()
        return x[0::2].copy(), x[1::2].copy()

    def energy_and_forces(self):
        self.settle()
        forces = np.array(self.lmp.numpy.extract_atom("f")[: 2 * self.count])
        return float(self.lmp.get_thermo("pe")), forces

    def close(self) -> None:
        self.lmp.close()


class HoomdPairs(PairEngine):
    label = "HOOMD-blue"

    def __init__(self, pair, gammas, temperature, count, spacing, cutoff, timestep, seed):
        super().__init__(pair, gammas, temperature, count, spacing, cutoff, timestep, seed)
        import gsd.hoomd
        import hoomd
        from hoomd import md

        frame = gsd.hoomd.Frame()
        frame.configuration.box = [self.edge, self.edge, self.edge, 0, 0, 0]
        frame.particles.N = 2 * count
        frame.particles.types = ["a", "b"]
        frame.particles.typeid = np.tile([0, 1], count)
        frame.particles.position = self._wrap(self.first_positions)
        sim = self.sim = hoomd.Simulation(device=hoomd.device.CPU(), seed=seed % 65536)
        sim.create_state_from_snapshot(frame)
        nlist = md.nlist.Cell(buffer=SKIN_NM)
        yukawa = md.pair.Yukawa(nlist, default_r_cut=cutoff, mode="none")
        shells = md.pair.LJ(nlist, default_r_cut=pair.contact, mode="shift")
        for types in (("a", "a"), ("a", "b"), ("b", "b")):
            yukawa.params[types] = dict(epsilon=pair.amplitude, kappa=pair.kappa)
            shells.params[types] = dict(epsilon=pair.shell_epsilon, sigma=pair.sigma)
        kT = temperature * BOLTZMANN_ZJ_PER_K
        brownian = md.methods.Brownian(filter=hoomd.filter.All(), kT=kT)
        brownian.gamma["a"], brownian.gamma["b"] = gammas
        self.forces = (yukawa, shells)
        sim.operations.integrator = md.Integrator(dt=timestep, methods=[brownian], forces=list(self.forces))
        sim.run(0)

    def _wrap(self, x):
        """Positions into HOOMD-blue's box, centred on the origin (our sites sit in [0, edge))."""
        shifted = np.asarray(x, dtype=float) - 0.5 * self.edge
        return shifted - self.edge * np.round(shifted / self.edge)

    def place(self, index, a_positions, b_positions) -> None:
        tags = np.empty(2 * len(index), dtype=np.int64)
        tags[0::2], tags[1::2] = 2 * index, 2 * index + 1
        new = np.empty((2 * len(index), 3))
        new[0::2], new[1::2] = a_positions, b_positions
        with self.sim.state.cpu_local_snapshot as snap:
            snap.particles.position[snap.particles.rtag[tags]] = self._wrap(new)

    def settle(self) -> None:
        # HOOMD-blue keeps the forces of its last step across run() calls; a step without the Brownian
        # method moves nothing and recomputes them at the placed positions
        methods = self.sim.operations.integrator.methods
        brownian = methods.pop()
        self.sim.run(1)
        methods.append(brownian)

    def _positions(self):
        with self.sim.state.cpu_local_snapshot as snap:
            x = np.array(snap.particles.position)[np.array(snap.particles.rtag)[: 2 * self.count]]
        return x + 0.5 * self.edge

    def step(self):
        self.sim.run(1)
        x = self._positions()
        return x[0::2], x[1::2]

    def energy_and_forces(self):
        self.settle()
        forces = sum(np.array(f.forces) for f in self.forces)  # HOOMD-blue gives them in tag order
        return sum(float(f.energy) for f in self.forces), forces

    def close(self) -> None:
        del self.sim


ENGINES = {"lammps": LammpsPairs, "hoomd": HoomdPairs}
