"""Runs that skip the dilute drying ([start]): a film already thin, or another run's frame tiled nx × ny.

What is checked: the fields and their records (the refusals are in test_bad_inputs.py), that clusters placed in a
thin film sit inside it without overlaps, that a tiled frame is exactly nx·ny copies of the original moved by whole
cells, that the run plan of a large film states its wall time on 2 cores and no GPU number, and that short runs from
each kind of start complete and write valid trajectories (and resume).
"""

import json
import shutil
import tomllib
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA, STORED_TRAJECTORY, tiny_document
from scipy.spatial import cKDTree

from dipolewire import engines, film_start, run_plan
from dipolewire.errors import InputError
from dipolewire.geometry import rotate
from dipolewire.model import NEIGHBOR_ROOM_NM, Model
from dipolewire.runner import execute, fresh_start
from dipolewire.spec import from_dict, load
from dipolewire.trajectory import LOG, centers, logged, open_trajectory, validate

RUNS = Path(__file__).parents[1] / "runs"
#: The stored run's last frame: 40 clusters over 16 nm × 16 nm dried to 2.11 nm at εr 1.5 (tests/data).
STORED_LAST = 12


def film_document(height="5 nm", start=None, **changes):
    """The tiny run file starting from a film ``height`` thick (``start``: more [start] fields)."""
    return tiny_document(start={"film_height": height, **(start or {})}, **changes)


def tiled_document(from_run, replicate=(2, 3), start=None, **changes):
    """The tiny run file starting from ``from_run``'s last frame tiled ``replicate`` times (no [amount]; ``start``:
    more [start] fields)."""
    fields = {"from_run": str(from_run), "replicate": list(replicate), **(start or {})}
    document = tiny_document(start=fields, **changes)
    del document["amount"]
    return document


def _run_without_spec(tmp_path) -> Path:
    out = tmp_path / "tiny"
    out.mkdir()
    shutil.copy(STORED_TRAJECTORY, out / "trajectory.gsd")
    shutil.copy(DATA / "tiny-drying.toml", out / "spec.toml")
    return out


# --- a film already thin ----------------------------------------------------------------------------------------


def test_a_film_start_takes_the_drying_schedules_permittivity_at_its_height():
    """The tiny run dries 12.97296 → 2.11 nm while εr goes 8.93 → 1.5, linear in the solvent left: at 5 nm,
    1.5 + 7.43 × (5 − 2.11)/(12.97296 − 2.11) = 3.47669 (by hand). The interface descends from 5 nm at 1 nm/ns,
    2.89 ns, then holds 1 ns; the schedule's H0 (and so Pe) stays the solution's."""
    spec = from_dict(film_document())
    assert spec.start.film_height == 5.0
    assert spec.start.permittivity == pytest.approx(3.47669, abs=1e-5)
    model = Model(spec)
    assert model.initial_height == 5.0
    assert float(model.film_height(0.0)) == 5.0 and float(model.film_height(2.89)) == pytest.approx(2.11)
    assert float(model.permittivity(0.0)) == pytest.approx(3.47669, abs=1e-5)
    assert float(model.permittivity(10.0)) == 1.5
    assert model.drying_time == pytest.approx(2.89) and model.total_time == pytest.approx(3.89)
    assert model.peclet == pytest.approx(Model(from_dict(tiny_document())).peclet)
    assert "the drying from 12.97 nm is skipped" in "\n".join(model.summary_lines())
    # a chosen εr, and the resolved file reads back to the same run
    chosen = from_dict(film_document(start={"permittivity": 4.0}))
    assert chosen.start.permittivity == 4.0 and float(Model(chosen).permittivity(0.0)) == 4.0
    assert from_dict(tomllib.loads(chosen.to_toml())) == chosen


def test_a_film_at_its_final_height_holds_at_the_dry_permittivity():
    spec = from_dict(film_document("2.11 nm", drying={"hold": "2 ns"}))
    model = Model(spec)
    assert spec.start.permittivity == 1.5
    assert model.drying_time == 0.0 and model.total_time == 2.0
    assert [float(model.film_height(t)) for t in (0.0, 1.0, 2.0)] == [2.11, 2.11, 2.11]
    assert [float(model.permittivity(t)) for t in (0.0, 2.0)] == [1.5, 1.5]
    assert not any(wall.moves for wall in model.walls)
    # tall enough for HOOMD-blue's neighbour lists, which search no further than half the (periodic) box in z
    assert model.box.lz >= 2 * (spec.numerics.dipole_cutoff + NEIGHBOR_ROOM_NM)
    with pytest.raises(InputError, match="start.permittivity: the film starts at its final height"):
        from_dict(film_document("2.11 nm", start={"permittivity": 2.6}))


