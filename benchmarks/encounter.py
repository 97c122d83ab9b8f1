"""Speed of `dipolewire encounter`: trajectory steps per second by engine and by pairs run at once.

    python benchmarks/encounter.py [--trajectories 4000] [--json benchmarks/results/encounter.json]

Runs the validation's neutral and repelling pairs (dipolewire.charged.checks) with `concurrent` = 250, 1000 and
4000 pairs on each installed engine, one process each, and reports wall time, engine steps per second and
trajectory steps per second (the sum over pairs of the steps each trajectory ran). The neutral pair's
trajectories are long (≈ 1500 steps each), the repelling pair's short (≈ 750), and every step of either costs
one engine call plus the bookkeeping in numpy.
"""

import argparse
import json
import platform
import sys
from pathlib import Path

from dipolewire import engines
from dipolewire.charged import checks

CONCURRENT = (250, 1000, 4000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, default=4000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = []
    for engine in ("lammps", "hoomd"):
        if not engines.available()[engine]:
            print(f"{engine}: not installed", file=sys.stderr)
            continue
        for case in checks.CASES[:2]:
            for concurrent in CONCURRENT:
                rate = checks.measure(case, engine, args.trajectories, concurrent=concurrent)
                c = rate.counts
                row = {
                    "engine": engine,
                    "case": case.name,
                    "concurrent": concurrent,
                    "trajectories": c.trajectories,
                    "seconds": c.seconds,
                    "engine_steps_per_s": c.steps / c.seconds,
                    "trajectory_steps_per_s": c.trajectory_steps / c.seconds,
                    "deviation": rate.deviation,
                }
                rows.append(row)
                print(
                    f"{engine:<7} {case.name:<10} {concurrent:>5} pairs at once: {c.seconds:6.1f} s, "
                    f"{row['engine_steps_per_s']:8.0f} steps/s, {row['trajectory_steps_per_s']:.3g} trajectory steps/s"
                )
    if args.json:
        args.json.write_text(
            json.dumps({"machine": platform.processor() or platform.machine(), "rows": rows}, indent=1) + "\n"
        )


if __name__ == "__main__":
    main()
