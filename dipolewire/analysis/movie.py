"""`dipolewire movie`: the drying of a run as a video, one picture per trajectory frame.

Each picture (:func:`~dipolewire.analysis.figures.movie_frame`) shows a side view with the substrate and
the evaporation interface at the frame's film height, and a top view with the clusters coloured by chain
(the chain criterion of :class:`~dipolewire.analysis.Chains`). The film height H (nm) and εr of a frame
are the values the engine logged with it; GSD files without that log get them from the drying law of the
``spec.toml`` beside them (:func:`film_state`), or none.

Videos are MP4 (H.264, encoded by the ffmpeg that the imageio-ffmpeg wheel ships); where that encoder is
missing or fails a short test, an animated GIF (Pillow). A movie is written to a hidden file beside its
destination and renamed when complete, so an interrupted or failed encode leaves no partial file.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..trajectory import LOG, cluster_state, logged, open_trajectory
from ..user_files import check_output_folder
from .chains import DEFAULT_MAX_ANGLE_DEG, DEFAULT_R_MAX_NM, Chains
from .run_analysis import default_output, frame_dimensions, parse_frames, trajectory_path

FORMATS = ("auto", "mp4", "gif")
SUFFIXES = {"mp4": ".mp4", "gif": ".gif"}
FPS_RANGE = (1, 60)
#: Picture size (pixels): 16:9 and a multiple of the 16-pixel blocks of H.264.
FRAME_SIZE_PX = (1280, 720)
FRAME_DPI = 100


class EncoderError(RuntimeError):
    """The video encoder failed; nothing was written."""


@dataclass(frozen=True)
class FilmState:
    """The film of one frame: time (ns), height H of the interface above the substrate (nm), εr in force
    during the frame, and the lab-frame z of the substrate (nm). None where the file does not tell."""

    time_ns: float | None
    height_nm: float | None
    eps_r: float | None
    substrate_z: float


def film_state(frame, model=None) -> FilmState:
    """The film of a GSD frame: the values logged with it (``log/dipolewire/``) when present; otherwise,
    given the run's :class:`~dipolewire.model.Model`, its drying law at t = step × timestep (εr as the
    engines apply it: the schedule at the middle of the output interval that ends at the frame);
    otherwise only the substrate, at the bottom of the box."""
    if LOG + "time" in frame.log:
        return FilmState(
            time_ns=logged(frame, "time"),
            height_nm=logged(frame, "film_height"),
            eps_r=logged(frame, "eps_r"),
            substrate_z=logged(frame, "substrate_z"),
        )
    if model is not None:
        time = int(frame.configuration.step) * model.timestep
        segment = round(time / model.frame_interval) - 1
        eps_r = model.segment_eps_r(segment) if segment >= 0 else float(model.permittivity(0.0))
        return FilmState(time, float(model.film_height(time)), eps_r, model.substrate_z)
    return FilmState(None, None, None, -0.5 * float(frame.configuration.box[2]))


def _model_beside(path: Path):
    """The Model of the spec.toml beside a trajectory, or None when there is none."""
    spec_file = path.with_name("spec.toml")
    if not spec_file.is_file():
        return None
    from .. import spec
    from ..model import Model

    return Model(spec.load(spec_file))


def run_name(source: Path) -> str:
    """The run's name from the spec.toml beside a trajectory; else its folder's (or the file's) name."""
    import tomllib

    try:
        name = tomllib.loads(source.with_name("spec.toml").read_text()).get("name")
    except (OSError, ValueError):
        name = None
    if isinstance(name, str) and name:
        return name
    return source.parent.name if source.name == "trajectory.gsd" else source.stem


# --- encoders ------------------------------------------------------------------------------------


class _Mp4Writer:
    """H.264 in MP4 through imageio-ffmpeg's ffmpeg; frames are (height, width, 3) uint8 RGB."""

    def __init__(self, path: Path, size_px, fps: int):
        import imageio_ffmpeg

        self.path, self.count = path, 0
        self._imageio_ffmpeg = imageio_ffmpeg
        self._writer = imageio_ffmpeg.write_frames(
            str(path), size_px, fps=fps, quality=6, macro_block_size=16, ffmpeg_log_level="error"
        )
        self._writer.send(None)  # starts ffmpeg

    def add(self, rgb: np.ndarray) -> None:
        self._writer.send(np.ascontiguousarray(rgb))
        self.count += 1

    def finish(self) -> None:
        self._writer.close()
        # ffmpeg's exit status is not reported by write_frames: count what it wrote instead
        written = self._imageio_ffmpeg.count_frames_and_secs(str(self.path))[0] if self.path.is_file() else 0
        if written != self.count:
            raise EncoderError(f"ffmpeg wrote {written} of {self.count} frames")

    def abort(self) -> None:
        self._writer.close()


def gif_delay_ms(fps: int) -> int:
    """A GIF frame's delay (ms) for ``fps``: whole centiseconds, at least 20 ms, because viewers play delays
    of 10 ms or less at about 100 ms. GIFs therefore play at most 50 frames per second."""
    return max(20, 10 * round(100 / fps))


class _GifWriter:
    """An animated GIF through Pillow, looping; frames are (height, width, 3) uint8 RGB."""

    def __init__(self, path: Path, size_px, fps: int):
        self.path, self.fps, self._images = path, fps, []

    def add(self, rgb: np.ndarray) -> None:
        from PIL import Image

        # one adaptive palette per frame: the figures use few colours
        self._images.append(Image.fromarray(rgb).quantize(colors=256, method=Image.Quantize.MEDIANCUT))

    def finish(self) -> None:
        first, *rest = self._images
        first.save(self.path, format="GIF", save_all=True, append_images=rest, duration=gif_delay_ms(self.fps), loop=0)

    def abort(self) -> None:
        self._images.clear()


WRITERS = {"mp4": _Mp4Writer, "gif": _GifWriter}


def _has_imageio_ffmpeg() -> bool:
    try:
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        return False
    return True


def mp4_unavailable() -> str | None:
    """Why an MP4 cannot be written here (imageio-ffmpeg missing, or its ffmpeg failing to encode two
    small frames), or None when it can."""
    if not _has_imageio_ffmpeg():
        return "imageio-ffmpeg is not installed"
    with tempfile.TemporaryDirectory() as folder:
        try:
            writer = _Mp4Writer(Path(folder) / "probe.mp4", (16, 16), 10)
            for _ in range(2):
                writer.add(np.zeros((16, 16, 3), dtype=np.uint8))
            writer.finish()
        except Exception as exc:  # noqa: BLE001 - whatever ffmpeg does wrong, the answer is: no MP4
            return f"its ffmpeg failed: {_first_line(exc)}"
    return None


# --- the command ---------------------------------------------------------------------------------


@dataclass
class Movie:
    """What :func:`make_movie` wrote: the file, its format, frames, picture size (pixels), and why it
    is a GIF when MP4 was wanted (None otherwise)."""

    path: Path
    format: str
    frames: int
    size_px: tuple[int, int]
    fallback_reason: str | None = None
    fps: float = 10.0  # as it plays (a GIF's delays are whole centiseconds)


def check_fps(fps) -> int:
    if isinstance(fps, bool) or not isinstance(fps, int | np.integer) or not FPS_RANGE[0] <= fps <= FPS_RANGE[1]:
        low, high = FPS_RANGE
        raise InputError("--fps", f"must be a whole number of frames per second in {low} … {high}, got {fps}")
    return int(fps)


def destination(target, out, video_format: str) -> tuple[Path, str]:
    """The movie's path and format (``auto`` still undecided when neither says): ``out`` is a file ending
    in .mp4 or .gif, or a folder; None means ``<run>/analysis/``."""
    if video_format not in FORMATS:
        raise InputError("--format", f"must be one of {', '.join(FORMATS)}, got {video_format!r}")
    if out is None:
        folder, name = default_output(target), None
    else:
        out = Path(out)
        suffix = out.suffix.lower()
        if suffix in (".mp4", ".gif"):
            folder, name = out.parent, out.name
            named = suffix[1:]
            if video_format not in ("auto", named):
                raise InputError("--out", f"{out} names a {named.upper()} file, but --format is {video_format}")
            video_format = named if video_format == "auto" and named == "gif" else video_format
        elif suffix and not out.is_dir():
            raise InputError("--out", f"must be a folder or a file ending in .mp4 or .gif, got {out}")
        else:
            folder, name = out, None
    if folder.exists() and not folder.is_dir():
        raise InputError("--out", f"{folder} is a file, not a folder")
    check_output_folder(folder, "--out")  # a file on the way, a dangling link, /proc, read-only: refused
    return (folder / (name or "movie.mp4")), video_format


class Scene:
    """The pictures of a movie of the ``selected`` frames of an open trajectory read from ``source``: one
    side-view scale for all of them (up to the highest film height or cluster, plus a diameter), the film
    of each frame and the chains by ``r_max`` (nm), ``max_angle`` (degrees) and ``dimensions``."""

    def __init__(self, trajectory, selected, source: Path, r_max, max_angle, dimensions="auto"):
        self.trajectory, self.criterion, self.dimensions = trajectory, (r_max, max_angle), dimensions
        model = None if LOG + "time" in trajectory[0].log else _model_beside(source)
        self.films = {i: film_state(trajectory[i], model) for i in selected}
        first = trajectory[selected[0]]
        heights = [f.height_nm for f in self.films.values() if f.height_nm is not None]
        substrate = min(f.substrate_z for f in self.films.values())
        top_of_clusters = float(np.max(cluster_state(first)[1][:, 2])) - substrate
        diameter = float(np.max(np.asarray(first.particles.diameter))) if first.particles.N else 1.0
        self.z_top = max([top_of_clusters, *heights]) + diameter
        self.name = run_name(source)

    def figure(self, index: int):
        """The picture of frame ``index`` (one of the selected), a Figure of :data:`FRAME_SIZE_PX` pixels."""
        from . import figures

        frame = self.trajectory[index]
        chains = Chains(*self.criterion, frame_dimensions(frame, self.dimensions))
        chains.compute(*cluster_state(frame))
        film = self.films[index]
        return figures.movie_frame(frame, chains, film, self.z_top, FRAME_SIZE_PX, FRAME_DPI, name=self.name)


def save_still(target, index: int, path, frames=None, r_max=DEFAULT_R_MAX_NM, max_angle=DEFAULT_MAX_ANGLE_DEG):
    """Write frame ``index`` of a run's movie (of the ``frames`` selection, default all) as a PNG, exactly
    as the movie shows it."""
    source = trajectory_path(target)
    with open_trajectory(source) as trajectory:
        selected = parse_frames(frames, len(trajectory))
        index = selected[index] if -len(selected) <= index < 0 else index
        if index not in selected:
            raise InputError("frame", f"{index} is not among the selected frames")
        Scene(trajectory, selected, source, r_max, max_angle).figure(index).savefig(path, dpi=FRAME_DPI)


def make_movie(
    target,
    out=None,
    frames=None,
    fps: int = 10,
    video_format: str = "auto",
    r_max=DEFAULT_R_MAX_NM,
    max_angle=DEFAULT_MAX_ANGLE_DEG,
    dimensions="auto",
    progress=True,
) -> Movie:
    """Render the selected frames of a run (a run directory or a .gsd file) into a video.

    ``frames`` as in ``analyze`` (start:stop:step or i,j,k); chains by ``r_max`` (nm), ``max_angle``
    (degrees) and ``dimensions`` ("auto": 2D once the film is a deposit, as in the deposit figure).
    Every option is checked before anything is written; a failed encode raises :class:`EncoderError`
    and leaves neither the movie nor a partial file (an older movie of the same name is kept).
    """
    from tqdm import tqdm

    from . import figures

    fps = check_fps(fps)
    path, video_format = destination(target, out, video_format)
    Chains(r_max, max_angle)  # check the criterion before anything is written
    if dimensions not in ("auto", "2", "3"):
        raise InputError("--dimensions", f"must be auto, 2 or 3, got {dimensions!r}")
    source = trajectory_path(target)
    fallback = None
    if video_format == "auto":
        fallback = mp4_unavailable()
        video_format = "gif" if fallback else "mp4"
    elif video_format == "mp4" and not _has_imageio_ffmpeg():
        raise EncoderError(
            "--format mp4: imageio-ffmpeg is not installed (pip install imageio-ffmpeg), or use --format gif"
        )
    path = path.with_suffix(SUFFIXES[video_format])
    with open_trajectory(source) as trajectory:
        selected = parse_frames(frames, len(trajectory))
        scene = Scene(trajectory, selected, source, r_max, max_angle, dimensions)

        created = not path.parent.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.stem}.partial{path.suffix}")
        writer = None
        try:
            with _encoder_failures(video_format):
                writer = WRITERS[video_format](partial, FRAME_SIZE_PX, fps)
            for index in tqdm(selected, desc="movie", unit="frame", disable=not progress, file=sys.stderr):
                rgb = figures.figure_rgb(scene.figure(index))
                with _encoder_failures(video_format):
                    writer.add(rgb)
            with _encoder_failures(video_format):
                writer.finish()
            os.replace(partial, path)
        except BaseException:
            if writer is not None:
                with contextlib.suppress(Exception):  # the first failure is the one to report
                    writer.abort()
            partial.unlink(missing_ok=True)
            if created and not any(path.parent.iterdir()):
                path.parent.rmdir()
            raise
    played = fps if video_format == "mp4" else 1000 / gif_delay_ms(fps)
    return Movie(path, video_format, len(selected), FRAME_SIZE_PX, fallback, played)


@contextlib.contextmanager
def _encoder_failures(video_format: str):
    """Any error of the encoder, as an :class:`EncoderError` of one line."""
    try:
        yield
    except EncoderError:
        raise
    except Exception as exc:
        raise EncoderError(f"writing the {video_format.upper()} failed: {_first_line(exc)}") from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
