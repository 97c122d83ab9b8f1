"""Every figure dipolewire draws, in one place.

Figures are :class:`matplotlib.figure.Figure` objects made here or Axes handed in; nothing selects a
backend or touches pyplot's global state, so the same functions serve scripts, the command line and
notebooks (pass ``ax`` from ``plt.subplots()`` there, or let a measurement show itself as a PNG).
Lengths nm, times ns, energies kT unless a label says otherwise.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from .tem import TEM_BAND_NM

#: Bead colours of the top view, by bead type.
BEAD_COLOURS = {"Au": "#d4a017", "Cu": "#b87333", "Cd": "#8a9597"}
#: Clusters in no chain.
FREE_COLOUR = (0.82, 0.82, 0.82, 1.0)


def new_axes(figsize=(5.5, 3.8), nrows=1, ncols=1, **kwargs):
    """Axes on a new Figure with constrained layout (no pyplot)."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained").subplots(nrows, ncols, **kwargs)


def render_png(fig, dpi=100) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def save(fig, path, dpi=150) -> None:
    """Write ``fig`` to ``path`` (its format from the suffix) atomically: a reader never sees half a picture."""
    import os
    from pathlib import Path

    path = Path(path)
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    try:
        fig.savefig(tmp, dpi=dpi)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def shade_tem_band(ax, label="TEM 1.8–2.5 nm", alpha=0.2, band=TEM_BAND_NM) -> None:
    """The TEM spacing band (default 1.8–2.5 nm) shaded on an axis of spacings; ``label`` None for none."""
    ax.axvspan(*band, color="tab:orange", alpha=alpha, label=label)


# --- measurements ------------------------------------------------------------------------------


def chain_length_histogram(chains, ax=None):
    """Histogram of open-chain lengths (clusters) of a computed :class:`~dipolewire.analysis.Chains`."""
    ax = ax if ax is not None else new_axes()
    lengths = chains.lengths
    top = int(lengths.max()) if len(lengths) else 1
    ax.hist(lengths, bins=np.arange(0.5, top + 1.5), color="tab:blue", edgecolor="k", lw=0.5)
    ax.set_xlabel("chain length (clusters)")
    ax.set_ylabel("number of chains")
    ax.set_title(
        f"⟨n⟩ₙ = {chains.number_average:.2f}, ⟨n⟩w = {chains.weight_average:.2f}, "
        f"{chains.fraction_in_chains:.0%} in chains ({chains.dimensions}D), {len(chains.rings)} rings",
        fontsize=9,
    )
    return ax


def spacing_histogram(spacing, ax=None, tem_band=True):
    """Histogram of the spacings (nm) of a computed :class:`~dipolewire.analysis.Spacing`."""
    ax = ax if ax is not None else new_axes()
    if tem_band:
        shade_tem_band(ax)
    counts, edges = spacing.histogram
    ax.stairs(counts, edges, fill=True, color="tab:blue", alpha=0.7, label="simulated bonds")
    if len(spacing.distances):  # from just below the closest contact or the band, not from zero
        ax.set_xlim(max(0.0, min(float(np.min(spacing.distances)), TEM_BAND_NM[0]) - 0.3), edges[-1])
    ax.set_xlabel("intercluster spacing (nm)")
    ax.set_ylabel("bonds")
    ax.set_title(f"mean {spacing.mean:.3f} nm, s.d. {spacing.std:.3f} nm, n = {len(spacing.distances)}", fontsize=9)
    ax.legend(fontsize=8)
    return ax


def chain_angle_histogram(order, ax=None):
    """Histogram of the chains' in-plane angles of a computed :class:`~dipolewire.analysis.Order`."""
    ax = ax if ax is not None else new_axes()
    ax.hist(order.chain_angles, bins=np.linspace(-90, 90, 19), color="tab:green", edgecolor="k", lw=0.5)
    ax.set_xlabel("chain angle in the substrate plane (degrees)")
    ax.set_ylabel("chains")
    ax.set_title(
        f"2D chain order {order.chain_order_2d:.2f}, dipole polar {order.polar:.2f}, nematic {order.nematic:.2f}",
        fontsize=9,
    )
    return ax


def spacing_and_rdf(spacing, rdf, dimensions: int):
    """Two panels: the spacing histogram with the TEM band, and g(r) of the cluster centres."""
    axes = new_axes((10, 3.8), 1, 2)
    spacing_histogram(spacing, axes[0])
    axes[1].plot(*rdf, color="k")
    shade_tem_band(axes[1], label=None)
    axes[1].set_xlabel("r (nm)")
    axes[1].set_ylabel(f"g(r) ({dimensions}D)")
    return axes[0].figure


# --- frames ---------------------------------------------------------------------------------------


#: Least saturation (HSV) and least RGB distance from :data:`FREE_COLOUR` of a chain's colour: pale tints such as
#: tab20's lilac (saturation 0.17, 0.14 from the grey) read as "free" in a crowded deposit.
CHAIN_MIN_SATURATION = 0.3
CHAIN_MIN_DISTANCE_FROM_FREE = 0.3


