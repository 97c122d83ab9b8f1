"""Two-body Brownian dynamics of charged clusters on LAMMPS and HOOMD-blue: the engines' pair energies and
forces against the analytic pair (1e-6), their diffusion against Stokes–Einstein, and short
Northrup–Allison–McCammon runs against the exact splitting probability. The 3 % rate validation is in
tests/validation/test_encounter_validation.py (-m validate)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dipolewire import engines
from dipolewire.charged import nam, rates
from dipolewire.charged.pair import ChargedPair
from dipolewire.charged.pair_engines import ENGINES, PairEngine
from dipolewire.errors import RunStopped
from dipolewire.physics import translational_friction
from dipolewire.units import kT_zJ

T = 298.15
KT = kT_zJ(T)
HAVE = engines.available()
ENGINE_PARAMS = [
    pytest.param("lammps", marks=pytest.mark.skipif(not HAVE["lammps"], reason="LAMMPS is not installed")),
    pytest.param("hoomd", marks=pytest.mark.skipif(not HAVE["hoomd"], reason="HOOMD-blue is not installed")),
]
PAIRS = {
    "repelling": ChargedPair(amplitude=16 * 1.53 * KT, kappa=0.15, contact=2.455, shell_epsilon=KT),
    "attracting": ChargedPair(amplitude=-8 * 1.53 * KT, kappa=0.4, contact=2.2, shell_epsilon=2 * KT),
    "unscreened": ChargedPair(amplitude=4 * 1.53 * KT, kappa=0.0, contact=2.6, shell_epsilon=KT),
}


def _place_at(engine, distances, direction=(0.3, -0.5, 0.8)):
    u = np.asarray(direction, float) / np.linalg.norm(direction)
    half = 0.5 * np.asarray(distances)[:, None] * u
    engine.place(np.arange(len(distances)), engine.sites - half, engine.sites + half)
    return u


@pytest.mark.parametrize("engine_name", ENGINE_PARAMS)
@pytest.mark.parametrize("case", sorted(PAIRS))
def test_engine_pair_energy_and_force_match_the_analytic_pair(engine_name, case):
    pair = PAIRS[case]
    r = np.array([0.9, 0.97, 0.999, 1.0005, 1.3, 2.5, 4.0]) * pair.contact
    engine = ENGINES[engine_name](pair, (20.0, 27.0), T, len(r), 30.0, 12.0, 1e-3, 11)
    try:
        u = _place_at(engine, r)
        energy, forces = engine.energy_and_forces()
    finally:
        engine.close()
    assert energy == pytest.approx(float(np.sum(pair.energy(r))), rel=1e-6)
    on_b = forces[1::2] @ u  # along the a → b axis: the radial force on b
    assert np.allclose(on_b, pair.force(r), rtol=1e-6, atol=0)
    assert np.allclose(forces[0::2], -forces[1::2], rtol=1e-9, atol=1e-12)  # pairs only within a pair


@pytest.mark.parametrize("engine_name", ENGINE_PARAMS)
def test_free_pairs_diffuse_by_stokes_einstein(engine_name):
    gammas = (float(translational_friction(0.794, 2.45)), float(translational_friction(0.794, 3.1)))
    pairs, steps, dt = 6000, 40, 0.01
    engine = ENGINES[engine_name](ChargedPair(0.0, 0.0, 1.0, 0.0), gammas, T, pairs, 12.0, 2.0, dt, 5)
    try:
        _place_at(engine, np.full(pairs, 5.0))
        engine.settle()
        a0, b0 = engine.step()
        for _ in range(steps):
            a1, b1 = engine.step()
    finally:
        engine.close()
    edge = engine.edge
    for start, end, gamma in ((a0, a1, gammas[0]), (b0, b1, gammas[1])):
        d = end - start
        d -= edge * np.round(d / edge)
        msd = np.mean(np.sum(d * d, axis=1))
        expected = 6 * KT / gamma * steps * dt
        # the mean of 3N squared Gaussians: relative standard deviation sqrt(2/(3N))
        assert msd / expected == pytest.approx(1.0, abs=5 * math.sqrt(2 / (3 * pairs)))


def test_the_automatic_geometry_of_a_neutral_pair_is_b_2r_and_q_4r():
    pair = ChargedPair(0.0, 0.0, 2.5, KT)
    geometry = nam.choose_geometry(pair, 0.45, KT)
    assert (geometry.start, geometry.escape) == (pytest.approx(5.0, rel=1e-9), pytest.approx(10.0, rel=1e-9))
    assert math.sqrt(2 * 0.45 * geometry.timestep) == pytest.approx(nam.STEP_FRACTION * 2.5, rel=1e-9)
    assert geometry.spacing >= 2 * geometry.escape  # pairs stay beyond each other's cut-off
    given = nam.choose_geometry(pair, 0.45, KT, reaction=2.2, start=3.0, escape=7.0, timestep=1e-3)
    assert (given.reaction, given.start, given.escape, given.timestep) == (2.2, 3.0, 7.0, 1e-3)


@pytest.mark.parametrize("engine_name", ENGINE_PARAMS)
def test_short_nam_run_reaches_with_the_exact_splitting_probability(engine_name):
    # the repelling pair: its trajectories are short. β is binomial: the test allows 4 standard errors.
    pair = PAIRS["repelling"]
    gamma = float(translational_friction(0.794, 2.455))
    diffusion = 2 * KT / gamma
    geometry = nam.choose_geometry(pair, diffusion, KT)
    n = 1500
    result = nam.encounter_rate(pair, ("a", "b"), engine_name, (gamma, gamma), T, diffusion, KT, geometry, n, 500, 3)
    beta = result.exact_beta
    assert result.counts.beta == pytest.approx(beta, abs=4 * math.sqrt(beta * (1 - beta) / n))
    assert abs(result.deviation) < 4 * result.error / result.exact
    assert result.counts.trajectories == n and result.counts.trajectory_steps > n


@pytest.mark.skipif(not HAVE["lammps"], reason="LAMMPS is not installed")
def test_the_same_seed_gives_the_same_counts():
    pair = PAIRS["repelling"]
    geometry = nam.choose_geometry(pair, 0.45, KT)
    runs = [
        nam.encounter_rate(pair, ("a", "b"), "lammps", (18.0, 18.0), T, 2 * KT / 18.0, KT, geometry, 200, 64, 9)
        for _ in range(2)
    ]
    assert runs[0].counts.reached == runs[1].counts.reached
    assert runs[0].counts.steps == runs[1].counts.steps


class GaussianPairs(PairEngine):
    """A reference engine in numpy: exact Gaussian Brownian steps of free pairs (no forces), counting the
    trajectories started (pairs placed at the start distance)."""

    label = "numpy"

    def __init__(self, pair, gammas, temperature, count, spacing, cutoff, timestep, seed, start=None):
        super().__init__(pair, gammas, temperature, count, spacing, cutoff, timestep, seed)
        self.sigma = [math.sqrt(2 * KT * timestep / g) for g in gammas]
        self.rng = np.random.default_rng(seed + 1)
        self.a, self.b = self.sites.copy(), self.sites.copy()
        self.start, self.started, self.jump_at = start, 0, None

    def place(self, index, a_positions, b_positions):
        r = np.linalg.norm(b_positions - a_positions, axis=1)
        moved = np.linalg.norm(self.a[index] - a_positions, axis=1) > 0
        self.started += int(np.sum(moved & np.isclose(r, self.start, rtol=1e-12)))
        self.a[index], self.b[index] = a_positions, b_positions

    def settle(self):
        pass

    def step(self):
        self.a += self.sigma[0] * self.rng.normal(size=self.a.shape)
        self.b += self.sigma[1] * self.rng.normal(size=self.b.shape)
        if self.jump_at is not None:
            self.jump_at -= 1
            if self.jump_at == 0:
                self.b[0] += 0.45 * self.edge  # a cluster thrown half a box away
        return self.a.copy(), self.b.copy()


def test_nam_counts_every_trajectory_once_and_its_bridge_correction_holds_at_long_steps():
    # free pairs, four times the automatic timestep: without the correction for crossings between steps β
    # falls several per cent below the exact splitting probability; with it β stays within 4 standard errors
    pair, diffusion, n = ChargedPair(0.0, 0.0, 2.5, KT), 0.45, 20_000
    auto = nam.choose_geometry(pair, diffusion, KT)
    geometry = nam.choose_geometry(pair, diffusion, KT, timestep=nam.MAX_TIMESTEP_FACTOR * auto.timestep)
    gamma = 2 * KT / diffusion
    engine = GaussianPairs(
        pair, (gamma, gamma), T, 2000, geometry.spacing, geometry.cutoff, geometry.timestep, 4, start=geometry.start
    )
    counts = nam.run_trajectories(engine, geometry, diffusion, n, np.random.default_rng(8))
    beta = rates.reaching_fraction(pair, geometry.reaction, geometry.start, geometry.escape, KT)
    assert beta == pytest.approx(1 / 3, rel=1e-9)  # R, 2R, 4R
    assert engine.started == counts.trajectories == n
    assert counts.beta == pytest.approx(beta, abs=4 * math.sqrt(beta * (1 - beta) / n))


def test_a_cluster_that_leaves_its_cell_stops_the_run():
    pair, diffusion = ChargedPair(0.0, 0.0, 2.5, KT), 0.45
    geometry = nam.choose_geometry(pair, diffusion, KT)
    gamma = 2 * KT / diffusion
    engine = GaussianPairs(
        pair, (gamma, gamma), T, 8, geometry.spacing, geometry.cutoff, geometry.timestep, 4, start=geometry.start
    )
    engine.jump_at = 5
    with pytest.raises(RunStopped, match="from its pair's site"):
        nam.run_trajectories(engine, geometry, diffusion, 1000, np.random.default_rng(8))


def test_a_timestep_beyond_four_times_the_automatic_one_is_refused():
    pair = PAIRS["repelling"]
    auto = nam.choose_geometry(pair, 0.45, KT).timestep
    assert nam.choose_geometry(pair, 0.45, KT, timestep=3.9 * auto).timestep == 3.9 * auto
    with pytest.raises(nam.GeometryError, match="automatic"):
        nam.choose_geometry(pair, 0.45, KT, timestep=4.1 * auto)
