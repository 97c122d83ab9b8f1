"""Studies: one run file swept over some of its fields, with replicas, as a signac project.

A study file is a run file plus a ``[sweep]`` table::

    name = "wires"
    [cluster]
    preset = "R-Au-Cu"
    ...                                   # every run-file section, as in any run file
    [sweep]
    "drying.eps_r_dry" = [2.0, 2.3, 2.6]  # run-file field → its values
    "hypotheses.ligand_attraction" = [0, 5, 10]
    mode = "grid"                         # every combination ("grid", default) or side by side ("zip")
    replicas = 3                          # seeds: the run file's, then seeds spawned from it (as --replicas)
    axes = ["drying.eps_r_dry", "hypotheses.ligand_attraction"]   # of the state diagrams (default: the first two)

Each point × replica is a signac job whose state point holds the swept values nested as in a run file
(``{"drying": {"eps_r_dry": 2.0}, "replica": k, "seed": s}``);
its workspace folder is an ordinary run folder (trajectory.gsd, spec.toml, run.json, ...). Every run file a
study makes is resolved and checked before anything is written.
"""

from __future__ import annotations

import copy
import itertools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError

#: Keys of ``[sweep]`` that are not run-file fields.
SWEEP_OPTIONS = {"mode", "replicas", "axes"}
#: Most runs one study may hold.
MAX_JOBS = 10_000
MAX_STUDY_REPLICAS = 100


@dataclass(frozen=True)
class Point:
    """One run of a study: the swept fields' values, the replica index (1-based) and its seed."""

    overrides: dict
    replica: int
    seed: int

    @property
    def statepoint(self) -> dict:
        """The signac state point: the overrides nested as in a run file ({"drying": {"eps_r_dry": 2.0}}, as
        signac keys hold no dots), the replica and the seed."""
        nested: dict = {}
        for dotted, value in self.overrides.items():
            _set_field(nested, dotted, value)
        return {**nested, "replica": self.replica, "seed": self.seed}


@dataclass
class Study:
    """A parsed study file: the base run document, the swept fields and their values, the runs."""

    name: str
    source: Path
    base: dict
    fields: list[str]
    values: list[tuple]
    replicas: int
    axes: list[str]
    points: list[Point] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        """The signac project (default: ``<study file's folder>/<name>``)."""
        return self.source.resolve().parent / self.name

    def document(self, point: Point) -> dict:
        """The run document of ``point``: the base with its overrides and seed."""
        return run_document(self.base, point.overrides, point.seed, f"{self.name}")


def _set_field(document: dict, dotted: str, value) -> None:
    section, key = dotted.split(".", 1) if "." in dotted else ("", dotted)
    if section:
        document.setdefault(section, {})[key] = value
    else:
        document[key] = value


def run_document(base: dict, overrides: dict, seed: int, name: str) -> dict:
    """A run document: ``base`` with ``overrides`` (dotted run-file fields) and ``numerics.seed``."""
    document = copy.deepcopy(base)
    for dotted, value in overrides.items():
        _set_field(document, dotted, value)
    document["name"] = name
    document.setdefault("numerics", {})["seed"] = seed
    return document