def chain_palette() -> list:
    """Colours for chains: tab20, Set1 and Dark2 without greys or pale tints near the free grey."""
    from matplotlib import colormaps
    from matplotlib.colors import rgb_to_hsv

    palette = []
    for name in ("tab20", "Set1", "Dark2"):
        for colour in colormaps[name].colors:
            rgb = np.asarray(colour[:3])
            far = np.linalg.norm(rgb - np.asarray(FREE_COLOUR[:3])) >= CHAIN_MIN_DISTANCE_FROM_FREE
            if rgb_to_hsv(rgb)[1] >= CHAIN_MIN_SATURATION and far and tuple(rgb) not in palette:
                palette.append(tuple(rgb))
    return palette


def _chain_colours(chains, n_clusters):
    """A colour per cluster: each chain its own saturated hue (:func:`chain_palette`), clusters in no chain grey.

    A chain's hue follows its lowest cluster index, so that a chain keeps its colour from one frame of a
    movie to the next while it lasts (the order of the chain list changes whenever any chain does).
    """
    palette = chain_palette()
    groups = list(chains.chains) + list(chains.rings)
    colours = [FREE_COLOUR if len(m) == 1 else (*palette[int(np.min(m)) % len(palette)], 1.0) for m in groups]
    return [colours[c] for c in chains.chain_id[:n_clusters]]


@dataclass
class _Discs:
    """What a frame's views draw: clusters as discs (beads, or a schematic Janus pair), in nm."""

    box: np.ndarray  # (3,) box lengths
    positions: np.ndarray  # (N, 3) cluster centres
    u: np.ndarray  # (N, 3) unit dipole directions
    diameter: float  # of a cluster
    xyz: np.ndarray  # (M, 3) disc centres
    sizes: np.ndarray  # (M,) disc diameters
    owner: np.ndarray  # (M,) cluster of each disc
    names: list | None  # bead type of each disc; None for the schematic pair


def _discs(frame) -> _Discs:
    """Each bead of a dipolewire frame as a disc of its diameter; frames without beads (any GSD file with
    oriented particles) get a Janus pair of discs per cluster, the larger at the head of its dipole."""
    from ..trajectory import centers, cluster_state

    box, positions, directions = cluster_state(frame)
    u = directions / np.linalg.norm(directions, axis=1, keepdims=True)
    p = frame.particles
    idx = centers(frame) if p.body is not None and np.any(np.asarray(p.body) >= 0) else np.arange(p.N)
    diameter = float(np.asarray(p.diameter)[idx[0]]) if len(idx) else 1.8
    beads = np.setdiff1d(np.arange(p.N), idx)
    if len(beads):
        owner = np.asarray(p.body)[beads]
        names = [p.types[t] for t in np.asarray(p.typeid)[beads]]
        return _Discs(
            box,
            positions,
            u,
            diameter,
            np.asarray(p.position, float)[beads],
            np.asarray(p.diameter)[beads],
            owner,
            names,
        )
    head = positions + 0.2 * diameter * u
    tail = positions - 0.25 * diameter * u
    n = len(positions)
    sizes = np.concatenate([np.full(n, 0.6 * diameter), np.full(n, 0.85 * diameter)])
    return _Discs(box, positions, u, diameter, np.concatenate([tail, head]), sizes, np.tile(np.arange(n), 2), None)


def _draw_discs(ax, offsets, sizes, colours, gid=None):
    """Discs of diameter ``sizes`` (data units, nm) at the 2D ``offsets``, outlined in black."""
    from matplotlib.collections import EllipseCollection

    ax.add_collection(
        EllipseCollection(
            sizes,
            sizes,
            np.zeros(len(sizes)),
            units="xy",
            offsets=offsets,
            offset_transform=ax.transData,
            facecolors=colours,
            edgecolors="k",
            linewidths=0.3,
            gid=gid,
        )
    )


def top_view(frame, chains=None, ax=None):
    """Top view (x–y, nm) of a GSD frame: each bead a disc of its diameter, each dipole an arrow.

    Beads are coloured by metal, or by chain when a computed ``chains`` is given (grey: in no chain).
    Frames without beads (any GSD file with oriented particles) draw each cluster as a Janus pair of
    discs, the larger at the head of its dipole.
    """
    from ..trajectory import logged

    ax = ax if ax is not None else new_axes((6.5, 6.5))
    d = _discs(frame)
    cluster_colours = _chain_colours(chains, len(d.positions)) if chains is not None else None
    if cluster_colours is not None:
        colours = [cluster_colours[o] for o in d.owner]
    elif d.names is not None:
        colours = [BEAD_COLOURS.get(name, "0.6") for name in d.names]
    else:
        colours = [BEAD_COLOURS["Au"]] * len(d.sizes)
    order = np.argsort(d.xyz[:, 2], kind="stable")  # lower beads first: one sees the top of the film
    _draw_discs(ax, d.xyz[order][:, :2], d.sizes[order], [colours[k] for k in order], gid="top-view-discs")
    box, positions, u, diameter = d.box, d.positions, d.u, d.diameter
    half = 0.35 * diameter * u
    start = positions - half
    ax.quiver(
        start[:, 0], start[:, 1], 2 * half[:, 0], 2 * half[:, 1], angles="xy", scale_units="xy", scale=1, width=0.003
    )
    ax.set_xlim(-box[0] / 2, box[0] / 2)
    ax.set_ylim(-box[1] / 2, box[1] / 2)
    ax.set_aspect("equal")
    ax.set_xlabel("x (nm)")
    ax.set_ylabel("y (nm)")
    when = f"t = {logged(frame, 'time'):.0f} ns: " if "dipolewire/time" in frame.log else ""
    if chains is not None:
        title = (
            f"{when}{chains.fraction_in_chains:.0%} of clusters in chains\n({chains.describe()})\n"
            "colour = chain, grey = in no chain, arrows = dipoles"
        )
    else:
        title = f"{when}Au gold, Cu copper, arrows = dipoles"
    ax.set_title(title, fontsize=8)
    return ax


