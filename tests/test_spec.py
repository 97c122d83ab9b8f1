"""Run files: defaults, unit conversion, resolved output and a clear error for every bad field."""

import tomllib
from pathlib import Path

import pytest
from conftest import tiny_document

from dipolewire import presets, spec, units
from dipolewire.errors import InputError

RUNS = Path(__file__).parent.parent / "runs"


@pytest.mark.parametrize("name", ["demo.toml", "paper.toml"])
def test_example_run_files_load(name):
    loaded = spec.load(RUNS / name)
    assert loaded.cluster.preset == "R-Au-Cu"
    assert loaded.cluster.dipole == pytest.approx(units.debye_to_e_nm(43.42))
    assert loaded.solvent.eps_r == presets.SOLVENTS["CH2Cl2"]["eps_r"]


def test_amount_from_concentration_and_box():
    """20 mM = 0.0120443 nm⁻³; 40 clusters over 16 nm × 16 nm at that density fill 12.97296 nm (by hand)."""
    a = spec.from_dict(tiny_document()).amount
    assert a.concentration == pytest.approx(0.02 * 0.602214076, rel=1e-12)
    assert a.box_length == 16.0
    assert a.film_height == pytest.approx(12.97296, abs=1e-5)
    assert a.concentration_mM == pytest.approx(20.0)


def test_peclet_sets_front_speed():
    """Pe = 2 over the 12.97296 nm film; R-Au-Cu's hydrodynamic diameter 2.11 nm in CH2Cl2 gives
    Dt = 4.11642 zJ/(3π × 0.413 mPa·s × 2.11 nm) = 0.501204 nm²/ns: v = 2 × 0.501204/12.97296 = 0.0772690 nm/ns."""
    s = spec.from_dict(_drop_none(tiny_document(drying={"front_speed": None, "peclet": 2.0})))
    assert s.drying.front_speed == pytest.approx(0.0772690, rel=1e-6)


def test_resolved_spec_round_trips(tiny_spec):
    again = spec.from_dict(tomllib.loads(tiny_spec.to_toml()))
    assert again == tiny_spec


def test_preset_lookup_is_forgiving_and_helpful():
    s = spec.from_dict(tiny_document(cluster={"preset": "r-au-cu"}, solvent={"preset": "ch2cl2"}))
    assert s.cluster.au_core_diameter == 0.86
    with pytest.raises(InputError, match="did you mean 'R-Au-Cu'"):
        spec.from_dict(tiny_document(cluster={"preset": "R-Au-Cx"}))
    with pytest.raises(InputError, match="solvent.preset: unknown solvent"):
        spec.from_dict(tiny_document(solvent={"preset": "hexane"}))


def test_custom_values_override_preset():
    s = spec.from_dict(tiny_document(cluster={"dipole": "30 D", "au_core_diameter": "0.9 nm", "au_shell": "0.7 nm"}))
    assert s.cluster.dipole == pytest.approx(units.debye_to_e_nm(30))
    assert s.cluster.au_core_diameter == 0.9
    assert s.cluster.partner_core_diameter == 0.6  # from the preset
    # the hydrodynamic diameter follows the new geometry: the larger of the length
    # 0.45 + 0.7 + 0.33 + 0.3 + 0.45 = 2.23 nm and the width 2 × (0.45 + 0.7) = 2.3 nm
    assert s.cluster.geometry.length == pytest.approx(2.23)
    assert s.cluster.hydrodynamic_diameter == pytest.approx(2.3)


def test_shell_modulus_and_hypotheses_take_physical_units():
    s = spec.from_dict(
        tiny_document(
            cluster={"shell_modulus": "500 MPa"},
            hypotheses={
                "ligand_attraction": "8 kT",
                "interface_adsorption": "9 kT",
                "interface_adsorption_range": "4 Å",
            },
        )
    )
    kT = units.kT_zJ(298.15)
    assert s.cluster.shell_modulus == pytest.approx(500.0)  # zJ/nm³
    assert s.hypotheses.ligand_attraction == pytest.approx(8 * kT)
    assert s.hypotheses.interface_adsorption == pytest.approx(9 * kT)
    assert s.hypotheses.interface_adsorption_range == pytest.approx(0.4)
    assert s.hypotheses.ligand_attraction_range == 0.3  # default


