"""Misuse, case by case: every bad input is refused with one line naming its field, exit status 2, nothing written.

Each case runs ``dipolewire.cli.main`` in this process on files made in a fresh folder, and checks that
stderr is exactly one line ``dipolewire: error: <field>: ...``, that nothing (no traceback, no plan) reaches
stdout, and that the folder's tree is unchanged. No case may start a simulation: the engine entry points
are replaced by ones that fail the test. docs/input-checks.md lists the same checks; a test below keeps the
two in step.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import tomli_w
from conftest import DATA, STORED_TRAJECTORY, tiny_document, tiny_encounter

from dipolewire import engines
from dipolewire.cli import main

DOCS = Path(__file__).parents[1] / "docs" / "input-checks.md"
ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False
RUN_SECTIONS = ("cluster", "amount", "solvent", "drying", "numerics", "hypotheses", "start")


@dataclass
class Case:
    """A command line (run in a fresh folder holding ``files``) that must be refused naming ``field``.

    ``row`` is the first-column name of the docs row that lists the check (default: ``field``), ``table`` the
    docs table (default: from the command; a run-file field's row is in the run-file table).
    """

    id: str
    argv: list[str]
    field: str
    files: dict = field(default_factory=dict)
    row: str | None = None
    table: str | None = None
    marks: tuple = ()


def _drop_none(document):
    return {
        k: ({kk: vv for kk, vv in v.items() if vv is not None} if isinstance(v, dict) else v)
        for k, v in document.items()
    }


def run_toml(**changes) -> str:
    """The tiny test run file with ``changes`` (section → {key: value}; None removes a key)."""
    return tomli_w.dumps(_drop_none(tiny_document(**changes)))


def study_toml(sweep: dict, **changes) -> str:
    document = _drop_none(tiny_document(**{"drying": {"front_speed": "3 nm/ns"}, **changes}))
    document["name"] = "st"
    document["sweep"] = sweep
    return tomli_w.dumps(document)


STORED = "<stored run>"  # files value: a copy of the stored trajectory and its spec.toml
TEM_OK = "distance_nm\n2.0\n2.1\n2.3\n"


def R(id, field, *, extra=(), row=None, marks=(), **changes):
    """A run-file case: the tiny run file with ``changes``, run with ``dipolewire run``."""
    return Case(f"run-{id}", ["run", "bad.toml", *extra], field, {"bad.toml": run_toml(**changes)}, row, marks=marks)


def T(id, field, text, *, row=None, command="run"):
    """A run-file case from raw text or bytes."""
    return Case(f"{command}-{id}", [command, "bad.toml"], field, {"bad.toml": text}, row)


def S(id, field, sweep, *, row=None, extra=(), table=None, **changes):
    """A study-file case."""
    return Case(
        f"study-{id}", ["study", "st.toml", *extra], field, {"st.toml": study_toml(sweep, **changes)}, row, table
    )


def F(id, field, start, *, row=None, files=None, amount=False, **changes):
    """A run-file case starting from the stored run's frame (in the folder ``src``): the tiny run file without
    [amount] (unless ``amount``), its [start] ``start`` plus ``from_run = "src"``, and ``changes``."""
    document = _drop_none(tiny_document(start={"from_run": "src", **start}, **changes))
    if not amount:
        del document["amount"]
    files = {"bad.toml": tomli_w.dumps(document), "src": STORED, **(files or {})}
    return Case(f"run-from-{id}", ["run", "bad.toml"], field, files, row)


def O(id, argv, field, *, files=None, row=None, marks=()):  # noqa: E743 - O for option
    """A command-line option case."""
    return Case(f"{argv[0]}-{id}", list(argv), field, dict(files or {}), row, marks=marks)


def E(id, field, *, row=None, extra=(), **changes):
    """An encounter-file case: the tiny encounter file with ``changes`` (section → table, merged; ``species`` →
    the whole list)."""
    files = {"bad.toml": tomli_w.dumps(tiny_encounter(**changes))}
    return Case(f"encounter-{id}", ["encounter", "bad.toml", *extra], field, files, row, "encounter")


def ET(id, field, text, *, row=None):
    """An encounter-file case from raw text."""
    return Case(f"encounter-{id}", ["encounter", "bad.toml"], field, {"bad.toml": text}, row, "encounter")


def second_species(**changes) -> list:
    """The tiny encounter file's species with ``changes`` to the second (B); None removes a key."""
    first, second = tiny_encounter()["species"]
    return [first, {k: v for k, v in {**second, **changes}.items() if v is not None}]


GOOD_ENCOUNTER = tomli_w.dumps(tiny_encounter())


GOOD_RUN = {"good.toml": run_toml()}
STORED_RUN = {"run": STORED}
WITH_TEM = {"run": STORED, "tem.csv": TEM_OK}
NOT_ROOT = (pytest.mark.skipif(ROOT, reason="root writes through permission bits"),)
NO_HOOMD = (pytest.mark.skipif(engines.available().get("hoomd", False), reason="HOOMD-blue is installed here"),)
NO_SPHERE_FORMULA = {"cluster": {"preset": "dipolar-sphere", "chirality": "R"}}

CASES = [
    # --- the run file itself -------------------------------------------------------------------------------
    Case("run-file-missing", ["run", "missing.toml"], "run file"),
    Case("run-file-is-a-folder", ["run", "folder"], "run file", {"folder/keep.txt": "x"}),
    T("file-not-toml", "run file", "[cluster\npreset = 1\n"),
    T("file-latin1-degree", "run file", b'name = "x"\n[solvent]\ntemperature = "25 \xb0C"\n'),
    T("file-binary", "run file", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    T("file-nul-byte", "run file", 'name = "x"\n\0\n'),
    T("file-utf16", "run file", 'name = "x"\n'.encode("utf-16")),
    # --- keys, sections, names ---------------------------------------------------------------------------
    R("unknown-key", "cluster.colour", row="any key", cluster={"colour": "red"}),
    R("misspelled-key", "drying.pecklet", row="any key", drying={"pecklet": 2.0}),
    T("unknown-top-level-key", "colour", 'colour = "red"\n' + run_toml(), row="any key"),
    *[T(f"section-{s}-not-a-table", s, f"{s} = 3\n") for s in RUN_SECTIONS],
    T("name-with-slash", "name", run_toml().replace('name = "tiny"', 'name = "a/b"')),
    T("name-hidden", "name", run_toml().replace('name = "tiny"', 'name = ".x"')),
    T("name-a-number", "name", run_toml().replace('name = "tiny"', "name = 5")),
    # --- any quantity: units ------------------------------------------------------------------------------
    R("dipole-no-unit", "cluster.dipole", row="any quantity", cluster={"dipole": 43.42}),
    R("dipole-wrong-dimension", "cluster.dipole", row="any quantity", cluster={"dipole": "3 nm"}),
    R("dipole-unknown-unit", "cluster.dipole", row="any quantity", cluster={"dipole": "3 Dbye"}),
    R("dipole-a-list", "cluster.dipole", row="any quantity", cluster={"dipole": [43.42]}),
    R("dipole-unreadable", "cluster.dipole", row="any quantity", cluster={"dipole": "D 43"}),
    R("hold-no-unit", "drying.hold", row="any quantity", drying={"hold": 5}),
    R("viscosity-wrong-dimension", "solvent.viscosity", row="any quantity", solvent={"viscosity": "1 Pa"}),
    R("attraction-no-unit", "hypotheses.ligand_attraction", row="any quantity", hypotheses={"ligand_attraction": 10}),
    R("speed-wrong-dimension", "drying.front_speed", row="any quantity", drying={"front_speed": "1 nm"}),
    R("temperature-no-unit", "solvent.temperature", row="any quantity", solvent={"temperature": 298}),
    R("concentration-no-unit", "amount.concentration", row="any quantity", amount={"concentration": 20}),
    R("modulus-wrong-dimension", "cluster.shell_modulus", row="any quantity", cluster={"shell_modulus": "1 nm"}),
    # --- any number: nan and inf -----------------------------------------------------------------------
    R("eps-r-dry-nan", "drying.eps_r_dry", row="any number", drying={"eps_r_dry": float("nan")}),
    R("eps-r-dry-inf", "drying.eps_r_dry", row="any number", drying={"eps_r_dry": float("inf")}),
    R("peclet-inf", "drying.peclet", row="any number", drying={"front_speed": None, "peclet": float("inf")}),
    R("peclet-nan", "drying.peclet", row="any number", drying={"front_speed": None, "peclet": float("nan")}),
    R("eps-r-minus-inf", "solvent.eps_r", row="any number", solvent={"eps_r": float("-inf")}),
    R(
        "direction-nan",
        "cluster.dipole_direction",
        row="any number",
        cluster={"dipole_direction": [float("nan"), 0, 1]},
    ),
    R(
        "direction-inf",
        "cluster.dipole_direction",
        row="any number",
        cluster={"dipole_direction": [0, float("inf"), 1]},
    ),
    R("dipole-raw-nan", "cluster.dipole", row="any number", cluster={"dipole": float("nan")}),
    R("dipole-nan-string", "cluster.dipole", row="any number", cluster={"dipole": "nan D"}),
    R("dipole-beyond-a-float", "cluster.dipole", row="any number", cluster={"dipole": "1e999 D"}),
    R("length-overflows", "amount.box_length", row="any number", amount={"box_length": "1e308 km"}),
    R(
        "stiffness-nan",
        "drying.interface_stiffness_kT_per_nm2",
        row="any number",
        drying={"interface_stiffness_kT_per_nm2": float("nan")},
    ),
    R("accuracy-inf", "numerics.dipole_accuracy", row="any number", numerics={"dipole_accuracy": float("inf")}),
    R("steric-nan", "numerics.steric_epsilon_kT", row="any number", numerics={"steric_epsilon_kT": float("nan")}),
    R(
        "attraction-nan",
        "hypotheses.ligand_attraction",
        row="any number",
        hypotheses={"ligand_attraction": float("nan")},
    ),
    R("unknown-key-nan", "cluster.spin", row="any number", cluster={"spin": float("nan")}),
    R("record-nan", "amount.molar_concentration", row="any number", amount={"molar_concentration": float("nan")}),
    # --- cluster -------------------------------------------------------------------------------------------
    R("preset-unknown", "cluster.preset", cluster={"preset": "Au9"}),
    R("preset-not-text", "cluster.preset", cluster={"preset": 5}),
    R("solvent-preset-unknown", "solvent.preset", solvent={"preset": "acetone"}),
    R("dipole-negative", "cluster.dipole", cluster={"dipole": "-3 D"}),
    R("dipole-huge", "cluster.dipole", cluster={"dipole": "1e6 D"}),
    R("dipole-beyond-5e", "cluster.dipole", cluster={"dipole": "600 D"}),
    R("au-core-zero", "cluster.au_core_diameter", cluster={"au_core_diameter": "0 nm"}),
    R("partner-core-negative", "cluster.partner_core_diameter", cluster={"partner_core_diameter": "-0.6 nm"}),
    R("hydrodynamic-negative", "cluster.hydrodynamic_diameter", cluster={"hydrodynamic_diameter": "-1 nm"}),
    R("modulus-zero", "cluster.shell_modulus", cluster={"shell_modulus": "0 GPa"}),
    R("au-shell-negative", "cluster.au_shell", cluster={"au_shell": "-1 nm"}),
    R("partner-shell-negative", "cluster.partner_shell", cluster={"partner_shell": "-0.1 nm"}),
    R("separation-too-far", "cluster.core_separation", cluster={"core_separation": "2 nm"}),
    R("separation-zero", "cluster.core_separation", cluster={"core_separation": "0 nm"}),
    R("old-key-au-diameter", "cluster.au_diameter", cluster={"au_diameter": "1 nm"}),
    R("old-key-partner-diameter", "cluster.partner_diameter", cluster={"partner_diameter": "1 nm"}),
    R("direction-zero", "cluster.dipole_direction", cluster={"dipole_direction": [0, 0, 0]}),
    R("direction-two-numbers", "cluster.dipole_direction", cluster={"dipole_direction": [1, 2]}),
    R("direction-text", "cluster.dipole_direction", cluster={"dipole_direction": "z"}),
    R("direction-booleans", "cluster.dipole_direction", cluster={"dipole_direction": [True, False, True]}),
    R("offset-outside", "cluster.dipole_offset", cluster={"dipole_offset": "3 nm"}),
    R(
        "offset-on-a-sphere",
        "cluster.dipole_offset",
        cluster={"preset": "dipolar-sphere", "dipole_offset": "0.1 nm", "chirality": "R"},
        amount={"concentration": "20 mM", "box_length": "16 nm"},
    ),
    R("partner-au", "cluster.partner", cluster={"partner": "Au"}),
    R("partner-colon", "cluster.partner", cluster={"partner": "Cu:1"}),
    R("chirality-d", "cluster.chirality", cluster={"chirality": "D"}),
    R("formula-not-text", "cluster.elemental_formula", cluster={"elemental_formula": 5}),
    R("formula-unknown-element", "cluster.elemental_formula", cluster={"elemental_formula": "Xx2Au8"}),
    R("formula-unbalanced", "cluster.elemental_formula", cluster={"elemental_formula": "Au8(C4N2S2"}),
    R("formula-no-atoms", "cluster.elemental_formula", cluster={"elemental_formula": "()"}),
    # --- amount -------------------------------------------------------------------------------------------
    R("clusters-zero", "amount.clusters", amount={"clusters": 0}),
    R("clusters-fraction", "amount.clusters", amount={"clusters": 2.5}),
    R("clusters-text", "amount.clusters", amount={"clusters": "40"}),
    R("amount-one-of-three", "amount", amount={"concentration": None}),
    R("amount-three-of-three", "amount", amount={"film_height": "20 nm"}),
    R("concentration-negative", "amount.concentration", amount={"concentration": "-1 mM"}),
    R(
        "concentration-mass-no-formula",
        "amount.concentration",
        amount={"concentration": "0.5 mg/mL"},
        **NO_SPHERE_FORMULA,
    ),
    R("concentration-wrong-dimension", "amount.concentration", row="any quantity", amount={"concentration": "5 kg"}),
    R("given-concentration-number", "amount.given_concentration", amount={"given_concentration": 5}),
    R("molar-concentration-disagrees", "amount.molar_concentration", amount={"molar_concentration": "3 mM"}),
    R("film-height-thin", "amount.film_height", amount={"concentration": None, "film_height": "3 nm"}),
    R("box-length-small", "amount.box_length", amount={"box_length": "2 nm"}),
    R(
        "no-room-to-place",
        "amount",
        amount={"clusters": 120, "concentration": None, "film_height": "5 nm"},
        drying={"front_speed": "0 nm/ns", "hold": "1 ns", "final_height": "3 nm"},
    ),
    # --- solvent ------------------------------------------------------------------------------------------
    R("viscosity-zero", "solvent.viscosity", solvent={"viscosity": "0 mPa*s"}),
    R("eps-r-below-1", "solvent.eps_r", solvent={"eps_r": 0.5}),
    R("eps-r-text", "solvent.eps_r", solvent={"eps_r": "8.9"}),
    R("temperature-negative", "solvent.temperature", solvent={"temperature": "-300 °C"}),
    R("temperature-1e6-K", "solvent.temperature", solvent={"temperature": "1e6 K"}),
    R("temperature-boiling-ch2cl2", "solvent.temperature", solvent={"temperature": "50 °C"}),
    R("temperature-frozen-ch2cl2", "solvent.temperature", solvent={"temperature": "-100 °C"}),
    R("temperature-frozen-dmso", "solvent.temperature", solvent={"preset": "DMSO", "temperature": "10 °C"}),
    R("temperature-boiling-water", "solvent.temperature", solvent={"preset": "water", "temperature": "101 °C"}),
    R(
        "temperature-own-solvent-hot",
        "solvent.temperature",
        solvent={"preset": None, "viscosity": "0.4 mPa*s", "eps_r": 5.0, "temperature": "600 K"},
    ),
    R(
        "temperature-own-solvent-cold",
        "solvent.temperature",
        solvent={"preset": None, "viscosity": "0.4 mPa*s", "eps_r": 5.0, "temperature": "100 K"},
    ),
    # --- drying -------------------------------------------------------------------------------------------
    R("drying-neither", "drying", drying={"front_speed": None}),
    R("drying-both", "drying", drying={"peclet": 2.0}),
    R("front-speed-negative", "drying.front_speed", drying={"front_speed": "-1 nm/ns"}),
    R("front-speed-huge", "drying.front_speed", drying={"front_speed": "1e6 nm/ns"}),
    R("front-speed-10-m-per-s", "drying.front_speed", drying={"front_speed": "100 m/s"}),
    R("peclet-zero", "drying.peclet", drying={"front_speed": None, "peclet": 0}),
    R("peclet-1e9", "drying.peclet", drying={"front_speed": None, "peclet": 1e9}),
    R("peclet-text", "drying.peclet", drying={"front_speed": None, "peclet": "3"}),
    R("final-height-thin", "drying.final_height", drying={"final_height": "1 nm"}),
    R("final-height-above-film", "drying.final_height", drying={"final_height": "50 nm"}),
    R("final-height-packed", "drying.final_height", amount={"clusters": 400}),
    R("eps-r-dry-below-1", "drying.eps_r_dry", drying={"eps_r_dry": 0.9}),
    R("hold-negative", "drying.hold", drying={"hold": "-1 ns"}),
    R("hold-zero-without-drying", "drying.hold", drying={"front_speed": "0 nm/ns", "hold": "0 ns"}),
    R("hold-30-s", "drying.hold", drying={"hold": "30 s"}),
    R(
        "hold-a-tenth-of-a-second",
        "drying.hold",
        drying={"front_speed": "0 nm/ns", "hold": "0.1 s"},
        numerics={"output_interval": "1 us"},
    ),
    R("drying-for-ever", "drying", drying={"front_speed": None, "peclet": 1e-9, "hold": "0 ns"}),
    R("walls-text", "drying.walls", drying={"walls": "yes"}),
    R("walls-false-while-drying", "drying.walls", drying={"walls": False}),
    R("stiffness-low", "drying.interface_stiffness_kT_per_nm2", drying={"interface_stiffness_kT_per_nm2": 0.5}),
    R("stiffness-high", "drying.interface_stiffness_kT_per_nm2", drying={"interface_stiffness_kT_per_nm2": 1e5}),
    # --- numerics -----------------------------------------------------------------------------------------
    R("timestep-too-long", "numerics.timestep", numerics={"timestep": "1 ns"}),
    R("timestep-zero", "numerics.timestep", numerics={"timestep": "0 ns"}),
    R("timestep-no-unit", "numerics.timestep", row="any quantity", numerics={"timestep": 1e-4}),
    R("cutoff-inside-contact", "numerics.dipole_cutoff", numerics={"dipole_cutoff": "1 nm"}),
    R("cutoff-beyond-half-box", "numerics.dipole_cutoff", numerics={"dipole_cutoff": "9 nm"}),
    R(
        "cutoff-beyond-half-height",
        "numerics.dipole_cutoff",
        amount={"concentration": None, "film_height": "8 nm"},
        drying={"front_speed": "0 nm/ns", "walls": False, "final_height": "4 nm"},
        numerics={"dipole_cutoff": "5 nm"},
    ),
    R("method-unknown", "numerics.dipole_method", numerics={"dipole_method": "p3m"}),
    R("accuracy-too-loose", "numerics.dipole_accuracy", numerics={"dipole_accuracy": 0.5}),
    R("accuracy-text", "numerics.dipole_accuracy", numerics={"dipole_accuracy": "1e-4"}),
    R("interval-below-timestep", "numerics.output_interval", numerics={"output_interval": "1e-6 ns"}),
    R("interval-beyond-run", "numerics.output_interval", numerics={"output_interval": "200 ns"}),
    R("seed-zero", "numerics.seed", numerics={"seed": 0}),
    R("seed-too-large", "numerics.seed", numerics={"seed": 2**31}),
    R("seed-fraction", "numerics.seed", numerics={"seed": 1.5}),
    R("engine-unknown", "numerics.engine", numerics={"engine": "gromacs"}),
    R("engine-not-installed", "engine", row="numerics.engine", numerics={"engine": "hoomd"}, marks=NO_HOOMD),
    R("device-unknown", "numerics.device", numerics={"device": "tpu"}),
    R("threads-zero", "numerics.threads", numerics={"threads": 0}),
    R("threads-many", "numerics.threads", numerics={"threads": 257}),
    R("steric-low", "numerics.steric_epsilon_kT", numerics={"steric_epsilon_kT": 0.01}),
    # --- hypotheses ---------------------------------------------------------------------------------------
    R("attraction-negative", "hypotheses.ligand_attraction", hypotheses={"ligand_attraction": "-2 kT"}),
    R("attraction-deep", "hypotheses.ligand_attraction", hypotheses={"ligand_attraction": "80 kT"}),
    R("adsorption-a-length", "hypotheses.interface_adsorption", hypotheses={"interface_adsorption": "5 nm"}),
    R("adsorption-deep", "hypotheses.interface_adsorption", hypotheses={"interface_adsorption": "60 kT"}),
    R("attraction-range-long", "hypotheses.ligand_attraction_range", hypotheses={"ligand_attraction_range": "3 nm"}),
    R("attraction-range-zero", "hypotheses.ligand_attraction_range", hypotheses={"ligand_attraction_range": "0 nm"}),
    R(
        "adsorption-range-an-energy",
        "hypotheses.interface_adsorption_range",
        hypotheses={"interface_adsorption_range": "0.5 kT"},
    ),
    R(
        "adsorption-range-long",
        "hypotheses.interface_adsorption_range",
        hypotheses={"interface_adsorption_range": "5 nm"},
    ),
    R(
        "adsorption-without-interface",
        "hypotheses.interface_adsorption",
        amount={"concentration": None, "film_height": "16 nm"},
        drying={"front_speed": "0 nm/ns", "walls": False, "final_height": "4 nm"},
        hypotheses={"interface_adsorption": "5 kT"},
    ),
    R(
        "adsorption-with-offset-dipole",
        "hypotheses.interface_adsorption",
        cluster={"dipole_offset": "0.2 nm"},
        hypotheses={"interface_adsorption": "5 kT"},
    ),
    # --- start: a film already thin -------------------------------------------------------------------------
    R("start-empty", "start", start={}),
    R("start-only-permittivity", "start", start={"permittivity": 2.0}),
    R("start-height-no-unit", "start.film_height", row="any quantity", start={"film_height": 2.11}),
    R("start-height-below-final", "start.film_height", start={"film_height": "2 nm"}),
    R("start-height-above-film", "start.film_height", start={"film_height": "20 nm"}),
    R(
        "start-height-in-a-periodic-box",
        "start.film_height",
        amount={"concentration": None, "film_height": "16 nm"},
        drying={"front_speed": "0 nm/ns", "walls": False, "final_height": "4 nm"},
        start={"film_height": "8 nm"},
    ),
    R(
        "start-monolayer-full",
        "start.film_height",
        amount={"clusters": 60},
        start={"film_height": "2.11 nm"},
    ),
    R("start-permittivity-below-1", "start.permittivity", start={"film_height": "5 nm", "permittivity": 0.5}),
    R("start-permittivity-text", "start.permittivity", start={"film_height": "5 nm", "permittivity": "2"}),
    R(
        "start-permittivity-nan",
        "start.permittivity",
        row="any number",
        start={"film_height": "5 nm", "permittivity": float("nan")},
    ),
    R(
        "start-permittivity-at-final-height",
        "start.permittivity",
        start={"film_height": "2.11 nm", "permittivity": 2.6},
    ),
    R("start-frame-without-from-run", "start.frame", start={"film_height": "5 nm", "frame": 3}),
    R("start-replicate-without-from-run", "start.replicate", start={"film_height": "5 nm", "replicate": [2, 2]}),
    R("start-digest-without-from-run", "start.source_digest", start={"film_height": "5 nm", "source_digest": "ab"}),
    R("start-hold-zero-at-final-height", "drying.hold", start={"film_height": "2.11 nm"}, drying={"hold": "0 ns"}),
    # --- start: another run's frame, tiled --------------------------------------------------------------------
    F("not-text", "start.from_run", {"from_run": 5}),
    F("missing", "start.from_run", {"from_run": "nowhere"}),
    F("folder-without-trajectory", "start.from_run", {"from_run": "empty"}, files={"empty/keep.txt": "x"}),
    F(
        "trajectory-without-spec",
        "start.from_run",
        {"from_run": "bare/trajectory.gsd"},
        files={"bare/trajectory.gsd": STORED_TRAJECTORY.read_bytes()},
    ),
    F("not-a-trajectory", "start.from_run", {"from_run": "src/spec.toml"}),
    F(
        "types-not-its-specs",
        "start.from_run",
        {"from_run": "odd"},
        files={
            "odd/trajectory.gsd": STORED_TRAJECTORY.read_bytes(),
            "odd/spec.toml": (DATA / "tiny-drying.toml").read_text().replace('"R-Au-Cu"', '"R-1"'),
        },
    ),
    F("frame-outside", "start.frame", {"frame": 13}),
    F("frame-text", "start.frame", {"frame": "last"}),
    F("replicate-zero", "start.replicate", {"replicate": [0, 2]}),
    F("replicate-one-number", "start.replicate", {"replicate": 2}),
    F("replicate-huge", "start.replicate", {"replicate": [2000, 1]}),
    F("digest-differs", "start.source_digest", {"source_digest": "0" * 64}),
    F("digest-a-number", "start.source_digest", {"source_digest": 5}),
    F("height-not-the-frames", "start.film_height", {"film_height": "3 nm"}),
    F("permittivity-not-the-frames", "start.permittivity", {"permittivity": 2.0}),
    F("beside-amount", "amount", {}, amount=True),
    F("other-dipole", "cluster.dipole", {}, row="cluster.*", cluster={"dipole": "40 D"}),
    F("other-chirality", "cluster.chirality", {}, row="cluster.*", cluster={"chirality": "R"}),
    F("walls-differ", "drying.walls", {}, drying={"walls": False, "front_speed": "0 nm/ns"}),
    F("final-height-above-frame", "drying.final_height", {}, drying={"final_height": "3 nm"}),
    F(
        "cutoff-beyond-half-the-narrow-side",
        "numerics.dipole_cutoff",
        {"replicate": [2, 1]},
        numerics={"dipole_cutoff": "9 nm"},
    ),
    # --- dipolewire run's options -------------------------------------------------------------------------
    O("option-seed-zero", ["run", "good.toml", "--seed", "0"], "--seed", files=GOOD_RUN),
    O("option-seed-too-large", ["run", "good.toml", "--seed", str(2**31)], "--seed", files=GOOD_RUN),
    O("option-seed-not-a-number", ["run", "good.toml", "--seed", "one"], "--seed", files=GOOD_RUN),
    O("option-threads-zero", ["run", "good.toml", "--threads", "0"], "--threads", files=GOOD_RUN),
    O("option-threads-many", ["run", "good.toml", "--threads", "300"], "--threads", files=GOOD_RUN),
    O("option-engine-unknown", ["run", "good.toml", "--engine", "gromacs"], "--engine", files=GOOD_RUN),
    O("option-device-unknown", ["run", "good.toml", "--device", "tpu"], "--device", files=GOOD_RUN),
    O("option-replicas-zero", ["run", "good.toml", "--replicas", "0"], "--replicas", files=GOOD_RUN),
    O("option-replicas-many", ["run", "good.toml", "--replicas", "1000"], "--replicas", files=GOOD_RUN),
    O("option-replicas-with-seed", ["run", "good.toml", "--replicas", "2", "--seed", "3"], "--seed", files=GOOD_RUN),
    O("option-resume-with-overwrite", ["run", "good.toml", "--resume", "--overwrite"], "--resume", files=GOOD_RUN),
    O("option-out-through-a-file", ["run", "good.toml", "--out", "good.toml/run"], "--out", files=GOOD_RUN),
    O("option-out-is-a-file", ["run", "good.toml", "--out", "good.toml"], "--out", files=GOOD_RUN),
    O("option-out-in-proc", ["run", "good.toml", "--out", "/proc/dipolewire-x"], "--out", files=GOOD_RUN),
    O("option-out-in-sys", ["run", "good.toml", "--out", "/sys/dipolewire-y/run"], "--out", files=GOOD_RUN),
    O(
        "option-out-dangling-link",
        ["run", "good.toml", "--out", "gone"],
        "--out",
        files={**GOOD_RUN, "gone": "-> nowhere"},
    ),
    O(
        "option-out-through-dangling-link",
        ["run", "good.toml", "--out", "gone/run"],
        "--out",
        files={**GOOD_RUN, "gone": "-> nowhere"},
    ),
    O("option-out-holds-a-trajectory", ["run", "good.toml", "--out", "run"], "--out", files={**GOOD_RUN, **STORED_RUN}),
    O(
        "option-out-read-only",
        ["run", "good.toml", "--out", "locked/run"],
        "--out",
        files={**GOOD_RUN, "locked/": 0o500},
        marks=NOT_ROOT,
    ),
    O("no-run-file", ["run"], "file", row="any option"),
    O("option-unknown-option", ["run", "good.toml", "--speed", "3"], "--speed", files=GOOD_RUN, row="any option"),
    # --- dipolewire predict -------------------------------------------------------------------------------
    O("eps-r-below-1", ["predict", "good.toml", "--eps-r", "0.5"], "--eps-r", files=GOOD_RUN),
    O("eps-r-nan", ["predict", "good.toml", "--eps-r", "nan"], "--eps-r", files=GOOD_RUN),
    O("length-below-1", ["predict", "good.toml", "--length", "0.5"], "--length", files=GOOD_RUN),
    O("length-inf", ["predict", "good.toml", "--length", "inf"], "--length", files=GOOD_RUN),
    O("dimensions-4", ["predict", "good.toml", "--dimensions", "4"], "--dimensions", files=GOOD_RUN),
    T("file-latin1", "run file", b'[solvent]\ntemperature = "25 \xb0C"\n', command="predict"),
    # --- dipolewire study ---------------------------------------------------------------------------------
    Case("study-file-missing", ["study", "missing.toml"], "study file"),
    Case("study-file-latin1", ["study", "st.toml"], "study file", {"st.toml": b'name = "st"\n# 25 \xb0C\n'}),
    Case("study-file-not-toml", ["study", "st.toml"], "study file", {"st.toml": "[sweep\n"}),
    Case("study-no-sweep", ["study", "st.toml"], "sweep", {"st.toml": run_toml()}),
    S("sweep-empty-list", "sweep.drying.eps_r_dry", {"drying.eps_r_dry": []}, row="sweep.FIELD"),
    S("sweep-not-a-list", "sweep.drying.eps_r_dry", {"drying.eps_r_dry": 2.0}, row="sweep.FIELD"),
    S("sweep-no-section", "sweep.eps_r_dry", {"eps_r_dry": [1.5]}, row="sweep.FIELD"),
    S("sweep-twice", "sweep.drying.eps_r_dry", {"drying.eps_r_dry": [1.5, 1.5]}, row="sweep.FIELD"),
    S("sweep-nan", "sweep.drying.eps_r_dry", {"drying.eps_r_dry": [2.0, float("nan")]}, row="sweep.FIELD"),
    S(
        "sweep-inf",
        "sweep.drying.peclet",
        {"drying.peclet": [float("inf")]},
        row="sweep.FIELD",
        drying={"front_speed": None},
    ),
    S("sweep-seed", "sweep.numerics.seed", {"numerics.seed": [1, 2]}),
    S("sweep-mode", "sweep.mode", {"drying.eps_r_dry": [1.5], "mode": "spiral"}),
    S("sweep-replicas-zero", "sweep.replicas", {"drying.eps_r_dry": [1.5], "replicas": 0}),
    S("sweep-replicas-inf", "sweep.replicas", {"drying.eps_r_dry": [1.5], "replicas": float("inf")}),
    S("sweep-axes", "sweep.axes", {"drying.eps_r_dry": [1.5], "axes": ["solvent.eps_r"]}),
    S("sweep-nothing", "sweep", {"replicas": 2}),
    S("sweep-zip-lengths", "sweep", {"drying.eps_r_dry": [1.5, 2], "solvent.eps_r": [3], "mode": "zip"}),
    S("sweep-too-many-runs", "sweep", {"drying.eps_r_dry": [1 + k / 1000 for k in range(200)], "replicas": 100}),
    S("sweep-value-out-of-range", "drying.eps_r_dry", {"drying.eps_r_dry": [1.5, 0.5]}),
    S("sweep-value-no-unit", "drying.hold", {"drying.hold": [5]}, row="any quantity"),
    S("sweep-unknown-field", "drying.colour", {"drying.colour": [1, 2]}, row="any key"),
    S("sweep-temperature-boils", "solvent.temperature", {"solvent.temperature": ["20 °C", "45 °C"]}),
    S("sweep-hold-30-s", "drying.hold", {"drying.hold": ["1 ns", "30 s"]}),
    S("base-nan", "solvent.eps_r", {"drying.eps_r_dry": [1.5]}, row="any number", solvent={"eps_r": float("nan")}),
    Case(
        "study-folder-is-a-file",
        ["study", "st.toml"],
        "study folder",
        {"st.toml": study_toml({"drying.eps_r_dry": [1.5]}), "st": "a file where the study's folder goes"},
    ),
    S("workers-zero", "--workers", {"drying.eps_r_dry": [1.5]}, extra=("--workers", "0")),
    S("workers-many", "--workers", {"drying.eps_r_dry": [1.5]}, extra=("--workers", "10000")),
    S("status-before-running", "--status", {"drying.eps_r_dry": [1.5]}, extra=("--status",)),
    # --- dipolewire energy --------------------------------------------------------------------------------
    O("mu-negative", ["energy", "--mu", "-3 D"], "--mu"),
    O("mu-a-length", ["energy", "--mu", "3 nm"], "--mu"),
    O("mu-no-unit", ["energy", "--mu", "43.42"], "--mu"),
    O("r-a-mass", ["energy", "--r", "1.8 kg"], "--r"),
    O("r-no-unit", ["energy", "--r", "1.8"], "--r"),
    O("r-negative", ["energy", "--r", "-1 nm"], "--r"),
    O("r-beyond-a-float", ["energy", "--r", "1e999 nm"], "--r"),
    O("eps-r-below-1", ["energy", "--eps-r", "0.5"], "--eps-r"),
    O("eps-r-nan", ["energy", "--eps-r", "nan"], "--eps-r"),
    O("eps-r-inf", ["energy", "--eps-r", "inf"], "--eps-r"),
    O("eps-r-text", ["energy", "--eps-r", "vacuum"], "--eps-r"),
    O("temperature-negative", ["energy", "--temperature", "-5 K"], "--temperature"),
    O("temperature-no-unit", ["energy", "--temperature", "300"], "--temperature"),
    O("sigma-no-unit", ["energy", "--paper", "--sigma", "1.8"], "--sigma"),
    O("sigma-zero", ["energy", "--paper", "--sigma", "0 nm"], "--sigma"),
    O("debye-length-no-unit", ["energy", "--debye-length", "2"], "--debye-length"),
    O("debye-length-negative", ["energy", "--debye-length", "-2 nm"], "--debye-length"),
    O("angles-impossible", ["energy", "--angles", "0", "0", "90"], "--angles"),
    O("angles-nan", ["energy", "--angles", "nan", "0", "0"], "--angles"),
    O("angles-outside", ["energy", "--angles", "0", "200", "0"], "--angles"),
    O("geometry-unknown", ["energy", "--geometry", "sideways"], "--geometry", row="any option"),
    O("range-backwards", ["energy", "--range", "3 nm", "1 nm"], "--range"),
    O("points-one", ["energy", "--range", "1 nm", "3 nm", "--points", "1"], "--points"),
    O("points-a-billion", ["energy", "--range", "1 nm", "3 nm", "--points", "1000000000"], "--points"),
    O("energy-zero", ["energy", "--energy", "0 kT"], "--energy"),
    O("energy-repulsive", ["energy", "--energy", "5 zJ", "--geometry", "head-to-head"], "--energy"),
    O("csv-missing-folder", ["energy", "--csv", "nodir/x.csv"], "--csv"),
    O("csv-is-a-folder", ["energy", "--csv", "folder"], "--csv", files={"folder/keep.txt": "x"}),
    O("csv-in-proc", ["energy", "--csv", "/proc/x.csv"], "--csv"),
    O("csv-through-a-file", ["energy", "--csv", "f.txt/x.csv"], "--csv", files={"f.txt": "x"}),
    O("plot-missing-folder", ["energy", "--range", "1 nm", "3 nm", "--plot", "nodir/e.png"], "--plot"),
    O("plot-not-an-image", ["energy", "--range", "1 nm", "3 nm", "--plot", "e.txt"], "--plot"),
    O("plot-one-point", ["energy", "--r", "2 nm", "--plot", "e.png"], "--plot"),
    O(
        "plot-dangling-link",
        ["energy", "--range", "1 nm", "3 nm", "--plot", "gone/e.png"],
        "--plot",
        files={"gone": "-> nowhere"},
    ),
    # --- dipolewire analyze, compare, movie ---------------------------------------------------------------
    O("run-missing", ["analyze", "nothing"], "RUN"),
    O("frames-unreadable", ["analyze", "run", "--frames", "a:b"], "--frames", files=STORED_RUN),
    O("frames-none-selected", ["analyze", "run", "--frames", "100:200"], "--frames", files=STORED_RUN),
    O("r-max-zero", ["analyze", "run", "--r-max", "0"], "--r-max", files=STORED_RUN),
    O("r-max-far", ["analyze", "run", "--r-max", "25"], "--r-max", files=STORED_RUN),
    O("r-max-nan", ["analyze", "run", "--r-max", "nan"], "--r-max", files=STORED_RUN),
    O("max-angle-90", ["analyze", "run", "--max-angle", "90"], "--max-angle", files=STORED_RUN),
    O("max-angle-inf", ["analyze", "run", "--max-angle", "inf"], "--max-angle", files=STORED_RUN),
    O("out-through-a-file", ["analyze", "run", "--out", "run/trajectory.gsd/a"], "--out", files=STORED_RUN),
    O("out-in-proc", ["analyze", "run", "--out", "/proc/analysis"], "--out", files=STORED_RUN),
    O("out-dangling-link", ["analyze", "run", "--out", "gone"], "--out", files={**STORED_RUN, "gone": "-> nowhere"}),
    O("dimensions-4", ["analyze", "run", "--dimensions", "4"], "--dimensions", files=STORED_RUN),
    O("tem-missing-option", ["compare", "run"], "--tem", files=STORED_RUN),
    O("tem-file-missing", ["compare", "run", "--tem", "none.csv"], "--tem", files=STORED_RUN),
    O("tem-file-empty", ["compare", "run", "--tem", "tem.csv"], "--tem", files={**STORED_RUN, "tem.csv": ""}),
    O(
        "tem-negative-distance",
        ["compare", "run", "--tem", "tem.csv"],
        "--tem",
        files={**STORED_RUN, "tem.csv": "distance_nm\n2.0\n-1.0\n"},
    ),
    O(
        "tem-no-distance-column",
        ["compare", "run", "--tem", "tem.csv"],
        "--tem",
        files={**STORED_RUN, "tem.csv": "area\n2.0\n"},
    ),
    O(
        "unit-a-mass",
        ["compare", "run", "--tem", "tem.csv", "--unit", "kg"],
        "--unit",
        files={**STORED_RUN, "tem.csv": "Length\n2.0\n"},
    ),
    O("column-unknown", ["compare", "run", "--tem", "tem.csv", "--column", "Width"], "--column", files=WITH_TEM),
    O("frame-outside", ["compare", "run", "--tem", "tem.csv", "--frame", "99"], "--frame", files=WITH_TEM),
    O("out-in-proc", ["compare", "run", "--tem", "tem.csv", "--out", "/proc/cmp"], "--out", files=WITH_TEM),
    O("out-through-a-file", ["compare", "run", "--tem", "tem.csv", "--out", "tem.csv/cmp"], "--out", files=WITH_TEM),
    O("fps-zero", ["movie", "run", "--fps", "0"], "--fps", files=STORED_RUN),
    O("fps-61", ["movie", "run", "--fps", "61"], "--fps", files=STORED_RUN),
    O("out-avi", ["movie", "run", "--out", "clip.avi"], "--out", files=STORED_RUN),
    O("out-mp4-but-gif", ["movie", "run", "--out", "clip.mp4", "--format", "gif"], "--out", files=STORED_RUN),
    O("out-in-proc", ["movie", "run", "--out", "/proc/clip.mp4"], "--out", files=STORED_RUN),
    O("out-through-a-file", ["movie", "run", "--out", "run/spec.toml/clip.mp4"], "--out", files=STORED_RUN),
    O("format-avi", ["movie", "run", "--format", "avi"], "--format", files=STORED_RUN, row="any option"),
    # --- dipolewire micrograph ----------------------------------------------------------------------------
    O("run-missing", ["micrograph", "nothing"], "RUN"),
    O("frame-outside", ["micrograph", "run", "--frame", "99"], "--frame", files=STORED_RUN),
    O("r-max-zero", ["micrograph", "run", "--r-max", "0"], "--r-max", files=STORED_RUN),
    O("max-angle-zero", ["micrograph", "run", "--max-angle", "0"], "--max-angle", files=STORED_RUN),
    O("resolution-no-unit", ["micrograph", "run", "--resolution", "0.3"], "--resolution", files=STORED_RUN),
    O("resolution-wide", ["micrograph", "run", "--resolution", "6 nm"], "--resolution", files=STORED_RUN),
    O("resolution-a-mass", ["micrograph", "run", "--resolution", "0.3 kg"], "--resolution", files=STORED_RUN),
    O("pixel-coarse", ["micrograph", "run", "--pixel", "1 nm"], "--pixel", files=STORED_RUN),
    O("pixel-no-unit", ["micrograph", "run", "--pixel", "0.05"], "--pixel", files=STORED_RUN),
    O("pixel-too-many", ["micrograph", "run", "--pixel", "0.001 nm"], "--pixel", files=STORED_RUN),
    O("dose-zero", ["micrograph", "run", "--dose", "0 e/nm²"], "--dose", files=STORED_RUN),
    O("dose-a-time", ["micrograph", "run", "--dose", "1000 s"], "--dose", files=STORED_RUN),
    O("dose-huge", ["micrograph", "run", "--dose", "1e12 e/nm²"], "--dose", files=STORED_RUN),
    O("exponent-3", ["micrograph", "run", "--exponent", "3"], "--exponent", files=STORED_RUN),
    O("exponent-nan", ["micrograph", "run", "--exponent", "nan"], "--exponent", files=STORED_RUN),
    O("cross-section-large", ["micrograph", "run", "--cross-section", "1 nm²"], "--cross-section", files=STORED_RUN),
    O("cross-section-no-unit", ["micrograph", "run", "--cross-section", "0.002"], "--cross-section", files=STORED_RUN),
    O("seed-negative", ["micrograph", "run", "--seed", "-1"], "--seed", files=STORED_RUN),
    O("out-in-sys", ["micrograph", "run", "--out", "/sys/micrograph"], "--out", files=STORED_RUN),
    O("out-through-a-file", ["micrograph", "run", "--out", "run/spec.toml/m"], "--out", files=STORED_RUN),
    # --- dipolewire encounter ----------------------------------------------------------------------------
    Case("encounter-file-missing", ["encounter", "missing.toml"], "encounter file", table="encounter"),
    ET("file-not-toml", "encounter file", "[species\n"),
    ET("unknown-top-level-key", "colour", 'colour = "red"\n' + GOOD_ENCOUNTER, row="any key"),
    E("species-unknown-key", "species.colour", row="any key", species=second_species(colour="red")),
    E("misspelled-key", "encounter.trajectory", row="any key", encounter={"trajectory": 100}),
    *[
        ET(f"section-{s}-not-a-table", s, f"{s} = 3\n" + GOOD_ENCOUNTER.split("[", 1)[0])
        for s in ("solvent", "electrolyte", "encounter", "feeding", "ionic_strength")
    ],
    ET("name-with-slash", "name", GOOD_ENCOUNTER.replace('name = "tiny-enc"', 'name = "a/b"')),
    E("species-missing", "species", species=None),
    E("species-not-tables", "species", species=[3]),
    E(
        "species-too-many",
        "species",
        species=[{"name": f"S{i}", "charge": "-1 e", "core_diameter": "1 nm"} for i in range(13)],
    ),
    E("species-preset-unknown", "species.preset", species=second_species(preset="Au25")),
    E("species-name-bad", "species[1].name", row="species.name", species=second_species(name="1B")),
    E("species-name-twice", "species.name", species=second_species(name="Ag44")),
    E("charge-no-unit", "species.B.charge", row="any quantity", species=second_species(charge=-3)),
    E("charge-huge", "species.B.charge", row="species.charge", species=second_species(charge="-200 e")),
    E("charge-a-length", "species.B.charge", row="any quantity", species=second_species(charge="3 nm")),
    E("charge-missing", "species.B.charge", row="species.charge", species=second_species(charge=None)),
    E(
        "core-zero",
        "species.B.core_diameter",
        row="species.core_diameter",
        species=second_species(core_diameter="0 nm"),
    ),
    E(
        "core-huge",
        "species.B.core_diameter",
        row="species.core_diameter",
        species=second_species(core_diameter="30 nm"),
    ),
    E("shell-negative", "species.B.shell", row="species.shell", species=second_species(shell="-0.1 nm")),
    E("shell-huge", "species.B.shell", row="species.shell", species=second_species(shell="6 nm")),
    E(
        "hydrodynamic-below-core",
        "species.B.hydrodynamic_diameter",
        row="species.hydrodynamic_diameter",
        species=second_species(hydrodynamic_diameter="0.5 nm"),
    ),
    E(
        "concentration-negative",
        "species.B.concentration",
        row="species.concentration",
        species=second_species(concentration="-1 mM"),
    ),
    E("concentration-crowded", "species.concentration", species=second_species(concentration="100 mM")),
    E("salt-huge", "electrolyte.salt", electrolyte={"salt": "2 M"}),
    E("salt-negative", "electrolyte.salt", electrolyte={"salt": "-1 mM"}),
    E("counterions-text", "electrolyte.counterions", electrolyte={"counterions": "yes"}),
    E("clusters-screen-number", "electrolyte.clusters_screen", electrolyte={"clusters_screen": 1}),
    E("screening-unknown", "electrolyte.screening", electrolyte={"screening": "debye"}),
    E("temperature-boiling", "solvent.temperature", solvent={"temperature": "200 °C"}),
    E("solvent-unknown", "solvent.preset", solvent={"preset": "acetone"}),
    E("engine-unknown", "encounter.engine", encounter={"engine": "gromacs"}),
    E("trajectories-few", "encounter.trajectories", encounter={"trajectories": 10}),
    E("concurrent-zero", "encounter.concurrent", encounter={"concurrent": 0}),
    E("pairs-unknown-species", "encounter.pairs", encounter={"pairs": [["Ag44", "X"]]}),
    E("pairs-text", "encounter.pairs", encounter={"pairs": "all"}),
    E("reaction-inside-cores", "encounter.reaction_distance", encounter={"reaction_distance": "1.0 nm"}),
    E("reaction-beyond-contact", "encounter.reaction_distance", encounter={"reaction_distance": "3 nm"}),
    E("start-inside-reaction", "encounter.start_distance", encounter={"start_distance": "2 nm"}),
    E(
        "escape-before-start",
        "encounter.escape_distance",
        encounter={"start_distance": "4 nm", "escape_distance": "3.5 nm"},
    ),
    E("timestep-no-unit", "encounter.timestep", row="any quantity", encounter={"timestep": 0.001}),
    E("timestep-zero", "encounter.timestep", encounter={"timestep": "0 ns"}),
    E("shell-repulsion-negative", "encounter.shell_repulsion", encounter={"shell_repulsion": "-1 kT"}),
    E("seed-negative", "encounter.seed", encounter={"seed": -1}),
    E("between-twice", "feeding.between", feeding={"between": ["B", "B"]}),
    E("between-pair-not-measured", "feeding.between", encounter={"pairs": [["B", "B"]]}),
    E(
        "repulsion-unmeasurable",
        "encounter.pairs",
        species=second_species(charge="-100 e"),
        encounter={"pairs": [["B", "B"]]},
        feeding=None,
    ),
    E("timestep-too-long", "encounter.timestep", encounter={"timestep": "1 s"}),
    E("too-long-to-run", "encounter", row="encounter", encounter={"escape_distance": "10000 nm"}),
    E("between-unknown", "feeding.between", feeding={"between": ["B", "C"]}),
    E("ratio-slash", "feeding.ratios", feeding={"ratios": ["1/40"]}),
    E("ratio-zero", "feeding.ratios", feeding={"ratios": ["0:1"]}),
    E("ratios-missing", "feeding.ratios", feeding={"ratios": []}),
    E("total-missing", "feeding.total_concentration", feeding={"total_concentration": None}),
    E("total-crowded", "feeding.total_concentration", feeding={"total_concentration": "1 M"}),
    E("salt-sweep-not-a-list", "ionic_strength.salt", ionic_strength={"salt": "5 mM"}),
    E("salt-sweep-huge", "ionic_strength.salt", ionic_strength={"salt": ["0 mM", "3 M"]}),
    E("trajectories-option", "--trajectories", extra=("--trajectories", "5")),
    Case(
        "encounter-out-a-file",
        ["encounter", "good.toml", "--out", "f.txt"],
        "--out",
        {"good.toml": GOOD_ENCOUNTER, "f.txt": "x"},
        table="encounter",
    ),
    # --- any command --------------------------------------------------------------------------------------
    O("command-unknown", ["simulate", "x.toml"], "simulate", row="any command"),
]

#: Which docs table lists the checks of each command.
COMMAND_TABLE = {
    "run": "run",
    "predict": "predict",
    "study": "study",
    "energy": "energy",
    "analyze": "analysis",
    "compare": "analysis",
    "movie": "analysis",
    "micrograph": "micrograph",
    "encounter": "encounter",
}
#: Rows of the "Every command" table.
ANY_COMMAND_ROWS = {"any option", "any command"}


def docs_table(case: Case) -> str:
    """The docs table listing ``case``'s check: run-file fields are in the run-file table whatever the
    command that read the file; generic rows in theirs."""
    name = case.row or case.field
    if case.table:
        return case.table
    if name in ANY_COMMAND_ROWS:
        return "any"
    if name.split(".")[0] in (*RUN_SECTIONS, "name", "run file", "any key", "any quantity", "any number"):
        return "run"
    return COMMAND_TABLE[case.argv[0]]


def make_files(root: Path, files: dict) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content == STORED:
            path.mkdir()
            shutil.copy(STORED_TRAJECTORY, path / "trajectory.gsd")
            shutil.copy(DATA / "tiny-drying.toml", path / "spec.toml")
        elif isinstance(content, int):  # a folder with these permissions
            path.mkdir(mode=content)
        elif isinstance(content, str) and content.startswith("-> "):
            path.symlink_to(content[3:])
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def tree(root: Path) -> list:
    """Every path under ``root`` with its kind, size and modification time (links not followed)."""
    found = []
    for folder, folders, files in os.walk(root):
        for name in folders + files:
            path = Path(folder) / name
            info = path.lstat()
            found.append((str(path.relative_to(root)), info.st_mode, info.st_size, info.st_mtime_ns))
    return sorted(found)


@pytest.fixture
def no_simulation(monkeypatch):
    """Engine entry points that fail the test: a refused input never gets that far."""

    def started(*args, **kwargs):
        raise AssertionError("a simulation started")

    monkeypatch.setattr("dipolewire.runner.execute", started)
    monkeypatch.setattr("dipolewire.replicas.run_replicas", started)
    monkeypatch.setattr("dipolewire.study_runner.execute_study", started)
    monkeypatch.setattr("dipolewire.engines.create", started)
    monkeypatch.setattr("dipolewire.charged.nam.encounter_rate", started)


def exit_status(argv) -> int:
    """What ``dipolewire ARGV`` exits with, in this process (argparse's errors raise SystemExit)."""
    try:
        return main(argv)
    except SystemExit as stop:
        return stop.code


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=c.marks) for c in CASES])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(case, tmp_path, monkeypatch, capsys, no_simulation):
    monkeypatch.chdir(tmp_path)
    make_files(tmp_path, case.files)
    before = tree(tmp_path)
    status = exit_status(case.argv)
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert status == 2, (status, err)
    assert len(lines) == 1, err
    assert lines[0].startswith("dipolewire: error: "), lines[0]
    assert case.field in lines[0], lines[0]
    assert out == "", out  # no plan, no table, no traceback
    assert tree(tmp_path) == before


