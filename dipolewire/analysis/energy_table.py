"""Tables and text for ``dipolewire energy``: E(r) of a dipole pair in kJ/mol, zJ and kT."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass

import numpy as np

from .. import physics
from ..errors import InputError
from ..units import e_nm_to_debye, kJ_per_mol_to_zJ, kT_zJ, zJ_to_kJ_per_mol

#: The paper's anchor (Li et al., ACS Cent. Sci. 2022): μ = 43.42 D, 37.54 kJ/mol, here at 1.822 nm.
PAPER_DIPOLE_D = 43.42
PAPER_ENERGY_KJ_PER_MOL = 37.54
PAPER_DISTANCE_NM = 1.822
#: Separations of interest: crystal c-axis spacing, TEM band 1.8–2.5 nm and the anchor.
PAPER_DISTANCES_NM = (1.61, 1.80, 1.822, 2.00, 2.50)
#: Relative permittivities for λ: vacuum, two dry-film values and CH2Cl2 at 25 °C.
PAPER_EPS_R = ((1.0, "vacuum"), (2.0, "dry film"), (3.0, "dry film"), (8.93, "CH2Cl2"))


@dataclass(frozen=True)
class EnergyTable:
    """E(r) for one query: separations (nm) and energies (zJ, kJ/mol, kT)."""

    r_nm: np.ndarray
    energy_zJ: np.ndarray
    kT_zJ: float

    @property
    def energy_kJ_per_mol(self) -> np.ndarray:
        return zJ_to_kJ_per_mol(self.energy_zJ)

    @property
    def energy_kT(self) -> np.ndarray:
        return self.energy_zJ / self.kT_zJ

    def rows(self):
        return zip(self.r_nm, self.energy_kJ_per_mol, self.energy_zJ, self.energy_kT, strict=True)

    def format(self) -> str:
        lines = [f"  {'r (nm)':>8}  {'E (kJ/mol)':>11}  {'E (zJ)':>10}  {'E (kT)':>9}"]
        lines += [f"  {r:8.3f}  {kj:11.2f}  {zj:10.2f}  {kt:9.2f}" for r, kj, zj, kt in self.rows()]
        return "\n".join(lines)

    def write_csv(self, path) -> None:
        with open(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["r_nm", "energy_kJ_per_mol", "energy_zJ", "energy_kT"])
            writer.writerows([f"{v:.10g}" for v in row] for row in self.rows())


@dataclass(frozen=True)
class EnergyQuery:
    """Two equal dipoles ``mu`` (e·nm) in a given geometry (angles in radians) and medium."""

    mu: float
    eps_r: float = 1.0
    temperature_K: float = 298.15
    angles: tuple[float, float, float] = (0.0, 0.0, 0.0)
    geometry_name: str = "head-to-tail"
    debye_length_nm: float | None = None

    def __post_init__(self):
        try:
            physics.check_angles(*self.angles)
        except InputError as exc:
            raise InputError("--angles", exc.message) from None

    @property
    def kappa_per_nm(self) -> float:
        return 0.0 if self.debye_length_nm is None else 1.0 / self.debye_length_nm

    @property
    def kT(self) -> float:
        return kT_zJ(self.temperature_K)

    def energy(self, r_nm):
        """Pair energy in zJ at separation(s) ``r_nm``."""
        return physics.aligned_energy(self.mu, r_nm, *self.angles, eps_r=self.eps_r, kappa_per_nm=self.kappa_per_nm)

    def table(self, r_nm) -> EnergyTable:
        r = np.asarray(r_nm, dtype=float)
        return EnergyTable(r, self.energy(r), self.kT)

    def header(self) -> str:
        screening = "unscreened" if self.debye_length_nm is None else f"Debye length {self.debye_length_nm:g} nm"
        return (
            f"dipole pair, {self.geometry_name}: μ = {e_nm_to_debye(self.mu):.4g} D "
            f"({self.mu:.5f} e·nm), εr = {self.eps_r:g}, {screening}, T = {self.temperature_K:g} K "
            f"(kT = {self.kT:.4f} zJ = {zJ_to_kJ_per_mol(self.kT):.4f} kJ/mol)"
        )

    def distance(self, energy_zJ) -> float:
        return physics.distance_for_energy(
            energy_zJ, self.mu, *self.angles, eps_r=self.eps_r, kappa_per_nm=self.kappa_per_nm
        )

    def distance_line(self, energy_zJ, label) -> str:
        return f"  |E| = {label} ({energy_zJ:.4g} zJ) at r = {self.distance(energy_zJ):.4f} nm"

    def paper_check(self, sigma_nm: float) -> str:
        """The check against the paper's numbers, as a text table."""
        paper = f"{PAPER_ENERGY_KJ_PER_MOL} kJ/mol"
        anchor = -kJ_per_mol_to_zJ(PAPER_ENERGY_KJ_PER_MOL)
        lines = [
            "Paper check (Li et al., ACS Cent. Sci. 2022): aligned-dipole energy of R-Au-Cu,",
            f"paper: μ = {PAPER_DIPOLE_D} D, up to {paper} (solid state, εr = 1)",
            self.header(),
            self.table(PAPER_DISTANCES_NM).format(),
            self.distance_line(anchor, paper),
            f"  {paper} = {-anchor / self.kT:.2f} kT at {self.temperature_K:g} K",
            f"coupling λ = μ²/(4π ε0 εr σ³ kT) at σ = {sigma_nm:g} nm (chains form above λ ≈ 3–4):",
        ]
        for eps_r, medium in PAPER_EPS_R:
            lam = physics.coupling_constant(self.mu, sigma_nm, self.kT, eps_r)
            lines.append(f"  εr = {eps_r:<5g} {medium:<9} λ = {lam:6.2f}")
        return "\n".join(lines)


def angles_deg_to_rad(angles_deg) -> tuple[float, float, float]:
    return tuple(math.radians(a) for a in angles_deg)
