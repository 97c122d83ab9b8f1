"""The GSD trajectory schema that every engine writes, and helpers to read it back.

Units are the nano system: positions nm, time ns, dipoles e·nm, energies zJ.

Particles follow HOOMD-blue's rigid-body layout, so a frame can seed a HOOMD-blue simulation:
the N body centres come first (``body`` = own index, types ``<preset>:R`` / ``<preset>:S``), then
the beads of each body in order (``body`` = index of their centre, types ``Au``, ``Cu`` …).
Orientations are quaternions (w, x, y, z) taking the body frame (Janus axis = z) to the lab frame.

Per-frame values under ``log/dipolewire/``:

=========================  ==========  ======================================================
key                        unit        meaning
=========================  ==========  ======================================================
time                       ns          simulated time
film_height                nm          interface height above the substrate
interface_z, substrate_z   nm          lab-frame z of the interface and of the substrate
eps_r                      1           relative permittivity in force during the frame
potential_energy           zJ          total potential energy (pairs and walls)
dipole_energy              zJ          dipole–dipole energy
type_dipole                e·nm        (n_types, 3) dipole of each type in its body frame
type_dipole_position       nm          (n_types, 3) where that dipole sits in the body frame
chirality                  1           (N,) 0 = R, 1 = S for each body
=========================  ==========  ======================================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LOG = "dipolewire/"


@dataclass
class Snapshot:
    """One state of the bodies, as an engine hands it over (nano units)."""

    step: int
    time: float
    positions: np.ndarray  # (N, 3) body centres, wrapped into the box, nm
    orientations: np.ndarray  # (N, 4) quaternions
    images: np.ndarray  # (N, 3) periodic images of the centres
    film_height: float
    eps_r: float
    potential_energy: float
    dipole_energy: float


def rotate(quaternions, vectors):
    """Rotate ``vectors`` (..., 3) by unit ``quaternions`` (..., 4) (w, x, y, z)."""
    q = np.asarray(quaternions, dtype=float)
    v = np.asarray(vectors, dtype=float)
    w, u = q[..., :1], q[..., 1:]
    t = 2.0 * np.cross(u, v)
    return v + w * t + np.cross(u, t)


class TrajectoryWriter:
    """Appends snapshots of a :class:`~dipolewire.model.Model` to a GSD file, flushing each frame."""

    def __init__(self, path, model, chirality, mode: str = "w"):
        import gsd.hoomd

        self.model = model
        self.chirality = np.asarray(chirality, dtype=np.int32)
        self._file = gsd.hoomd.open(str(path), mode)
        self._static = self._static_particles()

    def _static_particles(self) -> dict:
        m, N = self.model, self.model.N
        n_beads = len(m.beads)
        n_center_types = len(m.center_types)
        typeid = np.concatenate(
            [
                self.chirality,
                np.tile(np.arange(n_beads, dtype=np.int32) + n_center_types, N),
            ]
        )
        body = np.concatenate([np.arange(N), np.repeat(np.arange(N), n_beads)]).astype(np.int32)
        diameter = np.concatenate([np.full(N, m.diameter), np.tile([b.diameter for b in m.beads], N)])
        mass = np.concatenate([np.full(N, m.body_mass), np.zeros(N * n_beads)])
        inertia = np.zeros((N * (1 + n_beads), 3))
        inertia[:N] = m.body_inertia
        type_dipole = np.zeros((len(m.types), 3))
        type_dipole[:n_center_types] = m.dipole_body
        type_position = np.zeros((len(m.types), 3))
        type_position[:n_center_types] = m.dipole_position_body
        return {
            "typeid": typeid,
            "body": body,
            "diameter": diameter.astype(np.float32),
            "mass": mass.astype(np.float32),
            "moment_inertia": inertia.astype(np.float32),
            "type_dipole": type_dipole,
            "type_dipole_position": type_position,
        }

    def write(self, snap: Snapshot) -> None:
        import gsd.hoomd

        m, s, N = self.model, self._static, self.model.N
        bead_z = np.array([[0.0, 0.0, b.z] for b in m.beads])  # (n_beads, 3) body frame
        q = np.asarray(snap.orientations, dtype=float)
        bead_offsets = rotate(q[:, None, :], bead_z[None, :, :])  # (N, n_beads, 3)
        L = np.array([m.box_length, m.box_length, m.box_height])
        unwrapped_beads = (snap.positions + snap.images * L)[:, None, :] + bead_offsets
        bead_images = np.floor((unwrapped_beads + 0.5 * L) / L).astype(np.int32)
        if m.walls:
            bead_images[..., 2] = 0
        beads = unwrapped_beads - bead_images * L

        frame = gsd.hoomd.Frame()
        frame.configuration.step = int(snap.step)
        frame.configuration.dimensions = 3
        frame.configuration.box = [m.box_length, m.box_length, m.box_height, 0.0, 0.0, 0.0]
        p = frame.particles
        p.N = N * (1 + len(m.beads))
        p.types = list(m.types)
        p.typeid = s["typeid"]
        p.body = s["body"]
        p.diameter = s["diameter"]
        p.mass = s["mass"]
        p.moment_inertia = s["moment_inertia"]
        p.position = np.concatenate([snap.positions, beads.reshape(-1, 3)]).astype(np.float32)
        p.orientation = np.concatenate([q, np.repeat(q, len(m.beads), axis=0)]).astype(np.float32)
        p.image = np.concatenate([snap.images, bead_images.reshape(-1, 3)]).astype(np.int32)
        frame.log = {
            LOG + "time": np.array([snap.time], dtype=np.float64),
            LOG + "film_height": np.array([snap.film_height], dtype=np.float64),
            LOG + "interface_z": np.array([m.substrate_z + snap.film_height], dtype=np.float64),
            LOG + "substrate_z": np.array([m.substrate_z], dtype=np.float64),
            LOG + "eps_r": np.array([snap.eps_r], dtype=np.float64),
            LOG + "potential_energy": np.array([snap.potential_energy], dtype=np.float64),
            LOG + "dipole_energy": np.array([snap.dipole_energy], dtype=np.float64),
            LOG + "type_dipole": s["type_dipole"],
            LOG + "type_dipole_position": s["type_dipole_position"],
            LOG + "chirality": self.chirality,
        }
        self._file.append(frame)
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --- reading -------------------------------------------------------------------------------


def centers(frame) -> np.ndarray:
    """Indices of the body centres in a frame (particles whose body is themselves)."""
    body = np.asarray(frame.particles.body)
    return np.flatnonzero(body == np.arange(len(body)))


def dipoles(frame) -> np.ndarray:
    """Lab-frame dipole vectors (e·nm) of the body centres of a dipolewire GSD frame."""
    idx = centers(frame)
    type_dipole = np.asarray(frame.log[LOG + "type_dipole"]).reshape(-1, 3)
    typeid = np.asarray(frame.particles.typeid)[idx]
    return rotate(np.asarray(frame.particles.orientation)[idx], type_dipole[typeid])


def logged(frame, key: str) -> float:
    """A per-frame scalar from ``log/dipolewire/`` (e.g. ``"time"``, ``"film_height"``)."""
    return float(np.asarray(frame.log[LOG + key]).ravel()[0])


def cluster_state(frame):
    """``(box_lengths, positions, directions)`` of the clusters in a frame.

    Works on dipolewire files (body centres, dipoles from ``type_dipole``) and on any GSD frame
    with oriented particles: without rigid bodies every particle is a cluster, and without logged
    dipoles the direction is the body z axis rotated by each orientation.
    """
    p = frame.particles
    body = np.asarray(p.body) if p.body is not None else np.full(p.N, -1)
    idx = centers(frame) if np.any(body >= 0) else np.arange(p.N)
    if LOG + "type_dipole" in frame.log:
        directions = dipoles(frame)
    else:
        directions = rotate(np.asarray(p.orientation)[idx], [0.0, 0.0, 1.0])
    return np.asarray(frame.configuration.box[:3], dtype=float), np.asarray(p.position)[idx], directions
