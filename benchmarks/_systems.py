"""Run files shared by the benchmarks (not part of the package or the tests)."""

import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path


def demo_document(engine: str, steps_hint: str = "40 ns") -> dict:
    """The standard drying system: the demo's R-Au-Cu in CH2Cl2, shortened to a fixed length."""
    return {
        "name": f"bench-demo-{engine}",
        "cluster": {"preset": "R-Au-Cu"},
        "amount": {"clusters": 150, "concentration": "10 mM", "box_length": "32 nm"},
        "solvent": {"preset": "CH2Cl2"},
        "drying": {"front_speed": "0.5 nm/ns", "eps_r_dry": 1.5, "hold": "0 ns"},
        "numerics": {"engine": engine, "device": "cpu", "dipole_cutoff": "6 nm", "output_interval": "2 ns", "seed": 1},
    }


def bulk_document(engine: str, clusters: int, duration: str, threads: int = 1, interval: str | None = None) -> dict:
    """A periodic box of R-Au-Cu at volume fraction 0.05 and λ = 3.9 (εr = 2): a chaining fluid."""
    volume = clusters * (math.pi / 6) * 1.8**3 / 0.05
    side = volume ** (1 / 3)
    return {
        "name": f"bench-bulk-{engine}-{clusters}",
        "cluster": {"preset": "R-Au-Cu"},
        "amount": {"clusters": clusters, "film_height": f"{side!r} nm", "box_length": f"{side!r} nm"},
        "solvent": {"viscosity": "0.413 mPa*s", "eps_r": 2.0, "temperature": "298.15 K"},
        "drying": {"front_speed": "0 nm/ns", "hold": duration, "walls": False},
        "numerics": {
            "engine": engine,
            "device": "cpu",
            "dipole_cutoff": "5.4 nm",
            "threads": threads,
            "output_interval": interval or duration,
            "seed": 1,
        },
    }


def fixed_steps(document: dict, steps: int) -> dict:
    """Set a periodic document's length to ``steps`` timesteps, one frame at its end."""
    from dipolewire.model import Model
    from dipolewire.spec import from_dict

    duration = f"{steps * Model(from_dict(document)).timestep!r} ns"
    document["drying"]["hold"] = duration
    document["numerics"]["output_interval"] = duration
    return document


def quiet_run(document: dict, out) -> dict:
    """Run a document through dipolewire without progress output; return its run.json."""
    from dipolewire.runner import execute
    from dipolewire.spec import from_dict

    execute(from_dict(document), out, progress=False, log=lambda *a, **k: None)
    return json.loads((Path(out) / "run.json").read_text())


def run_in_subprocess(document: dict, ranks: int = 1) -> dict:
    """`dipolewire run` of a document in a fresh process (under `mpiexec -n ranks` when ranks > 1), quietly;
    return its run.json."""
    import tomli_w

    with tempfile.TemporaryDirectory() as tmp:
        run_file = Path(tmp) / "bench.toml"
        run_file.write_text(tomli_w.dumps(document))
        command = [sys.executable, "-m", "dipolewire.cli", "run", str(run_file), "--quiet", "--out", f"{tmp}/out"]
        if ranks > 1:
            command = [str(Path(sys.executable).with_name("mpiexec")), "-n", str(ranks)] + command
        subprocess.run(command, check=True, capture_output=True, text=True)
        return json.loads((Path(tmp) / "out" / "run.json").read_text())
