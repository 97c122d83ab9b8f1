"""The exact distance distribution of two clusters, and the same distribution sampled by an engine.

Two rigid clusters alone in a periodic box visit separations r with probability density

    p(r) ∝ r² ∫ dΩ exp(−U(r, Ω)/kT),

Ω the orientations of both bodies and of the line joining them, U the model's pair energy
(:meth:`~dipolewire.model.Model.pair_energy`, every declared term). Inside the window where the pair
interacts with one image only (window edge + dipole cut-off ≤ box length), this is exact whatever the
dynamics, so the bond-length distribution an engine samples must match it: a check of the pair terms,
of their translation into the engine and of the integrator's sampling at once.

:func:`exact_distance_distribution` computes it by quadrature: body 1's Janus axis fixed along z (the
energy does not change under a common rotation), the direction of r by Gauss–Legendre in cos θ, body 2's
axis by Gauss–Legendre in cos θ₂ and a uniform grid in φ₂.
"""

from __future__ import annotations

import numpy as np


def _unit(cos_theta, phi):
    sin_theta = np.sqrt(1.0 - cos_theta**2)
    return np.stack([sin_theta * np.cos(phi), sin_theta * np.sin(phi), cos_theta], axis=-1)


def exact_distance_distribution(model, edges, eps_r: float, angles: int = 32, radial: int = 6) -> np.ndarray:
    """Probability of each bin of centre distance (``edges`` nm) for two bodies of ``model`` at ``eps_r``,
    normalised over the bins. ``angles`` quadrature points per angle, ``radial`` Gauss points per bin."""
    edges = np.asarray(edges, dtype=float)
    kT = model.kT
    x, w = np.polynomial.legendre.leggauss(angles)
    phi = 2 * np.pi * np.arange(angles) / angles
    c_r, c_2, p_2 = np.meshgrid(x, x, phi, indexing="ij")
    weight = (w[:, None, None] * w[None, :, None] * np.ones_like(p_2)).ravel()
    direction = _unit(c_r.ravel(), np.zeros(c_r.size))
    u2 = _unit(c_2.ravel(), p_2.ravel())
    u1 = np.broadcast_to([0.0, 0.0, 1.0], u2.shape)
    gx, gw = np.polynomial.legendre.leggauss(radial)
    probability = np.zeros(len(edges) - 1)
    for k, (lo, hi) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        half = 0.5 * (hi - lo)
        for xr, wr in zip(gx, gw, strict=True):
            r = lo + half * (1 + xr)
            energy = model.pair_energy(r * direction, u1, u2, eps_r) / kT
            probability[k] += half * wr * r * r * np.sum(weight * np.exp(-energy))
    return probability / probability.sum()


def pair_document(
    engine: str,
    eps_r: float,
    box_nm: float = 9.0,
    cutoff_nm: float = 3.5,
    seed: int = 3,
    hypotheses: dict | None = None,
    timestep: str = "auto",
) -> dict:
    """A run file for two R-Au-Cu clusters in a periodic cubic box of ``box_nm`` at fixed ``eps_r``
    (the solvent's permittivity is set to it; nothing dries), dipole cut-off ``cutoff_nm``."""
    document = {
        "name": "pair",
        "cluster": {"preset": "R-Au-Cu"},
        "amount": {"clusters": 2, "film_height": f"{box_nm} nm", "box_length": f"{box_nm} nm"},
        "solvent": {"preset": "CH2Cl2", "eps_r": eps_r},
        "drying": {"front_speed": "0 nm/ns", "hold": "1 ns", "walls": False},
        "numerics": {"dipole_cutoff": f"{cutoff_nm} nm", "engine": engine, "seed": seed, "timestep": timestep},
    }
    if hypotheses:
        document["hypotheses"] = hypotheses
    return document


def sample_distances(model, workdir, samples: int, interval_ns: float, seed: int = 3) -> np.ndarray:
    """Centre distances (nm, minimum image) of the two bodies of ``model``, one every ``interval_ns``,
    from the engine the model names, after a start a quarter of the box apart."""
    from . import engines
    from .engines.base import Start

    length = model.box.lx
    positions = np.array([[0.0, 0.0, 0.0], [0.25 * length, 0.0, 0.0]])
    orientations = np.array([[1.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]])
    name, _ = engines.choose(model.spec.numerics.engine, model.execution.device)
    engine = engines.create(name, model, workdir)
    try:
        engine.setup(Start(positions, orientations, np.zeros(2, dtype=np.int32)), seed)
        steps = max(1, round(interval_ns / model.dynamics.timestep))
        eps_r = model.permittivity.wet
        distances = np.empty(samples)
        for k in range(samples):
            engine.advance(steps, eps_r)
            snap = engine.snapshot()
            separation = model.box.minimum_image(snap.positions[1:] - snap.positions[:1])
            distances[k] = np.linalg.norm(separation[0])
        return distances
    finally:
        engine.close()
