"""The engine settings dipolewire chooses, measured: neighbour-list skin and binning (LAMMPS),
neighbour-list buffer (HOOMD-blue), the dipole cut-off (speed and accuracy), the cost of a
written frame (for choosing the output cadence) and the cost of HOOMD-blue's per-step Python walls.

    python benchmarks/settings.py [--repeats 2] [--json benchmarks/settings.json]

Speeds are cluster-steps per second of the run loop (run.json, set-up excluded) for the periodic
chaining fluid of throughput.py at 10^4 clusters; the cases of a table alternate within each repeat.
The cut-off's accuracy is measured on the final deposit of the standard drying system (the demo
settings of overhead.py): the dipolar energy per cluster and the RMS dipolar force with the cut-off,
against the same sums out to 15 nm (just under half the 32 nm box), and the analytic fraction of an
infinite head-to-tail chain's energy that the cut-off discards.
"""

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

import freud
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _systems import bulk_document, demo_document, fixed_steps, quiet_run  # noqa: E402

from dipolewire import engines, physics, trajectory  # noqa: E402
from dipolewire.engines import available  # noqa: E402
from dipolewire.engines import hoomd as hoomd_engine  # noqa: E402
from dipolewire.engines import lammps as lammps_engine  # noqa: E402
from dipolewire.model import Model  # noqa: E402
from dipolewire.spec import from_dict  # noqa: E402

CLUSTERS = 10_000
STEPS = 400
REFERENCE_CUTOFF_NM = 15.0


def fluid_rate(engine, cutoff_nm=None):
    """Cluster-steps/s of a STEPS-step run of the 10^4-cluster chaining fluid."""
    document = bulk_document(engine, CLUSTERS, "1 ns")
    if cutoff_nm is not None:
        document["numerics"]["dipole_cutoff"] = f"{cutoff_nm} nm"
    document = fixed_steps(document, STEPS)
    with tempfile.TemporaryDirectory() as tmp:
        info = quiet_run(document, Path(tmp) / "out")
    return info["steps_per_second"] * CLUSTERS


def sweep(cases, apply, measure, repeats, label):
    """Median rate per case over ``repeats`` rounds in which the cases alternate."""
    rates = {case: [] for case in cases}
    for _ in range(repeats):
        for case in cases:
            apply(case)
            rates[case].append(measure(case))
            print(f"  {label} {case}: {rates[case][-1]:.3e} cluster-steps/s", flush=True)
    return [{"case": list(case), "rates": r, "median": statistics.median(r)} for case, r in rates.items()]


def lammps_neighbor(repeats):
    default = (lammps_engine.NEIGHBOR_SKIN_NM, lammps_engine.NEIGHBOR_BINNING)
    cases = [(skin, binning) for binning in ("bin", "multi") for skin in (0.3, 0.5, 0.8)]

    def apply(case):
        lammps_engine.NEIGHBOR_SKIN_NM, lammps_engine.NEIGHBOR_BINNING = case

    try:
        return sweep(cases, apply, lambda case: fluid_rate("lammps"), repeats, "LAMMPS skin, binning")
    finally:
        apply(default)


def hoomd_buffer(repeats):
    default = hoomd_engine.NLIST_BUFFER_NM
    cases = [(buffer,) for buffer in (0.3, 0.5, 0.8, 1.2)]

    def apply(case):
        hoomd_engine.NLIST_BUFFER_NM = case[0]

    try:
        return sweep(cases, apply, lambda case: fluid_rate("hoomd"), repeats, "HOOMD-blue buffer")
    finally:
        apply((default,))


