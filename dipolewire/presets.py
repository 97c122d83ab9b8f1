"""Cluster and solvent presets, with the sources of their values.

Every value is a quantity string in the units a researcher would write; :mod:`dipolewire.spec`
turns them into the internal unit system.

Janus cluster model: two steric beads on the Janus axis (body z), the Au hemisphere at +z and the
partner-metal hemisphere at −z, each bead touching the hydrodynamic sphere of diameter
``hydrodynamic_diameter`` from inside. Head-to-tail contact is then at a centre distance equal to the
hydrodynamic diameter. The dipole points from the partner metal (−) to Au (+).
"""

from __future__ import annotations

CLUSTERS: dict[str, dict] = {
    "R-Au-Cu": {
        "formula": "Au8(R-BINAP)3 / Cu4(MNT)3",
        "dipole": "43.42 D",
        "au_diameter": "1.6 nm",
        "partner": "Cu",
        "partner_diameter": "1.2 nm",
        "hydrodynamic_diameter": "1.8 nm",
        "source": (
            "Li et al., ACS Cent. Sci. 2022, 8, 1258: DFT dipole 43.42 D; TEM core 0.82-1.17 nm, "
            "nanowire spacing 1.8-2.5 nm; bead sizes are coarse-grained estimates of the ligated "
            "hemispheres (BINAP side larger than MNT side)"
        ),
    },
    "R-1": {
        "formula": "Au8(TPP)6 / Cu4(MNT)3",
        "dipole": "44.6 D",
        "au_diameter": "1.6 nm",
        "partner": "Cu",
        "partner_diameter": "1.2 nm",
        "hydrodynamic_diameter": "1.8 nm",
        "source": "Li et al., ACS Cent. Sci. 2022: DFT dipole 44.6 D (racemate component)",
    },
    "Au3Cd": {
        "formula": "Au3(DPPM)3 / Cd(MNT)Cl",
        "dipole": "21.85 D",
        "au_diameter": "1.4 nm",
        "partner": "Cd",
        "partner_diameter": "1.0 nm",
        "hydrodynamic_diameter": "1.6 nm",
        "source": "Li et al., ACS Cent. Sci. 2022: DFT dipole 21.85 D, smallest Janus superatom",
    },
    "dipolar-sphere": {
        "formula": "single steric sphere with a central point dipole",
        "dipole": "43.42 D",
        "au_diameter": "1.8 nm",
        "partner": None,
        "partner_diameter": None,
        "hydrodynamic_diameter": "1.8 nm",
        "source": "reference model (Stockmayer-like sphere with WCA repulsion)",
    },
}

#: Viscosity and relative permittivity at 25 °C.
SOLVENTS: dict[str, dict] = {
    "CH2Cl2": {"viscosity": "0.413 mPa*s", "eps_r": 8.93, "source": "CRC Handbook, 25 °C"},
    "CHCl3": {"viscosity": "0.537 mPa*s", "eps_r": 4.81, "source": "CRC Handbook, 25 °C"},
    "DMF": {"viscosity": "0.794 mPa*s", "eps_r": 36.7, "source": "CRC Handbook, 25 °C"},
    "DMSO": {"viscosity": "1.987 mPa*s", "eps_r": 46.7, "source": "CRC Handbook, 25 °C"},
    "toluene": {"viscosity": "0.560 mPa*s", "eps_r": 2.38, "source": "CRC Handbook, 25 °C"},
    "water": {"viscosity": "0.890 mPa*s", "eps_r": 78.4, "source": "CRC Handbook, 25 °C"},
}

#: Relative permittivity of the dried film: a low-polarity organic ligand shell (hydrocarbons ≈ 2.0,
#: aromatic solids such as benzene or polystyrene 2.3-2.6). 2.0 puts R-Au-Cu at λ ≈ 3.9, where
#: dipolar spheres are known to chain; sweep it to see the chaining threshold.
DRY_FILM_EPS_R = 2.0


def _lookup(table: dict, name: str, what: str) -> dict:
    from .errors import InputError

    if name in table:
        return table[name]
    lowered = {key.lower(): key for key in table}
    if name.lower() in lowered:
        return table[lowered[name.lower()]]
    import difflib

    close = difflib.get_close_matches(name, list(table), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise InputError(f"{what}.preset", f"unknown {what} '{name}'{hint} (known: {', '.join(table)})")


def cluster(name: str) -> dict:
    """The cluster preset called ``name`` (case-insensitive)."""
    return _lookup(CLUSTERS, name, "cluster")


def solvent(name: str) -> dict:
    """The solvent preset called ``name`` (case-insensitive)."""
    return _lookup(SOLVENTS, name, "solvent")
