"""Cluster and solvent presets, with the source of every value.

Every value is a quantity string in the units a researcher would write; :mod:`dipolewire.spec` turns
them into the internal unit system.

The Janus cluster is two metal cores on the Janus axis (body z), the Au core towards +z and the
partner-metal core towards −z, each wrapped in its ligand shell (phosphines on Au, MNT on the
partner). Core sizes come from the crystal structure's bond lengths; shell thicknesses from the
ligands' bond lengths and van der Waals radii; the shells' contact modulus from nanoindentation of
ligand-capped nanocrystal solids. Nothing here is taken from the TEM spacing band, which is data to
compare with. Each entry's ``sources`` gives the basis of each geometric value; the estimates are
estimates, to be swept (``[cluster]`` keys of the same names override them).

Each cluster preset carries its neutral molecule's elemental formula (``elemental_formula``), from which
its molar mass follows (:mod:`dipolewire.molar_mass`); it converts a mass concentration such as
``"0.5 mg/mL"`` into a molar one. No counterions or lattice solvent are counted.

Derived quantities (:func:`dipolewire.spec.derived_geometry`): the body centre sits midway along the
ligated cluster's axial extent; the hydrodynamic diameter is that extent (the larger of length and
width), used for the Stokes–Einstein frictions only. The dipole points from the partner metal (−)
to Au (+).
"""

from __future__ import annotations

#: Sources shared by the Au8/Cu4 presets.
_AU8_CORE = (
    "centred Au6 hexagon of the Au8 hemisphere: Au–Au 2.66–3.04 Å (mean 2.85 Å) gives 0.57 nm "
    "vertex to vertex, plus one Au atomic diameter 0.288 nm (Li et al. 2022)"
)
_CU4_CORE = (
    "Cu4 tetrahedron, Cu–Cu 2.75–2.90 Å: circumsphere radius a·√6/4 = 0.173 nm plus the Cu atomic "
    "radius 0.128 nm (Li et al. 2022)"
)
_AU_CU_SEPARATION = (
    "interface Au–Cu bond 2.57–2.77 Å (mean 0.267 nm) plus the 0.058 nm from a Cu4 face to its centroid "
    "(a/√24); the metal skeleton is then 1.06 nm long, inside the TEM core size 0.82–1.17 nm (Li et al. 2022)"
)
_PHOSPHINE_SHELL = (
    "aryl phosphine on Au: Au–P 0.23 nm + P–C 0.18 nm + phenyl C(ipso)···H(para) 0.39 nm + H van der "
    "Waals radius 0.12 nm = 0.92 nm from the Au atom centre, 0.78 nm beyond the core surface for a radial "
    "phenyl; phenyls lie tilted, about 0.6 nm (estimate)"
)
_MNT_SHELL = (
    "maleonitrile dithiolate chelating Cu: Cu–S 0.225 nm, S–C 0.17 nm, C=C 0.135 nm, C–C≡N 0.26 nm, "
    "N van der Waals radius 0.155 nm; the planar ligand extends about 0.45 nm beyond the core surface (estimate)"
)
_SHELL_MODULUS = (
    "Hertz contact modulus E* = E/(2(1−ν²)) with E = 1.7 GPa (nanoindentation of oleic-acid-capped PbS "
    "nanocrystal solids, Podsiadlo et al., Nano Lett. 2010) and ν = 0.4: 1.0 GPa"
)

_NEUTRAL_AU8_CU4 = (
    "one neutral molecule, no counterions: the [Au8(phosphine)]²⁺ and [Cu4(MNT)3]²⁻ hemispheres "
    "(8 Au + 4 Cu(I) − 3 MNT²⁻ = 6 free electrons, Li et al. 2022); MNT²⁻ = S2C2(CN)2 = C4N2S2"
)

_AU8_CU4_GEOMETRY = {
    "au_core_diameter": "0.86 nm",
    "partner_core_diameter": "0.60 nm",
    "core_separation": "0.33 nm",
    "au_shell": "0.6 nm",
    "partner_shell": "0.45 nm",
    "shell_modulus": "1.0 GPa",
}
_AU8_CU4_SOURCES = {
    "au_core_diameter": _AU8_CORE,
    "partner_core_diameter": _CU4_CORE,
    "core_separation": _AU_CU_SEPARATION,
}

