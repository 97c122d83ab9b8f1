"""The planned work of a run, told before it starts: its steps and an estimate of its wall time.

``dipolewire run`` and ``dipolewire study`` print the plan and refuse a run estimated to take longer than
:data:`MAX_WALL_SECONDS_ONE_CORE` on one core unless ``--force`` is given: a ``drying.hold`` of "30 s"
(6 × 10¹³ steps) is a typo for "30 ns", not a plan.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .errors import InputError

#: Throughput of one core, in cluster-steps per second: the demo (runs/demo.toml: 150 R-Au-Cu clusters,
#: dipole cut-off 6 nm, the "cut" method) ran ≈ 1.04e4 steps/s on LAMMPS on one core of the 2-core development
#: machine, ≈ 1.5e6 cluster-steps/s. Larger boxes ran 0.8–1.8e6 (benchmarks/results/throughput-1.json,
#: docs/performance.md) and the long-range dipole methods are slower, so an estimate holds to a factor of ~2.
CLUSTER_STEPS_PER_SECOND = 1.5e6
#: A run estimated to take longer on one core is refused unless --force is given: 7 days.
MAX_WALL_SECONDS_ONE_CORE = 7 * 24 * 3600.0


@dataclass(frozen=True)
class RunPlan:
    """The work a run plans: ``steps`` timesteps of ``clusters`` clusters, written as ``frames`` frames (the
    first included); ``simulated_ns`` = drying (``drying_ns``) + hold (``hold_ns``), at ``timestep_ns``."""

    clusters: int
    steps: int
    frames: int
    timestep_ns: float
    drying_ns: float
    hold_ns: float

    @property
    def simulated_ns(self) -> float:
        return self.drying_ns + self.hold_ns

    @property
    def cluster_steps(self) -> float:
        return float(self.clusters) * float(self.steps)

    @property
    def wall_seconds(self) -> float:
        """Estimated wall time (s) on one core, at :data:`CLUSTER_STEPS_PER_SECOND`."""
        return self.cluster_steps / CLUSTER_STEPS_PER_SECOND

    def describe(self) -> str:
        """One line: the planned steps and the estimated wall time."""
        return (
            f"planned: {self.steps:.4g} steps of {self.clusters} clusters ({self.simulated_ns:.4g} ns at "
            f"{self.timestep_ns:.3g} ns, {self.frames} frames), about {duration_text(self.wall_seconds)} on one core "
            f"(at {CLUSTER_STEPS_PER_SECOND:.2g} cluster-steps/s; faster with threads or MPI ranks)"
        )


def plan(spec) -> RunPlan:
    """The work ``spec`` (a :class:`~dipolewire.spec.RunSpec`) plans, as :class:`~dipolewire.model.Model` sets
    its frames and steps."""
    from .model import Model

    model = Model(spec)
    model.check_start()  # every cluster has a place in the initial film
    return RunPlan(
        clusters=model.N,
        steps=int(model.total_steps),
        frames=int(model.n_segments) + 1,
        timestep_ns=model.timestep,
        drying_ns=model.drying_time,
        hold_ns=spec.drying.hold,
    )


def check(run_plan: RunPlan, force: bool = False, where: str = "") -> None:
    """Refuse a run estimated above :data:`MAX_WALL_SECONDS_ONE_CORE` on one core unless ``force``. The field
    named is ``drying.hold`` when the hold is most of the simulated time, else ``drying`` (its speed and heights);
    ``where`` is appended (a study names its run)."""
    if force or run_plan.wall_seconds <= MAX_WALL_SECONDS_ONE_CORE:
        return
    field = "drying.hold" if run_plan.hold_ns > run_plan.drying_ns else "drying"
    raise InputError(
        field,
        f"the run must take at most {duration_text(MAX_WALL_SECONDS_ONE_CORE)} on one core (estimated at "
        f"{CLUSTER_STEPS_PER_SECOND:.2g} cluster-steps/s), but plans {run_plan.steps:.3g} steps of "
        f"{run_plan.clusters} clusters ({run_plan.simulated_ns:.4g} ns), about "
        f"{duration_text(run_plan.wall_seconds)}; shorten it, or pass --force to run it anyway{where}",
    )


def duration_text(seconds: float) -> str:
    """A wall time for people: "40 s", "12 min", "5.2 h", "3.1 days", "2.4e+05 years"."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.2g} h"
    if seconds < 365.25 * 86400:
        return f"{seconds / 86400:.2g} days"
    return f"{seconds / (365.25 * 86400):.2g} years"


def launch_rank() -> int:
    """This process's MPI rank from the launcher's environment (0 when not launched by mpiexec or srun), so that
    one rank prints the plan before any engine, and so MPI, is started."""
    for name in ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "MV2_COMM_WORLD_RANK"):
        value = os.environ.get(name)
        if value is not None and value.strip().isdigit():
            return int(value)
    return 0