def _drop_none(document):
    return {
        k: ({kk: vv for kk, vv in v.items() if vv is not None} if isinstance(v, dict) else v)
        for k, v in document.items()
    }


BAD = [
    ({"cluster": {"dipole": "-3 D"}}, "cluster.dipole: must be > 0"),
    ({"cluster": {"dipole": "3 nm"}}, "cluster.dipole: '3 nm' is not a dipole"),
    ({"cluster": {"dipole": 43.42}}, 'cluster.dipole: needs a unit: write it as a string, e.g. "43.42 D"'),
    (
        {"hypotheses": {"ligand_attraction": 10}},
        'hypotheses.ligand_attraction: needs a unit: write it as a string, e.g. "10 kT"',
    ),
    ({"cluster": {"au_core_diameter": "0 nm"}}, "cluster.au_core_diameter: must be > 0"),
    ({"cluster": {"au_shell": "-1 nm"}}, "cluster.au_shell: must be >= 0"),
    ({"cluster": {"core_separation": "2 nm"}}, "cluster.core_separation: must be at most the mean core diameter"),
    ({"cluster": {"shell_modulus": "1 nm"}}, "cluster.shell_modulus: '1 nm' is not a pressure"),
    ({"cluster": {"au_diameter": "1 nm"}}, "did you mean 'au_core_diameter'"),
    ({"cluster": {"hydrodynamic_diameter": "-1 nm"}}, "cluster.hydrodynamic_diameter: must be > 0"),
    ({"cluster": {"dipole_direction": [0, 0, 0]}}, "cluster.dipole_direction: must not be the zero vector"),
    ({"cluster": {"dipole_direction": [1, 2]}}, "cluster.dipole_direction: must be three numbers"),
    ({"cluster": {"dipole_offset": "3 nm"}}, "cluster.dipole_offset: must lie inside the cluster"),
    ({"cluster": {"chirality": "D"}}, "cluster.chirality: must be one of R, S, racemic"),
    ({"cluster": {"colour": "red"}}, "cluster.colour: unknown key"),
    ({"cluster": {"dipol": "43 D"}}, "did you mean 'dipole'"),
    ({"amount": {"clusters": 0}}, "amount.clusters: must be >= 1"),
    ({"amount": {"clusters": 2.5}}, "amount.clusters: must be an integer"),
    ({"amount": {"film_height": "20 nm"}}, "amount: give exactly two of"),
    ({"amount": {"concentration": "-1 mM"}}, "amount.concentration: must be > 0"),
    ({"amount": {"box_length": "2 nm"}}, "amount.box_length: must be at least two cluster diameters"),
    ({"solvent": {"viscosity": "0 mPa*s"}}, "solvent.viscosity: must be > 0"),
    ({"solvent": {"viscosity": "1 Pa"}}, "solvent.viscosity: '1 Pa' is not a viscosity"),
    ({"solvent": {"eps_r": 0.5}}, "solvent.eps_r: must be >= 1"),
    ({"solvent": {"temperature": "-300 °C"}}, "solvent.temperature: must be > 0"),
    ({"drying": {"peclet": 1.0}}, "drying: give exactly one of front_speed"),
    ({"drying": {"front_speed": "-1 nm/ns"}}, "drying.front_speed: must be >= 0"),
    ({"drying": {"front_speed": "0 nm/ns", "hold": "0 ns"}}, "drying.hold: must be > 0 when front_speed is 0"),
    ({"drying": {"final_height": "1 nm"}}, "drying.final_height: must be at least the widest ligated hemisphere"),
    ({"drying": {"final_height": "50 nm"}}, "drying.final_height: must be below the initial film height"),
    ({"drying": {"eps_r_dry": 0.9}}, "drying.eps_r_dry: must be >= 1"),
    ({"drying": {"hold": "-1 ns"}}, "drying.hold: must be >= 0"),
    ({"numerics": {"timestep": "1 ns"}}, "numerics.timestep: must be <="),
    ({"numerics": {"timestep": "0 ns"}}, "numerics.timestep: must be > 0"),
    ({"numerics": {"dipole_cutoff": "1 nm"}}, "numerics.dipole_cutoff: must exceed the contact distance"),
    ({"numerics": {"dipole_cutoff": "9 nm"}}, "numerics.dipole_cutoff: must be at most half the box length"),
    ({"numerics": {"output_interval": "1e-6 ns"}}, "numerics.output_interval: must be at least one timestep"),
    ({"numerics": {"seed": 0}}, "numerics.seed: must be >= 1"),
    ({"numerics": {"engine": "gromacs"}}, "numerics.engine: must be one of auto, lammps, hoomd"),
    ({"numerics": {"threads": 0}}, "numerics.threads: must be >= 1"),
    ({"hypotheses": {"ligand_attraction": "-2 kT"}}, "hypotheses.ligand_attraction: must be >= 0"),
    ({"hypotheses": {"ligand_attraction": "80 kT"}}, "hypotheses.ligand_attraction: must be between 0 and 50 kT"),
    ({"hypotheses": {"interface_adsorption": "5 nm"}}, "hypotheses.interface_adsorption: '5 nm' is not an energy"),
    ({"hypotheses": {"ligand_attraction_range": "3 nm"}}, "hypotheses.ligand_attraction_range: must be a short range"),
    ({"hypotheses": {"adsorption": "5 kT"}}, "did you mean 'interface_adsorption'"),
]


