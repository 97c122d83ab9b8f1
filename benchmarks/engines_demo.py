"""HOOMD-blue against LAMMPS on the standard drying system, and where HOOMD-blue's loop spends its time.

    python benchmarks/engines_demo.py [--pairs 3] [--profile] [--json benchmarks/engines_demo.json]

Each pair runs the standard drying system (benchmarks/_systems.py demo_document: the demo's 150 R-Au-Cu
clusters in CH2Cl2, 40 ns of drying, walls and a moving interface) through `dipolewire run` on LAMMPS and
on HOOMD-blue CPU, one core each, alternating, and reports the ratio of run-loop times (set-up excluded).

With --profile, one more HOOMD-blue run under cProfile splits the loop into the time inside
`Simulation.run` (C++ only, unless a Python force, updater or writer is attached: the callbacks it makes
are listed) and the Python between engine calls (plane placement, εr, frames), per step.
"""

import argparse
import cProfile
import json
import pstats
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _systems import demo_document, quiet_run  # noqa: E402


def loop_seconds(engine: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        info = quiet_run(demo_document(engine), Path(tmp) / "out")
    return {"loop_s": info["loop_seconds"], "steps": info["steps_done"]}


def profile_hoomd() -> dict:
    """cProfile of one HOOMD-blue run: time in Simulation.run, Python called from inside it, the rest."""
    import hoomd

    profiler = cProfile.Profile()
    with tempfile.TemporaryDirectory() as tmp:
        profiler.enable()
        info = quiet_run(demo_document("hoomd"), Path(tmp) / "out")
        profiler.disable()
    stats = pstats.Stats(profiler)
    run_key = next(k for k in stats.stats if k[2] == "run" and k[0] == hoomd.simulation.__file__)
    calls, _, _, in_run, callers = stats.stats[run_key]
    # Python functions that Simulation.run called back (a Custom force's set_forces would be one)
    # (the C++ loop is a built-in called by run; a callback from it is charged to run or to that built-in)
    inner = {run_key} | {k for k, v in stats.stats.items() if k[0] == "~" and run_key in v[4]}
    callbacks = {
        f"{Path(k[0]).name}:{k[2]}": v[3]
        for k, v in stats.stats.items()
        if k[0] != "~" and k not in inner and inner & set(v[4])
    }
    steps = info["steps_done"]
    loop = info["loop_seconds"]
    return {
        "steps": steps,
        "loop_s": loop,
        "simulation_run_calls": calls,
        "in_simulation_run_s": in_run,
        "python_inside_run_s": sum(callbacks.values()),
        "python_callbacks": callbacks,
        "python_per_step_us": 1e6 * sum(callbacks.values()) / steps,
        "between_calls_per_step_us": 1e6 * max(0.0, loop - in_run) / steps,
        "note": "cProfile's own cost inflates the Python parts; Simulation.run's C++ time is untouched",
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=3, help="alternating LAMMPS/HOOMD-blue pairs")
    parser.add_argument("--profile", action="store_true", help="add a cProfile run of HOOMD-blue")
    parser.add_argument("--json", default=str(Path(__file__).with_name("engines_demo.json")))
    args = parser.parse_args()
    rows = []
    for k in range(args.pairs):
        lammps, hoomd = loop_seconds("lammps"), loop_seconds("hoomd")
        rows.append({"lammps_s": lammps["loop_s"], "hoomd_s": hoomd["loop_s"], "steps": lammps["steps"]})
        print(
            f"pair {k + 1}: LAMMPS {lammps['loop_s']:.2f} s, HOOMD-blue {hoomd['loop_s']:.2f} s, "
            f"ratio {hoomd['loop_s'] / lammps['loop_s']:.3f} ({lammps['steps']} steps)",
            flush=True,
        )
    ratios = [r["hoomd_s"] / r["lammps_s"] for r in rows]
    result = {"pairs": rows, "ratios": ratios, "median_ratio": statistics.median(ratios)}
    print(f"HOOMD-blue / LAMMPS: median {result['median_ratio']:.3f}, range {min(ratios):.3f}–{max(ratios):.3f}")
    if args.profile:
        result["profile"] = profile_hoomd()
        p = result["profile"]
        print(
            f"HOOMD-blue profile: {p['in_simulation_run_s']:.2f} s of {p['loop_s']:.2f} s in Simulation.run "
            f"({p['simulation_run_calls']} calls); Python called from inside it: "
            f"{p['python_per_step_us']:.2f} µs/step {p['python_callbacks'] or '(none)'}; "
            f"between calls {p['between_calls_per_step_us']:.2f} µs/step"
        )
    Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
