import json
from pathlib import Path

import numpy as np
import pytest

REFERENCE = Path(__file__).parent / "reference"


@pytest.fixture(scope="session")
def paper_facts():
    """Numbers from the shared reference sheet, as printed there."""
    return json.loads((REFERENCE / "paper_facts.json").read_text())


@pytest.fixture
def rng():
    return np.random.default_rng(20221258)


def printed_digits(value) -> float:
    """Half a unit in the last printed digit of ``value`` (as written in the JSON)."""
    text = repr(value)
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10.0**-decimals


@pytest.fixture
def random_pair(rng):
    """A factory of random dipole pairs: separations 1–4 nm, dipoles 0.2–1.5 e·nm."""

    def make(n=1):
        direction = rng.normal(size=(n, 3))
        direction /= np.linalg.norm(direction, axis=-1, keepdims=True)
        r_ij = direction * rng.uniform(1.0, 4.0, size=(n, 1))
        mu = rng.normal(size=(2, n, 3))
        mu *= rng.uniform(0.2, 1.5, size=(2, n, 1)) / np.linalg.norm(mu, axis=-1, keepdims=True)
        return r_ij, mu[0], mu[1]

    return make


def tiny_document(**changes):
    """A small, fast drying run (40 clusters, ~12 ns, a few seconds on one core)."""
    document = {
        "name": "tiny",
        "cluster": {"preset": "R-Au-Cu", "chirality": "racemic"},
        "amount": {"clusters": 40, "concentration": "20 mM", "box_length": "16 nm"},
        "solvent": {"preset": "CH2Cl2"},
        "drying": {"front_speed": "1 nm/ns", "eps_r_dry": 1.5, "hold": "1 ns"},
        "numerics": {"dipole_cutoff": "5 nm", "output_interval": "1 ns", "seed": 7},
    }
    for section, values in changes.items():
        document[section] = {**document.get(section, {}), **values}
    return document


@pytest.fixture
def tiny_spec():
    from dipolewire.spec import from_dict

    return from_dict(tiny_document())


DATA = Path(__file__).parent / "data"
#: A stored LAMMPS trajectory of tiny_document() (made by data/make_stored_trajectory.py).
STORED_TRAJECTORY = DATA / "tiny-drying.gsd"
#: The logged values that a simulation produces (the rest of a frame's log describes the model).
SIMULATED_LOG = ("time", "film_height", "eps_r", "potential_energy", "dipole_energy")


def trajectory_digest(path) -> str:
    """SHA-256 of the physics in a trajectory: every frame's step, particle positions, orientations,
    images and types, the chirality of each body, and the logged time, film height, εr and energies (as float32).
    Equal digests: runs identical to the precision a trajectory stores."""
    import hashlib

    import gsd.hoomd

    digest = hashlib.sha256()
    with gsd.hoomd.open(str(path)) as trajectory:
        for frame in trajectory:
            digest.update(np.int64(frame.configuration.step).tobytes())
            p = frame.particles
            for array in (p.position, p.orientation, p.image, p.typeid, frame.log["dipolewire/chirality"]):
                digest.update(np.ascontiguousarray(array).tobytes())
            for key in SIMULATED_LOG:
                # float32, like the positions: an engine's energy sum can differ in its last float64 bits between
                # CPUs with different vector instructions while the stored trajectory does not
                digest.update(np.ascontiguousarray(frame.log["dipolewire/" + key], dtype=np.float32).tobytes())
    return digest.hexdigest()


@pytest.fixture
def stored_run(tmp_path):
    """A run folder holding a copy of the stored trajectory (no simulation needed)."""
    import shutil

    out = tmp_path / "tiny"
    out.mkdir()
    shutil.copy(STORED_TRAJECTORY, out / "trajectory.gsd")
    shutil.copy(DATA / "tiny-drying.toml", out / "spec.toml")
    return out


def tiny_encounter(**changes) -> dict:
    """An encounter file: two repelling species (short trajectories), a two-point salt sweep and a two-ratio
    feeding sweep, with ``changes`` (section → table merged into it, a key set to None removed; a section set to
    None removed; ``species`` → the whole list)."""
    document = {
        "name": "tiny-enc",
        "solvent": {"preset": "DMF"},
        "species": [
            {"preset": "Ag44(p-MBA)30", "concentration": "0.2 mM"},
            {"name": "B", "charge": "-3 e", "core_diameter": "1.1 nm", "shell": "0.6 nm", "concentration": "0.1 mM"},
        ],
        "encounter": {"trajectories": 100, "concurrent": 50, "pairs": [["Ag44", "B"]]},
        "ionic_strength": {"salt": ["0 mM", "5 mM"]},
        "feeding": {"between": ["B", "Ag44"], "ratios": ["1:2", "2:1"], "total_concentration": "0.3 mM"},
    }
    for section, value in changes.items():
        if value is None:
            document.pop(section, None)
        elif isinstance(value, dict) and isinstance(document.get(section), dict):
            merged = {**document[section], **value}
            document[section] = {k: v for k, v in merged.items() if v is not None}
        else:
            document[section] = value
    return document
