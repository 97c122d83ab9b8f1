"""Molar masses from elemental formulas, with standard atomic weights.

Atomic weights (g/mol) are the IUPAC standard atomic weights 2021 (CIAAW; T. Prohaska et al., Pure Appl.
Chem. 2022, 94, 573–600, https://ciaaw.org). Elements whose standard atomic weight is an interval (H, Li,
B, C, N, O, Mg, Si, S, Cl, Br, Tl) take the CIAAW conventional value; the others are the standard values
without their uncertainty. The table holds the elements of ligand-protected metal clusters, their
ligands and counterions.

A formula is element symbols with counts and parenthesised groups, e.g. ``Au8(C44H32P2)3Cu4(C4N2S2)3``.
"""

from __future__ import annotations

import re

from .errors import InputError

ATOMIC_WEIGHTS: dict[str, float] = {
    "H": 1.008,
    "Li": 6.94,
    "B": 10.81,
    "C": 12.011,
    "N": 14.007,
    "O": 15.999,
    "F": 18.998403162,
    "Na": 22.98976928,
    "Mg": 24.305,
    "Al": 26.9815384,
    "Si": 28.085,
    "P": 30.973761998,
    "S": 32.06,
    "Cl": 35.45,
    "K": 39.0983,
    "Ca": 40.078,
    "Fe": 55.845,
    "Co": 58.933194,
    "Ni": 58.6934,
    "Cu": 63.546,
    "Zn": 65.38,
    "Ga": 69.723,
    "Ge": 72.630,
    "As": 74.921595,
    "Se": 78.971,
    "Br": 79.904,
    "Rb": 85.4678,
    "Ru": 101.07,
    "Rh": 102.90549,
    "Pd": 106.42,
    "Ag": 107.8682,
    "Cd": 112.414,
    "In": 114.818,
    "Sn": 118.710,
    "Sb": 121.760,
    "Te": 127.60,
    "I": 126.90447,
    "Cs": 132.90545196,
    "Ir": 192.217,
    "Pt": 195.084,
    "Au": 196.966570,
    "Hg": 200.592,
    "Tl": 204.38,
    "Pb": 207.2,
    "Bi": 208.98040,
}

_TOKEN = re.compile(r"([A-Z][a-z]?)(\d*)|([(\[])|([)\]])(\d*)|(\s+)")


def composition(formula: str, field: str = "formula") -> dict[str, int]:
    """Atoms of each element in ``formula`` (``"Au8(C4N2S2)3"`` → ``{"Au": 8, "C": 12, "N": 6, "S": 6}``)."""
    stack: list[dict[str, int]] = [{}]
    position = 0
    while position < len(formula):
        match = _TOKEN.match(formula, position)
        if not match:
            raise InputError(field, f"cannot read {formula!r} as an elemental formula at {formula[position:]!r}")
        element, count, opening, closing, multiplier, _ = match.groups()
        if element:
            if element not in ATOMIC_WEIGHTS:
                raise InputError(field, f"unknown element {element!r} in {formula!r}")
            stack[-1][element] = stack[-1].get(element, 0) + int(count or 1)
        elif opening:
            stack.append({})
        elif closing:
            if len(stack) == 1:
                raise InputError(field, f"unbalanced ')' in {formula!r}")
            group = stack.pop()
            for name, n in group.items():
                stack[-1][name] = stack[-1].get(name, 0) + n * int(multiplier or 1)
        position = match.end()
    if len(stack) != 1:
        raise InputError(field, f"unbalanced '(' in {formula!r}")
    if not stack[0] or 0 in stack[0].values():
        raise InputError(field, f"{formula!r} names no atoms")
    return stack[0]


def molar_mass(formula: str, field: str = "formula") -> float:
    """Molar mass of ``formula`` in g/mol."""
    return sum(ATOMIC_WEIGHTS[element] * n for element, n in composition(formula, field).items())


def hill_formula(formula: str, field: str = "formula") -> str:
    """``formula`` in Hill order (C, H, then the other elements alphabetically), e.g. C144H96Au8Cu4N6P6S6."""
    atoms = composition(formula, field)
    order = [e for e in ("C", "H") if e in atoms and "C" in atoms] + sorted(
        e for e in atoms if not ("C" in atoms and e in ("C", "H"))
    )
    return "".join(f"{e}{atoms[e] if atoms[e] > 1 else ''}" for e in order)
