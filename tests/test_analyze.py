"""Chain, spacing and order measures on constructed frames with known answers."""

import numpy as np
import pytest

from dipolewire.analysis import Chains, Order, Spacing

BOX = (40.0, 40.0, 40.0)


def straight_chain(n, spacing, start=(0.0, 0.0, 0.0), direction=(1.0, 0.0, 0.0)):
    direction = np.asarray(direction, dtype=float) / np.linalg.norm(direction)
    positions = np.asarray(start) + spacing * np.arange(n)[:, None] * direction
    return positions, np.tile(direction, (n, 1))


def wrap(positions, box=BOX):
    L = np.asarray(box)
    return (positions + L / 2) % L - L / 2


def test_results_refuse_before_compute():
    with pytest.raises(AttributeError, match="call compute"):
        _ = Chains().lengths
    with pytest.raises(AttributeError, match="call compute"):
        _ = Spacing().mean


def test_straight_chain_is_measured_exactly():
    positions, u = straight_chain(8, 1.9, start=(-10.0, 3.0, 0.0))
    chains = Chains().compute(BOX, positions, u)
    assert chains.lengths.tolist() == [8]
    assert chains.chains[0].tolist() == list(range(8))  # ordered tail → head
    assert chains.contour_lengths[0] == pytest.approx(7 * 1.9)
    assert chains.end_to_end[0] == pytest.approx(7 * 1.9)
    assert chains.straightness[0] == pytest.approx(1.0)
    assert chains.fraction_in_chains == 1.0
    assert chains.longest == pytest.approx(13.3)
    assert chains.chain_angles[0] == pytest.approx(0.0)
    spacing = Spacing().compute(chains.spacings)
    np.testing.assert_allclose(spacing.distances, 1.9)
    assert spacing.mean == pytest.approx(1.9)
    assert spacing.std == pytest.approx(0.0, abs=1e-12)
    assert spacing.fraction_in() == 1.0
    counts, edges = spacing.histogram
    assert counts.sum() == 7 and edges[np.argmax(counts)] <= 1.9 < edges[np.argmax(counts) + 1]


def test_chain_across_the_periodic_boundary():
    positions, u = straight_chain(6, 2.0, start=(15.0, -19.0, 0.0), direction=(1.0, 1.0, 0.0))
    chains = Chains().compute(BOX, wrap(positions), u)
    assert chains.lengths.tolist() == [6]
    assert chains.contour_lengths[0] == pytest.approx(10.0)
    assert chains.end_to_end[0] == pytest.approx(10.0)  # unwrapped, not the wrapped span
    assert chains.chain_angles[0] == pytest.approx(45.0)


def test_several_chains_give_the_textbook_averages():
    parts = [straight_chain(n, 1.8, start=(-15.0, y, 0.0)) for n, y in ((3, -10.0), (5, 0.0), (7, 10.0))]
    positions = np.concatenate([p for p, _ in parts])
    u = np.concatenate([d for _, d in parts])
    chains = Chains().compute(BOX, positions, u)
    assert sorted(chains.lengths.tolist()) == [3, 5, 7]
    assert chains.number_average == pytest.approx(5.0)
    assert chains.weight_average == pytest.approx((9 + 25 + 49) / 15)
    assert chains.summary()["longest_chain_clusters"] == 7


def test_ring_is_reported_apart():
    n, radius = 12, 3.5
    phi = 2 * np.pi * np.arange(n) / n
    positions = np.column_stack([radius * np.cos(phi), radius * np.sin(phi), np.zeros(n)])
    tangents = np.column_stack([-np.sin(phi), np.cos(phi), np.zeros(n)])
    chains = Chains().compute(BOX, positions, tangents)
    assert chains.ring_sizes.tolist() == [12]
    assert len(chains.chains) == 0
    assert chains.fraction_in_chains == 1.0
    np.testing.assert_allclose(chains.spacings, 2 * radius * np.sin(np.pi / n))


@pytest.mark.parametrize(
    ("u_left", "u_right", "bonded"),
    [
        ((1, 0, 0), (1, 0, 0), True),  # head to tail
        ((-1, 0, 0), (1, 0, 0), False),  # tail to tail
        ((1, 0, 0), (-1, 0, 0), False),  # head to head
        ((0, 1, 0), (0, 1, 0), False),  # side by side, parallel
        ((0, 1, 0), (0, -1, 0), False),  # side by side, antiparallel
    ],
)
def test_only_head_to_tail_pairs_are_bonds(u_left, u_right, bonded):
    positions = np.array([[0.0, 0.0, 0.0], [1.8, 0.0, 0.0]])
    chains = Chains().compute(BOX, positions, np.array([u_left, u_right], dtype=float))
    assert (len(chains.bonds) == 1) is bonded


def test_distance_and_angle_limits():
    positions, u = straight_chain(2, 2.8)
    assert len(Chains().compute(BOX, positions, u).bonds) == 0  # beyond 2.7 nm
    assert len(Chains(r_max=3.0).compute(BOX, positions, u).bonds) == 1
    tilted = np.array([[1.0, 0.0, 0.0], [np.cos(np.radians(50)), np.sin(np.radians(50)), 0.0]])
    assert len(Chains().compute(BOX, positions[:1].repeat(2, 0) + [[0, 0, 0], [1.8, 0, 0]], tilted).bonds) == 0
    assert (
        len(Chains(max_angle=55).compute(BOX, positions[:1].repeat(2, 0) + [[0, 0, 0], [1.8, 0, 0]], tilted).bonds) == 1
    )


