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
class Throughput:
    """A measured speed: ``hardware`` runs ``cluster_steps_per_second`` (None: never measured), and ``measured``
    says where that number comes from."""

    hardware: str
    cluster_steps_per_second: float | None
    measured: str

    def wall_seconds(self, cluster_steps: float) -> float | None:
        """Estimated wall time (s) of ``cluster_steps``; None where nothing was measured."""
        if self.cluster_steps_per_second is None:
            return None
        return cluster_steps / self.cluster_steps_per_second

    def describe(self, cluster_steps: float) -> str:
        seconds = self.wall_seconds(cluster_steps)
        if seconds is None:
            return f"{self.hardware}: not measured"
        rate = self.cluster_steps_per_second / 1e6
        return f"{self.hardware} about {duration_text(seconds)} ({rate:.2g}e6 cluster-steps/s)"


#: Runs of at least this many clusters also get the estimates of :data:`LARGE_RUN_THROUGHPUTS`: the sizes at which
#: those were measured (10⁴–10⁵ clusters, where the demo's one-core speed above is too optimistic by ~1.8×).
LARGE_RUN_CLUSTERS = 10_000
#: Speeds of large films, each with its measurement: benchmarks/large_film.py ran runs/wires-large.toml (146 484
#: R-Au-Cu clusters in the dry monolayer, dipole cut-off 6 nm) for 200 steps on the 2-core development machine,
#: tabled in docs/performance.md ("The micrometre film"); a film that is not yet dry, or a fluid, runs faster.
LARGE_RUN_THROUGHPUTS = (
    Throughput(
        "one core",
        0.77e6,
        "LAMMPS, 1 rank × 1 thread on the 1 µm² dry film: 0.77e6 cluster-steps/s (benchmarks/results/large_film.json)",
    ),
    Throughput(
        "2 cores (LAMMPS, --threads 2)",
        1.30e6,
        "LAMMPS, 1 rank × 2 OpenMP threads on the 1 µm² dry film: 1.30e6 cluster-steps/s; 2 MPI ranks gave 1.22e6 "
        "(benchmarks/results/large_film.json)",
    ),
    Throughput("GPU", None, "no GPU has measured dipolewire yet (docs/performance.md)"),
)


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

    @property
    def large(self) -> bool:
        """Whether the run is large enough for :data:`LARGE_RUN_THROUGHPUTS` to apply."""
        return self.clusters >= LARGE_RUN_CLUSTERS

    def describe(self) -> str:
        """One line: the planned steps and the estimated wall time; for a large run (:attr:`large`) a second line
        with the wall times on one core, 2 cores and a GPU from :data:`LARGE_RUN_THROUGHPUTS`."""
        line = (
            f"planned: {self.steps:.4g} steps of {self.clusters} clusters ({self.simulated_ns:.4g} ns at "
            f"{self.timestep_ns:.3g} ns, {self.frames} frames), about {duration_text(self.wall_seconds)} on one core "
            f"(at {CLUSTER_STEPS_PER_SECOND:.2g} cluster-steps/s; faster with threads or MPI ranks)"
        )
        if not self.large:
            return line
        estimates = "; ".join(t.describe(self.cluster_steps) for t in LARGE_RUN_THROUGHPUTS)
        return f"{line}\n  at this size, from LAMMPS measured on a 1 µm² dry film (docs/performance.md): {estimates}"


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