def test_the_battery_is_large_and_its_cases_distinct():
    assert len(CASES) >= 130
    assert len({c.id for c in CASES}) == len(CASES)
    assert len({(tuple(c.argv), repr(sorted(c.files.items()))) for c in CASES}) == len(CASES)


# --- docs/input-checks.md lists every check, and every check it lists has a case ------------------------------

#: Docs headings → table names (each docs table sits under one of these headings).
DOC_HEADINGS = {
    "Run files": "run",
    "Studies": "study",
    "Predict": "predict",
    "Analysis": "analysis",
    "Micrograph": "micrograph",
    "Energy": "energy",
    "Encounter": "encounter",
    "Every command": "any",
}
#: Docs rows whose checks are tested elsewhere (they need a run, a lock or a finished run folder), with the
#: tests that cover them.
TESTED_ELSEWHERE = {
    # --resume's other refusals need a stopped, a finished or a changed run (a run with --overwrite is a case here)
    ("run", "--resume"): "tests/test_reliability.py::test_resume_refuses_changed_physics_and_missing_runs, "
    "tests/test_runner.py::test_resume_point_refuses_changed_physics_and_finished_runs, "
    "tests/test_run_folder.py::test_a_resume_may_lengthen_the_hold_not_shorten_it_and_spec_toml_follows, "
    "test_a_trajectory_cut_off_in_its_first_frame_is_refused_in_one_line",
    # a second process on a run folder in use (refused as --out: ... is in use by pid N): needs a process holding
    # the lock
    ("run", "run folder lock"): "tests/test_run_folder.py::"
    "test_a_folder_held_by_another_process_is_refused_naming_it_and_nothing_is_written, "
    "test_a_replica_set_held_by_another_process_is_refused_before_anything_is_written",
}


