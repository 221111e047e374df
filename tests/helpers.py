"""Helpers shared by the tests of the sequence models (test_rnn, test_gru, test_lstm, ...).

Fixtures stay in ``conftest.py``; these are plain functions a test module imports.
"""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import perturbed

#: problem sizes every sequence model is checked on: (n_x, n_a, n_y, m, T_x)
SHAPES = [
    (3, 5, 2, 4, 6),
    (2, 3, 4, 1, 5),   # m = 1
    (4, 3, 2, 3, 1),   # T_x = 1
    (1, 1, 1, 1, 1),
]


def random_problem(rng, init_params, n_x, n_a, n_y, m, T, dtype=np.float64, *, n_states=1):
    """``(x, state_1, ..., params)`` for a model whose parameters come from ``init_params``.

    Drawn in this order from ``rng``: the parameters (biases made non-zero by
    :func:`perturbed`, so gradient checks see every term), ``x`` (n_x, m, T), then
    ``n_states`` initial states (n_a, m) (``a0``, and ``c0`` for the LSTM).
    """
    params = perturbed(init_params(n_x, n_a, n_y, rng=rng, dtype=dtype), rng)
    x = rng.standard_normal((n_x, m, T)).astype(dtype)
    states = [rng.standard_normal((n_a, m)).astype(dtype) for _ in range(n_states)]
    return (x, *states, params)


def assert_raises_named(call, exc, fragments) -> None:
    """``call()`` raises ``exc`` whose message contains every string in ``fragments``."""
    with pytest.raises(exc) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value), (fragment, str(info.value))


def cache_arrays(caches, t: int) -> dict:
    """The arrays a backward could write into: the stacked arrays of the library's
    ``StepCaches`` (if any) and the array fields of the cache of step ``t``."""
    stacked = getattr(caches.cells, "stacked", {})
    arrays = {f"stacked[{k!r}]": v for k, v in stacked.items() if isinstance(v, np.ndarray)}
    arrays.update({f"cells[{t}][{i}]": v for i, v in enumerate(caches.cells[t])
                   if isinstance(v, np.ndarray)})
    return arrays


def copy_arrays(arrays: dict) -> dict:
    return {name: np.copy(arr) for name, arr in arrays.items()}


def assert_same_arrays(now: dict, before: dict) -> None:
    """Every array of ``before`` (a :func:`copy_arrays`) still holds the same values in ``now``."""
    assert now.keys() == before.keys()
    for name, arr in before.items():
        np.testing.assert_array_equal(now[name], arr, err_msg=name)
