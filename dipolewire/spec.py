"""Run files: TOML in physical units → one validated, frozen :class:`RunSpec` in internal units.

Every field is checked before anything starts; a bad value raises
:class:`~dipolewire.errors.InputError` naming the field (``section.key``) and what it accepts.
Internal units: nm, ns, e·nm, K, mPa·s, nm⁻³ (see :mod:`dipolewire.units`).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import presets, units
from .errors import InputError
from .molar_mass import molar_mass
from .units import MOLAR_PER_NM3, kT_zJ, parse

DEVICES = ("auto", "cpu", "gpu")
CHIRALITIES = ("R", "S", "racemic")
#: numerics.dipole_method: truncated ("cut", "shifted_force") or long-range ("ewald", "pppm"); see
#: docs/dipole-methods.md for their errors and costs, which chose the default.
DIPOLE_METHODS = ("cut", "shifted_force", "ewald", "pppm")
DEFAULT_DIPOLE_METHOD = "cut"
#: numerics.dipole_accuracy δ of the long-range methods: default and allowed range.
DEFAULT_DIPOLE_ACCURACY = 1e-4
DIPOLE_ACCURACY_RANGE = (1e-8, 1e-2)
#: Random close packing of spheres: no film may be packed beyond it.
RANDOM_CLOSE_PACKING = 0.64


@dataclass(frozen=True)
class ClusterSpec:
    """One Janus cluster species: metal cores wrapped in ligand shells (see :mod:`dipolewire.presets`).

    Lengths nm, dipole e·nm, ``shell_modulus`` zJ/nm³ (1 GPa = 1000 zJ/nm³). Body frame: Janus axis = +z,
    Au core towards +z. ``partner_core_diameter`` None: a single sphere (no partner core).
    ``hydrodynamic_diameter`` sets the Stokes–Einstein frictions; by default the ligated cluster's
    largest extent (:func:`derived_geometry`).
    """

    preset: str
    dipole: float
    partner: str | None
    au_core_diameter: float
    partner_core_diameter: float | None
    core_separation: float
    au_shell: float
    partner_shell: float
    shell_modulus: float
    hydrodynamic_diameter: float
    dipole_direction: tuple[float, float, float] = (0.0, 0.0, 1.0)
    dipole_offset: float = 0.0  # along the Janus axis from the body centre, nm
    chirality: str = "R"
    elemental_formula: str | None = None  # of one neutral molecule; None: unknown (a model particle)

    @property
    def molar_mass(self) -> float | None:
        """Molar mass in g/mol from :attr:`elemental_formula` (IUPAC standard atomic weights), or None."""
        return molar_mass(self.elemental_formula) if self.elemental_formula else None

    @property
    def geometry(self) -> ClusterGeometry:
        return derived_geometry(
            self.au_core_diameter, self.partner_core_diameter, self.core_separation, self.au_shell, self.partner_shell
        )


@dataclass(frozen=True)
class ClusterGeometry:
    """Where the cores sit and how large the ligated cluster is (nm).

    ``au_z``/``partner_z``: core centres on the body z axis, the body centre midway along the axial
    extent; ``length``: axial extent, outer shell to outer shell; ``width``: the larger shell diameter;
    ``metal_length``: the bare metal skeleton's axial extent (compare with the TEM core size).
    """

    au_z: float
    partner_z: float
    length: float
    width: float
    metal_length: float

    @property
    def extent(self) -> float:
        """The ligated cluster's largest extent (nm): the default hydrodynamic diameter."""
        return max(self.length, self.width)


def derived_geometry(
    au_core_diameter: float,
    partner_core_diameter: float | None,
    core_separation: float,
    au_shell: float,
    partner_shell: float,
) -> ClusterGeometry:
    """Core positions and cluster extents (nm) from the core diameters, their separation and the shell
    thicknesses (nm); ``partner_core_diameter`` None for a single sphere."""
    ra, ta = 0.5 * au_core_diameter, au_shell
    if partner_core_diameter is None:
        return ClusterGeometry(0.0, 0.0, 2 * (ra + ta), 2 * (ra + ta), 2 * ra)
    rp, tp = 0.5 * partner_core_diameter, partner_shell
    top = core_separation + ra + ta  # measured from the partner core centre
    bottom = -(rp + tp)
    middle = 0.5 * (top + bottom)
    metal = max(core_separation + ra, rp) - min(-rp, core_separation - ra)
    return ClusterGeometry(
        au_z=core_separation - middle,
        partner_z=-middle,
        length=top - bottom,
        width=2 * max(ra + ta, rp + tp),
        metal_length=metal,
    )


@dataclass(frozen=True)
class AmountSpec:
    """How many clusters in what volume: film height H0 (nm) over a square L × L (nm) base, or an L × W base
    (``box_width`` W along y, nm) for a run that starts from a frame tiled nx × ny (:class:`StartSpec`).
    ``given_concentration``: the concentration as the run file wrote it (e.g. "0.5 mg/mL"), a record."""

    clusters: int
    film_height: float
    box_length: float
    given_concentration: str | None = field(default=None, compare=False)
    box_width: float | None = None  # None: a square base

    @property
    def sides(self) -> tuple[float, float]:
        """(L along x, W along y) of the base (nm)."""
        return self.box_length, self.box_length if self.box_width is None else self.box_width

    @property
    def area(self) -> float:
        """Area of the base (nm²)."""
        lx, ly = self.sides
        return lx * ly

    @property
    def concentration(self) -> float:
        """Initial number density in nm⁻³."""
        return self.clusters / (self.area * self.film_height)

    @property
    def concentration_mM(self) -> float:
        return self.concentration / MOLAR_PER_NM3 * 1e3


@dataclass(frozen=True)
class SolventSpec:
    preset: str | None
    viscosity: float  # mPa·s
    eps_r: float
    temperature: float  # K


@dataclass(frozen=True)
class DryingSpec:
    """Descending evaporation interface; speed in nm/ns, heights in nm, hold in ns."""

    front_speed: float
    final_height: float
    eps_r_dry: float
    hold: float
    interface_stiffness_kT_per_nm2: float = 50.0
    walls: bool = True  # False: no substrate or interface, periodic in z (needs front_speed 0)


