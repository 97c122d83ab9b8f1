"""Numbers and figures of docs/charged.md, from measured runs.

    dipolewire encounter runs/au44-ag44-dmf.toml     # the sweeps (about 7 minutes on one core)
    python docs/charged_figures.py                   # the validation (about 5 minutes) and the copies below

Runs the encounter validation (:mod:`dipolewire.charged.checks`: neutral, repelling and attracting pairs,
20 000 trajectories each) on every installed engine and writes docs/charged_validation.json; copies the
sweep's figures and tables from runs/au44-ag44-dmf/ to docs/charged_*.
"""

import json
import shutil
import sys
import time
from pathlib import Path

from dipolewire import __version__, engines
from dipolewire.charged import checks

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SWEEP = ROOT / "runs" / "au44-ag44-dmf"
TRAJECTORIES = 20_000


def validation() -> dict:
    results = {"dipolewire": __version__, "trajectories": TRAJECTORIES, "tolerance": checks.TOLERANCE, "cases": []}
    for engine in ("lammps", "hoomd"):
        if not engines.available()[engine]:
            print(f"{engine}: not installed, skipped", file=sys.stderr)
            continue
        for case in checks.CASES:
            rate = checks.measure(case, engine, TRAJECTORIES)
            row = rate.to_dict()
            row.update(case=case.name, charges=case.charges, salt_molar=case.salt_molar, engine_key=engine)
            results["cases"].append(row)
            print(
                f"{rate.engine:<10} {case.name:<10} k = {rate.rate:.4f} ± {rate.error:.4f} nm³/ns, exact "
                f"{rate.exact:.4f} ({100 * rate.deviation:+.2f} %), β = {rate.counts.beta:.4f} (exact "
                f"{rate.exact_beta:.4f}), {rate.counts.seconds:.0f} s",
                file=sys.stderr,
            )
    return results


def main() -> None:
    started = time.strftime("%Y-%m-%d")
    data = validation()
    data["date"] = started
    (DOCS / "charged_validation.json").write_text(json.dumps(data, indent=1, default=str) + "\n")
    for name in ("ionic_strength.png", "feeding_ratio.png", "ionic_strength.csv", "feeding_ratio.csv", "rates.csv"):
        if (SWEEP / name).exists():
            shutil.copy(SWEEP / name, DOCS / f"charged_{name}")
        else:
            print(f"{SWEEP / name} is missing: run dipolewire encounter runs/au44-ag44-dmf.toml first", file=sys.stderr)


if __name__ == "__main__":
    main()
