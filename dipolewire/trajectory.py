"""The GSD trajectory schema that every engine writes, as code: its fields, a writer and checked readers.

Units are the nano system: positions nm, time ns, dipoles e·nm, energies zJ.

Particles follow HOOMD-blue's rigid-body layout (body centres first, then their beads; see
:meth:`TrajectoryWriter.write`). Per-frame values live under ``log/dipolewire/``: :data:`LOG_FIELDS`
defines them and :func:`schema_markdown` prints their table in ``docs/trajectory.md``, the one place
the schema is described for people. :func:`validate` checks a frame against the schema;
:func:`open_trajectory` checks a file when it is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import InputError
from .geometry import rotate

#: Version of the layout below; written into every frame, checked on reading. Files written before
#: the version was recorded are version 1: the same layout without the fields added since.
SCHEMA_VERSION = 2
LOG = "dipolewire/"


@dataclass(frozen=True)
class LogField:
    """One per-frame value under ``log/dipolewire/``: key, unit, shape ("1", "N", "types×3"), meaning and
    the schema version that introduced it."""

    key: str
    unit: str
    shape: str
    meaning: str
    since: int = 1


LOG_FIELDS = (
    LogField("schema_version", "1", "1", "version of this layout (absent: 1)", since=2),
    LogField("time", "ns", "1", "simulated time"),
    LogField("film_height", "nm", "1", "interface height above the substrate"),
    LogField("interface_z", "nm", "1", "lab-frame z of the interface"),
    LogField("substrate_z", "nm", "1", "lab-frame z of the substrate"),
    LogField("eps_r", "1", "1", "relative permittivity in force during the frame"),
    LogField("potential_energy", "zJ", "1", "total potential energy (pairs and walls)"),
    LogField("dipole_energy", "zJ", "1", "dipole–dipole energy"),
    LogField("type_dipole", "e·nm", "types×3", "dipole of each particle type in its body frame"),
    LogField("type_dipole_position", "nm", "types×3", "where that dipole sits in the body frame"),
    LogField("chirality", "1", "N", "0 = R, 1 = S for each body"),
    LogField("kT", "zJ", "1", "thermal energy at the run's temperature", since=2),
)


def schema_markdown() -> str:
    """The table of per-frame log fields, as Markdown."""
    lines = ["| key under `log/dipolewire/` | unit | shape | meaning | since version |", "|---|---|---|---|---|"]
    lines += [f"| `{f.key}` | {f.unit} | {f.shape} | {f.meaning} | {f.since} |" for f in LOG_FIELDS]
    return "\n".join(lines)


@dataclass
class Snapshot:
    """One state of the bodies, as an engine hands it over (nano units)."""

    step: int
    time: float
    positions: np.ndarray  # (N, 3) body centres, wrapped into the box, nm
    orientations: np.ndarray  # (N, 4) quaternions
    images: np.ndarray  # (N, 3) periodic images of the centres
    film_height: float
    eps_r: float
    potential_energy: float
    dipole_energy: float


class TrajectoryWriter:
    """Appends snapshots of a :class:`~dipolewire.model.Model` to a GSD file, flushing each frame.

    ``mode="r+"`` continues an existing file in the schema version it was written with, so that every
    frame of a file carries the same fields (a version-1 file resumed stays version 1).
    """

    def __init__(self, path, model, chirality, mode: str = "w"):
        import gsd.hoomd

        self.model = model
        self.chirality = np.asarray(chirality, dtype=np.int32)
        self._file = gsd.hoomd.open(str(path), mode)
        self._keys = [f.key for f in LOG_FIELDS]
        if mode == "r+" and len(self._file):
            version = schema_version(self._file[0])
            self._keys = [
                f.key for f in LOG_FIELDS if f.since <= version and (f.key != "schema_version" or version > 1)
            ]
        self._static = self._static_particles()

    def _static_particles(self) -> dict:
        m, N = self.model, self.model.N
        body = m.body
        n_beads = len(body.beads)
        n_center_types = len(body.center_types)
        typeid = np.concatenate(
            [
                self.chirality,
                np.tile(np.arange(n_beads, dtype=np.int32) + n_center_types, N),
            ]
        )
        owner = np.concatenate([np.arange(N), np.repeat(np.arange(N), n_beads)]).astype(np.int32)
        diameter = np.concatenate([np.full(N, body.diameter), np.tile([b.diameter for b in body.beads], N)])
        mass = np.concatenate([np.full(N, body.mass), np.zeros(N * n_beads)])
        inertia = np.zeros((N * (1 + n_beads), 3))
        inertia[:N] = body.inertia
        type_dipole = np.zeros((len(body.types), 3))
        type_dipole[:n_center_types] = m.dipole.moment
        type_position = np.zeros((len(body.types), 3))
        type_position[:n_center_types] = m.dipole.position
        return {
            "typeid": typeid,
            "body": owner,
            "diameter": diameter.astype(np.float32),
            "mass": mass.astype(np.float32),
            "moment_inertia": inertia.astype(np.float32),
            "type_dipole": type_dipole,
            "type_dipole_position": type_position,
        }

    def write(self, snap: Snapshot) -> None:
        import gsd.hoomd

        m, s, N = self.model, self._static, self.model.N
        body = m.body
        q = np.asarray(snap.orientations, dtype=float)
        bead_offsets = rotate(q[:, None, :], body.bead_positions()[None, :, :])  # (N, n_beads, 3)
        unwrapped_beads = (snap.positions + snap.images * m.box.lengths)[:, None, :] + bead_offsets
        beads, bead_images = m.box.wrap(unwrapped_beads)

        frame = gsd.hoomd.Frame()
        frame.configuration.step = int(snap.step)
        frame.configuration.dimensions = 3
        frame.configuration.box = [m.box.lx, m.box.ly, m.box.lz, 0.0, 0.0, 0.0]
        p = frame.particles
        p.N = N * (1 + len(body.beads))
        p.types = list(body.types)
        p.typeid = s["typeid"]
        p.body = s["body"]
        p.diameter = s["diameter"]
        p.mass = s["mass"]
        p.moment_inertia = s["moment_inertia"]
        p.position = np.concatenate([snap.positions, beads.reshape(-1, 3)]).astype(np.float32)
        p.orientation = np.concatenate([q, np.repeat(q, len(body.beads), axis=0)]).astype(np.float32)
        p.image = np.concatenate([snap.images, bead_images.reshape(-1, 3)]).astype(np.int32)
        values = {
            "schema_version": np.array([SCHEMA_VERSION], dtype=np.int32),
            "time": np.array([snap.time], dtype=np.float64),
            "film_height": np.array([snap.film_height], dtype=np.float64),
            "interface_z": np.array([m.substrate_z + snap.film_height], dtype=np.float64),
            "substrate_z": np.array([m.substrate_z], dtype=np.float64),
            "eps_r": np.array([snap.eps_r], dtype=np.float64),
            "potential_energy": np.array([snap.potential_energy], dtype=np.float64),
            "dipole_energy": np.array([snap.dipole_energy], dtype=np.float64),
            "type_dipole": s["type_dipole"],
            "type_dipole_position": s["type_dipole_position"],
            "chirality": self.chirality,
            "kT": np.array([m.kT], dtype=np.float64),
        }
        frame.log = {LOG + key: values[key] for key in self._keys}
        self._file.append(frame)
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --- reading -------------------------------------------------------------------------------


def is_dipolewire(frame) -> bool:
    """Whether a GSD frame carries dipolewire's per-frame values."""
    return any(key.startswith(LOG) for key in frame.log)