def time_series(rows, dimensions: int = 3):
    """Measures against time (ns) from :func:`~dipolewire.analysis.run_analysis.time_series_row` rows:
    film height and εr, the fraction of clusters in chains, chain lengths and the dipole energy."""
    axes = new_axes((6.0, 8.0), 4, 1, sharex=True)
    t = np.array([r["time_ns"] for r in rows])

    def column(key):
        return np.array([r.get(key, np.nan) for r in rows], dtype=float)

    axes[0].plot(t, column("film_height_nm"), color="k")
    axes[0].set_ylabel("film height H (nm)")
    twin = axes[0].twinx()
    twin.plot(t, column("eps_r"), color="tab:purple", ls="--")
    twin.set_ylabel("εr (dashed)", color="tab:purple")
    axes[1].plot(t, column("fraction_in_chains"), color="tab:red")
    axes[1].set_ylabel(f"fraction in chains ({dimensions}D)")
    axes[1].set_ylim(0, 1)
    axes[2].plot(t, column("weight_average_length"), label="weight average", color="tab:blue")
    axes[2].plot(t, column("number_average_length"), label="number average", color="tab:cyan")
    axes[2].set_ylabel("chain length (clusters)")
    axes[2].legend(fontsize=8)
    axes[3].plot(t, column("dipole_energy_per_cluster_kT"), color="0.3")
    axes[3].set_ylabel("dipole energy per cluster (kT)")
    axes[3].set_xlabel("time t (ns)")
    return axes[0].figure


# --- the energy command and TEM comparison ---------------------------------------------------------


