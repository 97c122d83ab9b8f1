"""A quick head-to-tail contact measure, used for run summaries (full analysis lives elsewhere).

Two clusters are *in contact head to tail* when their centres are closer than ``max_distance``
(nm), their Janus axes are within ``max_angle`` of parallel, and the separation vector lies within
``max_angle`` of the first one's axis. Neighbour search with freud.
"""

from __future__ import annotations

import numpy as np

from .trajectory import rotate


def head_to_tail_fraction(positions, orientations, box_lengths, max_distance, max_angle_deg=35.0) -> float:
    """Fraction of clusters with at least one head-to-tail neighbour.

    ``positions`` (N, 3) nm, ``orientations`` (N, 4) quaternions, ``box_lengths`` (Lx, Ly, Lz) nm.
    """
    import freud

    positions = np.asarray(positions, dtype=np.float32)
    if len(positions) < 2:
        return 0.0
    # freud queries need a fully periodic box; the film's box has empty room above the
    # interface and below the substrate, wider than any contact distance, so z images never meet.
    box = freud.box.Box(*box_lengths)
    query = freud.locality.AABBQuery(box, positions)
    pairs = query.query(positions, {"r_max": max_distance, "exclude_ii": True}).toNeighborList()
    i, j = pairs.query_point_indices, pairs.point_indices
    axes = rotate(orientations, [0.0, 0.0, 1.0])
    cos_max = np.cos(np.radians(max_angle_deg))
    separation = box.wrap(positions[j] - positions[i])
    separation /= np.linalg.norm(separation, axis=1, keepdims=True)
    aligned = np.sum(axes[i] * axes[j], axis=1) > cos_max
    along = np.abs(np.sum(separation * axes[i], axis=1)) > cos_max
    bonded = np.zeros(len(positions), dtype=bool)
    bonded[i[aligned & along]] = True
    return float(bonded.mean())
