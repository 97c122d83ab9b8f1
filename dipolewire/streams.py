"""Output streams that outlive their readers: ``dipolewire run ... | head -1`` must not stop the run.

When the reader of stdout or stderr goes away, writes raise ``BrokenPipeError``; the streams wrapped here
then send everything after to the null device, and the work goes on.
"""

from __future__ import annotations

import contextlib
import os
import sys


class _ClosedPipeTolerant:
    """A text stream whose writes after its reader left go to the null device."""

    def __init__(self, stream):
        self._stream = stream
        self._gone = False

    def _silence(self) -> None:
        self._gone = True
        with contextlib.suppress(OSError, ValueError):  # later flushes (also at exit) then succeed
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)

    def write(self, text):
        if not self._gone:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._silence()
        return len(text)

    def flush(self):
        if not self._gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._silence()

    def __getattr__(self, name):
        return getattr(self._stream, name)


@contextlib.contextmanager
def closed_pipes_tolerated():
    """Within the block, sys.stdout and sys.stderr keep working after their readers have gone."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _ClosedPipeTolerant(sys.stdout), _ClosedPipeTolerant(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
