"""The protocol every engine implements, and what the runner hands it.

An engine is a class with this interface (subclass :class:`Engine`) in a module of
:mod:`dipolewire.engines` that also provides ``load_library()``, ``version()`` and
``point_dipole_interactions(positions, dipoles, eps_r, cutoff)``. It receives a
:class:`~dipolewire.model.Model` and translates the model's declaration — the body, every term in
``model.pair_terms`` and ``model.walls``, the schedules — into its own commands, reading nothing else
of the run. Each pair term of kind ``k`` is translated by the engine's ``_pair_k`` method and the walls
of kind ``k`` by ``_walls_k``; :attr:`Engine.capabilities` lists those kinds, and a term of any other
kind is refused by :meth:`Engine.check_terms`, naming the engine, before the engine starts.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError


@dataclass
class Start:
    """The state an engine starts from: a fresh film (step 0) or the last frame of an interrupted run.

    ``positions`` (N, 3) nm, ``orientations`` (N, 4) quaternions, ``chirality`` (N,) 0 = R / 1 = S,
    ``images`` (N, 3) periodic images of the centres, ``step`` the absolute timestep (time = step × dt),
    ``segment`` the index of the frame it is.
    """

    positions: np.ndarray
    orientations: np.ndarray
    chirality: np.ndarray
    images: np.ndarray = field(default=None)
    step: int = 0
    segment: int = 0

    def __post_init__(self):
        if self.images is None:
            self.images = np.zeros((len(self.positions), 3), dtype=np.int32)


class Engine(ABC):
    """One run of a model on one engine: ``setup``, then ``advance`` and ``snapshot`` frame by frame.

    Subclasses set :attr:`name` and :attr:`label`, define a ``_pair_<kind>`` or ``_walls_<kind>`` method per
    kind of term they translate (:attr:`capabilities` follows from them), and set :attr:`rank` and
    :attr:`ranks` in ``__init__``; only rank 0 receives snapshots.
    """

    #: Registry key, as in run files (``numerics.engine``).
    name: str = ""
    #: Name for people.
    label: str = ""
    #: ``kind`` of every interaction term this engine can translate (from its translation methods).
    capabilities: frozenset[str] = frozenset()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "capabilities" not in cls.__dict__:
            names = dir(cls)
            cls.capabilities = frozenset(
                name.split("_", 2)[2] for name in names if name.startswith(("_pair_", "_walls_"))
            )

    def translation(self, term_or_kind, family: str = "pair"):
        """The method that translates a term (or a kind of wall): ``_pair_<kind>`` or ``_walls_<kind>``."""
        kind = getattr(term_or_kind, "kind", term_or_kind)
        return getattr(self, f"_{family}_{kind}")

    @staticmethod
    def kinds(terms) -> dict:
        """Terms grouped by kind, in the order declared."""
        grouped = {}
        for term in terms:
            grouped.setdefault(term.kind, []).append(term)
        return grouped

    #: "cpu" or "gpu".
    device_name: str = "cpu"

    def __init__(self, model, workdir):
        self.model = model
        self.workdir = workdir
        self.rank, self.ranks = 0, 1
        self.eps_r = None

    @classmethod
    def check_terms(cls, model) -> None:
        """Refuse, naming this engine, any term of ``model`` it cannot run (before anything starts)."""
        for term in model.pair_terms + model.walls:
            if term.kind not in cls.capabilities:
                raise InputError(
                    "numerics.engine",
                    f"the {cls.label} engine cannot run the '{term.kind}' interaction; "
                    f"it runs {', '.join(sorted(cls.capabilities))}",
                )
            cls.check_term(term)

    @classmethod
    def check_term(cls, term) -> None:
        """Refuse a term of a kind this engine runs but with settings it cannot translate (none by default)."""
        return None

    @property
    @abstractmethod
    def version(self) -> str:
        """The engine library's version."""

    def noise_seed(self, seed: int, start: Start) -> int:
        """The seed for the engine's random forces when starting at ``start`` (the run's seed by default)."""
        return seed

    @abstractmethod
    def setup(self, start: Start, seed: int) -> None:
        """Create the bodies of ``start`` and every declared interaction, at ``start.step``."""

    def advance(self, steps: int, eps_r: float, continuing: bool = False) -> None:
        """Run ``steps`` timesteps at relative permittivity ``eps_r``; ``continuing``: this call goes on
        with the previous one inside a frame, and must give exactly what one longer call would."""
        self.set_permittivity(eps_r)
        self._run(steps, continuing)

    def set_permittivity(self, eps_r: float) -> None:
        """Apply εr to the point-dipole term, only when it changes."""
        if eps_r != self.eps_r:
            self._apply_permittivity(eps_r)
            self.eps_r = eps_r

    @abstractmethod
    def _apply_permittivity(self, eps_r: float) -> None: ...

    @abstractmethod
    def _run(self, steps: int, continuing: bool) -> None: ...

    @abstractmethod
    def snapshot(self):
        """The current state as a :class:`~dipolewire.trajectory.Snapshot` on rank 0 (None elsewhere)."""

    @abstractmethod
    def barrier(self) -> None:
        """Wait until every rank gets here."""

    @abstractmethod
    def close(self) -> None:
        """Release the engine."""
