"""Peak resident memory of a run and of an analysis against the number of clusters.

    python benchmarks/memory.py [--sizes 1000 10000 100000 1000000] [--json benchmarks/memory.json]

Each measurement is a fresh Python process; its peak RSS (ru_maxrss) includes the interpreter and the
engine library. A run is the periodic fluid on LAMMPS for 20 steps (the peak is reached in its set-up and
first step), the analysis that of its trajectory.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import tomli_w

sys.path.insert(0, str(Path(__file__).parent))
from _systems import bulk_document, fixed_steps  # noqa: E402

PEAK = "import resource; print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"


def peak_kib(code: str) -> int:
    out = subprocess.run([sys.executable, "-c", code + "\n" + PEAK], check=True, capture_output=True, text=True)
    return int(next(line for line in out.stdout.splitlines() if line.startswith("PEAK")).split()[1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000, 1000000])
    parser.add_argument("--json", default=str(Path(__file__).with_name("memory.json")))
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            run_file = Path(tmp) / f"{n}.toml"
            document = fixed_steps(bulk_document("lammps", n, "0.1 ns"), 20)  # the peak is set up by step 1
            run_file.write_text(tomli_w.dumps(document))
            out = Path(tmp) / f"out{n}"
            run = peak_kib(
                f"from dipolewire.cli import main; main(['run', {str(run_file)!r}, '--quiet', '--out', {str(out)!r}])"
            )
            analysis = peak_kib(
                "from dipolewire.analysis.run_analysis import analyze_trajectory; "
                f"analyze_trajectory({str(out)!r}, progress=False)"
            )
            rows.append({"clusters": n, "steps": 20, "run_MiB": run / 1024, "analysis_MiB": analysis / 1024})
            print(f"{n:7d} clusters: run {run / 1024:7.1f} MiB, analysis {analysis / 1024:7.1f} MiB", flush=True)
    Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
