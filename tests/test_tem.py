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
        ("distance_nm\n", "no data rows"),
        ("distance\n1.9\n", ":1: header must be"),
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
