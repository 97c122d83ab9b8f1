"""Runs that start part-way through the drying: from a film already thin, or from a frame of another run tiled.

A film of micrometres holds ~10⁵ clusters, and most of a drying run's work is the dilute solution, which holds none
of the dry film's structure. A ``[start]`` table (:class:`~dipolewire.spec.StartSpec`) skips it, in one of two ways:

- ``film_height`` (and ``permittivity``): the clusters placed at random without overlaps in a film already that thin
  (:meth:`~dipolewire.model.Model.initial_configuration`, the film's height replaced);
- ``from_run`` (``frame``, ``replicate``): the bodies of one frame of an earlier run, tiled nx × ny in x and y
  (:func:`tile`), at that frame's film height and εr.

Either way time starts at 0 in that state and the interface descends from there to the final height (or holds).
This module reads the source frame (:func:`read_source`), checks that its run modelled the same clusters
(:func:`check_compatible`), tiles its bodies (:func:`tiled_bodies`) and says where a run started
(:func:`describe`, :func:`record`). Lengths nm, times ns.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import InputError

FIELD = "start.from_run"


@dataclass(frozen=True, eq=False)
class SourceFrame:
    """One frame of an earlier run, as a start reads it.

    ``trajectory``: the GSD file (absolute); ``spec_path``: the resolved run file beside it; ``index`` (≥ 0) of
    ``count`` frames; ``step`` and ``time`` (ns); the film's ``film_height`` (nm) and ``eps_r`` in that frame, and
    the lab-frame ``substrate_z`` (nm); ``box`` (lx, ly, lz) nm; the bodies' ``positions`` (N, 3) nm, wrapped into
    the box, ``orientations`` (N, 4) and ``chirality`` (N,) 0 = R / 1 = S, as stored; ``cluster``
    (:class:`~dipolewire.spec.ClusterSpec`) and ``walls`` of the run that wrote it; ``digest``:
    :func:`frame_digest` of the bodies.
    """

    trajectory: Path
    spec_path: Path
    index: int
    count: int
    step: int
    time: float
    film_height: float
    eps_r: float
    substrate_z: float
    box: tuple[float, float, float]
    positions: np.ndarray
    orientations: np.ndarray
    chirality: np.ndarray
    cluster: object
    walls: bool
    digest: str

    @property
    def clusters(self) -> int:
        return len(self.positions)


def frame_digest(positions, orientations, chirality, box, film_height: float, eps_r: float) -> str:
    """SHA-256 (hex) of a frame's bodies as stored: positions (nm), orientations, chirality, box (nm), film height
    (nm) and εr. Recorded in a tiled run's spec.toml, so that its source frame can be recognised."""
    digest = hashlib.sha256()
    for array in (
        np.asarray(positions, dtype=np.float32),
        np.asarray(orientations, dtype=np.float32),
        np.asarray(chirality, dtype=np.int32),
        np.asarray(box, dtype=np.float32),
        np.array([film_height, eps_r], dtype=np.float64),
    ):
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def _paths(from_run: str, base: Path) -> tuple[Path, Path]:
    """(trajectory, spec.toml beside it) of a run folder or a trajectory file; relative paths from ``base``."""
    path = Path(from_run).expanduser()
    if not path.is_absolute():
        path = base / path
    if path.is_dir():
        trajectory = path / "trajectory.gsd"
        if not trajectory.is_file():
            raise InputError(FIELD, f"{path} holds no trajectory.gsd (give a run folder or a trajectory file)")
    elif path.is_file():
        trajectory = path
    else:
        raise InputError(FIELD, f"no run folder or trajectory file {path}")
    trajectory = trajectory.resolve()
    spec_path = trajectory.parent / "spec.toml"
    if not spec_path.is_file():
        raise InputError(
            FIELD,
            f"{trajectory} has no spec.toml beside it: the resolved run file that a run writes, which says which "
            "clusters the frame holds",
        )
    return trajectory, spec_path


def _source_model(spec_path: Path):
    """(cluster, walls) of the run whose resolved run file is ``spec_path``; only these are read, so that a chain
    of tiled runs never reads further back than one run."""
    from .spec import _cluster, check_finite

    try:
        document = tomllib.loads(spec_path.read_text(encoding="utf-8"))
        check_finite(document)
        cluster = _cluster(document.get("cluster", {}))
    except InputError as exc:
        raise InputError(FIELD, f"{spec_path}: {exc.field}: {exc.message}") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(FIELD, f"cannot read {spec_path}: {exc}") from None
    walls = document.get("drying", {}).get("walls", True)
    return cluster, walls is not False


