"""The nano unit system and conversions from the units researchers write.

Inside dipolewire (and in every file it writes) quantities are in one system,
shared by LAMMPS ``units nano`` and HOOMD-blue run with nm / ag / zJ base units:

=============  ==========================  =========================
quantity       internal unit               note
=============  ==========================  =========================
length         nm
time           ns
mass           ag = 1e-21 kg
energy         zJ = 1e-21 J = ag·nm²/ns²
charge         e
dipole         e·nm                        1 D = 0.0208194 e·nm
temperature    K                           enters dynamics as kT in zJ
viscosity      ag/(nm·ns) = mPa·s
concentration  nm⁻³ (number density)       1 mM = 6.02214e-4 nm⁻³
=============  ==========================  =========================

Constants are CODATA 2018 (SI exact values where the SI fixes them).
Quantity strings such as ``"43.42 D"``, ``"0.413 mPa*s"``, ``"25 °C"`` or
``"37.54 kJ/mol"`` are parsed with pint; a wrong dimension raises
:class:`~dipolewire.errors.InputError`.
"""

from __future__ import annotations

import functools
import math
import re

from .errors import InputError

# --- SI constants (CODATA 2018) ---------------------------------------------------------
ELEMENTARY_CHARGE_C = 1.602176634e-19  # exact
BOLTZMANN_J_PER_K = 1.380649e-23  # exact
AVOGADRO_PER_MOL = 6.02214076e23  # exact
SPEED_OF_LIGHT_M_PER_S = 299_792_458.0  # exact
VACUUM_PERMITTIVITY_F_PER_M = 8.8541878128e-12

# --- the nano system in SI --------------------------------------------------------------
NM_M = 1e-9
NS_S = 1e-9
AG_KG = 1e-21
ZJ_J = 1e-21

# --- derived constants in nano units ----------------------------------------------------
#: e²/(4π ε0) in zJ·nm/e² (= 230.708): the Coulomb prefactor for εr = 1.
COULOMB_ZJ_NM = ELEMENTARY_CHARGE_C**2 / (4 * math.pi * VACUUM_PERMITTIVITY_F_PER_M) / (ZJ_J * NM_M)
#: Boltzmann constant in zJ/K.
BOLTZMANN_ZJ_PER_K = BOLTZMANN_J_PER_K / ZJ_J
#: One debye (1e-21/c C·m) in e·nm.
DEBYE_E_NM = (1e-21 / SPEED_OF_LIGHT_M_PER_S) / (ELEMENTARY_CHARGE_C * NM_M)
#: One kJ/mol (per particle) in zJ.
KJ_PER_MOL_ZJ = 1e3 / AVOGADRO_PER_MOL / ZJ_J
#: One mol/L as a number density in nm⁻³.
MOLAR_PER_NM3 = AVOGADRO_PER_MOL * 1e3 * NM_M**3


def kT_zJ(temperature_K: float) -> float:
    """Thermal energy kT in zJ at ``temperature_K`` (K)."""
    return BOLTZMANN_ZJ_PER_K * temperature_K


def zJ_to_kJ_per_mol(energy_zJ):
    """Energy per particle in zJ → kJ/mol."""
    return energy_zJ / KJ_PER_MOL_ZJ


def kJ_per_mol_to_zJ(energy_kJ_per_mol):
    """Energy in kJ/mol → zJ per particle."""
    return energy_kJ_per_mol * KJ_PER_MOL_ZJ


def debye_to_e_nm(dipole_D):
    """Dipole moment in debye → e·nm."""
    return dipole_D * DEBYE_E_NM


def e_nm_to_debye(dipole_e_nm):
    """Dipole moment in e·nm → debye."""
    return dipole_e_nm / DEBYE_E_NM


# --- parsing quantity strings -----------------------------------------------------------

# kind → (internal unit as pint understands it, examples shown in errors)
KINDS: dict[str, tuple[str, str]] = {
    "length": ("nm", "'1.8 nm', '18 Å'"),
    "time": ("ns", "'10 ns', '2 us'"),
    "mass": ("ag", "'5 ag', '3000 Da'"),
    "energy": ("zJ", "'37.54 kJ/mol', '62.3 zJ', '0.39 eV', '15 kT'"),
    "dipole": ("e*nm", "'43.42 D', '0.904 e*nm', '9.04 e*Å', '1.45e-28 C*m'"),
    "temperature": ("K", "'298.15 K', '25 °C'"),
    "viscosity": ("mPa*s", "'0.413 mPa*s', '0.413 cP'"),
    "pressure": ("zJ/nm**3", "'1.0 GPa', '1000 MPa'"),
    "concentration": ("1/nm**3", "'0.5 mM', '5e-4 mol/L', '0.5 mg/mL' (clusters with a formula)"),
    "speed": ("nm/ns", "'0.01 nm/ns', '10 m/s'"),
    "charge": ("e", "'-2 e'"),
    "area": ("nm**2", "'0.002 nm²', '0.2 Å²'"),
    "dose": ("1/nm**2", "'1000 e/Å²', '1e5 e/nm²'"),
}

