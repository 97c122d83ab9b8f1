"""`dipolewire movie`: the video files, the fallback to GIF, what each picture shows, and failures that
leave nothing behind. Uses the stored 13-frame trajectory of tiny_document() (no simulation)."""

import numpy as np
import pytest

from dipolewire.analysis import Chains, figures, movie
from dipolewire.cli import main
from dipolewire.trajectory import cluster_state, open_trajectory

# the drying law of tests/data/tiny-drying.toml: H(t) = max(Hf, H0 − v t)
H0_NM, SPEED_NM_PER_NS, HF_NM = 12.972961462295675, 1.0, 2.11
FEW = "0:13:4"  # frames 0, 4, 8, 12


def law_height(t_ns):
    return max(HF_NM, H0_NM - SPEED_NM_PER_NS * t_ns)


def scene(run, frames=None):
    trajectory = open_trajectory(run / "trajectory.gsd")
    selected = list(range(len(trajectory))) if frames is None else frames
    return movie.Scene(trajectory, selected, run / "trajectory.gsd", 2.7, 45.0)


def test_mp4_has_every_selected_frame_at_the_picture_size(stored_run):
    import imageio_ffmpeg

    made = movie.make_movie(stored_run, frames=FEW, fps=5, video_format="mp4", progress=False)
    assert made.path == stored_run / "analysis" / "movie.mp4"
    assert (made.format, made.frames, made.fallback_reason) == ("mp4", 4, None)
    reader = imageio_ffmpeg.read_frames(str(made.path))
    meta = next(reader)
    pictures = [np.frombuffer(b, np.uint8).reshape(720, 1280, 3) for b in reader]
    assert meta["size"] == (1280, 720) and meta["fps"] == 5
    assert len(pictures) == 4
    assert np.abs(pictures[0].astype(int) - pictures[-1]).mean() > 1  # the film dries: pictures differ
    assert sorted(p.name for p in made.path.parent.iterdir()) == ["movie.mp4"]


