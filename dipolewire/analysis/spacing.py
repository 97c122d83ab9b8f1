"""Spacings between bonded neighbours along chains: histogram and statistics (nm)."""

from __future__ import annotations

import numpy as np

from .compute import Compute, result
from .tem import TEM_BAND_NM


class Spacing(Compute):
    """Distances between bonded neighbours along chains: histogram and statistics (nm).

    Args:
        bins: number of histogram bins between 0 and ``r_max`` (nm).
        r_max: upper end of the histogram (nm).
    """

    def __init__(self, bins=40, r_max=3.0):
        self.bins = int(bins)
        self.r_max = float(r_max)

    def _settings(self) -> dict:
        return {"bins": self.bins, "r_max": self.r_max}

    def _results_repr(self) -> str:
        return f"{len(self._d)} spacings, {self.mean:.3f} ± {self.std:.3f} nm"

    def compute(self, distances):
        """``distances`` (nm): e.g. :attr:`Chains.spacings`."""
        self._d = np.asarray(distances, dtype=float)
        from .binning import histogram

        self._edges = np.round(np.linspace(0.0, self.r_max, self.bins + 1), 12)
        self._counts = histogram(self._d, self._edges)
        self._computed = True
        return self

    @property
    @result
    def distances(self) -> np.ndarray:
        return self._d

    @property
    @result
    def histogram(self) -> tuple[np.ndarray, np.ndarray]:
        """(counts, bin edges in nm)."""
        return self._counts, self._edges

    @property
    @result
    def mean(self) -> float:
        return float(self._d.mean()) if len(self._d) else float("nan")

    @property
    @result
    def std(self) -> float:
        return float(self._d.std(ddof=1)) if len(self._d) > 1 else float("nan")

    @result
    def percentiles(self, q=(5, 25, 50, 75, 95)) -> dict:
        """Percentiles of the spacings (nm), keyed "p5", "p25" …"""
        if not len(self._d):
            return {f"p{p}": float("nan") for p in q}
        return {f"p{p}": float(v) for p, v in zip(q, np.percentile(self._d, q), strict=True)}

    @result
    def fraction_in(self, low=TEM_BAND_NM[0], high=TEM_BAND_NM[1]) -> float:
        """Fraction of spacings inside [low, high] nm (default: the TEM band)."""
        return float(np.mean((self._d >= low) & (self._d <= high))) if len(self._d) else float("nan")

    @result
    def summary(self) -> dict:
        return {
            "count": int(len(self.distances)),
            "mean_nm": self.mean,
            "std_nm": self.std,
            **{f"{k}_nm": v for k, v in self.percentiles().items()},
            "fraction_in_tem_band": self.fraction_in(),
        }

    @result
    def plot(self, ax=None, tem_band=True):
        """Histogram of spacings (nm), with the TEM band shaded; returns the axes."""
        from .figures import spacing_histogram

        return spacing_histogram(self, ax, tem_band)
