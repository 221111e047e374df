"""The LSTM: shape contracts, gradient checks, equivalences, dtypes, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.activations import sigmoid
from rnncourse.caches import SequenceCache
from rnncourse.gradcheck import gradient_check
from rnncourse.losses import bce_loss, softmax_cross_entropy
from rnncourse.lstm import (LSTMCellCache, init_lstm_params, lstm_backward, lstm_cell_backward,
                            lstm_cell_forward, lstm_forward, lstm_output_backward)

from .helpers import (SHAPES, assert_mask_carries_state, assert_raises_named, assert_same_arrays,
                      cache_arrays, copy_arrays, random_problem)

RECURRENT = ("Wf", "Wu", "Wc", "Wo", "bf", "bu", "bc", "bo")
GRAD_KEYS = {"dx", "da0", "dc0", *("d" + k for k in RECURRENT)}


def problem(rng, n_x, n_a, n_y, m, T, dtype=np.float64):
    """``x, a0, c0, params`` of a random LSTM problem."""
    return random_problem(rng, init_lstm_params, n_x, n_a, n_y, m, T, dtype, n_states=2)


def cell_loop(x, a0, c0, params, output="softmax", mask=None):
    """The sequence computed the slow way: one lstm_cell_forward per step."""
    a, c, As, Cs, ys, caches = a0, c0, [], [], [], []
    for t in range(x.shape[2]):
        a_next, c_next, y_t, cache = lstm_cell_forward(x[:, :, t], a, c, params, output=output)
        keep = np.ones(x.shape[1], bool) if mask is None else mask[:, t] == 1
        a, c = np.where(keep, a_next, a), np.where(keep, c_next, c)
        As.append(a)
        Cs.append(c)
        ys.append(y_t)
        caches.append(cache)
    y_hat = None if output is None else np.stack(ys, axis=2)
    return np.stack(As, axis=2), y_hat, np.stack(Cs, axis=2), caches


# --- forward ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES)
def test_forward_shapes(rng, shape):
    n_x, n_a, n_y, m, T = shape
    x, a0, c0, params = problem(rng, *shape)
    a, y_hat, c, caches = lstm_forward(x, a0, params)
    assert a.shape == c.shape == (n_a, m, T) and y_hat.shape == (n_y, m, T)
    cells, x_cached = caches
    assert len(cells) == T and x_cached is x
    cache = cells[-1]
    assert isinstance(cache, LSTMCellCache) and cache.c_next.shape == (n_a, m)
    assert cache._fields[:10] == ("a_next", "c_next", "a_prev", "c_prev", "x_t", "params",
                                  "c_tilde", "Gamma_u", "Gamma_f", "Gamma_o")
    np.testing.assert_array_equal(cells[0].c_prev, 0.0)  # c0 defaults to zeros
    np.testing.assert_allclose(y_hat.sum(axis=0), 1.0)


def test_cell_follows_the_syllabus_equations(rng):
    """Each cached value is the syllabus's formula, written out independently here."""
    x, a_prev, c_prev, p = problem(rng, 3, 4, 2, 5, 1)
    x_t = x[:, :, 0]
    a_next, c_next, _, cache = lstm_cell_forward(x_t, a_prev, c_prev, p)

    def pre(g):
        return p["W" + g][:, :4] @ a_prev + p["W" + g][:, 4:] @ x_t + p["b" + g]

    c_tilde, Gamma_u = np.tanh(pre("c")), sigmoid(pre("u"))
    Gamma_f, Gamma_o = sigmoid(pre("f")), sigmoid(pre("o"))
    for name, value in [("c_tilde", c_tilde), ("Gamma_u", Gamma_u), ("Gamma_f", Gamma_f),
                        ("Gamma_o", Gamma_o)]:
        np.testing.assert_allclose(getattr(cache, name), value, rtol=1e-13, err_msg=name)
    np.testing.assert_allclose(c_next, Gamma_u * c_tilde + Gamma_f * c_prev, rtol=1e-13)
    np.testing.assert_allclose(a_next, Gamma_o * np.tanh(c_next), rtol=1e-13)


