"""Regenerates docs/demo_micrograph.png and docs/demo_micrograph_spacings.png and prints the numbers quoted in
docs/micrograph.md.

    dipolewire run runs/demo.toml          # → runs/demo/, if not there yet
    python docs/micrograph_figures.py [RUN]  # RUN: the demo run's folder (default runs/demo)

The figures are `dipolewire micrograph RUN` with its defaults (seed 1). The first table repeats the
measurement on the last frame with 20 shot-noise seeds at three doses, and without noise, and gives the
mean over seeds of each measure with its standard error: one image's bias is one draw of the noise. The
second images the frame without noise at coarser resolutions.
"""

import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

from dipolewire.analysis import micrograph as mg
from dipolewire.analysis.run_analysis import analyze_frame, trajectory_path
from dipolewire.trajectory import open_trajectory

DOCS = Path(__file__).parent
DOSES_PER_A2 = (300.0, 1000.0, 3000.0)
RESOLUTIONS_NM = (0.3, 0.6, 1.0)
SEEDS = range(1, 21)


def compact_png(source, target, scale=0.6):
    """Shot noise barely compresses: the committed image is scaled to 60 % and stored with 29 greys and the
    three overlay colours (a third of the size of the full-colour original)."""
    from PIL import Image

    image = Image.open(source).convert("RGB")
    colours = [(v, v, v) for v in range(0, 256, 9)] + [(23, 190, 207), (214, 39, 40), (255, 127, 14)]
    palette = Image.new("P", (1, 1))
    flat = [c for rgb in colours for c in rgb]
    palette.putpalette(flat + [0] * (768 - len(flat)))
    size = (round(image.size[0] * scale), round(image.size[1] * scale))
    small = image.resize(size, Image.LANCZOS).quantize(palette=palette, dither=Image.Dither.NONE)
    small.save(target, optimize=True)


def seed_average(cores, centres, box, bonds, true, atoms, optics, seeds):
    """Mean ± standard error over seeds of the missed fraction, mean shift (nm) and s.d. ratio."""
    rows = []
    weights = mg.core_weights(cores.metals, atoms, optics)
    for seed in seeds:
        result = mg.measure(mg.render(cores, weights, box, optics, seed), centres, bonds, true)
        bias = mg.spacing_bias(result.true, result.measured)
        summary = result.summary()
        rows.append(
            [summary["clusters_missed_fraction"], summary["false_spots"], bias["mean_shift_nm"], bias["std_ratio"]]
        )
    rows = np.array(rows, dtype=float)
    mean = np.nanmean(rows, axis=0)
    se = np.nanstd(rows, axis=0, ddof=1) / np.sqrt(len(rows)) if len(rows) > 1 else np.zeros(rows.shape[1])
    return mean, se


def main(run="runs/demo"):
    with tempfile.TemporaryDirectory() as tmp:
        report = mg.micrograph_run(run, tmp)
        compact_png(Path(tmp) / "micrograph.png", DOCS / "demo_micrograph.png")
        shutil.copy(Path(tmp) / "micrograph_spacings.png", DOCS / "demo_micrograph_spacings.png")
    t, m, b, s = report["true"], report["measured"], report["bias"], report["measurement"]
    print(f"frame {report['frame']} (seed 1, 1000 e/Å²): {s['clusters_missed_fraction']:.0%} missed")
    print(f"  true  {t['count']} bonds {t['mean_nm']:.3f} ± {t['std_nm']:.3f} nm")
    print(f"  image {m['count']} bonds {m['mean_nm']:.3f} ± {m['std_nm']:.3f} nm")
    print(
        f"  shift {b['mean_shift_nm']:+.4f} ± {b['mean_shift_se_nm']:.4f} nm, s.d. ratio {b['std_ratio']:.3f} ± "
        f"{b['std_ratio_se']:.3f}, per-bond error s.d. {b['per_bond_error_sd_nm']:.4f} nm"
    )

    path = trajectory_path(run)
    with open_trajectory(path) as trajectory:
        frame = trajectory[len(trajectory) - 1]
        cores, centres, box = mg.cores_of_frame(frame)
        chains = analyze_frame(frame, dimensions="2").chains
    atoms, _ = mg.core_atoms_of_run(path)
    print("\n| dose (e/Å²) | clusters missed | false spots per image | mean shift (nm) | s.d. ratio |")
    print("|---|---|---|---|---|")
    for dose in (None, *DOSES_PER_A2):
        optics = mg.Optics(dose_per_nm2=100.0 * (dose or 1000.0))
        seeds = [None] if dose is None else SEEDS
        (missed, false, shift, ratio), (missed_se, false_se, shift_se, ratio_se) = seed_average(
            cores, centres, box, chains.bonds, chains.spacings, atoms, optics, seeds
        )
        if dose is None:
            print(f"| no noise | {missed:.1%} | {false:.0f} | {shift:+.4f} | {ratio:.3f} |")
        else:
            print(
                f"| {dose:g} | {missed:.1%} ± {missed_se:.1%} | {false:.2f} ± {false_se:.2f} | "
                f"{shift:+.4f} ± {shift_se:.4f} | {ratio:.3f} ± {ratio_se:.3f} |"
            )
    print("\n| resolution, no noise (nm) | clusters missed | mean shift (nm) ± SE (bonds) | s.d. ratio ± SE |")
    print("|---|---|---|---|")
    for resolution in RESOLUTIONS_NM:
        optics = mg.Optics(resolution_nm=resolution)
        weights = mg.core_weights(cores.metals, atoms, optics)
        result = mg.measure(mg.render(cores, weights, box, optics), centres, chains.bonds, chains.spacings)
        bias = mg.spacing_bias(result.true, result.measured)
        print(
            f"| {resolution:g} | {result.summary()['clusters_missed_fraction']:.1%} | "
            f"{bias['mean_shift_nm']:+.4f} ± {bias['mean_shift_se_nm']:.4f} | "
            f"{bias['std_ratio']:.3f} ± {bias['std_ratio_se']:.3f} |"
        )


if __name__ == "__main__":
    main(*sys.argv[1:])
