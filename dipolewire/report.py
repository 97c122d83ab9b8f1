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
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .analyze import DEFAULT_MAX_ANGLE_DEG, DEFAULT_R_MAX_NM, TEM_BAND_NM, Chains, Order, Spacing
from .errors import InputError
from .trajectory import LOG, cluster_state, logged

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
    has_log = LOG + "time" in frame.log
    return {
        "frame": index,
        "time_ns": logged(frame, "time") if has_log else float(frame.configuration.step),
        "film_height_nm": logged(frame, "film_height") if has_log else float("nan"),
        "fraction_in_chains": result.chains.fraction_in_chains,
        "number_average_length": result.chains.number_average,
        "weight_average_length": result.chains.weight_average,
        "longest_chain_nm": result.chains.longest,
        "rings": len(result.chains.rings),
        "mean_spacing_nm": result.spacing.mean,
        "polar": result.order.polar,
        "nematic": result.order.nematic,
    }


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
    import gsd.hoomd
    from tqdm import tqdm

    path = trajectory_path(target)
    out = Path(out_dir) if out_dir else default_output(target)
    with gsd.hoomd.open(str(path)) as trajectory:
        selected = parse_frames(frames, len(trajectory))
        Chains(r_max, max_angle)  # validate settings before writing anything
        # the time series keeps one dimensionality throughout (3D unless 2D is asked for), so that
        # a deposit's projection does not make a jump in it; the last frame is analysed as asked
        series_dimensions = "2" if dimensions == "2" else "3"
        rows = []
        for index in tqdm(selected, desc="frames", unit="frame", disable=not progress, file=sys.stderr):
            frame = trajectory[index]
            rows.append(time_series_row(index, frame, analyze_frame(frame, r_max, max_angle, series_dimensions)))
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
        "time_series_dimensions": int(series_dimensions),
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
                f"{chains._axis_angle[c]:.4g}" if len(members) > 1 else "",
            ]
        )
    offset = len(chains.chains)
    for r, members in enumerate(chains.rings):
        table.append([offset + r, "ring", len(members), f"{chains._ring_contour[r]:.6g}", "", "", ""])
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

    from .analyze import _box, _project

    box, positions, directions = cluster_state(frame)
    points, _ = _project(positions, directions, dimensions)
    fbox = _box(box, dimensions)
    r_max = min(5.0, 0.45 * min(box[:2]))
    rdf = freud.density.RDF(bins=100, r_max=r_max).compute((fbox, points))
    return rdf.bin_centers, rdf.rdf


def _write_figures(out: Path, frame, result: FrameAnalysis, rows, rdf, series_dimensions) -> None:
    from .plot import _pyplot

    plt = _pyplot()
    ax = plot_chains_top_view(frame, result.chains)
    ax.figure.savefig(out / "deposit_chains.png", dpi=150)
    plt.close(ax.figure)
    for name, obj in (("chain_lengths.png", result.chains), ("chain_angles.png", result.order)):
        ax = obj.plot()
        ax.figure.savefig(out / name, dpi=150)
        plt.close(ax.figure)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
    result.spacing.plot(axes[0])
    axes[1].plot(*rdf, color="k")
    axes[1].axvspan(*TEM_BAND_NM, color="tab:orange", alpha=0.2)
    axes[1].set_xlabel("r (nm)")
    axes[1].set_ylabel(f"g(r) ({result.dimensions}D)")
    fig.savefig(out / "spacing.png", dpi=150)
    plt.close(fig)
    fig = plot_time_series(rows, int(series_dimensions))
    fig.savefig(out / "timeseries.png", dpi=150)
    plt.close(fig)


def plot_chains_top_view(frame, chains: Chains, ax=None):
    """Top view (nm): each cluster an oriented Janus shape (Au half larger), coloured by its chain;
    clusters in no chain are grey."""
    from matplotlib.collections import EllipseCollection

    from .plot import _pyplot

    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 6.5), layout="constrained")
    box, positions, directions = cluster_state(frame)
    u = directions / np.linalg.norm(directions, axis=1, keepdims=True)
    diameter = float(np.asarray(frame.particles.diameter)[0]) if frame.particles.N else 1.8
    palette = plt.get_cmap("tab20")
    lonely = {c for c, members in enumerate(chains.chains) if len(members) == 1}
    colours = [(0.75, 0.75, 0.75, 1.0) if c in lonely else palette(c % 20) for c in chains.chain_id]
    head = positions[:, :2] + 0.2 * diameter * u[:, :2]
    tail = positions[:, :2] - 0.25 * diameter * u[:, :2]
    for offsets, size, edge in ((tail, 0.6 * diameter, 0.3), (head, 0.85 * diameter, 0.5)):
        ax.add_collection(
            EllipseCollection(
                np.full(len(offsets), size),
                np.full(len(offsets), size),
                np.zeros(len(offsets)),
                units="xy",
                offsets=offsets,
                offset_transform=ax.transData,
                facecolors=colours,
                edgecolors="k",
                linewidths=edge,
            )
        )
    ax.set_xlim(-box[0] / 2, box[0] / 2)
    ax.set_ylim(-box[1] / 2, box[1] / 2)
    ax.set_aspect("equal")
    ax.set_xlabel("x (nm)")
    ax.set_ylabel("y (nm)")
    ax.set_title(f"chains ({chains.fraction_in_chains:.0%} of clusters; big disc = Au side, grey = free)", fontsize=9)
    return ax


def plot_time_series(rows, dimensions=3):
    from .plot import _pyplot

    plt = _pyplot()
    t = np.array([r["time_ns"] for r in rows])
    fig, axes = plt.subplots(3, 1, figsize=(6, 7), sharex=True, layout="constrained")
    axes[0].plot(t, [r["fraction_in_chains"] for r in rows], color="tab:red")
    axes[0].set_ylabel(f"fraction in chains ({dimensions}D)")
    axes[0].set_ylim(0, 1)
    axes[1].plot(t, [r["weight_average_length"] for r in rows], label="weight average", color="tab:blue")
    axes[1].plot(t, [r["number_average_length"] for r in rows], label="number average", color="tab:cyan")
    axes[1].set_ylabel("chain length (clusters)")
    axes[1].legend(fontsize=8)
    axes[2].plot(t, [r["film_height_nm"] for r in rows], color="k")
    axes[2].set_ylabel("film height (nm)")
    axes[2].set_xlabel("time (ns)")
    return fig


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
        f"| clusters in chains | {c['fraction_in_chains']:.3f} |",
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
