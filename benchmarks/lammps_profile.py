"""Where LAMMPS's step goes at each size: its own timing breakdown (`run N post yes`) of the periodic
chaining fluid, in seconds per 1000 steps and per cluster.

    python benchmarks/lammps_profile.py [--sizes 100000 1000000] [--json benchmarks/lammps_profile.json]

One core, one rank, no threads; the fluid is benchmarks/_systems.py bulk_document, set up by dipolewire's
LAMMPS engine exactly as a run is, then run for a fixed number of steps with LAMMPS's log switched on.
"""

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _systems import bulk_document  # noqa: E402

from dipolewire import engines  # noqa: E402
from dipolewire.model import Model  # noqa: E402
from dipolewire.runner import fresh_start  # noqa: E402
from dipolewire.spec import from_dict  # noqa: E402

SECTIONS = ("Pair", "Neigh", "Comm", "Output", "Modify", "Other")


def profile(clusters: int, steps: int) -> dict:
    spec = from_dict(bulk_document("lammps", clusters, "1 ns"))
    model = Model(spec)
    with tempfile.TemporaryDirectory() as tmp:
        run = engines.create("lammps", model, Path(tmp))
        run.setup(fresh_start(model, 1), 1)
        run.set_permittivity(float(model.segment_eps_r(0)))
        run.lmp.command(f"run {min(20, steps)} post no")  # lists built, caches warm
        log = Path(tmp) / "profile.log"
        run.lmp.command(f"log {log}")
        run.lmp.command(f"run {steps} post yes")
        run.lmp.command("log none")
        run.close()
        text = log.read_text()
    row = {"clusters": clusters, "steps": steps}
    for section in SECTIONS:
        match = re.search(rf"^{section}\s*\|\s*\S+\s*\|\s*(\S+)\s*\|", text, re.MULTILINE)
        row[section] = float(match.group(1)) * 1000 / steps if match else None
    match = re.search(r"^Loop time of (\S+)", text, re.MULTILINE)
    row["total"] = float(match.group(1)) * 1000 / steps
    return row


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100000, 1000000])
    parser.add_argument("--json", default=str(Path(__file__).with_name("lammps_profile.json")))
    args = parser.parse_args()
    rows = []
    for n in args.sizes:
        row = profile(n, 100 if n < 1_000_000 else 20)
        rows.append(row)
        print(
            f"{n:8d} clusters, s per 1000 steps: "
            + ", ".join(f"{k} {row[k]:.1f}" for k in (*SECTIONS, "total") if row[k] is not None)
            + f"; µs per cluster-step {1e3 * row['total'] / n:.3f}",
            flush=True,
        )
    Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