@dataclass(frozen=True)
class HypothesesSpec:
    """Mechanisms beyond point dipoles and shell repulsion that could bind clusters more strongly; each
    off (0) by default. Energies zJ, ranges nm (see docs/model.md for the physical basis of each).

    ``ligand_attraction``: depth of a short-range attraction between touching ligand shells, per pair of
    shells in contact, fading to 0 over ``ligand_attraction_range`` beyond contact.
    ``interface_adsorption``: depth of a well that holds a cluster whose surface touches the evaporation
    interface (the trapping energy π r² γ (1 − |cos θ|)²), fading over ``interface_adsorption_range``.
    """

    ligand_attraction: float = 0.0
    ligand_attraction_range: float = 0.3
    interface_adsorption: float = 0.0
    interface_adsorption_range: float = 0.5


@dataclass(frozen=True)
class NumericsSpec:
    timestep: float  # ns
    dipole_cutoff: float  # nm
    output_interval: float  # ns
    seed: int
    engine: str = "auto"
    steric_epsilon_kT: float = 1.0
    threads: int = 1
    device: str = "auto"  # HOOMD-blue: auto, cpu or gpu
    dipole_method: str = DEFAULT_DIPOLE_METHOD  # one of DIPOLE_METHODS
    dipole_accuracy: float = DEFAULT_DIPOLE_ACCURACY  # relative, long-range methods only


@dataclass(frozen=True)
class StartSpec:
    """Where a run starts when it skips the dilute part of the drying (the ``[start]`` table; see
    :mod:`dipolewire.film_start`).

    ``film_height`` (nm) and ``permittivity`` (εr): the film at time 0. ``from_run`` None: the clusters are placed at
    random without overlaps in that film. Otherwise the trajectory (an absolute path) whose frame ``frame`` (index
    ≥ 0) is tiled ``replicate`` = (nx, ny) times in x and y, and the film's height and εr are that frame's;
    ``source_digest`` is the SHA-256 of the frame's bodies (:func:`~dipolewire.film_start.frame_digest`), and
    ``source_clusters``, ``source_box`` ((lx, ly) nm) and ``source_time`` (ns) describe the frame.
    """

    film_height: float
    permittivity: float
    from_run: str | None = None
    frame: int | None = None
    replicate: tuple[int, int] = (1, 1)
    source_digest: str | None = None
    source_clusters: int | None = field(default=None, compare=False)
    source_box: tuple[float, float] | None = field(default=None, compare=False)
    source_time: float | None = field(default=None, compare=False)

    @property
    def tiled(self) -> bool:
        """True for a start from a frame of another run, False for clusters placed at random."""
        return self.from_run is not None


@dataclass(frozen=True)
class RunSpec:
    name: str
    cluster: ClusterSpec
    amount: AmountSpec
    solvent: SolventSpec
    drying: DryingSpec
    numerics: NumericsSpec
    hypotheses: HypothesesSpec = field(default_factory=HypothesesSpec)
    source: str | None = field(default=None, compare=False)
    start: StartSpec | None = None  # None: the film starts dilute, at amount.film_height

    def replace(self, section: str, **changes) -> RunSpec:
        """A copy with some fields of one section changed (used by CLI overrides)."""
        return dataclasses.replace(self, **{section: dataclasses.replace(getattr(self, section), **changes)})

    def to_toml(self) -> str:
        """The resolved run file: every default filled in, in internal units with unit strings."""
        import tomli_w

        return tomli_w.dumps(_resolved_document(self))


# --- reading -----------------------------------------------------------------------------

_SECTIONS = {
    "": {"name", "cluster", "amount", "solvent", "drying", "numerics", "hypotheses", "start"},
    "cluster": {
        "preset",
        "dipole",
        "partner",
        "au_core_diameter",
        "partner_core_diameter",
        "core_separation",
        "au_shell",
        "partner_shell",
        "shell_modulus",
        "hydrodynamic_diameter",
        "dipole_direction",
        "dipole_offset",
        "chirality",
        "elemental_formula",
    },
    # given_concentration and molar_concentration: records in resolved files (see _amount)
    "amount": {"clusters", "concentration", "film_height", "box_length", "given_concentration", "molar_concentration"},
    "solvent": {"preset", "viscosity", "eps_r", "temperature"},
    "drying": {
        "front_speed",
        "peclet",
        "final_height",
        "eps_r_dry",
        "hold",
        "interface_stiffness_kT_per_nm2",
        "walls",
    },
    "hypotheses": {
        "ligand_attraction",
        "ligand_attraction_range",
        "interface_adsorption",
        "interface_adsorption_range",
    },
    # source_digest: a record in resolved files (see _start)
    "start": {"film_height", "permittivity", "from_run", "frame", "replicate", "source_digest"},
    "numerics": {
        "timestep",
        "dipole_cutoff",
        "output_interval",
        "seed",
        "engine",
        "steric_epsilon_kT",
        "threads",
        "device",
        "dipole_method",
        "dipole_accuracy",
    },
}


def read_document(path, what: str = "run file") -> dict:
    """The TOML document of the file at ``path`` (refused as ``what`` when unreadable or not TOML), its
    ``name`` defaulting to the file's stem."""
    from .user_files import read_text

    path = Path(path)
    text = read_text(path, what)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(what, f"{path} is not valid TOML: {exc}") from None
    document.setdefault("name", path.stem)
    return document


def load(path) -> RunSpec:
    """Read and validate a run file."""
    return from_dict(read_document(path), source=str(path))


