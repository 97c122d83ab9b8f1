"""Encounter files: charged cluster species in an electrolyte, TOML in lab units → :class:`EncounterSpec`.

Internal units as everywhere: nm, ns, zJ, e, K, mPa·s, concentrations as number densities (nm⁻³).
Every field is checked before anything runs; a bad value raises :class:`~dipolewire.errors.InputError`
naming the field and what it accepts. An example: ``runs/au44-ag44-dmf.toml``; the fields: docs/charged.md.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field

from .. import presets
from ..errors import InputError
from ..physics import translational_diffusion
from ..spec import SolventSpec, _check_keys, _choice, _number, _quantity, _solvent, check_finite, read_document
from ..units import MOLAR_PER_NM3, kT_zJ
from .pair import SCREENINGS

ENGINES = ("auto", "lammps", "hoomd")
#: Largest |charge| (e) of a cluster, and the most species a file may hold.
MAX_CHARGE_E = 100.0
MAX_SPECIES = 12
#: Largest core diameter and shell thickness (nm): beyond them a "cluster" is a colloid.
MAX_CORE_DIAMETER_NM = 20.0
MAX_SHELL_NM = 5.0
#: Largest volume fraction of all species together: the encounter rates are two-body rates of a dilute
#: solution, which crowding would change.
MAX_VOLUME_FRACTION = 0.05
#: Largest added salt (mol/L): Debye–Hückel screening is a dilute-electrolyte theory.
MAX_SALT_M = 1.0
#: Range of the trajectory count and of the pairs simulated at once.
TRAJECTORIES_RANGE = (100, 10_000_000)
CONCURRENT_RANGE = (1, 100_000)
#: Feeding ratios a : b are given as "1:40"; each part must lie in this range.
RATIO_PART_RANGE = (1e-6, 1e6)

SECTIONS = {
    "": {"name", "solvent", "electrolyte", "species", "encounter", "feeding", "ionic_strength"},
    "solvent": {"preset", "viscosity", "eps_r", "temperature"},
    "electrolyte": {"salt", "counterions", "clusters_screen", "screening"},
    "species": {"name", "preset", "charge", "core_diameter", "shell", "hydrodynamic_diameter", "concentration"},
    "encounter": {
        "engine",
        "trajectories",
        "concurrent",
        "pairs",
        "reaction_distance",
        "start_distance",
        "escape_distance",
        "timestep",
        "shell_repulsion",
        "seed",
    },
    "feeding": {"between", "ratios", "total_concentration"},
    "ionic_strength": {"salt"},
}


@dataclass(frozen=True)
class ChargedSpecies:
    """One charged cluster species: ``charge`` (e), metal ``core_diameter`` and ligand ``shell`` thickness
    (nm), the Stokes–Einstein ``hydrodynamic_diameter`` (nm) and its ``concentration`` (nm⁻³)."""

    name: str
    preset: str | None
    charge: float
    core_diameter: float
    shell: float
    hydrodynamic_diameter: float
    concentration: float

    @property
    def outer_radius(self) -> float:
        """Radius (nm) of the ligated cluster: where the shells touch and the counter-ions stop."""
        return 0.5 * self.core_diameter + self.shell

    def diffusion(self, solvent: SolventSpec) -> float:
        """Stokes–Einstein translational diffusion coefficient (nm²/ns) in ``solvent``."""
        return float(translational_diffusion(kT_zJ(solvent.temperature), solvent.viscosity, self.hydrodynamic_diameter))


@dataclass(frozen=True)
class ElectrolyteSpec:
    """The ions that screen: added 1:1 ``salt`` (nm⁻³); ``counterions``: each cluster of charge z brings |z|
    monovalent counter-ions; ``clusters_screen``: the clusters count in the ionic strength too;
    ``screening``: "finite-size" (ions kept out of the clusters) or "point" (see :mod:`.pair`)."""

    salt: float
    counterions: bool
    clusters_screen: bool
    screening: str


@dataclass(frozen=True)
class EncounterSettings:
    """How the Brownian encounter runs: distances in nm (None: chosen from the pair, see :mod:`.nam`),
    ``timestep`` ns (None: chosen), ``shell_repulsion`` zJ, ``pairs`` as species-name pairs."""

    engine: str
    trajectories: int
    concurrent: int
    pairs: tuple[tuple[str, str], ...]
    reaction_distance: float | None
    start_distance: float | None
    escape_distance: float | None
    timestep: float | None
    shell_repulsion: float
    seed: int


@dataclass(frozen=True)
class FeedingSweep:
    """Feeding ratios R = a : b of two species, mixed from mother solutions of equal cluster concentration
    (the source's protocol), so that c_a + c_b = ``total_concentration`` (nm⁻³) at every R."""

    between: tuple[str, str]
    ratios: tuple[tuple[float, float], ...]
    labels: tuple[str, ...]
    total_concentration: float


@dataclass(frozen=True)
class EncounterSpec:
    name: str
    solvent: SolventSpec
    species: tuple[ChargedSpecies, ...]
    electrolyte: ElectrolyteSpec
    encounter: EncounterSettings
    feeding: FeedingSweep | None = None
    salt_sweep: tuple[float, ...] = ()
    source: str | None = field(default=None, compare=False)

    @property
    def kT(self) -> float:
        """Thermal energy (zJ)."""
        return kT_zJ(self.solvent.temperature)

    def species_named(self, name: str) -> ChargedSpecies:
        return next(s for s in self.species if s.name == name)


def load(path) -> EncounterSpec:
    """Read and validate an encounter file."""
    return from_dict(read_document(path, "encounter file"), source=str(path))


def from_dict(document: dict, source: str | None = None) -> EncounterSpec:
    """Validate an encounter document (as parsed from TOML) into an :class:`EncounterSpec`."""
    check_finite(document)
    _check_keys(document, "", SECTIONS)
    for section in ("solvent", "electrolyte", "encounter", "feeding", "ionic_strength"):
        value = document.get(section, {})
        if not isinstance(value, dict):
            raise InputError(section, f"must be a table, e.g. [{section}]")
        _check_keys(value, section, SECTIONS)
    name = document.get("name", "encounter")
    if not isinstance(name, str) or not name or "/" in name or name.startswith("."):
        raise InputError("name", f"must be a plain directory name, got {name!r}")
    solvent = _solvent(document.get("solvent", {}), default_preset="DMF")
    species = _all_species(document.get("species"), solvent)
    electrolyte = _electrolyte(document.get("electrolyte", {}))
    encounter = _encounter(document.get("encounter", {}), species, solvent)
    feeding = _feeding(document["feeding"], species, encounter.pairs) if "feeding" in document else None
    salts = _salt_sweep(document["ionic_strength"]) if "ionic_strength" in document else ()
    return EncounterSpec(name, solvent, species, electrolyte, encounter, feeding, salts, source=source)


def _all_species(tables, solvent: SolventSpec) -> tuple[ChargedSpecies, ...]:
    if tables is None:
        raise InputError(
            "species", 'is required: one [[species]] table per cluster species, e.g. preset = "Ag44(p-MBA)30"'
        )
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise InputError("species", "must be an array of tables: write each species as [[species]]")
    if not 1 <= len(tables) <= MAX_SPECIES:
        raise InputError("species", f"must hold 1 … {MAX_SPECIES} species, got {len(tables)}")
    species = tuple(_species(table, i) for i, table in enumerate(tables))
    names = [s.name for s in species]
    for name in names:
        if names.count(name) > 1:
            raise InputError("species.name", f"must be unique; {name!r} is given {names.count(name)} times")
    volume_fraction = sum(s.concentration * math.pi / 6 * s.hydrodynamic_diameter**3 for s in species)
    if volume_fraction > MAX_VOLUME_FRACTION:
        raise InputError(
            "species.concentration",
            f"the species fill {volume_fraction:.3g} of the volume; encounter rates are two-body rates of a "
            f"dilute solution, so at most {MAX_VOLUME_FRACTION:g} is allowed",
        )
    return species


def _species(table: dict, index: int) -> ChargedSpecies:
    where = f"species[{index}]"
    _check_keys(table, "species", SECTIONS)
    preset_name = table.get("preset")
    base: dict = {}
    if preset_name is not None:
        if not isinstance(preset_name, str):
            raise InputError(f"{where}.preset", f"must be a preset name, got {preset_name!r}")
        preset_name = presets.charged_cluster_name(preset_name)
        base = {k: v for k, v in presets.CHARGED_CLUSTERS[preset_name].items() if k not in ("formula", "sources")}
    merged = {**base, **table}
    name = merged.get("name", preset_name.split("(")[0] if preset_name else None)
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_\-+]{0,31}", name):
        raise InputError(
            f"{where}.name",
            f"must be a name of 1-32 letters, digits, _, - or + starting with a letter, got {name!r}",
        )
    where = f"species.{name}"
    charge = _quantity(merged, "charge", "charge", where, minimum=None)
    if abs(charge) > MAX_CHARGE_E:
        raise InputError(f"{where}.charge", f"must be within ±{MAX_CHARGE_E:g} e, got {merged['charge']!r}")
    core = _quantity(merged, "core_diameter", "length", where)
    if core > MAX_CORE_DIAMETER_NM:
        raise InputError(
            f"{where}.core_diameter", f"must be > 0 and <= {MAX_CORE_DIAMETER_NM:g} nm, got {merged['core_diameter']!r}"
        )
    shell = _quantity(merged, "shell", "length", where, default="0 nm", inclusive=True)
    if shell > MAX_SHELL_NM:
        raise InputError(f"{where}.shell", f"must be >= 0 and <= {MAX_SHELL_NM:g} nm, got {merged['shell']!r}")
    outer = core + 2 * shell
    if "hydrodynamic_diameter" in merged:
        hydro = _quantity(merged, "hydrodynamic_diameter", "length", where)
        if not core <= hydro <= 2 * outer:
            raise InputError(
                f"{where}.hydrodynamic_diameter",
                f"must lie between the core diameter ({core:.4g} nm) and twice the outer diameter "
                f"({2 * outer:.4g} nm), got {merged['hydrodynamic_diameter']!r}",
            )
    else:
        hydro = outer
    concentration = _quantity(merged, "concentration", "concentration", where, default="0 mM", inclusive=True)
    return ChargedSpecies(name, preset_name, charge, core, shell, hydro, concentration)


