"""Overhead of dipolewire over its engine: `dipolewire run` against a script that drives the same
engine directly with the same model, step count and output cadence.

    python benchmarks/overhead.py [--repeats 3] [--json benchmarks/overhead.json]

The direct script builds the engine with the same commands (the engine's own setup), then
runs the same frames and εr updates, writing its frames with the engine's own writer (LAMMPS
`dump custom`, HOOMD-blue `write.GSD`) instead of dipolewire's GSD writer. Runs alternate
(dipolewire, direct, dipolewire, …) in one session; times are of the run loop, set-up excluded.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _systems import demo_document, quiet_run  # noqa: E402

from dipolewire import engines  # noqa: E402
from dipolewire.engines import available  # noqa: E402
from dipolewire.model import Model  # noqa: E402
from dipolewire.runner import fresh_start  # noqa: E402
from dipolewire.spec import from_dict  # noqa: E402


def through_dipolewire(engine: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        return quiet_run(demo_document(engine), Path(tmp) / "out")["loop_seconds"]


def direct(engine: str) -> float:
    spec = from_dict(demo_document(engine))
    model = Model(spec)
    start = fresh_start(model, spec.numerics.seed)
    with tempfile.TemporaryDirectory() as tmp:
        run = engines.create(engine, model, Path(tmp))
        run.setup(start, spec.numerics.seed)
        if engine == "lammps":
            run.lmp.command(
                f"dump frames all custom {model.steps_per_frame} {tmp}/frames.dump id type x y z mux muy muz"
            )
        else:
            import hoomd

            writer = hoomd.write.GSD(
                trigger=hoomd.trigger.Periodic(model.steps_per_frame), filename=f"{tmp}/f.gsd", mode="wb"
            )
            run.sim.operations.writers.append(writer)
        started = time.perf_counter()
        for k in range(model.n_segments):
            run.advance(model.steps_per_frame, model.segment_eps_r(k))
        elapsed = time.perf_counter() - started
        run.close()
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", default=str(Path(__file__).with_name("overhead.json")))
    args = parser.parse_args()
    results = {}
    for engine in [e for e, ok in available().items() if ok]:
        ours, theirs = [], []
        for _ in range(args.repeats):
            ours.append(through_dipolewire(engine))
            theirs.append(direct(engine))
        ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
        results[engine] = {
            "dipolewire_s": ours,
            "direct_s": theirs,
            "ratios": ratios,
            "median_ratio": statistics.median(ratios),
        }
        print(
            f"{engine}: dipolewire {statistics.median(ours):.2f} s, direct {statistics.median(theirs):.2f} s, "
            f"ratio {statistics.median(ratios):.3f} (range {min(ratios):.3f}–{max(ratios):.3f}, "
            f"{args.repeats} alternating pairs)",
            flush=True,
        )
    Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
