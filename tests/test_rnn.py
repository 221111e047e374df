"""The plain RNN: shape contracts, gradient checks, equivalences, dtypes, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.gradcheck import gradient_check
from rnncourse.losses import bce_loss, softmax_cross_entropy
from rnncourse.rnn import (RNNCellCache, init_rnn_params, rnn_backward, rnn_cell_backward,
                           rnn_cell_forward, rnn_forward, rnn_output_backward, stack_weights)

from .helpers import (SHAPES, assert_mask_carries_state, assert_raises_named, assert_same_arrays,
                      cache_arrays, copy_arrays, random_problem)

RECURRENT = ("Wax", "Waa", "ba")


def problem(rng, n_x, n_a, n_y, m, T, dtype=np.float64):
    """``x, a0, params`` of a random RNN problem."""
    return random_problem(rng, init_rnn_params, n_x, n_a, n_y, m, T, dtype)


# --- forward ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES)
def test_forward_shapes(rng, shape):
    n_x, n_a, n_y, m, T = shape
    x, a0, params = problem(rng, *shape)
    a, y_hat, caches = rnn_forward(x, a0, params)
    assert a.shape == (n_a, m, T) and y_hat.shape == (n_y, m, T)
    cells, x_cached = caches
    assert len(cells) == T and x_cached is x
    assert isinstance(cells[0], RNNCellCache) and cells[-1].a_next.shape == (n_a, m)
    np.testing.assert_allclose(y_hat.sum(axis=0), 1.0)


@pytest.mark.parametrize("output", ["softmax", "sigmoid", None])
def test_forward_equals_repeated_cell(rng, output):
    x, a0, params = problem(rng, 3, 5, 2, 4, 7)
    a, y_hat, _ = rnn_forward(x, a0, params, output=output)
    a_t = a0
    for t in range(x.shape[2]):
        a_t, y_t, _ = rnn_cell_forward(x[:, :, t], a_t, params, output=output)
        np.testing.assert_allclose(a[:, :, t], a_t, rtol=1e-12, atol=1e-14)
        if output is None:
            assert y_hat is None and y_t is None
        else:
            np.testing.assert_allclose(y_hat[:, :, t], y_t, rtol=1e-12, atol=1e-14)


def test_sequence_of_one_step_equals_cell(rng):
    x, a0, params = problem(rng, 3, 4, 2, 5, 1)
    a, y_hat, _ = rnn_forward(x, a0, params)
    a1, y1, _ = rnn_cell_forward(x[:, :, 0], a0, params)
    np.testing.assert_allclose(a[:, :, 0], a1, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(y_hat[:, :, 0], y1, rtol=1e-14)


def test_stacked_weight_identity(rng):
    """The syllabus: W_a [a<t-1>; x<t>] = W_aa a<t-1> + W_ax x<t>."""
    _, a_prev, params = problem(rng, 3, 5, 2, 4, 1)
    x_t = rng.standard_normal((3, 4))
    W_a = stack_weights(params["Waa"], params["Wax"])
    assert W_a.shape == (5, 5 + 3)
    np.testing.assert_allclose(W_a @ np.vstack([a_prev, x_t]),
                               params["Waa"] @ a_prev + params["Wax"] @ x_t, rtol=1e-12)


def test_mask_carries_state_over_padding(rng):
    x, a0, params = problem(rng, 3, 4, 2, 2, 5)
    assert_mask_carries_state(lambda x, a0, mask=None: [rnn_forward(x, a0, params, mask=mask)[0]], x, a0)


# --- backward: gradient checks ----------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES)
def test_cell_backward_gradient_check(rng, shape):
    n_x, n_a, n_y, m, _ = shape
    _, a_prev, params = problem(rng, *shape)
    x_t = rng.standard_normal((n_x, m))
    da_next = rng.standard_normal((n_a, m))
    _, _, cache = rnn_cell_forward(x_t, a_prev, params, output=None)
    grads = rnn_cell_backward(da_next, cache)
    arrays = {"x_t": x_t, "a_prev": a_prev, **{k: params[k] for k in RECURRENT}}

    def loss():
        return float((rnn_cell_forward(x_t, a_prev, params, output=None)[0] * da_next).sum())

    errors = gradient_check(loss, arrays, grads)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("masked", [False, True])
def test_sequence_backward_gradient_check(rng, shape, masked):
    n_x, n_a, n_y, m, T = shape
    x, a0, params = problem(rng, *shape)
    mask = (rng.random((m, T)) < 0.7).astype(float) if masked else None
    da = rng.standard_normal((n_a, m, T))
    _, _, caches = rnn_forward(x, a0, params, output=None, mask=mask)
    grads = rnn_backward(da, caches)

    def loss():
        return float((rnn_forward(x, a0, params, output=None, mask=mask)[0] * da).sum())

    arrays = {"x": x, "a0": a0, **{k: params[k] for k in RECURRENT}}
    errors = gradient_check(loss, arrays, grads)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("output,loss_fn", [("softmax", softmax_cross_entropy), ("sigmoid", bce_loss)])
def test_loss_to_every_parameter(rng, output, loss_fn):
    n_x, n_a, n_y, m, T = 3, 4, 3, 2, 5
    x, a0, params = problem(rng, n_x, n_a, n_y, m, T)
    if output == "softmax":
        y = rng.integers(0, n_y, size=(m, T))
    else:
        y = (rng.random((n_y, m, T)) < 0.5).astype(float)

    def loss():
        return loss_fn(rnn_forward(x, a0, params, output=output)[1], y)[0]

    _, y_hat, caches = rnn_forward(x, a0, params, output=output)
    _, dy_hat = loss_fn(y_hat, y)
    out = rnn_output_backward(dy_hat, caches)
    grads = {**rnn_backward(out["da"], caches), "dWya": out["dWya"], "dby": out["dby"]}
    errors = gradient_check(loss, params, grads)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("masked", [False, True])
def test_fast_backward_equals_cell_loop(rng, masked):
    x, a0, params = problem(rng, 3, 5, 2, 4, 6)
    mask = (rng.random((4, 6)) < 0.6).astype(float) if masked else None
    da = rng.standard_normal((5, 4, 6))
    _, y_hat, caches = rnn_forward(x, a0, params, mask=mask)
    fast = rnn_backward(da, caches)
    cells, x_cached = caches
    slow = rnn_backward(da, (list(cells), x_cached), mask=mask)
    assert fast.keys() == slow.keys() == {"dx", "da0", "dWax", "dWaa", "dba"}
    for k in fast:
        np.testing.assert_allclose(fast[k], slow[k], rtol=1e-11, atol=1e-13)
    if not masked:
        dy = rng.standard_normal(y_hat.shape)
        fast_out = rnn_output_backward(dy, caches)
        slow_out = rnn_output_backward(dy, (list(cells), x_cached))
        for k in fast_out:
            np.testing.assert_allclose(fast_out[k], slow_out[k], rtol=1e-12)


def test_backward_does_not_mutate_inputs(rng):
    x, a0, params = problem(rng, 3, 4, 2, 3, 4)
    inputs = {"x": x, "a0": a0, **params}
    before = copy_arrays(inputs)
    da = rng.standard_normal((4, 3, 4))
    da_copy = da.copy()
    _, _, caches = rnn_forward(x, a0, params)
    cached = copy_arrays(cache_arrays(caches, 2))   # the stacked arrays and a_next, a_prev, x_t, ...
    rnn_backward(da, caches)
    rnn_cell_backward(da[:, :, 2], caches.cells[2])
    rnn_backward(da, (list(caches.cells), x))
    np.testing.assert_array_equal(da, da_copy)
    assert_same_arrays(inputs, before)
    assert_same_arrays(cache_arrays(caches, 2), cached)


# --- dtypes -----------------------------------------------------------------------------

def test_float32_end_to_end(rng):
    x, a0, params = problem(rng, 3, 4, 2, 3, 5, dtype=np.float32)
    a, y_hat, caches = rnn_forward(x, a0, params)
    assert a.dtype == y_hat.dtype == np.float32
    y = rng.integers(0, 2, size=(3, 5))
    _, dy = softmax_cross_entropy(y_hat, y)
    assert dy.dtype == np.float32
    out = rnn_output_backward(dy, caches)
    grads = rnn_backward(out["da"], caches)
    for k, g in {**grads, **out}.items():
        assert g.dtype == np.float32, k
    ref = rnn_forward(x.astype(np.float64), a0.astype(np.float64),
                      {k: v.astype(np.float64) for k, v in params.items()})[0]
    np.testing.assert_allclose(a, ref, rtol=1e-4, atol=1e-5)
    a1, y1, _ = rnn_cell_forward(x[:, :, 0], a0, params)
    assert a1.dtype == y1.dtype == np.float32


def test_integer_inputs_are_promoted(rng):
    _, a0, params = problem(rng, 3, 4, 2, 2, 3)
    x = np.eye(3, dtype=np.int64)[:, :2, None].repeat(3, axis=2)  # one-hot ints (3, 2, 3)
    a, _, _ = rnn_forward(x, a0, params)
    np.testing.assert_allclose(a, rnn_forward(x.astype(float), a0, params)[0])


# --- bad input --------------------------------------------------------------------------

def _bad_cases(rng):
    x, a0, params = problem(rng, 3, 5, 2, 10, 4)
    x_t = x[:, :, 0]
    nan_x = x.copy()
    nan_x[1, 2, 3] = np.nan
    no_waa = {k: v for k, v in params.items() if k != "Waa"}
    return [
        # (callable, exception, fragments the message must contain)
        (lambda: rnn_cell_forward(x_t, np.zeros((5, 9)), params), ValueError,
         ["rnn_cell_forward", "a_prev", "(n_a, m)", "(5, 10)", "(5, 9)"]),
        (lambda: rnn_cell_forward(x_t.tolist(), a0, params), TypeError,
         ["rnn_cell_forward", "x_t", "numpy.ndarray", "list"]),
        (lambda: rnn_forward(x, a0, no_waa), ValueError, ["rnn_forward", "params", "'Waa'"]),
        (lambda: rnn_forward(x, a0, {**params, "Wax": params["Wax"].T}), ValueError,
         ["rnn_forward", "params['Wax']", "(n_a, n_x)", "(5, 3)", "(3, 5)"]),
        (lambda: rnn_forward(x, a0, {**params, "ba": params["ba"].ravel()}), ValueError,
         ["params['ba']", "(n_a, 1)", "(5,)"]),
        (lambda: rnn_forward(x[:, :, :0], a0, params), ValueError, ["rnn_forward", "T_x = 0"]),
        (lambda: rnn_forward(nan_x, a0, params), ValueError, ["rnn_forward", "x", "finite", "nan"]),
        (lambda: rnn_forward(x, a0, {**params, "Waa": params["Waa"] * np.inf}), ValueError,
         ["params['Waa']", "finite"]),
        (lambda: rnn_forward(x[:, :, 0], a0, params), ValueError,
         ["rnn_forward", "x", "3-D", "(n_x, m, T_x)"]),
        (lambda: rnn_forward(x, a0, params, output="relu"), ValueError, ["output", "'relu'"]),
        (lambda: rnn_forward(x, a0, params, mask=np.ones((10, 3))), ValueError,
         ["mask", "(m, T_x)", "(10, 4)"]),
        (lambda: rnn_forward(x, a0, params, mask=np.full((10, 4), 0.5)), ValueError, ["mask", "0"]),
        (lambda: rnn_forward(x, a0, "params"), TypeError, ["rnn_forward", "params", "dict"]),
        (lambda: rnn_forward(x.astype(complex), a0, params), TypeError, ["x", "complex"]),
        (lambda: rnn_cell_backward(np.zeros((5, 3)), rnn_cell_forward(x_t, a0, params)[2]),
         ValueError, ["rnn_cell_backward", "da_next", "(5, 10)", "(5, 3)"]),
        (lambda: rnn_cell_backward(np.zeros((5, 10)), "cache"), TypeError, ["rnn_cell_backward", "cache"]),
        (lambda: rnn_backward(np.zeros((5, 10, 3)), rnn_forward(x, a0, params)[2]), ValueError,
         ["rnn_backward", "da", "(n_a, m, T_x)", "(5, 10, 4)"]),
        (lambda: init_rnn_params(3, 4, 2, rng=None), TypeError, ["init_rnn_params", "rng", "Generator"]),
    ]


@pytest.mark.parametrize("case", range(18))
def test_bad_input_is_named(rng, case):
    assert_raises_named(*_bad_cases(rng)[case])


def test_bad_case_list_is_fully_parametrized(rng):
    assert len(_bad_cases(rng)) == 18


# --- frozen values ----------------------------------------------------------------------

def test_frozen_values(frozen):
    """Outputs of a fixed problem match values recorded by tests/fixtures/make_frozen.py."""
    for name, expected in frozen("rnn").items():
        np.testing.assert_allclose(frozen.compute("rnn")[name], expected, rtol=1e-10, atol=1e-12,
                                   err_msg=name)