def energy_curve(table, query, ax=None, marked=None):
    """E(r) of an :class:`~dipolewire.analysis.energy_table.EnergyTable` in kJ/mol and kT, with the TEM
    spacing band shaded; ``marked`` (another table) is drawn as points."""
    from ..units import e_nm_to_debye, zJ_to_kJ_per_mol

    ax = ax if ax is not None else new_axes((6.0, 4.0))
    kT_kJ = zJ_to_kJ_per_mol(query.kT)
    shade_tem_band(ax, "TEM spacing 1.8–2.5 nm", alpha=0.15)
    ax.axhline(-kT_kJ, color="0.5", lw=0.8, ls="--", label="−kT")
    ax.plot(table.r_nm, table.energy_kJ_per_mol, color="tab:blue", lw=2, label=query.geometry_name)
    if marked is not None and len(marked.r_nm) <= 50:
        ax.plot(marked.r_nm, marked.energy_kJ_per_mol, "o", color="tab:blue", ms=4)
    ax.set_xlabel("separation r (nm)")
    ax.set_ylabel("pair energy E (kJ/mol)")
    ax.secondary_yaxis("right", functions=(lambda e: e / kT_kJ, lambda k: k * kT_kJ)).set_ylabel(
        f"E (kT at {query.temperature_K:g} K)"
    )
    ax.set_title(f"μ = {e_nm_to_debye(query.mu):.4g} D, εr = {query.eps_r:g}", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    return ax


def tem_overlay(simulated, tem, stats: dict, ax=None):
    """Simulated and measured spacing densities on one axis (nm)."""
    ax = ax if ax is not None else new_axes((6, 4))
    shade_tem_band(ax, "TEM band", alpha=0.15, band=stats["band_nm"])
    from .binning import histogram
    from .tem import comparison_edges, display_edges

    if tem.is_histogram:
        density = tem.counts / tem.counts.sum() / np.diff(tem.edges)
        ax.stairs(density, tem.edges, color="k", lw=1.5, label=f"TEM (n = {tem.count})")
    else:
        edges = comparison_edges(simulated, tem)
        density = histogram(tem.distances, edges) / tem.count / np.diff(edges)
        ax.stairs(density, edges, color="k", lw=1.5, label=f"TEM (n = {tem.count})")
    # every simulated spacing appears, also outside the range the TEM data cover
    edges = display_edges(simulated, tem)
    density = histogram(simulated, edges) / len(simulated) / np.diff(edges)
    ax.stairs(density, edges, fill=True, color="tab:blue", alpha=0.5, label=f"simulated (n = {len(simulated)})")
    ax.set_xlabel("intercluster spacing (nm)")
    ax.set_ylabel("probability density (1/nm)")
    ax.set_title(
        f"KS {stats['ks_statistic']:.2f}, Wasserstein {stats['wasserstein_nm']:.3f} nm, "
        f"overlap {stats['overlap']:.2f}\n"
        f"{stats['fraction_simulated_outside_tem_range']:.0%} of simulated spacings outside the TEM data's range",
        fontsize=9,
    )
    ax.legend(fontsize=8)
    return ax


# --- the validation page ---------------------------------------------------------------------------


def validation_diffusion(diffusion: dict):
    """MSD per component against 2·Dt·t, and the Janus-axis autocorrelation against exp(−2·Dr·t)."""
    axes = new_axes((10, 3.8), 1, 2)
    for engine, data in diffusion.items():
        t, msd = np.array(data["msd_t"]), np.array(data["msd"])
        for c, axis in enumerate("xyz"):
            axes[0].plot(t, msd[:, c], ".", ms=3, label=f"{engine} {axis}")
        axes[1].semilogy(data["corr_t"], data["corr"], "o", ms=3, label=engine)
    any_data = next(iter(diffusion.values()))
    t = np.array(any_data["msd_t"])
    axes[0].plot(t, 2 * any_data["Dt"] * t, "k-", label="2 Dt t (Stokes–Einstein)")
    axes[0].set_xlabel("t (ns)")
    axes[0].set_ylabel("MSD per component (nm²)")
    axes[0].legend(fontsize=7)
    tc = np.array(any_data["corr_t"])
    axes[1].semilogy(tc, np.exp(-2 * any_data["Dr"] * tc), "k-", label="exp(−2 Dr t)")
    axes[1].set_xlabel("t (ns)")
    axes[1].set_ylabel("⟨u(0)·u(t)⟩")
    axes[1].legend(fontsize=7)
    return axes[0].figure


def validation_association(association: dict, measured: dict):
    """Dimer ratio ρ2/ρ1² (``measured[engine]`` = (λs, means, errors)) against the exact K(λ)."""
    ax = new_axes()
    for engine, (lams, means, errors) in measured.items():
        ax.errorbar(lams, means, yerr=errors, fmt="o", label=f"{engine}: ρ2/ρ1²")
    exact = next(iter(association.values()))
    lams = sorted(exact, key=float)
    ax.plot([float(k) for k in lams], [exact[k]["K"] for k in lams], "k-", label="exact K")
    ax.set_yscale("log")
    ax.set_xlabel("coupling λ")
    ax.set_ylabel("K (nm³)")
    ax.legend(fontsize=8)
    return ax.figure


def validation_drying(drying: dict):
    """The highest cluster centre against the descending interface H(t)."""
    ax = new_axes()
    for engine, data in drying.items():
        ax.plot(data["t"], data["top"], ".", label=f"{engine}: highest cluster centre")
    data = next(iter(drying.values()))
    ax.plot(data["t"], data["interface"], "k-", label="interface H(t) (set speed)")
    ax.set_xlabel("t (ns)")
    ax.set_ylabel("height above substrate (nm)")
    ax.legend(fontsize=8)
    return ax.figure


def pair_energy_landscape(curves: dict, distributions: dict, eps_r: float):
    """The model's pair energy and the bond lengths it predicts, in three panels.

    ``curves``: label → (r nm, head-to-tail energy kT, antiparallel side-by-side energy kT);
    ``distributions``: label → (bin edges nm, probabilities) of the exact two-body distance distribution.
    """
    axes = new_axes(figsize=(13.5, 3.8), ncols=3)
    fig = axes[0].figure
    for label, (r, head_to_tail, side_by_side) in curves.items():
        (line,) = axes[0].plot(r, head_to_tail, label=label)
        axes[1].plot(r, side_by_side, color=line.get_color(), linestyle=line.get_linestyle(), label=label)
    for ax, title in zip(
        axes[:2], ("head to tail (axes parallel, along r)", "side by side, antiparallel"), strict=True
    ):
        ax.axhline(0.0, color="0.6", linewidth=0.8)
        ax.set(xlabel="centre distance r (nm)", ylabel="pair energy (kT)", title=title)
        ax.set_ylim(top=6)
        shade_tem_band(ax)
    axes[0].legend(fontsize=8)
    for label, (edges, probability) in distributions.items():
        centres = 0.5 * (edges[1:] + edges[:-1])
        axes[2].plot(centres, probability / np.diff(edges), label=label)
    axes[2].set(
        xlabel="centre distance r (nm)",
        ylabel="probability density (1/nm)",
        title=f"two clusters alone, exact (εr = {eps_r:g})",
    )
    shade_tem_band(axes[2])
    axes[2].legend(fontsize=8)
    return fig


# --- several runs ------------------------------------------------------------------------------------


def _mean_band(ax, x, entry, colour, label):
    """Every run as a thin line, the mean as a thick one with a ± standard-error band."""
    for run in entry["runs"]:
        ax.plot(x, run, color=colour, lw=0.5, alpha=0.35)
    mean, se = np.asarray(entry["mean"], dtype=float), np.asarray(entry["se"], dtype=float)
    ax.plot(x, mean, color=colour, lw=1.8, label=label)
    ax.fill_between(x, mean - se, mean + se, color=colour, alpha=0.3, lw=0)


def replica_spread(result: dict):
    """The spread across runs (a :func:`~dipolewire.analysis.replica_stats.analyze_runs` result): the
    fraction in chains against time, the spacing density with per-bin standard errors, and each measure
    per run beside its mean ± SE."""
    from .replica_stats import MEASURES

    axes = new_axes((13, 4.0), 1, 3)
    n = len(result["runs"])
    series = result["time_series"]
    t = np.asarray(series["time_ns"]["mean"])
    _mean_band(axes[0], t, series["fraction_in_chains"], "tab:red", f"mean ± SE of {n} runs")
    axes[0].set_xlabel("time (ns)")
    axes[0].set_ylabel(f"fraction of clusters in chains ({result['time_series_dimensions']}D)")
    axes[0].legend(fontsize=8)
    density = result["spacing_density"]
    edges = np.asarray(density["edges_nm"])
    centres = 0.5 * (edges[1:] + edges[:-1])
    shade_tem_band(axes[1])
    if len(edges):
        axes[1].stairs(density["mean_per_nm"], edges, color="tab:blue", lw=1.5, label=f"mean of {n} runs")
        axes[1].errorbar(
            centres,
            density["mean_per_nm"],
            yerr=density["se_per_nm"],
            fmt="none",
            ecolor="k",
            lw=0.8,
            label="± SE per bin",
        )
    else:
        axes[1].text(0.5, 0.5, "no bonded neighbours in any run", ha="center", transform=axes[1].transAxes)
    axes[1].set_xlabel("intercluster spacing (nm)")
    axes[1].set_ylabel("probability density (1/nm)")
    axes[1].legend(fontsize=8)
    measures = result["measures"]
    keys = [
        key
        for _, key, _ in MEASURES
        if key in ("fraction_in_chains", "fraction_in_tem_band", "polar", "nematic", "chain_order_2d")
    ]
    for row, key in enumerate(keys):
        entry = measures[key]
        axes[2].plot(entry["values"], np.full(len(entry["values"]), row), "o", color="0.5", ms=4)
        axes[2].errorbar(entry["mean"], row, xerr=entry["se"], fmt="D", color="k", ms=5, capsize=3)
    labels = {key: label for _, key, label in MEASURES}
    axes[2].set_yticks(range(len(keys)), [labels[k] for k in keys], fontsize=8)
    axes[2].set_xlabel(f"value (grey: each run; black: mean ± SE, {result['dimensions']}D)")
    axes[0].figure.suptitle(
        f"{n} runs: {format_entry(measures['fraction_in_chains'], True)} in chains, spacing "
        f"{format_entry(measures['mean_nm'])} nm, ⟨n⟩w {format_entry(measures['weight_average_length'])}",
        fontsize=10,
    )
    return axes[0].figure


def format_entry(entry: dict, percent=False) -> str:
    """``mean ± se`` of a mean-and-error entry (a percentage for fractions)."""
    if percent:
        return f"{100 * entry['mean']:.1f} ± {100 * entry['se']:.1f} %"
    return f"{entry['mean']:.3f} ± {entry['se']:.3f}"


def tem_overlay_runs(spacings: list, tem, result: dict, ax=None):
    """TEM spacings beside the simulated density of several runs: per-bin mean ± standard error."""
    from .binning import histogram
    from .tem import display_edges

    ax = ax if ax is not None else new_axes((6, 4))
    shade_tem_band(ax, "TEM band", alpha=0.15, band=result["band_nm"])
    pooled = np.concatenate(spacings)
    edges = display_edges(pooled, tem)
    if tem.is_histogram:
        ax.stairs(
            tem.counts / tem.counts.sum() / np.diff(tem.edges),
            tem.edges,
            color="k",
            lw=1.5,
            label=f"TEM (n = {tem.count})",
        )
    else:
        ax.stairs(
            histogram(tem.distances, edges) / tem.count / np.diff(edges),
            edges,
            color="k",
            lw=1.5,
            label=f"TEM (n = {tem.count})",
        )
    densities = np.array([histogram(s, edges) / len(s) / np.diff(edges) for s in spacings])
    mean = densities.mean(axis=0)
    se = densities.std(axis=0, ddof=1) / np.sqrt(len(spacings))
    ax.stairs(mean, edges, fill=True, color="tab:blue", alpha=0.5, label=f"simulated, mean of {len(spacings)} runs")
    ax.errorbar(
        0.5 * (edges[1:] + edges[:-1]), mean, yerr=se, fmt="none", ecolor="tab:blue", lw=0.8, label="± SE per bin"
    )
    m = result["measures"]
    ax.set_xlabel("intercluster spacing (nm)")
    ax.set_ylabel("probability density (1/nm)")
    ax.set_title(
        f"KS {format_entry(m['ks_statistic'])}, overlap {format_entry(m['overlap'])}\n"
        f"{format_entry(m['fraction_simulated_outside_tem_range'], True)} of simulated spacings outside the TEM "
        "data's range",
        fontsize=9,
    )
    ax.legend(fontsize=8)
    return ax


# --- the drying movie ------------------------------------------------------------------------------

SUBSTRATE_COLOUR = "#8c7358"
SOLVENT_COLOUR = (0.62, 0.80, 0.96, 0.45)
INTERFACE_COLOUR = "#1f5fb4"


def movie_frame(frame, chains, film, z_top: float, size_px=(1280, 720), dpi=100, name: str | None = None):
    """One picture of a drying movie: a side view and a top view of a GSD frame, as a Figure of ``size_px``
    pixels at ``dpi``.

    Side view (x against height above the substrate, nm): every bead, the substrate below 0, the solvent
    and the evaporation interface at the film height H. Top view (x–y, nm): :func:`top_view` with the
    clusters coloured by ``chains`` (a computed :class:`~dipolewire.analysis.Chains`; grey: in no chain).
    ``film`` carries ``time_ns``, ``height_nm``, ``eps_r`` (None when unknown) and ``substrate_z``, the
    lab-frame z of the substrate (nm); ``z_top`` is the side view's upper limit above the substrate (nm),
    the same for every frame of a movie so that nothing in it jumps.
    """
    from matplotlib.figure import Figure
    from matplotlib.legend_handler import HandlerTuple
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    fig = Figure(figsize=(size_px[0] / dpi, size_px[1] / dpi), dpi=dpi, layout="constrained")
    side, top = fig.subplots(1, 2)
    d = _discs(frame)
    colours = _chain_colours(chains, len(d.positions))
    height = d.xyz[:, 2] - film.substrate_z
    order = np.argsort(-d.xyz[:, 1], kind="stable")  # seen from −y: the nearest beads are drawn last
    bottom = -0.08 * z_top
    side.axhspan(bottom, 0.0, color=SUBSTRATE_COLOUR, lw=0, gid="substrate")
    if film.height_nm is not None:
        side.axhspan(0.0, film.height_nm, color=SOLVENT_COLOUR, lw=0, gid="solvent")
        side.axhline(film.height_nm, color=INTERFACE_COLOUR, lw=2.0, gid="interface")
        side.text(
            0.98 * d.box[0] / 2,
            film.height_nm + 0.01 * z_top,
            f"interface, H = {film.height_nm:.1f} nm",
            ha="right",
            va="bottom",
            color=INTERFACE_COLOUR,
            fontsize=10,
        )
    offsets = np.column_stack([d.xyz[:, 0], height])[order]
    _draw_discs(side, offsets, d.sizes[order], [colours[d.owner[k]] for k in order], gid="side-view-discs")
    half = 0.35 * d.diameter * d.u
    start = d.positions - half
    side.quiver(
        start[:, 0],
        start[:, 2] - film.substrate_z,
        2 * half[:, 0],
        2 * half[:, 2],
        angles="xy",
        scale_units="xy",
        scale=1,
        width=0.003,
    )
    side.set_xlim(-d.box[0] / 2, d.box[0] / 2)
    side.set_ylim(bottom, z_top)
    side.set_aspect("equal")
    side.set_xlabel("x (nm)", fontsize=11)
    side.set_ylabel("height above the substrate (nm)", fontsize=11)
    side.set_title("side view (x–z), all clusters seen through the film", fontsize=11)

    top_view(frame, chains, top)
    top.set_title(
        f"top view (x–y): {chains.fraction_in_chains:.0%} of clusters in chains\n({chains.describe()})", fontsize=11
    )
    for ax in (side, top):
        ax.tick_params(labelsize=9)
        ax.xaxis.label.set_size(11)
        ax.yaxis.label.set_size(11)

    if film.time_ns is None:
        when = f"step {int(frame.configuration.step)}"
    else:
        when = f"t = {film.time_ns:.1f} ns"
    state = [when]
    if film.height_nm is not None:
        state.append(f"film height H = {film.height_nm:.2f} nm")
    if film.eps_r is not None:
        state.append(f"εr = {film.eps_r:.2f}")
    fig.suptitle(("" if name is None else f"{name}:   ") + "     ".join(state), fontsize=15)
    palette = chain_palette()
    chain_swatches = tuple(Patch(facecolor=palette[k], edgecolor="k", lw=0.3) for k in (2, 4, 6))
    handles = [
        chain_swatches,
        Patch(facecolor=FREE_COLOUR, edgecolor="k", lw=0.3, label="in no chain (free cluster, grey)"),
        Line2D([], [], color="k", lw=1.0, label="arrow: dipole"),
        Line2D([], [], color=INTERFACE_COLOUR, lw=2.0, label="evaporation interface"),
        Patch(facecolor=SOLVENT_COLOUR, label="solvent"),
        Patch(facecolor=SUBSTRATE_COLOUR, label="substrate"),
    ]
    labels = ["in a chain (one colour per chain)"] + [h.get_label() for h in handles[1:]]
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncols=len(handles),
        fontsize=10,
        frameon=False,
        handler_map={tuple: HandlerTuple(ndivide=None, pad=0.1)},
    )
    return fig


