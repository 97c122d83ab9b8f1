"""A run folder's shared state: its lock (one writer at a time), its run.json record read safely, and
atomic writes.

The lock is an OS-level ``flock`` on ``<run folder>/.dipolewire.lock``: the kernel releases it when the
holding process ends in any way (SIGKILL, a crash, a node reboot), so a stale lock never blocks a resume.
The lock file holds the holder's pid, host, start time and command, to name it when another process is
refused. Under MPI only rank 0 takes the lock (the rank is read from the launcher's environment, before
any engine starts). Locks are re-entrant within one process: a study worker holds a folder's lock while it
runs the folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

from .errors import InputError

LOCK_FILE = ".dipolewire.lock"
#: Environment variables in which MPI launchers (MPICH/Hydra, Open MPI, PMIx, SLURM's srun) give the rank.
RANK_VARIABLES = ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "MV2_COMM_WORLD_RANK", "SLURM_PROCID")

_held: dict[Path, int] = {}  # folders whose lock this process holds, with the nesting depth


def launcher_rank() -> int:
    """This process's MPI rank as its launcher announced it (0 when not launched by an MPI launcher)."""
    for name in RANK_VARIABLES:
        value = os.environ.get(name)
        if value is not None and value.strip().isdigit():
            return int(value)
    return 0


def holder(folder) -> str:
    """Who holds (or last held) a folder's lock, for people: "pid 123 on host since … (command)"."""
    try:
        info = json.loads((Path(folder) / LOCK_FILE).read_text())
        return f"pid {info['pid']} on {info['host']} since {info['since']} ({info['command']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


def is_locked(folder) -> bool:
    """Whether another process holds the lock of ``folder`` now."""
    import fcntl

    path = Path(folder) / LOCK_FILE
    if Path(folder).resolve() in _held:
        return False
    try:
        handle = open(path)  # noqa: SIM115 - closed below; reading never creates the file
    except OSError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True
    return False


@contextlib.contextmanager
def hold(folder, *, wait: bool = False, field: str = "--out"):
    """Hold ``folder``'s lock for the duration of the block (creating the folder if needed).

    Refuses with an :class:`~dipolewire.errors.InputError` naming ``field``, the folder and the holder
    when another process holds it, unless ``wait`` (then it waits its turn). Nested holds in one process
    are free. On MPI ranks other than 0 it does nothing.
    """
    import fcntl

    folder = Path(folder)
    key = folder.resolve()
    if launcher_rank() != 0 or key in _held:
        _held[key] = _held.get(key, 0) + 1
        try:
            yield
        finally:
            _release_nested(key)
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(field, f"cannot write to {folder}: {exc.strerror}") from None
    handle = _acquire(folder, wait, field)
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "since": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "command": " ".join(sys.argv),
                }
            )
        )
        handle.flush()
        _held[key] = 1
        try:
            yield
        finally:
            _held.pop(key, None)
            # removed while still held: a process waiting on this file then finds it gone and tries again
            with contextlib.suppress(OSError):
                os.unlink(folder / LOCK_FILE)
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def _acquire(folder: Path, wait: bool, field: str):
    """The open, locked lock file of ``folder`` (the file the path names once the lock is held)."""
    import fcntl

    path = folder / LOCK_FILE
    while True:
        try:
            handle = open(path, "a+")  # noqa: SIM115 - returned locked, or closed here
        except OSError as exc:
            raise InputError(field, f"cannot write to {folder}: {exc.strerror}") from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except OSError:
            handle.close()
            raise InputError(
                field, f"{folder} is in use by {holder(folder)}; wait for it to end or choose another --out"
            ) from None
        try:
            if os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino:
                return handle
        except FileNotFoundError:
            pass
        handle.close()  # the holder removed the file as it let go: lock the new one


def _release_nested(key: Path) -> None:
    _held[key] -= 1
    if not _held[key]:
        del _held[key]


def read_record(folder) -> dict:
    """A run folder's run.json as a dict: empty when it is missing or damaged (empty, truncated, not JSON,
    not an object), so that a damaged record never stops a resume or an analysis."""
    try:
        info = json.loads((Path(folder) / "run.json").read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def write_json(path, data: dict) -> None:
    """Write ``data`` as JSON to ``path`` atomically (see :func:`write_text`)."""
    write_text(path, json.dumps(data, indent=2, default=str) + "\n")


def write_text(path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically: a reader sees the old file or the new one, never a part,
    and two writers never share a temporary file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
