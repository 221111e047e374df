"""The two dependency lists (pyproject.toml and environment.yml) must agree, and the
Makefile computes and compares stored outputs with the same kernels on every x86-64 CPU."""

from __future__ import annotations

import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
# PyPI name -> conda-forge name, where they differ
CONDA_NAMES: dict[str, str] = {}
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*$")


def _split(requirement: str) -> tuple[str, str]:
    name, spec = REQUIREMENT.match(requirement).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    out = {}
    for req in requirements:
        if req.startswith("rnncourse[") or ";" in req:  # self-reference, or only for old Pythons
            continue
        name, spec = _split(req)
        out[CONDA_NAMES.get(name, name)] = spec
    return out


def conda_requirements() -> dict[str, str]:
    out, in_deps = {}, False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        if in_deps and line.startswith("  - ") and not line.startswith("  - pip:"):
            name, spec = _split(line[4:])
            if name not in {"python", "pip"}:
                out[name] = spec
    return out


def test_dependency_lists_agree():
    pip_side, conda_side = pyproject_requirements(), conda_requirements()
    assert pip_side, "no requirements parsed from pyproject.toml"
    missing = sorted(set(pip_side) - set(conda_side))
    extra = sorted(set(conda_side) - set(pip_side))
    differ = sorted(k for k in set(pip_side) & set(conda_side) if pip_side[k] != conda_side[k])
    assert not (missing or extra or differ), (
        f"environment.yml lacks {missing}, has extra {extra}, bounds differ for "
        f"{[(k, pip_side[k], conda_side[k]) for k in differ]}")


def test_lower_bounds_not_pins():
    for name, spec in pyproject_requirements().items():
        assert spec.startswith(">="), f"{name}{spec}: use a lower bound, not a pin"


def test_python_version_agrees():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert f"python{project['requires-python']}" in (ROOT / "environment.yml").read_text()


def test_license_is_an_spdx_string_for_a_setuptools_that_reads_it():
    # a {text = ...} table makes setuptools print a deprecation box on every install
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert isinstance(data["project"]["license"], str)
    assert re.fullmatch(r"[A-Za-z0-9.\-+]+( (AND|OR|WITH) [A-Za-z0-9.\-+]+)*",
                        data["project"]["license"])
    setuptools = [r for r in data["build-system"]["requires"] if r.startswith("setuptools")]
    bound = tuple(int(n) for n in setuptools[0].split(">=")[1].split("."))
    assert bound >= (77,), "setuptools reads an SPDX license string from version 77 on"


# ------------------------------------------------------------- the same arithmetic everywhere

def _make_env(target: str, *extra: str) -> dict:
    """The NAME=value assignments `make -n TARGET` puts before the commands it runs."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    dry = subprocess.run(["make", "-n", target, *extra], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    env = {}
    for word in shlex.split(dry.replace("\\\n", " ")):
        m = re.fullmatch(r"([A-Z_]+)=(.*)", word)
        if m:
            env[m.group(1)] = m.group(2)
    return env


PROBE = """
try:
    from numpy._core._multiarray_umath import __cpu_features__ as f
except ImportError:
    from numpy.core._multiarray_umath import __cpu_features__ as f
raise SystemExit(1 if f.get("AVX512_SKX") or f.get("X86_V4") else 0)
"""


@pytest.mark.skipif(platform.machine() != "x86_64", reason="the kernels are pinned on x86-64")
@pytest.mark.parametrize("target", ["notebooks", "store", "lab"])
def test_stored_outputs_are_computed_and_compared_with_the_same_kernels(target):
    # lessons 04, 08 and 10 printed other digits on a Zen 5 than on the Zen 4 that stored
    # them: OpenBLAS and numpy choose their kernels by CPU
    env = _make_env(target, "NB=notebooks/00_welcome.ipynb")
    assert env.get("OPENBLAS_CORETYPE") == "Haswell", env
    run = subprocess.run([sys.executable, "-c", PROBE], env=dict(os.environ, **env))
    assert run.returncode == 0, "numpy still dispatches its AVX-512 exp and log under NUMERIC_ENV"


def test_the_numeric_env_names_only_features_this_numpy_dispatches():
    # a name numpy does not know is an ImportWarning at every import (an error under -W error)
    from rnncourse.authoring.numeric_env import numeric_env

    assert numeric_env("aarch64") == {}
    env = numeric_env("x86_64")
    assert env["OPENBLAS_CORETYPE"] == "Haswell"
    probe = "import warnings; warnings.simplefilter('error'); import numpy"
    run = subprocess.run([sys.executable, "-c", probe], env=dict(os.environ, **env),
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-500:]