def figure_rgb(fig) -> np.ndarray:
    """The figure drawn with Agg, as an (height, width, 3) uint8 RGB array."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


# --- the simulated micrograph ---------------------------------------------------------------------


def scale_bar(ax, width_nm: float, extent) -> None:
    """A black scale bar of a round length (about a fifth of ``width_nm``) in the lower left, labelled in nm."""
    from matplotlib.patches import Rectangle

    length = max((v for v in (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500) if v <= width_nm / 4), default=width_nm / 5)
    left, right, bottom, top = extent
    height = 0.012 * (top - bottom)
    x0, y0 = left + 0.04 * (right - left), bottom + 0.04 * (top - bottom)
    pad = 0.015 * (right - left)
    ax.add_patch(
        Rectangle(
            (x0 - pad, y0 - pad), length + 2 * pad, 5.5 * height + pad, facecolor="w", alpha=0.75, edgecolor="none"
        )
    )
    ax.add_patch(Rectangle((x0, y0), length, height, facecolor="k", edgecolor="none"))
    ax.text(x0 + length / 2, y0 + 1.8 * height, f"{length:g} nm", ha="center", va="bottom", fontsize=9)


def micrograph_image(image, ax=None, title=None):
    """A simulated bright-field micrograph (:class:`~dipolewire.analysis.micrograph.Micrograph`) in grey
    (dark = scattering cores), with a scale bar; the grey scale spans the 0.1–99.9 % of the counts."""
    ax = ax if ax is not None else new_axes((6.0, 6.0))
    low, high = np.percentile(image.counts, [0.1, 99.9])
    ax.imshow(
        image.counts,
        cmap="gray",
        origin="lower",
        extent=image.extent,
        interpolation="nearest",
        vmin=low,
        vmax=high,
    )
    scale_bar(ax, image.box[0], image.extent)
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def micrograph(image, measurement, centres, time_ns=float("nan")):
    """Two panels: the micrograph as a microscope shows it, and the same with the measurement drawn on it
    (spots matched to a cluster, false spots, missed clusters, the bonds measured)."""
    axes = new_axes((12.0, 6.8), 1, 2)
    o = image.optics
    when = f"t = {time_ns:.0f} ns, " if np.isfinite(time_ns) else ""
    micrograph_image(
        image,
        axes[0],
        f"{when}simulated bright-field TEM: PSF FWHM {o.resolution_nm:g} nm, pixel {image.pixel[0]:.3g} nm,\n"
        f"dose {o.dose_per_nm2 / 100:g} e/Å², metal cores only (σ ∝ Z^{o.exponent:g})",
    )
    summary = measurement.summary()
    micrograph_image(
        image,
        axes[1],
        f"{summary['spots']} spots, {summary['clusters_missed_fraction']:.0%} of {summary['clusters']} clusters "
        f"missed, {summary['false_spots']} false spots;\n{summary['bonds_measured']} of {summary['bonds']} bonds "
        "measured (lines: spot to spot)",
    )
    ax = axes[1]
    spots, spot_of = measurement.spots, measurement.spot_of
    matched = np.zeros(len(spots), dtype=bool)
    matched[spot_of[spot_of >= 0]] = True
    half = 0.5 * np.asarray(image.box)
    for (i, j), ok in zip(measurement.bonds, measurement.measured_ok, strict=True):
        if ok:
            a, b = spots[spot_of[i]], spots[spot_of[j]]
            if np.all(np.abs(b - a) < half):  # bonds across the box edge are measured, not drawn
                ax.plot([a[0], b[0]], [a[1], b[1]], color="tab:cyan", lw=1.0)
    ax.plot(*spots[matched].T, "o", mfc="none", mec="tab:cyan", ms=5, mew=0.8, label="spot of a cluster")
    ax.plot(*spots[~matched].T, "+", color="tab:red", ms=7, label="false spot")
    missed = centres[spot_of < 0]
    ax.plot(*missed.T, "x", color="tab:orange", ms=6, mew=1.2, label="missed cluster (true centre)")
    ax.legend(fontsize=7, loc="upper right", framealpha=0.8)
    return axes[0].figure


def micrograph_spacings(measurement, bias: dict):
    """Spacings measured on the micrograph against the true centre-to-centre spacings (nm): both histograms
    with the TEM band, and each measured bond's error against its true spacing."""
    from .binning import histogram, uniform_edges

    axes = new_axes((11.0, 4.0), 1, 2)
    true, measured = measurement.true, measurement.measured[measurement.measured_ok]
    ax = axes[0]
    shade_tem_band(ax)
    values = np.concatenate([true, measured])
    if len(values):
        edges = uniform_edges(values.min(), values.max(), 0.05)
        ax.stairs(
            histogram(true, edges), edges, fill=True, color="tab:blue", alpha=0.5, label=f"true (n = {len(true)})"
        )
        ax.stairs(histogram(measured, edges), edges, color="k", lw=1.5, label=f"image (n = {len(measured)})")
    ax.set_xlabel("intercluster spacing (nm)")
    ax.set_ylabel("bonds")
    ax.legend(fontsize=8)

    def stats(v):
        return f"{np.mean(v):.3f} ± {np.std(v, ddof=1):.3f} nm" if len(v) > 1 else "—"

    ax.set_title(f"true {stats(true)}; image {stats(measured)}", fontsize=9)
    ax = axes[1]
    ok = measurement.measured_ok
    ax.axhline(0.0, color="0.5", lw=0.8)
    ax.plot(measurement.true[ok], measurement.measured[ok] - measurement.true[ok], ".", color="tab:blue", ms=4)
    if bias.get("bonds", 0) >= 3:
        ax.axhline(bias["mean_shift_nm"], color="k", ls="--", lw=1, label="mean shift")
        ax.legend(fontsize=8)
        ax.set_title(
            f"shift {bias['mean_shift_nm']:+.4f} ± {bias['mean_shift_se_nm']:.4f} nm, s.d. × "
            f"{bias['std_ratio']:.3f} ± {bias['std_ratio_se']:.3f}\nper-bond error s.d. "
            f"{bias['per_bond_error_sd_nm']:.3f} nm",
            fontsize=9,
        )
    ax.set_xlabel("true spacing (nm)")
    ax.set_ylabel("image − true (nm)")
    return axes[0].figure