CLUSTERS: dict[str, dict] = {
    "R-Au-Cu": {
        "formula": "Au8(R-BINAP)3 / Cu4(MNT)3",
        "elemental_formula": "Au8(C44H32P2)3Cu4(C4N2S2)3",
        "dipole": "43.42 D",
        "partner": "Cu",
        **_AU8_CU4_GEOMETRY,
        "sources": {
            "elemental_formula": "BINAP = C44H32P2; " + _NEUTRAL_AU8_CU4,
            "dipole": "DFT, Li et al., ACS Cent. Sci. 2022, 8, 1258",
            **_AU8_CU4_SOURCES,
            "au_shell": "BINAP: " + _PHOSPHINE_SHELL,
            "partner_shell": _MNT_SHELL,
            "shell_modulus": _SHELL_MODULUS,
        },
    },
    "R-1": {
        "formula": "Au8(TPP)6 / Cu4(MNT)3",
        "elemental_formula": "Au8(C18H15P)6Cu4(C4N2S2)3",
        "dipole": "44.6 D",
        "partner": "Cu",
        **_AU8_CU4_GEOMETRY,
        "sources": {
            "elemental_formula": "TPP = PPh3 = C18H15P; " + _NEUTRAL_AU8_CU4,
            "dipole": "DFT, Li et al., ACS Cent. Sci. 2022 (racemate component)",
            **_AU8_CU4_SOURCES,
            "au_shell": "TPP (triphenylphosphine): " + _PHOSPHINE_SHELL,
            "partner_shell": _MNT_SHELL,
            "shell_modulus": _SHELL_MODULUS,
        },
    },
    "Au3Cd": {
        "formula": "Au3(DPPM)3 / Cd(MNT)Cl",
        "elemental_formula": "Au3(C25H22P2)3Cd(C4N2S2)Cl",
        "dipole": "21.85 D",
        "partner": "Cd",
        "au_core_diameter": "0.61 nm",
        "partner_core_diameter": "0.30 nm",
        "core_separation": "0.24 nm",
        "au_shell": "0.6 nm",
        "partner_shell": "0.45 nm",
        "shell_modulus": "1.0 GPa",
        "sources": {
            "elemental_formula": (
                "DPPM = Ph2PCH2PPh2 = C25H22P2, MNT²⁻ = C4N2S2, one Cl⁻ on Cd; one neutral molecule, no "
                "counterions (3 Au + Cd(II) − MNT²⁻ − Cl⁻ = 2 free electrons, Li et al. 2022)"
            ),
            "dipole": "DFT, Li et al., ACS Cent. Sci. 2022 (smallest Janus superatom)",
            "au_core_diameter": (
                "Au3 triangle, Au–Au 2.79–2.84 Å: circumradius a/√3 = 0.162 nm plus the Au atomic radius 0.144 nm"
            ),
            "partner_core_diameter": "one Cd atom, metallic radius 0.151 nm (CRC Handbook)",
            "core_separation": (
                "height of the Au3Cd tetrahedron's Cd apex over the Au3 centroid: √(0.2875² − 0.162²) nm, "
                "Au–Cd 2.85–2.90 Å (Li et al. 2022)"
            ),
            "au_shell": "DPPM: " + _PHOSPHINE_SHELL,
            "partner_shell": "MNT and Cl on Cd: " + _MNT_SHELL,
            "shell_modulus": _SHELL_MODULUS,
        },
    },
    "dipolar-sphere": {
        "formula": "single hard sphere with a central point dipole (no ligand shell)",
        "elemental_formula": None,
        "dipole": "43.42 D",
        "partner": None,
        "au_core_diameter": "1.8 nm",
        "partner_core_diameter": None,
        "core_separation": "0 nm",
        "au_shell": "0 nm",
        "partner_shell": "0 nm",
        "shell_modulus": "1.0 GPa",
        "sources": {
            "dipole": "43.42 D as R-Au-Cu",
            "au_core_diameter": "reference model (Stockmayer-like sphere with WCA repulsion), not a structure",
        },
    },
}

