"""Physics validation on every installed engine (slow: run with `pytest -m validate`).

The same measurements make docs/validation.md (`python -m dipolewire.validation --out docs`).
"""

import pytest

from dipolewire import validation

pytestmark = pytest.mark.validate
ENGINES = validation.available_engines()


def assert_checks(checks):
    failed = [c for c in checks if not c.passed]
    assert not failed, "\n".join(
        f"{c.name} ({c.engine}): {c.measured:.5g} ± {c.error:.2g} vs {c.expected:.5g}, allowed {c.tolerance:.3g}"
        for c in failed
    )


def test_pair_physics_and_paper_anchor():
    assert_checks(validation.pair_checks(ENGINES))


@pytest.mark.parametrize("engine", ENGINES)
def test_translational_and_rotational_diffusion(engine, tmp_path):
    checks, _ = validation.diffusion_checks(engine, tmp_path)
    assert_checks(checks)


@pytest.mark.parametrize("engine", ENGINES)
def test_dimer_ratio_matches_the_exact_association_constant(engine, tmp_path):
    checks, _ = validation.association_checks(engine, tmp_path)
    assert_checks(checks)


@pytest.mark.parametrize("engine", ENGINES)
def test_drying_front_confinement_and_monolayer(engine, tmp_path):
    checks, data = validation.drying_checks(engine, tmp_path)
    assert_checks(checks)