# --- studies ---------------------------------------------------------------------------------------


def state_diagram(points: list[dict], axes: list[str], name: str = ""):
    """A study's measures against its first axis, one line per value of the other swept fields (the second
    axis first), each point the mean ± standard error of its replicas (rows of ``study_points.csv``)."""
    from .study_table import DIAGRAM_PANELS

    x_field = axes[0]
    swept = [k for k in points[0] if k not in ("replicas",) and not _is_measure(k)]
    others = [axes[1]] + [f for f in swept if f not in axes] if len(axes) > 1 else [f for f in swept if f != x_field]
    groups: dict[tuple, list[dict]] = {}
    for row in points:
        groups.setdefault(tuple(row[f] for f in others), []).append(row)
    panels = new_axes((11, 7.5), 2, 2)
    colours = colormaps_for(len(groups))
    # numbers (and quantities such as "5 kT", by their number) on a numeric axis; text values side by side
    values = list(dict.fromkeys(row[x_field] for row in points))
    numeric = all(np.isfinite(_axis_number(v)) for v in values)
    if numeric:
        position = {repr(v): _axis_number(v) for v in values}
    else:
        position = {repr(v): k for k, v in enumerate(values)}
    for ax, (column, label) in zip(panels.flat, DIAGRAM_PANELS, strict=True):
        ordered = sorted(groups.items(), key=lambda kv: [_axis_number(v) for v in kv[0]])
        for colour, (key, rows) in zip(colours, ordered, strict=True):
            rows = sorted(rows, key=lambda r: position[repr(r[x_field])])
            x = [position[repr(r[x_field])] for r in rows]
            y = np.array([r[column] for r in rows], dtype=float)
            err = np.array([r[column + "_se"] for r in rows], dtype=float)
            text = ", ".join(f"{f.split('.')[-1]} = {v}" for f, v in zip(others, key, strict=True)) or None
            ax.errorbar(x, y, yerr=np.nan_to_num(err), marker="o", ms=4, capsize=3, color=colour, label=text)
            predicted = "predicted_" + column + "_2d"
            if predicted in rows[0]:
                ax.plot(x, [r[predicted] for r in rows], ls="--", color=colour, lw=1)
        ax.set_xlabel(x_field + (_axis_unit(points[0][x_field]) if numeric else ""))
        if not numeric:
            ax.set_xticks(range(len(values)), [str(v) for v in values])
        ax.set_ylabel(label, fontsize=9)
        if column == "fraction_spacings_in_tem_band":
            ax.set_ylim(-0.02, 1.02)
        if column == "weight_average_length":
            ax.set_yscale("log")  # chain lengths, and their predictions, span decades
    if "predicted_weight_average_length_2d" in points[0]:
        panels.flat[0].plot([], [], ls="--", color="k", lw=1, label="equilibrium predictor (2D, ideal chains)")
    panels.flat[0].legend(fontsize=7)
    replicas = sorted({r["replicas"] for r in points})
    panels.flat[0].figure.suptitle(
        f"{name}: mean ± standard error of {'/'.join(map(str, replicas))} replica(s) per point", fontsize=10
    )
    return panels.flat[0].figure


def _axis_number(value) -> float:
    """A swept value as a number: quantities such as "5 kT" by their number (in the unit they were written)."""
    if isinstance(value, str):
        try:
            return float(value.split()[0])
        except (ValueError, IndexError):
            return float("nan")
    return float(value)


def _axis_unit(value) -> str:
    parts = value.split(maxsplit=1) if isinstance(value, str) else []
    return f" ({parts[1]})" if len(parts) == 2 else ""


def _is_measure(key: str) -> bool:
    from .study_table import MEASURE_COLUMNS

    names = {column for column, _, _ in MEASURE_COLUMNS}
    stem = key.rsplit("_", 1)[0]
    return key in names or (key.endswith(("_se", "_n")) and stem in names) or key.startswith("predicted_")


def colormaps_for(n: int) -> list:
    """``n`` distinguishable colours (viridis samples beyond ten)."""
    from matplotlib import colormaps

    if n <= 10:
        return list(colormaps["tab10"].colors[:n])
    return [colormaps["viridis"](v) for v in np.linspace(0, 0.95, n)]
