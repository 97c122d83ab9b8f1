"""Measured TEM spacing data and its comparison with simulated spacings.

Two CSV formats, each with a header line (``#`` comment lines and blank lines are skipped):

distances — one measured intercluster distance per row::

    distance_nm
    1.92
    2.10

histogram — bin edges and counts::

    bin_left_nm,bin_right_nm,count
    1.6,1.8,3
    1.8,2.0,12

A malformed file gets an error that names the file and the line.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from .binning import histogram, uniform_edges

#: Intercluster spacings in TEM images of dropcast R-Au-Cu nanowires (nm; Li et al., ACS Cent. Sci.
#: 2022, 8, 1258): data to compare with, never a model parameter.
TEM_BAND_NM = (1.8, 2.5)

DISTANCE_HEADER = ["distance_nm"]
HISTOGRAM_HEADER = ["bin_left_nm", "bin_right_nm", "count"]


@dataclass(frozen=True)
class TemData:
    """Measured spacings: either raw ``distances`` (nm) or a histogram (``edges`` nm, ``counts``)."""

    source: str
    distances: np.ndarray | None = None
    edges: np.ndarray | None = None
    counts: np.ndarray | None = None

    @property
    def is_histogram(self) -> bool:
        return self.counts is not None

    def cdf(self, x):
        """Cumulative distribution at ``x`` (nm); linear inside histogram bins."""
        x = np.asarray(x, dtype=float)
        if not self.is_histogram:
            d = np.sort(self.distances)
            return np.searchsorted(d, x, side="right") / len(d)
        cumulative = np.concatenate([[0.0], np.cumsum(self.counts)]) / self.counts.sum()
        return np.interp(x, self.edges, cumulative, left=0.0, right=1.0)

    @property
    def mean(self) -> float:
        if not self.is_histogram:
            return float(self.distances.mean())
        centres = 0.5 * (self.edges[1:] + self.edges[:-1])
        return float(np.average(centres, weights=self.counts))

    @property
    def std(self) -> float:
        if not self.is_histogram:
            return float(self.distances.std(ddof=1)) if len(self.distances) > 1 else float("nan")
        # uniform within each bin: variance of the mixture
        left, right = self.edges[:-1], self.edges[1:]
        centres, widths = 0.5 * (left + right), right - left
        second = np.average(centres**2 + widths**2 / 12.0, weights=self.counts)
        return float(np.sqrt(max(second - self.mean**2, 0.0)))

    @property
    def count(self) -> int:
        return int(self.counts.sum()) if self.is_histogram else len(self.distances)


def _number(text, path, line, column):
    try:
        value = float(text)
    except ValueError:
        raise InputError("--tem", f"{path}:{line}: {column} '{text.strip()}' is not a number") from None
    if not np.isfinite(value):
        raise InputError("--tem", f"{path}:{line}: {column} must be finite, got '{text.strip()}'")
    return value


def read(path) -> TemData:
    """Read a TEM CSV in either documented format (see the module docstring)."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise InputError("--tem", f"cannot read {path}: {exc.strerror}") from None
    rows = [
        (n, row)
        for n, row in enumerate(csv.reader(text.splitlines()), start=1)
        if row and not row[0].lstrip().startswith("#") and any(cell.strip() for cell in row)
    ]
    if not rows:
        raise InputError(
            "--tem",
            f"{path} is empty; expected a header ({DISTANCE_HEADER[0]} or {','.join(HISTOGRAM_HEADER)}) and data rows",
        )
    header_line, header = rows[0]
    header = [cell.strip() for cell in header]
    data = rows[1:]
    if not data:
        raise InputError("--tem", f"{path}: no data rows after the header on line {header_line}")
    if header == DISTANCE_HEADER:
        values = []
        for n, row in data:
            if len(row) != 1:
                raise InputError("--tem", f"{path}:{n}: expected 1 column (distance_nm), got {len(row)}")
            value = _number(row[0], path, n, "distance_nm")
            if value <= 0:
                raise InputError("--tem", f"{path}:{n}: distance_nm must be > 0, got {value:g}")
            values.append(value)
        return TemData(str(path), distances=np.array(values))
    if header == HISTOGRAM_HEADER:
        left, right, counts = [], [], []
        for n, row in data:
            if len(row) != 3:
                raise InputError(
                    "--tem", f"{path}:{n}: expected 3 columns ({','.join(HISTOGRAM_HEADER)}), got {len(row)}"
                )
            a, b, c = (_number(cell, path, n, name) for cell, name in zip(row, HISTOGRAM_HEADER, strict=True))
            if a < 0 or b <= a:
                raise InputError("--tem", f"{path}:{n}: need 0 <= bin_left_nm < bin_right_nm, got {a:g}, {b:g}")
            if c < 0:
                raise InputError("--tem", f"{path}:{n}: count must be >= 0, got {c:g}")
            if left and abs(a - right[-1]) > 1e-9:
                raise InputError(
                    "--tem",
                    f"{path}:{n}: bins must be contiguous and increasing "
                    f"(bin starts at {a:g}, previous ended at {right[-1]:g})",
                )
            left.append(a)
            right.append(b)
            counts.append(c)
        if sum(counts) <= 0:
            raise InputError("--tem", f"{path}: all counts are zero")
        return TemData(str(path), edges=np.array(left + [right[-1]]), counts=np.array(counts, dtype=float))
    raise InputError(
        "--tem",
        f"{path}:{header_line}: header must be '{DISTANCE_HEADER[0]}' or "
        f"'{','.join(HISTOGRAM_HEADER)}', got '{','.join(header)}'",
    )


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


def compare(simulated, tem: TemData, band=TEM_BAND_NM) -> dict:
    """Compare simulated spacings (nm) with TEM data.

    Kolmogorov–Smirnov statistic sup|F_sim − F_tem|, Wasserstein distance ∫|F_sim − F_tem| dx (nm),
    overlap ∫ min(p_sim, p_tem) dx of the two densities on the TEM bins (or 0.05 nm bins for raw
    distances; a value on an edge counts in the bin that starts there), the fraction of simulated spacings
    inside the TEM band and the fraction outside the range the TEM data cover.
    """
    sim = np.sort(np.asarray(simulated, dtype=float))
    if len(sim) == 0:
        raise InputError("RUN", "the simulated frame has no bonded neighbours to compare")
    low = min(sim[0], tem.edges[0] if tem.is_histogram else tem.distances.min())
    high = max(sim[-1], tem.edges[-1] if tem.is_histogram else tem.distances.max())
    grid = np.linspace(low - 0.01, high + 0.01, 20001)
    f_sim = np.searchsorted(sim, grid, side="right") / len(sim)
    f_tem = tem.cdf(grid)
    ks = float(np.max(np.abs(f_sim - f_tem)))
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
            "count": tem.count,
            "mean_nm": tem.mean,
            "std_nm": tem.std,
        },
        "ks_statistic": ks,
        "wasserstein_nm": wasserstein,
        "overlap": overlap,
        "fraction_simulated_in_band": float(np.mean((sim >= band[0]) & (sim <= band[1]))),
        "fraction_simulated_outside_tem_range": float(np.mean((sim < tem_low) | (sim > tem_high))),
        "band_nm": list(band),
    }
