"""Analytic dipole physics: reference numbers, exact identities and finite differences."""

import math

import numpy as np
import pytest
from conftest import printed_digits

from dipolewire import physics, units
from dipolewire.errors import InputError

MU_PAPER = units.debye_to_e_nm(43.42)
KT_298 = units.kT_zJ(298.15)


@pytest.mark.parametrize("r_text", ["1.61", "1.80", "1.822", "2.00", "2.50"])
def test_head_to_tail_energy_table(paper_facts, r_text):
    expected = paper_facts["head_to_tail_vacuum_43.42D_kJ_per_mol"][r_text]
    energy = units.zJ_to_kJ_per_mol(physics.aligned_energy(MU_PAPER, float(r_text)))
    assert energy == pytest.approx(expected, abs=printed_digits(expected))
    # the general pair energy of two dipoles along the x axis gives the same number
    mu = [MU_PAPER, 0.0, 0.0]
    general = physics.dipole_energy([float(r_text), 0.0, 0.0], mu, mu)
    assert units.zJ_to_kJ_per_mol(general) == pytest.approx(energy, rel=1e-12)


def test_paper_anchor(paper_facts):
    energy = physics.aligned_energy(MU_PAPER, 1.822)
    assert energy == pytest.approx(paper_facts["head_to_tail_vacuum_43.42D_zJ_at_1.822"], abs=5e-3)
    assert -energy / KT_298 == pytest.approx(paper_facts["anchor_in_kT"], abs=0.05)
    r = physics.distance_for_energy(units.kJ_per_mol_to_zJ(-37.54), MU_PAPER)
    assert r == pytest.approx(1.822, abs=5e-4)


def test_coupling_constants(paper_facts):
    for case in paper_facts["coupling_43.42D_298.15K"]:
        lam = physics.coupling_constant(MU_PAPER, case["sigma_nm"], KT_298, case["eps_r"])
        one_digit = 2 * printed_digits(case["lambda"])
        assert lam == pytest.approx(case["lambda"], abs=one_digit), case


def test_stokes_einstein(paper_facts):
    """Dt and Dr of a 1.8 nm sphere in CH2Cl2 at 298.15 K against the reference sheet, to its last digit."""
    se = paper_facts["stokes_einstein_CH2Cl2"]
    kT = units.kT_zJ(se["temperature_K"])
    eta, d = se["viscosity_mPa_s"], se["diameter_nm"]
    Dt, Dr = se["Dt_nm2_per_ns"], se["Dr_per_ns"]
    assert physics.translational_diffusion(kT, eta, d) == pytest.approx(Dt, abs=printed_digits(Dt))
    assert physics.rotational_diffusion(kT, eta, d) == pytest.approx(Dr, abs=printed_digits(Dr))


def test_bjerrum_and_debye_lengths(paper_facts):
    # lB = e²/(4π ε0 kT) in vacuum is the sheet's Coulomb prefactor over its kT: 230.708/4.1164 nm
    vacuum = paper_facts["coulomb_zJ_nm"] / paper_facts["kT_298.15K_zJ"]
    kT = units.kT_zJ(298.15)
    assert physics.bjerrum_length(kT, 1.0) == pytest.approx(vacuum, rel=2e-5)  # the printed digits of both
    # 1:1 salt in water (εr 78.4) at 25 °C: 1/κ = 0.304 nm/√(I/M), the textbook value, to its last digit
    debye = physics.debye_length(units.parse("0.1 M", "concentration"), kT, 78.4)
    assert debye == pytest.approx(0.304 / 0.1**0.5, rel=0.0005 / 0.304)
    with pytest.raises(InputError):
        physics.debye_length(0.0, 4.0, 78.4)