#: One unit of each kind, shown in the "needs a unit" hint of a bare number (e.g. "1.8" → "1.8 nm").
EXAMPLE_UNITS: dict[str, str] = {
    "length": "nm",
    "time": "ns",
    "mass": "ag",
    "energy": "kT",
    "dipole": "D",
    "temperature": "K",
    "viscosity": "mPa*s",
    "pressure": "GPa",
    "concentration": "mM",
    "speed": "nm/ns",
    "charge": "e",
    "area": "nm²",
    "dose": "e/nm²",
}

_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")
# Characters people type that pint does not read.
_SPELLINGS = {"·": "*", "×": "*", "²": "**2", "³": "**3", "⁻¹": "**-1", "°C": "degC", "℃": "degC"}
_THERMAL = {"kT", "kBT", "k_BT", "kbT"}
# An electron dose is a count per area: the electron in "e/Å²" is a count, not the charge unit.
_ELECTRONS = re.compile(r"^(?:e-?|electrons?)\s*/")


@functools.lru_cache(maxsize=1)
def registry():
    """The shared pint unit registry (created on first use; pint is slow to import)."""
    import pint

    return pint.UnitRegistry()


def split_quantity(text: str, field: str) -> tuple[float, str]:
    """Split ``"43.42 D"`` into ``(43.42, "D")``; the unit part is normalised for pint."""
    match = _NUMBER.match(str(text))
    if not match:
        raise InputError(field, f"cannot read {text!r} as a number with a unit")
    unit = match.group(2)
    for spelled, plain in _SPELLINGS.items():
        unit = unit.replace(spelled, plain)
    return float(match.group(1)), unit


def parse(
    text: str,
    kind: str,
    field: str | None = None,
    temperature_K: float | None = None,
    molar_mass_g_per_mol: float | None = None,
) -> float:
    """Parse a quantity string into the internal unit of ``kind`` (see :data:`KINDS`).

    Energies may be given per mole (converted per particle) or in ``kT`` (needs
    ``temperature_K``); concentrations in mol/L-type units become number densities (nm⁻³), and mass
    concentrations (mg/mL, g/L) too, with the solute's ``molar_mass_g_per_mol``; electron doses (``e/Å²``)
    become electrons per nm².
    A bare number without a unit is refused: units are never guessed.
    """
    field = field or kind
    if kind not in KINDS:
        raise ValueError(f"unknown quantity kind {kind!r}; known: {', '.join(KINDS)}")
    target, examples = KINDS[kind]
    value, unit = split_quantity(text, field)
    if not math.isfinite(value):
        raise InputError(field, f"{text!r} is not a finite number")
    if not unit:
        example = f"'{text.strip()} {EXAMPLE_UNITS[kind]}'"
        raise InputError(field, f"{text!r} has no unit; write it with one, e.g. {example}; units like {examples}")
    if kind == "dose":
        unit = _ELECTRONS.sub("1/", unit)
    if kind == "energy" and unit in _THERMAL:
        if temperature_K is None:
            raise InputError(field, f"{text!r} is in kT but no temperature is set")
        return _finite(value * kT_zJ(temperature_K), text, kind, field)

    import pint

    ureg = registry()
    try:
        quantity = ureg.Quantity(value, unit)
        if kind == "energy" and quantity.check("[energy]/[substance]"):
            quantity = quantity / ureg.avogadro_constant
        elif kind == "concentration" and quantity.check("[substance]/[length]**3"):
            quantity = quantity * ureg.avogadro_constant
        elif kind == "concentration" and quantity.check("[mass]/[length]**3"):
            if molar_mass_g_per_mol is None:
                raise InputError(
                    field,
                    f"{text!r} is a mass concentration, which needs the molar mass of what is dissolved, and the "
                    "cluster has no formula: write it in mM (e.g. '0.12 mM') or give cluster.elemental_formula",
                )
            quantity = quantity / ureg.Quantity(molar_mass_g_per_mol, "g/mol") * ureg.avogadro_constant
        return _finite(float(quantity.to(target).magnitude), text, kind, field)
    except InputError:
        raise
    except pint.DimensionalityError:
        article = "an" if kind[0] in "aeiou" else "a"
        raise InputError(field, f"{text!r} is not {article} {kind}; use units like {examples}") from None
    except Exception:  # pint's parser raises many types (tokenize, assertion, undefined unit)
        raise InputError(field, f"unknown unit in {text!r}; use units like {examples}") from None


def _finite(value: float, text: str, kind: str, field: str) -> float:
    """``value`` if finite; a quantity too large for a float (``"1e308 km"``) is refused."""
    if not math.isfinite(value):
        raise InputError(field, f"{text!r} is too large a {kind} (beyond the range of a floating-point number)")
    return value
