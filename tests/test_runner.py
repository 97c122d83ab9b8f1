"""The steps of a run, each on its own: start, output check, frame loop, run record, state check."""

import json
import signal

import numpy as np
import pytest
from conftest import tiny_document

from dipolewire import runner
from dipolewire.engines.base import Start
from dipolewire.errors import InputError, RunStopped
from dipolewire.model import Model
from dipolewire.spec import from_dict
from dipolewire.trajectory import Snapshot


@pytest.fixture
def model():
    return Model(from_dict(tiny_document()))


class RecordingEngine:
    """Stands in for an engine: records what the loop asks of it."""

    rank, ranks, name, device_name, version = 0, 1, "recording", "cpu", "0"

    def __init__(self, model):
        self.model, self.calls, self.step = model, [], 0

    def advance(self, steps, eps_r, continuing=False):
        self.calls.append((steps, eps_r))
        self.step += steps

    def snapshot(self):
        m = self.model
        t = self.step * m.timestep
        zeros = np.zeros((m.N, 3))
        return Snapshot(
            self.step, t, zeros, np.tile([1.0, 0, 0, 0], (m.N, 1)), zeros.astype(np.int32), 0.0, 1.0, 0.0, 0.0
        )

    def barrier(self):
        pass


def test_fresh_start_is_the_seeded_initial_film(model):
    a, b, c = (runner.fresh_start(model, seed) for seed in (3, 3, 4))
    np.testing.assert_array_equal(a.positions, b.positions)
    assert not np.array_equal(a.positions, c.positions)
    assert a.step == a.segment == 0 and a.images.shape == (model.N, 3) and not a.images.any()


