"""The GRU: shape contracts, gradient checks, equivalences, dtypes, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.activations import sigmoid
from rnncourse.caches import SequenceCache
from rnncourse.gradcheck import gradient_check
from rnncourse.gru import (GRUCellCache, gru_backward, gru_cell_backward, gru_cell_forward,
                           gru_forward, gru_output_backward, init_gru_params)
from rnncourse.losses import bce_loss, softmax_cross_entropy

from .helpers import (SHAPES, assert_mask_carries_state, assert_raises_named, assert_same_arrays,
                      cache_arrays, copy_arrays, random_problem)

RECURRENT = ("Wc", "Wu", "Wr", "bc", "bu", "br")
GRAD_KEYS = {"dx", "da0", "dWc", "dWu", "dWr", "dbc", "dbu", "dbr"}


def problem(rng, n_x, n_a, n_y, m, T, dtype=np.float64):
    """``x, a0, params`` of a random GRU problem."""
    return random_problem(rng, init_gru_params, n_x, n_a, n_y, m, T, dtype)


def cell_loop(x, a0, params, output="softmax", mask=None):
    """The sequence computed the slow way: one gru_cell_forward per step."""
    c, cs, ys, caches = a0, [], [], []
    for t in range(x.shape[2]):
        c_next, y_t, cache = gru_cell_forward(x[:, :, t], c, params, output=output)
        c = c_next if mask is None else np.where(mask[:, t] == 1, c_next, c)
        cs.append(c)
        ys.append(y_t)
        caches.append(cache)
    return np.stack(cs, axis=2), (None if output is None else np.stack(ys, axis=2)), caches


# --- forward ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES)
def test_forward_shapes(rng, shape):
    n_x, n_a, n_y, m, T = shape
    x, a0, params = problem(rng, *shape)
    a, y_hat, caches = gru_forward(x, a0, params)
    assert a.shape == (n_a, m, T) and y_hat.shape == (n_y, m, T)
    cells, x_cached = caches
    assert len(cells) == T and x_cached is x
    cache = cells[-1]
    assert isinstance(cache, GRUCellCache) and cache.c_next.shape == (n_a, m)
    assert cache._fields[:7] == ("c_next", "c_prev", "x_t", "params", "c_tilde", "Gamma_u",
                                 "Gamma_r")
    np.testing.assert_allclose(y_hat.sum(axis=0), 1.0)


def test_cell_follows_the_syllabus_equations(rng):
    """Each cached value is the syllabus's formula, written out independently here."""
    x, c_prev, params = problem(rng, 3, 4, 2, 5, 1)
    x_t = x[:, :, 0]
    c_next, _, cache = gru_cell_forward(x_t, c_prev, params)
    p = params
    Gamma_r = sigmoid(p["Wr"][:, :4] @ c_prev + p["Wr"][:, 4:] @ x_t + p["br"])
    Gamma_u = sigmoid(p["Wu"][:, :4] @ c_prev + p["Wu"][:, 4:] @ x_t + p["bu"])
    c_tilde = np.tanh(p["Wc"][:, :4] @ (Gamma_r * c_prev) + p["Wc"][:, 4:] @ x_t + p["bc"])
    np.testing.assert_allclose(cache.Gamma_r, Gamma_r, rtol=1e-13)
    np.testing.assert_allclose(cache.Gamma_u, Gamma_u, rtol=1e-13)
    np.testing.assert_allclose(cache.c_tilde, c_tilde, rtol=1e-13)
    np.testing.assert_allclose(c_next, Gamma_u * c_tilde + (1 - Gamma_u) * c_prev, rtol=1e-13)


@pytest.mark.parametrize("output", ["softmax", "sigmoid", None])
@pytest.mark.parametrize("masked", [False, True])
def test_forward_equals_repeated_cell(rng, output, masked):
    x, a0, params = problem(rng, 3, 5, 2, 4, 7)
    mask = (rng.random((4, 7)) < 0.6).astype(float) if masked else None
    a, y_hat, caches = gru_forward(x, a0, params, output=output, mask=mask)
    a_ref, y_ref, cell_caches = cell_loop(x, a0, params, output, mask)
    np.testing.assert_allclose(a, a_ref, rtol=1e-12, atol=1e-14)
    if output is None:
        assert y_hat is None
    else:  # predictions at padded steps are free to differ: the loss ignores them
        real = np.ones((4, 7), bool) if mask is None else mask == 1
        np.testing.assert_allclose(y_hat[:, real], y_ref[:, real], rtol=1e-12, atol=1e-14)
    for t in (0, 3, 6):  # the lazily built step caches are the cell's caches
        for name in ("c_next", "c_prev", "x_t", "c_tilde", "Gamma_u", "Gamma_r"):
            np.testing.assert_allclose(getattr(caches.cells[t], name),
                                       getattr(cell_caches[t], name), rtol=1e-12, atol=1e-14)


