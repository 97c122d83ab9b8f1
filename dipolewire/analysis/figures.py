"""Every figure dipolewire draws, in one place.

Figures are :class:`matplotlib.figure.Figure` objects made here or Axes handed in; nothing selects a
backend or touches pyplot's global state, so the same functions serve scripts, the command line and
notebooks (pass ``ax`` from ``plt.subplots()`` there, or let a measurement show itself as a PNG).
Lengths nm, times ns, energies kT unless a label says otherwise.
"""

from __future__ import annotations

import io

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
    fig.savefig(path, dpi=dpi)


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


def _chain_colours(chains, n_clusters):
    """A colour per cluster: each chain its own hue (no greys among them), clusters in no chain grey."""
    from matplotlib import colormaps

    palette = [c for c in colormaps["tab20"].colors if not np.allclose(c[0], c[1:], atol=0.02)]
    free = {c for c, members in enumerate(chains.chains) if len(members) == 1}
    return [FREE_COLOUR if c in free else (*palette[c % len(palette)], 1.0) for c in chains.chain_id[:n_clusters]]


def top_view(frame, chains=None, ax=None):
    """Top view (x–y, nm) of a GSD frame: each bead a disc of its diameter, each dipole an arrow.

    Beads are coloured by metal, or by chain when a computed ``chains`` is given (grey: in no chain).
    Frames without beads (any GSD file with oriented particles) draw each cluster as a Janus pair of
    discs, the larger at the head of its dipole.
    """
    from matplotlib.collections import EllipseCollection

    from ..trajectory import centers, cluster_state, logged

    ax = ax if ax is not None else new_axes((6.5, 6.5))
    box, positions, directions = cluster_state(frame)
    u = directions / np.linalg.norm(directions, axis=1, keepdims=True)
    p = frame.particles
    idx = centers(frame) if p.body is not None and np.any(np.asarray(p.body) >= 0) else np.arange(p.N)
    diameter = float(np.asarray(p.diameter)[idx[0]]) if len(idx) else 1.8
    beads = np.setdiff1d(np.arange(p.N), idx)
    cluster_colours = _chain_colours(chains, len(idx)) if chains is not None else None
    if len(beads):
        owner = np.asarray(p.body)[beads]
        names = [p.types[t] for t in np.asarray(p.typeid)[beads]]
        offsets, sizes = np.asarray(p.position)[beads], np.asarray(p.diameter)[beads]
        if cluster_colours is None:
            colours = [BEAD_COLOURS.get(name, "0.6") for name in names]
        else:
            colours = [cluster_colours[o] for o in owner]
        order = np.argsort(offsets[:, 2])  # lower beads first: one sees the top of the film
        offsets, sizes, colours = offsets[order, :2], sizes[order], [colours[k] for k in order]
    else:  # a schematic Janus pair per cluster
        head = positions[:, :2] + 0.2 * diameter * u[:, :2]
        tail = positions[:, :2] - 0.25 * diameter * u[:, :2]
        offsets = np.concatenate([tail, head])
        sizes = np.concatenate([np.full(len(tail), 0.6 * diameter), np.full(len(head), 0.85 * diameter)])
        base = cluster_colours or [BEAD_COLOURS["Au"]] * len(positions)
        colours = list(base) + list(base)
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
        )
    )
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
