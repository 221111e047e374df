"""Shared fixtures: explicit random generators and small random RNN problems."""

from __future__ import annotations

import numpy as np
import pytest


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
