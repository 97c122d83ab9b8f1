"""`dipolewire analyze`: measures of a trajectory written as JSON, CSV, figures and a Markdown summary.

Output folder (default ``<run>/analysis/``)::

    metrics.json        final-frame chains, spacings and order, plus the time series
    chains.csv          one row per open chain and ring of the analysed frame
    spacings.csv        one row per bond: the distance between bonded neighbours (nm)
    timeseries.csv      one row per analysed frame
    rdf.csv             g(r) of the analysed frame
    deposit_chains.png  top view, clusters coloured by chain
    chain_lengths.png   chain-length distribution
    spacing.png         spacing histogram with the TEM band, and g(r)
    chain_angles.png    in-plane orientation of the chains
    timeseries.png      measures against time and film height
    summary.md          a paragraph and a table to paste into a lab notebook

Every "in chains" number is measured with :class:`~dipolewire.analysis.chains.Chains`; the time
series is 3D throughout (2D if asked), the analysed frame 2D once the film is a deposit.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..trajectory import LOG, cluster_state, logged, open_trajectory
from .chains import DEFAULT_MAX_ANGLE_DEG, DEFAULT_R_MAX_NM, Chains, freud_box, project
from .order import Order
from .spacing import Spacing
from .tem import TEM_BAND_NM

TIME_SERIES_FIELDS = (
    "frame",
    "time_ns",
    "film_height_nm",
    "fraction_in_chains",
    "number_average_length",
    "weight_average_length",
    "longest_chain_nm",
    "rings",
    "mean_spacing_nm",
    "polar",
    "nematic",
    "eps_r",
    "dipole_energy_per_cluster_kT",
)


def trajectory_path(target) -> Path:
    """The GSD file of a run directory, or the file itself."""
    target = Path(target)
    path = target / "trajectory.gsd" if target.is_dir() else target
    if not path.is_file():
        raise InputError("RUN", f"no trajectory at {path} (give a run directory or a .gsd file)")
    return path


def default_output(target) -> Path:
    target = Path(target)
    return target / "analysis" if target.is_dir() else target.with_name(target.stem + "_analysis")


def parse_frames(text: str | None, n_frames: int) -> list[int]:
    """Frame selection: ``"start:stop:step"`` (Python slice, negatives allowed) or ``"i,j,k"``."""
    if text is None or text.strip() in ("", ":"):
        return list(range(n_frames))
    try:
        if ":" in text:
            parts = [int(p) if p.strip() else None for p in text.split(":")]
            if len(parts) > 3:
                raise ValueError
            selected = list(range(n_frames))[slice(*parts)]
        else:
            selected = [int(p) for p in text.split(",")]
            selected = [i + n_frames if i < 0 else i for i in selected]
    except ValueError:
        raise InputError("--frames", f"expected start:stop:step or a comma list of integers, got {text!r}") from None
    if not selected or min(selected) < 0 or max(selected) >= n_frames:
        raise InputError("--frames", f"selects no valid frame of the {n_frames} in the file: {text!r}")
    return selected


def frame_dimensions(frame, requested: str) -> int:
    """2 for a deposit (film no thicker than two cluster diameters), 3 during drying, or as requested."""
    if requested in ("2", "3"):
        return int(requested)
    if LOG + "film_height" not in frame.log:
        return 3
    diameters = np.asarray(frame.particles.diameter)
    diameter = float(diameters.max()) if len(diameters) else 1.0
    return 2 if logged(frame, "film_height") <= 2 * diameter else 3


@dataclass
class FrameAnalysis:
    chains: Chains
    spacing: Spacing
    order: Order
    dimensions: int


def analyze_frame(frame, r_max=DEFAULT_R_MAX_NM, max_angle=DEFAULT_MAX_ANGLE_DEG, dimensions="auto"):
    """Chains, spacings and order of one GSD frame."""
    dims = frame_dimensions(frame, dimensions)
    box, positions, directions = cluster_state(frame)
    chains = Chains(r_max, max_angle, dims).compute(box, positions, directions)
    spacing = Spacing(r_max=max(3.0, r_max)).compute(chains.spacings)
    order = Order().compute(directions, chains)
    return FrameAnalysis(chains, spacing, order, dims)


def time_series_row(index, frame, result: FrameAnalysis) -> dict:
    """One row of the time series: time, film, εr, dipole energy per cluster (kT at the run's temperature,
    NaN when the file does not say) and the measures of ``result``."""
    has_log = LOG + "time" in frame.log
    kT = logged(frame, "kT", float("nan")) if has_log else float("nan")
    return {
        "frame": index,
        "time_ns": logged(frame, "time") if has_log else float(frame.configuration.step),
        "film_height_nm": logged(frame, "film_height") if has_log else float("nan"),
        "eps_r": logged(frame, "eps_r") if has_log else float("nan"),
        "dipole_energy_per_cluster_kT": (
            logged(frame, "dipole_energy") / kT / len(result.chains.chain_id) if has_log else float("nan")
        ),
        "fraction_in_chains": result.chains.fraction_in_chains,
        "number_average_length": result.chains.number_average,
        "weight_average_length": result.chains.weight_average,
        "longest_chain_nm": result.chains.longest,
        "rings": len(result.chains.rings),
        "mean_spacing_nm": result.spacing.mean,
        "polar": result.order.polar,
        "nematic": result.order.nematic,
    }


def time_series(
    trajectory, selected, r_max=DEFAULT_R_MAX_NM, max_angle=DEFAULT_MAX_ANGLE_DEG, dimensions=3, progress=False
):
    """Rows of :func:`time_series_row` for the ``selected`` frame indices of an open trajectory, all
    measured in one dimensionality (``dimensions`` 2 or 3) so that no projection makes a jump in them."""
    from tqdm import tqdm

    rows = []
    for index in tqdm(selected, desc="frames", unit="frame", disable=not progress, file=sys.stderr):
        frame = trajectory[index]
        rows.append(time_series_row(index, frame, analyze_frame(frame, r_max, max_angle, str(dimensions))))
    return rows


def analyze_trajectory(
    target,
    out_dir=None,
    frames=None,
    r_max=DEFAULT_R_MAX_NM,
    max_angle=DEFAULT_MAX_ANGLE_DEG,
    dimensions="auto",
    progress=True,
) -> dict:
    """Analyse the selected frames of a run; the last selected frame gets the full set of outputs."""
    path = trajectory_path(target)
    out = Path(out_dir) if out_dir else default_output(target)
    with open_trajectory(path) as trajectory:
        selected = parse_frames(frames, len(trajectory))
        Chains(r_max, max_angle)  # validate settings before writing anything
        # the time series is 3D unless 2D is asked for; the last frame is analysed as asked
        series_dimensions = 2 if dimensions == "2" else 3
        rows = time_series(trajectory, selected, r_max, max_angle, series_dimensions, progress)
        final_frame = trajectory[selected[-1]]
        final = analyze_frame(final_frame, r_max, max_angle, dimensions)
    out.mkdir(parents=True, exist_ok=True)
    metrics = {
        "trajectory": str(path),
        "frame": selected[-1],
        "dimensions": final.dimensions,
        "time_ns": rows[-1]["time_ns"],
        "film_height_nm": rows[-1]["film_height_nm"],
        "chains": final.chains.summary(),
        "spacing": final.spacing.summary(),
        "order": final.order.summary(),
        "tem_band_nm": list(TEM_BAND_NM),
        "time_series_dimensions": series_dimensions,
        "time_series": rows,
    }
    _write_tables(out, final, rows)
    rdf = _rdf(final_frame, final.dimensions)
    _write_csv(out / "rdf.csv", ["r_nm", "g"], zip(*rdf, strict=True))
    _write_figures(out, final_frame, final, rows, rdf, series_dimensions)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, default=_json_default) + "\n")
    (out / "summary.md").write_text(summary_markdown(metrics))
    return metrics


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value)} to JSON")


def _write_csv(path, header, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _write_tables(out: Path, result: FrameAnalysis, rows: list[dict]) -> None:
    chains = result.chains
    table = []
    for c, members in enumerate(chains.chains):
        table.append(
            [
                c,
                "open",
                len(members),
                f"{chains.contour_lengths[c]:.6g}",
                f"{chains.end_to_end[c]:.6g}",
                f"{chains.end_to_end[c] / chains.contour_lengths[c]:.6g}" if len(members) > 1 else "",
                f"{chains.angles[c]:.4g}" if len(members) > 1 else "",
            ]
        )
    offset = len(chains.chains)
    for r, members in enumerate(chains.rings):
        table.append([offset + r, "ring", len(members), f"{chains.ring_contour_lengths[r]:.6g}", "", "", ""])
    _write_csv(
        out / "chains.csv",
        ["chain", "kind", "clusters", "contour_nm", "end_to_end_nm", "straightness", "angle_deg"],
        table,
    )
    _write_csv(
        out / "spacings.csv",
        ["i", "j", "distance_nm"],
        [[i, j, f"{d:.6g}"] for (i, j), d in zip(chains.bonds, chains.spacings, strict=True)],
    )
    _write_csv(out / "timeseries.csv", TIME_SERIES_FIELDS, [[row[k] for k in TIME_SERIES_FIELDS] for row in rows])


def _rdf(frame, dimensions: int):
    """g(r) of the cluster centres up to 5 nm (for a film in 3D the normalisation assumes a uniform box)."""
    import freud

    box, positions, directions = cluster_state(frame)
    points, _ = project(positions, directions, dimensions)
    fbox = freud_box(box, dimensions)
    r_max = min(5.0, 0.45 * min(box[:2]))
    rdf = freud.density.RDF(bins=100, r_max=r_max).compute((fbox, points))
    return rdf.bin_centers, rdf.rdf


def _write_figures(out: Path, frame, result: FrameAnalysis, rows, rdf, series_dimensions) -> None:
    from . import figures

    figures.save(figures.top_view(frame, result.chains).figure, out / "deposit_chains.png")
    figures.save(result.chains.plot().figure, out / "chain_lengths.png")
    figures.save(result.order.plot().figure, out / "chain_angles.png")
    figures.save(figures.spacing_and_rdf(result.spacing, rdf, result.dimensions), out / "spacing.png")
    figures.save(figures.time_series(rows, series_dimensions), out / "timeseries.png")


def summary_markdown(metrics: dict) -> str:
    c, s, o = metrics["chains"], metrics["spacing"], metrics["order"]
    lines = [
        f"### dipolewire analysis of `{metrics['trajectory']}`",
        "",
        f"Frame {metrics['frame']} (t = {metrics['time_ns']:.4g} ns, film {metrics['film_height_nm']:.3g} nm, "
        f"analysed in {metrics['dimensions']}D). {c['fraction_in_chains']:.0%} of {c['clusters']} clusters are in "
        f"head-to-tail chains ({c['open_chains_of_2_or_more']} open chains, {c['rings']} rings); the longest "
        f"chain has {c['longest_chain_clusters']} clusters ({c['longest_chain_nm']:.3g} nm). Bonded neighbours "
        f"are {s['mean_nm']:.3f} ± {s['std_nm']:.3f} nm apart; {s['fraction_in_tem_band']:.0%} of spacings lie "
        f"in the TEM band {metrics['tem_band_nm'][0]}–{metrics['tem_band_nm'][1]} nm.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| clusters in chains ({metrics['dimensions']}D) | {c['fraction_in_chains']:.3f} |",
        f"| number-average length (clusters) | {c['number_average_length']:.3f} |",
        f"| weight-average length (clusters) | {c['weight_average_length']:.3f} |",
        f"| longest chain (nm, centre to centre) | {c['longest_chain_nm']:.3f} |",
        f"| rings | {c['rings']} |",
        f"| mean straightness | {c['mean_straightness']:.3f} |",
        f"| spacing mean ± s.d. (nm) | {s['mean_nm']:.3f} ± {s['std_nm']:.3f} |",
        f"| spacing 5th/50th/95th percentile (nm) | {s['p5_nm']:.3f} / {s['p50_nm']:.3f} / {s['p95_nm']:.3f} |",
        f"| polar / nematic order of dipoles | {o['polar']:.3f} / {o['nematic']:.3f} |",
        f"| 2D order of chain directions | {o['chain_order_2d']:.3f} |",
        "",
        f"Bond criterion: centres within {c['criterion']['r_max_nm']} nm, dipoles and bond within "
        f"{c['criterion']['max_angle_deg']}° of each other.",
        "",
    ]
    return "\n".join(lines)
