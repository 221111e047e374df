"""Shared fixtures: explicit random generators and small random RNN problems."""

from __future__ import annotations

import os

import numpy as np
import pytest


def pytest_report_header(config):
    from rnncourse.authoring.numeric_env import numeric_env

    if any(os.environ.get(k) != v for k, v in numeric_env().items()):
        return ("notebooks: the kernels are not pinned (NUMERIC_ENV in the Makefile); run them "
                "through `make test` or `make notebooks`, or training runs may print other digits "
                "than the stored ones on this CPU")
    return None


@pytest.fixture
def rng():
    return np.random.default_rng(20261127)


def perturbed(params: dict, rng, scale: float = 0.3) -> dict:
    """Copy of ``params`` with non-zero biases, so gradient checks see every term."""
    return {k: v + scale * rng.standard_normal(v.shape).astype(v.dtype) for k, v in params.items()}


class _Frozen:
    """``frozen(name)`` loads the recorded arrays; ``frozen.compute(name)`` recomputes them."""

    def __call__(self, name: str) -> dict:
        from .fixtures.make_frozen import FROZEN_DIR

        with np.load(FROZEN_DIR / f"{name}.npz") as data:
            return {k: data[k] for k in data.files}

    @staticmethod
    def compute(name: str) -> dict:
        from .fixtures.frozen_cases import CASES

        return CASES[name]()


@pytest.fixture
def frozen():
    return _Frozen()


@pytest.fixture(scope="session", autouse=True)
def _private_config_home(tmp_path_factory):
    """Keep the grader's secret key (``$XDG_CONFIG_HOME/rnncourse``) out of the user's home.

    Grading tests create the key on first use; without this they would write it to
    ``~/.config/rnncourse/grading-secret``, the file a real grading run on this machine
    uses.  Set in ``os.environ`` so that grader subprocesses inherit it too.
    """
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config-home")))
    patch.delenv("RNNCOURSE_GRADING_SECRET", raising=False)
    yield
    patch.undo()
