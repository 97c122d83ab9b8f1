"""Running a study on Dask distributed: one idempotent task per run.

A task runs its job's run folder to completion: a finished run is left alone, an interrupted one
continues from its last frame (:func:`dipolewire.runner.resume_point`), a new one starts. A lock file
keeps two processes from writing one run folder, so a worker killed mid-run, or the whole study, can be
run again and every run ends complete exactly once.

By default the study starts an embedded ``LocalCluster`` of worker processes sized to the cores
(workers × OpenMP threads per run never above them); ``scheduler`` connects to an existing Dask cluster
(for example one of ``dask-jobqueue``'s SLURM clusters, docs/studies.md).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
from pathlib import Path

from . import run_folder
from .errors import InputError

#: Job states shown by ``--status``.
STATES = ("new", "running", "interrupted", "failed", "completed")


def run_state(folder) -> tuple[str, int | None, int | None]:
    """(state, last frame index, frames in the run) of a job's run folder, from its run.json."""
    folder = Path(folder)
    info = run_folder.read_record(folder)
    if not info:  # none, or damaged: the trajectory tells whether the run began
        return ("new" if not (folder / "trajectory.gsd").exists() else "interrupted"), None, None
    status = info.get("status", "interrupted")
    if status == "running" and not run_folder.is_locked(folder):
        status = "interrupted"  # its process is gone (killed): the lock went with it
    last = info.get("last_frame", {}).get("index") if isinstance(info.get("last_frame"), dict) else None
    return status, last, info.get("frames")


def frames_on_disk(folder: Path) -> int:
    """Readable frames of a run folder's trajectory (0 if none or unreadable)."""
    from .trajectory import open_trajectory

    try:
        with open_trajectory(folder / "trajectory.gsd") as frames:
            return len(frames)
    except Exception:  # noqa: BLE001 - unreadable: nothing to keep
        return 0


def _mark_complete(folder: Path, frames: int) -> None:
    """run.json of a run killed after its last frame but before its record said so."""
    info = run_folder.read_record(folder)
    last = info.get("last_frame") if isinstance(info.get("last_frame"), dict) else {}
    info.update(status="completed", last_frame={**last, "index": frames - 1})
    run_folder.write_json(folder / "run.json", info)


def changed_runs(study, jobs) -> list[str]:
    """Jobs whose stored run file describes other physics than the study file now makes for them (its base
    was edited after they ran): ``"<job id>: field, field"``."""
    from . import spec as spec_module
    from .runner import changed_physics

    found = []
    for job, point in zip(jobs, study.points, strict=True):
        stored = Path(job.path) / "spec.toml"
        if not stored.is_file():
            continue
        changed = changed_physics(
            spec_module.load(stored), spec_module.from_dict(study.document(point), source=str(study.source))
        )
        if changed:
            found.append(f"{job.id[:8]}: {', '.join(changed)}")
    return found


def run_job(folder, document: dict, source: str | None = None) -> dict:
    """Run one job's run folder to completion (the Dask task). Returns its folder, what was done and the
    process that did it."""
    from . import spec as spec_module
    from .model import Model
    from .runner import execute

    folder = Path(folder)
    spec = spec_module.from_dict(document, source=source)
    with run_folder.hold(folder, wait=True, field="study"):
        state, _, _ = run_state(folder)
        done = "skipped"
        if state != "completed":
            frames = frames_on_disk(folder) if (folder / "spec.toml").is_file() else 0
            if frames == Model(spec).n_segments + 1:  # killed between its last frame and run.json
                _mark_complete(folder, frames)
                done = "complete"
            else:
                # a trajectory killed before its first frame was flushed holds nothing to keep
                resume = frames > 0
                execute(spec, folder, resume=resume, overwrite=not resume, progress=False, log=_quiet)
                done = "resumed" if resume else "ran"
    return {"folder": str(folder), "done": done, "pid": os.getpid()}


def _quiet(*args, **kwargs) -> None:
    """Runs of a study print nothing; the study reports progress."""