@pytest.mark.parametrize("output", ["softmax", "sigmoid", None])
@pytest.mark.parametrize("masked", [False, True])
def test_forward_equals_repeated_cell(rng, output, masked):
    x, a0, c0, params = problem(rng, 3, 5, 2, 4, 7)
    mask = (rng.random((4, 7)) < 0.6).astype(float) if masked else None
    a, y_hat, c, caches = lstm_forward(x, a0, params, c0=c0, output=output, mask=mask)
    a_ref, y_ref, c_ref, cell_caches = cell_loop(x, a0, c0, params, output, mask)
    np.testing.assert_allclose(a, a_ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(c, c_ref, rtol=1e-12, atol=1e-14)
    if output is None:
        assert y_hat is None
    else:  # predictions at padded steps are free to differ: the loss ignores them
        real = np.ones((4, 7), bool) if mask is None else mask == 1
        np.testing.assert_allclose(y_hat[:, real], y_ref[:, real], rtol=1e-12, atol=1e-14)
    for t in (0, 3, 6):  # the lazily built step caches are the cell's caches
        for name in LSTMCellCache._fields:
            if name not in ("params", "y_hat_t", "output"):
                np.testing.assert_allclose(getattr(caches.cells[t], name),
                                           getattr(cell_caches[t], name), rtol=1e-12,
                                           atol=1e-14, err_msg=name)


def test_sequence_of_one_step_equals_cell(rng):
    x, a0, c0, params = problem(rng, 3, 4, 2, 5, 1)
    a, y_hat, c, caches = lstm_forward(x, a0, params, c0=c0)
    a1, c1, y1, cache = lstm_cell_forward(x[:, :, 0], a0, c0, params)
    np.testing.assert_allclose(a[:, :, 0], a1, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(c[:, :, 0], c1, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(y_hat[:, :, 0], y1, rtol=1e-14)
    da, dc = rng.standard_normal((4, 5, 1)), rng.standard_normal((4, 5, 1))
    seq = lstm_backward(da, caches, dc=dc)
    one = lstm_cell_backward(da[:, :, 0], dc[:, :, 0], cache)
    np.testing.assert_allclose(seq["dx"][:, :, 0], one["dx_t"], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(seq["da0"], one["da_prev"], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(seq["dc0"], one["dc_prev"], rtol=1e-13, atol=1e-15)
    for k in RECURRENT:
        np.testing.assert_allclose(seq["d" + k], one["d" + k], rtol=1e-13, atol=1e-15)


def test_open_forget_and_closed_update_gate_keep_the_memory(rng):
    """Gamma_f = 1 (bf = +50) and Gamma_u = 0 (bu = -50): c<t> = c0 at every step."""
    x, a0, c0, params = problem(rng, 3, 4, 2, 2, 6)
    params["bf"] = np.full((4, 1), 50.0)
    params["bu"] = np.full((4, 1), -50.0)
    a, _, c, caches = lstm_forward(x, a0, params, c0=c0)
    np.testing.assert_allclose(c, np.repeat(c0[:, :, None], 6, axis=2), rtol=1e-14, atol=1e-15)
    assert np.all(caches.cells[3].Gamma_u < 1e-15) and np.all(caches.cells[3].Gamma_f == 1.0)
    # the memory reaches a<t> only through the output gate
    np.testing.assert_allclose(a, np.stack([cc.Gamma_o for cc in caches.cells], axis=2)
                               * np.tanh(c0)[:, :, None], rtol=1e-13)
    # and a gradient on the last memory cell flows back to c0 unchanged
    dc = np.zeros((4, 2, 6))
    dc[:, :, -1] = rng.standard_normal((4, 2))
    grads = lstm_backward(np.zeros((4, 2, 6)), caches, dc=dc)
    np.testing.assert_allclose(grads["dc0"], dc[:, :, -1], rtol=1e-13)


def test_mask_carries_state_over_padding(rng):
    x, a0, c0, params = problem(rng, 3, 4, 2, 2, 5)

    def states(x, a0, c0, mask=None):
        a, _, c, _ = lstm_forward(x, a0, params, c0=c0, mask=mask)
        return a, c

    assert_mask_carries_state(states, x, a0, c0)   # for a and for c


# --- backward: gradient checks ----------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES)
def test_cell_backward_gradient_check(rng, shape):
    n_x, n_a, n_y, m, _ = shape
    _, a_prev, c_prev, params = problem(rng, *shape)
    x_t = rng.standard_normal((n_x, m))
    da_next, dc_next = rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m))
    _, _, _, cache = lstm_cell_forward(x_t, a_prev, c_prev, params, output=None)
    grads = lstm_cell_backward(da_next, dc_next, cache)
    assert set(grads) == {"dx_t", "da_prev", "dc_prev", *("d" + k for k in RECURRENT)}
    arrays = {"x_t": x_t, "a_prev": a_prev, "c_prev": c_prev, **{k: params[k] for k in RECURRENT}}

    def loss():
        a_next, c_next, _, _ = lstm_cell_forward(x_t, a_prev, c_prev, params, output=None)
        return float((a_next * da_next).sum() + (c_next * dc_next).sum())

    errors = gradient_check(loss, arrays, grads)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("masked", [False, True])
def test_sequence_backward_gradient_check(rng, shape, masked):
    n_x, n_a, n_y, m, T = shape
    x, a0, c0, params = problem(rng, *shape)
    mask = (rng.random((m, T)) < 0.7).astype(float) if masked else None
    da, dc = rng.standard_normal((n_a, m, T)), rng.standard_normal((n_a, m, T))
    _, _, _, caches = lstm_forward(x, a0, params, c0=c0, output=None, mask=mask)
    grads = lstm_backward(da, caches, dc=dc)
    assert set(grads) == GRAD_KEYS

    def loss():
        a, _, c, _ = lstm_forward(x, a0, params, c0=c0, output=None, mask=mask)
        return float((a * da).sum() + (c * dc).sum())

    arrays = {"x": x, "a0": a0, "c0": c0, **{k: params[k] for k in RECURRENT}}
    errors = gradient_check(loss, arrays, grads)
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("output,loss_fn", [("softmax", softmax_cross_entropy), ("sigmoid", bce_loss)])
@pytest.mark.parametrize("masked", [False, True])
def test_loss_to_every_parameter(rng, output, loss_fn, masked):
    n_x, n_a, n_y, m, T = 3, 4, 3, 2, 5
    x, a0, c0, params = problem(rng, n_x, n_a, n_y, m, T)
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=float) if masked else None
    if output == "softmax":
        y = rng.integers(0, n_y, size=(m, T))
    else:
        y = (rng.random((n_y, m, T)) < 0.5).astype(float)

    def loss():
        y_hat = lstm_forward(x, a0, params, c0=c0, output=output, mask=mask)[1]
        return loss_fn(y_hat, y, mask=mask)[0]

    _, y_hat, _, caches = lstm_forward(x, a0, params, c0=c0, output=output, mask=mask)
    _, dy_hat = loss_fn(y_hat, y, mask=mask)
    out = lstm_output_backward(dy_hat, caches)
    grads = {**lstm_backward(out["da"], caches), "dWy": out["dWy"], "dby": out["dby"]}
    errors = gradient_check(loss, {"a0": a0, "c0": c0, **params}, grads)
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("masked", [False, True])
def test_fast_backward_equals_cell_loop(rng, masked):
    x, a0, c0, params = problem(rng, 3, 5, 2, 4, 6)
    mask = (rng.random((4, 6)) < 0.6).astype(float) if masked else None
    da, dc = rng.standard_normal((5, 4, 6)), rng.standard_normal((5, 4, 6))
    _, y_hat, _, caches = lstm_forward(x, a0, params, c0=c0, mask=mask)
    cells, x_cached = caches
    for dc_arg in (None, dc):
        fast = lstm_backward(da, caches, dc=dc_arg)
        slow = lstm_backward(da, SequenceCache(list(cells), x_cached), mask=mask, dc=dc_arg)
        # and from caches built by the learner's way of doing it, one cell at a time
        learner = lstm_backward(da, (cell_loop(x, a0, c0, params, mask=mask)[3], x), mask=mask,
                                dc=dc_arg)
        assert fast.keys() == slow.keys() == learner.keys() == GRAD_KEYS
        for k in fast:
            np.testing.assert_allclose(fast[k], slow[k], rtol=1e-12, atol=1e-13)
            np.testing.assert_allclose(fast[k], learner[k], rtol=1e-12, atol=1e-13)
    dy = rng.standard_normal(y_hat.shape) * (1.0 if mask is None else mask[None])
    fast_out = lstm_output_backward(dy, caches)
    slow_out = lstm_output_backward(dy, SequenceCache(list(cells), x_cached))
    for k in fast_out:
        np.testing.assert_allclose(fast_out[k], slow_out[k], rtol=1e-12, atol=1e-14)


def test_backward_does_not_mutate_inputs(rng):
    x, a0, c0, params = problem(rng, 3, 4, 2, 3, 4)
    inputs = {"x": x, "a0": a0, "c0": c0, **params}
    before = copy_arrays(inputs)
    da, dc = rng.standard_normal((4, 3, 4)), rng.standard_normal((4, 3, 4))
    da_copy, dc_copy = da.copy(), dc.copy()
    _, _, _, caches = lstm_forward(x, a0, params, c0=c0, mask=np.ones((3, 4)))
    cached = copy_arrays(cache_arrays(caches, 2))
    first = lstm_backward(da, caches, dc=dc)
    lstm_cell_backward(da[:, :, 2], dc[:, :, 2], caches.cells[2])
    lstm_backward(da, (list(caches.cells), x), dc=dc)
    second = lstm_backward(da, caches, dc=dc)
    np.testing.assert_array_equal(da, da_copy)
    np.testing.assert_array_equal(dc, dc_copy)
    assert_same_arrays(inputs, before)
    assert_same_arrays(cache_arrays(caches, 2), cached)
    for k in first:  # a second backward on the same caches gives the same gradients
        np.testing.assert_array_equal(first[k], second[k])


# --- dtypes -----------------------------------------------------------------------------

def test_float32_end_to_end(rng):
    x, a0, c0, params = problem(rng, 3, 4, 2, 3, 5, dtype=np.float32)
    mask = np.ones((3, 5), dtype=np.float32)
    mask[0, 3:] = 0
    a, y_hat, c, caches = lstm_forward(x, a0, params, c0=c0, mask=mask)
    assert a.dtype == y_hat.dtype == c.dtype == np.float32
    y = rng.integers(0, 2, size=(3, 5))
    _, dy = softmax_cross_entropy(y_hat, y, mask=mask)
    assert dy.dtype == np.float32
    out = lstm_output_backward(dy, caches)
    grads = lstm_backward(out["da"], caches)
    for k, g in {**grads, **out}.items():
        assert g.dtype == np.float32, k
    params64 = {k: v.astype(np.float64) for k, v in params.items()}
    ref, _, _, caches64 = lstm_forward(x.astype(np.float64), a0.astype(np.float64), params64,
                                       c0=c0.astype(np.float64), mask=mask)
    np.testing.assert_allclose(a, ref, rtol=1e-4, atol=1e-5)
    ref_grads = lstm_backward(out["da"].astype(np.float64), caches64)
    for k in grads:
        np.testing.assert_allclose(grads[k], ref_grads[k], rtol=1e-3, atol=1e-5, err_msg=k)
    a1, c1, y1, cache = lstm_cell_forward(x[:, :, 0], a0, c0, params)
    assert a1.dtype == c1.dtype == y1.dtype == np.float32
    assert all(g.dtype == np.float32 for g in lstm_cell_backward(a1, c1, cache).values())
    assert init_lstm_params(3, 4, 2, rng=0, dtype=np.float32)["bf"].dtype == np.float32


def test_init_is_reproducible_scaled_and_remembers():
    p1 = init_lstm_params(30, 40, 5, rng=7)
    p2 = init_lstm_params(30, 40, 5, rng=np.random.default_rng(7))
    assert p1.keys() == p2.keys() == {*RECURRENT, "Wy", "by"}
    for k in p1:
        np.testing.assert_array_equal(p1[k], p2[k])
    assert p1["Wo"].shape == (40, 70) and p1["bo"].shape == (40, 1) and p1["Wy"].shape == (5, 40)
    assert 0.8 < p1["Wc"].std() * np.sqrt(70) < 1.2
    np.testing.assert_array_equal(p1["bf"], 1.0)   # forget gate starts mostly open
    assert not np.any(p1["bu"]) and not np.any(p1["bo"]) and not np.any(p1["bc"])
    np.testing.assert_array_equal(init_lstm_params(3, 4, None, rng=0, forget_bias=0.0)["bf"], 0.0)
    assert "Wy" not in init_lstm_params(3, 4, None, rng=0)


# --- bad input --------------------------------------------------------------------------

def _bad_cases(rng):
    x, a0, c0, params = problem(rng, 3, 5, 2, 10, 4)
    x_t = x[:, :, 0]
    nan_x = x.copy()
    nan_x[1, 2, 3] = np.nan
    no_wo = {k: v for k, v in params.items() if k != "Wo"}
    _, _, _, caches = lstm_forward(x, a0, params)
    cell_cache = lstm_cell_forward(x_t, a0, c0, params)[3]
    return [
        # (callable, exception, fragments the message must contain)
        (lambda: lstm_cell_forward(x_t, np.zeros((5, 9)), c0, params), ValueError,
         ["lstm_cell_forward", "a_prev", "(n_a, m)", "(5, 10)", "(5, 9)"]),
        (lambda: lstm_cell_forward(x_t, a0, np.zeros((4, 10)), params), ValueError,
         ["lstm_cell_forward", "c_prev", "(n_a, m)", "(5, 10)", "(4, 10)", "set by a_prev"]),
        (lambda: lstm_cell_forward(x_t.tolist(), a0, c0, params), TypeError,
         ["lstm_cell_forward", "x_t", "numpy.ndarray", "list"]),
        (lambda: lstm_cell_forward(x_t, a0, c0, {**params, "Wf": params["Wf"][:, :7]}), ValueError,
         ["lstm_cell_forward", "params['Wf']", "(n_a, n_a + n_x)", "(5, 8)", "(5, 7)",
          "a_prev and x_t"]),
        (lambda: lstm_forward(x, a0, no_wo), ValueError, ["lstm_forward", "params", "'Wo'"]),
        (lambda: lstm_forward(x, a0, {**params, "Wu": params["Wu"].T}), ValueError,
         ["lstm_forward", "params['Wu']", "(n_a, n_a + n_x)", "(5, 8)", "(8, 5)"]),
        (lambda: lstm_forward(x, a0, {**params, "bf": params["bf"].ravel()}), ValueError,
         ["params['bf']", "(n_a, 1)", "(5,)"]),
        (lambda: lstm_forward(x, a0, params, c0=np.zeros((5, 3))), ValueError,
         ["lstm_forward", "c0", "(n_a, m)", "(5, 10)", "(5, 3)"]),
        (lambda: lstm_forward(x[:, :, :0], a0, params), ValueError, ["lstm_forward", "T_x = 0"]),
        (lambda: lstm_forward(nan_x, a0, params), ValueError, ["lstm_forward", "x", "finite", "nan"]),
        (lambda: lstm_forward(x, a0, {**params, "bo": params["bo"] * np.nan}), ValueError,
         ["params['bo']", "finite"]),
        (lambda: lstm_forward(x[:, :, 0], a0, params), ValueError,
         ["lstm_forward", "x", "3-D", "(n_x, m, T_x)"]),
        (lambda: lstm_forward(x, a0, params, output="tanh"), ValueError, ["output", "'tanh'"]),
        (lambda: lstm_forward(x, a0, params, mask=np.ones((10, 3))), ValueError,
         ["mask", "(m, T_x)", "(10, 4)"]),
        (lambda: lstm_forward(x, a0, ["params"]), TypeError, ["lstm_forward", "params", "dict"]),
        (lambda: lstm_cell_backward(np.zeros((5, 3)), np.zeros((5, 10)), cell_cache), ValueError,
         ["lstm_cell_backward", "da_next", "(5, 10)", "(5, 3)"]),
        (lambda: lstm_cell_backward(np.zeros((5, 10)), np.zeros((3, 10)), cell_cache), ValueError,
         ["lstm_cell_backward", "dc_next", "(5, 10)", "(3, 10)"]),
        (lambda: lstm_cell_backward(np.zeros((5, 10)), np.zeros((5, 10)), (1, 2)), TypeError,
         ["lstm_cell_backward", "cache"]),
        (lambda: lstm_backward(np.zeros((5, 10, 3)), caches), ValueError,
         ["lstm_backward", "da", "(n_a, m, T_x)", "(5, 10, 4)"]),
        (lambda: lstm_backward(np.zeros((5, 10, 4)), caches, dc=np.zeros((5, 10))), ValueError,
         ["lstm_backward", "dc", "(n_a, m, T_x)", "3-D"]),
        (lambda: lstm_backward(np.full((5, 10, 4), np.inf), caches), ValueError,
         ["lstm_backward", "da", "finite"]),
        (lambda: lstm_output_backward(np.zeros((2, 10, 4)), lstm_forward(x, a0, params, output=None)[3]),
         ValueError, ["lstm_output_backward", "output=None"]),
        (lambda: init_lstm_params(3, 4, 2, rng=np.random.RandomState(0)), TypeError,
         ["init_lstm_params", "rng", "Generator", "RandomState"]),
    ]


N_BAD = 23


@pytest.mark.parametrize("case", range(N_BAD))
def test_bad_input_is_named(rng, case):
    assert_raises_named(*_bad_cases(rng)[case])


def test_bad_case_list_is_fully_parametrized(rng):
    assert len(_bad_cases(rng)) == N_BAD
