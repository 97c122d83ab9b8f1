"""Dipole methods (numerics.dipole_method): error against exact lattice sums, and cost per step.

(i) Error: the dipolar energy per particle LAMMPS gives for perfect lattices of parallel dipoles
(spacing σ = 2.0 nm) at cut-offs 3, 4 and 6 nm, against the closed forms of
:mod:`dipolewire.lattice_sums`: the 2D polar square lattice (a film, slab correction for the
long-range methods), a straight head-to-tail chain (chains 4σ apart in the film) and a simple-cubic
lattice in a periodic cube (tinfoil). Truncated methods keep neighbours strictly closer than r_c.

(ii) Cost: wall time per step of the dipolewire LAMMPS engine on the demo film (150 R-Au-Cu clusters,
32 nm box, 24 nm film, walls) and on the same film 8x wider (1200 clusters, 90.5 nm box), serial,
each method at each cut-off, after set-up (``run N pre no``).

    python benchmarks/dipole_methods.py            # writes benchmarks/results/dipole_methods.json
    python benchmarks/dipole_methods.py --figure   # also docs/dipole_methods.png (from the JSON)
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _systems import demo_document  # noqa: E402

from dipolewire import lattice_sums  # noqa: E402
from dipolewire.spec import DIPOLE_METHODS  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "dipole_methods.json"
FIGURE = ROOT / "docs" / "dipole_methods.png"
SIGMA, MU = 2.0, 0.5
CUTOFFS = (3.0, 4.0, 6.0)
CELLS = {"square2d": 6, "chain": 6, "sc3d": 3}
FILMS = {"demo (150 clusters)": (150, 32.0), "wide (1200 clusters)": (1200, 32.0 * 8**0.5)}


def lattice(name: str, cells: int):
    """A perfect lattice at spacing SIGMA with moments MU (see :func:`lattice_sums.lattice_configuration`)."""
    return lattice_sums.lattice_configuration(name, cells, SIGMA, MU)


def lattice_errors():
    from dipolewire.engines.lammps import new_instance, point_dipole_interactions

    lmp = new_instance()
    coulomb = lmp.extract_global("qqr2e")  # LAMMPS's own e²/(4π ε0) in units nano
    lmp.close()
    rows = []
    for method in DIPOLE_METHODS:
        for cutoff in CUTOFFS:
            row = {"method": method, "cutoff_nm": cutoff}
            for name, cells in CELLS.items():
                positions, dipoles, box = lattice(name, cells)
                energy, _, _ = point_dipole_interactions(positions, dipoles, 1.0, cutoff, method=method, box=box)
                per_particle = energy / len(positions) / (coulomb * MU**2 / SIGMA**3)
                row[f"{name}_energy"] = per_particle
                row[f"{name}_error_percent"] = 100 * lattice_sums.relative_error(name, per_particle)
            rows.append(row)
            print(
                f"{method:14s} rc={cutoff:g}: 2D {row['square2d_error_percent']:+8.3f} %  "
                f"chain {row['chain_error_percent']:+8.3f} %  3D {row['sc3d_error_percent']:+8.3f} %",
                flush=True,
            )
    return rows


def film_cost(clusters: int, box_length: float, method: str, cutoff: float, budget_s: float = 6.0):
    from dipolewire.engines.base import Start
    from dipolewire.engines.lammps import LammpsEngine
    from dipolewire.model import Model
    from dipolewire.spec import from_dict

    document = demo_document("lammps")
    document["amount"] = {"clusters": clusters, "concentration": "10 mM", "box_length": f"{box_length!r} nm"}
    document["numerics"].update({"dipole_cutoff": f"{cutoff!r} nm", "dipole_method": method})
    model = Model(from_dict(document))
    positions, orientations, chirality = model.initial_configuration(np.random.default_rng(1))
    with tempfile.TemporaryDirectory() as workdir:
        engine = LammpsEngine(model, workdir)
        try:
            start = time.perf_counter()
            engine.setup(Start(positions, orientations, chirality), 1)
            setup_s = time.perf_counter() - start
            engine.lmp.command("run 1 pre yes post no")  # warm-up; later runs skip set-up
            start = time.perf_counter()
            engine.lmp.command("run 2 pre no post no")
            probe = (time.perf_counter() - start) / 2
            steps = int(max(2, min(400, budget_s / max(probe, 1e-6))))
            start = time.perf_counter()
            engine.lmp.command(f"run {steps} pre no post no")
            per_step = (time.perf_counter() - start) / steps
        finally:
            engine.close()
    return {"setup_s": setup_s, "ms_per_step": 1e3 * per_step, "steps": steps}


#: Not timed: Ewald sums of the wide film below 6 nm (extrapolated from the demo film they take
#: tens of seconds per step, k-vectors x atoms growing as N²).
SKIP = {("wide (1200 clusters)", "ewald", 3.0), ("wide (1200 clusters)", "ewald", 4.0)}


def costs():
    rows = []
    for label, (clusters, box_length) in FILMS.items():
        for method in DIPOLE_METHODS:
            for cutoff in CUTOFFS:
                if (label, method, cutoff) in SKIP:
                    continue
                row = {"film": label, "clusters": clusters, "method": method, "cutoff_nm": cutoff}
                row.update(film_cost(clusters, box_length, method, cutoff))
                rows.append(row)
                print(
                    f"{label:22s} {method:14s} rc={cutoff:g}: {row['ms_per_step']:9.3f} ms/step "
                    f"(set-up {row['setup_s']:.2f} s, {row['steps']} steps)",
                    flush=True,
                )
    return rows


def figure(results):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    errors = {(r["method"], r["cutoff_nm"]): r for r in results["errors"]}
    wide = [r for r in results["costs"] if r["clusters"] == max(c for c, _ in FILMS.values())]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharex=True)
    markers = {"cut": "o", "shifted_force": "s", "ewald": "^", "pppm": "D"}
    for ax, lattice_name, title in zip(
        axes, ("square2d", "sc3d"), ("2D polar square lattice", "3D simple cubic (periodic)"), strict=True
    ):
        for method in DIPOLE_METHODS:
            key = f"{lattice_name}_error_percent"
            points = sorted(
                (r["ms_per_step"], abs(errors[(method, r["cutoff_nm"])][key]), r["cutoff_nm"])
                for r in wide
                if r["method"] == method
            )
            x, y, c = zip(*points, strict=True)
            ax.plot(x, np.maximum(y, 1e-4), marker=markers[method], label=method)
            for xi, yi, ci in points:
                ax.annotate(f"{ci:g}", (xi, max(yi, 1e-4)), textcoords="offset points", xytext=(4, 4), fontsize=7)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("ms per step, 1200-cluster film (LAMMPS, 1 core)")
        ax.set_ylabel("|energy error| per particle (%)")
        ax.set_title(title + " (labels: r_c in nm)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(FIGURE, dpi=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figure", action="store_true", help="also draw docs/dipole_methods.png")
    parser.add_argument("--figure-only", action="store_true", help="redraw the figure from the stored JSON")
    args = parser.parse_args()
    if not args.figure_only:
        from dipolewire.engines.lammps import version

        results = {
            "description": "dipole methods: lattice-sum errors (sigma = 2.0 nm) and LAMMPS cost per step",
            "lammps": version(),
            "machine": platform.processor() or platform.machine(),
            "python": platform.python_version(),
            "exact_lambda_kT": {name: lattice_sums.exact_energy(name) for name in CELLS},
            "errors": lattice_errors(),
            "costs": costs(),
        }
        RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    if args.figure or args.figure_only:
        figure(json.loads(RESULTS.read_text()))


if __name__ == "__main__":
    main()
