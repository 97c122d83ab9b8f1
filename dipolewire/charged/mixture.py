"""A mixture of charged cluster species: its ionic strength, its pairs, and how often its clusters meet.

Concentrations are number densities (nm⁻³), rates nm³/ns, frequencies 1/ns. Each cluster of charge z
brings |z| monovalent counter-ions (``electrolyte.counterions``) and added salt is 1:1, so the ionic
strength that screens is

    I = c_salt + ½ Σᵢ cᵢ |zᵢ|  (+ ½ Σᵢ cᵢ zᵢ² with ``electrolyte.clusters_screen``).

A cluster of species i meets clusters of species j at the frequency ν_ij = k_ij c_j; the mean time between
such encounters is 1/ν_ij.
"""

from __future__ import annotations

from dataclasses import dataclass

from .pair import ChargedPair, inverse_debye_length
from .spec import ChargedSpecies, EncounterSpec


def ionic_strength(spec: EncounterSpec, concentrations: dict[str, float], salt: float | None = None) -> float:
    """Ionic strength (nm⁻³) that screens the pairs, at species ``concentrations`` (name → nm⁻³) and
    added 1:1 ``salt`` (nm⁻³; default the file's)."""
    e = spec.electrolyte
    total = e.salt if salt is None else salt
    for s in spec.species:
        c = concentrations[s.name]
        if e.counterions:
            total += 0.5 * c * abs(s.charge)
        if e.clusters_screen:
            total += 0.5 * c * s.charge**2
    return total


def file_concentrations(spec: EncounterSpec) -> dict[str, float]:
    """Species name → concentration (nm⁻³) as the file gives them."""
    return {s.name: s.concentration for s in spec.species}


def feeding_concentrations(spec: EncounterSpec, ratio: tuple[float, float]) -> dict[str, float]:
    """Concentrations (nm⁻³) at feeding ratio a : b: equal-concentration mother solutions mixed by volume,
    so c_a + c_b is the sweep's total; other species keep the file's concentrations."""
    sweep = spec.feeding
    out = file_concentrations(spec)
    a, b = ratio
    out[sweep.between[0]] = sweep.total_concentration * a / (a + b)
    out[sweep.between[1]] = sweep.total_concentration * b / (a + b)
    return out


@dataclass(frozen=True)
class Conditions:
    """One solution state: concentrations (name → nm⁻³), added salt and ionic strength (nm⁻³), κ (1/nm)."""

    concentrations: dict
    salt: float
    ionic_strength: float
    kappa: float

    @property
    def debye_length(self) -> float:
        """1/κ in nm (inf without ions)."""
        return 1.0 / self.kappa if self.kappa > 0 else float("inf")


def conditions(
    spec: EncounterSpec, concentrations: dict[str, float] | None = None, salt: float | None = None
) -> Conditions:
    """The solution state at ``concentrations`` and ``salt`` (defaults: the file's)."""
    concentrations = file_concentrations(spec) if concentrations is None else concentrations
    salt = spec.electrolyte.salt if salt is None else salt
    strength = ionic_strength(spec, concentrations, salt)
    kappa = inverse_debye_length(strength, spec.kT, spec.solvent.eps_r)
    return Conditions(concentrations, salt, strength, kappa)


def pair_between(spec: EncounterSpec, a: ChargedSpecies, b: ChargedSpecies, kappa: float) -> ChargedPair:
    """The :class:`~.pair.ChargedPair` of species ``a`` and ``b`` in the file's solvent at inverse Debye
    length ``kappa`` (1/nm)."""
    return ChargedPair.between(
        a.charge,
        a.outer_radius,
        b.charge,
        b.outer_radius,
        kT=spec.kT,
        eps_r=spec.solvent.eps_r,
        kappa=kappa,
        shell_epsilon=spec.encounter.shell_repulsion,
        screening=spec.electrolyte.screening,
    )


def relative_diffusion(spec: EncounterSpec, a: ChargedSpecies, b: ChargedSpecies) -> float:
    """D_a + D_b (nm²/ns), Stokes–Einstein, no hydrodynamic interaction between the two."""
    return a.diffusion(spec.solvent) + b.diffusion(spec.solvent)


def frequencies(rates: dict[tuple[str, str], float], concentrations: dict[str, float]) -> dict[tuple[str, str], float]:
    """ν (1/ns) at which one cluster of species i meets clusters of species j: k_ij c_j, for every ordered
    (i, j) whose unordered pair has a rate in ``rates`` ((a, b) → nm³/ns)."""
    out = {}
    for (a, b), k in rates.items():
        out[(a, b)] = k * concentrations[b]
        out[(b, a)] = k * concentrations[a]
    return out
