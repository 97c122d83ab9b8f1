"""Print the tables of docs/performance.md (Markdown) from the JSON files the benchmarks wrote.

python benchmarks/tables.py [--results benchmarks/results]
"""

import argparse
import json
import statistics
from pathlib import Path

ENGINE = {"lammps": "LAMMPS", "hoomd": "HOOMD-blue CPU"}


def _load(results, name):
    path = Path(results) / name
    return json.loads(path.read_text()) if path.is_file() else None


def overhead(data):
    print("| engine | pairs | dipolewire (median) | direct (median) | ratio (median) | ratio range |")
    print("|---|---|---|---|---|---|")
    for engine, row in data.items():
        print(
            f"| {ENGINE[engine]} | {len(row['ratios'])} | {statistics.median(row['dipolewire_s']):.2f} s "
            f"| {statistics.median(row['direct_s']):.2f} s | {row['median_ratio']:.3f} "
            f"| {min(row['ratios']):.3f}–{max(row['ratios']):.3f} |"
        )


def throughput(runs):
    print(
        "| engine | clusters | ranks × threads | steps | cluster-steps/s, "
        + " / ".join(f"run {k + 1}" for k in range(len(runs)))
        + " |"
    )
    print("|---|---|---|---|---|")
    for k, row in enumerate(runs[0]["rows"]):
        rates = " / ".join(f"{run['rows'][k]['cluster_steps_per_s'] / 1e6:.2f}e6" for run in runs)
        print(
            f"| {ENGINE[row['engine']]} | {row['clusters']:,} | {row['ranks']} × {row['threads']} | {row['steps']} "
            f"| {rates} |".replace(",", " ")
        )


def exponents(runs):
    for engine in ENGINE:
        values = [x for run in runs for x in run["exponents"].get(engine, [])]
        if values:
            print(
                f"- {ENGINE[engine]}: {len(values)} fits, median {statistics.median(values):.3f}, "
                f"range {min(values):.3f}–{max(values):.3f} ({', '.join(f'{x:.3f}' for x in values)})"
            )


def settings(data):
    print("| LAMMPS skin (nm) | binning | cluster-steps/s (median) | runs |")
    print("|---|---|---|---|")
    for row in data.get("lammps_neighbor", []):
        skin, binning = row["case"]
        rates = ", ".join(f"{r / 1e6:.2f}e6" for r in row["rates"])
        print(f"| {skin} | {binning} | {row['median'] / 1e6:.2f}e6 | {rates} |")
    print()
    print("| HOOMD-blue buffer (nm) | cluster-steps/s (median) | runs |")
    print("|---|---|---|")
    for row in data.get("hoomd_buffer", []):
        rates = ", ".join(f"{r / 1e6:.2f}e6" for r in row["rates"])
        print(f"| {row['case'][0]} | {row['median'] / 1e6:.2f}e6 | {rates} |")
    print()
    speed = {row["case"][0]: row for row in data.get("cutoff_speed", [])}
    acc = data["cutoff_accuracy"]
    print(
        "| dipole cut-off (nm) | LAMMPS cluster-steps/s (median) | energy error | RMS force error "
        "| infinite chain's energy lost |"
    )
    print("|---|---|---|---|---|")
    for row in acc["rows"]:
        c = row["cutoff_nm"]
        rate = f"{speed[c]['median'] / 1e6:.2f}e6" if c in speed else "–"
        print(
            f"| {c:g} | {rate} | {100 * row['energy_error']:+.2f} % | {100 * row['rms_force_error']:.2f} % "
            f"| {100 * row['infinite_chain_fraction_lost']:.2f} % |"
        )
    print(
        f"\nreference: {acc['reference_energy_kT']:.3f} kT per cluster at {acc['reference_cutoff_nm']:g} nm, "
        f"εr = {acc['eps_r']:.2f}"
    )
    print("\n| engine | clusters | ms per frame written |")
    print("|---|---|---|")
    for row in data.get("frame_cost", []):
        print(
            f"| {ENGINE[row['engine']]} | {row['clusters']:,} | {1e3 * row['seconds_per_frame']:.2f} |".replace(
                ",", " "
            )
        )
    for row in data.get("hoomd_walls", []):
        print(f"- HOOMD-blue walls: {row['us_per_step']:.0f} µs per step, {100 * row['share']:.1f} % of the run loop")


