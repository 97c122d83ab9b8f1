"""Measurements of a frame the way a TEM image is judged: chains, spacings and order.

The classes follow freud's pattern: settings in the constructor, ``compute(...)`` returns ``self``,
results are properties that refuse to be read before ``compute``, and ``plot(ax=None)`` returns the
axes (``_repr_png_`` shows them in a notebook). Units: nm for lengths, degrees for angles.

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

#: Intercluster spacings measured by TEM in dropcast R-Au-Cu nanowires (nm).
TEM_BAND_NM = (1.8, 2.5)
DEFAULT_R_MAX_NM = 2.7
DEFAULT_MAX_ANGLE_DEG = 45.0


class _Compute:
    """Results exist only after :meth:`compute`."""

    _computed = False

    def _need(self):
        if not self._computed:
            raise AttributeError(f"{type(self).__name__}: call compute() before reading results")

    def _repr_png_(self):
        import io

        from .plot import _pyplot

        plt = _pyplot()
        ax = self.plot()
        buffer = io.BytesIO()
        ax.figure.savefig(buffer, format="png", dpi=100)
        plt.close(ax.figure)
        return buffer.getvalue()


def _box(box_lengths, dimensions: int):
    import freud

    lx, ly, lz = (float(v) for v in box_lengths[:3])
    return freud.box.Box(lx, ly, is2D=True) if dimensions == 2 else freud.box.Box(lx, ly, lz)


def _project(positions, directions, dimensions: int):
    positions = np.array(positions, dtype=np.float64)
    directions = np.array(directions, dtype=np.float64)
    if dimensions == 2:  # seen from above, as in TEM
        positions[:, 2] = 0.0
        directions[:, 2] = 0.0
    norm = np.linalg.norm(directions, axis=1, keepdims=True)
    return positions, directions / np.where(norm > 0, norm, 1.0)


class Chains(_Compute):
    """Head-to-tail chains of dipolar clusters (see the module docstring for the criterion).

    Args:
        r_max: largest centre distance of a bond (nm).
        max_angle: largest angle (degrees) between bonded dipoles, and between a dipole and its bond.
        dimensions: 3 for the film in space, 2 for the deposit seen from above (z dropped).
    """

    def __init__(self, r_max=DEFAULT_R_MAX_NM, max_angle=DEFAULT_MAX_ANGLE_DEG, dimensions=3):
        from .errors import InputError

        if not r_max > 0:
            raise InputError("r_max", f"must be > 0 nm, got {r_max}")
        if not 0 < max_angle < 90:
            raise InputError("max_angle", f"must be in (0°, 90°), got {max_angle}")
        if dimensions not in (2, 3):
            raise InputError("dimensions", f"must be 2 or 3, got {dimensions}")
        self.r_max = float(r_max)
        self.max_angle = float(max_angle)
        self.dimensions = dimensions

    def compute(self, box, positions, directions):
        """Find chains. ``box`` (Lx, Ly, Lz, …) nm, ``positions`` (N, 3) nm, ``directions`` (N, 3) dipoles."""
        import freud

        points, u = _project(positions, directions, self.dimensions)
        fbox = _box(box, self.dimensions)
        n = len(points)
        cos_max = np.cos(np.radians(self.max_angle))
        if n > 1:
            query = freud.locality.AABBQuery(fbox, points)
            nlist = query.query(points, {"r_max": self.r_max, "exclude_ii": True}).toNeighborList()
            i, j = nlist.query_point_indices.astype(np.int64), nlist.point_indices.astype(np.int64)
        else:
            i = j = np.zeros(0, dtype=np.int64)
        # minimum image in float64 (freud works in float32)
        lengths_box = np.array([float(v) for v in box[:3]])
        vectors = points[j] - points[i]
        periodic = slice(0, 2) if self.dimensions == 2 else slice(0, 3)
        vectors[:, periodic] -= lengths_box[periodic] * np.round(vectors[:, periodic] / lengths_box[periodic])
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
        bond_vector = {(a, b): v for (a, b), v in zip(self._bonds.tolist(), self._bond_vectors, strict=True)}

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

        def contour(members, closed):
            steps = list(zip(members[:-1], members[1:], strict=True)) + ([(members[-1], members[0])] if closed else [])
            vecs = np.array([bond_vector[(a, b)] for a, b in steps]) if steps else np.zeros((0, 3))
            return np.linalg.norm(vecs, axis=1).sum(), np.linalg.norm(vecs.sum(axis=0)) if len(vecs) else 0.0

        measures = [contour(c, False) for c in chains]
        self._contour = np.array([m[0] for m in measures])
        self._end_to_end = np.array([m[1] for m in measures])
        self._axis_angle = np.array([self._angle_of(c, bond_vector) for c in chains])
        self._ring_contour = np.array([contour(r, True)[0] for r in rings])
        self._n = n
        self._computed = True
        return self

    @staticmethod
    def _angle_of(members, bond_vector):
        """In-plane angle (degrees, −90…90] of a chain's end-to-end vector; NaN for monomers."""
        if len(members) < 2:
            return np.nan
        v = sum(bond_vector[(a, b)] for a, b in zip(members[:-1], members[1:], strict=True))
        angle = np.degrees(np.arctan2(v[1], v[0]))
        return angle - 180.0 if angle > 90.0 else angle + 180.0 if angle <= -90.0 else angle

    # --- results -------------------------------------------------------------------------

    @property
    def bonds(self) -> np.ndarray:
        """(M, 2) indices (i, j): j is bonded ahead of i."""
        self._need()
        return self._bonds

    @property
    def spacings(self) -> np.ndarray:
        """(M,) centre distances of the bonds (nm)."""
        self._need()
        return np.linalg.norm(self._bond_vectors, axis=1)

    @property
    def chains(self) -> list[np.ndarray]:
        """Open chains as index arrays ordered tail → head (monomers included)."""
        self._need()
        return self._chains

    @property
    def rings(self) -> list[np.ndarray]:
        """Closed rings as index arrays."""
        self._need()
        return self._rings

    @property
    def chain_id(self) -> np.ndarray:
        """(N,) index into ``chains + rings`` for each cluster."""
        self._need()
        return self._chain_id

    @property
    def lengths(self) -> np.ndarray:
        """Number of clusters in each open chain."""
        self._need()
        return np.array([len(c) for c in self._chains], dtype=int)

    @property
    def contour_lengths(self) -> np.ndarray:
        """Centre-to-centre contour length (nm) of each open chain (0 for monomers)."""
        self._need()
        return self._contour

    @property
    def end_to_end(self) -> np.ndarray:
        """End-to-end distance (nm) of each open chain, unwrapped across the periodic box."""
        self._need()
        return self._end_to_end

    @property
    def straightness(self) -> np.ndarray:
        """End-to-end / contour length of each open chain of two or more clusters (1 = straight)."""
        self._need()
        multi = self.lengths >= 2
        return self._end_to_end[multi] / self._contour[multi]

    @property
    def chain_angles(self) -> np.ndarray:
        """In-plane angle (degrees) of each open chain of two or more clusters."""
        self._need()
        return self._axis_angle[self.lengths >= 2]

    @property
    def ring_sizes(self) -> np.ndarray:
        self._need()
        return np.array([len(r) for r in self._rings], dtype=int)

    @property
    def number_average(self) -> float:
        """Σn / number of open chains (monomers count as chains of 1)."""
        lengths = self.lengths
        return float(lengths.mean()) if len(lengths) else 0.0

    @property
    def weight_average(self) -> float:
        """Σn² / Σn over open chains."""
        lengths = self.lengths
        return float((lengths**2).sum() / lengths.sum()) if len(lengths) else 0.0

    @property
    def fraction_in_chains(self) -> float:
        """Fraction of clusters with at least one bond (in open chains of ≥ 2 or in rings)."""
        self._need()
        if self._n == 0:
            return 0.0
        bonded = sum(len(c) for c in self._chains if len(c) >= 2) + sum(len(r) for r in self._rings)
        return bonded / self._n

    @property
    def longest(self) -> float:
        """Longest open-chain contour length (nm)."""
        self._need()
        return float(self._contour.max()) if len(self._contour) else 0.0

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
            "criterion": {"r_max_nm": self.r_max, "max_angle_deg": self.max_angle, "dimensions": self.dimensions},
        }

    def plot(self, ax=None):
        """Histogram of open-chain lengths (clusters), monomers included."""
        from .plot import _pyplot

        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots(figsize=(5.5, 3.8), layout="constrained")
        lengths = self.lengths
        top = int(lengths.max()) if len(lengths) else 1
        ax.hist(lengths, bins=np.arange(0.5, top + 1.5), color="tab:blue", edgecolor="k", lw=0.5)
        ax.set_xlabel("chain length (clusters)")
        ax.set_ylabel("number of chains")
        ax.set_title(
            f"⟨n⟩ₙ = {self.number_average:.2f}, ⟨n⟩w = {self.weight_average:.2f}, "
            f"{self.fraction_in_chains:.0%} in chains, {len(self._rings)} rings",
            fontsize=9,
        )
        return ax


