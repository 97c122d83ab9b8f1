"""Replicas: the same run file run N times with different seeds, to put error bars on what it predicts.

Layout of ``dipolewire run FILE --replicas N`` (default ``<run file's folder>/<name>/``)::

    <out>/replicas.json     the seeds and folders of the set
    <out>/replica-01/       a complete run folder (trajectory.gsd, spec.toml, run.json, figures, summary)
    <out>/replica-02/       ...
    <out>/analysis/         mean ± standard error across replicas (see dipolewire.analysis.replica_stats)

Replica 1 uses the run file's own seed, so it is the run a plain ``dipolewire run FILE`` makes; the others get
seeds spawned from it by :class:`numpy.random.SeedSequence`, so a set is reproducible from the run file alone
and no two replicas share a seed.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from . import run_folder
from .errors import InputError

#: Most replicas one command runs (each is a full run; studies of more belong in a study).
MAX_REPLICAS = 100
SEED_MAX = 2**31 - 1
INDEX_FILE = "replicas.json"


def replica_seeds(seed: int, n: int) -> list[int]:
    """Seeds (1 … 2³¹−1) of ``n`` replicas: ``seed`` itself, then seeds spawned from it, all distinct."""
    seeds = [int(seed)]
    children = np.random.SeedSequence(int(seed)).spawn(4 * n)  # spare draws in case two collide
    for child in children:
        if len(seeds) == n:
            break
        candidate = int(child.generate_state(1, np.uint32)[0]) % SEED_MAX + 1
        if candidate not in seeds:
            seeds.append(candidate)
    return seeds


def replica_folder(out_dir, index: int) -> Path:
    """Folder of replica ``index`` (1-based) in a set."""
    return Path(out_dir) / f"replica-{index:02d}"


def replica_runs(target) -> list[Path]:
    """The replica folders of a set (a folder holding replicas.json), in order; [] if ``target`` is no set."""
    index = Path(target) / INDEX_FILE
    if not index.is_file():
        return []
    try:
        folders = json.loads(index.read_text())["folders"]
    except (ValueError, KeyError, TypeError):
        raise InputError("RUN", f"{index} is damaged; it should list the replica folders") from None
    return [Path(target) / name for name in folders]


def recorded_overrides(out_dir) -> dict:
    """The command-line ``[numerics]`` options a replica set was started with (empty if none are recorded)."""
    from .runner import OVERRIDE_OPTIONS

    try:
        found = json.loads((Path(out_dir) / INDEX_FILE).read_text()).get("overrides", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {k: v for k, v in found.items() if k in OVERRIDE_OPTIONS} if isinstance(found, dict) else {}


def _status(folder: Path) -> str | None:
    from .run_folder import read_record

    return read_record(folder).get("status")


def run_replicas(
    spec, out_dir, n: int, *, overwrite=False, resume=False, progress=True, log=print, finish=None, overrides=None
) -> list:
    """Run ``n`` replicas of ``spec`` into ``out_dir`` one after another; returns their run results.

    Every folder is checked before the first run starts. With ``resume``, completed replicas are kept,
    interrupted ones continue and missing ones start. ``finish`` runs after each replica (figures, summary).
    """
    from .runner import check_output

    if not 1 <= n <= MAX_REPLICAS:
        raise InputError("--replicas", f"must be in 1 … {MAX_REPLICAS}, got {n}")
    out_dir = Path(out_dir)
    seeds = replica_seeds(spec.numerics.seed, n)
    folders = [replica_folder(out_dir, k + 1) for k in range(n)]
    if not resume:
        for folder in folders:
            check_output(folder, overwrite)
    with run_folder.hold(out_dir):  # one process per replica set: the second is refused before it writes
        return _run_set(spec, out_dir, n, seeds, folders, overwrite, resume, progress, log, finish, overrides)


def _run_set(spec, out_dir, n, seeds, folders, overwrite, resume, progress, log, finish, overrides) -> list:
    from .runner import OVERRIDE_OPTIONS, execute

    shared = {k: v for k, v in (overrides or {}).items() if k != "seed"}
    index = {
        "name": spec.name,
        "source": spec.source,
        "base_seed": spec.numerics.seed,
        "seeds": seeds,
        "folders": [f.name for f in folders],
        "overrides": shared,
    }
    run_folder.write_json(out_dir / INDEX_FILE, index)
    options = "".join(f" {OVERRIDE_OPTIONS[k]} {v}" for k, v in shared.items())
    hint = f"dipolewire run {spec.source or 'FILE'} --out {out_dir}{options} --replicas {n} --resume"
    results = []
    for k, (seed, folder) in enumerate(zip(seeds, folders, strict=True), start=1):
        status = _status(folder) if resume else None
        if status == "completed":
            log(f"replica {k}/{n} (seed {seed}) is complete: {folder}")
            continue
        log(f"replica {k}/{n}, seed {seed}")
        results.append(
            execute(
                spec.replace("numerics", seed=seed),
                folder,
                overwrite=overwrite,
                resume=resume and (folder / "trajectory.gsd").is_file(),
                progress=progress,
                log=log,
                finish=finish,
                overrides={**shared, "seed": seed},
                resume_hint=hint,
            )
        )
    return results
