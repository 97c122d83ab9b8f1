"""Validate the equilibrium chain predictor (dipolewire.predict) against fixed-stage simulations.

Runs dilute periodic boxes (3D) and films held at the dried height (2D), each at a fixed εr, measures the
weight-average chain length ⟨n⟩w on the late frames with the chain analysis, and compares it with the
ideal-chain prediction; then the demo's end state (a monolayer) to show where the prediction fails.

    PYTHONPATH=. nice python docs/predictor_figures.py --workdir /tmp/predictor --jobs 2

writes docs/predictor_validation.json and docs/predictor_validation.png (``--reuse`` keeps finished runs).
Each run takes about 3 minutes on one core.
"""

from __future__ import annotations

import argparse
import json
import math
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from dipolewire import physics
from dipolewire.predict import predict
from dipolewire.spec import from_dict
from dipolewire.units import debye_to_e_nm, kT_zJ

HERE = Path(__file__).resolve().parent
#: Fraction of the frames dropped as equilibration; the rest is cut into this many blocks for the error.
SKIP = 0.3
BLOCKS = 5
MU = debye_to_e_nm(43.42)  # R-Au-Cu (e·nm)
DIAMETER = 2.11  # nm, R-Au-Cu hydrodynamic diameter


def eps_r_for(coupling: float) -> float:
    """εr giving the contact coupling λ (σ = 2.11 nm, 298.15 K) of R-Au-Cu."""
    return float(physics.coupling_constant(MU, DIAMETER, kT_zJ(298.15), 1.0) / coupling)


def document(name, engine, eps_r, clusters, box_nm, height_nm=None, duration="800 ns", seed=7) -> dict:
    """A run file at fixed stage and constant ``eps_r``: a periodic cube of ``box_nm`` (``height_nm`` None), or
    a film that dries in a few ns from two diameters to ``height_nm`` (a run file's film starts at least two
    diameters thick; the clusters start in one layer) and is then held there for ``duration``."""
    if height_nm is None:
        amount = {"clusters": clusters, "film_height": f"{box_nm} nm", "box_length": f"{box_nm} nm"}
        drying = {"front_speed": "0 nm/ns", "hold": duration, "walls": False}
    else:
        amount = {"clusters": clusters, "film_height": f"{2 * DIAMETER} nm", "box_length": f"{box_nm} nm"}
        drying = {"front_speed": "0.5 nm/ns", "final_height": f"{height_nm} nm", "eps_r_dry": eps_r, "hold": duration}
    return {
        "name": name,
        "cluster": {"preset": "R-Au-Cu"},
        "amount": amount,
        "solvent": {"preset": "CH2Cl2", "eps_r": eps_r},
        "drying": drying,
        "numerics": {"engine": engine, "device": "cpu", "output_interval": "2 ns", "seed": seed},
    }


def cases(quick: bool = False) -> list[dict]:
    """The validation runs: dilute 3D boxes (5 % and 10 % volume fraction), a dilute 2D film, the monolayer."""
    duration = "120 ns" if quick else "300 ns"
    cube = round((150 / 0.01) ** (1 / 3), 3)  # 0.01 clusters/nm³: φ = 5 %
    dense = round((150 / 0.02) ** (1 / 3), 3)
    out = []
    for lam, box, label in ((2.5, cube, "3D ρ 0.01"), (3.0, cube, "3D ρ 0.01"), (3.0, dense, "3D ρ 0.02")):
        out.append({"label": f"{label}, λ {lam:g}", "dimensions": 3, "engine": "lammps", "coupling": lam, "box": box})
    out.append({"label": "2D film ρ 0.042, λ 3", "dimensions": 2, "engine": "lammps", "coupling": 3.0, "box": 60.0})
    out.append({"label": "3D ρ 0.01, λ 3 (HOOMD)", "dimensions": 3, "engine": "hoomd", "coupling": 3.0, "box": cube})
    out.append(
        {"label": "monolayer (demo end), λ 2.44", "dimensions": 2, "engine": "lammps", "eps_r": 2.0, "box": 32.0}
    )
    for case in out:
        eps_r = case.get("eps_r") or eps_r_for(case["coupling"])
        height = 2.11 if case["dimensions"] == 2 else None
        if quick and case["engine"] == "hoomd":
            continue
        # ASCII only: LAMMPS cannot read a path with other characters
        kind = "film" if case["dimensions"] == 2 else "cube"
        case["name"] = f"{kind}-{case['box']:g}nm-{case['engine']}-eps{eps_r:.3f}"
        # HOOMD-blue runs this model at about half LAMMPS's speed on one core
        length = "200 ns" if case["engine"] == "hoomd" and not quick else duration
        case["document"] = document(case["name"], case["engine"], eps_r, 150, case["box"], height, length)
    return [c for c in out if "document" in c]


