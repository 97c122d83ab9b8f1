"""Run a dipolewire study on a SLURM cluster: Dask workers as SLURM jobs through dask-jobqueue.

On the cluster's login node, in the environment where dipolewire is installed::

    pip install "dipolewire[cluster]"          # adds dask-jobqueue
    python slurm_study.py runs/wires-study.toml --jobs 20 --queue normal --walltime 04:00:00

Each SLURM job is one Dask worker running one run at a time on one core. The study is idempotent: if the
allocation ends early, run the same command again and only the unfinished runs continue. The same can be
done from a shell with any Dask cluster: ``dipolewire study FILE --scheduler tcp://HOST:8786``.
"""

import argparse


def slurm_cluster(
    queue: str, walltime: str, memory: str = "2GB", account: str | None = None, dashboard_address: str = ":8787"
):
    """A dask-jobqueue SLURMCluster whose workers run one single-threaded run each."""
    from dask_jobqueue import SLURMCluster

    return SLURMCluster(
        cores=1,
        processes=1,
        memory=memory,
        walltime=walltime,
        queue=queue,
        account=account,
        job_extra_directives=["--cpus-per-task=1"],
        job_script_prologue=["export OMP_NUM_THREADS=1"],
        scheduler_options={"dashboard_address": dashboard_address},
    )


def main(argv=None) -> int:
    from dipolewire.analysis.study_table import aggregate
    from dipolewire.study import load, open_project
    from dipolewire.study_runner import execute_study

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", help="study file (a run file with a [sweep] table)")
    parser.add_argument("--jobs", type=int, default=10, help="SLURM jobs (workers) to request")
    parser.add_argument("--queue", required=True, help="SLURM partition")
    parser.add_argument("--walltime", default="04:00:00", help="per SLURM job")
    parser.add_argument("--account", help="SLURM account, if the cluster needs one")
    args = parser.parse_args(argv)
    study = load(args.study)  # every run file is checked before any job is queued
    with slurm_cluster(args.queue, args.walltime, account=args.account) as cluster:
        cluster.scale(jobs=args.jobs)
        _, failed = execute_study(study, scheduler=cluster.scheduler_address)
    aggregate(study, open_project(study))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
