"""Encounter files and ``dipolewire encounter``: parsing, the mixture's ionic strength and frequencies, what
the command writes, and that a second or interrupted run keeps what was measured."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import tomli_w
from conftest import tiny_encounter

from dipolewire import engines
from dipolewire.charged import encounter_run, mixture, nam
from dipolewire.charged.spec import from_dict, load
from dipolewire.cli import main
from dipolewire.units import MOLAR_PER_NM3

EXAMPLE = Path(__file__).parents[1] / "runs" / "au44-ag44-dmf.toml"
MM = MOLAR_PER_NM3 * 1e-3
needs_lammps = pytest.mark.skipif(not engines.available()["lammps"], reason="LAMMPS is not installed")


def test_the_example_file_reads_with_the_paper_species():
    spec = load(EXAMPLE)
    au, ag = spec.species
    assert (au.name, au.charge, ag.name, ag.charge) == ("Au44", -2.0, "Ag44", -4.0)
    assert au.concentration == pytest.approx(0.25 * MM)
    assert spec.solvent.preset == "DMF" and spec.solvent.eps_r == 36.7
    assert spec.encounter.pairs == (("Au44", "Au44"), ("Au44", "Ag44"), ("Ag44", "Ag44"))
    assert spec.feeding.labels[0] == "1:40" and spec.feeding.ratios[-1] == (40.0, 1.0)
    assert len(encounter_run.points(spec)) == 3 * (1 + len(spec.salt_sweep) + len(spec.feeding.ratios))
    assert au.hydrodynamic_diameter == pytest.approx(au.core_diameter + 2 * au.shell)


def test_ionic_strength_counts_counterions_and_salt():
    spec = from_dict(tiny_encounter(electrolyte={"salt": "2 mM"}))
    c = mixture.file_concentrations(spec)
    # I = c_salt + ½ Σ c |z|: 2 + ½ (0.2·4 + 0.1·3) mM
    assert mixture.ionic_strength(spec, c) == pytest.approx((2 + 0.5 * (0.8 + 0.3)) * MM)
    with_clusters = from_dict(tiny_encounter(electrolyte={"salt": "2 mM", "clusters_screen": True}))
    assert mixture.ionic_strength(with_clusters, c) == pytest.approx((2 + 0.55 + 0.5 * (0.2 * 16 + 0.1 * 9)) * MM)
    bare = from_dict(tiny_encounter(electrolyte={"counterions": False}))
    assert mixture.conditions(bare).kappa == 0.0 and math.isinf(mixture.conditions(bare).debye_length)


def test_feeding_ratios_keep_the_total_and_frequencies_are_rate_times_partner():
    spec = from_dict(tiny_encounter())
    c = mixture.feeding_concentrations(spec, (2.0, 1.0))
    assert (c["B"], c["Ag44"]) == (pytest.approx(0.2 * MM), pytest.approx(0.1 * MM))
    nu = mixture.frequencies({("Ag44", "B"): 3.0}, c)
    assert nu[("Ag44", "B")] == pytest.approx(3.0 * c["B"]) and nu[("B", "Ag44")] == pytest.approx(3.0 * c["Ag44"])


def test_dry_run_prints_every_point_and_writes_nothing(tmp_path, capsys, monkeypatch):
    (tmp_path / "e.toml").write_text(tomli_w.dumps(tiny_encounter()))
    monkeypatch.setattr(nam, "encounter_rate", lambda *a, **k: pytest.fail("a simulation started"))
    assert main(["encounter", str(tmp_path / "e.toml"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "5 rates" in out and out.count("exact k =") == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.toml"]


@needs_lammps
def test_an_interrupted_sweep_keeps_its_points_finishes_them_and_a_third_run_measures_nothing(
    tmp_path, capsys, monkeypatch
):
    (tmp_path / "e.toml").write_text(tomli_w.dumps(tiny_encounter()))
    out = tmp_path / "tiny-enc"
    real = nam.encounter_rate
    calls = []

    def stop_at_the_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(nam, "encounter_rate", stop_at_the_second)
    assert main(["encounter", str(tmp_path / "e.toml"), "--quiet"]) == 130
    kept = json.loads((out / "encounter.json").read_text())
    assert kept["measured"] == 1

    monkeypatch.setattr(nam, "encounter_rate", real)
    assert main(["encounter", str(tmp_path / "e.toml"), "--quiet"]) == 0
    for name in (
        "encounter.json",
        "rates.csv",
        "ionic_strength.csv",
        "ionic_strength.png",
        "feeding_ratio.csv",
        "feeding_ratio.png",
        "summary.txt",
    ):
        assert (out / name).stat().st_size > 0, name
    data = json.loads((out / "encounter.json").read_text())
    assert data["measured"] == data["planned"] == 5 and data["points"][0] == kept["points"][0]
    # the 0 mM salt point is the file's state: measured once, reported twice
    file_point, salt_zero = data["points"][0], data["points"][1]
    assert file_point["key"] == salt_zero["key"] and file_point["rate"] == salt_zero["rate"]
    printed = capsys.readouterr().out
    assert "one Ag44 meets a B every" in printed and "M⁻¹s⁻¹ (" in printed and "nm³/ns)" in printed

    monkeypatch.setattr(nam, "encounter_rate", lambda *a, **k: pytest.fail("a kept point was measured again"))
    assert main(["encounter", str(tmp_path / "e.toml"), "--quiet"]) == 0
    assert json.loads((out / "encounter.json").read_text())["points"] == data["points"]
