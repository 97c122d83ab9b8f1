"""GSD files cut off mid-frame (a process killed while writing, a full disk, a copy interrupted).

A GSD file is a 256-byte header, data chunks, and an index whose 32-byte entries give each chunk's frame,
location and size (GSD file layer, format 2). A file cut off inside a frame keeps index entries that point
past its end, and the gsd library refuses the whole file as corrupt. The frames before the damaged one
are intact; :func:`inspect` finds them and :func:`write_intact` writes a copy that holds only them, by
clearing the index entries of the damaged frame and every later one.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = 0x65DF65DF65DF65DF
HEADER = np.dtype(
    [
        ("magic", "<u8"),
        ("index_location", "<u8"),
        ("index_allocated_entries", "<u8"),
        ("namelist_location", "<u8"),
        ("namelist_allocated_entries", "<u8"),
        ("schema_version", "<u4"),
        ("gsd_version", "<u4"),
        ("application", "S64"),
        ("schema", "S64"),
        ("reserved", "S80"),
    ]
)
INDEX_ENTRY = np.dtype(
    [("frame", "<u8"), ("N", "<u8"), ("location", "<i8"), ("M", "<u4"), ("id", "<u2"), ("type", "u1"), ("flags", "u1")]
)
#: Bytes per element of each GSD type code (uint8 … float64, then the character type).
TYPE_SIZES = {1: 1, 2: 2, 3: 4, 4: 8, 5: 1, 6: 2, 7: 4, 8: 8, 9: 4, 10: 8, 11: 1}
#: Bytes of one name in the namelist.
NAME_BYTES = 64


@dataclass(frozen=True)
class Damage:
    """What :func:`inspect` found: ``frames`` indexed, of which the first ``intact`` are whole."""

    frames: int
    intact: int

    @property
    def dropped(self) -> int:
        return self.frames - self.intact


def inspect(path) -> Damage | None:
    """The damage of a GSD file whose index points past its end; None when it is not a GSD file of this
    format, when its header, index or namelist are themselves cut off (nothing can be recovered), or when
    every indexed chunk lies inside the file."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            header = np.frombuffer(handle.read(HEADER.itemsize), dtype=HEADER)
            if len(header) != 1 or int(header["magic"][0]) != MAGIC:
                return None
            index_at, n_entries = int(header["index_location"][0]), int(header["index_allocated_entries"][0])
            names_end = int(header["namelist_location"][0]) + NAME_BYTES * int(header["namelist_allocated_entries"][0])
            if index_at + INDEX_ENTRY.itemsize * n_entries > size or names_end > size:
                return None
            handle.seek(index_at)
            index = np.frombuffer(handle.read(INDEX_ENTRY.itemsize * n_entries), dtype=INDEX_ENTRY)
    except (OSError, ValueError):
        return None
    used = index[index["location"] != 0]
    if not len(used):
        return None
    element = np.array([TYPE_SIZES.get(int(t), 0) for t in used["type"]], dtype=np.int64)
    ends = used["location"] + used["N"].astype(np.int64) * used["M"].astype(np.int64) * element
    bad = (ends > size) | (element == 0)
    if not bad.any():
        return None
    frames = int(used["frame"].max()) + 1
    return Damage(frames=frames, intact=int(used["frame"][bad].min()))


def write_intact(path, target, damage: Damage) -> None:
    """Write to ``target`` a copy of the GSD file ``path`` that holds its ``damage.intact`` whole frames."""
    shutil.copyfile(path, target)
    with open(target, "r+b") as handle:
        header = np.frombuffer(handle.read(HEADER.itemsize), dtype=HEADER)
        index_at, n_entries = int(header["index_location"][0]), int(header["index_allocated_entries"][0])
        handle.seek(index_at)
        index = np.frombuffer(handle.read(INDEX_ENTRY.itemsize * n_entries), dtype=INDEX_ENTRY).copy()
        # entries are in frame order: clearing the damaged frame's and every later one ends the index there
        index[(index["location"] != 0) & (index["frame"] >= damage.intact)] = 0
        handle.seek(index_at)
        handle.write(index.tobytes())
        handle.flush()
        os.fsync(handle.fileno())


def recover_in_place(path, damage: Damage) -> Path:
    """Replace the GSD file ``path`` by its whole frames; the damaged file is kept beside it, as
    ``<stem>.damaged.gsd``, whose path is returned. At every moment ``path`` names a complete file."""
    path = Path(path)
    kept = path.with_name(f"{path.stem}.damaged{path.suffix}")
    tmp = path.with_name(f".{path.name}.recovering")
    write_intact(path, tmp, damage)
    kept.unlink(missing_ok=True)
    try:
        os.link(path, kept)
    except OSError:  # a file system without hard links
        shutil.copyfile(path, kept)
    os.replace(tmp, path)
    return kept