def _flag(table, key, section, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise InputError(f"{section}.{key}", f"must be true or false, got {value!r}")
    return value


def _salt(table, section) -> float:
    """``table["salt"]`` (default 0 mM) in nm⁻³, refused beyond :data:`MAX_SALT_M`."""
    value = _quantity(table, "salt", "concentration", section, default="0 mM", inclusive=True)
    if value > MAX_SALT_M * MOLAR_PER_NM3:
        raise InputError(
            f"{section}.salt",
            f"must be between 0 and {MAX_SALT_M:g} M (Debye–Hückel screening is a dilute-electrolyte theory), "
            f"got {table['salt']!r}",
        )
    return value


def _electrolyte(table) -> ElectrolyteSpec:
    return ElectrolyteSpec(
        salt=_salt(table, "electrolyte"),
        counterions=_flag(table, "counterions", "electrolyte", True),
        clusters_screen=_flag(table, "clusters_screen", "electrolyte", False),
        screening=_choice(table, "screening", "electrolyte", SCREENINGS, "finite-size"),
    )


def _optional_length(table, key, section, minimum=0.0):
    raw = table.get(key, "auto")
    if raw == "auto" or (key == "reaction_distance" and raw == "contact"):
        return None
    return _quantity(table, key, "length", section, minimum=minimum)


def _encounter(table, species, solvent) -> EncounterSettings:
    names = [s.name for s in species]
    engine = _choice(table, "engine", "encounter", ENGINES, "auto")
    trajectories = _number(
        table,
        "trajectories",
        "encounter",
        default=10_000,
        integer=True,
        minimum=TRAJECTORIES_RANGE[0],
        maximum=TRAJECTORIES_RANGE[1],
    )
    concurrent = _number(
        table,
        "concurrent",
        "encounter",
        default=2000,
        integer=True,
        minimum=CONCURRENT_RANGE[0],
        maximum=CONCURRENT_RANGE[1],
    )
    pairs = _pairs(table.get("pairs"), names)
    reaction = _optional_length(table, "reaction_distance", "encounter")
    start = _optional_length(table, "start_distance", "encounter")
    escape = _optional_length(table, "escape_distance", "encounter")
    for a, b in pairs:
        sa, sb = (next(s for s in species if s.name == n) for n in (a, b))
        core_contact = 0.5 * (sa.core_diameter + sb.core_diameter)
        contact = sa.outer_radius + sb.outer_radius
        if reaction is not None and not core_contact < reaction <= contact:
            raise InputError(
                "encounter.reaction_distance",
                f"must be above the metal cores' contact and at most the shells' contact for {a}+{b} "
                f"({core_contact:.4g} < R <= {contact:.4g} nm), got {table['reaction_distance']!r}",
            )
        low = reaction if reaction is not None else contact
        if start is not None and start <= low:
            raise InputError(
                "encounter.start_distance",
                f"must exceed the reaction distance ({low:.4g} nm for {a}+{b}), got {table['start_distance']!r}",
            )
    if start is not None and escape is not None and escape <= start:
        raise InputError(
            "encounter.escape_distance",
            f"must exceed start_distance ({start:.4g} nm), got {table['escape_distance']!r}",
        )
    raw_step = table.get("timestep", "auto")
    timestep = None if raw_step == "auto" else _quantity(table, "timestep", "time", "encounter")
    repulsion = _quantity(
        table, "shell_repulsion", "energy", "encounter", default="1 kT", temperature_K=solvent.temperature
    )
    seed = _number(table, "seed", "encounter", default=1, integer=True, minimum=0, maximum=2**31 - 1)
    return EncounterSettings(
        engine, trajectories, concurrent, pairs, reaction, start, escape, timestep, repulsion, seed
    )


def _pairs(raw, names) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return tuple(itertools.combinations_with_replacement(names, 2))
    if not isinstance(raw, list) or not raw or not all(isinstance(p, list) and len(p) == 2 for p in raw):
        raise InputError(
            "encounter.pairs", f'must be a list of species-name pairs, e.g. [["{names[0]}", "{names[-1]}"]]'
        )
    pairs = []
    for a, b in raw:
        for n in (a, b):
            if n not in names:
                raise InputError("encounter.pairs", f"unknown species {n!r} (species: {', '.join(names)})")
        key = (a, b) if names.index(a) <= names.index(b) else (b, a)
        if key not in pairs:
            pairs.append(key)
    return tuple(pairs)


_RATIO = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?\d+)?)\s*:\s*([0-9]*\.?[0-9]+(?:[eE][-+]?\d+)?)\s*$")


