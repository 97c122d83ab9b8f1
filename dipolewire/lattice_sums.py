"""Exact dipolar lattice energies, and the same sums as a truncated pair potential sees them.

Every energy here is per particle, in units of λkT with λ = μ²/(4π ε0 εr σ³ kT) (σ the lattice
spacing in nm, μ in e·nm, kT in zJ): multiply by ``COULOMB_ZJ_NM · μ² / (εr σ³)`` for zJ. The pair
energy of two dipoles at r is u(r) = λkT (σ/r)³ [μ̂1·μ̂2 − 3 (μ̂1·r̂)(μ̂2·r̂)], so a lattice of parallel
dipoles μ̂ has the energy per particle

    e = ½ Σ'_n (1 − 3 (μ̂·n̂)²) / |n|³        (n: lattice vectors in units of σ, n ≠ 0).

Closed forms (the references the dipole methods are measured against):

- ``square2d`` — the 2D polar square lattice, dipoles in plane along a lattice axis. The sum converges
  absolutely; by the x ↔ y symmetry Σ' nx²/|n|⁵ = ½ Σ' 1/|n|³, so e = −¼ Σ' |n|⁻³, and the Epstein
  zeta of the square lattice is Σ' |n|⁻²ˢ = 4 ζ(s) β(s) (Dirichlet β). Hence e = −ζ(3/2) β(3/2) = −2.2584.
- ``chain`` — one straight head-to-tail chain: e = −2 ζ(3) = −2.4041.
- ``sc3d`` — a simple-cubic lattice of parallel dipoles filling space, summed over a sphere with
  conducting (tinfoil) surroundings, i.e. what Ewald summation with tinfoil boundary gives in any
  periodic box of whole cubic cells. The spherical lattice sum vanishes by cubic symmetry; the local
  field is then the Lorentz cavity field (4π/3)P with P = μ/σ³, so e = −(2π/3) = −2.0944. A spherical
  cut-off misses all of it: every cubic shell sums to zero, so ``cut`` and ``shifted_force`` give 0.
- two parallel chains a distance D apart (in register), ``chain_pair``: the energy per particle of one
  chain in the field of the other is ½ s(D/σ) with s(δ) = Σ_n (δ² − 2n²)/(n² + δ²)^(5/2); Poisson
  summation turns it into s(δ) = 4 Σ_{k≥1} (2πk)² K0(2πkδ), which converges like exp(−2πδ). Per particle
  of the pair: e = −2ζ(3) ± ½ s(δ), + for parallel chains, − for antiparallel ones.

:func:`truncated_energy` is the direct sum over the neighbours inside a cut-off, weighted by the
envelope of a method (:func:`envelope`): exactly what a truncated pair style computes for a perfect lattice.
"""

from __future__ import annotations

import math

import numpy as np

#: Lattices with a closed-form reference: the dipoles are parallel to x in all of them.
LATTICES = ("square2d", "chain", "sc3d")
#: Dipole treatments: the truncated ones (an envelope in r), and the long-range ones (Ewald-type).
TRUNCATED = ("cut", "shifted_force")
LONG_RANGE = ("ewald", "pppm")


def dirichlet_beta(s: float) -> float:
    """Dirichlet β(s) = Σ_{k≥0} (−1)^k (2k+1)^(−s), through the Hurwitz zeta: 4^(−s) [ζ(s, ¼) − ζ(s, ¾)]."""
    from scipy.special import zeta

    return float(4.0**-s * (zeta(s, 0.25) - zeta(s, 0.75)))


def exact_energy(lattice: str) -> float:
    """Exact energy per particle (λkT) of a perfect lattice of parallel dipoles (see the module docstring)."""
    from scipy.special import zeta

    if lattice == "square2d":
        return -float(zeta(1.5)) * dirichlet_beta(1.5)
    if lattice == "chain":
        return -2.0 * float(zeta(3.0))
    if lattice == "sc3d":
        return -2.0 * math.pi / 3.0
    raise ValueError(f"unknown lattice {lattice!r}; known: {', '.join(LATTICES)}")


def chain_pair_coupling(delta: float, terms: int = 50) -> float:
    """s(δ) = Σ_n (δ² − 2n²)/(n² + δ²)^(5/2) over all integers n: the energy (λkT) of one dipole of a
    straight chain (spacing σ, dipoles along the chain) with a parallel chain δ = D/σ away, in register,
    by its Poisson-summed Bessel series 4 Σ_{k≥1} (2πk)² K0(2πkδ)."""
    from scipy.special import k0

    if delta <= 0:
        raise ValueError("the chains must be a positive distance apart")
    q = 2.0 * math.pi * np.arange(1, terms + 1)
    return float(4.0 * np.sum(q**2 * k0(q * delta)))