def _pair_distances(model, positions, orientations):
    """Smallest centre distance, and per pair of bead types the smallest distance between beads of different
    bodies (nm), periodic in x and y."""
    lx, ly = model.box_length, model.box_width
    size = np.array([lx, ly, 1e6])

    def shifted(points):
        return (points + [0.5 * lx, 0.5 * ly, 0.0]) % size

    tree = cKDTree(shifted(positions), boxsize=size)
    nearest, _ = tree.query(shifted(positions), k=2)
    beads = positions[:, None, :] + rotate(orientations[:, None, :], model.body.bead_positions()[None])
    closest = {}
    for a, bead_a in enumerate(model.beads):
        for b, bead_b in enumerate(model.beads):
            reach = bead_a.outer_radius + bead_b.outer_radius
            pairs = cKDTree(shifted(beads[:, a]), boxsize=size).sparse_distance_matrix(
                cKDTree(shifted(beads[:, b]), boxsize=size), 2 * reach, output_type="ndarray"
            )
            other = pairs[pairs["i"] != pairs["j"]]
            closest[(bead_a.name, bead_b.name)] = (other["v"].min() if len(other) else np.inf, reach)
    return nearest[:, 1].min(), closest


@pytest.mark.parametrize("height", ["2.11 nm", "5 nm"])
def test_clusters_placed_in_a_thin_film_sit_inside_it_without_overlaps(height):
    """A monolayer (2.11 nm = d) and a film of two layers: centres at least d apart (d is where two bodies touch),
    every pair of ligated cores of different bodies at least their outer radii apart, every centre and every core's
    shell between the substrate and the interface."""
    spec = from_dict(film_document(height, amount={"clusters": 45}, drying={"hold": "2 ns"}))
    model = Model(spec)
    positions, orientations, _ = model.initial_configuration(np.random.default_rng(11))
    assert positions.shape == (45, 3)
    nearest, closest = _pair_distances(model, positions, orientations)
    assert nearest >= model.diameter
    for distance, reach in closest.values():
        assert distance >= reach
    substrate, interface = model.substrate_z, model.substrate_z + model.initial_height
    assert np.all((positions[:, 2] >= substrate) & (positions[:, 2] <= interface))
    for k, bead in enumerate(model.beads):
        z = positions[:, 2] + rotate(orientations, model.body.bead_positions()[k])[:, 2]
        assert np.all(z - bead.outer_radius >= substrate - 1e-9)
        assert np.all(z + bead.outer_radius <= interface + 1e-9)


def test_a_monolayer_too_full_for_its_clusters_is_refused_naming_the_start():
    """16 nm // (1.02 × 2.11 nm) = 7 sites a side: a monolayer holds 49 clusters, not 60."""
    crowded = Model(from_dict(film_document("2.11 nm", amount={"clusters": 60}, drying={"hold": "1 ns"})))
    with pytest.raises(InputError, match=r"start.film_height: cannot place 60 clusters .* \(room for 49"):
        crowded.check_start()
    with pytest.raises(InputError, match="start.film_height: cannot place"):
        run_plan.plan(crowded.spec)


# --- another run's frame, tiled ---------------------------------------------------------------------------------


def test_tile_moves_every_body_by_whole_cells_exactly(rng):
    cell = (np.float32(16.3), np.float32(9.7))
    positions = (rng.uniform(-0.5, 0.5, (25, 3)) * [cell[0], cell[1], 3.0]).astype(np.float32).astype(float)
    orientations = rng.normal(size=(25, 4))
    chirality = rng.integers(0, 2, 25)
    tiled, q, hand, source, shift = film_start.tile(positions, orientations, chirality, cell, (3, 2))
    assert len(tiled) == 6 * 25
    np.testing.assert_array_equal(tiled[:, :2] - shift * np.asarray(cell, dtype=float), positions[source, :2])
    np.testing.assert_array_equal(tiled[:, 2], positions[source, 2])
    np.testing.assert_array_equal(q, orientations[source])
    np.testing.assert_array_equal(hand, chirality[source])
    # every body in the box (3·lx, 2·ly) centred on 0, each copy of each body in a different cell
    box = np.array([3, 2]) * np.asarray(cell, dtype=float)
    assert np.all(np.abs(tiled[:, :2]) <= 0.5 * box)
    copies = {(s, i % 3, j % 2) for s, (i, j) in zip(source, shift, strict=True)}
    assert len(copies) == 6 * 25


