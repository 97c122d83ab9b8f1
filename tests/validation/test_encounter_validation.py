"""Encounter rates by Brownian dynamics against the exact Debye–Smoluchowski rate (slow: ``pytest -m validate``).

Neutral, repelling and attracting pairs (:mod:`dipolewire.charged.checks`), 20 000 trajectories each, on every
installed engine: within 3 %, and the fraction of trajectories that reached within 4 binomial standard errors
of the exact splitting probability. docs/charged_figures.py records the same measurements.
"""

import math

import pytest

from dipolewire import engines
from dipolewire.charged import checks

pytestmark = pytest.mark.validate
ENGINES = [name for name in ("lammps", "hoomd") if engines.available()[name]]
TRAJECTORIES = 20_000


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", checks.CASES, ids=lambda c: c.name)
def test_encounter_rate_matches_debye_smoluchowski(engine, case):
    result = checks.measure(case, engine, TRAJECTORIES)
    assert abs(result.deviation) < checks.TOLERANCE, (result.rate, result.error, result.exact)
    beta = result.exact_beta
    assert result.counts.beta == pytest.approx(beta, abs=4 * math.sqrt(beta * (1 - beta) / TRAJECTORIES))
    if case.name == "neutral":  # R* = R: the Smoluchowski rate 4π D (a + b) itself
        pair, diffusion, *_ = checks.setup(case)
        assert result.exact == pytest.approx(4 * math.pi * diffusion * 2 * checks.RADIUS_NM, rel=1e-9)
