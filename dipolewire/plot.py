"""Figures. matplotlib is imported on first use with the non-interactive Agg backend."""

from __future__ import annotations

#: Intercluster spacings in the TEM images of dropcast R-Au-Cu nanowires (nm).
TEM_SPACING_BAND_NM = (1.8, 2.5)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_energy_curve(table, query, path=None, ax=None, marked=None):
    """Plot E(r) of an :class:`~dipolewire.energy_report.EnergyTable` in kJ/mol and kT.

    The TEM spacing band is shaded; ``marked`` (another table) is drawn as points.
    Saves to ``path`` when given; returns the axes.
    """
    from .units import zJ_to_kJ_per_mol

    plt = _pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.0, 4.0), layout="constrained")
    kT_kJ = zJ_to_kJ_per_mol(query.kT)
    ax.axvspan(*TEM_SPACING_BAND_NM, color="tab:orange", alpha=0.15, label="TEM spacing 1.8–2.5 nm")
    ax.axhline(-kT_kJ, color="0.5", lw=0.8, ls="--", label="−kT")
    ax.plot(table.r_nm, table.energy_kJ_per_mol, color="tab:blue", lw=2, label=query.geometry_name)
    if marked is not None and len(marked.r_nm) <= 50:
        ax.plot(marked.r_nm, marked.energy_kJ_per_mol, "o", color="tab:blue", ms=4)
    ax.set_xlabel("separation r (nm)")
    ax.set_ylabel("pair energy E (kJ/mol)")
    ax.secondary_yaxis("right", functions=(lambda e: e / kT_kJ, lambda k: k * kT_kJ)).set_ylabel(
        f"E (kT at {query.temperature_K:g} K)"
    )
    from .units import e_nm_to_debye

    ax.set_title(f"μ = {e_nm_to_debye(query.mu):.4g} D, εr = {query.eps_r:g}", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    if path is not None:
        ax.figure.savefig(path, dpi=150)
    return ax
