"""The fast part of the physics validation, run with every `pytest` (and so in CI).

The full checks, with longer runs, are in tests/validation/ (`pytest -m validate`)."""

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from dipolewire import validation
from dipolewire.geometry import rotate
from dipolewire.model import Model
from dipolewire.runner import execute
from dipolewire.spec import from_dict

gsd_hoomd = pytest.importorskip("gsd.hoomd")


def test_pair_checks_on_lammps():
    checks = validation.pair_checks(["lammps"])
    assert all(c.passed for c in checks), [(c.name, c.measured, c.expected) for c in checks]


@pytest.mark.slow  # 10 s; `pytest -m validate` measures diffusion at length on both engines
def test_short_diffusion_run_on_lammps(tmp_path):
    """300 free clusters (dipole 1e-3 D, volume fraction 0.2 %) in a periodic (80 nm)³ box for 20 ns.

    At lag t = 0.2 ns = 40 damping times τ, an inertial Langevin body of mass γt·τ and inertia γr·τ has
    MSD per component 2Dt[t − τ(1 − e^{−t/τ})] and ⟨u(0)·u(t)⟩ = exp(−2Dr(t − τ)) (to first order in τ/t),
    with the Stokes–Einstein Dt and Dr; the τ terms are 2.5 % and 0.5 % of them. Dt and Dr from these agree
    within 4 standard errors, from the spread over clusters (independent at this dilution); and the standard
    errors must stay below 0.6 %, so the check cannot pass by being noisy.

    Measured over seeds 1-40: standard errors 0.38-0.44 % (Dt) and 0.48-0.57 % (Dr); deviations at most
    2.4 (Dt) and 3.0 (Dr) standard errors. Dr comes out 0.4 % high on average, of the order of the terms in
    Dr·τ = 0.003 that the first-order formula leaves out; Dt 0.1 %."""
    out = tmp_path / "free"
    spec = from_dict(validation.free_clusters("lammps", clusters=300, box="80 nm", duration="20 ns", seed=11))
    execute(spec, out, progress=False, log=lambda *a, **k: None)
    model = Model(spec)
    with gsd_hoomd.open(str(out / "trajectory.gsd")) as trajectory:
        frames = list(trajectory)
    n, lag = model.N, 2
    t, tau = lag * model.frame_interval, model.dynamics.damping_time
    # 2 frames of 309 steps of 3.2322e-4 ns (output every 0.1 ns): 0.19975 ns, 61.8 damping times
    assert t == pytest.approx(0.19975, abs=1e-5) and t / tau == pytest.approx(61.8, abs=0.1)
    box = np.array(frames[0].configuration.box[:3])
    unwrapped = np.array([f.particles.position[:n] + f.particles.image[:n] * box for f in frames], dtype=float)
    axes = np.array([rotate(f.particles.orientation[:n], [0.0, 0.0, 1.0]) for f in frames])

    # per cluster, averaged over time origins (and the three components)
    msd = np.mean((unwrapped[lag:] - unwrapped[:-lag]) ** 2, axis=(0, 2))
    correlation = np.mean(np.sum(axes[lag:] * axes[:-lag], axis=-1), axis=0)

    Dt = msd.mean() / (2 * (t - tau * (1 - math.exp(-t / tau))))
    Dt_error = Dt * msd.std(ddof=1) / math.sqrt(n) / msd.mean()
    Dr = -math.log(correlation.mean()) / (2 * (t - tau))
    Dr_error = correlation.std(ddof=1) / math.sqrt(n) / correlation.mean() / (2 * (t - tau))
    for measured, error, expected in ((Dt, Dt_error, model.Dt), (Dr, Dr_error, model.Dr)):
        assert error < 0.006 * expected, (measured, error, expected)
        assert abs(measured - expected) < 4 * error, (measured, error, expected)


def test_block_error_of_a_series_with_known_block_means():
    """22 values fall into blocks of 5, 5, 4, 4 and 4 (as numpy splits them) with means 1, 2, 3, 4, 5: the
    standard error of the mean is the standard deviation of 1…5, √2.5, over √5, that is √0.5."""
    ripple = {5: [-0.2, 0.2, -0.1, 0.1, 0.0], 4: [-0.3, 0.3, -0.1, 0.1]}  # sums to zero: block means unchanged
    blocks = zip([1, 2, 3, 4, 5], [5, 5, 4, 4, 4], strict=True)
    series = np.concatenate([mean + np.array(ripple[size]) for mean, size in blocks])
    assert len(series) == 22
    assert validation._block_error(series) == pytest.approx(math.sqrt(0.5), rel=1e-12)
    assert validation._block_error(np.full(20, 3.7)) == pytest.approx(0.0, abs=1e-15)


def test_check_reports_deviation():
    check = validation.Check("x", "lammps", 1.02, 0.01, 1.0, 0.03)
    assert check.deviation == pytest.approx(0.02) and check.passed
    assert not validation.Check("x", "lammps", 1.05, 0.01, 1.0, 0.03).passed
    assert validation.Check("escapes", "lammps", 0.0, 0.0, 0.0, 0.0).passed
    assert not validation.Check("escapes", "lammps", 2.0, 0.0, 0.0, 0.0).passed


DOCS = Path(__file__).parent.parent / "docs"
# the kinds worked out by reading each check: the anchor's 1.822 nm comes from inverting the formula that
# gives its expected value; the drying wall keeps the clusters below the interface by construction
NOT_EXACT = {
    "paper anchor E(1.822 nm)": "constants",
    "front speed": "protocol",
    "cluster centres ever above the interface": "protocol",
    "dried deposit: fraction of centres within d of the substrate": "protocol",
}


