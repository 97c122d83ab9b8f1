"""Rotations and the periodic box, shared by the model, the engines, the trajectory and the analysis.

Lengths in nm. Quaternions are (w, x, y, z) and rotate the body frame into the lab frame, as in
HOOMD-blue and GSD. Boxes are centred on the origin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def rotate(quaternions, vectors):
    """Rotate ``vectors`` (..., 3) by unit ``quaternions`` (..., 4) (w, x, y, z)."""
    q = np.asarray(quaternions, dtype=float)
    v = np.asarray(vectors, dtype=float)
    w, u = q[..., :1], q[..., 1:]
    t = 2.0 * np.cross(u, v)
    return v + w * t + np.cross(u, t)


@dataclass(frozen=True)
class Box:
    """An orthorhombic box centred on 0: edge lengths (nm) and which axes are periodic.

    A drying film is periodic in x and y and bounded in z by its walls; a bulk box is periodic in all three.
    """

    lx: float
    ly: float
    lz: float
    periodic_z: bool = True

    @property
    def lengths(self) -> np.ndarray:
        """(3,) edge lengths (nm)."""
        return np.array([self.lx, self.ly, self.lz])

    def images(self, points) -> np.ndarray:
        """Integer periodic images of ``points`` (..., 3) nm: 0 inside the box, and always 0 along z when
        z is not periodic (a wall-bounded film has no z images)."""
        lengths = self.lengths
        images = np.floor((np.asarray(points) + 0.5 * lengths) / lengths).astype(np.int32)
        if not self.periodic_z:
            images[..., 2] = 0
        return images

    def wrap(self, points) -> tuple[np.ndarray, np.ndarray]:
        """``(wrapped points, images)``: unwrapped ``points`` (..., 3) nm put back into the box."""
        images = self.images(points)
        return np.asarray(points) - images * self.lengths, images

    def minimum_image(self, vectors, axes=slice(0, 3)) -> np.ndarray:
        """Separation ``vectors`` (n, 3) nm replaced by their nearest periodic image along ``axes``."""
        vectors = np.array(vectors, dtype=np.float64)
        lengths = self.lengths[axes]
        vectors[:, axes] -= lengths * np.round(vectors[:, axes] / lengths)
        return vectors
