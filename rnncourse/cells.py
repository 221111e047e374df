"""Registry of recurrent cells: ``CELLS[name]`` gives one uniform interface per cell.

Bidirectional and deep RNNs (lessons 07-08) and the layers of :mod:`rnncourse.layers`
work with any cell through this registry and hold no gate arithmetic of their own.
Every entry maps to the sequence functions of its module, without prediction layer:

``forward(x, a0, params, mask=None) -> (a, caches)``
    ``x`` (n_x, m, T_x), ``a0`` (n_a, m) -> hidden states ``a`` (n_a, m, T_x).
``backward(da, caches) -> grads``
    ``da`` (n_a, m, T_x) -> dict with ``dx``, ``da0`` and ``"d" + k`` for each
    parameter ``k`` (the mask given to ``forward`` is honoured).
``init_params(n_x, n_a, rng, dtype=np.float64) -> params``
    recurrent parameters only (no ``Wya``/``Wy``, ``by``).
``param_names``
    the keys of those parameters.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from . import gru, lstm, rnn

__all__ = ["CELLS", "Cell", "get_cell"]


class Cell(NamedTuple):
    """Uniform sequence-level interface of one recurrent cell."""

    name: str
    forward: Callable
    backward: Callable
    init_params: Callable
    param_names: tuple


def _rnn_forward(x, a0, params, mask=None):
    a, _, caches = rnn.rnn_forward(x, a0, params, output=None, mask=mask)
    return a, caches


def _rnn_init(n_x, n_a, rng, dtype=np.float64):
    return rnn.init_rnn_params(n_x, n_a, None, rng=rng, dtype=dtype)


def _gru_forward(x, a0, params, mask=None):
    a, _, caches = gru.gru_forward(x, a0, params, output=None, mask=mask)
    return a, caches


def _gru_init(n_x, n_a, rng, dtype=np.float64):
    return gru.init_gru_params(n_x, n_a, None, rng=rng, dtype=dtype)


def _lstm_forward(x, a0, params, mask=None):
    # the memory cell starts at zero and stays inside the layer: only a is passed on
    a, _, _, caches = lstm.lstm_forward(x, a0, params, output=None, mask=mask)
    return a, caches


def _lstm_backward(da, caches):
    grads = lstm.lstm_backward(da, caches)
    del grads["dc0"]  # c<0> is always zero here, not an input of the layer
    return grads


def _lstm_init(n_x, n_a, rng, dtype=np.float64):
    return lstm.init_lstm_params(n_x, n_a, None, rng=rng, dtype=dtype)


CELLS: dict[str, Cell] = {
    "rnn": Cell("rnn", _rnn_forward, rnn.rnn_backward, _rnn_init, tuple(rnn.RNN_SHAPES)),
    "gru": Cell("gru", _gru_forward, gru.gru_backward, _gru_init, tuple(gru.GRU_SHAPES)),
    "lstm": Cell("lstm", _lstm_forward, _lstm_backward, _lstm_init, tuple(lstm.LSTM_SHAPES)),
}


def get_cell(name: str, fn: str = "get_cell") -> Cell:
    """``CELLS[name]``, or a ``ValueError`` listing the known cells."""
    if name not in CELLS:
        raise ValueError(f"{fn}: cell must be one of {', '.join(map(repr, CELLS))}, got {name!r}")
    return CELLS[name]
