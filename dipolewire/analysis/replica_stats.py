"""Several runs of one run file (replicas, or any runs to pool): each measure as mean ± standard error.

The standard error is s/√n with s the sample standard deviation across the n runs (ddof = 1): the
uncertainty of the mean from run-to-run scatter, which includes the noise a single run cannot show.

Output folder of ``dipolewire analyze RUN RUN ...`` (or of a replica set, ``<set>/analysis/``)::

    replicas.json   every measure: mean, standard error, n and the per-run values; the time series' mean ± SE
    replicas.csv    one row per run
    replicas.png    the spread: time series of every run with mean ± SE, spacing histograms mean ± SE per bin,
                    and each measure per run beside its mean ± SE
    summary.md      a table of mean ± SE

Each run also gets its own full analysis in ``<run>/analysis/``.
"""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..replicas import replica_runs

#: Measures averaged across runs: (section, key, label).
MEASURES = (
    ("chains", "fraction_in_chains", "clusters in chains"),
    ("chains", "number_average_length", "number-average length (clusters)"),
    ("chains", "weight_average_length", "weight-average length (clusters)"),
    ("chains", "longest_chain_nm", "longest chain (nm)"),
    ("chains", "rings", "rings"),
    ("spacing", "mean_nm", "spacing mean (nm)"),
    ("spacing", "std_nm", "spacing s.d. (nm)"),
    ("spacing", "fraction_in_tem_band", "spacings in 1.8–2.5 nm"),
    ("order", "polar", "polar order of dipoles"),
    ("order", "nematic", "nematic order of dipoles"),
    ("order", "chain_order_2d", "2D order of chain directions"),
)
#: Comparison statistics averaged across runs (keys of :func:`dipolewire.analysis.tem.compare`); p-values are
#: kept per run, as their mean means nothing.
COMPARE_MEASURES = (
    "ks_statistic",
    "wasserstein_nm",
    "overlap",
    "fraction_simulated_in_band",
    "fraction_simulated_outside_tem_range",
)


def mean_and_error(values) -> dict:
    """Mean, standard error s/√n (NaN for one value) and n of the finite ``values``."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    n = len(finite)
    mean = float(finite.mean()) if n else float("nan")
    error = float(finite.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    return {"mean": mean, "se": error, "n": n, "values": values.tolist()}


def expand_runs(targets) -> list[Path]:
    """Run folders or .gsd files, each once; a replica set given as one folder stands for its replicas. Every
    one must hold a trajectory (checked before anything is analysed or written)."""
    from .run_analysis import trajectory_path

    runs, seen = [], set()
    for target in targets:
        members = replica_runs(target)
        for run in members if members else [Path(target)]:
            key = trajectory_path(run).resolve()
            if key not in seen:  # a run named twice would shrink the standard error
                seen.add(key)
                runs.append(run)
    return runs


def check_dimensions(runs, frames=None, dimensions="auto") -> int:
    """The one dimensionality (2 or 3) in which every run's last selected frame is analysed; a mix is refused
    before anything is written."""
    from ..trajectory import open_trajectory
    from .run_analysis import frame_dimensions, parse_frames, trajectory_path

    found = set()
    for run in runs:
        with open_trajectory(trajectory_path(run)) as trajectory:
            selected = parse_frames(frames, len(trajectory))
            found.add(frame_dimensions(trajectory[selected[-1]], dimensions))
    if len(found) > 1:
        raise InputError(
            "--dimensions", "the runs' last frames are analysed in 2D and 3D; pass --dimensions 2 or 3 to pool them"
        )
    return found.pop()


def default_output(targets, runs) -> Path:
    """``<set>/analysis`` for one replica set; otherwise ``replicas-analysis`` beside the first run."""
    if len(targets) == 1 and replica_runs(targets[0]):
        return Path(targets[0]) / "analysis"
    return Path(runs[0]).resolve().parent / "replicas-analysis"


def aggregate(per_run: list[dict]) -> dict:
    """Mean ± SE of every :data:`MEASURES` entry over per-run ``metrics`` (as written to metrics.json)."""
    dimensions = sorted({m["dimensions"] for m in per_run})
    if len(dimensions) > 1:
        raise InputError(
            "--dimensions", "the runs' last frames are analysed in 2D and 3D; pass --dimensions 2 or 3 to pool them"
        )
    return {
        "runs": [m["trajectory"] for m in per_run],
        "dimensions": dimensions[0],
        "time_series_dimensions": per_run[0]["time_series_dimensions"],
        "measures": {key: mean_and_error([m[section][key] for m in per_run]) for section, key, _ in MEASURES},
        "time_series": _series(per_run),
    }


def _series(per_run: list[dict]) -> dict:
    """Mean ± SE per frame of the time series, over the frames every run has (runs of one file share times)."""
    length = min(len(m["time_series"]) for m in per_run)
    series = {}
    for key in ("time_ns", "film_height_nm", "fraction_in_chains", "weight_average_length", "mean_spacing_nm"):
        table = np.array([[row[key] for row in m["time_series"][:length]] for m in per_run], dtype=float)
        n = np.sum(np.isfinite(table), axis=0)
        with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)  # frames with no bonds yet: NaN, as the runs say
            mean = np.nanmean(table, axis=0)
            se = np.nanstd(table, axis=0, ddof=1) / np.sqrt(n)
        series[key] = {"mean": mean.tolist(), "se": se.tolist(), "runs": table.tolist()}
    return series


def spacing_histograms(spacings: list, width=0.05) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-bin mean and standard error across runs of the spacing probability density (1/nm), on common
    ``width`` (nm) bins; returns (edges, mean, se). A run without spacings has no density (it is left out);
    with none anywhere the arrays are empty."""
    from .binning import histogram, uniform_edges

    spacings = [np.asarray(s, dtype=float) for s in spacings]
    present = [s for s in spacings if len(s)]
    if not present:
        return np.array([]), np.array([]), np.array([])
    everything = np.concatenate(present)
    edges = uniform_edges(everything.min(), everything.max(), width)
    densities = np.array([histogram(s, edges) / len(s) / np.diff(edges) for s in present])
    n = len(present)
    se = densities.std(axis=0, ddof=1) / np.sqrt(n) if n > 1 else np.full(len(edges) - 1, np.nan)
    return edges, densities.mean(axis=0), se