def from_dict(document: dict, source: str | None = None) -> RunSpec:
    """Validate a run-file document (as parsed from TOML) into a :class:`RunSpec`.

    ``source`` is the run file's path: a relative ``start.from_run`` is read from the run file's folder (from the
    current folder without one)."""
    check_finite(document)
    _check_keys(document, "")
    for section in ("cluster", "amount", "solvent", "drying", "numerics", "hypotheses", "start"):
        value = document.get(section, {})
        if not isinstance(value, dict):
            raise InputError(section, "must be a table, e.g. [" + section + "]")
        _check_keys(value, section)
    name = document.get("name", "run")
    if not isinstance(name, str) or not name or "/" in name or name.startswith("."):
        raise InputError("name", f"must be a plain directory name, got {name!r}")

    cluster = _cluster(document.get("cluster", {}))
    solvent = _solvent(document.get("solvent", {}))
    start_table = document.get("start")
    frame = None
    if start_table is not None and "from_run" in start_table:
        frame = _source_frame(start_table, source)
        if "amount" in document:
            raise InputError(
                "amount",
                f"a run that starts from another run's frame takes its clusters and box from that frame "
                f"({frame.clusters} clusters over {frame.box[0]:.4g} nm × {frame.box[1]:.4g} nm, tiled by "
                "start.replicate); remove [amount]",
            )
        amount = _tiled_amount(start_table, frame)
    else:
        amount = _amount(document.get("amount", {}), cluster)
    start_height = None
    if start_table is not None:
        start_height = frame.film_height if frame is not None else _start_height(start_table)
    drying = _drying(document.get("drying", {}), cluster, solvent, amount, start_height, tiled=frame is not None)
    start = None
    if start_table is not None:
        start = _start(start_table, document, cluster, solvent, amount, drying, frame)
    numerics = _numerics(document.get("numerics", {}), cluster, solvent, amount, drying, start)
    _check_front_speed(document.get("drying", {}), cluster, solvent, amount, drying, numerics)
    hypotheses = _hypotheses(document.get("hypotheses", {}), solvent)
    return RunSpec(name, cluster, amount, solvent, drying, numerics, hypotheses, source=source, start=start)


def check_finite(value, where: str = "") -> None:
    """Refuse TOML's ``nan``, ``inf`` and ``-inf`` anywhere in a document, naming the field that holds one."""
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(
            where or "run file", f"must be a finite number, got {value!r} (TOML's nan and inf are not values)"
        )
    if isinstance(value, dict):
        for key, item in value.items():
            check_finite(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for item in value:
            check_finite(item, where)


def _check_keys(table: dict, section: str, sections: dict | None = None) -> None:
    """Refuse a key of ``table`` that ``section`` of ``sections`` (default: the run file's) does not allow."""
    allowed = (sections or _SECTIONS)[section]
    for key in table:
        if key not in allowed:
            where = f"{section}.{key}" if section else key
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise InputError(where, f"unknown key{hint} (allowed: {', '.join(sorted(allowed))})")


#: A unit to show in an error's example, by kind of quantity (one of the field's own dimension).
EXAMPLE_UNITS = units.EXAMPLE_UNITS


def _quantity(table, key, kind, section, *, default=None, minimum=0.0, inclusive=False, **kw):
    """A quantity from ``table[key]`` (a unit string) in internal units, checked against ``minimum``."""
    field_name = f"{section}.{key}"
    raw = table.get(key, default)
    if raw is None:
        raise InputError(field_name, f"is required (a {kind} with its unit)")
    example = EXAMPLE_UNITS[kind]
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise InputError(field_name, f'must be a {kind} with a unit, e.g. "1 {example}", got {raw!r}')
    if isinstance(raw, float) and not math.isfinite(raw):
        raise InputError(field_name, f'must be a finite {kind} with a unit, e.g. "1 {example}", got {raw!r}')
    if isinstance(raw, int | float):
        raise InputError(field_name, f'needs a unit: write it as a string, e.g. "{raw} {example}"')
    value = parse(raw, kind, field=field_name, **kw)
    if minimum is not None and (value < minimum if inclusive else value <= minimum):
        op = ">=" if inclusive else ">"
        raise InputError(field_name, f"must be {op} {minimum:g} (internal units), got {raw!r}")
    return value


def _number(table, key, section, *, default, minimum=None, maximum=None, integer=False, inclusive=True):
    field_name = f"{section}.{key}"
    raw = table.get(key, default)
    if raw is None:
        raise InputError(field_name, f"is required ({'an integer' if integer else 'a number'})")
    kinds = (int,) if integer else (int, float)
    if isinstance(raw, bool) or not isinstance(raw, kinds):
        raise InputError(field_name, f"must be {'an integer' if integer else 'a number'}, got {raw!r}")
    if not math.isfinite(raw):
        raise InputError(field_name, f"must be a finite number, got {raw!r}")
    if minimum is not None and (raw < minimum if inclusive else raw <= minimum):
        raise InputError(field_name, f"must be {'>=' if inclusive else '>'} {minimum:g}, got {raw!r}")
    if maximum is not None and raw > maximum:
        raise InputError(
            field_name, f"must be <= {maximum if isinstance(maximum, int) else format(maximum, 'g')}, got {raw!r}"
        )
    return raw


def _choice(table, key, section, choices, default):
    value = table.get(key, default)
    if value not in choices:
        raise InputError(f"{section}.{key}", f"must be one of {', '.join(choices)}, got {value!r}")
    return value


def _cluster(table) -> ClusterSpec:
    name = table.get("preset", "R-Au-Cu")
    if not isinstance(name, str):
        raise InputError("cluster.preset", f"must be a preset name, got {name!r}")
    base = {key: value for key, value in presets.cluster(name).items() if key not in ("formula", "sources")}
    merged = {**base, **table}
    dipole = _quantity(merged, "dipole", "dipole", "cluster")
    au_core = _quantity(merged, "au_core_diameter", "length", "cluster")
    au_shell = _quantity(merged, "au_shell", "length", "cluster", default="0 nm", inclusive=True)
    modulus = _quantity(merged, "shell_modulus", "pressure", "cluster")
    partner = merged.get("partner")
    partner_core = partner_shell = None
    separation = 0.0
    if merged.get("partner_core_diameter") is not None:
        partner_core = _quantity(merged, "partner_core_diameter", "length", "cluster")
        partner_shell = _quantity(merged, "partner_shell", "length", "cluster", default="0 nm", inclusive=True)
        separation = _quantity(merged, "core_separation", "length", "cluster")
        partner = partner or "X"
        # the partner's name is its particle type, beside "Au" and the centre types "<preset>:R/S"
        if not isinstance(partner, str) or not partner or partner == "Au" or ":" in partner:
            raise InputError("cluster.partner", f'must be a metal name other than "Au", without ":", got {partner!r}')
        if separation > 0.5 * (au_core + partner_core):
            raise InputError(
                "cluster.core_separation",
                f"must be at most the mean core diameter ({0.5 * (au_core + partner_core):.4g} nm): "
                "the two cores of one cluster touch or overlap",
            )
    geometry = derived_geometry(au_core, partner_core, separation, au_shell, partner_shell or 0.0)
    _check_dipole_size(dipole, geometry, merged["dipole"])
    if "hydrodynamic_diameter" in merged:
        hydro = _quantity(merged, "hydrodynamic_diameter", "length", "cluster")
    else:
        hydro = geometry.extent
    direction = merged.get("dipole_direction", [0.0, 0.0, 1.0])
    if (
        not isinstance(direction, list | tuple)
        or len(direction) != 3
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in direction)
    ):
        raise InputError("cluster.dipole_direction", "must be three numbers (body frame, Janus axis = z)")
    if not all(math.isfinite(v) for v in direction):
        raise InputError("cluster.dipole_direction", f"must be three finite numbers, got {direction!r}")
    norm = math.hypot(*direction)
    if norm == 0:
        raise InputError("cluster.dipole_direction", "must not be the zero vector")
    offset = _quantity(merged, "dipole_offset", "length", "cluster", default="0 nm", minimum=None)
    if abs(offset) > geometry.length / 2:
        raise InputError(
            "cluster.dipole_offset", f"must lie inside the cluster, |offset| <= {geometry.length / 2:g} nm"
        )
    if partner_core is None and offset != 0:
        raise InputError("cluster.dipole_offset", "must be 0 for a single-sphere cluster (no partner core)")
    chirality = _choice(merged, "chirality", "cluster", CHIRALITIES, "R")
    formula = merged.get("elemental_formula")
    if formula is not None:
        if not isinstance(formula, str):
            raise InputError("cluster.elemental_formula", f'must be a formula such as "Au8(C4N2S2)3", got {formula!r}')
        molar_mass(formula, field="cluster.elemental_formula")  # checks it
    return ClusterSpec(
        preset=name,
        dipole=dipole,
        partner=partner if partner_core is not None else None,
        au_core_diameter=au_core,
        partner_core_diameter=partner_core,
        core_separation=separation,
        au_shell=au_shell,
        partner_shell=partner_shell or 0.0,
        shell_modulus=modulus,
        hydrodynamic_diameter=hydro,
        dipole_direction=tuple(v / norm for v in direction),
        dipole_offset=offset,
        chirality=chirality,
        elemental_formula=formula,
    )


