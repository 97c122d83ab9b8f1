"""The encounter validation: Brownian-dynamics rates against the exact Debye–Smoluchowski rate.

Three pairs of Au44-sized clusters (outer radius 1.2275 nm, DMF at 25 °C, finite-size screening): neutral,
like-charged (−4 e, −4 e at 1 mM 1:1 salt) and oppositely charged (+2 e, −4 e at 10 mM). For each the
Northrup–Allison–McCammon rate from the engine's trajectories must match k = 4π D R* within
:data:`TOLERANCE`; for the neutral pair R* = R = a + b. Used by ``tests/validation`` (``-m validate``) and by
``docs/charged_figures.py``, which records the measured numbers in docs/charged_validation.json.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import presets
from ..physics import translational_friction
from ..units import MOLAR_PER_NM3, kT_zJ, parse
from . import nam
from .pair import ChargedPair, inverse_debye_length

TOLERANCE = 0.03
TEMPERATURE_K = 298.15
#: Outer radius (nm) of the validation clusters: the Au44(p-MBA)26 preset's core radius plus shell.
_AU44 = presets.CHARGED_CLUSTERS["Au44(p-MBA)26"]
RADIUS_NM = 0.5 * parse(_AU44["core_diameter"], "length") + parse(_AU44["shell"], "length")


@dataclass(frozen=True)
class Case:
    """A validation pair: charges (e) and 1:1 salt (mol/L) that sets the Debye length."""

    name: str
    charges: tuple[float, float]
    salt_molar: float


CASES = (
    Case("neutral", (0.0, 0.0), 0.0),
    Case("repelling", (-4.0, -4.0), 1e-3),
    Case("attracting", (2.0, -4.0), 1e-2),
)


def setup(case: Case):
    """(pair, relative diffusion nm²/ns, friction ag/ns, kT zJ, geometry) of ``case`` in DMF."""
    solvent = presets.SOLVENTS["DMF"]
    eps_r, viscosity = solvent["eps_r"], parse(solvent["viscosity"], "viscosity")
    kT = kT_zJ(TEMPERATURE_K)
    kappa = inverse_debye_length(case.salt_molar * MOLAR_PER_NM3, kT, eps_r)
    za, zb = case.charges
    pair = ChargedPair.between(
        za, RADIUS_NM, zb, RADIUS_NM, kT=kT, eps_r=eps_r, kappa=kappa, shell_epsilon=kT, screening="finite-size"
    )
    gamma = float(translational_friction(viscosity, 2 * RADIUS_NM))
    diffusion = 2 * kT / gamma
    return pair, diffusion, gamma, kT, nam.choose_geometry(pair, diffusion, kT)


def measure(case: Case, engine: str, trajectories: int, seed: int = 2022, concurrent: int = 2000, progress=None):
    """The :class:`~.nam.EncounterRate` of ``case`` on ``engine``."""
    pair, diffusion, gamma, kT, geometry = setup(case)
    return nam.encounter_rate(
        pair, (case.name, case.name), engine, (gamma, gamma), TEMPERATURE_K, diffusion, kT, geometry,
        trajectories, concurrent, seed, progress=progress, kappa=pair.kappa,
    )  # fmt: skip
