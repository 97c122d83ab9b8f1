"""The simulated TEM micrograph against exact results: PSF width, spot positions, shot noise, Z-contrast."""

import json

import numpy as np
import pytest

from dipolewire.analysis import Chains
from dipolewire.analysis import micrograph as mg
from dipolewire.cli import main
from dipolewire.errors import InputError
from dipolewire.spec import derived_geometry

BOX = (20.0, 20.0)
#: The R-Au-Cu cores (nm): Au 0.86 nm and Cu 0.60 nm in diameter, centres on the Janus axis.
GEOMETRY = derived_geometry(0.86, 0.60, 0.33, 0.6, 0.45)
ATOMS = {"Au": 8, "Cu": 4}


def clusters(centres, axes, au_z=GEOMETRY.au_z, cu_z=GEOMETRY.partner_z):
    """Cores of Janus clusters at ``centres`` (n, 2) nm with Janus axes ``axes`` (n, 2), Au at ``au_z`` nm."""
    centres = np.asarray(centres, dtype=float)
    axes = np.asarray(axes, dtype=float)
    axes = axes / np.linalg.norm(axes, axis=1, keepdims=True)
    n = len(centres)
    return mg.Cores(
        positions=np.concatenate([centres + au_z * axes, centres + cu_z * axes]),
        diameters=np.repeat([0.86, 0.60], n),
        metals=np.repeat(["Au", "Cu"], n),
        owner=np.tile(np.arange(n), 2),
    )


def image_of(cores, optics=None, seed=None, box=BOX):
    optics = optics or mg.Optics()
    return mg.render(cores, mg.core_weights(cores.metals, ATOMS, optics), box, optics, seed)


def scattered(image):
    """Electrons scattered out of the beam in each pixel (noise-free)."""
    return image.vacuum_counts - image.expected


@pytest.mark.parametrize("resolution", [0.3, 0.6])
def test_point_core_is_imaged_with_the_stated_resolution(resolution):
    optics = mg.Optics(resolution_nm=resolution)
    point = mg.Cores(np.array([[0.025, -0.025]]), np.array([1e-4]), np.array(["Au"]), np.array([0]))  # a pixel centre
    signal = scattered(image_of(point, optics))
    row = signal[np.unravel_index(np.argmax(signal), signal.shape)[0]]
    x = -BOX[0] / 2 + (np.arange(len(row)) + 0.5) * 0.05
    half = row.max() / 2
    above = np.flatnonzero(row >= half)
    left, right = above[0], above[-1]
    # linear interpolation of the two half-maximum crossings
    x_left = np.interp(half, [row[left - 1], row[left]], [x[left - 1], x[left]])
    x_right = np.interp(half, [row[right + 1], row[right]], [x[right + 1], x[right]])
    # the detector's pixel aperture adds 0.05²/12 nm² to the variance: 0.3 → 0.3019 nm
    assert x_right - x_left == pytest.approx(resolution, abs=0.005)


def test_head_to_tail_chain_is_measured_at_its_spacing():
    spacing, angle = 1.93, np.radians(30.0)  # 38.6 pixels: the spots fall on different sub-pixel positions
    direction = np.array([np.cos(angle), np.sin(angle)])
    centres = (np.arange(6) - 2.5)[:, None] * spacing * direction
    axes = np.tile(direction, (6, 1))
    chains = Chains(dimensions=2).compute(
        (*BOX, 10.0), np.column_stack([centres, np.zeros(6)]), np.column_stack([axes, np.zeros(6)])
    )
    assert len(chains.bonds) == 5
    result = mg.measure(image_of(clusters(centres, axes)), centres, chains.bonds, chains.spacings)
    assert result.summary()["clusters_missed_fraction"] == 0 and result.false_spots == 0
    np.testing.assert_allclose(result.measured, spacing, atol=1e-4)  # 1/500 of a pixel


def test_shot_noise_is_poisson_at_the_stated_dose():
    empty = mg.Cores(np.zeros((0, 2)), np.zeros(0), np.zeros(0, dtype=str), np.zeros(0, dtype=int))
    optics = mg.Optics(dose_per_nm2=1e4)  # 100 e/Å²: 25 electrons in a 0.05 nm pixel
    counts = image_of(empty, optics, seed=3).counts
    assert counts.shape == (400, 400)
    n = counts.size
    mean, variance = counts.mean(), counts.var(ddof=1)
    assert mean == pytest.approx(25.0, abs=5 * np.sqrt(25.0 / n))
    # the variance of a sample variance of Poisson(λ) counts is (2λ² + λ)/n
    assert variance == pytest.approx(25.0, abs=5 * np.sqrt((2 * 25.0**2 + 25.0) / n))
    assert np.array_equal(counts, np.round(counts))


@pytest.mark.parametrize("exponent", [1.7, 1.0])
def test_au_core_outshines_cu_core_by_atoms_times_z_to_the_exponent(exponent):
    optics = mg.Optics(exponent=exponent)
    cores = mg.Cores(np.array([[-5.0, 0.0], [5.0, 0.0]]), np.array([0.86, 0.60]), np.array(["Au", "Cu"]), np.arange(2))
    signal = scattered(image_of(cores, optics))
    x = -BOX[0] / 2 + (np.arange(signal.shape[1]) + 0.5) * 0.05
    au, cu = signal[:, x < 0].sum(), signal[:, x > 0].sum()
    assert au / cu == pytest.approx(2 * (79 / 29) ** exponent, rel=1e-6)
    # every scattered electron is counted once: dose × atoms × cross-section
    assert au == pytest.approx(1e5 * 8 * 2.0e-3, rel=1e-6)


