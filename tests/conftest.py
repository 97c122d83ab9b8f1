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