def test_a_tiled_frame_is_nx_ny_exact_copies_of_the_original(tmp_path):
    """The stored run's last frame tiled 2 × 3: 240 bodies, each one of the 40 moved by whole 16 nm cells in x
    and y (exactly), raised with the substrate of the new, lower box, its orientation and chirality copied."""
    source = _run_without_spec(tmp_path)
    spec = from_dict(tiled_document(source))
    model = Model(spec)
    assert (model.N, model.box.lx, model.box.ly) == (240, 32.0, 48.0)
    assert spec.start.film_height == 2.11 and spec.start.permittivity == 1.5
    start = fresh_start(model, seed=99)
    with open_trajectory(source / "trajectory.gsd") as frames:
        last = frames[STORED_LAST]
        idx = centers(last)
        original = np.asarray(last.particles.position[idx], dtype=float)
        q = np.asarray(last.particles.orientation[idx], dtype=float)
        hand = np.asarray(last.log[LOG + "chirality"])
        substrate = logged(last, "substrate_z")
    which = {q[k].tobytes(): k for k in range(len(q))}
    found = np.array([which[row.tobytes()] for row in start.orientations])
    assert np.bincount(found, minlength=40).tolist() == [6] * 40
    moved = (start.positions[:, :2] - original[found, :2]) / 16.0
    np.testing.assert_array_equal(moved, np.round(moved))
    np.testing.assert_array_equal(start.positions[:, :2], original[found, :2] + np.round(moved) * 16.0)
    assert len({(k, i % 2, j % 3) for k, (i, j) in zip(found, np.round(moved).astype(int), strict=True)}) == 240
    np.testing.assert_allclose(start.positions[:, 2] - model.substrate_z, original[found, 2] - substrate, atol=1e-12)
    np.testing.assert_array_equal(start.chirality, hand[found])
    # numbered through space, as a fresh film is
    np.testing.assert_array_equal(model.spatial_order(start.positions), np.arange(240))


def test_a_tiled_start_records_its_source_and_reads_back_to_the_same_run(tmp_path):
    source = _run_without_spec(tmp_path)
    spec = from_dict(tiled_document("tiny", start={"frame": -3}), source=str(tmp_path / "large.toml"))
    assert spec.start.from_run == str((source / "trajectory.gsd").resolve())
    assert spec.start.frame == 10 and spec.start.replicate == (2, 3)
    resolved = tomllib.loads(spec.to_toml())
    assert "amount" not in resolved
    assert set(resolved["start"]) == {"from_run", "frame", "replicate", "film_height", "permittivity", "source_digest"}
    elsewhere = tmp_path / "out"
    elsewhere.mkdir()
    (elsewhere / "spec.toml").write_text(spec.to_toml())
    assert load(elsewhere / "spec.toml") == spec
    # a source that changed since is recognised
    resolved["start"]["source_digest"] = "0" * 64
    with pytest.raises(InputError, match="start.source_digest: frame 10 of .* is not the one this run started from"):
        from_dict(resolved)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"cluster": {"dipole": "40 D"}}, "cluster.dipole"),
        ({"cluster": {"chirality": "R"}}, "cluster.chirality"),
        ({"cluster": {"preset": "R-1", "chirality": "racemic"}}, "cluster.preset"),
    ],
)
def test_a_tiled_start_refuses_other_clusters_naming_the_field(tmp_path, changes, field):
    source = _run_without_spec(tmp_path)
    with pytest.raises(InputError, match=rf"^{field}: must be the same as in the run the start is tiled from"):
        from_dict(tiled_document(source, **changes))


# --- the plan of a large film -----------------------------------------------------------------------------------


def test_the_large_wire_film_is_the_demos_dry_film_over_a_square_micrometre():
    demo, large = load(RUNS / "demo.toml"), load(RUNS / "wires-large.toml")
    demo_model, model = Model(demo), Model(large)
    assert model.box.lx >= 1000 and model.box.ly >= 1000
    coverage = demo.amount.clusters / demo.amount.box_length**2
    assert large.amount.clusters / large.amount.box_length**2 == pytest.approx(coverage, rel=1e-5)
    assert large.start.film_height == demo_model.final_height == model.final_height
    assert large.start.permittivity == demo.drying.eps_r_dry
    model.check_start()  # a monolayer has room for them
    plan = run_plan.plan(large)
    run_plan.check(plan)  # within the 7-day limit without --force
    two_cores = run_plan.LARGE_RUN_THROUGHPUTS[1]
    assert two_cores.wall_seconds(plan.cluster_steps) <= 24 * 3600
    assert plan.frames <= 30