def _solvent(table, default_preset: str = "CH2Cl2") -> SolventSpec:
    name = table.get("preset", default_preset)
    if name is not None and not isinstance(name, str):
        raise InputError("solvent.preset", f"must be a preset name, got {name!r}")
    name = presets.solvent_name(name) if name is not None else None  # "chloroform" is recorded as CHCl3
    base = presets.SOLVENTS[name] if name is not None else {}
    merged = {**base, **table}
    viscosity = _quantity(merged, "viscosity", "viscosity", "solvent")
    eps_r = _number(merged, "eps_r", "solvent", default=None, minimum=1.0)
    temperature = _quantity(merged, "temperature", "temperature", "solvent", default="298.15 K")
    # a solvent whose viscosity and εr are both given is the run file's own: the preset's liquid range is not its
    own = "viscosity" in table and "eps_r" in table
    _check_liquid(None if own else name, temperature, merged.get("temperature", "298.15 K"))
    return SolventSpec(preset=name, viscosity=viscosity, eps_r=float(eps_r), temperature=temperature)


def liquid_range(preset: str | None) -> tuple[float, float, str]:
    """(lowest, highest temperature in K, why) at which a solvent ``preset`` is a liquid: its melting and boiling
    points at 1 atm; for a solvent given by hand (None: its viscosity and eps_r both given),
    :data:`~dipolewire.presets.OTHER_SOLVENT_TEMPERATURE_K`."""
    if preset is None:
        low, high = presets.OTHER_SOLVENT_TEMPERATURE_K
        return low, high, "the range allowed for a solvent whose viscosity and eps_r are given, not a preset's"
    values = presets.SOLVENTS[preset]
    low = parse(values["melting_point"], "temperature")
    high = parse(values["boiling_point"], "temperature")
    return low, high, f"{preset} is a liquid from its melting to its boiling point at 1 atm"


def _check_liquid(preset: str | None, temperature: float, given) -> None:
    low, high, why = liquid_range(preset)
    if not low <= temperature <= high:
        raise InputError(
            "solvent.temperature",
            f"must be in {low:.2f} … {high:.2f} K ({low - 273.15:.2f} … {high - 273.15:.2f} °C: {why}), got {given!r}",
        )


def _amount(table, cluster: ClusterSpec) -> AmountSpec:
    clusters = _number(table, "clusters", "amount", default=None, minimum=1, integer=True)
    given = [key for key in ("concentration", "film_height", "box_length") if key in table]
    if len(given) != 2:
        raise InputError(
            "amount",
            f"give exactly two of concentration, film_height, box_length (got {', '.join(given) or 'none'})",
        )
    c = None
    if "concentration" in table:  # a mass concentration needs the cluster's molar mass
        c = _quantity(table, "concentration", "concentration", "amount", molar_mass_g_per_mol=cluster.molar_mass)
    h = _quantity(table, "film_height", "length", "amount") if "film_height" in table else None
    length = _quantity(table, "box_length", "length", "amount") if "box_length" in table else None
    if length is None:
        length = (clusters / (c * h)) ** 0.5
    elif h is None:
        h = clusters / (c * length**2)
    # the concentration the run file states wins over a record of one (a resolved file has only the record)
    record = table.get("given_concentration")
    if record is not None and not isinstance(record, str):
        raise InputError("amount.given_concentration", f"must be text (a record of the concentration), got {record!r}")
    given = table["concentration"] if "concentration" in table else record
    amount = AmountSpec(clusters=clusters, film_height=h, box_length=length, given_concentration=given)
    if "molar_concentration" in table:
        _check_record(table, amount)
    d = cluster.hydrodynamic_diameter
    if h < 2 * d:
        raise InputError(
            "amount.film_height",
            f"must be at least two cluster diameters ({2 * d:g} nm), got {h:.4g} nm",
        )
    if length < 2 * d:
        raise InputError(
            "amount.box_length",
            f"must be at least two cluster diameters ({2 * d:g} nm), got {length:.4g} nm",
        )
    return amount


