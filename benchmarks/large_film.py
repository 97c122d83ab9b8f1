"""Throughput of the committed micrometre film (runs/wires-large.toml) on each engine and core count.

    python benchmarks/large_film.py [--steps 200] [--cases lammps:1:1 lammps:1:2 lammps:2:1 hoomd:1:1]
                                    [--json benchmarks/large_film.json]

Each case is `dipolewire run runs/wires-large.toml` in a subprocess with the hold cut to --steps timesteps
(one frame at the end), engine:ranks:threads as given; the rate is steps × clusters / run-loop time
(run.json, set-up excluded), and the set-up time is reported beside it.
"""

import argparse
import json
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _systems import run_in_subprocess  # noqa: E402

RUN_FILE = Path(__file__).resolve().parents[1] / "runs" / "wires-large.toml"


def run_case(engine: str, ranks: int, threads: int, steps: int) -> dict:
    from dipolewire.model import Model
    from dipolewire.spec import from_dict

    document = tomllib.loads(RUN_FILE.read_text())
    document["numerics"].update({"engine": engine, "device": "cpu", "threads": threads})
    timestep = Model(from_dict(document, source=str(RUN_FILE))).timestep
    duration = f"{steps * timestep!r} ns"
    document["drying"]["hold"] = duration
    document["numerics"]["output_interval"] = duration
    info = run_in_subprocess(document, ranks)
    clusters = document["amount"]["clusters"]
    return {
        "engine": engine,
        "ranks": ranks,
        "threads": threads,
        "clusters": clusters,
        "steps": info["steps_done"],
        "loop_s": info["loop_seconds"],
        "setup_s": info["wall_seconds"] - info["loop_seconds"],
        "cluster_steps_per_s": info["steps_done"] * clusters / info["loop_seconds"],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--cases", nargs="+", default=["lammps:1:1", "lammps:1:2", "lammps:2:1", "hoomd:1:1"])
    parser.add_argument("--json", default=str(Path(__file__).with_name("large_film.json")))
    args = parser.parse_args()
    rows = []
    for case in args.cases:
        engine, ranks, threads = case.split(":")
        row = run_case(engine, int(ranks), int(threads), args.steps)
        rows.append(row)
        print(
            f"{engine:7} {row['ranks']} × {row['threads']}: {row['clusters']} clusters, {row['steps']} steps in "
            f"{row['loop_s']:.1f} s (set-up {row['setup_s']:.1f} s): {row['cluster_steps_per_s']:.3e} cluster-steps/s",
            flush=True,
        )
    Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