#: Viscosity and relative permittivity at 25 °C; the melting and boiling points (1 atm) bound the
#: temperatures at which the solvent is a liquid (``solvent.temperature`` outside them is refused).
_CRC_LIQUID_RANGE = "CRC Handbook, melting and boiling points at 1 atm"
SOLVENTS: dict[str, dict] = {
    "CH2Cl2": {
        "viscosity": "0.413 mPa*s",
        "eps_r": 8.93,
        "melting_point": "-97.2 °C",
        "boiling_point": "40.0 °C",
        "source": "CRC Handbook, 25 °C",
        "liquid_range_source": _CRC_LIQUID_RANGE,
    },
    "CHCl3": {
        "viscosity": "0.537 mPa*s",
        "eps_r": 4.81,
        "melting_point": "-63.41 °C",
        "boiling_point": "61.17 °C",
        "source": "CRC Handbook, 25 °C",
        "liquid_range_source": _CRC_LIQUID_RANGE,
    },
    "DMF": {
        "viscosity": "0.794 mPa*s",
        "eps_r": 36.7,
        "melting_point": "-60.48 °C",
        "boiling_point": "153 °C",
        "source": "CRC Handbook, 25 °C",
        "liquid_range_source": _CRC_LIQUID_RANGE,
    },
    "DMSO": {
        "viscosity": "1.987 mPa*s",
        "eps_r": 46.7,
        "melting_point": "17.89 °C",
        "boiling_point": "189 °C",
        "source": "CRC Handbook, 25 °C",
        "liquid_range_source": _CRC_LIQUID_RANGE,
    },
    "toluene": {
        "viscosity": "0.560 mPa*s",
        "eps_r": 2.38,
        "melting_point": "-94.95 °C",
        "boiling_point": "110.63 °C",
        "source": "CRC Handbook, 25 °C",
        "liquid_range_source": _CRC_LIQUID_RANGE,
    },
    "water": {
        "viscosity": "0.890 mPa*s",
        "eps_r": 78.4,
        "melting_point": "0.00 °C",
        "boiling_point": "99.97 °C",
        "source": "CRC Handbook, 25 °C",
        "liquid_range_source": _CRC_LIQUID_RANGE,
    },
}

#: Temperatures (K) allowed for a solvent given without a preset (its viscosity and εr by hand): from below
#: the melting points of the common low-melting solvents (CH2Cl2 176 K) to above the boiling points of
#: high-boiling ones (DMSO 462 K); a preset narrows this to its own liquid range.
OTHER_SOLVENT_TEMPERATURE_K = (150.0, 500.0)

#: Relative permittivity of the dried film: a low-polarity organic ligand shell (hydrocarbons ≈ 2.0,
#: aromatic solids such as benzene or polystyrene 2.3-2.6). 2.0 puts R-Au-Cu at λ ≈ 3.9, where
#: dipolar spheres are known to chain; sweep it to see the chaining threshold.
DRY_FILM_EPS_R = 2.0


#: Other names of the solvent presets, matched case-insensitively.
SOLVENT_ALIASES: dict[str, str] = {
    "dichloromethane": "CH2Cl2",
    "DCM": "CH2Cl2",
    "methylene chloride": "CH2Cl2",
    "chloroform": "CHCl3",
    "trichloromethane": "CHCl3",
    "dimethylformamide": "DMF",
    "N,N-dimethylformamide": "DMF",
    "dimethyl sulfoxide": "DMSO",
}


def _key(name: str) -> str:
    return " ".join(name.split()).lower()