def measure(out: Path, dimensions: int) -> dict:
    """⟨n⟩w (and ⟨n⟩n, fraction in chains) per late frame, mean and block standard error."""
    from dipolewire.analysis.run_analysis import analyze_frame
    from dipolewire.trajectory import open_trajectory

    with open_trajectory(out / "trajectory.gsd") as trajectory:
        frames = list(trajectory)
    late = frames[int(SKIP * len(frames)) :]
    rows = [analyze_frame(f, dimensions=dimensions).chains for f in late]
    result = {"frames": len(late)}
    for key, values in (
        ("weight_average", [c.weight_average for c in rows]),
        ("number_average", [c.number_average for c in rows]),
        ("fraction_in_chains", [c.fraction_in_chains for c in rows]),
        ("rings_per_frame", [len(c.rings) for c in rows]),
    ):
        values = np.asarray(values, dtype=float)
        blocks = np.array([b.mean() for b in np.array_split(values, BLOCKS)])
        result[key] = float(values.mean())
        result[key + "_se"] = float(blocks.std(ddof=1) / math.sqrt(BLOCKS))
    # the first and last blocks, to see drift (not equilibrated when they differ beyond their errors)
    result["weight_average_first_block"] = float(np.mean([c.weight_average for c in rows[: len(rows) // BLOCKS]]))
    result["weight_average_last_block"] = float(np.mean([c.weight_average for c in rows[-(len(rows) // BLOCKS) :]]))
    return result


def run_case(case: dict, workdir: str, reuse: bool) -> dict:
    import time

    from dipolewire.runner import execute

    spec = from_dict(case["document"])
    out = Path(workdir) / case["name"]
    wall = None
    finished = (out / "run.json").exists() and json.loads((out / "run.json").read_text())["status"] == "completed"
    if not (reuse and finished):
        start = time.time()
        execute(spec, out, overwrite=True, progress=False, log=lambda *a, **k: None)
        wall = time.time() - start
    else:  # the run's own wall time
        wall = json.loads((out / "run.json").read_text()).get("wall_seconds")
    predicted = predict(spec, dimensions=(case["dimensions"],))[f"{case['dimensions']}d"]
    return {
        **{k: v for k, v in case.items() if k != "document"},
        "eps_r": spec.solvent.eps_r,
        "coupling_contact": float(physics.coupling_constant(MU, DIAMETER, kT_zJ(298.15), spec.solvent.eps_r)),
        "duration_ns": spec.drying.hold,
        "wall_s": wall,
        "predicted": predicted,
        "measured": measure(out, case["dimensions"]),
    }


def figure(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.6, 4.6))
    top = max(max(r["predicted"]["weight_average"], r["measured"]["weight_average"]) for r in results) * 1.1
    ax.plot([1, top], [1, top], color="0.6", lw=1, label="measured = predicted")
    ax.fill_between([1, top], [0.85, 0.85 * top], [1.15, 1.15 * top], color="0.9", label="±15 %")
    markers = {"lammps": "o", "hoomd": "s"}
    for r in results:
        m = r["measured"]
        ax.errorbar(
            r["predicted"]["weight_average"],
            m["weight_average"],
            yerr=m["weight_average_se"],
            fmt=markers[r["engine"]],
            ms=6,
            capsize=3,
            label=r["label"],
        )
    ax.set_xlabel(r"predicted $\langle n\rangle_w$ (ideal chains, exact two-body K)")
    ax.set_ylabel(r"measured $\langle n\rangle_w$ (last 70 % of frames, ± block SE)")
    ax.set_xlim(1, top)
    ax.set_ylim(1, top)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=130)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", default="/tmp/predictor")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="keep runs that finished before")
    parser.add_argument("--out", default=str(HERE))
    args = parser.parse_args(argv)
    todo = cases()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(run_case, todo, [args.workdir] * len(todo), [args.reuse] * len(todo)))
    out = Path(args.out)
    (out / "predictor_validation.json").write_text(json.dumps(results, indent=1) + "\n")
    figure(results, out / "predictor_validation.png")
    for r in results:
        p, m = r["predicted"], r["measured"]
        print(
            f"{r['label']:<32} λ {r['coupling_contact']:.2f} εr {r['eps_r']:.3f}: K {p['K']:.4g}, "
            f"Kρ {p['K_rho']:.3g}, ⟨n⟩w predicted {p['weight_average']:.3f}, "
            f"measured {m['weight_average']:.3f} ± {m['weight_average_se']:.3f} "
            f"({100 * (m['weight_average'] / p['weight_average'] - 1):+.1f} %)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