def engines_demo(data):
    print("| pair | LAMMPS loop (s) | HOOMD-blue CPU loop (s) | HOOMD-blue / LAMMPS |")
    print("|---|---|---|---|")
    for k, (row, ratio) in enumerate(zip(data["pairs"], data["ratios"], strict=True)):
        print(f"| {k + 1} | {row['lammps_s']:.2f} | {row['hoomd_s']:.2f} | {ratio:.3f} |")
    print(f"\nmedian {data['median_ratio']:.3f}, range {min(data['ratios']):.3f}–{max(data['ratios']):.3f}")
    p = data.get("profile")
    if p:
        print(
            f"\nprofile: {p['steps']} steps, loop {p['loop_s']:.2f} s, "
            f"in Simulation.run {p['in_simulation_run_s']:.2f} s "
            f"({p['simulation_run_calls']} calls); Python inside run {p['python_per_step_us']:.2f} µs/step "
            f"({p['python_callbacks']}); between calls {p['between_calls_per_step_us']:.2f} µs/step"
        )


def large_film(rows):
    print("| engine | ranks × threads | clusters | steps | loop (s) | set-up (s) | cluster-steps/s |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {ENGINE[row['engine']]} | {row['ranks']} × {row['threads']} | {row['clusters']:,} | {row['steps']} "
            f"| {row['loop_s']:.1f} | {row['setup_s']:.1f} | {row['cluster_steps_per_s'] / 1e6:.2f}e6 |".replace(
                ",", " "
            )
        )


def lammps_profile(rows):
    sections = [k for k in ("Pair", "Neigh", "Comm", "Modify", "Output", "Other") if rows[0].get(k) is not None]
    print("| section | " + " | ".join(f"{r['clusters']:,} clusters".replace(",", " ") for r in rows) + " |")
    print("|---|" + "---|" * len(rows))
    for key in (*sections, "total"):
        print(f"| {key} | " + " | ".join(f"{1e3 * r[key] / r['clusters']:.3f}" for r in rows) + " |")
    print("\n(µs per cluster-step)")


def memory(rows):
    print("| clusters | run (MiB) | analysis (MiB) |")
    print("|---|---|---|")
    for row in rows:
        print(f"| {row['clusters']:,} | {row['run_MiB']:.0f} | {row['analysis_MiB']:.0f} |".replace(",", " "))
    if len(rows) >= 2:
        a, b = rows[-2], rows[-1]
        dn = b["clusters"] - a["clusters"]
        between = f"{a['clusters']:,} and {b['clusters']:,}".replace(",", " ")
        print(
            f"\nper cluster between {between}: run {1024 * (b['run_MiB'] - a['run_MiB']) / dn:.2f} KiB, "
            f"analysis {1024 * (b['analysis_MiB'] - a['analysis_MiB']) / dn:.2f} KiB"
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", default=str(Path(__file__).with_name("results")))
    args = parser.parse_args()
    sections = [
        ("Overhead", "overhead.json", overhead),
        ("Settings", "settings.json", settings),
    ]
    for title, name, render in sections:
        data = _load(args.results, name)
        if data:
            print(f"\n## {title}\n")
            render(data)
    runs = [r for r in (_load(args.results, f"throughput-{k}.json") for k in (1, 2)) if r]
    if runs:
        print("\n## Throughput\n")
        throughput(runs)
    scaling = [
        r for r in (_load(args.results, n) for n in ("throughput-1.json", "throughput-2.json", "scaling.json")) if r
    ]
    if scaling:
        print("\n## Scaling exponents (serial, loop time per step)\n")
        exponents(scaling)
    large = _load(args.results, "throughput-large.json")
    if large:
        print("\n## Large systems\n")
        throughput([large])
        exponents([large])
    million = _load(args.results, "throughput-million.json")
    if million:
        print("\n## Throughput to 10⁶ clusters\n")
        throughput([million])
        exponents([million])
    for title, name, render in (
        ("HOOMD-blue against LAMMPS on the drying system", "engines_demo.json", engines_demo),
        ("The micrometre film", "large_film.json", large_film),
        ("LAMMPS's timing breakdown", "lammps_profile.json", lammps_profile),
        ("Memory", "memory.json", memory),
    ):
        data = _load(args.results, name)
        if data:
            print(f"\n## {title}\n")
            render(data)
    data = _load(args.results, "analysis.json")
    if data:
        print("\n## Analysis\n")
        for row in data:
            print("| " + " | ".join(f"{v:.3g}" if isinstance(v, float) else str(v) for v in row.values()) + " |")


if __name__ == "__main__":
    main()