def _check_record(table, amount: AmountSpec) -> None:
    """A resolved file's molar_concentration must be the N/(L²·H0) its other values give."""
    recorded = _quantity(table, "molar_concentration", "concentration", "amount")
    if abs(recorded - amount.concentration) > 1e-9 * amount.concentration:
        raise InputError(
            "amount.molar_concentration",
            f"records N/(L²·H0) = {amount.concentration_mM:.6g} mM for these clusters, film_height and "
            f"box_length, not {table['molar_concentration']!r}; remove it or set the concentration",
        )


# --- [start]: a run that begins part-way through the drying ------------------------------------------

#: Heights (nm) closer than this are one height: a start "at the final height" need not match it to the last bit.
HEIGHT_TOLERANCE_NM = 1e-6
#: Largest tiling along x or y of a start from another run's frame.
MAX_REPLICATE = 1000


def _start_height(table) -> float:
    """``start.film_height`` (nm) of a start that places its clusters at random."""
    if "film_height" not in table:
        raise InputError(
            "start",
            'give film_height (a film already that thin, e.g. "2.11 nm") or from_run (a frame of another run, '
            'e.g. "demo")',
        )
    return _quantity(table, "film_height", "length", "start")


def _replicate(table) -> tuple[int, int]:
    """``start.replicate``: (nx, ny), each 1 … :data:`MAX_REPLICATE`."""
    value = table.get("replicate", [1, 1])
    if (
        not isinstance(value, list | tuple)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        or not all(1 <= v <= MAX_REPLICATE for v in value)
    ):
        raise InputError(
            "start.replicate",
            f"must be two whole numbers [nx, ny], each 1 … {MAX_REPLICATE} (the copies along x and y), got {value!r}",
        )
    return int(value[0]), int(value[1])


def _source_frame(table, source: str | None):
    """The frame a ``start.from_run`` names (:class:`~dipolewire.film_start.SourceFrame`)."""
    from .film_start import read_source

    from_run = table["from_run"]
    if not isinstance(from_run, str) or not from_run.strip():
        raise InputError("start.from_run", f"must be a run folder or a trajectory file, got {from_run!r}")
    frame = table.get("frame", -1)
    if isinstance(frame, bool) or not isinstance(frame, int):
        raise InputError("start.frame", f"must be a whole number (a frame index; -1: the last), got {frame!r}")
    base = Path(source).resolve().parent if source else Path.cwd()
    return read_source(from_run, frame, base)


def _tiled_amount(table, frame) -> AmountSpec:
    """The clusters and box of a run that starts from ``frame`` tiled ``start.replicate`` times."""
    nx, ny = _replicate(table)
    lx, ly = nx * frame.box[0], ny * frame.box[1]
    return AmountSpec(
        clusters=nx * ny * frame.clusters,
        film_height=frame.film_height,
        box_length=lx,
        box_width=None if ly == lx else ly,
    )


def _start(table, document, cluster, solvent, amount, drying, frame) -> StartSpec:
    """The ``[start]`` table: a film at ``film_height`` with clusters placed at random, or ``frame`` (a
    :class:`~dipolewire.film_start.SourceFrame`) of another run, tiled."""
    final = drying.final_height
    if frame is not None:
        return _tiled_start(table, document, cluster, drying, frame)
    for key in ("frame", "replicate", "source_digest"):
        if key in table:
            raise InputError(
                f"start.{key}", "belongs to a start from another run's frame: give start.from_run, or remove it"
            )
    height = _start_height(table)
    if not drying.walls:
        raise InputError(
            "start.film_height",
            "needs a film (drying.walls = true): a periodic bulk box has no film height to start part-way down",
        )
    if abs(height - final) <= HEIGHT_TOLERANCE_NM:
        height = final
    if not final <= height <= amount.film_height:
        raise InputError(
            "start.film_height",
            f"must be between drying.final_height ({final:.4g} nm) and amount.film_height ({amount.film_height:.4g} "
            f"nm), the heights the film passes through as it dries, got {table['film_height']!r}",
        )
    from .interactions import FilmPermittivity, Ramp

    schedule = FilmPermittivity(solvent.eps_r, drying.eps_r_dry, Ramp(amount.film_height, final, drying.front_speed))
    permittivity = float(schedule.of_height(height))
    if "permittivity" in table:
        permittivity = float(_number(table, "permittivity", "start", default=None, minimum=1.0))
        if height == final and permittivity != drying.eps_r_dry:
            raise InputError(
                "start.permittivity",
                f"the film starts at its final height, where εr is drying.eps_r_dry ({drying.eps_r_dry:g}); set "
                f"drying.eps_r_dry instead, got {table['permittivity']!r}",
            )
    return StartSpec(film_height=height, permittivity=permittivity)