def parse_ratio(text, field_name: str = "feeding.ratios") -> tuple[float, float]:
    """A feeding ratio "a:b" (e.g. "1:40") as two positive numbers."""
    match = _RATIO.match(text) if isinstance(text, str) else None
    if not match:
        raise InputError(
            field_name, f'each ratio must be written "a:b" with positive numbers, e.g. "1:40", got {text!r}'
        )
    parts = float(match.group(1)), float(match.group(2))
    low, high = RATIO_PART_RANGE
    if not all(low <= p <= high for p in parts):
        raise InputError(field_name, f"each part of a ratio must be in {low:g} … {high:g}, got {text!r}")
    return parts


def _feeding(table, species, pairs) -> FeedingSweep:
    names = [s.name for s in species]
    between = table.get("between", names[:2] if len(names) >= 2 else None)
    if (
        not isinstance(between, list)
        or len(between) != 2
        or not all(isinstance(n, str) for n in between)
        or between[0] == between[1]
        or not all(n in names for n in between)
    ):
        raise InputError(
            "feeding.between", f"must name two different species of the file ({', '.join(names)}), got {between!r}"
        )
    if tuple(between) not in pairs and tuple(between[::-1]) not in pairs:
        raise InputError(
            "feeding.between",
            f"the sweep needs the {between[0]}+{between[1]} rate, which encounter.pairs leaves out; add "
            f'["{between[0]}", "{between[1]}"] to it',
        )
    raw = table.get("ratios")
    if not isinstance(raw, list) or not raw:
        raise InputError("feeding.ratios", 'must be a list of ratios, e.g. ["1:40", "1:1", "40:1"]')
    ratios = tuple(parse_ratio(r) for r in raw)
    total = _quantity(table, "total_concentration", "concentration", "feeding")
    largest = max(species[names.index(n)].hydrodynamic_diameter for n in between)
    if total * math.pi / 6 * largest**3 > MAX_VOLUME_FRACTION:
        raise InputError(
            "feeding.total_concentration",
            f"fills more than {MAX_VOLUME_FRACTION:g} of the volume; encounter rates are dilute two-body rates",
        )
    return FeedingSweep((between[0], between[1]), ratios, tuple(str(r).replace(" ", "") for r in raw), total)


def _salt_sweep(table) -> tuple[float, ...]:
    raw = table.get("salt")
    if not isinstance(raw, list) or not raw:
        raise InputError("ionic_strength.salt", 'must be a list of added-salt concentrations, e.g. ["0 mM", "10 mM"]')
    return tuple(_salt({"salt": value}, "ionic_strength") for value in raw)
