"""The pattern every measurement follows (as freud's ``_Compute``): settings in ``__init__``,
``compute(...)`` returns ``self``, results refuse to be read before ``compute``, ``plot(ax=None)`` draws
on a matplotlib Axes, and the object shows itself as a PNG in a notebook.
"""

from __future__ import annotations

import functools


class NotComputedError(AttributeError):
    """A result was read before ``compute()``."""


def result(method):
    """Guard a result property or method: reading it before ``compute()`` raises :class:`NotComputedError`."""

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        if not self._computed:
            raise NotComputedError(f"{type(self).__name__}: call compute() before reading {method.__name__}")
        return method(self, *args, **kwargs)

    return guarded


class Compute:
    """Base of the measurement classes (see the module docstring)."""

    _computed = False

    def _settings(self) -> dict:
        """The constructor's settings, for ``repr``."""
        return {}

    def _results_repr(self) -> str:
        """A short account of the results, for ``repr`` once computed."""
        return ""

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self._settings().items())
        text = f"{type(self).__name__}({settings})"
        if self._computed and self._results_repr():
            text += f": {self._results_repr()}"
        return text

    def _repr_png_(self):
        if not self._computed:
            return None
        from .figures import render_png

        ax = self.plot()
        return render_png(ax.figure)