def _tiled_start(table, document, cluster, drying, frame) -> StartSpec:
    """A start from ``frame`` tiled ``start.replicate`` times: the records of a resolved file checked against the
    frame, and the frame's run checked to have modelled the same clusters."""
    from .film_start import check_compatible

    if "film_height" in table:
        recorded = _quantity(table, "film_height", "length", "start")
        if abs(recorded - frame.film_height) > HEIGHT_TOLERANCE_NM:
            raise InputError(
                "start.film_height",
                f"is the frame's ({frame.film_height:.6g} nm) in a start from another run's frame, not "
                f"{table['film_height']!r}; remove it",
            )
    if "permittivity" in table:
        recorded = _number(table, "permittivity", "start", default=None, minimum=1.0)
        if abs(recorded - frame.eps_r) > 1e-9 * frame.eps_r:
            raise InputError(
                "start.permittivity",
                f"is the frame's ({frame.eps_r:.6g}) in a start from another run's frame, not {recorded!r}; remove it "
                "(a film at its final height takes drying.eps_r_dry)",
            )
    if "source_digest" in table:
        recorded = table["source_digest"]
        if not isinstance(recorded, str):
            raise InputError(
                "start.source_digest", f"must be text (a record written in resolved files), got {recorded!r}"
            )
        if recorded != frame.digest:
            raise InputError(
                "start.source_digest",
                f"frame {frame.index} of {frame.trajectory} is not the one this run started from (its bodies' "
                "SHA-256 differs from the record): the source run was changed or replaced",
            )
    check_compatible(frame, cluster, document.get("drying", {}).get("walls", True))
    height = frame.film_height
    if abs(height - drying.final_height) <= HEIGHT_TOLERANCE_NM:
        height = drying.final_height
    return StartSpec(
        film_height=height,
        permittivity=frame.eps_r,
        from_run=str(frame.trajectory),
        frame=frame.index,
        replicate=_replicate(table),
        source_digest=frame.digest,
        source_clusters=frame.clusters,
        source_box=(frame.box[0], frame.box[1]),
        source_time=frame.time,
    )


def _drying(table, cluster, solvent, amount, start_height: float | None = None, tiled: bool = False) -> DryingSpec:
    """The ``[drying]`` table; ``start_height`` (nm): the film height a ``[start]`` begins at (None: no start),
    ``tiled``: the start is another run's frame, whose film height is also ``amount.film_height``."""
    from .physics import translational_diffusion

    d = cluster.hydrodynamic_diameter
    if ("front_speed" in table) == ("peclet" in table):
        raise InputError("drying", 'give exactly one of front_speed (e.g. "0.1 nm/ns") or peclet')
    dt = translational_diffusion(kT_zJ(solvent.temperature), solvent.viscosity, d)
    if "peclet" in table:
        pe = _number(table, "peclet", "drying", default=None, minimum=0, inclusive=False)
        speed = float(pe * dt / amount.film_height)
    else:
        speed = _quantity(table, "front_speed", "speed", "drying", minimum=0.0, inclusive=True)
    final = _quantity(table, "final_height", "length", "drying", default=f"{d!r} nm")
    widest = max(_outer_diameters(cluster))
    if final < widest:
        raise InputError(
            "drying.final_height",
            f"must be at least the widest ligated hemisphere ({widest:.4g} nm), so that a dried monolayer fits",
        )
    if tiled and final > start_height + HEIGHT_TOLERANCE_NM:
        raise InputError(
            "drying.final_height",
            f"must be at most the film height of the frame the run starts from ({start_height:.4g} nm: "
            f"start.from_run), got {table.get('final_height', f'{final:g} nm')!r}",
        )
    if not tiled and final >= amount.film_height:
        raise InputError(
            "drying.final_height",
            f"must be below the initial film height ({amount.film_height:.4g} nm)",
        )
    held = amount.film_height if start_height is None else start_height  # the film's height if nothing dries
    thinnest = final if speed > 0 else held
    packing = amount.clusters * (3.141592653589793 / 6) * d**3 / (amount.area * thinnest)
    if packing > RANDOM_CLOSE_PACKING:
        raise InputError(
            "drying.final_height",
            f"the dried film would be packed to φ = {packing:.2f}, beyond random close packing "
            f"({RANDOM_CLOSE_PACKING}); use fewer clusters, a wider box or a thicker final film",
        )
    eps_dry = _number(table, "eps_r_dry", "drying", default=presets.DRY_FILM_EPS_R, minimum=1.0)
    hold = _quantity(table, "hold", "time", "drying", default="0 ns", inclusive=True)
    if speed == 0 and hold <= 0:
        raise InputError("drying.hold", "must be > 0 when front_speed is 0 (a film at fixed height)")
    if start_height is not None and start_height <= final + HEIGHT_TOLERANCE_NM and hold <= 0:
        raise InputError(
            "drying.hold",
            f"must be > 0 when the run starts at the final height ({final:.4g} nm): nothing dries, the hold is the run",
        )
    walls = table.get("walls", True)
    if not isinstance(walls, bool):
        raise InputError("drying.walls", f"must be true or false, got {walls!r}")
    if not walls and speed > 0:
        raise InputError("drying.walls", 'false (a periodic bulk box) needs front_speed = "0 nm/ns": nothing dries')
    stiffness = _number(table, "interface_stiffness_kT_per_nm2", "drying", default=50.0, minimum=1.0, maximum=1e4)
    return DryingSpec(
        front_speed=speed,
        final_height=final,
        eps_r_dry=float(eps_dry),
        hold=hold,
        interface_stiffness_kT_per_nm2=float(stiffness),
        walls=walls,
    )


def _outer_diameters(cluster: ClusterSpec) -> tuple[float, ...]:
    """Diameters (nm) of the ligated hemispheres, core plus shell on both sides."""
    diameters = [cluster.au_core_diameter + 2 * cluster.au_shell]
    if cluster.partner_core_diameter is not None:
        diameters.append(cluster.partner_core_diameter + 2 * cluster.partner_shell)
    return tuple(diameters)


#: Largest charge (elementary charges) at each end of a cluster, for the largest dipole it can carry: the
#: Au8 and Cu4(MNT)3 hemispheres of the Janus clusters carry ±2 e (Li et al. 2022); 5 e is more than twice
#: that on a cluster about 1 nm across.
MAX_DIPOLE_CHARGE_E = 5.0


def max_dipole(geometry: ClusterGeometry) -> float:
    """The largest dipole (e·nm) a cluster of this size can carry: ±:data:`MAX_DIPOLE_CHARGE_E` at opposite
    surfaces of the ligated cluster, its largest extent apart."""
    return MAX_DIPOLE_CHARGE_E * geometry.extent


