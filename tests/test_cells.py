"""The CELLS registry: every entry honours the interface documented in rnncourse/cells.py
and computes exactly what its model module computes."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse import gru, lstm, rnn
from rnncourse.cells import CELLS, get_cell

from .conftest import perturbed

#: name -> (sequence forward returning hidden states first, sequence backward, recurrent keys)
MODULES = {
    "rnn": (rnn.rnn_forward, rnn.rnn_backward, tuple(rnn.RNN_SHAPES)),
    "gru": (gru.gru_forward, gru.gru_backward, ("Wc", "Wu", "Wr", "bc", "bu", "br")),
    "lstm": (lstm.lstm_forward, lstm.lstm_backward,
             ("Wf", "Wu", "Wc", "Wo", "bf", "bu", "bc", "bo")),
}


def test_every_cell_is_covered():
    assert set(CELLS) == set(MODULES)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_registered_cell_matches_its_module(rng, name):
    forward, backward, recurrent = MODULES[name]
    cell = CELLS[name]
    assert cell.name == name and set(cell.param_names) == set(recurrent)
    params = perturbed(cell.init_params(3, 4, rng), rng)
    assert set(params) == set(recurrent)  # no prediction layer
    x, a0 = rng.standard_normal((3, 2, 5)), rng.standard_normal((4, 2))
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=float)
    a, caches = cell.forward(x, a0, params, mask=mask)
    np.testing.assert_array_equal(a, forward(x, a0, params, output=None, mask=mask)[0])
    da = rng.standard_normal(a.shape)
    grads = cell.backward(da, caches)
    assert set(grads) == {"dx", "da0", *("d" + k for k in cell.param_names)}
    full = backward(da, caches)
    for k in grads:
        np.testing.assert_array_equal(grads[k], full[k])
    params32 = cell.init_params(3, 4, 0, dtype=np.float32)
    assert all(p.dtype == np.float32 for p in params32.values())


def test_unknown_cell_is_named():
    with pytest.raises(ValueError, match=r"deep_rnn_forward: cell must be one of 'rnn', 'gru', 'lstm', got 'tcn'"):
        get_cell("tcn", "deep_rnn_forward")
