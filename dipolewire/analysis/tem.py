"""Comparison of simulated spacings with measured TEM spacings (read by :mod:`.tem_file`)."""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from .binning import histogram, uniform_edges
from .tem_file import TemData, read

__all__ = ["TEM_BAND_NM", "TemData", "read", "compare", "comparison_edges", "display_edges"]

#: Intercluster spacings in TEM images of dropcast R-Au-Cu nanowires (nm; Li et al., ACS Cent. Sci.
#: 2022, 8, 1258): data to compare with, never a model parameter.
TEM_BAND_NM = (1.8, 2.5)


#: Bin width (nm) for raw TEM distances.
COMPARISON_BIN_NM = 0.05


def comparison_edges(simulated, tem: TemData) -> np.ndarray:
    """Bin edges (nm) on which simulated and TEM spacings are compared: a histogram file's own edges, or
    0.05 nm bins on multiples of 0.05 nm covering both sets of raw distances."""
    if tem.is_histogram:
        return np.asarray(tem.edges, dtype=float)
    values = np.concatenate([np.asarray(simulated, dtype=float), tem.distances])
    return uniform_edges(values.min(), values.max(), COMPARISON_BIN_NM)


def display_edges(simulated, tem: TemData) -> np.ndarray:
    """Edges (nm) to draw simulated spacings on beside ``tem``: the comparison edges, extended with bins of
    the TEM's width so that every simulated spacing appears."""
    edges = comparison_edges(simulated, tem)
    simulated = np.asarray(simulated, dtype=float)
    width = float(np.median(np.diff(edges)))
    below = uniform_edges(min(simulated.min(), edges[0]) - edges[0], 0.0, width) + edges[0]
    above = uniform_edges(0.0, max(simulated.max(), edges[-1]) - edges[-1], width) + edges[-1]
    return np.round(np.unique(np.concatenate([below, edges, above])), 12)


def ks_test(simulated, tem: TemData, histogram_statistic: float) -> tuple[float, float, str]:
    """Two-sample Kolmogorov–Smirnov statistic, p-value and how the p-value was found.

    Raw distances: :func:`scipy.stats.ks_2samp` (exact for small samples, else asymptotic).
    Histogram: ``histogram_statistic`` (against the histogram's CDF, linear within bins) with the
    two-sample distribution of n·m/(n + m) draws, as ks_2samp's asymptotic method does: approximate, since
    binning hides where in a bin each measured spacing lay.
    """
    from scipy import stats

    if not tem.is_histogram:
        result = stats.ks_2samp(simulated, tem.distances)
        return float(result.statistic), float(result.pvalue), "scipy.stats.ks_2samp, two-sided"
    n, m = len(simulated), tem.count
    effective = n * m / (n + m)
    p_value = float(stats.kstwo.sf(histogram_statistic, max(1, round(effective))))
    method = f"approximate: histogram CDF linear within bins, Kolmogorov distribution for n·m/(n+m) = {effective:.1f}"
    return histogram_statistic, min(max(p_value, 0.0), 1.0), method


def compare(simulated, tem: TemData, band=TEM_BAND_NM) -> dict:
    """Compare simulated spacings (nm) with TEM data.

    Kolmogorov–Smirnov statistic sup|F_sim − F_tem| and its p-value, Wasserstein distance ∫|F_sim − F_tem| dx
    (nm), overlap ∫ min(p_sim, p_tem) dx of the two densities on the TEM bins (or 0.05 nm bins for raw
    distances; a value on an edge counts in the bin that starts there), the fraction of simulated spacings
    inside the TEM band and the fraction outside the range the TEM data cover.

    The p-value treats the simulated spacings as independent draws; spacings along one chain are not, so it
    overstates the significance of a difference (docs/analysis.md).
    """
    sim = np.sort(np.asarray(simulated, dtype=float))
    if len(sim) == 0:
        raise InputError("RUN", "the simulated frame has no bonded neighbours to compare")
    low = min(sim[0], tem.edges[0] if tem.is_histogram else tem.distances.min())
    high = max(sim[-1], tem.edges[-1] if tem.is_histogram else tem.distances.max())
    grid = np.linspace(low - 0.01, high + 0.01, 20001)
    f_sim = np.searchsorted(sim, grid, side="right") / len(sim)
    f_tem = tem.cdf(grid)
    ks, p_value, p_method = ks_test(sim, tem, float(np.max(np.abs(f_sim - f_tem))))
    gap = np.abs(f_sim - f_tem)
    wasserstein = float(np.sum(0.5 * (gap[1:] + gap[:-1]) * np.diff(grid)))
    edges = comparison_edges(sim, tem)
    p_sim = histogram(sim, edges) / len(sim)
    p_tem = np.diff(tem.cdf(edges)) if tem.is_histogram else histogram(tem.distances, edges) / tem.count
    overlap = float(np.minimum(p_sim, p_tem).sum())
    if tem.is_histogram:
        tem_low, tem_high = tem.edges[0], tem.edges[-1]
    else:
        tem_low, tem_high = tem.distances.min(), tem.distances.max()
    return {
        "simulated": {
            "count": len(sim),
            "mean_nm": float(sim.mean()),
            "std_nm": float(sim.std(ddof=1)) if len(sim) > 1 else float("nan"),
        },
        "tem": {
            "source": tem.source,
            "kind": "histogram" if tem.is_histogram else "distances",
            "column": tem.column,
            "count": tem.count,
            "mean_nm": tem.mean,
            "std_nm": tem.std,
        },
        "ks_statistic": ks,
        "ks_p_value": p_value,
        "ks_p_value_method": p_method,
        "wasserstein_nm": wasserstein,
        "overlap": overlap,
        "fraction_simulated_in_band": float(np.mean((sim >= band[0]) & (sim <= band[1]))),
        "fraction_simulated_outside_tem_range": float(np.mean((sim < tem_low) | (sim > tem_high))),
        "band_nm": list(band),
    }
