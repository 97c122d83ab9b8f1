"""The pair interaction of two charged, ligated clusters in an electrolyte (nm, zJ, e).

Two spheres of charges z_a, z_b (e) and ion-exclusion radii a, b (nm, the outer radius of the ligand
shell) in a solvent of relative permittivity εr with inverse Debye length κ interact, in linearised
Poisson–Boltzmann (Debye–Hückel) theory, by the screened Coulomb (Yukawa) energy

    U_el(r) = z_a z_b l_B kT · g(κa) g(κb) · exp(−κ r) / r,      g(x) = exp(x) / (1 + x),

where l_B = e²/(4π ε0 εr kT) is the Bjerrum length. The factors g account for the counter-ions being
kept out of each sphere (``screening = "finite-size"``, the DLVO form; Verwey & Overbeek 1948); with
``screening = "point"`` g = 1 (point ions). When the ligand shells touch (r < a + b) they repel with a
WCA potential of depth ``shell_epsilon`` cut at contact, U_sh = 4ε[(σ/r)¹² − (σ/r)⁶] + ε with
2^(1/6) σ = a + b, so that the shells are felt only inside contact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import physics
from ..interactions import WCA_CUTOFF_SIGMAS
from ..physics import bjerrum_length

SCREENINGS = ("finite-size", "point")


def inverse_debye_length(microion_strength: float, kT: float, eps_r: float) -> float:
    """κ (1/nm) of an electrolyte of ionic strength I = ½ Σ cᵢ zᵢ² (nm⁻³): κ² = 8π l_B I; 0 for I = 0
    (:func:`dipolewire.physics.inverse_debye_length`, refusing I < 0)."""
    if microion_strength < 0:
        raise ValueError(f"ionic strength must be >= 0, got {microion_strength!r}")
    return float(physics.inverse_debye_length(microion_strength, kT, eps_r))


def size_factor(kappa: float, radius: float, screening: str = "finite-size") -> float:
    """g(κa) = exp(κa)/(1 + κa) for ``"finite-size"`` screening, 1 for ``"point"`` (no units)."""
    if screening not in SCREENINGS:
        raise ValueError(f"screening must be one of {SCREENINGS}, got {screening!r}")
    if screening == "point":
        return 1.0
    x = kappa * radius
    return math.exp(x) / (1.0 + x)


@dataclass(frozen=True)
class ChargedPair:
    """The interaction of one pair of charged clusters.

    ``amplitude`` A (zJ·nm) and ``kappa`` κ (1/nm) make the screened Coulomb term A exp(−κr)/r; ``contact``
    (nm) is the sum of the outer (ligand-shell) radii and ``shell_epsilon`` (zJ) the depth of the WCA shell
    repulsion inside it. Energies zJ, forces zJ/nm (radial, −dU/dr, positive when repulsive).
    """

    amplitude: float
    kappa: float
    contact: float
    shell_epsilon: float

    @classmethod
    def between(cls, charge_a, radius_a, charge_b, radius_b, *, kT, eps_r, kappa, shell_epsilon, screening):
        """The pair of clusters of charges (e) and outer radii (nm) given, at ``kT`` (zJ) in a solvent of
        ``eps_r`` with inverse Debye length ``kappa`` (1/nm)."""
        amplitude = (
            charge_a
            * charge_b
            * bjerrum_length(kT, eps_r)
            * kT
            * size_factor(kappa, radius_a, screening)
            * size_factor(kappa, radius_b, screening)
        )
        return cls(float(amplitude), float(kappa), float(radius_a + radius_b), float(shell_epsilon))

    @property
    def sigma(self) -> float:
        """σ (nm) of the WCA shell repulsion: its cut-off 2^(1/6) σ is the contact distance."""
        return self.contact / WCA_CUTOFF_SIGMAS

    def coulomb_energy(self, r):
        """Screened Coulomb energy A exp(−κr)/r (zJ) at centre distance ``r`` (nm)."""
        r = np.asarray(r, dtype=float)
        return self.amplitude * np.exp(-self.kappa * r) / r

    def coulomb_force(self, r):
        """−dU_el/dr = A exp(−κr)(1 + κr)/r² (zJ/nm)."""
        r = np.asarray(r, dtype=float)
        return self.amplitude * np.exp(-self.kappa * r) * (1.0 + self.kappa * r) / (r * r)

    def shell_energy(self, r):
        """WCA shell repulsion (zJ): 0 at and beyond contact."""
        r = np.asarray(r, dtype=float)
        x6 = (self.sigma / r) ** 6
        return np.where(r < self.contact, 4.0 * self.shell_epsilon * (x6 * x6 - x6) + self.shell_epsilon, 0.0)

    def shell_force(self, r):
        """−dU_sh/dr = 24ε(2x¹² − x⁶)/r (zJ/nm), x = σ/r; 0 at and beyond contact."""
        r = np.asarray(r, dtype=float)
        x6 = (self.sigma / r) ** 6
        return np.where(r < self.contact, 24.0 * self.shell_epsilon * (2.0 * x6 * x6 - x6) / r, 0.0)

    def energy(self, r):
        """Total pair energy (zJ) at ``r`` (nm)."""
        return self.coulomb_energy(r) + self.shell_energy(r)

    def force(self, r):
        """Total radial force −dU/dr (zJ/nm) at ``r`` (nm)."""
        return self.coulomb_force(r) + self.shell_force(r)