def test_branch_keeps_the_nearest_partner():
    positions = np.array([[0.0, 0.0, 0.0], [1.8, 0.3, 0.0], [2.0, -0.5, 0.0]])
    u = np.tile([1.0, 0.0, 0.0], (3, 1))
    chains = Chains().compute(BOX, positions, u)
    assert chains.bonds.tolist() == [[0, 1]]
    assert sorted(chains.lengths.tolist()) == [1, 2]


def test_two_dimensional_view_projects_tilted_chains():
    tilt = np.radians(30)
    positions, u = straight_chain(4, 2.0, direction=(np.cos(tilt), 0.0, np.sin(tilt)))
    chains = Chains(dimensions=2).compute(BOX, positions, u)
    np.testing.assert_allclose(chains.spacings, 2.0 * np.cos(tilt))
    np.testing.assert_allclose(Chains(dimensions=3).compute(BOX, positions, u).spacings, 2.0)


def test_ideal_gas_rarely_chains():
    """Random positions and orientations: the bonded fraction matches the Poisson estimate."""
    rng = np.random.default_rng(11)
    n, L = 4000, 80.0
    positions = rng.uniform(-L / 2, L / 2, size=(n, 3))
    u = rng.normal(size=(n, 3))
    chains = Chains().compute((L, L, L), positions, u)
    c = np.cos(np.radians(45.0))
    # mean number of candidates ahead: density × cone volume × chance that the dipoles align
    ahead = n / L**3 * (2 * np.pi / 3) * 2.7**3 * (1 - c) * (1 - c) / 2
    expected = 1 - np.exp(-2 * ahead)  # a bond ahead or behind
    assert expected < 0.03
    assert chains.fraction_in_chains == pytest.approx(expected, abs=0.01)


def test_order_parameters():
    aligned = np.tile([0.0, 0.0, 1.0], (50, 1))
    order = Order().compute(aligned)
    assert order.polar == pytest.approx(1.0)
    assert order.nematic == pytest.approx(1.0)
    half = np.concatenate([aligned[:25], -aligned[25:]])
    order = Order().compute(half)
    assert order.polar == pytest.approx(0.0, abs=1e-12)
    assert order.nematic == pytest.approx(1.0)
    rng = np.random.default_rng(5)
    random = Order().compute(rng.normal(size=(20000, 3)))
    assert random.polar < 0.03 and random.nematic < 0.05


def test_chain_orientation_order_in_the_plane():
    parts = [straight_chain(3, 1.8, start=(-15.0 + 8 * k, -10.0, 0.0), direction=(0.0, 1.0, 0.0)) for k in range(4)]
    positions = np.concatenate([p for p, _ in parts])
    u = np.concatenate([d for _, d in parts])
    chains = Chains().compute(BOX, positions, u)
    order = Order().compute(u, chains)
    assert order.chain_order_2d == pytest.approx(1.0)
    assert order.polar_in_chains == pytest.approx(1.0)
    np.testing.assert_allclose(np.abs(chains.chain_angles), 90.0)


def test_plots_and_notebook_images():
    positions, u = straight_chain(5, 1.9)
    chains = Chains().compute(BOX, positions, u)
    assert chains._repr_png_()[:4] == b"\x89PNG"
    assert Spacing().compute(chains.spacings)._repr_png_()[:4] == b"\x89PNG"
    assert Order().compute(u, chains)._repr_png_()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("measure", "read"),
    [
        (Chains(), lambda c: c.fraction_in_chains),
        (Chains(), lambda c: c.summary()),
        (Chains(), lambda c: c.plot()),
        (Spacing(), lambda s: s.mean),
        (Spacing(), lambda s: s.percentiles()),
        (Spacing(), lambda s: s.plot()),
        (Order(), lambda o: o.polar),
        (Order(), lambda o: o.plot()),
    ],
)
def test_results_and_plots_before_compute_give_one_clear_error(measure, read):
    from dipolewire.analysis.compute import NotComputedError

    with pytest.raises(NotComputedError, match=f"{type(measure).__name__}: call compute\\(\\) before reading"):
        read(measure)
    assert measure._repr_png_() is None  # a notebook shows the repr text instead


def test_repr_shows_settings_and_results():
    positions, u = straight_chain(5, 1.9)
    chains = Chains(r_max=2.5, dimensions=2)
    assert repr(chains) == "Chains(r_max=2.5, max_angle=45.0, dimensions=2)"
    chains.compute(BOX, positions, u)
    assert repr(chains).endswith("100% of 5 clusters in chains (2D), ⟨n⟩w = 5.00, 0 rings")
    assert "4 spacings, 1.900 ± 0.000 nm" in repr(Spacing().compute(chains.spacings))


def test_figures_leave_matplotlib_global_state_alone(tmp_path):
    """Drawing every figure of `dipolewire analyze` selects no backend and opens no pyplot figure (as in a
    notebook, whose inline backend must keep working)."""
    import subprocess
    import sys

    from conftest import STORED_TRAJECTORY

    code = f"""
import matplotlib, sys
backend = matplotlib.get_backend()
from dipolewire.analysis import run_analysis
run_analysis.analyze_trajectory({str(STORED_TRAJECTORY)!r}, {str(tmp_path / "a")!r}, progress=False)
assert matplotlib.get_backend() == backend, (backend, matplotlib.get_backend())
# freud imports pyplot itself; what matters is that no figure was opened in pyplot's manager
pyplot = sys.modules.get("matplotlib.pyplot")
print(pyplot.get_fignums() if pyplot else [])
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"MPLBACKEND": "svg"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
    assert (tmp_path / "a" / "timeseries.png").read_bytes()[:4] == b"\x89PNG"
