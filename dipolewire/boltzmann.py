"""Exact Boltzmann distributions of the model's few-cluster systems, and the same distributions sampled by
an engine: the distance distribution of two clusters, and the height distribution of one cluster in a film.

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

One cluster alone in a film held at a fixed height has its centre at height z with probability density
p(z) ∝ ∫ d(cos θ) exp(−[Σ walls(z, θ)]/kT), θ the tilt of its Janus axis and the walls every declared
plane term (:func:`wall_energy`): :func:`exact_height_distribution`.
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


def wall_energy(model, z, cos_theta, time_ns: float = 0.0):
    """Energy (zJ) of one body of ``model`` with its centre at height ``z`` (nm, lab frame) and its Janus axis
    at ``cos_theta`` to +z, from every declared wall and well at ``time_ns``."""
    z, cos_theta = np.broadcast_arrays(np.asarray(z, dtype=float), np.asarray(cos_theta, dtype=float))
    energy = np.zeros(z.shape)
    for wall in model.walls:
        plane = float(wall.z(time_ns))
        if wall.kind == "interface_well":
            energy += wall.energy(plane - z)
            continue
        for bead in model.body.beads:
            bead_z = z + bead.z * cos_theta
            if wall.side == "lower":
                overlap = plane + bead.outer_radius - bead_z
            else:
                overlap = bead_z + bead.outer_radius - plane
            overlap = np.clip(overlap, 0.0, wall.range)
            energy += 0.5 * wall.stiffness * overlap**2
    return energy


def exact_height_distribution(model, edges, angles: int = 64, points: int = 8) -> np.ndarray:
    """Probability of each bin of centre height (``edges``, nm above the substrate plane) of one body of
    ``model`` in its film at time 0, normalised over the bins."""
    edges = np.asarray(edges, dtype=float)
    x, w = np.polynomial.legendre.leggauss(angles)
    gx, gw = np.polynomial.legendre.leggauss(points)
    probability = np.zeros(len(edges) - 1)
    for k, (lo, hi) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        half = 0.5 * (hi - lo)
        heights = model.substrate_z + lo + half * (1 + gx)
        energy = wall_energy(model, heights[:, None], x[None, :]) / model.kT
        probability[k] = half * np.sum(gw[:, None] * w[None, :] * np.exp(-energy))
    return probability / probability.sum()


def film_document(engine: str, height_nm: float, seed: int = 3, hypotheses: dict | None = None) -> dict:
    """A run file for one R-Au-Cu cluster in a film held at ``height_nm`` over a 12 nm square."""
    document = {
        "name": "one",
        "cluster": {"preset": "R-Au-Cu"},
        "amount": {"clusters": 1, "film_height": f"{height_nm} nm", "box_length": "12 nm"},
        "solvent": {"preset": "CH2Cl2"},
        "drying": {"front_speed": "0 nm/ns", "hold": "1 ns"},
        "numerics": {"dipole_cutoff": "5 nm", "engine": engine, "seed": seed},
    }
    if hypotheses:
        document["hypotheses"] = hypotheses
    return document


def _sample(model, workdir, start, samples: int, interval_ns: float, seed: int, measure) -> np.ndarray:
    from . import engines

    name, _ = engines.choose(model.spec.numerics.engine, model.execution.device)
    engine = engines.create(name, model, workdir)
    try:
        engine.setup(start, seed)
        steps = max(1, round(interval_ns / model.dynamics.timestep))
        eps_r = model.permittivity.wet
        values = np.empty(samples)
        for k in range(samples):
            engine.advance(steps, eps_r)
            values[k] = measure(engine.snapshot())
        return values
    finally:
        engine.close()


def sample_distances(model, workdir, samples: int, interval_ns: float, seed: int = 3) -> np.ndarray:
    """Centre distances (nm, minimum image) of the two bodies of ``model``, one every ``interval_ns``,
    from the engine the model names, after a start a quarter of the box apart."""
    from .engines.base import Start

    positions = np.array([[0.0, 0.0, 0.0], [0.25 * model.box.lx, 0.0, 0.0]])
    start = Start(positions, np.array([[1.0, 0.0, 0.0, 0.0]] * 2), np.zeros(2, dtype=np.int32))

    def distance(snap):
        return np.linalg.norm(model.box.minimum_image(snap.positions[1:] - snap.positions[:1])[0])

    return _sample(model, workdir, start, samples, interval_ns, seed, distance)


def sample_heights(model, workdir, samples: int, interval_ns: float, seed: int = 3) -> np.ndarray:
    """Heights (nm above the substrate plane) of the one body of ``model``, one every ``interval_ns``, from
    the engine the model names, after a start lying flat in the middle of the film."""
    from .engines.base import Start

    middle = model.substrate_z + 0.5 * model.initial_height
    flat = np.array([[np.cos(np.pi / 4), np.sin(np.pi / 4), 0.0, 0.0]])  # Janus axis along −y
    start = Start(np.array([[0.0, 0.0, middle]]), flat, np.zeros(1, dtype=np.int32))
    return _sample(
        model, workdir, start, samples, interval_ns, seed, lambda snap: snap.positions[0, 2] - model.substrate_z
    )