@pytest.mark.parametrize("kappa", [0.0, 0.7])
def test_force_is_minus_gradient(random_pair, kappa):
    r_ij, mu_i, mu_j = random_pair(20)
    force = physics.dipole_force(r_ij, mu_i, mu_j, eps_r=2.0, kappa_per_nm=kappa)
    h = 1e-6
    for axis in range(3):
        step = np.zeros(3)
        step[axis] = h
        up = physics.dipole_energy(r_ij + step, mu_i, mu_j, 2.0, kappa)
        down = physics.dipole_energy(r_ij - step, mu_i, mu_j, 2.0, kappa)
        np.testing.assert_allclose(force[:, axis], -(up - down) / (2 * h), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("kappa", [0.0, 0.7])
def test_torque_is_minus_mu_cross_gradient(random_pair, kappa):
    """τ = −μ × ∂U/∂μ, with ∂U/∂μ by central differences."""
    r_ij, mu_i, mu_j = random_pair(20)
    tau_i, tau_j = physics.dipole_torques(r_ij, mu_i, mu_j, eps_r=1.5, kappa_per_nm=kappa)
    h = 1e-6
    grad_i, grad_j = np.zeros_like(mu_i), np.zeros_like(mu_j)
    for axis in range(3):
        step = np.zeros(3)
        step[axis] = h
        energy = physics.dipole_energy
        grad_i[:, axis] = (
            energy(r_ij, mu_i + step, mu_j, 1.5, kappa) - energy(r_ij, mu_i - step, mu_j, 1.5, kappa)
        ) / (2 * h)
        grad_j[:, axis] = (
            energy(r_ij, mu_i, mu_j + step, 1.5, kappa) - energy(r_ij, mu_i, mu_j - step, 1.5, kappa)
        ) / (2 * h)
    np.testing.assert_allclose(tau_i, -np.cross(mu_i, grad_i), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(tau_j, -np.cross(mu_j, grad_j), rtol=1e-6, atol=1e-7)


def test_torque_is_minus_derivative_of_energy_under_rotation(random_pair):
    """Rotating dipole i by a small angle θ about n changes U by −τ·n θ."""
    r_ij, mu_i, mu_j = random_pair(10)
    tau_i, _ = physics.dipole_torques(r_ij, mu_i, mu_j)
    n = np.array([0.3, -0.5, 0.8]) / np.linalg.norm([0.3, -0.5, 0.8])
    theta = 1e-6

    def rotated(v, angle):
        return v * math.cos(angle) + np.cross(n, v) * math.sin(angle) + np.outer(v @ n, n) * (1 - math.cos(angle))

    dU = (
        physics.dipole_energy(r_ij, rotated(mu_i, theta), mu_j)
        - physics.dipole_energy(r_ij, rotated(mu_i, -theta), mu_j)
    ) / (2 * theta)
    np.testing.assert_allclose(dU, -(tau_i @ n), rtol=1e-6, atol=1e-7)


def test_exchange_symmetry_and_newton(random_pair):
    r_ij, mu_i, mu_j = random_pair(50)
    u_ij = physics.dipole_energy(r_ij, mu_i, mu_j, kappa_per_nm=0.3)
    u_ji = physics.dipole_energy(-r_ij, mu_j, mu_i, kappa_per_nm=0.3)
    np.testing.assert_allclose(u_ij, u_ji, rtol=1e-13)
    f_i = physics.dipole_force(r_ij, mu_i, mu_j, kappa_per_nm=0.3)
    f_j = physics.dipole_force(-r_ij, mu_j, mu_i, kappa_per_nm=0.3)
    np.testing.assert_allclose(f_i, -f_j, rtol=1e-12, atol=1e-12)
    tau_i, tau_j = physics.dipole_torques(r_ij, mu_i, mu_j, kappa_per_nm=0.3)
    swapped_j, swapped_i = physics.dipole_torques(-r_ij, mu_j, mu_i, kappa_per_nm=0.3)
    np.testing.assert_allclose(tau_i, swapped_i, rtol=1e-12, atol=1e-12)
    # total angular momentum is conserved: τi + τj + r_ij × F_i = 0
    np.testing.assert_allclose(tau_i + tau_j + np.cross(r_ij, f_i), 0.0, atol=1e-9)


def test_rotation_invariance(random_pair, rng):
    r_ij, mu_i, mu_j = random_pair(30)
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    rot = q * np.sign(np.linalg.det(q))  # proper rotation
    u = physics.dipole_energy(r_ij, mu_i, mu_j)
    u_rot = physics.dipole_energy(r_ij @ rot.T, mu_i @ rot.T, mu_j @ rot.T)
    np.testing.assert_allclose(u, u_rot, rtol=1e-12)
    f_rot = physics.dipole_force(r_ij @ rot.T, mu_i @ rot.T, mu_j @ rot.T)
    np.testing.assert_allclose(physics.dipole_force(r_ij, mu_i, mu_j) @ rot.T, f_rot, rtol=1e-10, atol=1e-10)


def test_general_energy_matches_classical_angles(random_pair):
    r_ij, mu_i, mu_j = random_pair(40)
    mu_j = mu_j / np.linalg.norm(mu_j, axis=-1, keepdims=True) * np.linalg.norm(mu_i, axis=-1, keepdims=True)
    r = np.linalg.norm(r_ij, axis=-1)
    mu = np.linalg.norm(mu_i, axis=-1)
    r_hat = -r_ij / r[:, None]  # from 1 to 2 (the sign cancels in cosθ1 cosθ2)
    cos1 = np.sum(mu_i * r_hat, axis=-1) / mu
    cos2 = np.sum(mu_j * r_hat, axis=-1) / mu
    cos12 = np.sum(mu_i * mu_j, axis=-1) / mu**2
    classical = physics.aligned_energy(mu, r, np.arccos(cos1), np.arccos(cos2), np.arccos(np.clip(cos12, -1, 1)))
    np.testing.assert_allclose(physics.dipole_energy(r_ij, mu_i, mu_j), classical, rtol=1e-9)


def test_named_geometries(paper_facts):
    """Head-to-tail at 2.00 nm is the sheet's −28.38 kJ/mol; side by side antiparallel binds half as strongly,
    side by side parallel repels by half, head to head repels as strongly."""
    e = {
        name: units.zJ_to_kJ_per_mol(physics.aligned_energy(MU_PAPER, 2.0, *np.radians(a)))
        for name, a in physics.GEOMETRIES.items()
    }
    assert e["head-to-tail"] == pytest.approx(paper_facts["head_to_tail_vacuum_43.42D_kJ_per_mol"]["2.00"], abs=5e-3)
    assert e["side-by-side-antiparallel"] == pytest.approx(e["head-to-tail"] / 2, rel=1e-12)
    assert e["side-by-side-parallel"] == pytest.approx(-e["head-to-tail"] / 2, rel=1e-12)
    assert e["head-to-head"] == pytest.approx(-e["head-to-tail"], rel=1e-12)


def test_screening_multiplies_by_exponential():
    mu = [MU_PAPER, 0, 0]
    bare = physics.dipole_energy([2.0, 0, 0], mu, mu)
    assert physics.dipole_energy([2.0, 0, 0], mu, mu, kappa_per_nm=0.5) == pytest.approx(bare * math.exp(-1.0))


@pytest.mark.parametrize("kappa", [0.0, 0.4])
def test_distance_for_energy_inverts_energy(kappa):
    for eps_r in (1.0, 2.0, 8.93):
        for target in (-10.0, -62.34, -200.0):
            r = physics.distance_for_energy(target, MU_PAPER, eps_r=eps_r, kappa_per_nm=kappa)
            assert physics.aligned_energy(MU_PAPER, r, eps_r=eps_r, kappa_per_nm=kappa) == pytest.approx(
                target, rel=1e-12
            )


def test_distance_for_energy_refuses_impossible_signs():
    with pytest.raises(InputError, match="attractive"):
        physics.distance_for_energy(+5.0, MU_PAPER)
    with pytest.raises(InputError, match="repulsive"):
        physics.distance_for_energy(-5.0, MU_PAPER, 0.0, math.pi, math.pi)


def test_permittivity_below_one_is_refused():
    with pytest.raises(InputError, match="eps_r"):
        physics.aligned_energy(MU_PAPER, 2.0, eps_r=0.5)


def test_check_angles():
    physics.check_angles(math.pi / 2, math.pi / 2, math.pi)
    with pytest.raises(InputError, match="theta12"):
        physics.check_angles(0.0, 0.0, math.pi / 2)
    with pytest.raises(InputError, match="theta1"):
        physics.check_angles(-0.1, 0.0, 0.0)