@pytest.mark.parametrize("broken", ["missing", "ffmpeg fails"])
def test_gif_when_no_mp4_encoder_works(stored_run, monkeypatch, capsys, broken):
    from PIL import Image

    if broken == "missing":
        monkeypatch.setitem(__import__("sys").modules, "imageio_ffmpeg", None)
    else:
        import imageio_ffmpeg._io

        monkeypatch.setattr(imageio_ffmpeg._io, "get_ffmpeg_exe", lambda: "/nonexistent/ffmpeg")
    out = stored_run / "clip.mp4"
    assert main(["movie", str(stored_run), "--frames", FEW, "--out", str(out), "--quiet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("no MP4 encoder (") and "animated GIF" in lines[0]
    assert lines[1].endswith("clip.gif")
    assert not out.exists()
    with Image.open(stored_run / "clip.gif") as gif:
        assert gif.n_frames == 4 and gif.size == (1280, 720)
        assert gif.info["duration"] == 100  # 10 fps
        assert gif.info["loop"] == 0


def test_interface_is_drawn_at_the_film_height_of_each_frame(stored_run):
    pictures = scene(stored_run)
    for index, film in pictures.films.items():
        fig = pictures.figure(index)
        side = fig.axes[0]
        (interface,) = [line for line in side.get_lines() if line.get_gid() == "interface"]
        np.testing.assert_allclose(interface.get_ydata(), law_height(film.time_ns), rtol=0, atol=1e-6)
        assert film.time_ns == pytest.approx(index * 1.0, abs=1e-3)  # one frame per ns
    title = pictures.figure(5)._suptitle.get_text()
    assert "t = 5.0 ns" in title and "H = 7.97 nm" in title and "εr = 5.85" in title


def test_film_without_log_follows_the_spec_drying_law(stored_run):
    """A GSD file without dipolewire's log: H and εr from the spec's law at t = step × timestep."""
    from dipolewire import spec
    from dipolewire.model import Model

    model = Model(spec.load(stored_run / "spec.toml"))
    with open_trajectory(stored_run / "trajectory.gsd") as trajectory:
        for index in (0, 3, 7, 11, 12):
            frame = trajectory[index]
            recorded = movie.film_state(frame)
            frame.log = {}
            derived = movie.film_state(frame, model)
            t = frame.configuration.step * 0.00032322173157261466
            assert derived.time_ns == pytest.approx(t, rel=1e-12)
            assert derived.height_nm == pytest.approx(law_height(t), abs=1e-9)
            assert derived.eps_r == pytest.approx(recorded.eps_r, abs=1e-9)  # as the engine applied it
            assert derived.substrate_z == pytest.approx(recorded.substrate_z, abs=1e-9)
    assert movie.film_state(frame).height_nm is None  # neither log nor spec: no interface


def test_chains_never_get_the_free_grey(stored_run):
    pictures = scene(stored_run, [12])
    with open_trajectory(stored_run / "trajectory.gsd") as trajectory:
        chains = Chains(2.7, 45.0, 2).compute(*cluster_state(trajectory[12]))
    fig = pictures.figure(12)
    top = fig.axes[1]
    (discs,) = [c for c in top.collections if c.get_gid() == "top-view-discs"]
    colours = discs.get_facecolors()
    free = np.all(np.isclose(colours, figures.FREE_COLOUR), axis=1)
    in_chains = round(chains.fraction_in_chains * 40)
    assert in_chains == 28  # 2D, the deposit
    assert free.sum() == 2 * (40 - in_chains)  # two beads per cluster
    chain_colours = colours[~free]
    assert len(chain_colours) == 2 * in_chains
    assert not np.any(np.ptp(chain_colours[:, :3], axis=1) < 0.03)  # no grey among the chain hues
    assert any("in no chain" in text.get_text() and "grey" in text.get_text() for text in fig.legends[0].texts)


def test_a_chain_keeps_its_colour_when_other_chains_change():
    """Clusters 1-3 are one chain in both frames; 0 and 4 are monomers, then a chain 4 → 0 whose tail
    comes after cluster 1, so the list of chains changes order around the chain 1-3."""
    box = (30.0, 30.0, 30.0)
    x, y = [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]
    chain = [[0.0, 0.0, 0.0], [2.0, 0.0, 0.0], [4.0, 0.0, 0.0]]
    directions = np.array([y, x, x, x, y])
    before = np.array([[0.0, 10.0, 0.0], *chain, [10.0, 10.0, 0.0]])
    after = np.array([[0.0, 10.0, 0.0], *chain, [0.0, 8.0, 0.0]])
    first = Chains().compute(box, before, directions)
    second = Chains().compute(box, after, directions)
    assert [c.tolist() for c in first.chains] == [[0], [1, 2, 3], [4]]
    assert [c.tolist() for c in second.chains] == [[1, 2, 3], [4, 0]]
    colours_before, colours_after = figures._chain_colours(first, 5), figures._chain_colours(second, 5)
    assert colours_before[0] == colours_before[4] == figures.FREE_COLOUR
    assert figures.FREE_COLOUR != colours_after[0] == colours_after[4] != colours_after[1]
    assert colours_after[1:4] == colours_before[1:4]  # the chain 1-3 kept its hue


@pytest.mark.parametrize("fps", ["0", "61"])
def test_bad_fps_is_one_line_and_writes_nothing(stored_run, capsys, fps):
    assert main(["movie", str(stored_run), "--fps", fps]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"dipolewire: error: --fps: must be a whole number of frames per second in 1 … 60, got {fps}"
    assert sorted(p.name for p in stored_run.iterdir()) == ["spec.toml", "trajectory.gsd"]


def test_bad_out_is_one_line_and_writes_nothing(stored_run, capsys):
    assert main(["movie", str(stored_run), "--out", str(stored_run / "clip.avi")]) == 2
    assert capsys.readouterr().err.strip().startswith("dipolewire: error: --out: must be a folder or a file ending")
    assert main(["movie", str(stored_run), "--format", "gif", "--out", str(stored_run / "clip.mp4")]) == 2
    assert sorted(p.name for p in stored_run.iterdir()) == ["spec.toml", "trajectory.gsd"]


def _failing_writer(fail_at):
    """A stand-in for imageio_ffmpeg.write_frames that writes part of a file, then fails."""

    def write_frames(path, size, **kwargs):
        with open(path, "wb") as file:
            sent = 0
            while True:
                data = yield
                if data is None:
                    continue
                sent += 1
                if sent == fail_at:
                    raise OSError("[Errno 32] Broken pipe\n\nFFMPEG COMMAND: ...")
                file.write(b"\x00" * 1000)
                file.flush()

    return write_frames


@pytest.mark.parametrize("failure", ["encoder", "interrupt"])
def test_failure_midway_leaves_no_partial_file(stored_run, monkeypatch, capsys, failure):
    import imageio_ffmpeg

    analysis = stored_run / "analysis"
    analysis.mkdir()
    (analysis / "movie.mp4").write_bytes(b"an older movie")
    if failure == "encoder":
        monkeypatch.setattr(imageio_ffmpeg, "write_frames", _failing_writer(fail_at=3))
        assert main(["movie", str(stored_run), "--frames", FEW, "--format", "mp4", "--quiet"]) == 1
        err = capsys.readouterr().err.strip()
        assert err == "dipolewire: error: writing the MP4 failed: [Errno 32] Broken pipe; nothing written"
    else:
        calls = []
        real = figures.figure_rgb

        def interrupted(fig):
            calls.append(1)
            if len(calls) == 3:
                raise KeyboardInterrupt
            return real(fig)

        monkeypatch.setattr(figures, "figure_rgb", interrupted)
        with pytest.raises(KeyboardInterrupt):
            movie.make_movie(stored_run, frames=FEW, video_format="mp4", progress=False)
    assert sorted(p.name for p in analysis.iterdir()) == ["movie.mp4"]
    assert (analysis / "movie.mp4").read_bytes() == b"an older movie"


def test_failed_encode_removes_the_folder_it_made(stored_run, monkeypatch):
    import imageio_ffmpeg

    monkeypatch.setattr(imageio_ffmpeg, "write_frames", _failing_writer(fail_at=2))
    with pytest.raises(movie.EncoderError):
        movie.make_movie(stored_run, frames=FEW, video_format="mp4", progress=False)
    assert sorted(p.name for p in stored_run.iterdir()) == ["spec.toml", "trajectory.gsd"]


def test_gif_delays_are_whole_centiseconds_of_at_least_20_ms():
    """Viewers play GIF delays of 10 ms or less at about 100 ms: above 50 fps a GIF plays at 50."""
    assert movie.gif_delay_ms(10) == 100 and movie.gif_delay_ms(25) == 40 and movie.gif_delay_ms(50) == 20
    assert movie.gif_delay_ms(60) == 20 and movie.gif_delay_ms(30) == 30
