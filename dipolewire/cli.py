"""The ``dipolewire`` command line.

User errors print one line, ``dipolewire: error: ...``, and exit with status 2;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import math
import sys

from . import __version__
from .errors import InputError, RunStopped

EXIT_USAGE = 2
#: Most points of an ``energy --range`` table.
MAX_POINTS = 100_000


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line, ``dipolewire: error: ...`` (with a pointer to the command's
    --help), and exit status 2."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"dipolewire: error: {message} (see '{self.prog} --help')\n")


def finite_float(text: str) -> float:
    """An option's number: a float, but not nan or inf (argparse's ``type=float`` takes both)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def _add_energy_parser(commands):
    p = commands.add_parser(
        "energy",
        help="dipole-dipole pair energy E(r) in kJ/mol, zJ and kT",
        description=(
            "Energy of two equal point dipoles in a medium of relative permittivity εr, "
            "E = −μ²(3 cosθ1 cosθ2 − cosθ12)/(4π ε0 εr r³), optionally Debye-screened. "
            "Quantities take units, e.g. --mu '43.42 D' --r '1.822 nm'."
        ),
    )
    p.add_argument("--mu", default="43.42 D", help="dipole moment (default: %(default)s, R-Au-Cu)")
    p.add_argument("--r", nargs="+", metavar="DIST", help="separation(s), e.g. '1.822 nm' '18 Å'")
    p.add_argument("--range", nargs=2, metavar=("START", "STOP"), help="tabulate E over r in [START, STOP]")
    p.add_argument("--points", type=int, default=25, help=f"points in --range, 2 … {MAX_POINTS} (default: %(default)s)")
    p.add_argument("--eps-r", type=finite_float, default=1.0, help="relative permittivity εr ≥ 1 (default: vacuum)")
    p.add_argument("--temperature", default="298.15 K", help="temperature for kT (default: %(default)s)")
    geometry = p.add_mutually_exclusive_group()
    from .physics import GEOMETRIES

    geometry.add_argument("--geometry", choices=sorted(GEOMETRIES), default="head-to-tail")
    geometry.add_argument(
        "--angles",
        nargs=3,
        type=finite_float,
        metavar=("THETA1", "THETA2", "THETA12"),
        help="angles in degrees of each dipole with the line joining them, and between the dipoles",
    )
    p.add_argument("--debye-length", help="Debye screening length (e.g. '2 nm'); default: unscreened")
    p.add_argument(
        "--energy",
        dest="target_energy",
        help="also report the separation with this |E|, e.g. '37.54 kJ/mol'",
    )
    p.add_argument("--csv", metavar="FILE", help="write the table as CSV")
    p.add_argument("--plot", metavar="FILE.png", help="plot E(r) to a PNG file")
    p.add_argument(
        "--paper",
        action="store_true",
        help="print the check against Li et al. (μ = 43.42 D, 37.54 kJ/mol)",
    )
    p.add_argument("--sigma", default="1.8 nm", help="contact diameter for λ in --paper (default: %(default)s)")
    p.set_defaults(handler=_run_energy)


def _add_run_parser(commands):
    p = commands.add_parser(
        "run",
        help="simulate a drying film from a TOML run file",
        description=(
            "Brownian dynamics of rigid Janus dipolar clusters in a drying film. Writes "
            "trajectory.gsd (nm, ns), spec.toml (resolved), run.json, figures and summary.txt into "
            "the output directory (default: runs/<name>/ beside the run file). "
            "Run in parallel with: mpiexec -n N dipolewire run FILE"
        ),
    )
    p.add_argument("file", help="run file (TOML), e.g. runs/demo.toml")
    p.add_argument("--out", help="output directory (default: <run file's folder>/<name>)")
    from .engines import REGISTRY

    p.add_argument("--engine", choices=("auto", *REGISTRY), help="override numerics.engine")
    p.add_argument("--seed", type=int, help="override numerics.seed (1 … 2³¹−1)")
    p.add_argument("--threads", type=int, help="OpenMP threads per rank (override numerics.threads)")
    p.add_argument("--device", choices=("auto", "cpu", "gpu"), help="HOOMD-blue device (override numerics.device)")
    p.add_argument("--overwrite", action="store_true", help="replace a trajectory already in --out")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run in --out from its last frame")
    p.add_argument(
        "--replicas",
        type=int,
        metavar="N",
        help="run N replicas (seeds: the run file's, then seeds spawned from it) into --out/replica-01 … and "
        "report each measure as mean ± standard error",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="run even if the run is estimated to take more than 7 days on one core (the plan is printed first)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=_run_simulation)


def _add_bond_arguments(p):
    """Chain-criterion options shared by analyze, compare and movie."""
    p.add_argument("--r-max", type=finite_float, default=None, help="bond distance cut-off in nm (default 2.7)")
    p.add_argument("--max-angle", type=finite_float, default=None, help="bond angle tolerance in degrees (default 45)")
    p.add_argument(
        "--dimensions",
        choices=("auto", "2", "3"),
        default="auto",
        help="2: deposit seen from above; 3: film in space; auto: 2 once the film is ≤ 2 diameters",
    )


def _add_analyze_parser(commands):
    p = commands.add_parser(
        "analyze",
        help="chains, spacings and order of a run, with figures and a summary",
        description=(
            "Measure head-to-tail chains, intercluster spacings and dipolar order on the selected frames "
            "of a dipolewire trajectory (or any GSD file with oriented particles). Writes metrics.json, "
            "CSV tables, PNG figures and summary.md into <run>/analysis/ (or --out)."
        ),
    )
    p.add_argument(
        "run",
        metavar="RUN",
        nargs="+",
        help="run directory (holding trajectory.gsd), a .gsd file, or a replica set; several: mean ± SE across them",
    )
    p.add_argument(
        "--frames",
        help="frames for the time series: start:stop:step or i,j,k (default: all); the last one gets the full analysis",
    )
    _add_bond_arguments(p)
    p.add_argument("--out", help="output directory")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=_run_analyze)