def _check_dipole_size(dipole: float, geometry: ClusterGeometry, given) -> None:
    from .units import e_nm_to_debye

    limit = max_dipole(geometry)
    if dipole > limit:
        raise InputError(
            "cluster.dipole",
            f"must be at most {e_nm_to_debye(limit):.0f} D, the largest dipole a cluster {geometry.extent:.3g} nm "
            f"across can carry (±{MAX_DIPOLE_CHARGE_E:g} e at its opposite surfaces; the Au8/Cu4 hemispheres carry "
            f"±2 e), got {given!r}",
        )


#: Largest depth (kT) and range (nm) of a ``[hypotheses]`` well: deeper or wider is no longer a contact effect.
MAX_HYPOTHESIS_DEPTH_KT = 50.0
MAX_HYPOTHESIS_RANGE_NM = 2.0

#: Largest timestep, as a multiple of the default: at 2.8× the default, HOOMD-blue's Brownian integrator
#: already broadens the sampled bond-length distribution of two R-Au-Cu clusters by 6 standard errors in
#: 2 µs, while at the default it matches the exact two-body distribution (tests/test_ligand_shell.py).
TIMESTEP_CAP = 2.5


def timestep_length(cluster: ClusterSpec) -> float:
    """The length (nm) the timestep must resolve: the zone where two ligand shells meet (twice the
    thinnest shell), or for a cluster without shells its smallest core."""
    shells = [cluster.au_shell] + ([cluster.partner_shell] if cluster.partner_core_diameter is not None else [])
    if min(shells) > 0:
        return 2 * min(shells)
    return min(cluster.au_core_diameter, cluster.partner_core_diameter or cluster.au_core_diameter)


def default_timestep(cluster: ClusterSpec, solvent: SolventSpec) -> float:
    """Timestep (ns): 2e-4 of the time a free cluster takes to diffuse :func:`timestep_length`."""
    from .physics import translational_diffusion

    dt = translational_diffusion(kT_zJ(solvent.temperature), solvent.viscosity, cluster.hydrodynamic_diameter)
    return float(2e-4 * timestep_length(cluster) ** 2 / dt)


def _hypotheses(table, solvent: SolventSpec) -> HypothesesSpec:
    """The ``[hypotheses]`` switches: depths (energies; in kT or any energy unit) 0 … 50 kT, ranges
    (lengths) 0 … 2 nm."""
    kT = kT_zJ(solvent.temperature)
    values = {}
    for depth_key, range_key, default_range in (
        ("ligand_attraction", "ligand_attraction_range", "0.3 nm"),
        ("interface_adsorption", "interface_adsorption_range", "0.5 nm"),
    ):
        depth = _quantity(
            table, depth_key, "energy", "hypotheses", default="0 kT", inclusive=True, temperature_K=solvent.temperature
        )
        if depth > MAX_HYPOTHESIS_DEPTH_KT * kT:
            raise InputError(
                f"hypotheses.{depth_key}",
                f"must be between 0 and {MAX_HYPOTHESIS_DEPTH_KT:g} kT, got {table.get(depth_key)!r}",
            )
        reach = _quantity(table, range_key, "length", "hypotheses", default=default_range)
        if reach > MAX_HYPOTHESIS_RANGE_NM:
            raise InputError(
                f"hypotheses.{range_key}",
                f"must be a short range, 0 < range <= {MAX_HYPOTHESIS_RANGE_NM:g} nm, got {table.get(range_key)!r}",
            )
        values[depth_key], values[range_key] = depth, reach
    return HypothesesSpec(**values)


def _numerics(table, cluster, solvent, amount, drying, start: StartSpec | None = None) -> NumericsSpec:
    raw_dt = table.get("timestep", "auto")
    if raw_dt == "auto":
        timestep = default_timestep(cluster, solvent)
    else:
        timestep = _quantity(table, "timestep", "time", "numerics")
        limit = TIMESTEP_CAP * default_timestep(cluster, solvent)
        if timestep > limit:
            raise InputError(
                "numerics.timestep",
                f"must be <= {limit:.3g} ns ({TIMESTEP_CAP:g}x the default; beyond it Brownian steps bias "
                f"the bond-length distribution), got {raw_dt!r}",
            )
    d = cluster.hydrodynamic_diameter
    cutoff = _quantity(table, "dipole_cutoff", "length", "numerics", default=f"{3 * d!r} nm")
    if cutoff <= d:
        raise InputError("numerics.dipole_cutoff", f"must exceed the contact distance {d:g} nm")
    if cutoff > min(amount.sides) / 2:
        shorter = "" if amount.box_width is None else ", its shorter side's"
        raise InputError(
            "numerics.dipole_cutoff",
            f"must be at most half the box length ({min(amount.sides) / 2:.4g} nm{shorter})",
        )
    if not drying.walls and cutoff > amount.film_height / 2:
        raise InputError(
            "numerics.dipole_cutoff",
            f"must be at most half the box height ({amount.film_height / 2:.4g} nm) in a periodic box",
        )
    interval = _quantity(table, "output_interval", "time", "numerics", default="1 ns")
    if interval < timestep:
        raise InputError("numerics.output_interval", f"must be at least one timestep ({timestep:.3g} ns)")
    drying_time, duration = drying_duration(amount, drying, start), run_duration(amount, drying, start)
    if interval > duration * (1 + 1e-9):
        raise InputError(
            "numerics.output_interval",
            f"must be at most the run's duration, {duration:.4g} ns (drying {drying_time:.4g} ns + hold "
            f"{drying.hold:.4g} ns), got {table.get('output_interval')!r}",
        )
    seed = _number(table, "seed", "numerics", default=1, minimum=1, maximum=2**31 - 1, integer=True)
    from .engines import REGISTRY

    engine = _choice(table, "engine", "numerics", ("auto", *REGISTRY), "auto")
    epsilon = _number(table, "steric_epsilon_kT", "numerics", default=1.0, minimum=0.1, maximum=100.0)
    threads = _number(table, "threads", "numerics", default=1, minimum=1, maximum=256, integer=True)
    device = _choice(table, "device", "numerics", DEVICES, "auto")
    method = _choice(table, "dipole_method", "numerics", DIPOLE_METHODS, DEFAULT_DIPOLE_METHOD)
    low, high = DIPOLE_ACCURACY_RANGE
    accuracy = _number(table, "dipole_accuracy", "numerics", default=DEFAULT_DIPOLE_ACCURACY, minimum=low, maximum=high)
    return NumericsSpec(
        timestep=timestep,
        dipole_cutoff=cutoff,
        output_interval=interval,
        seed=seed,
        engine=engine,
        steric_epsilon_kT=float(epsilon),
        threads=threads,
        device=device,
        dipole_method=method,
        dipole_accuracy=float(accuracy),
    )


