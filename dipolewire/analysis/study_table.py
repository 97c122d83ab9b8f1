"""A study's results: one row per run, mean ± standard error per point, and state diagrams.

Written into the study folder (the signac project)::

    study.csv          one row per finished run: job id, swept values, replica, seed, and every measure of its
                       last frame (units in the column names)
    study_points.csv   one row per point: the swept values, the number of replicas, each measure's mean and
                       standard error s/√n across replicas, and the equilibrium predictor's ⟨n⟩w (2D) at the
                       point's end state
    state_diagram.png  weight-average chain length, fraction of spacings in 1.8–2.5 nm, polar and nematic order
                       against the study's axes, mean ± SE

Each run's last frame is measured as ``dipolewire analyze`` measures it (2D once the film is a deposit);
its ``analysis.json`` in the job folder keeps the numbers.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from .replica_stats import mean_and_error

#: Columns of study.csv after the identifiers: (column, section, key).
MEASURE_COLUMNS = (
    ("fraction_in_chains", "chains", "fraction_in_chains"),
    ("number_average_length", "chains", "number_average_length"),
    ("weight_average_length", "chains", "weight_average_length"),
    ("longest_chain_clusters", "chains", "longest_chain_clusters"),
    ("longest_chain_nm", "chains", "longest_chain_nm"),
    ("rings", "chains", "rings"),
    ("spacing_mean_nm", "spacing", "mean_nm"),
    ("spacing_std_nm", "spacing", "std_nm"),
    ("fraction_spacings_in_tem_band", "spacing", "fraction_in_tem_band"),
    ("polar_order", "order", "polar"),
    ("nematic_order", "order", "nematic"),
    ("chain_order_2d", "order", "chain_order_2d"),
)
#: The state diagrams' panels: (column, label).
DIAGRAM_PANELS = (
    ("weight_average_length", "weight-average chain length ⟨n⟩w (clusters)"),
    ("fraction_spacings_in_tem_band", "fraction of spacings in 1.8–2.5 nm"),
    ("polar_order", "polar order of dipoles"),
    ("nematic_order", "nematic order of dipoles"),
)


def measure_run(folder) -> dict | None:
    """The last frame's measures of a finished run (cached in ``analysis.json``), or None if unfinished."""
    from ..run_folder import read_record
    from ..trajectory import open_trajectory
    from .run_analysis import analyze_frame

    folder = Path(folder)
    cache = folder / "analysis.json"
    trajectory = folder / "trajectory.gsd"
    if cache.is_file() and trajectory.is_file() and cache.stat().st_mtime >= trajectory.stat().st_mtime:
        return json.loads(cache.read_text())
    if read_record(folder).get("status") != "completed":
        return None
    with open_trajectory(trajectory) as frames:
        last = frames[-1]
        result = analyze_frame(last)
        time_ns = float(last.log["dipolewire/time"][0]) if "dipolewire/time" in last.log else float("nan")
    measures = {
        "dimensions": result.dimensions,
        "time_ns": time_ns,
        "chains": result.chains.summary(),
        "spacing": result.spacing.summary(),
        "order": result.order.summary(),
    }
    tmp = cache.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(measures, indent=2, default=_plain) + "\n")
    tmp.replace(cache)
    return measures


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(type(value))


def tabulate(study, project) -> tuple[list[dict], list[dict]]:
    """(rows per run, rows per point) of the finished runs of ``study``."""
    runs = []
    for point in study.points:
        job = project.open_job(point.statepoint)
        measures = measure_run(job.path) if job in project else None
        if measures is None:
            continue
        row = {
            "job": job.id,
            **point.overrides,
            "replica": point.replica,
            "seed": point.seed,
            "dimensions": measures["dimensions"],
        }
        for column, section, key in MEASURE_COLUMNS:
            row[column] = measures[section][key]
        runs.append(row)
    points = []
    for combo in study.values:
        overrides = dict(zip(study.fields, combo, strict=True))
        members = [r for r in runs if all(r[f] == v for f, v in overrides.items())]
        if not members:
            continue
        row = {**overrides, "replicas": len(members)}
        for column, _, _ in MEASURE_COLUMNS:
            entry = mean_and_error([m[column] for m in members])
            row[column] = entry["mean"]
            row[column + "_se"] = entry["se"]
            row[column + "_n"] = entry["n"]  # runs with a finite value (a run without bonds has no spacing)
        points.append(row)
    return runs, points


def add_predictions(study, points: list[dict]) -> None:
    """The equilibrium predictor's ⟨n⟩w (2D, ideal chains, :mod:`dipolewire.predict`) at each point's end
    state, as ``predicted_weight_average_length_2d``. One pair table serves every point with the same
    cluster, film and cut-off; εr, attraction depth and density change only the cheap part."""
    from ..model import Model
    from ..predict import PairTable, end_state, mass_action
    from ..spec import from_dict

    tables = {}
    for row in points:
        overrides = {f: row[f] for f in study.fields}
        spec = from_dict(study.document(_first_point(study, overrides)), source=str(study.source))
        model = Model(spec)
        key = _pair_table_key(spec)
        if key not in tables:
            tables[key] = PairTable(model, 2)
        table = tables[key]
        state = end_state(model)
        K = table.K(state["eps_r"], spec.hypotheses.ligand_attraction / model.kT)
        row["predicted_weight_average_length_2d"] = mass_action(K, state["rho_2d"])["weight_average"]


#: Fields a pair table does not depend on: the point's density, εr and attraction depth enter cheaply.
_CHEAP_FIELDS = {
    "name": None,
    "amount": None,
    "solvent": ("eps_r",),
    "drying": ("eps_r_dry", "hold"),
    "hypotheses": ("ligand_attraction",),
    "numerics": ("seed", "threads", "engine", "device", "output_interval"),
}


def _pair_table_key(spec) -> str:
    """The resolved run file without :data:`_CHEAP_FIELDS`: points with the same key share a pair table."""
    from ..spec import _resolved_document

    document = _resolved_document(spec)
    for section, keys in _CHEAP_FIELDS.items():
        if keys is None:
            document.pop(section, None)
        else:
            for key in keys:
                document.get(section, {}).pop(key, None)
    return repr(sorted((k, sorted(v.items()) if isinstance(v, dict) else v) for k, v in document.items()))


def _first_point(study, overrides):
    return next(p for p in study.points if p.overrides == overrides)


def write_table(path: Path, rows: list[dict]) -> None:
    if not rows:
        path.write_text("")
        return
    columns = list(rows[0])
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def aggregate(study, project, log=print, predictions=True) -> tuple[list[dict], list[dict]]:
    """Measure every finished run and write study.csv, study_points.csv (with the predictor's ⟨n⟩w) and
    state_diagram.png."""
    from . import figures

    runs, points = tabulate(study, project)
    folder = Path(study.folder)
    write_table(folder / "study.csv", runs)
    write_table(folder / "study_points.csv", points)  # written before anything that might fail
    if points and predictions:
        try:
            add_predictions(study, points)
            write_table(folder / "study_points.csv", points)
        except Exception as exc:  # noqa: BLE001 - the measured tables stand without the prediction
            log(f"the equilibrium prediction failed ({str(exc).splitlines()[0]}); the tables hold the runs only")
    if points:
        figures.save(figures.state_diagram(points, study.axes, study.name), folder / "state_diagram.png")
    log(
        f"{len(runs)} of {len(study.points)} runs finished; written to {folder}/ (study.csv, study_points.csv"
        + (", state_diagram.png)" if points else ")")
    )
    return runs, points
