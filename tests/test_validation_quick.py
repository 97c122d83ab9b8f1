"""The fast part of the physics validation, run with every `pytest` (and so in CI).

The full checks, with their 3 % and 10 % tolerances and longer runs, are in tests/validation/
(`pytest -m validate`)."""

import math

import numpy as np
import pytest

from dipolewire import validation


def test_pair_checks_on_lammps():
    checks = validation.pair_checks(["lammps"])
    assert all(c.passed for c in checks), [(c.name, c.measured, c.expected) for c in checks]


def test_short_diffusion_run_on_lammps(tmp_path):
    """150 free clusters for 40 ns: Dr within 3 %; Dt (mean of x, y, z) within 3 % or 3 standard errors."""
    checks, data = validation.diffusion_checks("lammps", tmp_path, clusters=150, duration="40 ns")
    dt = [c for c in checks if c.name.startswith("Dt")]
    mean = np.mean([c.measured for c in dt])
    error = dt[0].error / math.sqrt(3)  # each component's error is √3 times that of the mean
    assert abs(mean / dt[0].expected - 1) <= max(0.03, 3 * error / dt[0].expected)
    dr = next(c for c in checks if c.name.startswith("Dr"))
    assert dr.passed, (dr.measured, dr.error, dr.expected)
    assert len(data["msd_t"]) > 10 and data["corr"][0] < 1.0


def test_check_reports_deviation():
    check = validation.Check("x", "lammps", 1.02, 0.01, 1.0, 0.03)
    assert check.deviation == pytest.approx(0.02) and check.passed
    assert not validation.Check("x", "lammps", 1.05, 0.01, 1.0, 0.03).passed
    assert validation.Check("escapes", "lammps", 0.0, 0.0, 0.0, 0.0).passed
    assert not validation.Check("escapes", "lammps", 2.0, 0.0, 0.0, 0.0).passed