class Spacing(_Compute):
    """Distances between bonded neighbours along chains: histogram and statistics (nm).

    Args:
        bins: number of histogram bins between 0 and ``r_max`` (nm).
        r_max: upper end of the histogram (nm).
    """

    def __init__(self, bins=40, r_max=3.0):
        self.bins = int(bins)
        self.r_max = float(r_max)

    def compute(self, distances):
        """``distances`` (nm): e.g. :attr:`Chains.spacings`."""
        self._d = np.asarray(distances, dtype=float)
        self._counts, self._edges = np.histogram(self._d, bins=self.bins, range=(0.0, self.r_max))
        self._computed = True
        return self

    @property
    def distances(self) -> np.ndarray:
        self._need()
        return self._d

    @property
    def histogram(self) -> tuple[np.ndarray, np.ndarray]:
        """(counts, bin edges in nm)."""
        self._need()
        return self._counts, self._edges

    @property
    def mean(self) -> float:
        self._need()
        return float(self._d.mean()) if len(self._d) else float("nan")

    @property
    def std(self) -> float:
        self._need()
        return float(self._d.std(ddof=1)) if len(self._d) > 1 else float("nan")

    def percentiles(self, q=(5, 25, 50, 75, 95)) -> dict:
        self._need()
        if not len(self._d):
            return {f"p{p}": float("nan") for p in q}
        return {f"p{p}": float(v) for p, v in zip(q, np.percentile(self._d, q), strict=True)}

    def fraction_in(self, low=TEM_BAND_NM[0], high=TEM_BAND_NM[1]) -> float:
        """Fraction of spacings inside [low, high] nm (default: the TEM band)."""
        self._need()
        return float(np.mean((self._d >= low) & (self._d <= high))) if len(self._d) else float("nan")

    def summary(self) -> dict:
        return {
            "count": int(len(self.distances)),
            "mean_nm": self.mean,
            "std_nm": self.std,
            **{f"{k}_nm": v for k, v in self.percentiles().items()},
            "fraction_in_tem_band": self.fraction_in(),
        }

    def plot(self, ax=None, tem_band=True):
        """Histogram of spacings (nm) with the TEM band 1.8–2.5 nm shaded."""
        from .plot import _pyplot

        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots(figsize=(5.5, 3.8), layout="constrained")
        if tem_band:
            ax.axvspan(*TEM_BAND_NM, color="tab:orange", alpha=0.2, label="TEM 1.8–2.5 nm")
        counts, edges = self.histogram
        ax.stairs(counts, edges, fill=True, color="tab:blue", alpha=0.7, label="simulated bonds")
        ax.set_xlabel("intercluster spacing (nm)")
        ax.set_ylabel("bonds")
        ax.set_title(f"mean {self.mean:.3f} nm, s.d. {self.std:.3f} nm, n = {len(self._d)}", fontsize=9)
        ax.legend(fontsize=8)
        return ax