def _add_compare_parser(commands):
    p = commands.add_parser(
        "compare",
        help="compare simulated spacings with a measured TEM histogram or list of distances",
        description=(
            "TEM file: CSV with a header, a column of distances with its unit (distance_nm, distance_A, "
            "'Length (nm)', 'Length [Å]', distance_pm ...; other columns such as ImageJ's Area or Angle are "
            "ignored) or 'bin_left_nm,bin_right_nm,count' (a histogram). Prints and writes (compare.json, "
            "compare.png) the means and standard deviations, the Kolmogorov-Smirnov statistic and its "
            "p-value, the Wasserstein distance, the overlap of the two distributions and the fraction of "
            "simulated spacings in 1.8-2.5 nm."
        ),
    )
    p.add_argument(
        "run", metavar="RUN", nargs="+", help="run directory, .gsd file or replica set; several: mean ± SE across them"
    )
    p.add_argument("--tem", required=True, metavar="FILE", help="measured spacings (CSV, see above)")
    p.add_argument(
        "--column",
        metavar="NAME",
        help="the TEM file's column of distances, by its header with or without the unit (e.g. Length); "
        "needed when several columns could hold them",
    )
    p.add_argument(
        "--unit",
        metavar="UNIT",
        help="length unit (nm, A, pm, um) of distance columns whose header names none, e.g. an ImageJ Results "
        "table's Length",
    )
    p.add_argument("--frame", type=int, default=-1, help="frame to compare (default: the last)")
    _add_bond_arguments(p)
    p.add_argument("--out", help="output directory (default: the run's analysis folder)")
    p.set_defaults(handler=_run_compare)


def _add_movie_parser(commands):
    p = commands.add_parser(
        "movie",
        help="a movie of the drying: side view with the interface, top view with the chains",
        description=(
            "Render the selected frames of a run into a video: per frame a side view (x–z) with the substrate "
            "and the evaporation interface at that time, and a top view (x–y) with the clusters coloured by "
            "chain, grey in no chain (the chain criterion of analyze). The caption gives the time (ns), film "
            "height (nm) and εr. MP4 (H.264, imageio-ffmpeg's ffmpeg); an animated GIF where no MP4 encoder "
            "works. Writes <run>/analysis/movie.mp4 unless --out says otherwise."
        ),
    )
    p.add_argument("run", metavar="RUN", help="run directory (holding trajectory.gsd) or a .gsd file")
    p.add_argument("--frames", help="frames to show: start:stop:step or i,j,k (default: all)")
    p.add_argument("--fps", type=int, default=10, help="frames per second of the video, 1 … 60 (default: %(default)s)")
    p.add_argument(
        "--format",
        dest="video_format",
        choices=("auto", "mp4", "gif"),
        default="auto",
        help="auto: MP4, or an animated GIF where no MP4 encoder works (default: %(default)s)",
    )
    _add_bond_arguments(p)
    p.add_argument("--out", help="the video file (.mp4 or .gif) or a folder for movie.mp4 (default: <run>/analysis/)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=_run_movie)


def _add_micrograph_parser(commands):
    p = commands.add_parser(
        "micrograph",
        help="simulated TEM micrograph of a deposit, and the spacings measured on it",
        description=(
            "Render one frame as a bright-field TEM image of its metal cores (Au and Cu scattering as atoms × Z^k, "
            "a Gaussian point-spread function of the given resolution, Poisson shot noise), find the clusters' "
            "spots on it and measure the spacings of bonded neighbours spot to spot. Writes micrograph.png, "
            "micrograph_spacings.png and micrograph.json (true and image spacings, the shift of the mean and the "
            "widening of the standard deviation, with standard errors) into the run's analysis folder (or --out). "
            "See docs/micrograph.md."
        ),
    )
    p.add_argument("run", metavar="RUN", help="run directory (holding trajectory.gsd) or a .gsd file")
    p.add_argument("--frame", type=int, default=-1, help="frame to image (default: the last)")
    p.add_argument("--resolution", default="0.3 nm", help="FWHM of the point-spread function (default: %(default)s)")
    p.add_argument("--pixel", default="0.05 nm", help="pixel size, at most half the resolution (default: %(default)s)")
    p.add_argument(
        "--dose", default="1000 e/Å²", help="electron dose, e.g. '1000 e/Å²' or '1e5 e/nm²' (default: %(default)s)"
    )
    p.add_argument(
        "--exponent",
        type=finite_float,
        default=1.7,
        help="k in the scattering cross-section ∝ Z^k (default: %(default)s)",
    )
    p.add_argument(
        "--cross-section",
        default="0.002 nm²",
        help="cross-section of one Au atom for scattering out of the beam (default: %(default)s, 200 kV)",
    )
    p.add_argument("--seed", type=int, default=1, help="seed of the shot noise (default: %(default)s)")
    _add_bond_arguments(p)
    p.set_defaults(dimensions="2")
    p.add_argument("--out", help="output directory (default: the run's analysis folder)")
    p.set_defaults(handler=_run_micrograph)


def _add_study_parser(commands):
    p = commands.add_parser(
        "study",
        help="sweep a run file over some of its fields, with replicas, on Dask (a signac project)",
        description=(
            "A study file is a run file plus a [sweep] table of run-file fields and their values (grid or zip, "
            "replicas = N). Each run is a signac job holding an ordinary run folder, in <study file's folder>/"
            "<name>/. Runs execute on an embedded local Dask cluster sized to the cores, or on --scheduler; "
            "finished runs are skipped and interrupted ones continue, so a study can be run again until done. "
            "Then every finished run is measured: study.csv, study_points.csv (mean ± SE per point) and "
            "state_diagram.png. See docs/studies.md."
        ),
    )
    p.add_argument("file", help="study file (a run file with a [sweep] table)")
    p.add_argument("--status", action="store_true", help="show each run's state and frames; run nothing")
    p.add_argument("--collect", action="store_true", help="measure the finished runs and write the tables; run nothing")
    p.add_argument("--retry-failed", action="store_true", help="run failed runs again (they are skipped otherwise)")
    p.add_argument("--workers", type=int, help="worker processes of the local cluster (default: cores / threads)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask scheduler, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--force", action="store_true", help="run even runs estimated to take more than 7 days on one core")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=_run_study)


