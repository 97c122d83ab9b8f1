"""The trajectory schema as code: writer and readers round-trip without a simulation, and files that do
not follow the schema are refused on reading with the reason."""

from pathlib import Path

import gsd.hoomd
import numpy as np
import pytest
from conftest import STORED_TRAJECTORY, tiny_document

from dipolewire import trajectory as traj
from dipolewire.errors import InputError
from dipolewire.geometry import rotate
from dipolewire.model import Model
from dipolewire.spec import from_dict

DOCS = Path(__file__).parent.parent / "docs"


@pytest.fixture
def model():
    return Model(from_dict(tiny_document(cluster={"dipole_direction": [1, 0, 1]})))


@pytest.fixture
def written(tmp_path, model, rng):
    """Two frames of known bodies written by TrajectoryWriter."""
    n = model.N
    positions = rng.uniform(-0.5, 0.5, size=(n, 3)) * [model.box_length, model.box_length, model.initial_height]
    q = rng.normal(size=(n, 4))
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    images = np.zeros((n, 3), dtype=np.int32)
    images[:, 0] = rng.integers(-2, 3, size=n)
    chirality = np.arange(n) % 2
    snaps = [
        traj.Snapshot(k * 10, k * 0.5, positions, q, images, 20.0 - k, 8.93 - k, -5.0 * k, -7.0 * k) for k in (0, 1)
    ]
    path = tmp_path / "t.gsd"
    with traj.TrajectoryWriter(path, model, chirality) as writer:
        for snap in snaps:
            writer.write(snap)
    return path, snaps, chirality


def test_writer_and_readers_round_trip(written, model):
    path, snaps, chirality = written
    with traj.open_trajectory(path) as frames:
        assert len(frames) == 2
        for frame, snap in zip(frames, snaps, strict=True):
            traj.validate(frame)
            assert traj.schema_version(frame) == traj.SCHEMA_VERSION
            assert frame.configuration.step == snap.step
            assert traj.logged(frame, "time") == snap.time
            assert traj.logged(frame, "film_height") == snap.film_height
            assert traj.logged(frame, "interface_z") == pytest.approx(model.substrate_z + snap.film_height)
            assert traj.logged(frame, "eps_r") == snap.eps_r
            assert traj.logged(frame, "kT") == pytest.approx(model.kT)
            box, positions, dipoles = traj.cluster_state(frame)
            np.testing.assert_allclose(box, [model.box_length, model.box_length, model.box_height])
            np.testing.assert_allclose(positions, snap.positions, atol=1e-5)  # float32 storage
            # dipoles from the file alone: the body-frame moment (1, 0, 1)/√2 · μ, rotated
            expected = rotate(snap.orientations, model.dipole_body)
            np.testing.assert_allclose(dipoles, expected, atol=1e-6)
            np.testing.assert_array_equal(frame.log["dipolewire/chirality"], chirality)
            # beads: unwrapped, each sits at its body-frame offset from its centre
            p = frame.particles
            lengths = np.array(frame.configuration.box[:3])
            centres = p.position[: model.N] + p.image[: model.N] * lengths
            beads = (p.position[model.N :] + p.image[model.N :] * lengths).reshape(model.N, 2, 3)
            offsets = np.array([[0, 0, b.z] for b in model.beads])
            np.testing.assert_allclose(beads - centres[:, None], rotate(snap.orientations[:, None], offsets), atol=1e-4)
            assert np.all(np.abs(p.position) <= lengths / 2 + 1e-5)  # everything wrapped into the box


def _rewrite(path, change):
    """A copy of the file's first frame with ``change(frame)`` applied."""
    with gsd.hoomd.open(str(path)) as frames:
        frame = frames[0]
    change(frame)
    out = path.with_name("changed.gsd")
    with gsd.hoomd.open(str(out), "w") as f:
        f.append(frame)
    return out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.log.pop("dipolewire/eps_r"), "log/dipolewire/eps_r is missing"),
        (lambda f: f.log.update({"dipolewire/chirality": np.zeros(3, np.int32)}), "chirality has shape (3,)"),
        (lambda f: f.log.update({"dipolewire/schema_version": np.array([99])}), "schema version 99"),
        (lambda f: setattr(f.particles, "body", np.roll(f.particles.body, 1)), "body centres must come first"),
    ],
)
def test_files_off_the_schema_are_refused_on_reading(written, change, message):
    bad = _rewrite(written[0], change)
    with pytest.raises(InputError) as caught:
        traj.open_trajectory(bad)
    assert message in str(caught.value) and str(bad) in str(caught.value)


def test_version_1_files_without_the_newer_fields_still_read(written):
    """Files written before the schema version was recorded (no schema_version, no kT) are version 1."""
    old = _rewrite(written[0], lambda f: [f.log.pop("dipolewire/" + k) for k in ("schema_version", "kT")])
    with traj.open_trajectory(old) as frames:
        assert traj.schema_version(frames[0]) == 1


def test_other_gsd_files_are_read_as_they_are(tmp_path):
    frame = gsd.hoomd.Frame()
    frame.particles.N = 2
    frame.particles.position = [[0, 0, 0], [1, 0, 0]]
    frame.particles.orientation = [[1, 0, 0, 0]] * 2
    frame.configuration.box = [10, 10, 10, 0, 0, 0]
    with gsd.hoomd.open(str(tmp_path / "plain.gsd"), "w") as f:
        f.append(frame)
    with traj.open_trajectory(tmp_path / "plain.gsd") as frames:
        _, positions, directions = traj.cluster_state(frames[0])
    np.testing.assert_allclose(directions, [[0, 0, 1]] * 2)
    assert len(positions) == 2


def test_stored_trajectory_follows_the_schema():
    with traj.open_trajectory(STORED_TRAJECTORY) as frames:
        for frame in frames:
            traj.validate(frame)


def test_the_schema_page_shows_the_schema_in_code():
    page = (DOCS / "trajectory.md").read_text()
    assert traj.schema_markdown() in page
    assert f"version {traj.SCHEMA_VERSION}" in page
