"""What ``dipolewire encounter FILE`` computes and writes.

For every species pair of the file it measures the encounter rate constant by Brownian dynamics (the
Northrup–Allison–McCammon method, :mod:`.nam`) at the file's solution state, then at every added-salt
concentration of ``[ionic_strength]`` and every feeding ratio of ``[feeding]``. Each point is written to
``encounter.json`` as soon as it is measured; run the file again and the points already measured with the
same inputs are kept, so an interrupted sweep loses nothing. Then the tables and figures are written:

- ``rates.csv``: each pair at the file's state: BD rate ± standard error and the exact Debye–Smoluchowski rate;
- ``ionic_strength.csv`` / ``.png``: rates against the ionic strength;
- ``feeding_ratio.csv`` / ``.png``: rates, encounter frequencies and times between encounters against R;
- ``summary.txt``: the same in words, with what it does not say.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..errors import InputError
from ..physics import translational_friction
from ..run_folder import hold, write_json, write_text
from ..units import MOLAR_PER_NM3
from . import mixture, nam, rates
from .spec import EncounterSpec

RESULTS = "encounter.json"


@dataclass(frozen=True)
class Point:
    """One rate to measure: ``sweep`` ("file", "ionic_strength" or "feeding"), its ``label`` (e.g. "1:40" or
    "10 mM"), the species ``pair`` and the solution ``conditions`` (:class:`~.mixture.Conditions`)."""

    sweep: str
    label: str
    pair: tuple[str, str]
    conditions: mixture.Conditions


def choose_engine(requested: str) -> str:
    """The engine for encounters: the one asked for, or for ``auto`` the first installed in the registry's
    order without a GPU preference (LAMMPS, else HOOMD-blue): two-body trajectories checked every step
    favour the engine with the cheaper step call."""
    from ..engines import choose

    try:
        return choose(requested, device="cpu")[0]
    except InputError as exc:
        raise InputError("encounter.engine", exc.message) from None


def _salt_label(salt: float) -> str:
    return f"{salt / MOLAR_PER_NM3 * 1e3:g} mM"


def points(spec: EncounterSpec) -> list[Point]:
    """Every rate the file asks for, in the order they are measured."""
    out = []
    here = mixture.conditions(spec)
    out += [Point("file", "file", pair, here) for pair in spec.encounter.pairs]
    for salt in spec.salt_sweep:
        state = mixture.conditions(spec, salt=salt)
        out += [Point("ionic_strength", _salt_label(salt), pair, state) for pair in spec.encounter.pairs]
    if spec.feeding is not None:
        for ratio, label in zip(spec.feeding.ratios, spec.feeding.labels, strict=True):
            state = mixture.conditions(spec, mixture.feeding_concentrations(spec, ratio))
            out += [Point("feeding", label, pair, state) for pair in spec.encounter.pairs]
    return out


@dataclass(frozen=True)
class Task:
    """A point made ready to run: its pair interaction, relative diffusion, geometry, frictions and seed."""

    point: Point
    pair: object
    diffusion: float
    gammas: tuple[float, float]
    geometry: nam.Geometry
    seed: int

    def key(self, spec: EncounterSpec, engine: str) -> str:
        """A digest of everything that decides this point's result."""
        settings = spec.encounter
        payload = json.dumps(
            [
                nam.METHOD_VERSION,
                engine,
                self.pair.__dict__,
                self.diffusion,
                self.gammas,
                self.geometry.__dict__,
                spec.solvent.temperature,
                settings.trajectories,
                settings.concurrent,
                self.seed,
            ],
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def prepare(spec: EncounterSpec, point: Point) -> Task:
    """The :class:`Task` of ``point``: its interaction, its geometry (automatic where the file says so)."""
    a, b = (spec.species_named(n) for n in point.pair)
    pair = mixture.pair_between(spec, a, b, point.conditions.kappa)
    gammas = tuple(float(translational_friction(spec.solvent.viscosity, s.hydrodynamic_diameter)) for s in (a, b))
    diffusion = mixture.relative_diffusion(spec, a, b)
    settings = spec.encounter
    try:
        geometry = nam.choose_geometry(
            pair,
            diffusion,
            spec.kT,
            reaction=settings.reaction_distance,
            start=settings.start_distance,
            escape=settings.escape_distance,
            timestep=settings.timestep,
        )
    except nam.GeometryError as exc:
        raise InputError(exc.field, f"{a.name}+{b.name} at {point.label}: {exc}") from None
    # the seed follows the physics, so that points of one state (the file's and a sweep's) are one measurement
    physics = json.dumps([pair.__dict__, diffusion, geometry.__dict__], sort_keys=True)
    seed = (settings.seed * 1_000_003 + zlib.crc32(physics.encode())) % 2**31
    return Task(point, pair, diffusion, gammas, geometry, seed)


def estimated_hours(spec: EncounterSpec, tasks: list[Task]) -> float:
    """Rough wall time (h) of the distinct points of ``tasks`` on one core (:func:`~.nam.estimated_steps` at
    :data:`~.nam.TRAJECTORY_STEPS_PER_S`)."""
    distinct = {task.key(spec, "plan"): task for task in tasks}.values()
    steps = sum(nam.estimated_steps(t.geometry, t.diffusion) for t in distinct) * spec.encounter.trajectories
    return steps / nam.TRAJECTORY_STEPS_PER_S / 3600.0


def _progress_printer(prefix: str, quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None

    def show(done, total):
        print(f"\r{prefix} {100 * done / total:5.1f} %", end="", file=sys.stderr, flush=True)

    return show


def tasks_of(spec: EncounterSpec) -> list[Task]:
    """Every point of ``spec`` made ready to run (:func:`points`, :func:`prepare`)."""
    return [prepare(spec, p) for p in points(spec)]


def measure(
    spec: EncounterSpec, out, engine: str, *, tasks: list[Task] | None = None, quiet: bool = False
) -> list[dict]:
    """Measure every point (keeping those already in ``out``/encounter.json with the same inputs) and write
    the tables and figures; returns the measured points as dicts. ``tasks``: :func:`tasks_of` ``spec``, if the
    caller has them already."""
    out = Path(out)
    tasks = tasks_of(spec) if tasks is None else tasks
    with hold(out):
        kept = _read_results(out)
        measured: dict = {}
        results = []
        for number, task in enumerate(tasks, 1):
            key = task.key(spec, engine)
            p = task.point
            tag = f"[{number}/{len(tasks)}] {'+'.join(p.pair)} at {p.label}"
            if key in measured or key in kept:
                row = {**(measured.get(key) or kept[key]), "sweep": p.sweep, "label": p.label}
                row.update(_state_columns(p))
                results.append(row)
                measured[key] = row
                if not quiet:
                    print(
                        f"{tag}: the same state as measured {'above' if key in measured else f'in {RESULTS}'}",
                        file=sys.stderr,
                    )
                continue
            rate = nam.encounter_rate(
                task.pair,
                p.pair,
                engine,
                task.gammas,
                spec.solvent.temperature,
                task.diffusion,
                spec.kT,
                task.geometry,
                spec.encounter.trajectories,
                spec.encounter.concurrent,
                task.seed,
                progress=_progress_printer(tag, quiet),
                kappa=p.conditions.kappa,
            )
            row = _row(task, rate, key)
            results.append(row)
            measured[key] = row
            _write_results(out, spec, results, tasks)
            if not quiet:
                end = "\r" if sys.stderr.isatty() else ""
                print(
                    f"{end}{tag}: k = {row['rate_per_M_per_s']:.3e} ± {row['error_per_M_per_s']:.1e} M⁻¹s⁻¹ "
                    f"(exact {row['exact_per_M_per_s']:.3e}, {100 * row['deviation']:+.2f} %), "
                    f"{rate.counts.seconds:.0f} s",
                    file=sys.stderr,
                )
        previous = (out / RESULTS).read_bytes() if (out / RESULTS).exists() else b""
        _write_results(out, spec, results, tasks)
        # the tables and figures follow encounter.json: redrawn only when it changed or one is missing
        if (out / RESULTS).read_bytes() != previous or not all((out / name).exists() for name in _outputs(spec)):
            write_tables(spec, results, out)
    return results


def _outputs(spec: EncounterSpec) -> list[str]:
    """The files :func:`write_tables` writes for ``spec``."""
    names = ["rates.csv", "summary.txt"]
    if spec.salt_sweep:
        names += ["ionic_strength.csv", "ionic_strength.png"]
    if spec.feeding is not None:
        names += ["feeding_ratio.csv", "feeding_ratio.png"]
    return names


def _row(task: Task, rate: nam.EncounterRate, key: str) -> dict:
    p = task.point
    row = rate.to_dict()
    row.update(key=key, sweep=p.sweep, label=p.label, amplitude_zJ_nm=task.pair.amplitude)
    row.update(_state_columns(p))
    return row


def _state_columns(p: Point) -> dict:
    """The solution state of a point (concentrations differ between points that share a pair's rate)."""
    return dict(
        concentrations_mM={name: c / MOLAR_PER_NM3 * 1e3 for name, c in p.conditions.concentrations.items()},
        salt_mM=p.conditions.salt / MOLAR_PER_NM3 * 1e3,
        ionic_strength_mM=p.conditions.ionic_strength / MOLAR_PER_NM3 * 1e3,
        debye_length_nm=p.conditions.debye_length,
    )


def _read_results(out: Path) -> dict:
    try:
        data = json.loads((out / RESULTS).read_text())
        return {row["key"]: row for row in data.get("points", []) if isinstance(row, dict) and "key" in row}
    except (OSError, ValueError, AttributeError):
        return {}


def _write_results(out: Path, spec: EncounterSpec, results: list[dict], tasks: list[Task]) -> None:
    write_json(
        out / RESULTS,
        {
            "dipolewire": __version__,
            "name": spec.name,
            "source": spec.source,
            "measured": len(results),
            "planned": len(tasks),
            "points": results,
        },
    )


# --- tables --------------------------------------------------------------------------------------


def _csv(path: Path, header: list[str], rows: list[list]) -> None:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    write_text(path, text.getvalue())


def _rate_columns(row: dict) -> list:
    return [
        f"{row['rate_per_M_per_s']:.5e}",
        f"{row['error_per_M_per_s']:.2e}",
        f"{row['exact_per_M_per_s']:.5e}",
        f"{row['rate']:.5e}",
        f"{row['error']:.2e}",
        f"{row['exact']:.5e}",
        f"{100 * row['deviation']:+.3f}",
    ]


RATE_HEADER = [
    "k_bd_per_M_per_s",
    "k_bd_error_per_M_per_s",
    "k_exact_per_M_per_s",
    "k_bd_nm3_per_ns",
    "k_bd_error_nm3_per_ns",
    "k_exact_nm3_per_ns",
    "deviation_percent",
]


def feeding_rows(spec: EncounterSpec, results: list[dict]) -> list[dict]:
    """Per feeding ratio: concentrations (mM), ionic strength (mM), Debye length (nm), each pair's BD rate
    (nm³/ns) ± error, and the encounter frequencies (1/s) and mean times between encounters (s) of one
    cluster of each species with each species."""
    a, b = spec.feeding.between
    rows = []
    for label in spec.feeding.labels:
        here = [r for r in results if r["sweep"] == "feeding" and r["label"] == label]
        if not here:
            continue
        conc = {n: c * MOLAR_PER_NM3 * 1e-3 for n, c in here[0]["concentrations_mM"].items()}
        k = {tuple(r["pair"]): r["rate"] for r in here}
        err = {tuple(r["pair"]): r["error"] for r in here}
        nu = mixture.frequencies(k, conc)
        nu_err = mixture.frequencies(err, conc)
        rows.append(
            {
                "label": label,
                "ratio": spec.feeding.ratios[spec.feeding.labels.index(label)],
                "concentrations_mM": here[0]["concentrations_mM"],
                "ionic_strength_mM": here[0]["ionic_strength_mM"],
                "debye_length_nm": here[0]["debye_length_nm"],
                "rates": k,
                "errors": err,
                "frequency_per_s": {pair: v * 1e9 for pair, v in nu.items()},
                "frequency_error_per_s": {pair: v * 1e9 for pair, v in nu_err.items()},
                "between": (a, b),
            }
        )
    return rows


def write_tables(spec: EncounterSpec, results: list[dict], out: Path) -> None:
    """rates.csv, ionic_strength.csv/.png, feeding_ratio.csv/.png and summary.txt from ``results``."""
    from ..analysis.figures import save
    from . import figures

    here = [r for r in results if r["sweep"] == "file"]
    header = [
        "pair",
        "ionic_strength_mM",
        "debye_length_nm",
        "reaction_nm",
        "start_nm",
        "escape_nm",
        "timestep_ns",
        "trajectories",
        "beta",
        "beta_exact",
        *RATE_HEADER,
    ]
    _csv(out / "rates.csv", header, [_geometry_columns(r) + _rate_columns(r) for r in here])
    salt = [r for r in results if r["sweep"] == "ionic_strength"]
    if salt:
        _csv(
            out / "ionic_strength.csv",
            ["salt_mM", "pair", "ionic_strength_mM", "debye_length_nm", *RATE_HEADER],
            [
                [
                    f"{r['salt_mM']:g}",
                    "+".join(r["pair"]),
                    f"{r['ionic_strength_mM']:.5g}",
                    f"{r['debye_length_nm']:.5g}",
                    *_rate_columns(r),
                ]
                for r in salt
            ],
        )
        save(figures.ionic_strength_figure(spec, salt), out / "ionic_strength.png")
    feeding = feeding_rows(spec, results) if spec.feeding is not None else []
    if feeding:
        a, b = spec.feeding.between
        pairs = sorted({p for row in feeding for p in row["frequency_per_s"]})
        header = ["ratio", f"{a}_mM", f"{b}_mM", "ionic_strength_mM", "debye_length_nm"]
        header += [f"k_{x}+{y}_per_M_per_s" for x, y in spec.encounter.pairs]
        header += [f"nu_{x}_meets_{y}_per_s" for x, y in pairs] + [f"t_{x}_meets_{y}_s" for x, y in pairs]
        rows = []
        for row in feeding:
            line = [
                row["label"],
                f"{row['concentrations_mM'][a]:.5g}",
                f"{row['concentrations_mM'][b]:.5g}",
                f"{row['ionic_strength_mM']:.5g}",
                f"{row['debye_length_nm']:.5g}",
            ]
            line += [f"{rates.to_per_molar_second(row['rates'][p]):.4e}" for p in spec.encounter.pairs]
            line += [f"{row['frequency_per_s'][p]:.4e}" for p in pairs]
            line += [f"{1 / row['frequency_per_s'][p]:.4e}" if row["frequency_per_s"][p] > 0 else "inf" for p in pairs]
            rows.append(line)
        _csv(out / "feeding_ratio.csv", header, rows)
        save(figures.feeding_figure(spec, feeding), out / "feeding_ratio.png")
    write_text(out / "summary.txt", summary(spec, results, feeding))


def _geometry_columns(r: dict) -> list:
    g = r["geometry"]
    return [
        "+".join(r["pair"]),
        f"{r['ionic_strength_mM']:.5g}",
        f"{r['debye_length_nm']:.5g}",
        f"{g['reaction']:.5g}",
        f"{g['start']:.5g}",
        f"{g['escape']:.5g}",
        f"{g['timestep']:.4g}",
        r["counts"]["trajectories"],
        f"{r['beta']:.5f}",
        f"{r['exact_beta']:.5f}",
    ]


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "never"
    for unit, size in (("h", 3600.0), ("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"


def summary(spec: EncounterSpec, results: list[dict], feeding: list[dict]) -> str:
    """The results in words."""
    s, e = spec.solvent, spec.electrolyte
    lines = [
        f"dipolewire {__version__} encounter: {spec.name}",
        f"solvent {s.preset or 'given by hand'}: εr = {s.eps_r:g}, η = {s.viscosity:g} mPa·s, T = {s.temperature:g} K",
        f"screening: {e.screening}; counter-ions {'counted' if e.counterions else 'not counted'}; "
        f"clusters {'' if e.clusters_screen else 'not '}in the ionic strength",
        "",
        "Rate constants at the file's state (Brownian dynamics, NAM; ± one standard error) and the exact",
        "Debye–Smoluchowski value of the same model:",
    ]
    for r in (r for r in results if r["sweep"] == "file"):
        lines.append(
            f"  {'+'.join(r['pair']):<12} k = {r['rate_per_M_per_s']:.3e} ± {r['error_per_M_per_s']:.1e} M⁻¹s⁻¹"
            f" ({r['rate']:.4g} ± {r['error']:.2g} nm³/ns)  exact {r['exact_per_M_per_s']:.3e}"
            f" ({100 * r['deviation']:+.2f} %)"
            f"  I = {r['ionic_strength_mM']:.3g} mM, 1/κ = {r['debye_length_nm']:.3g} nm, "
            f"{r['counts']['trajectories']} trajectories"
        )
    if feeding:
        a, b = spec.feeding.between
        lines += [
            "",
            f"Feeding ratio {a}:{b} (mother solutions of equal cluster concentration mixed by volume, "
            f"{spec.feeding.total_concentration / MOLAR_PER_NM3 * 1e3:g} mM in all):",
            f"  {'R':>7}  {'I mM':>6}  {'1/κ nm':>6}  one {b} meets a {a} every   one {a} meets a {b} every",
        ]
        for row in feeding:
            nu = row["frequency_per_s"]
            lines.append(
                f"  {row['label']:>7}  {row['ionic_strength_mM']:6.3g}  {row['debye_length_nm']:6.3g}  "
                f"{_duration(1 / nu[(b, a)]) if nu[(b, a)] > 0 else 'never':>26}   "
                f"{_duration(1 / nu[(a, b)]) if nu[(a, b)] > 0 else 'never':>22}"
            )
    lines += [
        "",
        "What this says: how often clusters of the model meet (reach the reaction distance) in a dilute solution.",
        "What it does not say: whether a meeting exchanges metal atoms. Exchange chemistry, ligand",
        "protonation, ion pairing and hydrodynamic interactions are not in the model (docs/charged.md).",
    ]
    return "\n".join(lines) + "\n"
