"""LAMMPS commands for each dipole method (``numerics.dipole_method``), shared by the engine and by the
standalone evaluator :func:`dipolewire.engines.lammps.point_dipole_interactions`.

- ``cut``: ``lj/cut/dipole/cut``, the bare dipole–dipole energy truncated at r_c without shift;
- ``shifted_force``: ``lj/sf/dipole/sf``, the bare energy times 1 − 4(r/r_c)³ + 3(r/r_c)⁴ (energy and
  force reach 0 smoothly at r_c; :func:`dipolewire.lattice_sums.envelope`);
- ``ewald`` and ``pppm``: ``lj/cut/dipole/long`` for the real-space part with ``kspace_style
  ewald/dipole`` or ``pppm/dipole``, conducting (tinfoil) boundaries; a film (z not periodic) adds
  ``kspace_modify slab 3.0`` (Yeh–Berkowitz: empty space of twice the box height between images in z
  and the correction for the net z dipole).

Long-range parameters are set here, not by LAMMPS's estimators: LAMMPS 2025.7.22 ``ewald/dipole`` sizes
its k-space in z from the box height rather than the slab-extended height, which leaves a slab sum a few
per cent off (measured on the 2D square lattice, docs/dipole-methods.md), and ``pppm/dipole``'s estimator
searches its mesh with seconds of set-up at every ``run``. From the accuracy δ (``numerics.dipole_accuracy``):

- splitting parameter g = √(−ln δ)/r_c (nm⁻¹), so the real-space Gaussian tail at the cut-off is δ;
- Ewald: k_max along each axis = ⌈√(−ln δ) g L/π⌉ (L the periodic length, slab-extended in z), so the
  k-space Gaussian tail at the largest k is δ as well;
- PPPM: a mesh of spacing h ≤ 1/(2g) along each axis (rounded up to a 2·3·5-smooth count), order 5.

Energies in zJ; εr enters through ``dielectric``, which divides LAMMPS's e²/(4π ε0) for the pair styles
and the k-space styles alike (both read it at every ``run``).
"""

from __future__ import annotations

import math

#: Pair sub-style of each method; the long-range methods share the real-space style.
PAIR_STYLE = {
    "cut": "lj/cut/dipole/cut",
    "shifted_force": "lj/sf/dipole/sf",
    "ewald": "lj/cut/dipole/long",
    "pppm": "lj/cut/dipole/long",
}
KSPACE_STYLE = {"ewald": "ewald/dipole", "pppm": "pppm/dipole"}
#: Empty space between slab images in z, as a multiple of the box height (LAMMPS ``kspace_modify slab``).
SLAB_FACTOR = 3.0
PPPM_ORDER = 5
#: Mesh spacing times the splitting parameter g for PPPM.
PPPM_SPACING_G = 0.5
#: A LAMMPS Lennard-Jones cut-off (nm) for the dipole styles, whose LJ part is switched off (ε = 0).
LJ_OFF_CUTOFF = 0.1


def _num(value) -> str:
    return f"{float(value):.17g}"


def _smooth(n: int) -> int:
    """The smallest integer ≥ n with no prime factor above 5 (a fast FFT length)."""
    while True:
        m = n
        for factor in (2, 3, 5):
            while m % factor == 0:
                m //= factor
        if m == 1:
            return n
        n += 1


def splitting(cutoff: float, accuracy: float) -> float:
    """Ewald splitting parameter g (nm⁻¹) for a real-space cut-off (nm) and accuracy δ: √(−ln δ)/r_c."""
    return math.sqrt(-math.log(accuracy)) / cutoff


def kspace_lengths(lengths, periodic_z: bool) -> tuple[float, float, float]:
    """The periodic lengths (nm) k-space sees: the box, its height times :data:`SLAB_FACTOR` for a film."""
    lx, ly, lz = (float(v) for v in lengths)
    return lx, ly, lz if periodic_z else SLAB_FACTOR * lz


def ewald_kmax(cutoff: float, accuracy: float, lengths, periodic_z: bool) -> tuple[int, int, int]:
    """k-vector counts per axis for ``ewald/dipole`` (see the module docstring)."""
    p = math.sqrt(-math.log(accuracy))
    g = splitting(cutoff, accuracy)
    return tuple(max(1, math.ceil(p * g * length / math.pi)) for length in kspace_lengths(lengths, periodic_z))


def pppm_mesh(cutoff: float, accuracy: float, lengths, periodic_z: bool) -> tuple[int, int, int]:
    """Mesh points per axis for ``pppm/dipole`` (see the module docstring)."""
    g = splitting(cutoff, accuracy)
    return tuple(
        _smooth(max(PPPM_ORDER, math.ceil(g * length / PPPM_SPACING_G)))
        for length in kspace_lengths(lengths, periodic_z)
    )


def style_arguments(method: str, cutoff: float) -> str:
    """Arguments of the dipole pair style after its name: LJ cut-off (LJ unused), dipole cut-off."""
    return f"{LJ_OFF_CUTOFF:g} {_num(cutoff)}"


def coeff_arguments(method: str, cutoff: float) -> str:
    """``pair_coeff`` arguments after the type pair and style name: LJ off (ε = 0, σ = 1 nm)."""
    if method in KSPACE_STYLE:  # lj/cut/dipole/long takes one global dipole cut-off
        return f"0.0 1.0 {LJ_OFF_CUTOFF:g}"
    return f"0.0 1.0 {LJ_OFF_CUTOFF:g} {_num(cutoff)}"


def kspace_commands(method: str, cutoff: float, accuracy: float, lengths, periodic_z: bool) -> list[str]:
    """The k-space commands of a long-range method (none for a truncated one); after the pair style."""
    if method not in KSPACE_STYLE:
        return []
    g = splitting(cutoff, accuracy)
    if method == "ewald":
        counts = ewald_kmax(cutoff, accuracy, lengths, periodic_z)
        grid = f"kmax/ewald {counts[0]} {counts[1]} {counts[2]}"
    else:
        counts = pppm_mesh(cutoff, accuracy, lengths, periodic_z)
        grid = f"mesh {counts[0]} {counts[1]} {counts[2]} order {PPPM_ORDER}"
    commands = [
        # the accuracy argument is required but unused: g and the grid are given explicitly
        f"kspace_style {KSPACE_STYLE[method]} {_num(accuracy)}",
        f"kspace_modify gewald {_num(g)} {grid}",
    ]
    if not periodic_z:
        commands.append(f"kspace_modify slab {_num(SLAB_FACTOR)}")
    return commands