def hoomd_wall_share(repeats):
    """Share of HOOMD-blue's run loop spent in the per-step Python walls, on the standard drying system."""
    import time

    create = hoomd_engine._HarmonicWalls.create
    spent = {"calls": 0, "seconds": 0.0}

    def timed_create(*args, **kwargs):
        walls = create(*args, **kwargs)
        set_forces = walls.set_forces

        def timed(timestep):
            start = time.perf_counter()
            set_forces(timestep)
            spent["seconds"] += time.perf_counter() - start
            spent["calls"] += 1

        walls.set_forces = timed
        return walls

    rows = []
    hoomd_engine._HarmonicWalls.create = staticmethod(timed_create)
    try:
        for _ in range(repeats):
            spent.update(calls=0, seconds=0.0)
            with tempfile.TemporaryDirectory() as tmp:
                info = quiet_run(demo_document("hoomd"), Path(tmp) / "out")
            rows.append(
                {
                    "loop_s": info["loop_seconds"],
                    "walls_s": spent["seconds"],
                    "us_per_step": 1e6 * spent["seconds"] / spent["calls"],
                    "share": spent["seconds"] / info["loop_seconds"],
                }
            )
            print(f"  HOOMD-blue walls: {rows[-1]['us_per_step']:.0f} us/step, {rows[-1]['share']:.1%} of the loop")
    finally:
        hoomd_engine._HarmonicWalls.create = staticmethod(create)
    return rows


def cutoff_speed(repeats):
    cases = [(c,) for c in (4.0, 5.4, 6.0, 8.0, 10.0)]
    return sweep(cases, lambda case: None, lambda case: fluid_rate("lammps", case[0]), repeats, "LAMMPS cut-off")


def deposit_frame(engine, workdir):
    """The last frame of the standard drying system run to its end."""
    info_dir = Path(workdir) / "demo"
    quiet_run(demo_document(engine), info_dir)
    with trajectory.open_trajectory(info_dir / "trajectory.gsd") as traj:
        return traj[-1]


def cutoff_accuracy(frame, kT, cutoffs):
    """Dipolar energy per cluster (kT) and RMS force with each cut-off, against REFERENCE_CUTOFF_NM."""
    box_lengths, positions, _ = trajectory.cluster_state(frame)
    mu = trajectory.dipoles(frame)
    eps_r = trajectory.logged(frame, "eps_r")
    # the film is periodic in x and y only: a z length beyond any cut-off keeps pairs unwrapped in z
    box = freud.box.Box(box_lengths[0], box_lengths[1], 10 * (np.ptp(positions[:, 2]) + REFERENCE_CUTOFF_NM))
    query = freud.locality.AABBQuery(box, positions)
    pairs = query.query(positions, {"r_max": REFERENCE_CUTOFF_NM, "exclude_ii": True}).toNeighborList()
    i, j = pairs.query_point_indices, pairs.point_indices
    keep = i < j
    i, j = i[keep], j[keep]
    r_ij = box.wrap(positions[i] - positions[j])
    distance = np.linalg.norm(r_ij, axis=1)
    energy = physics.dipole_energy(r_ij, mu[i], mu[j], eps_r)
    force = physics.dipole_force(r_ij, mu[i], mu[j], eps_r)  # on i
    n = len(positions)

    def sums(cutoff):
        inside = distance <= cutoff
        f = np.zeros((n, 3))
        np.add.at(f, i[inside], force[inside])
        np.add.at(f, j[inside], -force[inside])
        return energy[inside].sum() / n / kT, f

    e_ref, f_ref = sums(REFERENCE_CUTOFF_NM)
    f_scale = np.sqrt(np.mean(np.sum(f_ref**2, axis=1)))
    rows = []
    for cutoff in cutoffs:
        e, f = sums(cutoff)
        rows.append(
            {
                "cutoff_nm": cutoff,
                "energy_per_cluster_kT": e,
                "energy_error": (e - e_ref) / abs(e_ref),
                "rms_force_error": float(np.sqrt(np.mean(np.sum((f - f_ref) ** 2, axis=1))) / f_scale),
                "infinite_chain_fraction_lost": physics.chain_truncation_fraction(cutoff, 1.8),
            }
        )
    return {"reference_cutoff_nm": REFERENCE_CUTOFF_NM, "reference_energy_kT": e_ref, "eps_r": eps_r, "rows": rows}