def local_workers(threads_per_run: int, cores: int | None = None) -> int:
    """Worker processes of the embedded cluster: the cores over the OpenMP threads of one run (at least 1)."""
    from .runner import available_cores

    cores = available_cores() if cores is None else cores
    return max(cores // max(threads_per_run, 1), 1)


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int):
    """A Dask client: to ``scheduler`` if given, else to an embedded local cluster of ``workers`` processes
    with one thread each."""
    import logging

    from distributed import Client, LocalCluster

    logging.getLogger("distributed").setLevel(logging.ERROR)
    if scheduler:
        try:
            client = Client(scheduler, timeout="5s")
        except (OSError, ValueError, TypeError) as exc:
            raise InputError("--scheduler", f"cannot reach a Dask scheduler at {scheduler}: {exc}") from None
        with client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.ERROR
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def execute_study(
    study, scheduler: str | None = None, workers: int | None = None, progress=True, log=print, retry_failed=False
):
    """Run every unfinished job of ``study`` (failed ones too with ``retry_failed``); returns (done, failed)
    lists of (job id, message). Runs whose stored physics differs from the study file's are refused first."""
    from distributed import as_completed
    from tqdm import tqdm

    from .study import jobs, open_project

    if scheduler:  # an unreachable scheduler is refused before the study's folder is made
        with dask_client(scheduler, 0):
            pass
    project = open_project(study)
    all_jobs = jobs(study, project)
    changed = changed_runs(study, all_jobs)
    if changed:
        raise InputError(
            "study file",
            f"{len(changed)} run(s) in {study.folder} were made with other physics than the file now gives them "
            f"({changed[0]}{' …' if len(changed) > 1 else ''}); restore the file or give the study a new name",
        )
    states = [run_state(job.path)[0] for job in all_jobs]
    skip = {"completed"} if retry_failed else {"completed", "failed"}
    todo = [(job, point) for job, point, state in zip(all_jobs, study.points, states, strict=True) if state not in skip]
    n_failed = 0 if retry_failed else states.count("failed")
    threads = max(int(study.document(p).get("numerics", {}).get("threads", 1)) for p in study.points)
    workers = workers or local_workers(threads)
    where = scheduler or f"a local Dask cluster of {workers} worker process(es) × {threads} thread(s)"
    failed_note = f", {n_failed} failed: --retry-failed runs them again" if n_failed else ""
    log(
        f"study '{study.name}': {len(all_jobs)} runs ({states.count('completed')} complete{failed_note}), "
        f"{len(todo)} to run on {where} → {study.folder}"
    )
    done, failed = [], []
    if not todo:
        return done, failed
    with dask_client(scheduler, workers) as client:
        if client.dashboard_link and importlib.util.find_spec("bokeh"):  # the dashboard needs bokeh
            log(f"Dask dashboard: {client.dashboard_link}")
        futures = {
            client.submit(
                run_job,
                str(job.path),
                study.document(point),
                str(study.source),
                key=f"run-{job.id}",
                pure=False,
            ): job.id
            for job, point in todo
        }
        bar = tqdm(total=len(futures), unit="run", disable=not progress, file=sys.stderr)
        for future in as_completed(futures):
            job_id = futures[future]
            try:
                result = future.result()
                done.append((job_id, result["done"]))
            except Exception as exc:  # noqa: BLE001 - one failed run does not stop the others
                failed.append((job_id, str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
            bar.update(1)
        bar.close()
    return done, failed


def status_rows(study) -> list[dict]:
    """One row per run: job id, swept values, replica, seed, state and frames done."""
    from .study import open_project

    project = open_project(study, create=False)
    rows = []
    for point in study.points:
        job = project.open_job(point.statepoint)
        state, last, frames = run_state(job.path) if job in project else ("new", None, None)
        rows.append(
            {
                "job": job.id,
                **point.overrides,
                "replica": point.replica,
                "seed": point.seed,
                "state": state,
                "frames": f"{(last or 0) + 1 if last is not None else 0}/{frames or '?'}",
            }
        )
    return rows