def _add_predict_parser(commands):
    p = commands.add_parser(
        "predict",
        help="equilibrium chain lengths at a run file's end state (ideal chains, exact two-body K)",
        description=(
            "Association constant K of one head-to-tail bond (the chain analysis's criterion) from the model's "
            "pair energy, and ideal-chain mass action at the run file's end state: density N/L² (2D) and "
            "N/(L²·H) (3D) of the final film, at its εr. With --length, the εr (λ) and the ligand-attraction "
            "depth that would give that weight-average length. See docs/predictor.md."
        ),
    )
    p.add_argument("file", help="run file (TOML)")
    p.add_argument(
        "--eps-r", type=finite_float, help="relative permittivity (default: the end state's, the dry film's)"
    )
    p.add_argument("--length", type=finite_float, metavar="N", help="requested weight-average chain length ⟨n⟩w")
    p.add_argument("--dimensions", choices=("2", "3"), help="only the 2D deposit or the 3D film (default: both)")
    p.add_argument(
        "--orientations",
        choices=("film", "sphere", "plane"),
        default="film",
        help="2D: Janus-axis tilts from the film's walls (default), uniform on the sphere, or in the plane",
    )
    p.set_defaults(handler=_run_predict)


def _add_encounter_parser(commands):
    p = commands.add_parser(
        "encounter",
        help="encounter rate constants of charged cluster species in solution (Brownian dynamics)",
        description=(
            "Bimolecular encounter rate constant of every species pair of an encounter file (charged clusters "
            "with screened Coulomb and shell repulsion in an electrolyte) by Brownian dynamics with the "
            "Northrup-Allison-McCammon method, beside the exact Debye-Smoluchowski rate; then against ionic "
            "strength ([ionic_strength]) and feeding ratio ([feeding]). Writes encounter.json, rates.csv, "
            "figures and summary.txt; points already measured are kept when the file is run again. "
            "See docs/charged.md."
        ),
    )
    p.add_argument("file", help="encounter file (TOML), e.g. runs/au44-ag44-dmf.toml")
    p.add_argument("--out", help="output directory (default: <file's folder>/<name>)")
    p.add_argument("--engine", choices=("auto", "lammps", "hoomd"), help="override encounter.engine")
    p.add_argument("--trajectories", type=int, metavar="N", help="override encounter.trajectories (100 … 10⁷)")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="print each point's state, geometry and exact rate; run and write nothing",
    )
    p.add_argument("--force", action="store_true", help="run even if the points are estimated to take more than 7 days")
    p.add_argument("--quiet", action="store_true", help="no progress")
    p.set_defaults(handler=_run_encounter)