#: Checks per group in one engine's file (the analytic anchor in each file, K at two couplings)
PER_GROUP = {"pair": 3, "diffusion": 4, "association": 2, "drying": 3, "bond_length": 1, "adsorption": 1}


def _stored_checks():
    return [row for path in sorted(DOCS.glob("validation-*.json")) for row in json.loads(path.read_text())["checks"]]


def test_every_check_has_a_kind_and_a_group():
    assert set(PER_GROUP) == set(validation.GROUPS)
    files = sorted(DOCS.glob("validation-*.json"))
    assert {path.stem for path in files} == {"validation-lammps", "validation-hoomd"}
    for path in files:
        rows = json.loads(path.read_text())["checks"]
        groups = [validation.check_group(row["name"]) for row in rows]
        # a group is measured whole or not at all; the pair checks and the new checks on every engine
        assert all(groups.count(g) == PER_GROUP[g] for g in set(groups)), path.name
        assert {"pair", "bond_length", "adsorption"} <= set(groups), path.name
    assert len(_stored_checks()) > 20
    for row in _stored_checks():
        kind = validation.check_kind(row["name"])
        assert kind in validation.KINDS
        assert kind == NOT_EXACT.get(row["name"], "exact"), row["name"]
    with pytest.raises(ValueError, match="no kind"):
        validation.check_kind("a check nobody defined")
    with pytest.raises(ValueError, match="no group"):
        validation.check_group("a check nobody defined")


def test_new_checks_can_fail_on_a_wrong_model():
    """The tolerances of the bond-length and adsorption checks are smaller than the change of their exact
    values under a real error of the model: a shell modulus 50 % off, a shallower well at the interface."""
    from dipolewire.boltzmann import (
        exact_distance_distribution,
        exact_height_distribution,
        film_document,
        pair_document,
    )

    def mean_distance(**cluster):
        document = pair_document("lammps", validation.BOND_EPS_R)
        document["cluster"].update(cluster)
        edges = validation.BOND_EDGES
        p = exact_distance_distribution(Model(from_dict(document)), edges, validation.BOND_EPS_R)
        return np.sum(p * 0.5 * (edges[1:] + edges[:-1]))

    right, wrong = mean_distance(), mean_distance(shell_modulus="1.5 GPa")
    assert abs(wrong / right - 1) > validation.BOND_LENGTH_TOLERANCE

    def adsorbed(depth):
        document = film_document("lammps", validation.FILM_HEIGHT_NM, hypotheses={"interface_adsorption": depth})
        edges = validation.HEIGHT_EDGES
        p = exact_height_distribution(Model(from_dict(document)), edges)
        return p[edges[:-1] >= validation.ADSORBED_FROM_NM - 1e-9].sum()

    # the tolerance is three standard errors for the run's length: a 10 % shallower well fails the 6 µs
    # each engine runs, a 2 kT well a run of 600 ns
    assert adsorbed("3 kT") == pytest.approx(0.798, abs=0.001)
    assert adsorbed("2.7 kT") < 0.798 * (1 - validation.adsorption_tolerance(120_000))
    assert adsorbed("2 kT") < 0.798 * (1 - validation.adsorption_tolerance(12_000))
    lammps, hoomd = (validation.adsorption_tolerance(validation.ADSORPTION_SAMPLES[e]) for e in ("lammps", "hoomd"))
    assert lammps < 0.05 and hoomd < 0.05
    assert abs(adsorbed("2.7 kT") / adsorbed("3 kT") - 1) > lammps
    assert abs(adsorbed("2 kT") / adsorbed("3 kT") - 1) > hoomd


def test_measuring_some_groups_keeps_the_others(tmp_path):
    """``--checks pair`` replaces the pair checks in the stored file and keeps every other group's results."""
    stored = json.loads((DOCS / "validation-lammps.json").read_text())
    (tmp_path / "validation-lammps.json").write_text(json.dumps(stored))
    validation.measure("lammps", tmp_path, tmp_path / "runs", groups=["pair"])
    after = json.loads((tmp_path / "validation-lammps.json").read_text())
    assert [row["name"] for row in after["checks"]] == [row["name"] for row in stored["checks"]]
    kept = [row for row in stored["checks"] if validation.check_group(row["name"]) != "pair"]
    assert [row for row in after["checks"] if validation.check_group(row["name"]) != "pair"] == kept
    assert all(after[k] == v for k, v in stored.items() if k not in ("checks", "seconds"))


def test_page_shows_each_kind_and_calls_no_other_check_exact(tmp_path):
    pytest.importorskip("matplotlib")
    for path in DOCS.glob("validation-*.json"):
        shutil.copy(path, tmp_path / path.name)
    checks = validation.build_page(tmp_path)
    page = (tmp_path / "validation.md").read_text()
    table = [line.split(" | ") for line in page.splitlines() if line.startswith("| ") and " | kind | " not in line]
    assert len(table) == len(checks) == len(_stored_checks()) - 1  # the analytic anchor once
    assert {row[1] for row in table} == {"exact", "constants", "protocol"}
    for row in table:
        name, kind = row[0].removeprefix("| "), row[1]
        assert kind == NOT_EXACT.get(name, "exact"), name
    # the kinds are explained above the table, and the page no longer calls every expected value exact
    intro = page[: page.index("| check |")]
    assert all(f"**{kind}**" in intro for kind in ("exact", "constants", "protocol"))
    assert "Expected values are exact" not in page
    # the committed page is the one these stored results give (but for the line naming the machine)
    committed = (DOCS / "validation.md").read_text().splitlines()
    assert committed[:2] + committed[3:] == page.splitlines()[:2] + page.splitlines()[3:]
