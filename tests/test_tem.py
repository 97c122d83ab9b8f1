"""TEM spacing files and the statistics that compare them with simulated spacings."""

import numpy as np
import pytest

from dipolewire.analysis import tem
from dipolewire.errors import InputError


def write(tmp_path, text, name="tem.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_read_distances_and_histogram(tmp_path):
    d = tem.read(write(tmp_path, "# TEM, grid 3\ndistance_nm\n1.9\n2.1\n\n2.3\n"))
    np.testing.assert_allclose(d.distances, [1.9, 2.1, 2.3])
    assert d.mean == pytest.approx(2.1) and d.count == 3
    h = tem.read(write(tmp_path, "bin_left_nm,bin_right_nm,count\n1.8,2.0,1\n2.0,2.2,3\n", "h.csv"))
    np.testing.assert_allclose(h.edges, [1.8, 2.0, 2.2])
    assert h.count == 4
    assert h.mean == pytest.approx((1.9 + 3 * 2.1) / 4)
    # uniform within bins: variance = between-bin variance + width²/12
    assert h.std == pytest.approx(np.sqrt(np.average([1.9**2, 2.1**2], weights=[1, 3]) - h.mean**2 + 0.2**2 / 12))
    assert h.cdf(2.0) == pytest.approx(0.25) and h.cdf(2.1) == pytest.approx(0.625)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        (",,\n,,\n;\n", "is empty"),  # a blank sheet saved as CSV
        ("distance_nm\n", "no data rows"),
        ("distance\n1.9\n", ":1: column 'distance' has no unit"),
        ("area,mean\n1.9,2\n", ":1: header has no distance column"),
        ("distance_nm\n1.9\nabc\n", ":3: distance_nm 'abc' is not a number"),
        ("distance_nm\n1.9\n-2\n", ":3: distance_nm must be > 0"),
        ("distance_nm\n1.9,2.0\n", ":2: expected 1 column"),
        ("distance_nm\nnan\n", ":2: distance_nm must be finite"),
        ("bin_left_nm,bin_right_nm,count\n1.8,2.0,x\n", ":2: count 'x' is not a number"),
        ("bin_left_nm,bin_right_nm,count\n2.0,1.8,3\n", ":2: need 0 <= bin_left_nm < bin_right_nm"),
        ("bin_left_nm,bin_right_nm,count\n1.8,2.0,-1\n", ":2: count must be >= 0"),
        ("bin_left_nm,bin_right_nm,count\n1.8,2.0,1\n2.1,2.3,1\n", ":3: bins must be contiguous"),
        ("bin_left_nm,bin_right_nm,count\n1.8,2.0,0\n", "all counts are zero"),
    ],
)
def test_malformed_files_get_line_numbered_errors(tmp_path, text, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        tem.read(write(tmp_path, text))


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        tem.read(tmp_path / "nope.csv")


def test_identical_samples_compare_perfectly():
    rng = np.random.default_rng(2)
    sample = rng.normal(2.0, 0.15, 500)
    stats = tem.compare(sample, tem.TemData("x", distances=sample))
    assert stats["ks_statistic"] == pytest.approx(0.0, abs=1e-12)
    assert stats["wasserstein_nm"] == pytest.approx(0.0, abs=1e-9)
    assert stats["overlap"] == pytest.approx(1.0)


def test_shift_gives_wasserstein_equal_to_the_shift():
    rng = np.random.default_rng(3)
    sample = rng.normal(2.0, 0.1, 400)
    stats = tem.compare(sample + 0.3, tem.TemData("x", distances=sample))
    assert stats["wasserstein_nm"] == pytest.approx(0.3, rel=2e-3)
    assert stats["simulated"]["mean_nm"] - stats["tem"]["mean_nm"] == pytest.approx(0.3)


def test_disjoint_distributions():
    stats = tem.compare(
        np.full(10, 1.6), tem.TemData("x", edges=np.array([2.0, 2.2, 2.4]), counts=np.array([1.0, 1.0]))
    )
    assert stats["ks_statistic"] == pytest.approx(1.0)
    assert stats["overlap"] == pytest.approx(0.0)
    assert stats["fraction_simulated_in_band"] == 0.0
    # W1 between a point at 1.6 and a uniform density on [2.0, 2.4] is 2.2 − 1.6
    assert stats["wasserstein_nm"] == pytest.approx(0.6, rel=1e-3)


def test_fraction_in_band():
    stats = tem.compare(np.array([1.7, 1.9, 2.0, 2.6]), tem.TemData("x", distances=np.array([2.0])))
    assert stats["fraction_simulated_in_band"] == pytest.approx(0.5)


# --- values on bin edges, and every simulated spacing in the comparison figure -------------------------

ON_EDGES = np.array([1.80, 1.85, 1.90, 1.95, 2.00, 2.05, 2.10, 2.15, 2.20, 2.25, 2.30, 2.35, 2.40, 2.45])


def test_a_value_on_an_edge_goes_in_the_bin_that_starts_there():
    from dipolewire.analysis import binning

    edges = binning.uniform_edges(1.5, 2.6, 0.05)
    assert edges[6] == 1.80 and edges[7] == 1.85  # the decimal values, not 1.8500000000000003
    counts = binning.histogram(ON_EDGES, edges)
    assert [float(edges[k]) for k in np.flatnonzero(counts)] == ON_EDGES.tolist()
    # the last edge closes the last bin; values outside are left out
    assert binning.histogram([2.6, 2.61, 1.49], edges).tolist() == [0] * (len(edges) - 2) + [1]


def test_spacing_histogram_puts_measured_distances_in_their_own_bins():
    from dipolewire.analysis import Spacing

    counts, edges = Spacing(bins=54, r_max=2.7).compute(ON_EDGES).histogram
    assert [round(float(edges[k]), 2) for k in np.flatnonzero(counts)] == ON_EDGES.tolist()


def test_raw_tem_distances_on_edges_fall_in_the_bins_that_start_there():
    data = tem.TemData("lab", distances=np.array([1.85, 1.85, 2.0]))
    edges = tem.comparison_edges(np.array([1.851]), data)
    stats = tem.compare(np.array([1.851, 1.851, 2.001]), data)
    # 1.85 and 1.851 share the bin [1.85, 1.90), 2.0 and 2.001 share [2.00, 2.05): the densities coincide
    assert stats["overlap"] == pytest.approx(1.0)
    assert 1.85 in edges.tolist()


def test_every_simulated_spacing_appears_beside_a_histogram_file(tmp_path):
    """A histogram TEM file over 1.8-2.5 nm and simulated spacings of which 70 % lie below it: the drawn
    simulated density integrates to 1, and the title states the fraction outside the TEM range."""
    from dipolewire.analysis.figures import tem_overlay

    path = tmp_path / "tem.csv"
    edges = np.round(np.arange(36, 51) * 0.05, 2)
    rows = "\n".join(f"{a:.2f},{b:.2f},{c}" for a, b, c in zip(edges[:-1], edges[1:], range(1, 15), strict=True))
    path.write_text("bin_left_nm,bin_right_nm,count\n" + rows + "\n")
    data = tem.read(path)
    simulated = np.concatenate([np.full(70, 1.62), np.linspace(1.9, 2.4, 30)])
    stats = tem.compare(simulated, data)
    assert stats["fraction_simulated_outside_tem_range"] == pytest.approx(0.7)
    ax = tem_overlay(simulated, data, stats)
    drawn = [patch for patch in ax.patches if "simulated" in str(patch.get_label())]
    values, drawn_edges = drawn[0].get_data()[:2]
    assert float(np.sum(values * np.diff(drawn_edges))) == pytest.approx(1.0)
    assert drawn_edges[0] <= 1.62 and "70% of simulated spacings outside" in ax.get_title()


def test_fraction_outside_the_range_of_raw_tem_distances():
    """Raw TEM distances span 1.8-2.5 nm; of four simulated spacings, 1.6 and 2.7 nm lie outside."""
    data = tem.TemData("lab", distances=np.array([1.8, 2.0, 2.5]))
    stats = tem.compare(np.array([1.6, 1.9, 2.4, 2.7]), data)
    assert stats["fraction_simulated_outside_tem_range"] == pytest.approx(0.5)


# --- files as spreadsheets and image tools write them --------------------------------------------------


def write_bytes(tmp_path, data: bytes, name="tem.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_excel_utf8_file_with_a_byte_order_mark(tmp_path):
    """Excel's "CSV UTF-8" starts with EF BB BF: the header is still distance_nm."""
    d = tem.read(write_bytes(tmp_path, b"\xef\xbb\xbfdistance_nm\r\n1.92\r\n2.10\r\n"))
    assert d.distances.tolist() == [1.92, 2.10]


def test_windows_1252_file_with_micro_and_angstrom_signs(tmp_path):
    """Bytes B5 (µ) and C5 (Å) are not UTF-8: read as Windows-1252, the Å header gives distances in Å."""
    raw = b"# scale bar 5 \xb5m, 200 kV\ndistance_\xc5\n19.2\n21.0\n"
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    d = tem.read(write_bytes(tmp_path, raw))
    assert d.distances.tolist() == [1.92, 2.1] and d.column == "distance_Å"


def test_imagej_results_table_with_column_length(tmp_path):
    """A Fiji "Results" table: row index column with a blank header, other measurements beside the length."""
    text = (
        " ,Area,Mean,Min,Max,Angle,Length (nm)\n"
        "1,0.512,118.2,40,255,-12.5,1.94\n"
        "2,0.498,120.9,38,255,3.1,2.21\n"
        "3,0.530,117.4,41,251,177.0,1.87\n"
    )
    path = write(tmp_path, text)
    d = tem.read(path, column="Length")
    assert d.distances.tolist() == [1.94, 2.21, 1.87]
    # the only distance-like column: found without --column too
    assert tem.read(path).distances.tolist() == [1.94, 2.21, 1.87]


def test_a_header_without_unit_takes_unit_from_the_option(tmp_path):
    """ImageJ writes "Length" in its calibrated unit without naming it: --unit names it."""
    path = write(tmp_path, " ,Area,Angle,Length\n1,0.5,-12.5,19.4\n2,0.5,3.1,22.1\n")
    with pytest.raises(InputError, match="has no unit; .* or give --unit"):
        tem.read(path)
    assert tem.read(path, column="Length", unit="A").distances.tolist() == [1.94, 2.21]
    assert tem.read(path, unit="nm").distances.tolist() == [19.4, 22.1]
    with pytest.raises(InputError, match="--unit: must be a length unit"):
        tem.read(path, unit="px")
    with pytest.raises(InputError, match="--unit: .* says its unit is nm, not pm"):
        tem.read(write(tmp_path, "distance_nm\n1.9\n"), unit="pm")


@pytest.mark.parametrize(
    "text",
    [
        "distance_A\n19.2\n21.05\n18\n",
        "distance_Å\n19.2\n21.05\n18\n",
        "Length [Å]\n19.2\n21.05\n18\n",
        "distance_pm\n1920\n2105\n1800\n",
        "Length (pm)\n1920\n2105\n1800\n",
        "distance_um\n0.00192\n0.002105\n0.0018\n",
        "distance (µm)\n0.00192\n0.002105\n0.0018\n",
    ],
)
def test_angstrom_and_picometre_headers_give_the_nm_values(tmp_path, text):
    nm = tem.read(write(tmp_path, "distance_nm\n1.92\n2.105\n1.8\n", "nm.csv")).distances
    assert tem.read(write(tmp_path, text)).distances.tolist() == nm.tolist() == [1.92, 2.105, 1.8]


def test_histogram_in_angstrom(tmp_path):
    h = tem.read(write(tmp_path, "bin_left_A,bin_right_A,count\n18,20,1\n20,22,3\n"))
    assert h.edges.tolist() == [1.8, 2.0, 2.2] and h.counts.tolist() == [1, 3]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bin_left_nm,bin_right_nm,count\n1.8,2.0,2\n2.0,2.2,2.5\n", ":3: count must be a whole number"),
        ("Length\n1.9\n", ":1: column 'Length' has no unit; write it in the header"),
        ("distance_px\n19\n", ":1: column 'distance_px': 'px' is not a length unit"),
        ("distance_nm,Length (nm)\n1.9,1.9\n", ":1: several columns could hold the distances"),
    ],
)
def test_lab_file_mistakes_get_line_numbered_errors(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(InputError, match=f"{path}{message}".replace("(", r"\(")):
        tem.read(path)


def test_unknown_column(tmp_path):
    with pytest.raises(InputError, match=r"--column: .*:1: no column 'Perimeter'; the header has 'Area', 'Length"):
        tem.read(write(tmp_path, "Area,Length (nm)\n1,2\n"), column="Perimeter")


def test_ks_p_value_is_scipys_for_raw_distances():
    from scipy.stats import ks_2samp

    rng = np.random.default_rng(5)
    simulated, measured = rng.normal(2.0, 0.15, 80), rng.normal(2.1, 0.2, 60)
    stats = tem.compare(simulated, tem.TemData("x", distances=measured))
    expected = ks_2samp(simulated, measured)
    assert stats["ks_p_value"] == expected.pvalue and stats["ks_statistic"] == expected.statistic
    assert 0.0 < stats["ks_p_value"] < 1.0


def test_ks_p_value_for_a_histogram_uses_the_effective_size():
    """Nine simulated spacings at 1.6 nm and one at 2.3 nm against a histogram of 10 over 2.0-2.4 nm:
    D = 0.9 (just below 2.0 nm) and n·m/(n+m) = 5. For d > 1 − 1/n the one-sample distribution is
    P(D_n >= d) = 2(1 − d)^n (Birnbaum & Tingey 1951), so p = 2 × 0.1^5 = 2e-5."""
    simulated = np.array([1.6] * 9 + [2.3])
    stats = tem.compare(simulated, tem.TemData("x", edges=np.array([2.0, 2.2, 2.4]), counts=np.array([4.0, 6.0])))
    assert stats["ks_statistic"] == pytest.approx(0.9, abs=1e-12)
    assert stats["ks_p_value"] == pytest.approx(2e-5, rel=1e-9)
    assert stats["ks_p_value_method"].startswith("approximate")


@pytest.mark.parametrize(
    ("header", "options", "message"),
    [
        ("distance_nm,Length (nm)", [], "several columns could hold the distances: 'distance_nm'; 'Length (nm)'"),
        ("Area,Length (nm)", ["--column", "Perimeter"], "--column: "),
    ],
)
def test_compare_refuses_ambiguous_or_unknown_columns(stored_run, tmp_path, capsys, header, options, message):
    from dipolewire.cli import main

    path = write(tmp_path, f"{header}\n1.9,2.0\n")
    out = tmp_path / "out"
    assert main(["compare", str(stored_run), "--tem", str(path), *options, "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("dipolewire: error: ") and message in error and f"{path}:1:" in error
    assert len(error.strip().splitlines()) == 1 and not out.exists()


def test_compare_reads_the_named_column_and_reports_the_p_value(stored_run, tmp_path, capsys):
    import json

    from dipolewire.cli import main

    path = write(tmp_path, " ,Area,Angle,Length (nm),Length (px)\n1,0.5,3,1.9,19\n2,0.5,3,2.1,21\n3,0.5,3,2.3,23\n")
    assert (
        main(["compare", str(stored_run), "--tem", str(path), "--column", "Length (nm)", "--out", str(tmp_path)]) == 0
    )
    stats = json.loads((tmp_path / "compare.json").read_text())
    assert stats["tem"]["column"] == "Length (nm)" and stats["tem"]["mean_nm"] == pytest.approx(2.1)
    assert 0.0 <= stats["ks_p_value"] <= 1.0
    assert f"p = {stats['ks_p_value']:.3g})" in capsys.readouterr().out