def schema_version(frame) -> int:
    """The schema version a dipolewire frame was written with (1 for files that predate the record)."""
    return int(np.asarray(frame.log.get(LOG + "schema_version", [1])).ravel()[0])


def validate(frame, where: str = "frame") -> None:
    """Check a dipolewire GSD frame against the schema; raise :class:`~dipolewire.errors.InputError`
    naming ``where`` and the first thing wrong."""

    def wrong(message):
        raise InputError(where, f"not a valid dipolewire trajectory (schema version {version}): {message}")

    version = schema_version(frame)
    if version > SCHEMA_VERSION:
        raise InputError(
            where, f"written with trajectory schema version {version}; this dipolewire reads up to {SCHEMA_VERSION}"
        )
    p = frame.particles
    body = np.asarray(p.body) if p.body is not None else np.full(p.N, -1)
    n = int(np.sum(body == np.arange(p.N)))
    if n == 0 or not np.array_equal(body[:n], np.arange(n)):
        wrong("the body centres must come first, each its own body")
    n_types = len(p.types)
    shapes = {"1": (1,), "N": (n,), "types×3": (n_types, 3)}
    for field in LOG_FIELDS:
        if field.key == "schema_version" or field.since > version:
            continue
        if LOG + field.key not in frame.log:
            wrong(f"log/{LOG}{field.key} is missing")
        shape = np.asarray(frame.log[LOG + field.key]).shape
        expected = shapes[field.shape]
        if shape != expected:
            wrong(f"log/{LOG}{field.key} has shape {shape}, expected {expected}")


