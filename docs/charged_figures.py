"""Numbers and figures of docs/charged.md, from measured runs.

    dipolewire encounter runs/au44-ag44-dmf.toml     # the sweeps (about 8 minutes on one core)
    python docs/charged_figures.py                   # the validation (about 5 minutes) and the copies below

Runs the encounter validation (:mod:`dipolewire.charged.checks`: neutral, repelling and attracting pairs,
20 000 trajectories each) on every installed engine and writes docs/charged_validation.json; copies the
sweep's figures and tables from runs/au44-ag44-dmf/ to docs/charged_*; and writes the tables of
docs/charged.md (between its <!-- name --> markers) and the sweep's summary lines in README.md from them.
With --tables it only rewrites the tables from the files already there.
"""

import csv
import json
import re
import shutil
import statistics
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


def _minus(text: str) -> str:
    return re.sub(r"(?<![\w.])-(?=\d)", "−", text)


def validation_table(data: dict) -> str:
    rows = [
        "| engine | pair | charges | salt | 1/κ | R, b, q | k BD (nm³/ns) | k exact | BD − exact | β (exact) | wall |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in data["cases"]:
        g, kappa = c["geometry"], c["kappa"]
        charges = ", ".join(f"{z:+g}" if z else "0" for z in c["charges"])
        debye = f"{1 / kappa:.3g} nm" if kappa > 0 else "∞"
        rows.append(
            f"| {c['engine']} | {c['case']} | {charges} e | {c['salt_molar'] * 1e3:g} mM | {debye} | "
            f"{g['reaction']:.4g}, {g['start']:.4g}, {g['escape']:.4g} nm"
            f" | {c['rate']:.4f} ± {c['error']:.4f} | {c['exact']:.4f} | {100 * c['deviation']:+.2f} % | "
            f"{c['beta']:.4f} ({c['exact_beta']:.4f}) | {c['counts']['seconds']:.0f} s |"
        )
    return _minus("\n".join(rows))


def salt_table(rows: list[dict]) -> str:
    out = ["| added salt | I | 1/κ | Au44+Au44 | Au44+Ag44 | Ag44+Ag44 |", "|---|---|---|---|---|---|"]
    by_salt: dict = {}
    for r in rows:
        by_salt.setdefault(r["salt_mM"], {})[r["pair"]] = r

    def cell(r):
        k, e, x = (float(r[key]) / 1e9 for key in ("k_bd_per_M_per_s", "k_bd_error_per_M_per_s", "k_exact_per_M_per_s"))
        return f"{k:.3g} ± {e:.2g} ({x:.3g})"

    for salt, pairs in by_salt.items():
        first = next(iter(pairs.values()))
        out.append(
            f"| {salt} mM | {float(first['ionic_strength_mM']):.3g} mM | {float(first['debye_length_nm']):.3g} nm | "
            + " | ".join(cell(pairs[p]) for p in ("Au44+Au44", "Au44+Ag44", "Ag44+Ag44"))
            + " |"
        )
    return "\n".join(out)


def _time(seconds) -> str:
    seconds = float(seconds)
    return f"{seconds * 1e6:.3g} µs" if seconds < 1e-3 else f"{seconds * 1e3:.3g} ms"


def feeding_table(rows: list[dict]) -> str:
    out = [
        "| R = Au44:Ag44 | Au44 | Ag44 | I | 1/κ | k Au44+Ag44 | one Ag44 meets an Au44 every | "
        "one Au44 meets an Ag44 every | one Ag44 meets an Ag44 every |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['ratio']} | {float(r['Au44_mM']):.3g} mM | {float(r['Ag44_mM']):.3g} mM | "
            f"{float(r['ionic_strength_mM']):.3g} mM | {float(r['debye_length_nm']):.3g} nm | "
            f"{float(r['k_Au44+Ag44_per_M_per_s']) / 1e9:.3g} | {_time(r['t_Ag44_meets_Au44_s'])} | "
            f"{_time(r['t_Au44_meets_Ag44_s'])} | {_time(r['t_Ag44_meets_Ag44_s'])} |"
        )
    return "\n".join(out)


def sweep_numbers() -> tuple[str, str]:
    """The sweep's cost and how its BD rates scatter about the exact ones, in standard errors."""
    points = {p["key"]: p for p in json.loads((SWEEP / "encounter.json").read_text())["points"]}.values()
    z = [(p["rate"] - p["exact"]) / p["error"] for p in points]
    mean, spread = statistics.fmean(z), statistics.stdev(z)
    error = spread / len(z) ** 0.5
    worst = max(points, key=lambda p: abs(p["rate"] - p["exact"]) / p["error"])
    worst_z = (worst["rate"] - worst["exact"]) / worst["error"]
    minutes = sum(p["counts"]["seconds"] for p in points) / 60
    cost = f"{len(z)} distinct rates in\n{minutes:.1f} minutes of simulation"
    bias = (
        f"Over all {len(z)} rates the BD rate lies on average {mean:+.2f} ± {error:.2f} standard errors from the "
        "exact one "
        f"(spread {spread:.2f}; the farthest, {'+'.join(worst['pair'])} at {worst['label']}, "
        f"{worst_z:+.1f} standard errors or {100 * worst['deviation']:+.2f} %)"
    )
    return cost, _minus(bias)


def _replace(text: str, name: str, block: str) -> str:
    pattern = re.compile(rf"(<!-- {name} -->\n?)(.*?)(\n?<!-- /{name} -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"marker {name} missing")
    return pattern.sub(lambda m: m.group(1) + block + m.group(3), text)


def write_tables() -> None:
    page = (DOCS / "charged.md").read_text()
    page = _replace(
        page, "validation-table", validation_table(json.loads((DOCS / "charged_validation.json").read_text()))
    )
    with open(DOCS / "charged_ionic_strength.csv") as handle:
        page = _replace(page, "salt-table", salt_table(list(csv.DictReader(handle))))
    with open(DOCS / "charged_feeding_ratio.csv") as handle:
        page = _replace(page, "feeding-table", feeding_table(list(csv.DictReader(handle))))
    cost, bias = sweep_numbers()
    page = _replace(page, "sweep-cost", cost)
    page = _replace(page, "sweep-bias", bias)
    (DOCS / "charged.md").write_text(page)
    summary = (SWEEP / "summary.txt").read_text().splitlines()
    lines = [line for line in summary if "trajectories" in line and " k = " in line]
    readme = (ROOT / "README.md").read_text()
    (ROOT / "README.md").write_text(_replace(readme, "encounter-numbers", "```\n" + "\n".join(lines) + "\n```"))


def main() -> None:
    if "--tables" not in sys.argv:
        data = validation()
        data["date"] = time.strftime("%Y-%m-%d")
        (DOCS / "charged_validation.json").write_text(json.dumps(data, indent=1, default=str) + "\n")
        for name in ("ionic_strength.png", "feeding_ratio.png", "ionic_strength.csv", "feeding_ratio.csv", "rates.csv"):
            if not (SWEEP / name).exists():
                raise SystemExit(f"{SWEEP / name} is missing: run dipolewire encounter runs/au44-ag44-dmf.toml first")
            shutil.copy(SWEEP / name, DOCS / f"charged_{name}")
    write_tables()


if __name__ == "__main__":
    main()
