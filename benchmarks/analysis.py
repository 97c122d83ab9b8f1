"""Analysis speed: frames per second of the full frame analysis (chains, spacings, order) for
N = 10⁴, 10⁵ and 10⁶ clusters, on one core.

    python benchmarks/analysis.py [--sizes 10000 100000 1000000] [--json benchmarks/analysis.json]

The frame is a dipolewire GSD frame of a chaining fluid's initial state (φ = 0.05), written with
the trajectory writer, so the timing includes reading the clusters from the frame.
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _systems import bulk_document  # noqa: E402

from dipolewire.analysis.run_analysis import analyze_frame  # noqa: E402
from dipolewire.model import Model  # noqa: E402
from dipolewire.spec import from_dict  # noqa: E402
from dipolewire.trajectory import Snapshot, TrajectoryWriter, open_trajectory  # noqa: E402


def frame_of(clusters: int, path: Path):
    model = Model(from_dict(bulk_document("lammps", clusters, "1 ns")))
    positions, orientations, chirality = model.initial_configuration(np.random.default_rng(1))
    snap = Snapshot(
        0, 0.0, positions, orientations, np.zeros((clusters, 3), dtype=np.int32), model.initial_height, 2.0, 0.0, 0.0
    )
    with TrajectoryWriter(path, model, chirality) as writer:
        writer.write(snap)
    with open_trajectory(path) as trajectory:
        return trajectory[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000, 1000000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", default=str(Path(__file__).with_name("analysis.json")))
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            frame = frame_of(n, Path(tmp) / f"{n}.gsd")
            analyze_frame(frame, dimensions="3")  # warm-up: imports and first allocations
            times = []
            for _ in range(args.repeats):
                started = time.perf_counter()
                analyze_frame(frame, dimensions="3")
                times.append(time.perf_counter() - started)
            best, median = min(times), float(np.median(times))
            rows.append({"clusters": n, "seconds_median": median, "seconds_min": best, "frames_per_s": 1 / median})
            print(
                f"{n:7d} clusters: {median:.3f} s per frame (min {best:.3f} s), {1 / median:.2f} frames/s", flush=True
            )
    Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