def test_head_to_head_pairs_look_closer_and_tail_to_tail_farther():
    """The spot of a cluster sits near its brightness centroid, pulled towards Au: Au cores 0.2 nm ahead of
    the centre and Cu 0.2 nm behind put the centroid 0.2 (w_Au − w_Cu)/(w_Au + w_Cu) = 0.167 nm towards Au."""
    w_au, w_cu = 8 * 79**1.7, 4 * 29**1.7
    pull = 0.2 * (w_au - w_cu) / (w_au + w_cu)
    centres = np.array([[-1.0, 0.0], [1.0, 0.0]])
    measured = {}
    for name, axes in {
        "head-to-head": [[1, 0], [-1, 0]],
        "tail-to-tail": [[-1, 0], [1, 0]],
        "head-to-tail": [[1, 0], [1, 0]],
    }.items():
        image = image_of(clusters(centres, axes, au_z=0.2, cu_z=-0.2))
        result = mg.measure(image, centres, [[0, 1]], [2.0])
        measured[name] = result.measured[0]
    assert measured["head-to-tail"] == pytest.approx(2.0, abs=0.002)
    assert measured["head-to-head"] < 2.0 < measured["tail-to-tail"]
    assert 2.0 - measured["head-to-head"] == pytest.approx(2 * pull, rel=0.1)
    assert measured["tail-to-tail"] - 2.0 == pytest.approx(2 * pull, rel=0.1)


def test_atoms_come_from_the_runs_cluster_formula(tmp_path):
    def atoms(formula, metals):
        (tmp_path / "spec.toml").write_text(f'[cluster]\nelemental_formula = "{formula}"\n' if formula else "")
        return mg.core_atoms_of_run(tmp_path / "trajectory.gsd", metals)[0]

    assert atoms("Au8(C44H32P2)3Cu4(C4N2S2)3", {"Au", "Cu"}) == {"Au": 8, "Cu": 4}
    assert atoms("Au3(C25H22P2)3Cd(C4N2S2)Cl", {"Au", "Cd"}) == {"Au": 3, "Cd": 1}
    assert atoms(None, {"Au", "Cu"}) == {"Au": 8, "Cu": 4}  # assumed, and said so
    with pytest.raises(InputError, match="RUN: no atom count for core type.s. Ag"):
        atoms("Au8(C44H32P2)3Cu4(C4N2S2)3", {"Au", "Ag"})
    with pytest.raises(InputError, match="no atom count for core type.s. Cd: Au8/Cu4 assumed"):
        atoms(None, {"Au", "Cd"})


def test_bias_statistics_of_a_known_shift():
    true = np.array([1.9, 2.0, 2.1, 2.2])
    bias = mg.spacing_bias(true, true + 0.05)
    assert bias["mean_shift_nm"] == pytest.approx(0.05)
    assert bias["mean_shift_se_nm"] == pytest.approx(0.0, abs=1e-12)
    assert bias["std_ratio"] == pytest.approx(1.0)
    assert mg.spacing_bias(true, 2 * true)["std_ratio"] == pytest.approx(2.0)


def test_cli_writes_image_spacings_and_report(stored_run, tmp_path, capsys):
    out = tmp_path / "m"
    assert main(["micrograph", str(stored_run), "--out", str(out), "--dose", "1e6 e/nm²", "--seed", "5"]) == 0
    for name in ("micrograph.png", "micrograph_spacings.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"
    report = json.loads((out / "micrograph.json").read_text())
    assert report["image"]["dose_e_per_A2"] == pytest.approx(1e4)
    assert report["image"]["core_atoms"] == {"Au": 8, "Cu": 4}
    assert report["dimensions"] == 2 and report["frame"] == 12
    assert report["true"]["count"] == report["measurement"]["bonds"] > 0
    assert abs(report["bias"]["mean_shift_nm"]) < 0.05
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("frame 12 (2D): true ") and "mean shift" in lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--resolution", "-0.3 nm"], "--resolution: must be in (0, 5] nm"),
        (["--resolution", "0.3"], "--resolution: '0.3' has no unit"),
        (["--pixel", "0.2 nm"], "--pixel: must be in (0, 0.15] nm"),
        (["--dose", "1000 s"], "--dose: '1000 s' is not a dose"),
        (["--exponent", "3"], "--exponent: must be in [1, 2]"),
        (["--frame", "99"], "--frame: must be in -13 … 12"),
    ],
)
def test_cli_bad_options_exit_2_and_write_nothing(stored_run, tmp_path, capsys, args, message):
    out = tmp_path / "m"
    assert main(["micrograph", str(stored_run), "--out", str(out), *args]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dipolewire: error: ") and message in lines[0]
    assert not out.exists()


def test_doses_and_areas_parse_in_electrons_per_nm2_and_nm2():
    from dipolewire.units import parse

    assert parse("1000 e/Å²", "dose") == pytest.approx(1e5)
    assert parse("1e5 electrons/nm^2", "dose") == pytest.approx(1e5)
    assert parse("0.2 Å²", "area") == pytest.approx(0.002)