def chain_pair_energy(delta: float, parallel: bool = True) -> float:
    """Energy per particle (λkT) of two infinite straight chains δ = D/σ apart, in register, their
    dipoles parallel (``parallel``) or antiparallel: −2ζ(3) ± ½ s(δ) (:func:`chain_pair_coupling`)."""
    sign = 1.0 if parallel else -1.0
    return exact_energy("chain") + sign * 0.5 * chain_pair_coupling(delta)


def envelope(method: str, r, cutoff: float):
    """The factor a truncated method applies to the bare dipole–dipole energy at distance ``r`` (nm):

    - ``cut``: 1 for r < r_c, else 0 (LAMMPS ``lj/cut/dipole/cut``, HOOMD-blue ``Dipole``);
    - ``shifted_force``: 1 − 4 (r/r_c)³ + 3 (r/r_c)⁴ for r < r_c, else 0 (LAMMPS ``lj/sf/dipole/sf``,
      Allen & Germano, Mol. Phys. 104, 3225 (2006)). It and its slope vanish at r_c, so energy and force
      reach 0 smoothly, and the force LAMMPS applies is exactly minus the gradient of this energy.
    """
    x = np.asarray(r, dtype=float) / cutoff
    inside = x < 1.0
    if method == "cut":
        return np.where(inside, 1.0, 0.0)
    if method == "shifted_force":
        return np.where(inside, 1.0 - 4.0 * x**3 + 3.0 * x**4, 0.0)
    raise ValueError(f"no envelope for dipole method {method!r}: {', '.join(TRUNCATED)} have one")


def lattice_vectors(lattice: str, extent: int) -> np.ndarray:
    """Lattice vectors n ≠ 0 (units of σ) with |components| ≤ ``extent``; the dipoles point along x."""
    span = np.arange(-extent, extent + 1)
    if lattice == "chain":
        n = np.column_stack([span, np.zeros_like(span), np.zeros_like(span)])
    elif lattice == "square2d":
        x, y = np.meshgrid(span, span, indexing="ij")
        n = np.column_stack([x.ravel(), y.ravel(), np.zeros(x.size, dtype=int)])
    elif lattice == "sc3d":
        x, y, z = np.meshgrid(span, span, span, indexing="ij")
        n = np.column_stack([x.ravel(), y.ravel(), z.ravel()])
    else:
        raise ValueError(f"unknown lattice {lattice!r}; known: {', '.join(LATTICES)}")
    return n[np.any(n != 0, axis=1)].astype(float)


def truncated_energy(lattice: str, cutoff_sigmas: float, method: str = "cut") -> float:
    """Energy per particle (λkT) of a perfect lattice of parallel dipoles (along x) summed directly over
    the neighbours closer than ``cutoff_sigmas`` lattice spacings, each pair weighted by the method's
    :func:`envelope`: what a truncated pair potential gives for that lattice."""
    n = lattice_vectors(lattice, int(math.ceil(cutoff_sigmas)))
    r = np.linalg.norm(n, axis=1)
    pair = (1.0 - 3.0 * (n[:, 0] / r) ** 2) / r**3
    return float(0.5 * np.sum(pair * envelope(method, r, cutoff_sigmas)))


def relative_error(lattice: str, value: float) -> float:
    """(value − exact)/|exact| for a lattice energy per particle (λkT)."""
    exact = exact_energy(lattice)
    return (value - exact) / abs(exact)


def lattice_configuration(lattice: str, cells: int, spacing: float, moment: float):
    """Positions (nm), dipoles (e·nm, all along x) and the box ``(lx, ly, lz, periodic_z)`` (nm) of a
    perfect ``lattice`` of ``cells`` per side at ``spacing`` (nm), centred on the origin, for engines.

    square2d: cells × cells in a film 8 nm high (a slab); chain: cells along x, chains 4 spacings apart in
    y (the next chain changes the energy by ~1e-10 λkT); sc3d: cells³ in a periodic cube."""
    span = (np.arange(cells) + 0.5) * spacing
    if lattice == "square2d":
        x, y = np.meshgrid(span, span, indexing="ij")
        positions = np.column_stack([x.ravel(), y.ravel(), np.zeros(x.size)])
        box = (cells * spacing, cells * spacing, 8.0, False)
    elif lattice == "chain":
        positions = np.column_stack([span, np.zeros(cells), np.zeros(cells)])
        box = (cells * spacing, 4 * spacing, 8.0, False)
    elif lattice == "sc3d":
        x, y, z = np.meshgrid(span, span, span, indexing="ij")
        positions = np.column_stack([x.ravel(), y.ravel(), z.ravel()])
        box = (cells * spacing,) * 3 + (True,)
    else:
        raise ValueError(f"unknown lattice {lattice!r}; known: square2d, chain, sc3d")
    positions -= 0.5 * np.array(box[:3])
    return positions, np.tile([moment, 0.0, 0.0], (len(positions), 1)), box