def frame_cost(engine, clusters, frames=20):
    """Seconds per output frame: the engine's snapshot (a gather on LAMMPS), the state checks, the GSD
    write with its flush and the atomic run.json update, timed directly on a set-up engine."""
    import time

    from dipolewire import runner
    from dipolewire.trajectory import TrajectoryWriter

    document = demo_document(engine) if clusters == 150 else bulk_document(engine, clusters, "1 ns")
    model = Model(from_dict(document))
    start = runner.fresh_start(model, 1)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        run = engines.create(engine, model, out / "engine")
        (out / "engine").mkdir()
        run.setup(start, 1)
        record = runner.RunRecord(model.spec, model, run, "benchmark", out)
        with TrajectoryWriter(out / "trajectory.gsd", model, start.chirality) as writer:
            started = time.perf_counter()
            for k in range(frames):
                snap = run.snapshot()
                runner.check_state(snap, model)
                writer.write(snap)
                record.frame(k, snap)
            seconds = (time.perf_counter() - started) / frames
        run.close()
    print(f"  {engine} {clusters} clusters: {seconds * 1e3:.2f} ms per frame", flush=True)
    return {"engine": engine, "clusters": clusters, "seconds_per_frame": seconds}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--json", default=str(Path(__file__).with_name("settings.json")))
    args = parser.parse_args()
    engines = [e for e, ok in available().items() if ok]
    results = {"clusters": CLUSTERS, "steps": STEPS}
    if "lammps" in engines:
        results["lammps_neighbor"] = lammps_neighbor(args.repeats)
        results["cutoff_speed"] = cutoff_speed(args.repeats)
        results["frame_cost"] = [frame_cost("lammps", n) for n in (150, CLUSTERS, 100_000)]
    if "hoomd" in engines:
        results["hoomd_buffer"] = hoomd_buffer(args.repeats)
        results["hoomd_walls"] = hoomd_wall_share(args.repeats)
        results["frame_cost"] = results.get("frame_cost", []) + [frame_cost("hoomd", n) for n in (150, CLUSTERS)]
    with tempfile.TemporaryDirectory() as tmp:
        engine = "lammps" if "lammps" in engines else "hoomd"
        frame = deposit_frame(engine, tmp)
        kT = Model(from_dict(demo_document(engine))).kT
        results["cutoff_accuracy"] = cutoff_accuracy(frame, kT, [3.0, 4.0, 5.4, 6.0, 8.0, 10.0])

    print()
    for key, title in (("lammps_neighbor", "LAMMPS skin (nm), binning"), ("hoomd_buffer", "HOOMD-blue buffer (nm)")):
        for row in results.get(key, []):
            print(f"{title:28} {str(tuple(row['case'])):16} median {row['median']:.3e} cluster-steps/s")
    for row in results.get("cutoff_speed", []):
        print(f"{'LAMMPS dipole cut-off (nm)':28} {row['case'][0]:<16} median {row['median']:.3e} cluster-steps/s")
    acc = results["cutoff_accuracy"]
    print(f"\ndeposit: εr {acc['eps_r']:.2f}, dipolar energy {acc['reference_energy_kT']:.3f} kT/cluster at 15 nm")
    print(f"{'cut-off nm':>10} {'E kT/cluster':>13} {'E error':>9} {'RMS F error':>12} {'chain lost':>11}")
    for row in acc["rows"]:
        print(
            f"{row['cutoff_nm']:10.1f} {row['energy_per_cluster_kT']:13.3f} {row['energy_error']:9.2%} "
            f"{row['rms_force_error']:12.2%} {row['infinite_chain_fraction_lost']:11.2%}"
        )
    for row in results.get("hoomd_walls", []):
        print(f"HOOMD-blue walls: {row['us_per_step']:.0f} us per step, {row['share']:.1%} of the run loop")
    for row in results.get("frame_cost", []):
        print(f"{row['engine']} {row['clusters']} clusters: {row['seconds_per_frame'] * 1e3:.2f} ms per frame written")
    Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
