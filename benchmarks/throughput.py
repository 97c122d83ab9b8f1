"""Throughput and scaling: particle-steps per second against the number of clusters, per engine,
with LAMMPS on 1 and 2 MPI ranks and with 2 OpenMP threads.

    python benchmarks/throughput.py [--sizes 1000 10000 100000 1000000] [--engines lammps hoomd] [--serial]
                                    [--device cpu] [--repeats 1] [--json benchmarks/throughput.json]

Each case is a fresh `dipolewire run` of a periodic chaining fluid (φ = 0.05, λ = 3.9) in a subprocess;
the rate is steps × clusters / wall time of the run loop (run.json), set-up excluded, and the scaling
exponent is fitted to the loop time per step of the serial runs, once per repeat.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _systems import bulk_document, fixed_steps, run_in_subprocess  # noqa: E402

from dipolewire.engines import available  # noqa: E402


def run_case(engine, clusters, steps, ranks=1, threads=1, device="cpu"):
    document = fixed_steps(bulk_document(engine, clusters, "1 ns", threads), steps)
    document["numerics"]["device"] = device
    info = run_in_subprocess(document, ranks)
    return {
        "engine": engine,
        "clusters": clusters,
        "ranks": ranks,
        "threads": threads,
        "steps": info["steps_done"],
        "wall_s": info["wall_seconds"],
        "loop_s": info["loop_seconds"],
        "steps_per_s": info["steps_per_second"],
        "cluster_steps_per_s": info["steps_per_second"] * clusters,
    }


def steps_for(clusters):
    # about 2e6 cluster-steps a case, at least 200 steps; 50 at 10^6 clusters (a step takes ~1 s on one core)
    return 50 if clusters >= 1_000_000 else max(200, int(2_000_000 / clusters))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000, 1000000])
    parser.add_argument("--engines", nargs="+", choices=["lammps", "hoomd"], help="default: all installed")
    parser.add_argument("--serial", action="store_true", help="one rank and one thread only")
    parser.add_argument("--device", choices=["cpu", "gpu"], default="cpu", help="HOOMD-blue's device")
    parser.add_argument("--repeats", type=int, default=1, help="rounds over all cases, each fitted on its own")
    parser.add_argument("--json", default=str(Path(__file__).with_name("throughput.json")))
    args = parser.parse_args()
    engines = [e for e, ok in available().items() if ok and (args.engines is None or e in args.engines)]
    cases = [(e, n, 1, 1) for e in engines for n in args.sizes]
    if "lammps" in engines and not args.serial:
        cases += [("lammps", n, 2, 1) for n in args.sizes] + [("lammps", n, 1, 2) for n in args.sizes]
    rows = []
    print(
        f"{'engine':8} {'clusters':>9} {'ranks':>5} {'threads':>7} {'steps':>7} {'wall s':>8} {'cluster-steps/s':>16}"
    )
    for repeat, (engine, n, ranks, threads) in [(k, case) for k in range(args.repeats) for case in cases]:
        row = run_case(engine, n, steps_for(n), ranks, threads, args.device if engine == "hoomd" else "cpu")
        row["device"] = args.device if engine == "hoomd" else "cpu"
        row["repeat"] = repeat
        rows.append(row)
        print(
            f"{engine:8} {n:9d} {ranks:5d} {threads:7d} {row['steps']:7d} {row['wall_s']:8.2f} "
            f"{row['cluster_steps_per_s']:16.3e}",
            flush=True,
        )
    fits = {}
    for engine in engines:
        fits[engine] = []
        for repeat in range(args.repeats):
            serial = [
                r
                for r in rows
                if r["engine"] == engine and r["ranks"] == 1 and r["threads"] == 1 and r["repeat"] == repeat
            ]
            if len(serial) >= 2:
                # time per step of the run loop (set-up excluded), fitted on log-log axes
                n = np.array([r["clusters"] for r in serial], dtype=float)
                time_per_step = np.array([r["loop_s"] / r["steps"] for r in serial])
                fits[engine].append(float(np.polyfit(np.log(n), np.log(time_per_step), 1)[0]))
        if fits[engine]:
            print(f"{engine}: time per step ∝ N^x, x = " + ", ".join(f"{x:.3f}" for x in fits[engine]))
    Path(args.json).write_text(json.dumps({"rows": rows, "exponents": fits}, indent=2))


if __name__ == "__main__":
    main()
