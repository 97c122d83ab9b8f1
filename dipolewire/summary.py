"""What a finished run leaves for a person to look at: figures and a short text summary.

``drying.png``   film height, εr and the head-to-tail contact fraction against time
``deposit.png``  top view of the final deposit, Janus clusters drawn bead by bead with their dipoles
``summary.txt``  the run's key numbers
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .chains import head_to_tail_fraction
from .runner import CONTACT_DIAMETERS
from .trajectory import centers, dipoles, logged
from .units import zJ_to_kJ_per_mol

BEAD_COLOURS = {"Au": "#d4a017", "Cu": "#b87333", "Cd": "#8a9597"}


def time_series(path) -> dict[str, np.ndarray]:
    """Per-frame time (ns), film height (nm), εr, dipole energy per cluster (kT) and contact fraction."""
    import gsd.hoomd

    rows = []
    with gsd.hoomd.open(str(path)) as trajectory:
        for frame in trajectory:
            idx = centers(frame)
            box = frame.configuration.box[:3]
            diameter = float(frame.particles.diameter[idx[0]])
            rows.append(
                (
                    logged(frame, "time"),
                    logged(frame, "film_height"),
                    logged(frame, "eps_r"),
                    logged(frame, "dipole_energy") / len(idx),
                    head_to_tail_fraction(
                        frame.particles.position[idx],
                        frame.particles.orientation[idx],
                        box,
                        CONTACT_DIAMETERS * diameter,
                    ),
                )
            )
    data = np.array(rows)
    return dict(
        zip(
            ("time", "film_height", "eps_r", "dipole_energy_per_cluster", "contact_fraction"),
            data.T,
            strict=True,
        )
    )


def plot_drying(series: dict, kT: float, path=None):
    """Three stacked panels against time: film height, εr, contact fraction (and dipole energy)."""
    from .plot import _pyplot

    plt = _pyplot()
    fig, axes = plt.subplots(3, 1, figsize=(6.0, 7.0), sharex=True, layout="constrained")
    t = series["time"]
    axes[0].plot(t, series["film_height"], color="tab:blue")
    axes[0].set_ylabel("film height H (nm)")
    axes[1].plot(t, series["eps_r"], color="tab:purple")
    axes[1].set_ylabel("permittivity εr")
    axes[2].plot(t, series["contact_fraction"], color="tab:red", label="head-to-tail contact")
    axes[2].set_ylabel("fraction in contact")
    axes[2].set_ylim(0, 1)
    twin = axes[2].twinx()
    twin.plot(
        t,
        series["dipole_energy_per_cluster"] / kT,
        color="0.4",
        lw=1,
        ls="--",
        label="dipole energy",
    )
    twin.set_ylabel("dipole energy per cluster (kT)")
    axes[2].set_xlabel("time t (ns)")
    lines = axes[2].get_lines() + twin.get_lines()
    axes[2].legend(lines, [line.get_label() for line in lines], loc="upper left", fontsize=8)
    axes[0].set_title("drying protocol and chaining", fontsize=10)
    if path is not None:
        fig.savefig(path, dpi=150)
    return axes


def plot_deposit(frame, path=None, ax=None):
    """Top view (x–y, nm) of a frame: each bead a circle of its diameter, each dipole an arrow."""
    from matplotlib.collections import EllipseCollection

    from .plot import _pyplot

    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 6.5), layout="constrained")
    p = frame.particles
    idx = centers(frame)
    beads = np.setdiff1d(np.arange(p.N), idx)
    names = [p.types[t] for t in p.typeid[beads]]
    colours = [BEAD_COLOURS.get(name, "0.6") for name in names]
    # draw lower beads first so that the top of the film is what one sees
    order = np.argsort(p.position[beads, 2])
    d = p.diameter[beads][order]
    ax.add_collection(
        EllipseCollection(
            d,
            d,
            np.zeros_like(d),
            units="xy",
            offsets=p.position[beads][order, :2],
            offset_transform=ax.transData,
            facecolors=np.array(colours)[order],
            edgecolors="k",
            linewidths=0.3,
        )
    )
    mu = dipoles(frame)
    u = mu / np.linalg.norm(mu, axis=1, keepdims=True)
    half = 0.35 * p.diameter[idx][:, None] * u
    start = p.position[idx] - half
    ax.quiver(
        start[:, 0],
        start[:, 1],
        2 * half[:, 0],
        2 * half[:, 1],
        angles="xy",
        scale_units="xy",
        scale=1,
        width=0.003,
        color="k",
    )
    L = frame.configuration.box[0]
    ax.set_xlim(-L / 2, L / 2)
    ax.set_ylim(-L / 2, L / 2)
    ax.set_aspect("equal")
    ax.set_xlabel("x (nm)")
    ax.set_ylabel("y (nm)")
    ax.set_title(
        f"deposit at t = {logged(frame, 'time'):.0f} ns (Au gold, Cu copper, arrows: dipoles)",
        fontsize=10,
    )
    if path is not None:
        ax.figure.savefig(path, dpi=150)
    return ax


def write_outputs(result) -> None:
    """Figures and summary.txt for a finished run; prints the one-line summary."""
    import gsd.hoomd

    out = Path(result.out_dir)
    model = result.model
    series = time_series(out / "trajectory.gsd")
    plot_drying(series, model.kT, out / "drying.png")
    with gsd.hoomd.open(str(out / "trajectory.gsd")) as trajectory:
        plot_deposit(trajectory[-1], out / "deposit.png")
    energy = series["dipole_energy_per_cluster"][-1]
    lines = [
        f"run {model.spec.name}: {model.N} × {model.spec.cluster.preset}, engine {result.engine}",
        f"simulated {series['time'][-1]:.4g} ns in {result.steps} steps, {result.wall_seconds:.1f} s wall "
        f"({result.steps_per_second:.4g} steps/s)",
        f"Péclet number {model.peclet:.3g}; film {series['film_height'][0]:.4g} → {series['film_height'][-1]:.4g} nm; "
        f"εr {series['eps_r'][0]:.3g} → {series['eps_r'][-1]:.3g}; λ {model.coupling(series['eps_r'][0]):.2f} → "
        f"{model.coupling(series['eps_r'][-1]):.2f}",
        f"clusters with a head-to-tail neighbour (within {CONTACT_DIAMETERS} d): "
        f"{series['contact_fraction'][0]:.0%} at the start → {series['contact_fraction'][-1]:.0%} at the end",
        f"dipole energy per cluster at the end: {energy / model.kT:.2f} kT ({zJ_to_kJ_per_mol(energy):.2f} kJ/mol)",
        f"files: {out / 'trajectory.gsd'}, drying.png, deposit.png, spec.toml, run.json",
    ]
    (out / "summary.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