def analyze_runs(targets, out_dir=None, frames=None, progress=True, **settings) -> dict:
    """Analyse each run (its own ``analysis/`` folder) and write mean ± SE across them to ``out_dir``."""
    from . import figures
    from .run_analysis import analyze_trajectory
    from .run_analysis import default_output as run_output

    runs = expand_runs(targets)
    if len(runs) < 2:
        raise InputError("RUN", f"averaging needs at least 2 runs, got {len(runs)}")
    out = Path(out_dir) if out_dir else default_output(targets, runs)
    check_dimensions(runs, frames, settings.get("dimensions", "auto"))
    per_run, spacings = [], []
    for run in runs:
        metrics = analyze_trajectory(run, run_output(run), frames=frames, progress=progress, **settings)
        per_run.append(metrics)
        spacings.append(_spacings(run_output(run)))
    result = aggregate(per_run)
    edges, mean, se = spacing_histograms(spacings)
    result["spacing_density"] = {"edges_nm": edges.tolist(), "mean_per_nm": mean.tolist(), "se_per_nm": se.tolist()}
    out.mkdir(parents=True, exist_ok=True)
    (out / "replicas.json").write_text(json.dumps(result, indent=2) + "\n")
    with open(out / "replicas.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["run", *(key for _, key, _ in MEASURES)])
        for run, metrics in zip(runs, per_run, strict=True):
            writer.writerow([str(run), *(metrics[section][key] for section, key, _ in MEASURES)])
    figures.save(figures.replica_spread(result), out / "replicas.png")
    (out / "summary.md").write_text(summary_markdown(result))
    return result


def _spacings(analysis_dir: Path) -> np.ndarray:
    with open(analysis_dir / "spacings.csv") as handle:
        return np.array([float(row["distance_nm"]) for row in csv.DictReader(handle)])


def summary_markdown(result: dict) -> str:
    n = len(result["runs"])
    lines = [
        f"### dipolewire: {n} runs, mean ± standard error (s/√n)",
        "",
        f"Last frames analysed in {result['dimensions']}D.",
        "",
        "| measure | mean ± SE | per run |",
        "|---|---|---|",
    ]
    for _, key, label in MEASURES:
        entry = result["measures"][key]
        values = ", ".join(f"{v:.3g}" for v in entry["values"])
        lines.append(f"| {label} | {entry['mean']:.4g} ± {entry['se']:.2g} | {values} |")
    return "\n".join(lines) + "\n"


def compare_runs(targets, tem, frame=-1, **settings) -> tuple[dict, list[np.ndarray]]:
    """:func:`~dipolewire.analysis.tem.compare` for each run's ``frame``, and every statistic as mean ± SE
    across runs; returns (result, each run's simulated spacings)."""
    from ..trajectory import open_trajectory
    from .run_analysis import analyze_frame, trajectory_path
    from .tem import compare

    runs = expand_runs(targets)
    per_run, spacings = [], []
    for run in runs:
        with open_trajectory(trajectory_path(run)) as trajectory:
            n = len(trajectory)
            if not -n <= frame < n:
                raise InputError("--frame", f"must be in {-n} … {n - 1} for {run}, got {frame}")
            simulated = analyze_frame(trajectory[frame], **settings).chains.spacings
        stats = compare(simulated, tem)
        stats["run"] = str(run)
        per_run.append(stats)
        spacings.append(simulated)
    measures = {key: mean_and_error([s[key] for s in per_run]) for key in COMPARE_MEASURES if key in per_run[0]}
    measures["simulated_mean_nm"] = mean_and_error([s["simulated"]["mean_nm"] for s in per_run])
    measures["simulated_std_nm"] = mean_and_error([s["simulated"]["std_nm"] for s in per_run])
    result = {
        "runs": [str(r) for r in runs],
        "frame": frame,
        "tem": per_run[0]["tem"],
        "measures": measures,
        "band_nm": per_run[0]["band_nm"],
        "per_run": per_run,
    }
    return result, spacings
