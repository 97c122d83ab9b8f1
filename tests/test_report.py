"""`dipolewire analyze` and `dipolewire compare` on a stored short run, and the analysis notebook."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ANALYSIS = Path(__file__).parent.parent / "analysis"


@pytest.fixture
def run_dir(stored_run):
    """A run folder with the stored trajectory: the analysis needs no simulation."""
    return stored_run


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "dipolewire.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_analyze_writes_tables_figures_and_summary(run_dir):
    result = cli("analyze", str(run_dir), "--quiet")
    assert result.returncode == 0, result.stderr
    out = run_dir / "analysis"
    for name in (
        "metrics.json",
        "chains.csv",
        "spacings.csv",
        "timeseries.csv",
        "rdf.csv",
        "deposit_chains.png",
        "chain_lengths.png",
        "spacing.png",
        "chain_angles.png",
        "timeseries.png",
        "summary.md",
    ):
        assert (out / name).is_file(), name
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["dimensions"] == 2  # the dried deposit
    assert len(metrics["time_series"]) == 13
    chains = metrics["chains"]
    assert 0 < chains["fraction_in_chains"] <= 1
    assert metrics["spacing"]["count"] == len((out / "spacings.csv").read_text().splitlines()) - 1
    assert 1.4 < metrics["spacing"]["mean_nm"] < 2.7
    assert "| clusters in chains (2D) |" in (out / "summary.md").read_text()
    assert "clusters in chains" in result.stdout


def test_analyze_frame_selection(run_dir, tmp_path):
    result = cli("analyze", str(run_dir / "trajectory.gsd"), "--frames", "0:5:2", "--out", str(tmp_path), "--quiet")
    assert result.returncode == 0, result.stderr
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert [row["frame"] for row in metrics["time_series"]] == [0, 2, 4]
    assert metrics["frame"] == 4 and metrics["dimensions"] == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--frames", "40:50"], "--frames: selects no valid frame"),
        (["--frames", "a:b"], "--frames: expected start:stop:step"),
        (["--r-max", "-1"], "--r-max: must be in (0, 20] nm"),
        (["--max-angle", "95"], "--max-angle: must be in (0, 90) degrees"),
    ],
)
def test_analyze_bad_input(run_dir, tmp_path, args, message):
    result = cli("analyze", str(run_dir), "--out", str(tmp_path / "a"), *args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dipolewire: error: ") and message in lines[0]
    assert not (tmp_path / "a").exists()


def test_analyze_missing_run(tmp_path):
    result = cli("analyze", str(tmp_path / "nothing"))
    assert result.returncode == 2 and "no trajectory" in result.stderr


def test_compare_with_tem_histogram(run_dir, tmp_path):
    result = cli("compare", str(run_dir), "--tem", str(ANALYSIS / "tem_example.csv"), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    stats = json.loads((tmp_path / "compare.json").read_text())
    assert stats["tem"]["kind"] == "histogram" and stats["tem"]["count"] == 61
    for key in ("ks_statistic", "overlap", "fraction_simulated_in_band"):
        assert 0.0 <= stats[key] <= 1.0
    assert stats["wasserstein_nm"] >= 0
    assert (tmp_path / "compare.png").read_bytes()[:4] == b"\x89PNG"
    assert "Kolmogorov-Smirnov" in result.stdout


def test_compare_bad_tem_file(run_dir, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("distance_nm\n2.0\n-1\n")
    result = cli("compare", str(run_dir), "--tem", str(bad), "--out", str(tmp_path / "c"))
    assert result.returncode == 2
    assert f"{bad}:3: distance_nm must be > 0" in result.stderr
    assert not (tmp_path / "c").exists()


def test_notebook_runs_on_a_fresh_run(run_dir):
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(ANALYSIS / "analyze_run.ipynb", as_version=4)
    os.environ["DIPOLEWIRE_RUN"] = str(run_dir)
    try:
        nbclient.NotebookClient(
            notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ANALYSIS)}}
        ).execute()
    finally:
        del os.environ["DIPOLEWIRE_RUN"]
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    outputs = [o for cell in code for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("frames, last at" in o.get("text", "") for o in outputs)
    # every cell that draws is tagged, and every tagged cell shows its figure
    drawing = [cell for cell in code if any(word in cell.source for word in ("plt.", "figures.", ".plot("))]
    figure_cells = [cell for cell in code if "figure" in cell.metadata.get("tags", [])]
    assert all(cell in figure_cells for cell in drawing)
    assert len(figure_cells) >= 6
    for cell in figure_cells:
        assert any("image/png" in o.get("data", {}) for o in cell.outputs), cell.source


def test_every_in_chains_number_of_one_frame_agrees_and_names_its_dimensions(run_dir, capsys):
    """The run summary, analyze's printout and metrics, the time series and the deposit figure's title all
    read the same frame with the one chain criterion, each saying 2D or 3D."""
    from types import SimpleNamespace

    import gsd.hoomd

    from dipolewire.analysis import figures
    from dipolewire.analysis.run_analysis import analyze_frame, analyze_trajectory
    from dipolewire.analysis.run_summary import write_outputs
    from dipolewire.model import Model
    from dipolewire.spec import load

    metrics = analyze_trajectory(run_dir, run_dir / "analysis", progress=False)
    with gsd.hoomd.open(str(run_dir / "trajectory.gsd")) as trajectory:
        last = trajectory[-1]
        flat = analyze_frame(last, dimensions="2").chains
        spatial = analyze_frame(last, dimensions="3").chains
        title = figures.top_view(last, flat).get_title()
    assert metrics["dimensions"] == 2 and metrics["chains"]["fraction_in_chains"] == flat.fraction_in_chains
    assert metrics["time_series"][-1]["fraction_in_chains"] == spatial.fraction_in_chains  # the series is 3D
    assert f"{flat.fraction_in_chains:.0%} of clusters in chains" in title and "2D" in title
    result = SimpleNamespace(
        out_dir=run_dir,
        model=Model(load(run_dir / "spec.toml")),
        engine="lammps",
        steps=1,
        wall_seconds=1.0,
        steps_per_second=1.0,
    )
    write_outputs(result)
    summary = (run_dir / "summary.txt").read_text()
    assert f"{spatial.fraction_in_chains:.0%} at the end (3D)" in summary
    assert f"analysed in 2D: {flat.fraction_in_chains:.0%}" in summary


def test_no_chain_is_drawn_in_the_free_grey_or_any_grey():
    """Chains of every index get a saturated colour far from the free clusters' grey; free ones get the grey."""
    from matplotlib.colors import rgb_to_hsv

    from dipolewire.analysis.figures import FREE_COLOUR, _chain_colours

    members = [[k] for k in range(5)] + [[5 + 2 * k, 6 + 2 * k] for k in range(60)]  # 5 free, 60 chains
    chain_id = [c for c, m in enumerate(members) for _ in m]
    chains = SimpleChains(members, chain_id)
    colours = np.array(_chain_colours(chains, len(chain_id)))
    free = np.array([len(members[c]) == 1 for c in chain_id])
    assert np.all(colours[free] == FREE_COLOUR)
    chained = colours[~free, :3]
    assert rgb_to_hsv(chained)[:, 1].min() >= 0.3  # saturated: no grey, no pale tint
    assert np.linalg.norm(chained - np.array(FREE_COLOUR[:3]), axis=1).min() >= 0.3


class SimpleChains:
    def __init__(self, chains, chain_id):
        self.chains, self.chain_id, self.rings = chains, np.array(chain_id), []