def read_source(from_run: str, frame: int, base: Path) -> SourceFrame:
    """Frame ``frame`` (an index; negative counts from the end) of the run folder or trajectory file ``from_run``
    (relative to ``base``), with the clusters its run modelled; refuses, naming ``start.from_run`` or
    ``start.frame``, a path that holds no dipolewire run or a frame it does not have."""
    from .trajectory import LOG, centers, is_dipolewire, logged, open_trajectory

    trajectory, spec_path = _paths(from_run, base)
    cluster, walls = _source_model(spec_path)
    try:
        with open_trajectory(trajectory) as frames:
            count = len(frames)
            if count == 0:
                raise InputError(FIELD, f"{trajectory} holds no frames")
            if not -count <= frame < count:
                raise InputError(
                    "start.frame",
                    f"must be one of the {count} frames of {trajectory}: 0 … {count - 1}, or -1 … -{count} from the "
                    f"end, got {frame}",
                )
            index = frame % count
            snap = frames[index]
    except InputError as exc:
        if exc.field in (FIELD, "start.frame"):
            raise
        raise InputError(FIELD, exc.message if exc.field == str(trajectory) else str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same answer
        raise InputError(FIELD, f"cannot read {trajectory}: {exc}") from None
    if not is_dipolewire(snap):
        raise InputError(FIELD, f"{trajectory} is not a dipolewire trajectory (no log/{LOG} values)")
    types = list(snap.particles.types)
    expected = [f"{cluster.preset}:R", f"{cluster.preset}:S"]
    if types[:2] != expected:
        raise InputError(
            FIELD,
            f"{trajectory} holds clusters of types {types[:2]}, not the {expected} of the spec.toml beside it",
        )
    idx = centers(snap)
    positions = np.array(snap.particles.position[idx], dtype=np.float64)
    orientations = np.array(snap.particles.orientation[idx], dtype=np.float64)
    chirality = np.asarray(snap.log[LOG + "chirality"], dtype=np.int32)
    box = tuple(float(v) for v in snap.configuration.box[:3])
    height, eps_r = logged(snap, "film_height"), logged(snap, "eps_r")
    return SourceFrame(
        trajectory=trajectory,
        spec_path=spec_path,
        index=index,
        count=count,
        step=int(snap.configuration.step),
        time=logged(snap, "time"),
        film_height=height,
        eps_r=eps_r,
        substrate_z=logged(snap, "substrate_z"),
        box=box,
        positions=positions,
        orientations=orientations,
        chirality=chirality,
        cluster=cluster,
        walls=walls,
        digest=frame_digest(positions, orientations, chirality, box, height, eps_r),
    )


def check_compatible(frame: SourceFrame, cluster, walls) -> None:
    """Refuse a run whose clusters (``cluster``, a :class:`~dipolewire.spec.ClusterSpec`) or ``drying.walls`` differ
    from those of the run that wrote ``frame``, naming the first field that differs: a tiled start copies that
    run's bodies, so it must model the same ones."""
    from .spec import cluster_document

    ours, theirs = cluster_document(cluster), cluster_document(frame.cluster)
    for key in dict.fromkeys([*theirs, *ours]):  # the preset first, as written in resolved files
        if key == "elemental_formula":  # a record: the molar mass of a concentration, not the bodies
            continue
        if ours.get(key) != theirs.get(key):
            raise InputError(
                f"cluster.{key}",
                f"must be the same as in the run the start is tiled from ({theirs.get(key)!r} in {frame.spec_path}), "
                f"got {ours.get(key)!r}: a start from another run's frame copies its clusters",
            )
    if bool(walls) != frame.walls:
        raise InputError(
            "drying.walls",
            f"must be {str(frame.walls).lower()}, as in the run the start is tiled from ({frame.spec_path}): a "
            "film and a periodic bulk box cannot continue one another",
        )


def tile(positions, orientations, chirality, cell, replicate):
    """Bodies of one periodic cell tiled ``replicate`` = (nx, ny) times in x and y.

    ``positions`` (N, 3) nm in the cell ``cell`` = (lx, ly) nm centred on 0, ``orientations`` (N, 4),
    ``chirality`` (N,). Returns ``(positions, orientations, chirality, source, shift)`` for the nx·ny·N bodies in the
    box (nx·lx, ny·ly) centred on 0: body k is body ``source[k]`` moved by ``shift[k]`` = (i, j) whole cells,
    ``positions[k, :2] = positions[source[k], :2] + shift[k] · cell`` (one addition: exact where the sum is
    representable, as for positions read from a GSD file), z, orientation and chirality copied.
    """
    positions = np.asarray(positions, dtype=np.float64)
    nx, ny = replicate
    n = len(positions)
    cell = np.asarray(cell, dtype=np.float64)
    counts = np.array([nx, ny])
    source = np.tile(np.arange(n), nx * ny)
    i, j = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    shift = np.repeat(np.column_stack([i.ravel(), j.ravel()]), n, axis=0)
    # cells 0 … n−1 reach past the centred box's upper edge: those bodies go round by whole boxes (integers)
    box = counts * cell
    beyond = np.floor((positions[source, :2] + shift * cell + 0.5 * box) / box).astype(np.int64)
    shift = shift - beyond * counts
    tiled = positions[source].copy()
    tiled[:, :2] = positions[source, :2] + shift * cell
    return tiled, np.asarray(orientations)[source].copy(), np.asarray(chirality)[source].copy(), source, shift


def tiled_bodies(model):
    """``(positions (N, 3) nm, orientations (N, 4), chirality (N,))`` of a tiled start of ``model``: its source
    frame read again (and checked to be the one its run file recorded), tiled into the model's box, moved in z
    with the substrate (the new box is as high as its own film needs)."""
    start = model.spec.start
    frame = read_source(start.from_run, start.frame, Path("/"))
    if frame.digest != start.source_digest:
        raise InputError(
            "start.source_digest",
            f"frame {frame.index} of {frame.trajectory} is not the one this run started from (its bodies' SHA-256 "
            "differs from the record): the source run was changed or replaced",
        )
    positions, orientations, chirality, _, _ = tile(
        frame.positions, frame.orientations, frame.chirality, frame.box[:2], start.replicate
    )
    positions[:, 2] += model.substrate_z - frame.substrate_z
    return positions, orientations, chirality


def describe(model) -> str:
    """One line: where a run with a ``[start]`` begins, and what it skips."""
    spec, start = model.spec, model.spec.start
    lx, ly = spec.amount.sides
    eps_now = float(model.permittivity(0.0))
    at_once = (
        f"; εr becomes drying.eps_r_dry = {eps_now:.4g} at once (the film is at its final height)"
        if abs(eps_now - start.permittivity) > 1e-12
        else ""
    )
    if not start.tiled:
        return (
            f"start: a film already {start.film_height:.4g} nm thick at εr {start.permittivity:.4g}, the {model.N} "
            f"clusters placed at random without overlaps (the drying from {spec.amount.film_height:.4g} nm is "
            "skipped)" + at_once
        )
    nx, ny = start.replicate
    sx, sy = start.source_box
    return (
        f"start: frame {start.frame} (t = {start.source_time:.4g} ns) of {start.from_run}, {start.source_clusters} "
        f"clusters over {sx:.4g} nm × {sy:.4g} nm tiled {nx} × {ny}: {model.N} clusters over {lx:.4g} nm × "
        f"{ly:.4g} nm; film {start.film_height:.4g} nm, εr {start.permittivity:.4g}" + at_once
    )


def record(model) -> dict:
    """Where a run with a ``[start]`` began, for run.json."""
    start = model.spec.start
    entry = {
        "kind": "frame" if start.tiled else "film",
        "film_height_nm": start.film_height,
        "eps_r": start.permittivity,
        "clusters": model.N,
        "box_nm": [float(model.box.lx), float(model.box.ly)],
    }
    if start.tiled:
        entry.update(
            from_run=start.from_run,
            frame=start.frame,
            frame_time_ns=start.source_time,
            replicate=list(start.replicate),
            source_clusters=start.source_clusters,
            source_box_nm=list(start.source_box),
            source_digest=start.source_digest,
        )
    return entry