def test_sequence_of_one_step_equals_cell(rng):
    x, a0, params = problem(rng, 3, 4, 2, 5, 1)
    a, y_hat, caches = gru_forward(x, a0, params)
    c1, y1, cache = gru_cell_forward(x[:, :, 0], a0, params)
    np.testing.assert_allclose(a[:, :, 0], c1, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(y_hat[:, :, 0], y1, rtol=1e-14)
    da = rng.standard_normal((4, 5, 1))
    seq = gru_backward(da, caches)
    one = gru_cell_backward(da[:, :, 0], cache)
    np.testing.assert_allclose(seq["dx"][:, :, 0], one["dx_t"], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(seq["da0"], one["dc_prev"], rtol=1e-13, atol=1e-15)
    for k in RECURRENT:
        np.testing.assert_allclose(seq["d" + k], one["d" + k], rtol=1e-13, atol=1e-15)


def test_closed_update_gate_keeps_the_memory(rng):
    """Gamma_u = 0 (bu = -50): c<t> = c<t-1> whatever the input, so a<t> = a0 for all t."""
    x, a0, params = problem(rng, 3, 4, 2, 2, 6)
    params["bu"] = np.full((4, 1), -50.0)
    a, _, caches = gru_forward(x, a0, params)
    np.testing.assert_allclose(a, np.repeat(a0[:, :, None], 6, axis=2), rtol=0, atol=1e-15)
    assert np.all(caches.cells[3].Gamma_u < 1e-15)
    # and the gradient flows back to a0 unchanged
    da = np.zeros((4, 2, 6))
    da[:, :, -1] = rng.standard_normal((4, 2))
    np.testing.assert_allclose(gru_backward(da, caches)["da0"], da[:, :, -1], rtol=1e-12)


def test_open_update_gate_forgets_the_past(rng):
    """Gamma_u = 1 (bu = +50): c<t> = c_tilde, so the new state ignores (1 - Gamma_u) c<t-1>."""
    x, a0, params = problem(rng, 3, 4, 2, 2, 3)
    params["bu"] = np.full((4, 1), 50.0)
    _, _, caches = gru_forward(x, a0, params)
    for cache in caches.cells:
        np.testing.assert_allclose(cache.c_next, cache.c_tilde, rtol=1e-15)


def test_mask_carries_state_over_padding(rng):
    x, a0, params = problem(rng, 3, 4, 2, 2, 5)
    assert_mask_carries_state(lambda x, a0, mask=None: [gru_forward(x, a0, params, mask=mask)[0]], x, a0)


# --- backward: gradient checks ----------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES)
def test_cell_backward_gradient_check(rng, shape):
    n_x, n_a, n_y, m, _ = shape
    _, c_prev, params = problem(rng, *shape)
    x_t = rng.standard_normal((n_x, m))
    dc_next = rng.standard_normal((n_a, m))
    _, _, cache = gru_cell_forward(x_t, c_prev, params, output=None)
    grads = gru_cell_backward(dc_next, cache)
    assert set(grads) == {"dx_t", "dc_prev", *("d" + k for k in RECURRENT)}
    arrays = {"x_t": x_t, "c_prev": c_prev, **{k: params[k] for k in RECURRENT}}

    def loss():
        return float((gru_cell_forward(x_t, c_prev, params, output=None)[0] * dc_next).sum())

    errors = gradient_check(loss, arrays, grads)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("masked", [False, True])
def test_sequence_backward_gradient_check(rng, shape, masked):
    n_x, n_a, n_y, m, T = shape
    x, a0, params = problem(rng, *shape)
    mask = (rng.random((m, T)) < 0.7).astype(float) if masked else None
    da = rng.standard_normal((n_a, m, T))
    _, _, caches = gru_forward(x, a0, params, output=None, mask=mask)
    grads = gru_backward(da, caches)
    assert set(grads) == GRAD_KEYS

    def loss():
        return float((gru_forward(x, a0, params, output=None, mask=mask)[0] * da).sum())

    arrays = {"x": x, "a0": a0, **{k: params[k] for k in RECURRENT}}
    errors = gradient_check(loss, arrays, grads)
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("output,loss_fn", [("softmax", softmax_cross_entropy), ("sigmoid", bce_loss)])
@pytest.mark.parametrize("masked", [False, True])
def test_loss_to_every_parameter(rng, output, loss_fn, masked):
    n_x, n_a, n_y, m, T = 3, 4, 3, 2, 5
    x, a0, params = problem(rng, n_x, n_a, n_y, m, T)
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=float) if masked else None
    if output == "softmax":
        y = rng.integers(0, n_y, size=(m, T))
    else:
        y = (rng.random((n_y, m, T)) < 0.5).astype(float)

    def loss():
        return loss_fn(gru_forward(x, a0, params, output=output, mask=mask)[1], y, mask=mask)[0]

    _, y_hat, caches = gru_forward(x, a0, params, output=output, mask=mask)
    _, dy_hat = loss_fn(y_hat, y, mask=mask)
    out = gru_output_backward(dy_hat, caches)
    grads = {**gru_backward(out["da"], caches), "dWy": out["dWy"], "dby": out["dby"]}
    errors = gradient_check(loss, {"a0": a0, **params}, grads)
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("masked", [False, True])
def test_fast_backward_equals_cell_loop(rng, masked):
    x, a0, params = problem(rng, 3, 5, 2, 4, 6)
    mask = (rng.random((4, 6)) < 0.6).astype(float) if masked else None
    da = rng.standard_normal((5, 4, 6))
    _, y_hat, caches = gru_forward(x, a0, params, mask=mask)
    fast = gru_backward(da, caches)
    cells, x_cached = caches
    slow = gru_backward(da, SequenceCache(list(cells), x_cached), mask=mask)
    # and from caches built by the learner's way of doing it, one cell at a time
    learner = gru_backward(da, (cell_loop(x, a0, params, mask=mask)[2], x), mask=mask)
    assert fast.keys() == slow.keys() == learner.keys() == GRAD_KEYS
    for k in fast:
        np.testing.assert_allclose(fast[k], slow[k], rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(fast[k], learner[k], rtol=1e-12, atol=1e-13)
    dy = rng.standard_normal(y_hat.shape) * (1.0 if mask is None else mask[None])
    fast_out = gru_output_backward(dy, caches)
    slow_out = gru_output_backward(dy, SequenceCache(list(cells), x_cached))
    for k in fast_out:
        np.testing.assert_allclose(fast_out[k], slow_out[k], rtol=1e-12, atol=1e-14)


def test_backward_does_not_mutate_inputs(rng):
    x, a0, params = problem(rng, 3, 4, 2, 3, 4)
    inputs = {"x": x, "a0": a0, **params}
    before = copy_arrays(inputs)
    da = rng.standard_normal((4, 3, 4))
    da_copy = da.copy()
    _, _, caches = gru_forward(x, a0, params, mask=np.ones((3, 4)))
    cached = copy_arrays(cache_arrays(caches, 2))
    first = gru_backward(da, caches)
    gru_cell_backward(da[:, :, 2], caches.cells[2])
    gru_backward(da, (list(caches.cells), x))
    second = gru_backward(da, caches)
    np.testing.assert_array_equal(da, da_copy)
    assert_same_arrays(inputs, before)
    assert_same_arrays(cache_arrays(caches, 2), cached)
    for k in first:  # a second backward on the same caches gives the same gradients
        np.testing.assert_array_equal(first[k], second[k])


# --- dtypes -----------------------------------------------------------------------------

def test_float32_end_to_end(rng):
    x, a0, params = problem(rng, 3, 4, 2, 3, 5, dtype=np.float32)
    mask = np.ones((3, 5), dtype=np.float32)
    mask[0, 3:] = 0
    a, y_hat, caches = gru_forward(x, a0, params, mask=mask)
    assert a.dtype == y_hat.dtype == np.float32
    y = rng.integers(0, 2, size=(3, 5))
    _, dy = softmax_cross_entropy(y_hat, y, mask=mask)
    assert dy.dtype == np.float32
    out = gru_output_backward(dy, caches)
    grads = gru_backward(out["da"], caches)
    for k, g in {**grads, **out}.items():
        assert g.dtype == np.float32, k
    params64 = {k: v.astype(np.float64) for k, v in params.items()}
    ref, _, caches64 = gru_forward(x.astype(np.float64), a0.astype(np.float64), params64,
                                   mask=mask)
    np.testing.assert_allclose(a, ref, rtol=1e-4, atol=1e-5)
    ref_grads = gru_backward(out["da"].astype(np.float64), caches64)
    for k in grads:
        np.testing.assert_allclose(grads[k], ref_grads[k], rtol=1e-3, atol=1e-5, err_msg=k)
    c1, y1, cache = gru_cell_forward(x[:, :, 0], a0, params)
    assert c1.dtype == y1.dtype == np.float32
    assert all(g.dtype == np.float32 for g in gru_cell_backward(c1, cache).values())
    assert init_gru_params(3, 4, 2, rng=0, dtype=np.float32)["Wy"].dtype == np.float32


def test_init_is_reproducible_and_scaled():
    p1 = init_gru_params(30, 40, 5, rng=7)
    p2 = init_gru_params(30, 40, 5, rng=np.random.default_rng(7))
    assert p1.keys() == p2.keys() == {*RECURRENT, "Wy", "by"}
    for k in p1:
        np.testing.assert_array_equal(p1[k], p2[k])
    assert p1["Wc"].shape == (40, 70) and p1["bu"].shape == (40, 1) and p1["Wy"].shape == (5, 40)
    assert 0.8 < p1["Wu"].std() * np.sqrt(70) < 1.2
    assert not np.any(p1["bc"]) and "Wy" not in init_gru_params(3, 4, None, rng=0)


# --- bad input --------------------------------------------------------------------------

def _bad_cases(rng):
    x, a0, params = problem(rng, 3, 5, 2, 10, 4)
    x_t = x[:, :, 0]
    nan_x = x.copy()
    nan_x[1, 2, 3] = np.nan
    no_wr = {k: v for k, v in params.items() if k != "Wr"}
    _, _, caches = gru_forward(x, a0, params)
    return [
        # (callable, exception, fragments the message must contain)
        (lambda: gru_cell_forward(x_t, np.zeros((5, 9)), params), ValueError,
         ["gru_cell_forward", "c_prev", "(n_a, m)", "(5, 10)", "(5, 9)"]),
        (lambda: gru_cell_forward(x_t.tolist(), a0, params), TypeError,
         ["gru_cell_forward", "x_t", "numpy.ndarray", "list"]),
        (lambda: gru_cell_forward(x_t, a0, {**params, "Wc": params["Wc"][:, :7]}), ValueError,
         ["gru_cell_forward", "params['Wc']", "(n_a, n_a + n_x)", "(5, 8)", "(5, 7)",
          "c_prev and x_t"]),
        (lambda: gru_forward(x, a0, no_wr), ValueError, ["gru_forward", "params", "'Wr'"]),
        (lambda: gru_forward(x, a0, {**params, "Wu": params["Wu"].T}), ValueError,
         ["gru_forward", "params['Wu']", "(n_a, n_a + n_x)", "(5, 8)", "(8, 5)"]),
        (lambda: gru_forward(x, a0, {**params, "br": params["br"].ravel()}), ValueError,
         ["params['br']", "(n_a, 1)", "(5,)"]),
        (lambda: gru_forward(x, a0, {k: v for k, v in params.items() if k != "Wy"}), ValueError,
         ["gru_forward", "'Wy'"]),
        (lambda: gru_forward(x[:, :, :0], a0, params), ValueError, ["gru_forward", "T_x = 0"]),
        (lambda: gru_forward(nan_x, a0, params), ValueError, ["gru_forward", "x", "finite", "nan"]),
        (lambda: gru_forward(x, a0, {**params, "Wc": params["Wc"] * np.inf}), ValueError,
         ["params['Wc']", "finite"]),
        (lambda: gru_forward(x[:, :, 0], a0, params), ValueError,
         ["gru_forward", "x", "3-D", "(n_x, m, T_x)"]),
        (lambda: gru_forward(x, a0, params, output="relu"), ValueError, ["output", "'relu'"]),
        (lambda: gru_forward(x, a0, params, mask=np.ones((10, 3))), ValueError,
         ["mask", "(m, T_x)", "(10, 4)"]),
        (lambda: gru_forward(x, a0, "params"), TypeError, ["gru_forward", "params", "dict"]),
        (lambda: gru_cell_backward(np.zeros((5, 3)), gru_cell_forward(x_t, a0, params)[2]),
         ValueError, ["gru_cell_backward", "dc_next", "(5, 10)", "(5, 3)"]),
        (lambda: gru_cell_backward(np.zeros((5, 10)), "cache"), TypeError,
         ["gru_cell_backward", "cache"]),
        (lambda: gru_backward(np.zeros((5, 10, 3)), caches), ValueError,
         ["gru_backward", "da", "(n_a, m, T_x)", "(5, 10, 4)"]),
        (lambda: gru_backward(np.zeros((5, 10, 4)), [caches]), TypeError,
         ["gru_backward", "caches"]),
        (lambda: gru_output_backward(np.zeros((2, 10, 4)), gru_forward(x, a0, params, output=None)[2]),
         ValueError, ["gru_output_backward", "output=None"]),
        (lambda: init_gru_params(3, 4, 2, rng=None), TypeError, ["init_gru_params", "rng", "Generator"]),
    ]


N_BAD = 20


@pytest.mark.parametrize("case", range(N_BAD))
def test_bad_input_is_named(rng, case):
    assert_raises_named(*_bad_cases(rng)[case])


def test_bad_case_list_is_fully_parametrized(rng):
    assert len(_bad_cases(rng)) == N_BAD