def documented_rows(text: str) -> set[tuple[str, str]]:
    """(table, name) of each name in the first column of the docs tables: the names in backticks (a name
    without a section after a ``section.key`` takes its section: `amount.film_height`, `box_length`), or the
    cell's text where it has none (any key, any quantity)."""
    rows, table = set(), None
    for line in text.splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
            table = next((t for h, t in DOC_HEADINGS.items() if heading.startswith(h)), None)
            continue
        if not line.startswith("|") or line.startswith("|---"):
            continue
        cell = line.split("|")[1].strip()
        if cell in ("field", "flag", ""):
            continue
        assert table is not None, f"a table under a heading the test does not know: {line}"
        names = re.findall(r"`([^`]+)`", cell)
        if not names:
            rows.add((table, cell))
            continue
        section = None
        for name in names:
            if "." in name and not name.startswith("-"):
                section = name.split(".")[0]
            elif section and not name.startswith("-") and name not in (*RUN_SECTIONS, "RUN"):
                name = f"{section}.{name}"
            rows.add((table, name))
    return rows


def test_every_documented_check_has_a_case_and_every_case_is_documented():
    documented = documented_rows(DOCS.read_text(encoding="utf-8"))
    tested = {(docs_table(c), c.row or c.field) for c in CASES}
    undocumented = sorted(tested - documented)
    untested = sorted(documented - tested - set(TESTED_ELSEWHERE))
    assert not undocumented, f"cases whose check docs/input-checks.md does not list: {undocumented}"
    assert not untested, f"checks docs/input-checks.md lists without a case here (or in TESTED_ELSEWHERE): {untested}"


def test_the_tests_named_for_checks_tested_elsewhere_exist():

    here = Path(__file__).parent
    for names in TESTED_ELSEWHERE.values():
        module = None
        for name in (n.strip() for n in names.split(",")):
            if "::" in name:
                module, name = name.split("::")
            assert re.search(rf"^def {re.escape(name)}\(", (here.parent / module).read_text(), re.M), (module, name)