def test_check_output_refuses_a_folder_with_a_trajectory(tmp_path):
    (tmp_path / "trajectory.gsd").write_text("")
    with pytest.raises(InputError, match="--out: .* already holds a trajectory"):
        runner.check_output(tmp_path, overwrite=False)
    runner.check_output(tmp_path, overwrite=True)
    runner.check_output(tmp_path / "new" / "folder", overwrite=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trajectory.gsd"]  # checks write nothing


def test_the_loop_runs_each_remaining_frame_at_the_scheduled_permittivity(model):
    engine = RecordingEngine(model)
    seen = []
    spf = model.steps_per_frame
    engine.step = 3 * spf
    start = Start(np.zeros((model.N, 3)), np.zeros((model.N, 4)), np.zeros(model.N), step=3 * spf, segment=3)
    steps = runner.advance_frames(engine, model, start, lambda k, snap, eps: seen.append((k, snap.step, eps)))
    remaining = model.n_segments - 3
    assert steps == remaining * spf
    assert [(k, step) for k, step, _ in seen] == [(k, k * spf) for k in range(4, model.n_segments + 1)]
    # εr falls with the film: the value at each frame's midpoint, from 8.93 towards the dry 1.5
    expected = [model.segment_eps_r(k) for k in range(3, model.n_segments)]
    assert [eps for _, _, eps in seen] == expected
    assert expected[0] < 8.93 and expected[-1] == pytest.approx(1.5)
    # a frame may take several engine calls, all at its εr, never crossing into the next frame
    done = 3 * spf
    for steps_in_call, eps in engine.calls:
        assert eps == model.segment_eps_r(done // spf)
        assert done // spf == (done + steps_in_call - 1) // spf
        done += steps_in_call
    assert done == model.n_segments * spf


class SlowEngine(RecordingEngine):
    """A recording engine whose steps take ``seconds_per_step`` of wall time."""

    seconds_per_step = 2e-5

    def advance(self, steps, eps_r, continuing=False):
        import time

        time.sleep(steps * self.seconds_per_step)
        super().advance(steps, eps_r)


def test_engine_calls_last_about_the_chunk_time_and_grow_at_most_tenfold(model):
    engine = SlowEngine(model)
    start = Start(np.zeros((model.N, 3)), np.zeros((model.N, 4)), np.zeros(model.N))
    chunks = runner.ChunkSizes(seconds=0.01)
    runner.advance_frames(engine, model, start, lambda *a: None, chunks=chunks)
    sizes = [steps for steps, _ in engine.calls]
    assert sizes[:3] == [1, 10, 100]  # from one step, ×10 at most per call
    # once learnt, a call is as long as 0.01 s allows (500 steps here) or the rest of its frame
    ends = np.cumsum(sizes)
    for size, end in zip(sizes[4:], ends[4:], strict=True):
        assert 100 <= size <= 500 or (size < 100 and end % model.steps_per_frame == 0)


def test_a_stop_request_ends_the_loop_after_the_call_with_a_checkpoint_and_a_resume_hint(model, tmp_path):
    engine = RecordingEngine(model)
    start = Start(np.zeros((model.N, 3)), np.zeros((model.N, 4)), np.zeros(model.N))
    checkpoints = []
    with runner._StopRequests(tmp_path, 0) as stops:
        stops.signal = signal.SIGTERM  # as if the signal arrived during the first call
        with pytest.raises(
            RunStopped, match="stopped by signal 15 .* checkpoint at step 1 .* Resume with: X"
        ) as stopped:
            runner.advance_frames(
                engine, model, start, lambda *a: None, stops, "Resume with: X", on_checkpoint=checkpoints.append
            )
    assert stopped.value.exit_status == 128 + signal.SIGTERM
    assert engine.calls == [(1, model.segment_eps_r(0))]  # one call of one step: honoured at once
    assert [snap.step for snap in checkpoints] == [1]


def test_the_run_record_tracks_status_frames_and_resumes(model, tmp_path):
    spec = model.spec
    engine = RecordingEngine(model)
    record = runner.RunRecord(spec, model, engine, "requested", tmp_path)
    record.frame(2, engine.snapshot())
    info = json.loads((tmp_path / "run.json").read_text())
    assert info["status"] == "running" and info["last_frame"]["index"] == 2
    record.stop(RunStopped("stopped by signal 2", exit_status=130), 1.0)
    assert json.loads((tmp_path / "run.json").read_text())["status"] == "interrupted"
    record.stop(RunStopped("the run blew up"), 1.0)  # a fault, not a signal
    assert json.loads((tmp_path / "run.json").read_text())["status"] == "failed"
    resumed = runner.RunRecord(spec, model, engine, "requested", tmp_path, Start(np.zeros((1, 3)), None, None, step=40))
    assert resumed.info["started"] == info["started"]
    assert resumed.info["resumes"][0]["from_step"] == 40
    resumed.complete(2.0, 1.5, 300)
    done = json.loads((tmp_path / "run.json").read_text())
    assert done["status"] == "completed" and done["steps_per_second"] == pytest.approx(200.0)
    (tmp_path / "run.json").write_bytes(b"\x00garbage")  # a damaged record is not history
    assert "resumes" in runner.RunRecord(spec, model, engine, "r", tmp_path, Start(np.zeros((1, 3)), None, None)).info


@pytest.mark.parametrize(
    ("position", "energy", "message"),
    [(np.nan, 0.0, "non-finite positions"), (0.0, 1e9, "potential energy reached")],
)
def test_a_blown_up_state_stops_the_run(model, position, energy, message):
    snap = RecordingEngine(model).snapshot()
    snap.positions = snap.positions + position
    snap.potential_energy = energy
    with pytest.raises(RunStopped, match=message):
        runner.check_state(snap, model)


def _keep_frames(run_dir, keep, strip=()):
    """Cut the run's trajectory to its first ``keep`` frames, without the log fields ``strip``."""
    import gsd.hoomd

    path = run_dir / "trajectory.gsd"
    with gsd.hoomd.open(str(path)) as trajectory:
        frames = [trajectory[k] for k in range(keep)]
    for frame in frames:
        for key in strip:
            frame.log.pop("dipolewire/" + key)
    with gsd.hoomd.open(str(path), "w") as out:
        for frame in frames:
            out.append(frame)
    return frames


def test_resume_point_is_the_last_frame(stored_run):
    from dipolewire.trajectory import centers

    spec = from_dict(tiny_document())
    model = Model(spec)
    last = _keep_frames(stored_run, 6)[-1]
    start = runner.resume_point(spec, model, stored_run)
    assert start.segment == 5 and start.step == 5 * model.steps_per_frame
    idx = centers(last)
    np.testing.assert_array_equal(start.positions, last.particles.position[idx])
    np.testing.assert_array_equal(start.images, last.particles.image[idx])
    np.testing.assert_array_equal(start.chirality, last.log["dipolewire/chirality"])


def test_resume_point_refuses_changed_physics_and_finished_runs(stored_run):
    model = Model(from_dict(tiny_document()))
    changed = from_dict(tiny_document(cluster={"dipole": "40 D"}))
    with pytest.raises(InputError, match="--resume: the run file changed the physics .*cluster.dipole"):
        runner.resume_point(changed, Model(changed), stored_run)
    with pytest.raises(InputError, match="--resume: the run in .* is already complete"):
        runner.resume_point(model.spec, model, stored_run)


def test_a_run_written_before_schema_versions_resumes_and_stays_readable(stored_run):
    """A version-1 file (no schema_version, no kT) is continued in version 1, so every frame reads."""
    from dipolewire.analysis.run_analysis import analyze_trajectory
    from dipolewire.trajectory import open_trajectory, schema_version

    pytest.importorskip("lammps")
    spec = from_dict(tiny_document())
    _keep_frames(stored_run, 12, strip=("schema_version", "kT"))
    runner.execute(spec, stored_run, resume=True, progress=False, log=lambda *a, **k: None)
    with open_trajectory(stored_run / "trajectory.gsd") as frames:
        count = len(frames)
        assert count == Model(spec).n_segments + 1
        assert {schema_version(frame) for frame in frames} == {1}
        assert all("dipolewire/kT" not in frame.log for frame in frames)
    metrics = analyze_trajectory(stored_run, progress=False)
    assert len(metrics["time_series"]) == count


def test_frame_output_writes_each_checked_frame_and_keeps_the_last_good_one(model, tmp_path):
    from dipolewire.trajectory import open_trajectory

    engine = RecordingEngine(model)
    start = runner.fresh_start(model, 1)
    record = runner.RunRecord(model.spec, model, engine, "requested", tmp_path)
    output = runner.FrameOutput(model.spec, model, record, tmp_path, start, resume=False, progress=False)
    output.begin(engine.snapshot())
    for index in (1, 2):
        engine.advance(model.steps_per_frame, 2.0)
        output.frame(index, engine.snapshot(), 2.0)
    broken = engine.snapshot()
    broken.positions = broken.positions * np.nan
    with pytest.raises(RunStopped):
        output.frame(3, broken, 2.0)
    output.close()
    assert (tmp_path / "spec.toml").read_text() == model.spec.to_toml()
    with open_trajectory(tmp_path / "trajectory.gsd") as frames:
        assert [f.configuration.step for f in frames] == [0, model.steps_per_frame, 2 * model.steps_per_frame]
    assert json.loads((tmp_path / "run.json").read_text())["last_frame"]["index"] == 2


def test_threads_times_ranks_above_the_cores_warn(model, tmp_path, monkeypatch, capsys):
    assert runner.oversubscription_warning(2, 1, 2) is None
    assert runner.oversubscription_warning(1, 2, 2) is None
    message = runner.oversubscription_warning(2, 2, 2)
    assert "2 thread(s) × 2 rank(s) = 4 exceeds the 2 core(s)" in message and "--threads 1" in message
    # what a run prints before it starts (no run needed: oversubscribed threads would slow the suite)
    monkeypatch.setattr(runner, "available_cores", lambda: 2)
    engine = RecordingEngine(model)
    start = Start(np.zeros((1, 3)), None, None)
    for threads, warned in ((3, True), (2, False)):
        spec = model.spec.replace("numerics", threads=threads)
        runner.announce(lambda *a: None, spec, model, engine, "requested", tmp_path, start, resume=False)
        err = capsys.readouterr().err
        assert ("warning: 3 thread(s) × 1 rank(s) = 3 exceeds the 2 core(s)" in err) == warned
        assert ("warning" in err) == warned