def open_trajectory(path, mode: str = "r"):
    """Open a GSD file with gsd.hoomd, checking its first and last frames against the schema when it is a
    dipolewire file (other GSD files with oriented particles are read as they are).

    A file cut off mid-frame (a run killed while writing, a full disk) is read up to its last whole
    frame, with a warning; the file itself is left as it is (``dipolewire run --resume`` repairs it).
    """
    import gsd.hoomd

    from . import gsd_repair

    damage = gsd_repair.inspect(path) if mode == "r" else None
    try:
        trajectory = _open_whole_frames(path, damage) if damage else gsd.hoomd.open(str(path), mode)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same answer
        raise InputError(str(path), f"cannot read the GSD file: {exc}") from None
    if len(trajectory) and is_dipolewire(trajectory[0]):
        try:  # the first and the last frame: a file is written by one run file, frame by frame
            validate(trajectory[0], str(path))
            validate(trajectory[len(trajectory) - 1], str(path))
        except InputError:
            trajectory.close()
            raise
    return trajectory


_WARNED: set[str] = set()  # damaged files already reported by this process


def _open_whole_frames(path, damage):
    """The whole frames of a damaged GSD file, from a repaired copy in the temporary folder (unlinked at
    once: it lives as long as the open file)."""
    import os
    import sys
    import tempfile

    import gsd.hoomd

    from . import gsd_repair

    if damage.intact == 0:
        raise InputError(str(path), "the GSD file is cut off in its first frame: nothing to read")
    handle, copy = tempfile.mkstemp(suffix=".gsd")
    os.close(handle)
    try:
        gsd_repair.write_intact(path, copy, damage)
        trajectory = gsd.hoomd.open(copy, "r")
    finally:
        os.unlink(copy)
    if str(path) in _WARNED:
        return trajectory
    _WARNED.add(str(path))
    from .run_folder import holder, is_locked

    if is_locked(Path(path).parent):  # a run is writing its next frame
        why = f"a run is writing it: {holder(Path(path).parent)}"
        advice = ""
    else:
        why = "a run killed while writing, or a full disk"
        advice = "; 'dipolewire run ... --resume' repairs the run"
    print(
        f"dipolewire: warning: {path} ends inside frame {damage.intact} ({why}): reading its {damage.intact} whole "
        f"frame(s){advice}",
        file=sys.stderr,
    )
    return trajectory


def centers(frame) -> np.ndarray:
    """Indices of the body centres in a frame (particles whose body is themselves)."""
    body = np.asarray(frame.particles.body)
    return np.flatnonzero(body == np.arange(len(body)))


def dipoles(frame) -> np.ndarray:
    """Lab-frame dipole vectors (e·nm) of the body centres of a dipolewire GSD frame."""
    idx = centers(frame)
    type_dipole = np.asarray(frame.log[LOG + "type_dipole"]).reshape(-1, 3)
    typeid = np.asarray(frame.particles.typeid)[idx]
    return rotate(np.asarray(frame.particles.orientation)[idx], type_dipole[typeid])


def logged(frame, key: str, default=None) -> float:
    """A per-frame scalar from ``log/dipolewire/`` (e.g. ``"time"``, ``"film_height"``); ``default`` when the
    frame lacks it (None: a KeyError)."""
    if default is not None and LOG + key not in frame.log:
        return default
    return float(np.asarray(frame.log[LOG + key]).ravel()[0])


def cluster_state(frame):
    """``(box_lengths, positions, directions)`` of the clusters in a frame.

    Works on dipolewire files (body centres, dipoles from ``type_dipole``) and on any GSD frame
    with oriented particles: without rigid bodies every particle is a cluster, and without logged
    dipoles the direction is the body z axis rotated by each orientation.
    """
    p = frame.particles
    body = np.asarray(p.body) if p.body is not None else np.full(p.N, -1)
    idx = centers(frame) if np.any(body >= 0) else np.arange(p.N)
    if LOG + "type_dipole" in frame.log:
        directions = dipoles(frame)
    else:
        directions = rotate(np.asarray(p.orientation)[idx], [0.0, 0.0, 1.0])
    return np.asarray(frame.configuration.box[:3], dtype=float), np.asarray(p.position)[idx], directions
