"""What a finished run leaves for a person to look at: figures and a short text summary.

``drying.png``   film height and εr, the fraction of clusters in chains, chain lengths and the dipole
                 energy against time (the analysis time series, 3D)
``deposit.png``  top view of the final deposit, Janus clusters drawn bead by bead with their dipoles
``summary.txt``  the run's key numbers

"In chains" uses the analysis chain criterion (:class:`~dipolewire.analysis.chains.Chains`): 3D
during drying, 2D for a deposit seen from above, as a TEM image sees it.
"""

from __future__ import annotations

from pathlib import Path

from ..trajectory import open_trajectory
from ..units import zJ_to_kJ_per_mol
from . import figures
from .run_analysis import analyze_frame, time_series


def write_outputs(result) -> None:
    """Figures and summary.txt for a finished run (a :class:`~dipolewire.runner.RunResult`); prints the summary."""
    out = Path(result.out_dir)
    model = result.model
    with open_trajectory(out / "trajectory.gsd") as trajectory:
        rows = time_series(trajectory, range(len(trajectory)))
        last = trajectory[-1]
        steps = int(last.configuration.step)
        final = analyze_frame(last)
        figures.save(figures.time_series(rows, 3), out / "drying.png")
        figures.save(figures.top_view(last).figure, out / "deposit.png")
    first, end = rows[0], rows[-1]
    energy_kT = end["dipole_energy_per_cluster_kT"]
    criterion = final.chains.describe().split(", ", 1)[1]
    lines = [
        f"run {model.spec.name}: {model.N} × {model.spec.cluster.preset}, engine {result.engine}",
        f"simulated {end['time_ns']:.4g} ns in {steps} steps"
        + (f" ({result.steps} since the last resume)" if result.steps != steps else "")
        + f", {result.wall_seconds:.1f} s wall ({result.steps_per_second:.4g} steps/s)",
        f"Péclet number {model.peclet:.3g}; film {first['film_height_nm']:.4g} → {end['film_height_nm']:.4g} nm; "
        f"εr {first['eps_r']:.3g} → {end['eps_r']:.3g}; λ {model.coupling(first['eps_r']):.2f} → "
        f"{model.coupling(end['eps_r']):.2f}",
        f"clusters in chains ({criterion}): {first['fraction_in_chains']:.0%} at the start (3D) → "
        f"{end['fraction_in_chains']:.0%} at the end (3D); final frame analysed in {final.dimensions}D: "
        f"{final.chains.fraction_in_chains:.0%}, ⟨n⟩w = {final.chains.weight_average:.2f}",
        f"dipole energy per cluster at the end: {energy_kT:.2f} kT "
        f"({zJ_to_kJ_per_mol(energy_kT * model.kT):.2f} kJ/mol)",
        f"files: {out / 'trajectory.gsd'}, drying.png, deposit.png, spec.toml, run.json",
    ]
    (out / "summary.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