@pytest.mark.parametrize(("changes", "message"), BAD, ids=[m.split(":")[0] + f"-{i}" for i, (_, m) in enumerate(BAD)])
def test_bad_values_name_the_field(changes, message):
    with pytest.raises(InputError) as info:
        spec.from_dict(_drop_none(tiny_document(**changes)))
    assert message in str(info.value)


def test_packing_beyond_random_close_packing_is_refused():
    crowded = tiny_document(amount={"clusters": 400, "concentration": "20 mM", "box_length": "16 nm"})
    with pytest.raises(InputError, match="beyond random close packing"):
        spec.from_dict(crowded)


def test_bad_files(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        spec.load(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[cluster\npreset = 1\n")
    with pytest.raises(InputError, match="not valid TOML"):
        spec.load(broken)


@pytest.mark.parametrize(("changes", "message"), BAD, ids=[m.split(":")[0] + f"-{i}" for i, (_, m) in enumerate(BAD)])
def test_bad_values_from_the_command_line(tmp_path, capsys, changes, message):
    """Each bad value through `dipolewire run`: exit status 2, one line naming the field, and nothing written.
    (Three of them also go through a separate process in test_drying_run.py.)"""
    import tomli_w

    from dipolewire.cli import main

    run_file = tmp_path / "bad.toml"
    run_file.write_text(tomli_w.dumps(_drop_none(tiny_document(**changes))))
    assert main(["run", str(run_file)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith("dipolewire: error: ") and message in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


# --- concentration and solvent as a lab writes them -----------------------------------------------------

#: IUPAC 2021 standard atomic weights (conventional values for H, C, N, S), g/mol, written out here so the
#: check does not depend on the code's table.
R_AU_CU_MOLAR_MASS = (
    8 * 196.966570  # Au8
    + 4 * 63.546  # Cu4
    + 3 * (44 * 12.011 + 32 * 1.008 + 2 * 30.973761998)  # 3 BINAP, C44H32P2
    + 3 * (4 * 12.011 + 2 * 14.007 + 2 * 32.06)  # 3 MNT, C4N2S2
)  # = 4118.5131 g/mol


def test_cluster_molar_mass_from_its_formula():
    from dipolewire.molar_mass import composition

    assert R_AU_CU_MOLAR_MASS == pytest.approx(4118.5131, abs=1e-4)
    cluster = spec.from_dict(tiny_document()).cluster
    assert cluster.molar_mass == pytest.approx(R_AU_CU_MOLAR_MASS, rel=1e-12)
    atoms = composition(cluster.elemental_formula)
    assert atoms == {"Au": 8, "Cu": 4, "C": 144, "H": 96, "P": 6, "N": 6, "S": 6}
    # Au3(DPPM)3Cd(MNT)Cl: DPPM = C25H22P2
    au3cd = 3 * 196.966570 + 112.414 + 35.45 + 3 * (25 * 12.011 + 22 * 1.008 + 2 * 30.973761998)
    au3cd += 4 * 12.011 + 2 * 14.007 + 2 * 32.06
    assert spec.from_dict(tiny_document(cluster={"preset": "Au3Cd"})).cluster.molar_mass == pytest.approx(au3cd)


@pytest.mark.parametrize("given", ["0.5 mg/mL", "0.5 mg/ml", "0.5 g/L", "500 mg/L"])
def test_mass_concentration_becomes_molar(given):
    """0.5 mg/mL of R-Au-Cu = 0.5 g/L ÷ 4118.513 g/mol = 0.121403 mM."""
    s = spec.from_dict(tiny_document(amount={"concentration": given}))
    assert s.amount.concentration_mM == pytest.approx(0.5 / R_AU_CU_MOLAR_MASS * 1e3, rel=1e-12)
    resolved = tomllib.loads(s.to_toml())["amount"]
    assert resolved["given_concentration"] == given
    assert units.parse(resolved["molar_concentration"], "concentration") == pytest.approx(s.amount.concentration)
    assert spec.from_dict(tomllib.loads(s.to_toml())) == s
    # a stated concentration is recorded as stated, whatever record the file also carries
    both = tiny_document(amount={"concentration": given, "given_concentration": "a label"})
    assert spec.from_dict(both).amount.given_concentration == given


def test_tampered_molar_concentration_record_is_refused(tiny_spec):
    document = tomllib.loads(tiny_spec.to_toml())
    document["amount"]["molar_concentration"] = "21 mM"
    with pytest.raises(InputError, match="amount.molar_concentration: records N/"):
        spec.from_dict(document)


def test_mass_concentration_without_a_formula_is_refused():
    with pytest.raises(InputError, match="amount.concentration: '0.5 mg/mL' is a mass concentration.* mM"):
        spec.from_dict(tiny_document(cluster={"preset": "dipolar-sphere"}, amount={"concentration": "0.5 mg/mL"}))
    with_formula = tiny_document(
        cluster={"preset": "dipolar-sphere", "elemental_formula": "Au25(C8H9S)18"}, amount={"concentration": "1 g/L"}
    )
    molar_mass = 25 * 196.966570 + 18 * (8 * 12.011 + 9 * 1.008 + 32.06)
    assert spec.from_dict(with_formula).amount.concentration_mM == pytest.approx(1e3 / molar_mass)
    with pytest.raises(InputError, match="cluster.elemental_formula: unknown element 'Xx'"):
        spec.from_dict(tiny_document(cluster={"elemental_formula": "Au8Xx2"}))


@pytest.mark.parametrize(
    ("alias", "preset"),
    [("chloroform", "CHCl3"), ("Chloroform", "CHCl3"), ("dichloromethane", "CH2Cl2"), ("DCM", "CH2Cl2"),
     ("dcm", "CH2Cl2"), ("Methylene chloride", "CH2Cl2")],
)  # fmt: skip
def test_solvent_aliases_give_the_preset(alias, preset):
    by_alias = spec.from_dict(tiny_document(solvent={"preset": alias}))
    assert by_alias == spec.from_dict(tiny_document(solvent={"preset": preset}))
    assert by_alias.solvent.preset == preset and by_alias.solvent.eps_r == presets.SOLVENTS[preset]["eps_r"]


def test_unknown_solvent_lists_presets_and_aliases():
    with pytest.raises(InputError, match=r"unknown solvent 'acetone' \(known: CH2Cl2, CHCl3.*; also .*chloroform"):
        spec.from_dict(tiny_document(solvent={"preset": "acetone"}))


def test_run_with_mass_concentration_and_no_formula_exits_2(tmp_path, capsys):
    from dipolewire.cli import main

    run_file = tmp_path / "bad.toml"
    run_file.write_text(
        '[cluster]\npreset = "dipolar-sphere"\n[amount]\nclusters = 10\nconcentration = "0.5 mg/mL"\n'
        'box_length = "14 nm"\n[drying]\nfront_speed = "1 nm/ns"\nhold = "1 ns"\n'
    )
    assert main(["run", str(run_file)]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and error[0].startswith("dipolewire: error: amount.concentration: ")
    assert "mM" in error[0] and "elemental_formula" in error[0]
    assert list(tmp_path.iterdir()) == [run_file]  # nothing written


# --- bounds with a physical basis, and what they let through ------------------------------------------------


def test_a_utf8_byte_order_mark_is_read_and_other_encodings_are_refused_with_their_offset(tmp_path):
    text = tomli_w_dumps(tiny_document(solvent={"temperature": "25 °C"}))
    with_bom = tmp_path / "bom.toml"
    with_bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert spec.load(with_bom).solvent.temperature == pytest.approx(298.15)
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(text.encode("latin-1"))
    offset = text.encode("latin-1").index(b"\xb0")
    with pytest.raises(InputError, match=f"run file: .*latin1.toml is not UTF-8 text: byte 0xB0 at offset {offset} "):
        spec.load(latin1)


def tomli_w_dumps(document):
    import tomli_w

    return tomli_w.dumps(_drop_none(document))


def test_the_largest_dipole_is_five_charges_across_the_cluster():
    """R-Au-Cu is 2.11 nm long (its ligated extent): 5 e × 2.11 nm = 10.55 e·nm = 506.7 D."""
    cluster = spec.from_dict(tiny_document()).cluster
    assert spec.max_dipole(cluster.geometry) == pytest.approx(5 * cluster.geometry.extent)
    assert units.e_nm_to_debye(spec.max_dipole(cluster.geometry)) == pytest.approx(506.7, abs=0.1)
    assert spec.from_dict(tiny_document(cluster={"dipole": "500 D"})).cluster.dipole == pytest.approx(
        units.debye_to_e_nm(500)
    )
    with pytest.raises(InputError, match=r"cluster.dipole: must be at most 507 D"):
        spec.from_dict(tiny_document(cluster={"dipole": "510 D"}))


def test_the_front_may_move_per_step_at_most_a_clusters_brownian_step():
    """Dt = 0.501204 nm²/ns (test_peclet_sets_front_speed), Δt = 2e-4 × (0.9 nm)²/Dt = 3.23221e-4 ns:
    √(2 Dt Δt) = 0.0180 nm per step, 55.69 nm/ns; over the 12.97296 nm film, Pe = 55.69 × 12.97296/0.501204."""
    limit = (2 * 0.501204 / 3.23221e-4) ** 0.5
    assert limit == pytest.approx(55.69, abs=0.01)
    fast = spec.from_dict(tiny_document(drying={"front_speed": f"{0.999 * limit} nm/ns"}))
    assert fast.drying.front_speed == pytest.approx(0.999 * limit)
    with pytest.raises(InputError, match=r"drying.front_speed: must be at most 55.69 nm/ns"):
        spec.from_dict(tiny_document(drying={"front_speed": f"{1.001 * limit} nm/ns"}))
    pe = limit * 12.97296 / 0.501204
    spec.from_dict(_drop_none(tiny_document(drying={"front_speed": None, "peclet": 0.999 * pe})))
    with pytest.raises(InputError, match=f"drying.peclet: must be at most {pe:.4g} "):
        spec.from_dict(_drop_none(tiny_document(drying={"front_speed": None, "peclet": 1.001 * pe})))


@pytest.mark.parametrize(
    ("solvent", "temperature", "allowed"),
    [
        ({"preset": "CH2Cl2"}, "39 °C", True),
        ({"preset": "CH2Cl2"}, "41 °C", False),
        ({"preset": "CH2Cl2"}, "-97 °C", True),
        ({"preset": "water"}, "-1 °C", False),
        ({"preset": "DMSO"}, "150 °C", True),
        ({"preset": "toluene"}, "110 °C", True),
        ({"preset": "chloroform"}, "62 °C", False),
        # the viscosity and εr given: the run file's own solvent, 150 … 500 K
        ({"viscosity": "0.3 mPa*s", "eps_r": 6.0}, "80 °C", True),
        ({"viscosity": "0.3 mPa*s", "eps_r": 6.0}, "499 K", True),
        ({"viscosity": "0.3 mPa*s", "eps_r": 6.0}, "501 K", False),
        ({"viscosity": "0.3 mPa*s"}, "80 °C", False),  # εr from the preset: still CH2Cl2
    ],
)
def test_the_solvent_must_be_liquid(solvent, temperature, allowed):
    document = tiny_document(solvent={**solvent, "temperature": temperature})
    if allowed:
        spec.from_dict(document)
    else:
        with pytest.raises(InputError, match="solvent.temperature: must be in "):
            spec.from_dict(document)


def test_every_solvent_preset_has_a_liquid_range_with_its_source():
    for name, values in presets.SOLVENTS.items():
        low, high, _ = spec.liquid_range(name)
        assert 150 < low < 298.15 < high < 500, name  # each is a liquid at 25 °C, the values' temperature
        assert "CRC" in values["liquid_range_source"]


def test_a_resolved_file_of_an_accepted_run_loads_again():
    """A resolved file gives the solvent's viscosity and εr: it is checked against the wide range, so that a run
    accepted with a preset's range is never refused when its record is read back."""
    accepted = spec.from_dict(tiny_document(solvent={"temperature": "35 °C"}))
    assert spec.from_dict(tomllib.loads(accepted.to_toml())) == accepted


def test_the_output_interval_may_be_the_whole_run_but_not_longer():
    """The tiny run dries 10.86296 ns and holds 1 ns (test_model): 11.86296 ns."""
    whole = spec.from_dict(tiny_document(numerics={"output_interval": "11.86296 ns"}))
    assert whole.numerics.output_interval == pytest.approx(11.86296)
    with pytest.raises(InputError, match=r"numerics.output_interval: must be at most the run's duration, 11.86 ns"):
        spec.from_dict(tiny_document(numerics={"output_interval": "11.87 ns"}))


QUANTITY_FIELDS = [
    ("cluster", "dipole", "dipole"),
    ("cluster", "au_core_diameter", "length"),
    ("cluster", "shell_modulus", "pressure"),
    ("cluster", "dipole_offset", "length"),
    ("amount", "concentration", "concentration"),
    ("amount", "box_length", "length"),
    ("solvent", "viscosity", "viscosity"),
    ("solvent", "temperature", "temperature"),
    ("drying", "front_speed", "speed"),
    ("drying", "final_height", "length"),
    ("drying", "hold", "time"),
    ("numerics", "timestep", "time"),
    ("numerics", "output_interval", "time"),
    ("hypotheses", "ligand_attraction", "energy"),
    ("hypotheses", "interface_adsorption_range", "length"),
]


@pytest.mark.parametrize(("section", "key", "kind"), QUANTITY_FIELDS, ids=[f"{s}.{k}" for s, k, _ in QUANTITY_FIELDS])
def test_a_number_without_a_unit_is_shown_with_a_unit_of_its_own_dimension(section, key, kind):
    with pytest.raises(InputError) as info:
        spec.from_dict(tiny_document(**{section: {key: 1.5}}))
    example = info.value.message.split('e.g. "')[1].split('"')[0]
    assert example.startswith("1.5 ")
    assert units.parse(example, kind, temperature_K=300.0) > 0  # the example reads as that kind


def test_every_kind_of_quantity_has_an_example_unit_of_its_dimension():
    assert set(units.EXAMPLE_UNITS) == set(units.KINDS)
    for kind, unit in units.EXAMPLE_UNITS.items():
        assert units.parse(f"2 {unit}", kind, temperature_K=300.0, molar_mass_g_per_mol=1000.0) > 0


@pytest.mark.parametrize("name", ["demo.toml", "paper.toml"])
def test_example_run_files_plan_less_than_the_work_limit(name):
    from dipolewire import run_plan

    plan = run_plan.plan(spec.load(RUNS / name))
    run_plan.check(plan)  # not refused
    assert plan.wall_seconds < run_plan.MAX_WALL_SECONDS_ONE_CORE
