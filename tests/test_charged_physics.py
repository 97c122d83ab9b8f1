"""Charged clusters: the screened Coulomb pair, the electrolyte and the exact encounter rates, against closed
forms (Coulomb's Fuchs factor, the neutral Smoluchowski rate, radial splitting probabilities) and SI constants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from dipolewire import presets
from dipolewire.charged import rates
from dipolewire.charged.pair import ChargedPair, inverse_debye_length, size_factor
from dipolewire.physics import bjerrum_length
from dipolewire.units import MOLAR_PER_NM3, kT_zJ

KT = kT_zJ(298.15)
# SI, for answers computed without the nano unit system
E, EPS0, KB, NA = 1.602176634e-19, 8.8541878128e-12, 1.380649e-23, 6.02214076e23


def test_bjerrum_length_in_dmf_is_the_reference_value(paper_facts):
    dmf = paper_facts["charged_DMF_25C"]
    assert bjerrum_length(KT, dmf["eps_r"]) == pytest.approx(dmf["bjerrum_length_nm"], abs=0.005)
    assert presets.SOLVENTS["DMF"]["eps_r"] == dmf["eps_r"]
    assert float(presets.SOLVENTS["DMF"]["viscosity"].split()[0]) == pytest.approx(dmf["viscosity_mPa_s"], abs=0.005)


@pytest.mark.parametrize("molar", [1e-4, 1e-3, 0.1])
def test_debye_length_matches_the_si_formula(molar):
    # 1/κ = sqrt(εr ε0 kT / (2 N_A e² I)), I in mol/m³
    si = math.sqrt(36.7 * EPS0 * KB * 298.15 / (2 * NA * E**2 * molar * 1e3)) * 1e9
    assert 1 / inverse_debye_length(molar * MOLAR_PER_NM3, KT, 36.7) == pytest.approx(si, rel=1e-9)
    assert inverse_debye_length(0.0, KT, 36.7) == 0.0


def test_screened_coulomb_energy_matches_si_for_two_ag44():
    # two -4 e spheres of outer radius 1.23 nm, 1 mM in DMF, 3 nm apart, finite-size (DLVO) factors
    kappa = inverse_debye_length(1e-3 * MOLAR_PER_NM3, KT, 36.7)
    a = 1.23
    pair = ChargedPair.between(-4, a, -4, a, kT=KT, eps_r=36.7, kappa=kappa, shell_epsilon=KT, screening="finite-size")
    r = 3.0
    g = math.exp(kappa * a) / (1 + kappa * a)
    si_joule = 16 * E**2 / (4 * math.pi * EPS0 * 36.7 * r * 1e-9) * g * g * math.exp(-kappa * r)
    assert pair.energy(r) == pytest.approx(si_joule / 1e-21, rel=1e-6)
    point = ChargedPair.between(-4, a, -4, a, kT=KT, eps_r=36.7, kappa=kappa, shell_epsilon=KT, screening="point")
    assert pair.energy(r) / point.energy(r) == pytest.approx(g * g, rel=1e-12)
    assert size_factor(kappa, a, "point") == 1.0


def test_force_is_minus_the_energy_gradient():
    pair = ChargedPair(amplitude=-30.0, kappa=0.4, contact=2.4, shell_epsilon=KT)
    r = np.array([1.9, 2.1, 2.3, 2.39, 2.41, 3.0, 6.0])
    h = 1e-6
    numeric = -(pair.energy(r + h) - pair.energy(r - h)) / (2 * h)
    assert np.allclose(pair.force(r), numeric, rtol=1e-6, atol=1e-9)


def test_shell_repulsion_starts_at_contact_and_is_epsilon_at_sigma():
    pair = ChargedPair(amplitude=0.0, kappa=0.0, contact=2.4, shell_epsilon=KT)
    assert pair.energy(2.4) == 0.0 and pair.energy(2.5) == 0.0
    assert pair.energy(2.4 - 1e-9) == pytest.approx(0.0, abs=1e-6)
    assert pair.energy(pair.sigma) == pytest.approx(KT, rel=1e-12)  # 4ε(1 − 1) + ε
    assert pair.sigma * 2 ** (1 / 6) == pytest.approx(2.4)


def test_neutral_rate_is_smoluchowski_exactly():
    pair = ChargedPair(0.0, 0.0, 2.455, KT)
    D = 0.45
    assert rates.effective_radius(pair, 2.455, KT) == pytest.approx(2.455, rel=1e-12)
    assert rates.debye_smoluchowski(pair, 2.455, D, KT) == pytest.approx(4 * math.pi * D * 2.455, rel=1e-12)


@pytest.mark.parametrize("lb_over_r", [-3.0, -0.5, 0.5, 2.0, 8.0])
def test_unscreened_coulomb_effective_radius_is_the_fuchs_closed_form(lb_over_r):
    # U = ℓ kT / r: 1/R* = ∫_R^∞ e^{ℓ/r} r⁻² dr = (e^{ℓ/R} − 1)/ℓ
    R = 2.4
    ell = lb_over_r * R
    pair = ChargedPair(ell * KT, 0.0, R, 0.0)
    assert rates.effective_radius(pair, R, KT) == pytest.approx(ell / math.expm1(ell / R), rel=1e-9)


def test_resistance_of_a_screened_pair_matches_direct_integration_in_r():
    pair = ChargedPair(25.0 * KT, 0.3, 2.45, KT)

    def integrand(r):
        return math.exp(float(pair.energy(r)) / KT) / r**2

    direct = integrate.quad(integrand, 2.45, 60.0, epsrel=1e-12, limit=400)[0] + 1 / 60.0
    assert rates.resistance(pair, 2.45, KT) == pytest.approx(direct, rel=1e-9)


def test_nam_formula_with_the_exact_splitting_probability_gives_the_exact_rate():
    # Northrup–Allison–McCammon is exact: any b < q with the exact β returns 4πD R*
    D = 0.45
    for pair in (
        ChargedPair(0.0, 0.0, 2.45, KT),
        ChargedPair(20 * KT, 0.2, 2.45, KT),
        ChargedPair(-9 * KT, 0.2, 2.45, KT),
    ):
        exact = rates.debye_smoluchowski(pair, 2.45, D, KT)
        for b, q in ((3.0, 5.0), (4.9, 9.8), (2.6, 30.0)):
            beta = rates.reaching_fraction(pair, 2.45, b, q, KT)
            k_b = rates.diffusion_limited_rate(pair, b, D, KT)
            k_q = rates.diffusion_limited_rate(pair, q, D, KT)
            assert rates.nam_rate(k_b, k_q, beta) == pytest.approx(exact, rel=1e-9)


def test_neutral_splitting_probability_closed_form():
    pair = ChargedPair(0.0, 0.0, 2.0, KT)
    R, b, q = 2.0, 3.0, 7.0
    assert rates.reaching_fraction(pair, R, b, q, KT) == pytest.approx((1 / b - 1 / q) / (1 / R - 1 / q), rel=1e-12)


def test_nam_error_is_the_propagated_binomial_error():
    k_b, k_q, n, m = 20.0, 35.0, 5000, 1700
    beta, h = m / n, 1e-6
    slope = (rates.nam_rate(k_b, k_q, beta + h) - rates.nam_rate(k_b, k_q, beta - h)) / (2 * h)
    assert rates.nam_rate_error(k_b, k_q, m, n) == pytest.approx(
        abs(slope) * math.sqrt(beta * (1 - beta) / n), rel=1e-6
    )
    assert rates.nam_rate_error(k_b, k_q, 0, n) > 0


def test_rate_units(paper_facts):
    assert rates.to_per_molar_second(1.0) == pytest.approx(paper_facts["rate_per_M_per_s_of_1_nm3_per_ns"], rel=1e-4)


def test_charged_presets_follow_from_their_formulas():
    au, ag = presets.CHARGED_CLUSTERS["Au44(p-MBA)26"], presets.CHARGED_CLUSTERS["Ag44(p-MBA)30"]
    assert (au["charge"], ag["charge"]) == ("-2 e", "-4 e")
    # 44 Au atoms at 19.30 g/cm³: (3·44·196.97/(4π·19.30·N_A))^(1/3) cm, doubled
    radius_cm = (3 * 44 * 196.966570 / (4 * math.pi * 19.30 * NA)) ** (1 / 3)
    assert float(au["core_diameter"].split()[0]) == pytest.approx(2e7 * radius_cm, abs=6e-4)
    for preset in (au, ag):
        assert set(preset["sources"]) == {"charge", "core_diameter", "shell"}
