"""Histogram bins whose edges are what they say: a value on an edge goes in the bin that starts there.

Edges made by adding a floating-point step (``np.arange(1.5, 2.6, 0.05)``) drift off the decimal values
they stand for (the 8th is 1.8500000000000003), and ``np.histogram`` with a ``range`` divides by the bin
width, so distances measured to 0.01 nm, which sit on 0.05 nm edges all the time, land one bin low.
Here edges are integer multiples of the width rounded to the nearest representable decimal, and values
within a relative 1e-9 of an edge count as on it.
"""

from __future__ import annotations

import numpy as np

#: Values closer than this (relative) to an edge are on it.
EDGE_TOLERANCE = 1e-9


def uniform_edges(low: float, high: float, width: float) -> np.ndarray:
    """Edges at integer multiples of ``width`` from at or below ``low`` to at or above ``high`` (same units)."""
    first = int(np.floor(low / width + EDGE_TOLERANCE))
    last = int(np.ceil(high / width - EDGE_TOLERANCE))
    if last <= first:
        last = first + 1
    return np.round(np.arange(first, last + 1) * width, 12)


def bin_index(values, edges) -> np.ndarray:
    """Index of the bin holding each value: [edge_k, edge_k+1), the last bin closed; −1 or len(edges) − 1
    outside."""
    values = np.asarray(values, dtype=float)
    edges = np.asarray(edges, dtype=float)
    scale = np.maximum(np.abs(edges), 1.0) * EDGE_TOLERANCE
    index = np.searchsorted(edges, values, side="right") - 1
    # a value just below an edge (within tolerance) belongs to the bin that starts at that edge
    above = np.clip(index + 1, 0, len(edges) - 1)
    on_next = (index + 1 < len(edges)) & (np.abs(edges[above] - values) <= scale[above])
    index = np.where(on_next, index + 1, index)
    # the last edge closes the last bin
    at_end = np.abs(values - edges[-1]) <= scale[-1]
    return np.where(at_end, len(edges) - 2, index)


def histogram(values, edges) -> np.ndarray:
    """Counts of ``values`` in the bins of ``edges`` (see :func:`bin_index`); values outside are left out."""
    index = bin_index(values, edges)
    inside = (index >= 0) & (index < len(edges) - 1)
    return np.bincount(index[inside], minlength=len(edges) - 1)
