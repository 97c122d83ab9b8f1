"""Figures and numbers of docs/wires.md from the finished study runs/wires-study.toml.

    dipolewire study runs/wires-study.toml      # the runs (about an hour on 2 cores)
    python docs/wires_figures.py                # → docs/wires_*.png, docs/wires_study_points.csv

Reads runs/wires-study/study_points.csv and study.csv (written by the study) and draws, for each
combination of interface adsorption and coverage, the weight-average chain length and the fraction of
spacings in the TEM band against the ligand attraction, one line per dry-film εr, mean ± standard error of
the replicas, with the equilibrium predictor's ⟨n⟩w dashed; and the deposit of the run with the longest
chain.
"""

import csv
import shutil
from pathlib import Path

import numpy as np

from dipolewire.analysis import figures
from dipolewire.analysis.run_analysis import analyze_frame
from dipolewire.trajectory import open_trajectory

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT / "runs" / "wires-study"
DOCS = ROOT / "docs"
ATTRACTION, EPS, ADSORPTION, BOX = (
    "hypotheses.ligand_attraction",
    "drying.eps_r_dry",
    "hypotheses.interface_adsorption",
    "amount.box_length",
)


def number(text) -> float:
    return float(str(text).split()[0])


def read(path):
    with open(path) as handle:
        return list(csv.DictReader(handle))


def panels(points, column, label, path, log=False, band=None):
    adsorptions = sorted({p[ADSORPTION] for p in points}, key=number)
    boxes = sorted({p[BOX] for p in points}, key=number)
    axes = figures.new_axes((10, 7.5), len(adsorptions), len(boxes), sharex=True, sharey=True, squeeze=False)
    colours = figures.colormaps_for(len({p[EPS] for p in points}))
    for i, adsorption in enumerate(adsorptions):
        for j, box in enumerate(boxes):
            ax = axes[i][j]
            chosen = [p for p in points if p[ADSORPTION] == adsorption and p[BOX] == box]
            for colour, eps in zip(colours, sorted({p[EPS] for p in chosen}, key=float), strict=True):
                rows = sorted((p for p in chosen if p[EPS] == eps), key=lambda p: number(p[ATTRACTION]))
                x = [number(p[ATTRACTION]) for p in rows]
                y = [float(p[column]) for p in rows]
                err = [float(p[column + "_se"]) for p in rows]
                ax.errorbar(
                    x, y, yerr=np.nan_to_num(err), marker="o", ms=4, capsize=3, color=colour, label=f"εr dry = {eps}"
                )
                if column == "weight_average_length":
                    ax.plot(
                        x, [float(p["predicted_weight_average_length_2d"]) for p in rows], ls="--", lw=1, color=colour
                    )
            if band is not None:
                ax.axhspan(*band, color="tab:orange", alpha=0.15)
            if log:
                ax.set_yscale("log")
            ax.set_title(f"interface adsorption {adsorption}, box {box}", fontsize=9)
            if i == len(adsorptions) - 1:
                ax.set_xlabel("ligand attraction (kT)")
            if j == 0:
                ax.set_ylabel(label, fontsize=9)
    axes[0][0].legend(fontsize=8)
    if column == "weight_average_length":
        axes[0][0].plot([], [], ls="--", color="k", lw=1, label="equilibrium predictor (2D)")
        axes[0][0].legend(fontsize=8)
    figures.save(axes[0][0].figure, path)


def longest_deposit(runs, path):
    best = max(runs, key=lambda r: int(r["longest_chain_clusters"]))
    folder = STUDY / "workspace" / best["job"]
    with open_trajectory(folder / "trajectory.gsd") as frames:
        last = frames[-1]
        chains = analyze_frame(last).chains
        ax = figures.top_view(last, chains, ax=figures.new_axes((6.5, 6.5)))
    ax.set_title(
        f"longest chain of the study: {best['longest_chain_clusters']} clusters ({float(best['longest_chain_nm']):.1f}"
        f" nm)\nεr dry {best[EPS]}, attraction {best[ATTRACTION]}, adsorption {best[ADSORPTION]}, box {best[BOX]}, "
        f"replica {best['replica']}\n{ax.get_title().splitlines()[0]}",
        fontsize=8,
    )
    figures.save(ax.figure, path)
    return best


def main():
    points = read(STUDY / "study_points.csv")
    runs = read(STUDY / "study.csv")
    shutil.copy(STUDY / "study_points.csv", DOCS / "wires_study_points.csv")
    shutil.copy(STUDY / "study.csv", DOCS / "wires_study_runs.csv")
    panels(
        points,
        "weight_average_length",
        "weight-average chain length ⟨n⟩w (clusters)",
        DOCS / "wires_chain_length.png",
        log=True,
    )
    panels(
        points, "fraction_spacings_in_tem_band", "fraction of spacings in 1.8–2.5 nm", DOCS / "wires_spacing_band.png"
    )
    panels(points, "spacing_mean_nm", "mean spacing (nm)", DOCS / "wires_spacing_mean.png", band=(1.8, 2.5))
    best = longest_deposit(runs, DOCS / "wires_longest_deposit.png")
    print(f"{len(runs)} runs, {len(points)} points; longest chain {best['longest_chain_clusters']} clusters")


if __name__ == "__main__":
    main()
