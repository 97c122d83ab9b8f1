"""Writes tests/data/tiny-drying.gsd, the small trajectory the analysis tests read instead of running a
simulation: the run file of ``tests/conftest.py::tiny_document()`` (40 racemic R-Au-Cu clusters drying
from CH2Cl2 to a monolayer in 13 ns, seed 7) on LAMMPS. Run it from the repository root after a change
of the trajectory schema:

    python tests/data/make_stored_trajectory.py
"""

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from conftest import tiny_document  # noqa: E402

from dipolewire.runner import execute  # noqa: E402
from dipolewire.spec import from_dict  # noqa: E402

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        document = tiny_document(numerics={"engine": "lammps"})
        execute(from_dict(document), Path(tmp) / "tiny", progress=False, log=lambda *a, **k: None)
        shutil.copy(Path(tmp) / "tiny" / "trajectory.gsd", HERE / "tiny-drying.gsd")
        shutil.copy(Path(tmp) / "tiny" / "spec.toml", HERE / "tiny-drying.toml")
    print(f"wrote {HERE / 'tiny-drying.gsd'}")