def _add_presets_parser(commands):
    p = commands.add_parser("presets", help="list cluster and solvent presets with values and sources")
    p.set_defaults(handler=_run_presets)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="dipolewire",
        description="Brownian dynamics of dipolar Janus nanoclusters assembling into nanowires.",
    )
    parser.add_argument("--version", action="version", version=f"dipolewire {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)
    _add_energy_parser(commands)
    _add_run_parser(commands)
    _add_analyze_parser(commands)
    _add_compare_parser(commands)
    _add_movie_parser(commands)
    _add_micrograph_parser(commands)
    _add_study_parser(commands)
    _add_predict_parser(commands)
    _add_encounter_parser(commands)
    _add_presets_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    from .streams import closed_pipes_tolerated

    with closed_pipes_tolerated():  # `dipolewire run ... | head` must not stop the run
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.handler(args) or 0
    except InputError as exc:
        if args.debug:
            raise
        print(f"dipolewire: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except RunStopped as exc:
        if args.debug:
            raise
        if not exc.silent:  # under MPI rank 0 says it once
            print(f"dipolewire: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        if args.debug:
            raise
        print("dipolewire: interrupted; what was written so far is kept", file=sys.stderr)
        return 130


# --- energy ------------------------------------------------------------------------------


def _positive(text, kind, field, **kw):
    from .units import parse

    value = parse(text, kind, field=field, **kw)
    if not value > 0:
        raise InputError(field, f"must be > 0, got {text!r}")
    return value


def _run_energy(args) -> int:
    import numpy as np

    from .analysis.energy_table import EnergyQuery, angles_deg_to_rad

    if args.eps_r < 1.0:
        raise InputError("--eps-r", f"relative permittivity must be >= 1, got {args.eps_r:g}")
    if not 2 <= args.points <= MAX_POINTS:
        raise InputError("--points", f"must be in 2 … {MAX_POINTS}, got {args.points}")
    _check_energy_outputs(args)
    temperature = _positive(args.temperature, "temperature", "--temperature")
    if args.angles:
        angles = angles_deg_to_rad(args.angles)
        name = "θ1 = {:g}°, θ2 = {:g}°, θ12 = {:g}°".format(*args.angles)
    else:
        from .physics import GEOMETRIES

        angles = angles_deg_to_rad(GEOMETRIES[args.geometry])
        name = args.geometry
    query = EnergyQuery(
        mu=_positive(args.mu, "dipole", "--mu"),
        eps_r=args.eps_r,
        temperature_K=temperature,
        angles=angles,
        geometry_name=name,
        debye_length_nm=_positive(args.debye_length, "length", "--debye-length") if args.debye_length else None,
    )
    if args.paper:
        print(query.paper_check(_positive(args.sigma, "length", "--sigma")))
        return 0

    distances = [_positive(r, "length", "--r") for r in args.r or []]
    if args.range:
        start = _positive(args.range[0], "length", "--range START")
        stop = _positive(args.range[1], "length", "--range STOP")
        if stop <= start:
            raise InputError("--range", f"STOP must exceed START, got {args.range[0]} to {args.range[1]}")
        distances += list(np.linspace(start, stop, args.points))
    if not distances and not args.target_energy:
        distances = [1.822]
    if args.plot and len(distances) < 2:
        raise InputError("--plot", "needs several separations: give --range START STOP")

    table = query.table(distances)
    # every value is checked before anything is printed or written
    distance_line = None
    if args.target_energy:
        energy = -abs(_nonzero_energy(args.target_energy, temperature))
        try:
            distance_line = query.distance_line(energy, args.target_energy)
        except InputError as exc:  # the option that asked for it
            raise InputError("--energy", exc.message) from None
    print(query.header())
    if distances:
        print(table.format())
    if distance_line:
        print(distance_line)
    if args.csv:
        table.write_csv(args.csv)
        print(f"table written to {args.csv}")
    if args.plot:
        from .analysis import figures

        curve = query.table(np.linspace(min(distances), max(distances), 400))
        figures.save(figures.energy_curve(curve, query, marked=table).figure, args.plot)
        print(f"plot written to {args.plot}")
    return 0


def _check_energy_outputs(args) -> None:
    """--csv and --plot name files in folders that are there, and --plot a kind of image matplotlib writes."""
    from pathlib import Path

    from .user_files import check_output_file

    if args.csv:
        check_output_file(args.csv, "--csv")
    if args.plot:
        check_output_file(args.plot, "--plot")
        kinds = ("png", "pdf", "svg")
        suffix = Path(args.plot).suffix.lower().lstrip(".")
        if suffix not in kinds:
            raise InputError("--plot", f"must name a .png, .pdf or .svg file, got {args.plot!r}")


def _nonzero_energy(text, temperature_K):
    from .units import parse

    value = parse(text, "energy", field="--energy", temperature_K=temperature_K)
    if value == 0:
        raise InputError("--energy", "must be non-zero")
    return value


# --- run and presets ---------------------------------------------------------------------


def _run_simulation(args) -> int:
    from pathlib import Path

    from . import engines, run_plan
    from . import spec as spec_module
    from .analysis.run_summary import write_outputs
    from .runner import check_output, execute, recorded_overrides
    from .user_files import check_output_folder

    spec = spec_module.load(args.file)
    overrides = {}
    if args.engine:
        overrides["engine"] = args.engine
    if args.device:
        overrides["device"] = args.device
    if args.seed is not None:
        if not 1 <= args.seed <= 2**31 - 1:
            raise InputError("--seed", f"must be in 1 … 2147483647, got {args.seed}")
        overrides["seed"] = args.seed
    if args.threads is not None:
        if not 1 <= args.threads <= 256:
            raise InputError("--threads", f"must be in 1 … 256, got {args.threads}")
        overrides["threads"] = args.threads
    out = Path(args.out) if args.out else Path(args.file).resolve().parent / spec.name
    if args.resume and args.overwrite:
        raise InputError("--resume", "cannot be combined with --overwrite")
    if args.replicas is not None:
        from .replicas import MAX_REPLICAS

        if not 1 <= args.replicas <= MAX_REPLICAS:
            raise InputError("--replicas", f"must be in 1 … {MAX_REPLICAS}, got {args.replicas}")
        if "seed" in overrides:
            raise InputError(
                "--seed", "cannot be combined with --replicas (replica seeds derive from the run file's seed)"
            )
    check_output_folder(out, "--out")
    if not args.resume and args.replicas is None:
        check_output(out, args.overwrite)
    numerics = spec.replace("numerics", **overrides).numerics if overrides else spec.numerics
    engines.choose(numerics.engine, numerics.device, numerics.dipole_method)  # installed?
    # the planned work, checked and told before anything starts; a resumed run was accepted when it started
    plan = run_plan.plan(spec)
    run_plan.check(plan, force=args.force or args.resume)
    if run_plan.launch_rank() == 0:
        copies = f"{args.replicas} replicas, each " if args.replicas and args.replicas > 1 else ""
        print(copies + plan.describe(), flush=True)
    if args.replicas is not None:
        return _run_replicas(args, spec, out, overrides)
    if args.resume:  # a plain --resume repeats the options the run was started with
        overrides = {**recorded_overrides(out), **overrides}
    if overrides:
        spec = spec.replace("numerics", **overrides)
    execute(
        spec,
        out,
        overwrite=args.overwrite,
        resume=args.resume,
        progress=not args.quiet,
        finish=write_outputs,
        overrides=overrides,
    )
    return 0


def _run_replicas(args, spec, out, overrides) -> int:
    from .analysis.replica_stats import analyze_runs
    from .analysis.run_summary import write_outputs
    from .replicas import recorded_overrides as recorded_set_overrides
    from .replicas import run_replicas

    if "seed" in overrides:
        raise InputError("--seed", "cannot be combined with --replicas (replica seeds derive from the run file's seed)")
    if args.resume:  # a plain --resume repeats the options the set was started with
        overrides = {**recorded_set_overrides(out), **overrides}
    if overrides:
        spec = spec.replace("numerics", **overrides)
    run_replicas(
        spec,
        out,
        args.replicas,
        overwrite=args.overwrite,
        resume=args.resume,
        progress=not args.quiet,
        finish=write_outputs,
        overrides=overrides,
    )
    if args.replicas < 2:
        return 0
    result = analyze_runs([out], progress=not args.quiet)
    _print_replica_measures(result, out / "analysis")
    return 0


def _print_replica_measures(result, out) -> None:
    from .analysis.figures import format_entry

    m = result["measures"]
    print(
        f"{len(result['runs'])} runs, final frames in {result['dimensions']}D, mean ± SE: "
        f"{format_entry(m['fraction_in_chains'], True)} of clusters in chains, ⟨n⟩w = "
        f"{format_entry(m['weight_average_length'])}, longest {format_entry(m['longest_chain_nm'])} nm; spacing "
        f"{format_entry(m['mean_nm'])} nm (s.d. {format_entry(m['std_nm'])} nm), "
        f"{format_entry(m['fraction_in_tem_band'], True)} in 1.8–2.5 nm"
    )
    print(f"written to {out}/ (replicas.json, replicas.csv, replicas.png, summary.md; each run in its analysis/)")


def _bond_settings(args) -> dict:
    from .analysis.chains import DEFAULT_MAX_ANGLE_DEG, DEFAULT_R_MAX_NM

    r_max = DEFAULT_R_MAX_NM if args.r_max is None else args.r_max
    max_angle = DEFAULT_MAX_ANGLE_DEG if args.max_angle is None else args.max_angle
    if not 0 < r_max <= 20:
        raise InputError("--r-max", f"must be in (0, 20] nm, got {r_max:g}")
    if not 0 < max_angle < 90:
        raise InputError("--max-angle", f"must be in (0, 90) degrees, got {max_angle:g}")
    return {"r_max": r_max, "max_angle": max_angle, "dimensions": args.dimensions}


def _run_analyze(args) -> int:
    from .analysis.replica_stats import analyze_runs, expand_runs
    from .analysis.replica_stats import default_output as runs_output
    from .analysis.run_analysis import analyze_trajectory, default_output
    from .user_files import check_output_folder

    settings = _bond_settings(args)
    runs = expand_runs(args.run)
    if len(runs) > 1:
        out = args.out or runs_output(args.run, runs)
        check_output_folder(out, "--out")
        result = analyze_runs(args.run, out, frames=args.frames, progress=not args.quiet, **settings)
        _print_replica_measures(result, out)
        return 0
    out = args.out or default_output(runs[0])
    check_output_folder(out, "--out")
    metrics = analyze_trajectory(runs[0], out, frames=args.frames, progress=not args.quiet, **settings)
    c, s = metrics["chains"], metrics["spacing"]
    print(
        f"frame {metrics['frame']} (t = {metrics['time_ns']:.4g} ns, {metrics['dimensions']}D): "
        f"{c['fraction_in_chains']:.0%} of {c['clusters']} clusters in chains, {c['open_chains_of_2_or_more']} "
        f"open chains, {c['rings']} rings, ⟨n⟩w = {c['weight_average_length']:.2f}, longest "
        f"{c['longest_chain_nm']:.3g} nm; spacing {s['mean_nm']:.3f} ± {s['std_nm']:.3f} nm, "
        f"{s['fraction_in_tem_band']:.0%} in 1.8–2.5 nm"
    )
    print(f"written to {out}/ (metrics.json, CSV tables, figures, summary.md)")
    return 0


def _run_compare(args) -> int:
    import json
    from pathlib import Path

    from .analysis import figures, tem
    from .analysis.replica_stats import expand_runs
    from .analysis.run_analysis import analyze_frame, default_output, trajectory_path
    from .trajectory import open_trajectory
    from .user_files import check_output_folder

    settings = _bond_settings(args)
    measured = tem.read(args.tem, column=args.column, unit=args.unit)
    runs = expand_runs(args.run)
    if len(runs) > 1:
        return _compare_runs(args, measured, settings)
    path = trajectory_path(runs[0])
    out = Path(args.out) if args.out else default_output(runs[0])
    check_output_folder(out, "--out")
    with open_trajectory(path) as trajectory:
        n = len(trajectory)
        if not -n <= args.frame < n:
            raise InputError("--frame", f"must be in {-n} … {n - 1} for this file, got {args.frame}")
        result = analyze_frame(trajectory[args.frame], **settings)
    simulated = result.chains.spacings
    stats = tem.compare(simulated, measured)
    stats["frame"] = args.frame
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.json").write_text(json.dumps(stats, indent=2) + "\n")
    figures.save(figures.tem_overlay(simulated, measured, stats).figure, out / "compare.png")
    sim, measured_stats = stats["simulated"], stats["tem"]
    print(f"simulated: {sim['count']} spacings, {sim['mean_nm']:.3f} ± {sim['std_nm']:.3f} nm")
    print(
        f"TEM ({measured_stats['kind']}{f', column {measured.column}' if measured.column else ''}): "
        f"{measured_stats['count']} spacings, "
        f"{measured_stats['mean_nm']:.3f} ± {measured_stats['std_nm']:.3f} nm"
    )
    print(
        f"Kolmogorov-Smirnov {stats['ks_statistic']:.3f} (p = {stats['ks_p_value']:.3g}"
        f"{', approximate' if measured.is_histogram else ''}), Wasserstein {stats['wasserstein_nm']:.4f} nm, "
        f"overlap {stats['overlap']:.3f}; simulated in 1.8-2.5 nm: {stats['fraction_simulated_in_band']:.0%}"
    )
    print(f"written to {out}/compare.json and compare.png")
    return 0


def _compare_runs(args, measured, settings) -> int:
    import json
    from pathlib import Path

    from .analysis import figures
    from .analysis.replica_stats import compare_runs, default_output, expand_runs
    from .user_files import check_output_folder

    out = Path(args.out) if args.out else default_output(args.run, expand_runs(args.run))
    check_output_folder(out, "--out")
    result, spacings = compare_runs(args.run, measured, args.frame, **settings)
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.json").write_text(json.dumps(result, indent=2) + "\n")
    figures.save(figures.tem_overlay_runs(spacings, measured, result).figure, out / "compare.png")
    m, t = result["measures"], result["tem"]
    f = figures.format_entry
    print(
        f"{len(result['runs'])} runs, mean ± SE: simulated spacing {f(m['simulated_mean_nm'])} nm "
        f"(s.d. {f(m['simulated_std_nm'])} nm); TEM ({t['kind']}, n = {t['count']}) {t['mean_nm']:.3f} ± "
        f"{t['std_nm']:.3f} nm"
    )
    print(
        f"Kolmogorov-Smirnov {f(m['ks_statistic'])}, Wasserstein {f(m['wasserstein_nm'])} nm, overlap "
        f"{f(m['overlap'])}; simulated in 1.8-2.5 nm: {f(m['fraction_simulated_in_band'], True)}"
    )
    print(f"written to {out}/compare.json and compare.png")
    return 0


def _run_movie(args) -> int:
    from .analysis.movie import EncoderError, make_movie

    settings = _bond_settings(args)
    try:
        movie = make_movie(
            args.run,
            args.out,
            frames=args.frames,
            fps=args.fps,
            video_format=args.video_format,
            progress=not args.quiet,
            **settings,
        )
    except EncoderError as exc:
        if args.debug:
            raise
        print(f"dipolewire: error: {exc}; nothing written", file=sys.stderr)
        return 1
    if movie.fallback_reason:
        print(f"no MP4 encoder ({movie.fallback_reason}): wrote an animated GIF instead")
    width, height = movie.size_px
    print(f"{movie.frames} frames at {movie.fps:.4g} fps, {width}×{height} pixels, written to {movie.path}")
    return 0


def _in_range(text, kind, field, low, high, unit, low_open=True):
    """A quantity (internal unit of ``kind``) checked to lie in (low, high] (or [low, high])."""
    from .units import parse

    value = parse(text, kind, field=field)
    if not ((low < value) if low_open else (low <= value)) or not value <= high:
        bracket = "(" if low_open else "["
        raise InputError(field, f"must be in {bracket}{low:g}, {high:g}] {unit}, got {text!r}")
    return value


def _run_micrograph(args) -> int:
    from .analysis.micrograph import Optics, micrograph_run
    from .analysis.run_analysis import default_output
    from .user_files import check_output_folder

    settings = _bond_settings(args)
    resolution = _in_range(args.resolution, "length", "--resolution", 0.0, 5.0, "nm")
    pixel = _in_range(args.pixel, "length", "--pixel", 0.0, resolution / 2, "nm (at most half of --resolution)")
    dose = _in_range(args.dose, "dose", "--dose", 0.0, 1e9, "electrons/nm² (1e7 e/Å²)")
    if not 1.0 <= args.exponent <= 2.0:
        raise InputError("--exponent", f"must be in [1, 2], got {args.exponent:g}")
    cross_section = _in_range(args.cross_section, "area", "--cross-section", 0.0, 0.1, "nm²")
    if not 0 <= args.seed <= 2**32 - 1:
        raise InputError("--seed", f"must be in 0 … 4294967295, got {args.seed}")
    optics = Optics(resolution, pixel, dose, args.exponent, cross_section)
    out = args.out or default_output(args.run)
    check_output_folder(out, "--out")
    report = micrograph_run(args.run, out, args.frame, optics, args.seed, **settings)
    t, m, b, s = report["true"], report["measured"], report["bias"], report["measurement"]

    def number(value, fmt):
        return "n/a" if value is None else format(value, fmt)

    print(
        f"frame {report['frame']} ({report['dimensions']}D): true {t['count']} bonds "
        f"{number(t['mean_nm'], '.3f')} ± {number(t['std_nm'], '.3f')} nm; image {m['count']} bonds "
        f"{number(m['mean_nm'], '.3f')} ± {number(m['std_nm'], '.3f')} nm; mean shift "
        f"{number(b['mean_shift_nm'], '+.4f')} ± {number(b['mean_shift_se_nm'], '.4f')} nm, s.d. × "
        f"{number(b['std_ratio'], '.3f')} ± {number(b['std_ratio_se'], '.3f')}; "
        f"{s['clusters_missed_fraction']:.0%} of {s['clusters']} clusters missed, {s['false_spots']} false spots"
    )
    print(f"written to {out}/ (micrograph.png, micrograph_spacings.png, micrograph.json)")
    return 0


def _run_study(args) -> int:
    from .analysis.study_table import aggregate
    from .runner import available_cores
    from .study import load, open_project
    from .study_runner import execute_study, status_rows

    study = load(args.file)
    if args.workers is not None and not 1 <= args.workers <= 4 * available_cores():
        raise InputError("--workers", f"must be in 1 … {4 * available_cores()}, got {args.workers}")
    if args.status:
        rows = status_rows(study)
        fields = [f.split(".")[-1] for f in study.fields]
        print("  ".join(["job     ", *fields, "replica", "state      ", "frames"]))
        for row in rows:
            values = [str(row[f]) for f in study.fields]
            print(
                "  ".join(
                    [row["job"][:8], *values, str(row["replica"]).ljust(7), row["state"].ljust(11), row["frames"]]
                )
            )
        counts = {
            state: sum(r["state"] == state for r in rows)
            for state in ("completed", "running", "interrupted", "failed", "new")
        }
        print(", ".join(f"{n} {state}" for state, n in counts.items() if n))
        return 0
    if not args.collect:
        _check_study_plan(study, args.force)
        _, failed = execute_study(
            study, args.scheduler, args.workers, progress=not args.quiet, retry_failed=args.retry_failed
        )
        for job, message in failed:
            print(f"dipolewire: run {job[:8]} failed: {message}", file=sys.stderr)
    aggregate(study, open_project(study, create=not args.collect))
    return 1 if not args.collect and failed else 0


def _check_study_plan(study, force: bool) -> None:
    """The study's folder can be written, and each of its runs is within the planned-work limit (unless
    ``force``); prints the plan of the whole study in one line."""
    from . import run_plan
    from .spec import from_dict
    from .user_files import check_output_folder

    check_output_folder(study.folder, "study folder")
    plans = []
    for point in study.points:
        plan = run_plan.plan(from_dict(study.document(point), source=str(study.source)))
        where = ", ".join(f"{f} = {v!r}" for f, v in point.overrides.items())
        run_plan.check(plan, force, where=f" (in the run with {where}, replica {point.replica})")
        plans.append(plan)
    steps = [p.steps for p in plans]
    total = sum(p.wall_seconds for p in plans)
    print(
        f"planned: {len(plans)} runs of {min(steps):.4g}–{max(steps):.4g} steps, about "
        f"{run_plan.duration_text(total)} in all on one core (at {run_plan.CLUSTER_STEPS_PER_SECOND:.2g} "
        "cluster-steps/s; runs that are complete are skipped)",
        flush=True,
    )


# --- predict -----------------------------------------------------------------------------


def _run_predict(args) -> int:
    from .predict import predict
    from .spec import load

    if args.eps_r is not None and not args.eps_r >= 1:
        raise InputError("--eps-r", f"relative permittivity must be >= 1, got {args.eps_r:g}")
    if args.length is not None and not args.length >= 1:
        raise InputError("--length", f"must be >= 1 cluster, got {args.length:g}")
    spec = load(args.file)
    dims = (int(args.dimensions),) if args.dimensions else (2, 3)
    result = predict(spec, args.eps_r, args.length, dims, args.orientations)
    state, c = result["end_state"], result["criterion"]
    print(
        f"end state: {state['clusters']} clusters, box {state['box_nm']:.4g} nm, film {state['height_nm']:.4g} nm; "
        f"εr {result['eps_r']:.4g}, λ = {result['coupling']:.3f}; bond: centres ≤ {c['r_max']:g} nm, dipoles and "
        f"bond within {c['max_angle']:g}°"
    )
    units = {2: ("nm²", "nm⁻²"), 3: ("nm³", "nm⁻³")}
    for dim in dims:
        r = result[f"{dim}d"]
        area, density = units[dim]
        what = f"{dim}D ({r['orientations']} orientations)" if dim == 2 else "3D"
        print(
            f"{what}: K = {r['K']:.4g} {area}, ρ = {r['rho']:.4g} {density}, Kρ = {r['K_rho']:.4g}; "
            f"⟨n⟩n = {r['number_average']:.3f}, ⟨n⟩w = {r['weight_average']:.3f}, "
            f"{r['fraction_in_chains']:.0%} in chains"
        )
        if "inverse" in r:
            inv = r["inverse"]
            need = f"  for ⟨n⟩w = {inv['weight_average']:g} (K = {inv['K']:.4g} {area}): "
            need += (
                f"εr {inv['eps_r']:.4g} (λ = {inv['coupling']:.3f})"
                if inv["eps_r"] is not None
                else "εr: none in range (εr ≥ 1)"
            )
            need += (
                f"; or at εr {result['eps_r']:.4g} a ligand attraction of {inv['attraction_kT']:.3g} kT"
                if inv["attraction_kT"] is not None
                else "; ligand attraction: none in range"
            )
            print(need)
    print("ideal linear chains: no rings, no branching, no interactions between chains (docs/predictor.md)")
    return 0


#: A film large enough for any preset, to resolve a preset's derived geometry.
_PRESET_PROBE = {
    "amount": {"clusters": 1, "film_height": "20 nm", "box_length": "20 nm"},
    "drying": {"front_speed": "0 nm/ns", "hold": "1 ns"},
}


def _run_encounter(args) -> int:
    import dataclasses
    from pathlib import Path

    from .charged import encounter_run, rates
    from .charged.spec import TRAJECTORIES_RANGE, load
    from .units import MOLAR_PER_NM3
    from .user_files import check_output_folder

    spec = load(args.file)
    settings = spec.encounter
    if args.trajectories is not None:
        low, high = TRAJECTORIES_RANGE
        if not low <= args.trajectories <= high:
            raise InputError("--trajectories", f"must be in {low} … {high}, got {args.trajectories}")
        settings = dataclasses.replace(settings, trajectories=args.trajectories)
    if args.engine is not None:
        settings = dataclasses.replace(settings, engine=args.engine)
    spec = dataclasses.replace(spec, encounter=settings)
    tasks = encounter_run.tasks_of(spec)
    hours = encounter_run.estimated_hours(spec, tasks)
    if hours > 7 * 24 and not args.force and not args.dry_run:
        raise InputError(
            "encounter",
            f"the points would take about {hours / 24:.0f} days on one core (a rough estimate from the distance "
            "between reaction and escape); use fewer trajectories, a shorter escape_distance, or --force",
        )
    if args.dry_run:
        print(f"estimated: about {hours * 60:.3g} minutes on one core (LAMMPS; a rough plan, not a measurement)")
        print(f"{spec.name}: {len(tasks)} rates, {settings.trajectories} trajectories each")
        for task in tasks:
            p, g = task.point, task.geometry
            exact = rates.to_per_molar_second(rates.debye_smoluchowski(task.pair, g.reaction, task.diffusion, spec.kT))
            strength = p.conditions.ionic_strength / MOLAR_PER_NM3 * 1e3
            print(
                f"  {'+'.join(p.pair):<12} {p.label:>8}: I = {strength:.3g} mM, "
                f"1/κ = {p.conditions.debye_length:.3g} nm, "
                f"R = {g.reaction:.4g}, b = {g.start:.4g}, q = {g.escape:.4g} nm, dt = {g.timestep:.3g} ns; "
                f"exact k = {exact:.4g} M⁻¹s⁻¹"
            )
        return 0
    engine = encounter_run.choose_engine(settings.engine)
    out = Path(args.out) if args.out else Path(args.file).resolve().parent / spec.name
    check_output_folder(out, "--out")
    encounter_run.measure(spec, out, engine, tasks=tasks, quiet=args.quiet)
    text = (out / "summary.txt").read_text()
    print(text, end="")
    print(f"written to {out}")
    return 0


def _run_presets(args) -> int:
    from . import presets
    from .molar_mass import hill_formula
    from .spec import from_dict
    from .units import parse

    print("Cluster presets (metal cores in ligand shells; body frame: Janus axis z, Au core at +z):")
    for name, c in presets.CLUSTERS.items():
        print(f"  {name:<15} {c['formula']}, μ = {c['dipole']}")
        cluster = from_dict({"cluster": {"preset": name}, **_PRESET_PROBE}).cluster
        if cluster.elemental_formula:
            print(
                f"  {'':<15} {hill_formula(cluster.elemental_formula)}, M = {cluster.molar_mass:.2f} g/mol "
                "(IUPAC 2021 standard atomic weights)"
            )
        else:
            print(f"  {'':<15} no formula: give concentrations in mM, not mg/mL")
        geometry = cluster.geometry
        print(
            f"  {'':<15} length {geometry.length:.3g} nm, width {geometry.width:.3g} nm, "
            f"metal skeleton {geometry.metal_length:.3g} nm; hydrodynamic d = {cluster.hydrodynamic_diameter:.3g} nm"
        )
        for key, source in c["sources"].items():
            print(f"  {'':<15} {key} = {c[key]}: {source}")
    print("Solvent presets (η and εr at 25 °C; liquid from the melting to the boiling point at 1 atm):")
    for name, s in presets.SOLVENTS.items():
        liquid = f"liquid {s['melting_point']} … {s['boiling_point']}"
        source = f"{s['source']}; {s['liquid_range_source']}"
        print(f"  {name:<8} η = {s['viscosity']:<12} εr = {s['eps_r']:<6g} {liquid:<28} source: {source}")
    low, high = presets.OTHER_SOLVENT_TEMPERATURE_K
    print(f"  a solvent without a preset (viscosity and eps_r given): temperature {low:g} … {high:g} K")
    aliases = ", ".join(f"{alias} → {name}" for alias, name in presets.SOLVENT_ALIASES.items())
    print(f"  also called: {aliases}")
    print(f"Dry film: εr = {presets.DRY_FILM_EPS_R} unless drying.eps_r_dry is set (organic ligand shell, 2.0–2.6)")
    print("Charged cluster presets (encounter files, [[species]] preset = ...; docs/charged.md):")
    for name, c in presets.CHARGED_CLUSTERS.items():
        outer = parse(c["core_diameter"], "length") + 2 * parse(c["shell"], "length")
        print(f"  {name:<15} {c['formula']}, outer diameter {outer:.3g} nm (= hydrodynamic d unless given)")
        for key, source in c["sources"].items():
            print(f"  {'':<15} {key} = {c[key]}: {source}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