def load(path) -> Study:
    """Read a study file and check every run it makes (nothing is written)."""
    from . import spec as spec_module
    from .replicas import replica_seeds
    from .user_files import read_text

    path = Path(path)
    try:
        document = tomllib.loads(read_text(path, "study file"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError("study file", f"{path} is not valid TOML: {exc}") from None
    spec_module.check_finite(document)  # nan and inf, in the run's tables and in the sweep's values
    sweep = document.pop("sweep", None)
    if not isinstance(sweep, dict) or not sweep:
        raise InputError("sweep", f"{path} needs a [sweep] table of run-file fields and their values")
    name = str(document.setdefault("name", path.stem))
    mode = sweep.get("mode", "grid")
    if mode not in ("grid", "zip"):
        raise InputError("sweep.mode", f"must be 'grid' or 'zip', got {mode!r}")
    replicas = sweep.get("replicas", 1)
    if isinstance(replicas, bool) or not isinstance(replicas, int) or not 1 <= replicas <= MAX_STUDY_REPLICAS:
        raise InputError("sweep.replicas", f"must be a whole number in 1 … {MAX_STUDY_REPLICAS}, got {replicas!r}")
    fields = [key for key in sweep if key not in SWEEP_OPTIONS]
    if not fields:
        raise InputError("sweep", 'names no run-file field to sweep (e.g. "drying.eps_r_dry" = [2.0, 2.6])')
    lists = []
    for key in fields:
        values = sweep[key]
        if not isinstance(values, list) or not values:
            raise InputError(f"sweep.{key}", f"must be a non-empty list of values, got {values!r}")
        if "." not in key or key.split(".", 1)[0] in ("", "sweep"):
            raise InputError(f"sweep.{key}", "must name a run-file field as section.key, e.g. drying.eps_r_dry")
        if key == "numerics.seed":
            raise InputError(
                "sweep.numerics.seed",
                "seeds come from replicas = N (the run file's seed and seeds spawned from it), not from a sweep",
            )
        if len({repr(v) for v in values}) < len(values):
            raise InputError(f"sweep.{key}", f"lists a value twice: {values!r}")
        lists.append(values)
    if mode == "zip":
        if len({len(v) for v in lists}) > 1:
            raise InputError("sweep", f"zip needs lists of one length, got {', '.join(str(len(v)) for v in lists)}")
        combos = list(zip(*lists, strict=True))
    else:
        combos = list(itertools.product(*lists))
    if len(combos) * replicas > MAX_JOBS:
        raise InputError("sweep", f"makes {len(combos) * replicas} runs; at most {MAX_JOBS}")
    if len({repr(c) for c in combos}) < len(combos):
        raise InputError("sweep", "zips the same combination of values twice")
    axes = sweep.get("axes", fields[:2])
    if (
        not isinstance(axes, list)
        or not 1 <= len(axes) <= 2
        or any(a not in fields for a in axes)
        or len(set(axes)) < len(axes)
    ):
        raise InputError("sweep.axes", f"must list one or two of the swept fields ({', '.join(fields)}), got {axes!r}")
    base_seed = document.get("numerics", {}).get("seed", 1)
    seeds = replica_seeds(base_seed, replicas) if isinstance(base_seed, int) else [base_seed] * replicas
    study = Study(name, path, document, fields, combos, replicas, list(axes))
    for combo in combos:
        overrides = dict(zip(fields, combo, strict=True))
        for k, seed in enumerate(seeds, start=1):
            point = Point(overrides, k, seed)
            try:  # every run file is checked before anything is written
                spec_module.from_dict(study.document(point), source=str(path))
            except InputError as exc:
                where = ", ".join(f"{f} = {v!r}" for f, v in overrides.items())
                raise InputError(exc.field, f"{exc.message} (in the run with {where})") from None
            study.points.append(point)
    return study


def open_project(study: Study, create: bool = True):
    """The study's signac project (created if ``create``), with the study's description in its document."""
    import signac

    folder = study.folder
    if not create and not (folder / "signac.rc").exists() and not (folder / ".signac").exists():
        raise InputError("--status", f"{folder} holds no study yet; run 'dipolewire study {study.source}' first")
    if create:
        folder.mkdir(parents=True, exist_ok=True)
        project = signac.init_project(str(folder))
        project.doc["study"] = {
            "name": study.name,
            "source": str(study.source),
            "fields": study.fields,
            "axes": study.axes,
            "replicas": study.replicas,
        }
        return project
    return signac.get_project(str(folder))


def jobs(study: Study, project) -> list:
    """The signac job of each run of the study, in order (opened, so that its folder exists)."""
    found = []
    for point in study.points:
        job = project.open_job(point.statepoint)
        job.init()
        found.append(job)
    return found
