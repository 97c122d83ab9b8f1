"""Files and folders a user names on the command line: read as text, or checked before anything is written.

Every problem is an :class:`~dipolewire.errors.InputError` naming the option or file (one line from the
CLI, exit status 2), raised before the first byte is written, so that a refused command leaves nothing.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

from .errors import InputError

#: File systems that are kernel interfaces: the permission bits say "writable" (to root), but no file or
#: folder can be made there (``mkdir /proc/x`` fails).
PSEUDO_FILE_SYSTEMS = {
    "proc",
    "sysfs",
    "cgroup",
    "cgroup2",
    "debugfs",
    "tracefs",
    "securityfs",
    "configfs",
    "pstore",
    "bpf",
    "efivarfs",
    "fusectl",
    "binfmt_misc",
}


def read_text(path, field: str) -> str:
    """The text of a file a user gave: UTF-8, with or without a byte-order mark.

    A file that is not UTF-8 (a "°C" saved in Latin-1, a binary file) is refused with the offset of the
    first byte that cannot be read, as is a file holding a NUL byte (no text file does).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(field, f"cannot read {path}: {exc.strerror or exc}") from None
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = start + exc.start
        raise InputError(
            field,
            f"{path} is not UTF-8 text: byte 0x{data[offset]:02X} at offset {offset} cannot be read "
            "(a file saved in another encoding, e.g. Latin-1 '°', or not a text file); save it as UTF-8",
        ) from None
    if "\0" in text:
        offset = start + len(text[: text.index("\0")].encode("utf-8"))
        raise InputError(field, f"{path} is not a text file: a NUL byte at offset {offset}; give a UTF-8 text file")
    return text


def _mounts() -> list[tuple[str, str, bool]]:
    """(mount point, file system type, read-only) of each mount, from /proc/self/mounts (empty elsewhere)."""
    try:
        lines = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return []
    mounts = []
    for line in lines:
        parts = line.split()
        if len(parts) >= 4:
            point = parts[1].replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\")
            mounts.append((point, parts[2], "ro" in parts[3].split(",")))
    return mounts


def _file_system(folder: Path) -> tuple[str, bool] | None:
    """The type and read-only flag of the file system holding ``folder`` (None if unknown)."""
    real = os.path.realpath(folder)
    best = None
    for point, kind, read_only in _mounts():
        inside = real == point or real.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) >= len(best[0])):
            best = (point, kind, read_only)
    return None if best is None else best[1:]


def check_output_folder(folder, field: str = "--out") -> None:
    """Check that ``folder`` is, or can be made as, a folder that takes files, without writing anything.

    Refused: a path through a file, a dangling symbolic link, a folder without write permission, a
    read-only file system, a kernel interface (/proc, /sys).
    """
    folder = Path(folder)
    existing = folder
    # the nearest part of the path that is there (a dangling link is there, but leads nowhere)
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    if existing.is_symlink() and not existing.exists():
        raise InputError(
            field, f"{existing} is a symbolic link to {os.readlink(existing)}, which does not exist; give a folder"
        )
    if not existing.is_dir():
        where = "" if existing == folder else f" (on the way to {folder})"
        raise InputError(field, f"{existing} is a file, not a folder{where}")
    system = _file_system(existing)
    if system is not None and system[0] in PSEUDO_FILE_SYSTEMS:
        raise InputError(field, f"cannot write to {folder}: {existing} is a {system[0]} kernel interface, not storage")
    if (system is not None and system[1]) or _read_only(existing):
        raise InputError(field, f"cannot write to {folder}: {existing} is on a read-only file system")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(field, f"cannot write to {folder}: no permission to write in {existing}")


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def check_output_file(path, field: str) -> None:
    """Check that the file ``path`` can be written (made or replaced) in a folder that is there."""
    path = Path(path)
    if path.is_dir():
        raise InputError(field, f"{path} is a folder; name a file")
    parent = path.parent
    if not os.path.lexists(parent) or (parent.is_symlink() and not parent.exists()):
        if parent.is_symlink():
            check_output_folder(parent, field)  # names the dangling link
        raise InputError(field, f"the folder {parent} does not exist; make it first or name a file in another folder")
    check_output_folder(parent, field)
    if path.is_symlink() and not path.exists():
        raise InputError(field, f"{path} is a symbolic link to {os.readlink(path)}, which does not exist")
    if path.exists() and not os.access(path, os.W_OK):
        raise InputError(field, f"cannot write to {path}: no permission to replace it")