def test_a_large_run_plan_states_two_cores_and_says_the_gpu_is_not_measured():
    plan = run_plan.plan(load(RUNS / "wires-large.toml"))
    text = plan.describe()
    first, second = text.splitlines()
    assert first.startswith("planned: ") and "on one core" in first
    assert "2 cores (LAMMPS, --threads 2) about 9.7 h (1.3e6 cluster-steps/s)" in second  # 4.53e10 cluster-steps
    assert plan.steps * plan.clusters == pytest.approx(4.53e10, rel=0.01)
    assert second.endswith("GPU: not measured")
    for throughput in run_plan.LARGE_RUN_THROUGHPUTS:
        assert "benchmarks/results/" in throughput.measured or throughput.cluster_steps_per_second is None
    assert len(run_plan.plan(load(RUNS / "demo.toml")).describe().splitlines()) == 1  # small runs: one line


# --- short runs from each kind of start -------------------------------------------------------------------------

ENGINES = [
    pytest.param(name, marks=pytest.mark.skipif(not engines.available()[name], reason=f"{name} is not installed"))
    for name in ("lammps", "hoomd")
]


def _check_trajectory(path, model, height, eps_r):
    with open_trajectory(path) as frames:
        assert len(frames) == model.n_segments + 1
        for frame in frames:
            validate(frame, str(path))
            assert len(centers(frame)) == model.N
            assert np.allclose(frame.configuration.box[:2], [model.box.lx, model.box.ly])
        first = frames[0]
        assert logged(first, "time") == 0.0 and first.configuration.step == 0
        assert logged(first, "film_height") == pytest.approx(height)
        assert logged(first, "eps_r") == pytest.approx(eps_r)
        last = frames[len(frames) - 1]
        z = np.asarray(last.particles.position)[centers(last), 2]
        assert np.all(z >= logged(last, "substrate_z")) and np.all(z <= logged(last, "interface_z"))


@pytest.mark.parametrize("engine", ENGINES)
def test_a_run_from_a_thin_film_completes_with_a_valid_trajectory(tmp_path, engine):
    spec = from_dict(film_document("4 nm", numerics={"engine": engine, "device": "cpu"}, drying={"hold": "0.5 ns"}))
    model = Model(spec)
    execute(spec, tmp_path / "run", progress=False, log=lambda *a, **k: None)
    _check_trajectory(tmp_path / "run" / "trajectory.gsd", model, 4.0, spec.start.permittivity)
    record = json.loads((tmp_path / "run" / "run.json").read_text())
    assert record["status"] == "completed"
    assert record["start"] == {
        "kind": "film",
        "film_height_nm": 4.0,
        "eps_r": spec.start.permittivity,
        "clusters": 40,
        "box_nm": [16.0, 16.0],
    }


@pytest.mark.parametrize("engine", ENGINES)
def test_a_run_from_a_tiled_frame_completes_and_resumes(tmp_path, engine):
    source = _run_without_spec(tmp_path)
    numerics = {"engine": engine, "device": "cpu", "output_interval": "0.5 ns"}
    spec = from_dict(tiled_document(source, (2, 1), numerics=numerics, drying={"hold": "0.5 ns"}))
    out = tmp_path / "tiled"
    execute(spec, out, progress=False, log=lambda *a, **k: None)
    _check_trajectory(out / "trajectory.gsd", Model(spec), 2.11, 1.5)
    record = json.loads((out / "run.json").read_text())["start"]
    assert (record["kind"], record["frame"], record["replicate"], record["clusters"]) == ("frame", 12, [2, 1], 80)
    # a longer hold continues the run from its last frame, reading its start again
    longer = from_dict(tiled_document(source, (2, 1), numerics=numerics, drying={"hold": "1 ns"}))
    execute(longer, out, resume=True, progress=False, log=lambda *a, **k: None)
    _check_trajectory(out / "trajectory.gsd", Model(longer), 2.11, 1.5)
    assert json.loads((out / "run.json").read_text())["resumes"][0]["from_step"] > 0
