"""Helpers shared by the tests of the sequence models (test_rnn, test_gru, test_lstm, ...).

Fixtures stay in ``conftest.py``; these are plain functions a test module imports.
"""

from __future__ import annotations

import contextlib
import signal

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


def assert_mask_carries_state(states, x, *initial) -> None:
    """Padding check of a sequence forward, for ``x`` of shape (n_x, 2, 5).

    ``states(x, *initial, mask=None)`` runs the forward and returns its state
    sequences (``[a]``, or ``[a, c]`` for the LSTM), each (n_a, m, T_x).  With the second
    example padded after two steps, its first two states are those of a two-step
    sequence, its padded steps keep its last real state, and the first example is
    unaffected.
    """
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0]], dtype=float)
    padded = states(x, *initial, mask=mask)
    short = states(x[:, 1:2, :2], *(s[:, 1:2] for s in initial))
    full = states(x[:, :1], *(s[:, :1] for s in initial))
    assert len(padded) == len(short) == len(full) == len(initial)
    for seq, seq_short, seq_full in zip(padded, short, full):
        np.testing.assert_allclose(seq[:, 1, :2], seq_short[:, 0, :], rtol=1e-13)
        for t in (2, 3, 4):  # padded steps keep the last real state
            np.testing.assert_array_equal(seq[:, 1, t], seq[:, 1, 1])
        np.testing.assert_allclose(seq[:, :1], seq_full, rtol=1e-13)


@contextlib.contextmanager
def within(seconds: int):
    """Fail (instead of hanging) when the block takes longer than ``seconds`` (SIGALRM)."""
    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
