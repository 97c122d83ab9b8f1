"""Figures of encounter rates: against ionic strength and against feeding ratio (matplotlib Figures;
no backend is chosen here; write them with :func:`dipolewire.analysis.figures.save`)."""

from __future__ import annotations

import numpy as np

from ..analysis.figures import new_axes
from ..units import MOLAR_PER_NM3
from . import mixture, rates


def _exact_curve(spec, pair_names, salts):
    """Exact Debye–Smoluchowski rate (M⁻¹ s⁻¹) of the model at added salts (nm⁻³), the file's clusters."""
    a, b = (spec.species_named(n) for n in pair_names)
    diffusion = mixture.relative_diffusion(spec, a, b)
    out = []
    for salt in salts:
        state = mixture.conditions(spec, salt=salt)
        pair = mixture.pair_between(spec, a, b, state.kappa)
        reaction = spec.encounter.reaction_distance or pair.contact
        out.append((state.ionic_strength, rates.debye_smoluchowski(pair, reaction, diffusion, spec.kT)))
    strength, k = np.array(out).T
    return strength / MOLAR_PER_NM3 * 1e3, rates.to_per_molar_second(k)


def ionic_strength_figure(spec, rows):
    """k against ionic strength: BD points ± one standard error, the exact rate as a line."""
    ax = new_axes(figsize=(6.4, 4.4))
    salts = np.array([r["salt_mM"] for r in rows]) * MOLAR_PER_NM3 * 1e-3
    low = max(salts[salts > 0].min() / 10 if (salts > 0).any() else 1e-3 * MOLAR_PER_NM3, 1e-7 * MOLAR_PER_NM3)
    dense = np.concatenate([[0.0], np.geomspace(low, max(salts.max(), low * 10), 60)])
    for i, names in enumerate(spec.encounter.pairs):
        color = f"C{i}"
        mine = [r for r in rows if tuple(r["pair"]) == tuple(names)]
        x = [r["ionic_strength_mM"] for r in mine]
        ax.errorbar(
            x,
            [r["rate_per_M_per_s"] for r in mine],
            yerr=[r["error_per_M_per_s"] for r in mine],
            fmt="o",
            color=color,
            capsize=3,
            label=f"{'+'.join(names)} (BD)",
        )
        strength, k = _exact_curve(spec, names, dense)
        ax.plot(strength, k, "-", color=color, lw=1, alpha=0.7)
        a, b = (spec.species_named(n) for n in names)
        uncharged = 4 * np.pi * mixture.relative_diffusion(spec, a, b) * (a.outer_radius + b.outer_radius)
        ax.axhline(rates.to_per_molar_second(uncharged), color=color, lw=0.8, ls=":")
    ax.plot([], [], "-", color="0.4", lw=1, label="Debye–Smoluchowski (exact)")
    ax.plot([], [], ":", color="0.4", lw=0.8, label="uncharged, 4π(Da + Db)(a + b)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("ionic strength I (mM)")
    ax.set_ylabel("encounter rate constant k (M⁻¹ s⁻¹)")
    ax.set_title(
        f"{spec.name}: {spec.solvent.preset or 'solvent'}, εr = {spec.solvent.eps_r:g}, "
        f"{spec.electrolyte.screening} screening",
        fontsize=9,
    )
    ax.legend(fontsize=8)
    return ax.figure


def feeding_figure(spec, rows):
    """Left: rate constants against feeding ratio a:b; right: the time between encounters of one cluster
    of each species with the other species, both ± one standard error."""
    left, right = new_axes(figsize=(10.0, 4.2), ncols=2)
    a, b = spec.feeding.between
    x = np.array([ra / rb for ra, rb in (row["ratio"] for row in rows)])
    for i, names in enumerate(spec.encounter.pairs):
        k = rates.to_per_molar_second([row["rates"][names] for row in rows])
        e = rates.to_per_molar_second([row["errors"][names] for row in rows])
        left.errorbar(x, k, yerr=e, fmt="o-", color=f"C{i}", capsize=3, ms=4, label="+".join(names))
    left.set_ylabel("encounter rate constant k (M⁻¹ s⁻¹)")
    left.set_yscale("log")
    for i, (one, other) in enumerate(((b, a), (a, b), (b, b), (a, a))):
        if (one, other) not in rows[0]["frequency_per_s"]:
            continue
        nu = np.array([row["frequency_per_s"][(one, other)] for row in rows])
        err = np.array([row["frequency_error_per_s"][(one, other)] for row in rows])
        t = 1.0 / nu
        style = "s-" if one != other else "^--"
        right.errorbar(
            x, t, yerr=t * err / nu, fmt=style, color=f"C{i + 3}", capsize=3, ms=4, label=f"one {one} meets a {other}"
        )
    right.set_ylabel("mean time between encounters (s)")
    right.set_yscale("log")
    total = spec.feeding.total_concentration / MOLAR_PER_NM3 * 1e3
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_xlabel(f"feeding ratio {a}:{b}")
        ax.legend(fontsize=8)
    right.set_title(f"{total:g} mM clusters in all (equal mother solutions mixed by volume)", fontsize=9)
    return left.figure
