"""Head-to-tail chains of dipolar clusters, measured the way a TEM image is judged.

This is the one chain criterion of dipolewire: every number that says "in chains" (run summaries,
``dipolewire analyze``, time series, figures) comes from :class:`Chains`, and says whether it was
measured in 3D (the film in space) or 2D (the deposit seen from above). Units: nm, degrees.

Chain criterion (defaults justified)
------------------------------------
Cluster j is bonded *ahead* of cluster i when

- their centres are closer than ``r_max`` (default 2.7 nm: the upper edge of the TEM spacing band,
  2.5 nm, plus 0.2 nm of thermal stretch; head-to-tail contact in the model is at 1.8 nm);
- their dipoles are within ``max_angle`` of parallel (default 45°), so tail-to-tail and antiparallel
  side-by-side pairs are never bonds;
- the vector from i to j lies within ``max_angle`` of i's dipole: j sits at i's head.

Each cluster keeps at most one bond ahead and one behind (the shortest candidates win), so chains are
linear paths; a path that closes on itself is a ring, reported apart from open chains. A cluster
without bonds is an open chain of length 1, so the number-average length counts monomers.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..geometry import Box
from .compute import Compute, result

DEFAULT_R_MAX_NM = 2.7
DEFAULT_MAX_ANGLE_DEG = 45.0


def freud_box(box_lengths, dimensions: int):
    """A freud box for a (Lx, Ly, Lz) nm box: 2D (x–y) or 3D."""
    import freud

    lx, ly, lz = (float(v) for v in box_lengths[:3])
    return freud.box.Box(lx, ly, is2D=True) if dimensions == 2 else freud.box.Box(lx, ly, lz)


def project(positions, directions, dimensions: int):
    """Positions (nm) and unit directions, with z dropped when ``dimensions`` is 2 (the view from above)."""
    positions = np.array(positions, dtype=np.float64)
    directions = np.array(directions, dtype=np.float64)
    if dimensions == 2:  # seen from above, as in TEM
        positions[:, 2] = 0.0
        directions[:, 2] = 0.0
    norm = np.linalg.norm(directions, axis=1, keepdims=True)
    return positions, directions / np.where(norm > 0, norm, 1.0)


class Chains(Compute):
    """Head-to-tail chains of dipolar clusters (see the module docstring for the criterion).

    Args:
        r_max: largest centre distance of a bond (nm).
        max_angle: largest angle (degrees) between bonded dipoles, and between a dipole and its bond.
        dimensions: 3 for the film in space, 2 for the deposit seen from above (z dropped).
    """

    def __init__(self, r_max=DEFAULT_R_MAX_NM, max_angle=DEFAULT_MAX_ANGLE_DEG, dimensions=3):
        if not r_max > 0:
            raise InputError("r_max", f"must be > 0 nm, got {r_max}")
        if not 0 < max_angle < 90:
            raise InputError("max_angle", f"must be in (0°, 90°), got {max_angle}")
        if dimensions not in (2, 3):
            raise InputError("dimensions", f"must be 2 or 3, got {dimensions}")
        self.r_max = float(r_max)
        self.max_angle = float(max_angle)
        self.dimensions = dimensions

    def _settings(self) -> dict:
        return {"r_max": self.r_max, "max_angle": self.max_angle, "dimensions": self.dimensions}

    def _results_repr(self) -> str:
        return (
            f"{self.fraction_in_chains:.0%} of {self._n} clusters in chains ({self.dimensions}D), "
            f"⟨n⟩w = {self.weight_average:.2f}, {len(self._rings)} rings"
        )

    def compute(self, box, positions, directions):
        """Find chains. ``box`` (Lx, Ly, Lz, …) nm, ``positions`` (N, 3) nm, ``directions`` (N, 3) dipoles."""
        import freud

        points, u = project(positions, directions, self.dimensions)
        fbox = freud_box(box, self.dimensions)
        n = len(points)
        cos_max = np.cos(np.radians(self.max_angle))
        if n > 1:
            query = freud.locality.AABBQuery(fbox, points)
            nlist = query.query(points, {"r_max": self.r_max, "exclude_ii": True}).toNeighborList()
            i, j = nlist.query_point_indices.astype(np.int64), nlist.point_indices.astype(np.int64)
        else:
            i = j = np.zeros(0, dtype=np.int64)
        # minimum image in float64 (freud works in float32)
        periodic = slice(0, 2) if self.dimensions == 2 else slice(0, 3)
        vectors = Box(*(float(v) for v in box[:3])).minimum_image(points[j] - points[i], periodic)
        lengths = np.linalg.norm(vectors, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            along = np.sum(vectors * u[i], axis=1) / lengths
        keep = (np.sum(u[i] * u[j], axis=1) > cos_max) & (along > cos_max) & (lengths > 0)
        i, j, vectors, lengths = i[keep], j[keep], vectors[keep], lengths[keep]

        ahead = np.full(n, -1)
        behind = np.full(n, -1)
        chosen = []
        for k in np.argsort(lengths, kind="stable"):  # shortest bonds first
            if ahead[i[k]] < 0 and behind[j[k]] < 0:
                ahead[i[k]], behind[j[k]] = j[k], i[k]
                chosen.append(k)
        chosen = np.array(sorted(chosen, key=lambda k: (i[k], j[k])), dtype=np.int64)
        self._bonds = np.column_stack([i[chosen], j[chosen]]) if len(chosen) else np.zeros((0, 2), dtype=np.int64)
        self._bond_vectors = vectors[chosen] if len(chosen) else np.zeros((0, 3))
        chains, rings = [], []
        seen = np.zeros(n, dtype=bool)
        for start in np.flatnonzero(behind < 0):  # open chains start where nothing is behind
            path = [start]
            while ahead[path[-1]] >= 0:
                path.append(ahead[path[-1]])
            seen[path] = True
            chains.append(np.array(path))
        for start in np.flatnonzero(~seen):  # what is left is in rings
            if seen[start]:
                continue
            path = [start]
            while ahead[path[-1]] != start:
                path.append(ahead[path[-1]])
            seen[path] = True
            rings.append(np.array(path))
        self._chains, self._rings = chains, rings
        self._chain_id = np.full(n, -1)
        for c, members in enumerate(chains + rings):
            self._chain_id[members] = c

        # per chain, from its chosen bonds (a ring's closing bond included): contour length, end-to-end vector
        n_open, total = len(chains), len(chains) + len(rings)
        owner = self._chain_id[self._bonds[:, 0]]
        # (float even with no bonds: bincount of nothing is an integer array)
        contour = np.bincount(owner, weights=np.linalg.norm(self._bond_vectors, axis=1), minlength=total).astype(float)
        span = (
            np.column_stack(
                [np.bincount(owner, weights=self._bond_vectors[:, d], minlength=total)[:n_open] for d in range(3)]
            )
            .astype(float)
            .reshape(n_open, 3)
        )
        self._contour = contour[:n_open]
        self._end_to_end = np.linalg.norm(span, axis=1)
        self._axis_angle = self._angles_of(span, np.array([len(c) for c in chains], dtype=np.int64))
        self._ring_contour = contour[n_open:]
        self._n = n
        self._computed = True
        return self

    @staticmethod
    def _angles_of(span, sizes):
        """In-plane angle (degrees, −90…90] of each chain's end-to-end vector ``span`` (n, 3); NaN for monomers."""
        angle = np.degrees(np.arctan2(span[:, 1], span[:, 0]))
        angle = np.where(angle > 90.0, angle - 180.0, np.where(angle <= -90.0, angle + 180.0, angle))
        return np.where(sizes >= 2, angle, np.nan)

    # --- results -------------------------------------------------------------------------

    @property
    @result
    def bonds(self) -> np.ndarray:
        """(M, 2) indices (i, j): j is bonded ahead of i."""
        return self._bonds

    @property
    @result
    def spacings(self) -> np.ndarray:
        """(M,) centre distances of the bonds (nm)."""
        return np.linalg.norm(self._bond_vectors, axis=1)

    @property
    @result
    def chains(self) -> list[np.ndarray]:
        """Open chains as index arrays ordered tail → head (monomers included)."""
        return self._chains

    @property
    @result
    def rings(self) -> list[np.ndarray]:
        """Closed rings as index arrays."""
        return self._rings

    @property
    @result
    def chain_id(self) -> np.ndarray:
        """(N,) index into ``chains + rings`` for each cluster."""
        return self._chain_id

    @property
    @result
    def lengths(self) -> np.ndarray:
        """Number of clusters in each open chain."""
        return np.array([len(c) for c in self._chains], dtype=int)

    @property
    @result
    def contour_lengths(self) -> np.ndarray:
        """Centre-to-centre contour length (nm) of each open chain (0 for monomers)."""
        return self._contour

    @property
    @result
    def end_to_end(self) -> np.ndarray:
        """End-to-end distance (nm) of each open chain, unwrapped across the periodic box."""
        return self._end_to_end

    @property
    @result
    def straightness(self) -> np.ndarray:
        """End-to-end / contour length of each open chain of two or more clusters (1 = straight)."""
        multi = self.lengths >= 2
        return self._end_to_end[multi] / self._contour[multi]

    @property
    @result
    def chain_angles(self) -> np.ndarray:
        """In-plane angle (degrees) of each open chain of two or more clusters."""
        return self._axis_angle[self.lengths >= 2]

    @property
    @result
    def ring_sizes(self) -> np.ndarray:
        return np.array([len(r) for r in self._rings], dtype=int)

    @property
    @result
    def angles(self) -> np.ndarray:
        """In-plane angle (degrees, −90…90] of every open chain's end-to-end vector; NaN for monomers."""
        return self._axis_angle

    @property
    @result
    def ring_contour_lengths(self) -> np.ndarray:
        """Centre-to-centre contour length (nm) of each ring."""
        return self._ring_contour

    @property
    @result
    def number_average(self) -> float:
        """Σn / number of open chains (monomers count as chains of 1)."""
        lengths = self.lengths
        return float(lengths.mean()) if len(lengths) else 0.0

    @property
    @result
    def weight_average(self) -> float:
        """Σn² / Σn over open chains."""
        lengths = self.lengths
        return float((lengths**2).sum() / lengths.sum()) if len(lengths) else 0.0

    @property
    @result
    def fraction_in_chains(self) -> float:
        """Fraction of clusters with at least one bond (in open chains of ≥ 2 or in rings)."""
        if self._n == 0:
            return 0.0
        bonded = sum(len(c) for c in self._chains if len(c) >= 2) + sum(len(r) for r in self._rings)
        return bonded / self._n

    @property
    @result
    def longest(self) -> float:
        """Longest open-chain contour length (nm)."""
        return float(self._contour.max()) if len(self._contour) else 0.0

    @result
    def summary(self) -> dict:
        """The chain measures as plain numbers (for JSON)."""
        multi = self.lengths >= 2
        return {
            "clusters": int(self._n),
            "fraction_in_chains": self.fraction_in_chains,
            "open_chains_of_2_or_more": int(multi.sum()),
            "rings": len(self._rings),
            "ring_sizes": self.ring_sizes.tolist(),
            "number_average_length": self.number_average,
            "weight_average_length": self.weight_average,
            "mean_length_of_chains": float(self.lengths[multi].mean()) if multi.any() else 0.0,
            "longest_chain_clusters": int(self.lengths.max()) if len(self.lengths) else 0,
            "longest_chain_nm": self.longest,
            "mean_straightness": float(self.straightness.mean()) if multi.any() else float("nan"),
            "criterion": self.criterion(),
        }

    def criterion(self) -> dict:
        """The bond criterion as plain numbers."""
        return {"r_max_nm": self.r_max, "max_angle_deg": self.max_angle, "dimensions": self.dimensions}

    def describe(self) -> str:
        """The criterion in words, for captions: "2D, centres ≤ 2.7 nm, ≤ 45°"."""
        return f"{self.dimensions}D, centres ≤ {self.r_max:g} nm, dipoles and bond within {self.max_angle:g}°"

    @result
    def plot(self, ax=None):
        """Histogram of open-chain lengths (clusters), monomers included; returns the axes."""
        from .figures import chain_length_histogram

        return chain_length_histogram(self, ax)
