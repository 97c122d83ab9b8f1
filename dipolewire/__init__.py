"""dipolewire: Brownian dynamics of dipolar Janus nanoclusters assembling into nanowires.

Everything inside dipolewire uses one unit system (see :mod:`dipolewire.units`):
length nm, time ns, mass ag, energy zJ, charge e, dipole e·nm, temperature K
(carried into the dynamics as kT in zJ).

Importing the package is cheap and has no side effects; submodules such as
:mod:`dipolewire.physics` and :mod:`dipolewire.units` are imported on demand.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
