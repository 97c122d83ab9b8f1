"""The command line as a user meets it: output, files written, and one-line errors."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from dipolewire import __version__
from dipolewire.cli import main


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"dipolewire {__version__}"


def test_energy_at_anchor(capsys):
    assert main(["energy", "--mu", "43.42 D", "--r", "1.822 nm"]) == 0
    row = capsys.readouterr().out.splitlines()[-1].split()
    assert row == ["1.822", "-37.54", "-62.34", "-15.14"]


def test_energy_accepts_other_units(capsys):
    assert main(["energy", "--mu", "9.0398 e*Å", "--r", "18.22 Å", "--temperature", "25 °C"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].split()[:3] == ["1.822", "-37.54", "-62.34"]


def test_side_by_side_is_half_head_to_tail(capsys):
    main(["energy", "--r", "2 nm", "--geometry", "side-by-side-antiparallel"])
    side = float(capsys.readouterr().out.splitlines()[-1].split()[1])
    main(["energy", "--r", "2 nm", "--angles", "0", "0", "0"])
    head = float(capsys.readouterr().out.splitlines()[-1].split()[1])
    assert side == pytest.approx(head / 2, abs=0.01)


def test_permittivity_scales_energy(capsys):
    main(["energy", "--r", "1.822 nm", "--eps-r", "2"])
    assert capsys.readouterr().out.splitlines()[-1].split()[1] == "-18.77"


def test_paper_table(capsys):
    assert main(["energy", "--paper"]) == 0
    out = capsys.readouterr().out
    for row in (
        "1.610       -54.41",
        "1.800       -38.94",
        "1.822       -37.54",
        "2.000       -28.38",
        "2.500       -14.53",
        "at r = 1.8220 nm",
        "= 15.14 kT",
        "λ =   7.85",
        "λ =   3.93",
        "λ =   2.62",
        "λ =   0.88",
    ):
        assert row in out


def test_range_csv_and_plot(tmp_path, capsys):
    csv_path, png_path = tmp_path / "e.csv", tmp_path / "e.png"
    code = main(
        [
            "energy",
            "--range",
            "1.5 nm",
            "3 nm",
            "--points",
            "7",
            "--csv",
            str(csv_path),
            "--plot",
            str(png_path),
            "--energy",
            "15 kT",
        ]
    )
    assert code == 0
    with open(csv_path) as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 7
    assert float(rows[0]["r_nm"]) == pytest.approx(1.5)
    assert float(rows[-1]["r_nm"]) == pytest.approx(3.0)
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "at r = 1.8" in capsys.readouterr().out  # 15 kT is reached near 1.82 nm


BAD_INPUT = [
    (["energy", "--mu", "-3 D"], "--mu: must be > 0"),
    (["energy", "--r", "1.8 kg"], "--r: '1.8 kg' is not a length"),
    (["energy", "--r", "1.8"], "--r: '1.8' has no unit"),
    (["energy", "--eps-r", "0.5"], "--eps-r: relative permittivity must be >= 1"),
    (["energy", "--temperature", "-5 K"], "--temperature: must be > 0"),
    (["energy", "--angles", "0", "0", "90"], "--angles:"),
    (["energy", "--range", "3 nm", "1 nm"], "--range: STOP must exceed START"),
    (["energy", "--r", "2 nm", "--plot", "x.png"], "--plot: needs several separations"),
    (["energy", "--energy", "+5 zJ", "--geometry", "head-to-head"], "geometry is repulsive"),
    (["energy", "--nonsense"], "unrecognized arguments"),
]


def exit_status(args):
    """What `dipolewire ARGS` exits with, run in this process (argparse's own errors raise SystemExit)."""
    try:
        return main(args)
    except SystemExit as stop:
        return stop.code


@pytest.mark.parametrize(("args", "message"), BAD_INPUT)
def test_bad_input_is_one_line_exit_2(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    assert exit_status(args) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("dipolewire: error: ")
    assert message in lines[0]
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize(("args", "message"), [BAD_INPUT[0], BAD_INPUT[-1]])
def test_bad_input_in_a_real_process(tmp_path, args, message):
    """A value error and a usage error, as a shell sees them: status 2, one line on stderr, no traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "dipolewire.cli", *args], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 2
    assert result.stdout == "" and result.stderr.count("\n") == 1
    assert result.stderr.startswith("dipolewire: error: ") and message in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_debug_shows_traceback(capsys):
    from dipolewire.errors import InputError

    with pytest.raises(InputError, match="--mu: must be > 0"):
        main(["--debug", "energy", "--mu", "-3 D"])
    assert capsys.readouterr().err == ""  # raised, not turned into a one-line message


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("dipolewire")  # installed beside the interpreter
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "energy" in result.stdout


def test_an_energy_no_separation_gives_is_refused_before_anything_is_printed(capsys):
    assert main(["energy", "--energy", "5 zJ", "--geometry", "head-to-head"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == "dipolewire: error: --energy: this geometry is repulsive; no separation gives -5 zJ"


# --- the planned work, told before a run starts, and refused when absurd unless --force ---------------------------


@pytest.fixture
def recorded_runs(monkeypatch):
    """dipolewire.runner.execute replaced by a recorder: the command line up to the engine, no simulation."""
    calls = []
    monkeypatch.setattr("dipolewire.runner.execute", lambda spec, out, **kw: calls.append((spec, out)))
    return calls


def _run_file(tmp_path, **changes):
    import tomli_w
    from conftest import tiny_document

    path = tmp_path / "run.toml"
    path.write_text(tomli_w.dumps(tiny_document(**changes)))
    return path


def test_run_prints_the_planned_steps_and_wall_time_before_it_starts(tmp_path, capsys, recorded_runs):
    """The tiny run: 37 128 steps (12 frames of 3094 steps of 3.23221e-4 ns after the first, test_model) of 40
    clusters."""
    assert main(["run", str(_run_file(tmp_path)), "--quiet"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("planned: 3.713e+04 steps of 40 clusters (11.86 ns at 0.000323 ns, 13 frames), about 1 s")
    assert len(recorded_runs) == 1


def test_a_run_of_years_is_refused_unless_forced(tmp_path, capsys, recorded_runs):
    path = _run_file(tmp_path, drying={"hold": "30 s"})
    assert main(["run", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and not recorded_runs
    assert captured.err.startswith("dipolewire: error: drying.hold: the run must take at most 7 days on one core")
    assert "9.28e+13 steps of 40 clusters" in captured.err and "--force" in captured.err
    assert main(["run", str(path), "--force", "--quiet"]) == 0
    assert "about 78 years on one core" in capsys.readouterr().out and len(recorded_runs) == 1


def test_run_plan_times_and_limit():
    from dipolewire import run_plan

    assert run_plan.CLUSTER_STEPS_PER_SECOND == 1.5e6  # the demo: 1.04e4 steps/s × 150 clusters on one core
    assert run_plan.MAX_WALL_SECONDS_ONE_CORE == 7 * 86400
    assert [run_plan.duration_text(s) for s in (40, 720, 5.2 * 3600, 3 * 86400, 2e12)] == [
        "40 s",
        "12 min",
        "5.2 h",
        "3 days",
        "6.3e+04 years",
    ]


def test_mpi_ranks_other_than_0_print_no_plan(monkeypatch):
    from dipolewire import run_plan

    monkeypatch.delenv("OMPI_COMM_WORLD_RANK", raising=False)
    monkeypatch.setenv("PMI_RANK", "2")
    assert run_plan.launch_rank() == 2
    monkeypatch.delenv("PMI_RANK")
    monkeypatch.delenv("PMIX_RANK", raising=False)
    monkeypatch.delenv("MV2_COMM_WORLD_RANK", raising=False)
    assert run_plan.launch_rank() == 0


# --- messages --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "pointer"),
    [
        (["run", "x.toml", "--seed", "one"], "(see 'dipolewire run --help')"),
        (["energy", "--eps-r", "nan"], "(see 'dipolewire energy --help')"),
        (["analyze"], "(see 'dipolewire analyze --help')"),
        (["simulate"], "(see 'dipolewire --help')"),
    ],
)
def test_usage_errors_start_like_every_other_error_and_point_to_help(capsys, args, pointer):
    assert exit_status(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("dipolewire: error: ") and err.count("\n") == 1
    assert err.rstrip().endswith(pointer)


@pytest.mark.parametrize(
    ("args", "example"),
    [
        (["--r", "1.8"], "'1.8 nm'"),
        (["--temperature", "300"], "'300 K'"),
        (["--debye-length", "2"], "'2 nm'"),
        (["--mu", "43"], "'43 D'"),
        (["--paper", "--sigma", "1.8"], "'1.8 nm'"),
        (["--energy", "15"], "'15 kT'"),
    ],
)
def test_a_number_without_a_unit_is_shown_with_a_unit_of_the_options_dimension(capsys, args, example):
    assert main(["energy", *args]) == 2
    assert f"has no unit; write it with one, e.g. {example}" in capsys.readouterr().err


def test_energy_refuses_nan_and_files_in_missing_folders_before_printing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert exit_status(["energy", "--eps-r", "inf"]) == 2
    assert main(["energy", "--range", "1 nm", "3 nm", "--csv", "nodir/e.csv"]) == 2
    assert main(["energy", "--range", "1 nm", "3 nm", "--plot", "nodir/e.png"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("dipolewire: error: ") == 3
    assert list(tmp_path.iterdir()) == []
