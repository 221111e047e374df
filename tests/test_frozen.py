"""Frozen-value regressions of the gated models (the plain RNN's is in test_rnn.py).

Values were recorded by ``python -m tests.fixtures.make_frozen gru lstm`` in a clean
process from the reference implementation; a change here means the numbers changed.
"""

from __future__ import annotations

import numpy as np
import pytest


@pytest.mark.parametrize("name", ["gru", "lstm"])
def test_frozen_values(frozen, name):
    expected = frozen(name)
    actual = frozen.compute(name)
    assert expected.keys() == actual.keys()
    for key, value in expected.items():
        np.testing.assert_allclose(actual[key], value, rtol=1e-10, atol=1e-12, err_msg=key)