def _lookup(table: dict, name: str, what: str, aliases: dict | None = None) -> str:
    """The key of ``table`` that ``name`` (or one of its ``aliases``) names, case-insensitively."""
    from .errors import InputError

    if name in table:
        return name
    names = {_key(key): key for key in table} | {_key(alias): key for alias, key in (aliases or {}).items()}
    if _key(name) in names:
        return names[_key(name)]
    import difflib

    close = difflib.get_close_matches(name, [*table, *(aliases or {})], n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    known = ", ".join(table)
    if aliases:
        known += "; also " + ", ".join(f"{alias} ({key})" for alias, key in aliases.items())
    raise InputError(f"{what}.preset", f"unknown {what} '{name}'{hint} (known: {known})")


def cluster(name: str) -> dict:
    """The cluster preset called ``name`` (case-insensitive)."""
    return CLUSTERS[_lookup(CLUSTERS, name, "cluster")]


def solvent_name(name: str) -> str:
    """The solvent preset that ``name`` means: a preset's name or one of :data:`SOLVENT_ALIASES`, any case."""
    return _lookup(SOLVENTS, name, "solvent", SOLVENT_ALIASES)


def solvent(name: str) -> dict:
    """The solvent preset called ``name`` (case-insensitive; aliases such as "chloroform" or "DCM" too)."""
    return SOLVENTS[solvent_name(name)]


# --- charged clusters in solution (the second source, Lin et al., Chem. Sci. 2022, 13, 4598) --------

#: Bulk densities (g/cm³, CRC Handbook, 20-25 °C) of the metals whose atom count sets a core's size.
METAL_DENSITY_G_PER_CM3 = {"Au": 19.30, "Ag": 10.49}


def equivalent_core_diameter_nm(element: str, atoms: int) -> float:
    """Diameter (nm) of the sphere that holds ``atoms`` atoms of ``element`` at its bulk density:
    2 (3 N M / (4π ρ N_A))^(1/3). A compact estimate of a metal core's size from its formula alone."""
    import math

    from .molar_mass import ATOMIC_WEIGHTS
    from .units import AVOGADRO_PER_MOL

    volume_cm3 = atoms * ATOMIC_WEIGHTS[element] / (METAL_DENSITY_G_PER_CM3[element] * AVOGADRO_PER_MOL)
    return 2.0 * (3.0 * volume_cm3 / (4.0 * math.pi)) ** (1.0 / 3.0) * 1e7


#: p-MBA (para-mercaptobenzoic acid) standing straight out from its sulfur: S–C(ar) 1.77 Å, the ring's
#: C1···C4 2.78 Å, C(ar)–C(OOH) 1.48 Å and a C=O of 1.25 Å at 60° to the axis (0.62 Å along it); bond
#: lengths from Allen et al., J. Chem. Soc., Perkin Trans. 2 (1987) S1.
_PMBA_SHELL = (
    "p-MBA standing straight out from its sulfur at the core surface: 0.177 + 0.278 + 0.148 + 0.062 nm "
    "(S–C, ring C1···C4, C–C(OOH), C=O along the axis; Allen et al. 1987). An upper estimate: tilted "
    "ligands make a thinner shell"
)
_CORE_SOURCE = (
    "a sphere holding 44 {metal} atoms at the bulk density of {metal} ({density} g/cm³, CRC Handbook); the "
    "real framework (Ag44: Yang et al., Nat. Commun. 2013, 4, 2422) is less compact"
)

#: Charged cluster species of the encounter files (:mod:`dipolewire.charged.spec`), with the source of every
#: value. Charges are the cluster anions' formal charges; the p-MBA carboxylic acids' own charges are not
#: counted (see docs/charged.md).
CHARGED_CLUSTERS: dict[str, dict] = {
    "Au44(p-MBA)26": {
        "formula": "[Au44(SR)26]2-, SR = p-MBA",
        "charge": "-2 e",
        "core_diameter": f"{equivalent_core_diameter_nm('Au', 44):.3f} nm",
        "shell": "0.665 nm",
        "sources": {
            "charge": "[Au44(p-MBA)26]2- (Lin et al., Chem. Sci. 2022)",
            "core_diameter": _CORE_SOURCE.format(metal="Au", density=METAL_DENSITY_G_PER_CM3["Au"]),
            "shell": _PMBA_SHELL,
        },
    },
    "Ag44(p-MBA)30": {
        "formula": "[Ag44(SR)30]4-, SR = p-MBA",
        "charge": "-4 e",
        "core_diameter": f"{equivalent_core_diameter_nm('Ag', 44):.3f} nm",
        "shell": "0.665 nm",
        "sources": {
            "charge": "[Ag44(p-MBA)30]4- (Lin et al., Chem. Sci. 2022)",
            "core_diameter": _CORE_SOURCE.format(metal="Ag", density=METAL_DENSITY_G_PER_CM3["Ag"]),
            "shell": _PMBA_SHELL,
        },
    },
}


def charged_cluster_name(name: str) -> str:
    """The charged cluster preset that ``name`` means (any case)."""
    return _lookup(CHARGED_CLUSTERS, name, "species")