def drying_duration(amount: AmountSpec, drying: DryingSpec, start: StartSpec | None = None) -> float:
    """Time (ns) the interface takes to descend from the initial film height (the ``start``'s if given) to the final
    one (0: no drying)."""
    height = amount.film_height if start is None else start.film_height
    if drying.front_speed <= 0 or height <= drying.final_height:
        return 0.0
    return (height - drying.final_height) / drying.front_speed


def run_duration(amount: AmountSpec, drying: DryingSpec, start: StartSpec | None = None) -> float:
    """Simulated time (ns) of a run: the drying (from the ``start`` if given), then the hold."""
    return drying_duration(amount, drying, start) + drying.hold


def _check_front_speed(table, cluster, solvent, amount, drying, numerics) -> None:
    """The front may move per timestep at most a free cluster's rms Brownian step √(2 Dt Δt): faster, and the
    clusters it meets cannot move away from it within a step, so the integrator no longer resolves the interface
    sweeping them (it runs over them instead)."""
    from .physics import translational_diffusion

    dt = translational_diffusion(kT_zJ(solvent.temperature), solvent.viscosity, cluster.hydrodynamic_diameter)
    step = math.sqrt(2 * dt * numerics.timestep)  # nm
    limit = step / numerics.timestep  # nm/ns
    if drying.front_speed <= limit:
        return
    why = (
        f"the front may move per timestep ({numerics.timestep:.3g} ns) at most a free cluster's rms Brownian step "
        f"√(2·Dt·Δt) = {step:.3g} nm, or the integrator no longer resolves it sweeping the clusters"
    )
    if "peclet" in table:
        peclet_limit = limit * amount.film_height / float(dt)
        raise InputError("drying.peclet", f"must be at most {peclet_limit:.4g} ({why}), got {table['peclet']!r}")
    raise InputError("drying.front_speed", f"must be at most {limit:.4g} nm/ns ({why}), got {table['front_speed']!r}")


# --- writing -----------------------------------------------------------------------------


def _q(value: float, unit: str) -> str:
    return f"{float(value)!r} {unit}"


def cluster_document(c: ClusterSpec) -> dict:
    """The resolved ``[cluster]`` table of ``c``: every value in internal units with its unit."""
    cluster = {
        "preset": c.preset,
        "dipole": _q(c.dipole, "e*nm"),
        "au_core_diameter": _q(c.au_core_diameter, "nm"),
        "au_shell": _q(c.au_shell, "nm"),
        "shell_modulus": _q(c.shell_modulus, "zJ/nm**3"),
        "hydrodynamic_diameter": _q(c.hydrodynamic_diameter, "nm"),
        "dipole_direction": list(c.dipole_direction),
        "dipole_offset": _q(c.dipole_offset, "nm"),
        "chirality": c.chirality,
    }
    if c.elemental_formula is not None:
        cluster["elemental_formula"] = c.elemental_formula
    if c.partner_core_diameter is not None:
        cluster["partner"] = c.partner
        cluster["partner_core_diameter"] = _q(c.partner_core_diameter, "nm")
        cluster["partner_shell"] = _q(c.partner_shell, "nm")
        cluster["core_separation"] = _q(c.core_separation, "nm")
    return cluster


def _resolved_document(spec: RunSpec) -> dict:
    c, a, s, d, n, h = spec.cluster, spec.amount, spec.solvent, spec.drying, spec.numerics, spec.hypotheses
    cluster = cluster_document(c)
    solvent = {
        "viscosity": _q(s.viscosity, "mPa*s"),
        "eps_r": s.eps_r,
        "temperature": _q(s.temperature, "K"),
    }
    if s.preset is not None:
        solvent = {"preset": s.preset, **solvent}
    document = {
        "name": spec.name,
        "cluster": cluster,
        "amount": {
            "clusters": a.clusters,
            "film_height": _q(a.film_height, "nm"),
            "box_length": _q(a.box_length, "nm"),
            "molar_concentration": _q(a.concentration_mM, "mM"),
            **({"given_concentration": a.given_concentration} if a.given_concentration is not None else {}),
        },
        "solvent": solvent,
        "drying": {
            "front_speed": _q(d.front_speed, "nm/ns"),
            "final_height": _q(d.final_height, "nm"),
            "eps_r_dry": d.eps_r_dry,
            "hold": _q(d.hold, "ns"),
            "interface_stiffness_kT_per_nm2": d.interface_stiffness_kT_per_nm2,
            "walls": d.walls,
        },
        "numerics": {
            "timestep": _q(n.timestep, "ns"),
            "dipole_cutoff": _q(n.dipole_cutoff, "nm"),
            "output_interval": _q(n.output_interval, "ns"),
            "seed": n.seed,
            "engine": n.engine,
            "steric_epsilon_kT": n.steric_epsilon_kT,
            "threads": n.threads,
            "device": n.device,
            "dipole_method": n.dipole_method,
            "dipole_accuracy": n.dipole_accuracy,
        },
        "hypotheses": {
            "ligand_attraction": _q(h.ligand_attraction, "zJ"),
            "ligand_attraction_range": _q(h.ligand_attraction_range, "nm"),
            "interface_adsorption": _q(h.interface_adsorption, "zJ"),
            "interface_adsorption_range": _q(h.interface_adsorption_range, "nm"),
        },
    }
    start = spec.start
    if start is not None:
        document["start"] = {"film_height": _q(start.film_height, "nm"), "permittivity": start.permittivity}
        if start.tiled:  # the clusters and box come from the frame: no [amount]
            del document["amount"]
            document["start"] = {
                "from_run": start.from_run,
                "frame": start.frame,
                "replicate": list(start.replicate),
                **document["start"],
                "source_digest": start.source_digest,
            }
    return document
