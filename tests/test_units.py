"""Unit conversions against the reference sheet's derived numbers (CODATA)."""

import pytest
from conftest import printed_digits

from dipolewire import units
from dipolewire.errors import InputError


@pytest.mark.parametrize("text", ["1 D", "43.42 D", "44.6 D", "21.85 D"])
def test_debye_to_e_nm(paper_facts, text):
    expected = paper_facts["dipole_e_nm"][text]
    assert units.parse(text, "dipole") == pytest.approx(expected, abs=printed_digits(expected))
    debye = float(text.split()[0])
    assert units.debye_to_e_nm(debye) == pytest.approx(expected, abs=printed_digits(expected))
    # and back: the printed e·nm value gives the debye value to the precision of its last digit
    assert units.e_nm_to_debye(expected) == pytest.approx(debye, rel=printed_digits(expected) / expected)


def test_debye_in_si():
    """1 D = 1e-21/c C·m = 3.33564095e-30 C·m (c exact)."""
    assert units.DEBYE_E_NM * units.ELEMENTARY_CHARGE_C * 1e-9 == pytest.approx(3.33564095e-30, rel=1e-8)


def test_coulomb_prefactor(paper_facts):
    assert units.COULOMB_ZJ_NM == pytest.approx(paper_facts["coulomb_zJ_nm"], abs=5e-4)
    per_mole = units.zJ_to_kJ_per_mol(units.COULOMB_ZJ_NM)
    assert per_mole == pytest.approx(paper_facts["coulomb_kJ_per_mol_nm"], abs=5e-4)


def test_thermal_energy(paper_facts):
    kT = units.kT_zJ(298.15)
    assert kT == pytest.approx(paper_facts["kT_298.15K_zJ"], abs=5e-5)
    assert units.zJ_to_kJ_per_mol(kT) == pytest.approx(paper_facts["kT_298.15K_kJ_per_mol"], abs=5e-5)
    # per mole → per particle: 2.4790 kJ/mol is 4.1164 zJ, each to half a unit in its last digit
    per_particle = units.kJ_per_mol_to_zJ(paper_facts["kT_298.15K_kJ_per_mol"])
    assert per_particle == pytest.approx(paper_facts["kT_298.15K_zJ"], abs=5e-5 + 5e-5 * 4.1164 / 2.4790)


def test_constant_path_and_pint_path_agree():
    """The hand-written constants and pint's definitions are independent; they must agree."""
    cases = [
        ("37.54 kJ/mol", "energy", units.kJ_per_mol_to_zJ(37.54)),
        ("1 kcal/mol", "energy", 4.184e3 / 6.02214076e23 / 1e-21),
        ("1 eV", "energy", 160.2176634),  # e·1 V in zJ, exact
        ("62.34 zJ", "energy", 62.34),
        ("0.413 mPa*s", "viscosity", 0.413),
        ("0.413 cP", "viscosity", 0.413),
        ("1 mol/L", "concentration", units.MOLAR_PER_NM3),
        ("0.5 mM", "concentration", 0.5e-3 * units.MOLAR_PER_NM3),
        ("18 Å", "length", 1.8),
        ("1.8 nm", "length", 1.8),
        ("9.0398 e*Å", "dipole", 0.90398),
        ("9.0398 e·Å", "dipole", 0.90398),
        ("1e-21 C*m", "dipole", 299_792_458.0 * units.DEBYE_E_NM),  # 1 D = 1e-21/c C·m
        ("25 °C", "temperature", 298.15),
        ("25 degC", "temperature", 298.15),
        ("298.15 K", "temperature", 298.15),
        ("2 us", "time", 2000.0),
        ("5 ag", "mass", 5.0),
    ]
    for text, kind, expected in cases:
        assert units.parse(text, kind) == pytest.approx(expected, rel=1e-9), text


def test_internal_units_are_consistent():
    """zJ = ag·nm²/ns² and mPa·s = ag/(nm·ns): the nano system needs no factors."""
    assert units.parse("1 zJ", "energy") == pytest.approx(1.0)
    assert units.registry().Quantity(1, "ag*nm**2/ns**2").to("zJ").magnitude == pytest.approx(1.0)
    assert units.registry().Quantity(1, "mPa*s").to("ag/(nm*ns)").magnitude == pytest.approx(1.0)
    assert units.MOLAR_PER_NM3 == pytest.approx(0.602214076)


def test_energy_in_kT_needs_temperature():
    assert units.parse("15 kT", "energy", temperature_K=298.15) == pytest.approx(15 * units.kT_zJ(298.15))
    with pytest.raises(InputError, match="no temperature"):
        units.parse("15 kT", "energy")


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        ("1.8 kg", "length", "is not a length"),
        ("43.42 nm", "dipole", "is not a dipole"),
        ("1.8", "length", "has no unit"),
        ("abc nm", "length", "cannot read"),
        ("1.8 furlongz", "length", "unknown unit"),
        ("3 mPa", "viscosity", "is not a viscosity"),
    ],
)
def test_bad_quantities_name_the_field(text, kind, message):
    with pytest.raises(InputError, match=message) as info:
        units.parse(text, kind, field="cluster.size")
    assert str(info.value).startswith("cluster.size: ")