class Order(_Compute):
    """Polar and nematic order of the dipoles (all clusters and those in chains), and the in-plane
    orientation order of the chains."""

    def compute(self, directions, chains: Chains | None = None):
        import freud

        u = np.asarray(directions, dtype=float)
        u = u / np.linalg.norm(u, axis=1, keepdims=True)
        nematic = freud.order.Nematic()

        def measures(vectors):
            if len(vectors) == 0:
                return float("nan"), float("nan")
            polar = float(np.linalg.norm(vectors.mean(axis=0)))
            return polar, float(nematic.compute(vectors.astype(np.float32)).order) if len(vectors) > 1 else 1.0

        self._polar, self._nematic = measures(u)
        self._polar_chains = self._nematic_chains = float("nan")
        self._chain_order_2d = float("nan")
        self._chain_angles = np.zeros(0)
        if chains is not None:
            in_chain = np.zeros(len(u), dtype=bool)
            for c in chains.chains:
                if len(c) >= 2:
                    in_chain[c] = True
            for r in chains.rings:
                in_chain[r] = True
            self._polar_chains, self._nematic_chains = measures(u[in_chain])
            self._chain_angles = chains.chain_angles
            if len(self._chain_angles):
                self._chain_order_2d = float(np.abs(np.exp(2j * np.radians(self._chain_angles)).mean()))
        self._computed = True
        return self

    @property
    def polar(self) -> float:
        """|⟨u⟩| over all clusters: 1 when all dipoles point the same way."""
        self._need()
        return self._polar

    @property
    def nematic(self) -> float:
        """Nematic order parameter S of the dipole axes (freud.order.Nematic)."""
        self._need()
        return self._nematic

    @property
    def polar_in_chains(self) -> float:
        self._need()
        return self._polar_chains

    @property
    def nematic_in_chains(self) -> float:
        self._need()
        return self._nematic_chains

    @property
    def chain_order_2d(self) -> float:
        """|⟨exp(2iθ)⟩| of the chains' in-plane angles θ: 0 isotropic, 1 all chains parallel."""
        self._need()
        return self._chain_order_2d

    def summary(self) -> dict:
        return {
            "polar": self.polar,
            "nematic": self.nematic,
            "polar_in_chains": self.polar_in_chains,
            "nematic_in_chains": self.nematic_in_chains,
            "chain_order_2d": self.chain_order_2d,
        }

    def plot(self, ax=None):
        """Rose of the chains' in-plane angles."""
        from .plot import _pyplot

        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots(figsize=(5.5, 3.8), layout="constrained")
        ax.hist(self._chain_angles, bins=np.linspace(-90, 90, 19), color="tab:green", edgecolor="k", lw=0.5)
        ax.set_xlabel("chain angle in the substrate plane (degrees)")
        ax.set_ylabel("chains")
        ax.set_title(
            f"2D chain order {self.chain_order_2d:.2f}, dipole polar {self.polar:.2f}, nematic {self.nematic:.2f}",
            fontsize=9,
        )
        return ax
