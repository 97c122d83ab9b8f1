"""Polar and nematic order of the dipoles, and the in-plane order of the chains' directions."""

from __future__ import annotations

import numpy as np

from .compute import Compute, result


class Order(Compute):
    """Polar and nematic order of the dipoles (all clusters and those in chains), and the in-plane
    orientation order of the chains."""

    def _results_repr(self) -> str:
        return f"polar {self.polar:.2f}, nematic {self.nematic:.2f}, 2D chain order {self.chain_order_2d:.2f}"

    def compute(self, directions, chains=None):
        """``directions`` (N, 3) dipoles or axes; ``chains`` a computed :class:`~dipolewire.analysis.chains.Chains`
        for the order of the clusters in chains and of the chains' directions."""
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
    @result
    def polar(self) -> float:
        """|⟨u⟩| over all clusters: 1 when all dipoles point the same way."""
        return self._polar

    @property
    @result
    def nematic(self) -> float:
        """Nematic order parameter S of the dipole axes (freud.order.Nematic)."""
        return self._nematic

    @property
    @result
    def polar_in_chains(self) -> float:
        return self._polar_chains

    @property
    @result
    def nematic_in_chains(self) -> float:
        return self._nematic_chains

    @property
    @result
    def chain_order_2d(self) -> float:
        """|⟨exp(2iθ)⟩| of the chains' in-plane angles θ: 0 isotropic, 1 all chains parallel."""
        return self._chain_order_2d

    @result
    def summary(self) -> dict:
        return {
            "polar": self.polar,
            "nematic": self.nematic,
            "polar_in_chains": self.polar_in_chains,
            "nematic_in_chains": self.nematic_in_chains,
            "chain_order_2d": self.chain_order_2d,
        }

    @property
    @result
    def chain_angles(self) -> np.ndarray:
        """In-plane angles (degrees) of the chains of two or more clusters."""
        return self._chain_angles

    @result
    def plot(self, ax=None):
        """Histogram of the chains' in-plane angles; returns the axes."""
        from .figures import chain_angle_histogram

        return chain_angle_histogram(self, ax)
