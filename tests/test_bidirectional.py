"""Bidirectional RNN: equivalences with the plain cell, gradient checks, masks, dtypes, errors.

Every test runs for every cell of CELLS, so cells registered later are covered too.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.activations import sigmoid, softmax
from rnncourse.bidirectional import BRNNCache, brnn_backward, brnn_forward, init_brnn_params
from rnncourse.cells import CELLS
from rnncourse.deep import flatten_grads, flatten_params
from rnncourse.gradcheck import gradient_check
from rnncourse.losses import softmax_cross_entropy

ALL_CELLS = sorted(CELLS)


def problem(rng, cell, n_x=3, n_a=4, n_y=2, m=3, T=5, dtype=np.float64, output=True):
    params = init_brnn_params(n_x, n_a, n_y if output else None, cell=cell, rng=rng, dtype=dtype)
    for arr in flatten_params(params).values():   # non-zero biases: every term is exercised
        arr += (0.3 * rng.standard_normal(arr.shape)).astype(dtype)
    x = rng.standard_normal((n_x, m, T)).astype(dtype)
    a0_f = (0.5 * rng.standard_normal((n_a, m))).astype(dtype)
    a0_b = (0.5 * rng.standard_normal((n_a, m))).astype(dtype)
    return x, a0_f, a0_b, params


# --- forward -----------------------------------------------------------------------------

@pytest.mark.parametrize("cell", ALL_CELLS)
def test_shapes_and_output(rng, cell):
    x, a0_f, a0_b, params = problem(rng, cell)
    a, y_hat, caches = brnn_forward(x, a0_f, a0_b, params, cell=cell)
    assert a.shape == (8, 3, 5) and y_hat.shape == (2, 3, 5) and isinstance(caches, BRNNCache)
    z = np.einsum("ya,amt->ymt", params["Wy"], a) + params["by"][:, :, None]
    np.testing.assert_allclose(y_hat, softmax(z), rtol=1e-12)
    _, y_sig, _ = brnn_forward(x, a0_f, a0_b, params, cell=cell, output="sigmoid")
    np.testing.assert_allclose(y_sig, sigmoid(z), rtol=1e-12)
    a_none, y_none, _ = brnn_forward(x, a0_f, a0_b, {"fwd": params["fwd"], "bwd": params["bwd"]},
                                     cell=cell, output=None)
    assert y_none is None
    np.testing.assert_array_equal(a_none, a)


@pytest.mark.parametrize("cell", ALL_CELLS)
def test_halves_equal_plain_cell_forward(rng, cell):
    """a[:n_a] is the cell run left to right; a[n_a:] is the cell run on reversed time."""
    x, a0_f, a0_b, params = problem(rng, cell)
    a, _, _ = brnn_forward(x, a0_f, a0_b, params, cell=cell)
    a_f, _ = CELLS[cell].forward(x, a0_f, params["fwd"])
    a_r, _ = CELLS[cell].forward(np.ascontiguousarray(x[:, :, ::-1]), a0_b, params["bwd"])
    np.testing.assert_allclose(a[:4], a_f, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(a[4:], a_r[:, :, ::-1], rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("cell", ALL_CELLS)
def test_backward_state_sees_the_future(rng, cell):
    """Changing the last input changes a_bwd at step 1 but not a_fwd before the last step."""
    x, a0_f, a0_b, params = problem(rng, cell)
    a, _, _ = brnn_forward(x, a0_f, a0_b, params, cell=cell)
    x2 = x.copy()
    x2[:, :, -1] += 1.0
    a2, _, _ = brnn_forward(x2, a0_f, a0_b, params, cell=cell)
    np.testing.assert_array_equal(a2[:4, :, :-1], a[:4, :, :-1])
    assert np.abs(a2[4:, :, 0] - a[4:, :, 0]).max() > 1e-6


# --- gradients -----------------------------------------------------------------------------

def check_gradients(rng, cell, mask=None, output="softmax", **shape):
    x, a0_f, a0_b, params = problem(rng, cell, output=output is not None, **shape)
    n_y = shape.get("n_y", 2)
    m, T = x.shape[1:]
    labels = rng.integers(0, n_y, size=(m, T))
    w_a = rng.standard_normal((2 * shape.get("n_a", 4), m, T))   # a linear loss on a as well

    def loss_and_grads():
        a, y_hat, caches = brnn_forward(x, a0_f, a0_b, params, cell=cell, output=output, mask=mask)
        J = float(np.sum(w_a * a))
        if output is None:
            return J, brnn_backward(None, caches, da=w_a)
        L, dy = softmax_cross_entropy(y_hat, labels, mask)
        return J + L, brnn_backward(dy, caches, da=w_a)

    _, grads = loss_and_grads()
    arrays = {**flatten_params(params), "x": x, "a0_fwd": a0_f, "a0_bwd": a0_b}
    analytic = {**flatten_grads(grads, params), "dx": grads["dx"],
                "da0_fwd": grads["da0_fwd"], "da0_bwd": grads["da0_bwd"]}
    errors = gradient_check(lambda: loss_and_grads()[0], arrays, analytic)
    worst = max(errors, key=errors.get)
    assert errors[worst] < 1e-6, (worst, errors[worst])
    return grads


@pytest.mark.parametrize("cell", ALL_CELLS)
@pytest.mark.parametrize("shape", [dict(), dict(m=1, T=4), dict(T=1), dict(n_x=2, n_a=3, n_y=3, m=2, T=3)])
def test_gradient_check(rng, cell, shape):
    grads = check_gradients(rng, cell, **shape)
    assert set(grads) == {"fwd", "bwd", "dWy", "dby", "dx", "da0_fwd", "da0_bwd"}


@pytest.mark.parametrize("cell", ALL_CELLS)
def test_gradient_check_masked(rng, cell):
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]], dtype=float)
    grads = check_gradients(rng, cell, mask=mask)
    # an input at a padded step has no effect, so its gradient is exactly zero
    assert np.all(grads["dx"][:, 1, 3:] == 0) and np.all(grads["dx"][:, 2, 1:] == 0)


@pytest.mark.parametrize("cell", ALL_CELLS)
def test_gradient_check_without_output_layer(rng, cell):
    grads = check_gradients(rng, cell, output=None)
    assert "dWy" not in grads


# --- masks ---------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", ALL_CELLS)
def test_padding_equals_unpadded_sequences(rng, cell):
    """A padded batch gives, on the real steps, exactly what each sequence gives alone."""
    x, a0_f, a0_b, params = problem(rng, cell, m=3, T=6)
    lengths = [6, 4, 1]
    mask = (np.arange(6)[None, :] < np.array(lengths)[:, None]).astype(float)
    x_junk = x.copy()
    x_junk[:, mask == 0] = 7.0                    # whatever sits on padding must not matter
    a, y_hat, _ = brnn_forward(x_junk, a0_f, a0_b, params, cell=cell, mask=mask)
    for i, n in enumerate(lengths):
        sl = slice(i, i + 1)
        a_i, y_i, _ = brnn_forward(x[:, sl, :n], a0_f[:, sl], a0_b[:, sl], params, cell=cell)
        np.testing.assert_allclose(a[:, sl, :n], a_i, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(y_hat[:, sl, :n], y_i, rtol=1e-12, atol=1e-14)
        # on padding the right-to-left state has not started yet: still a0_bwd
        np.testing.assert_allclose(a[4:, i, n:], np.repeat(a0_b[:, i:i + 1], 6 - n, axis=1),
                                   rtol=1e-14, atol=0)


# --- dtypes, purity --------------------------------------------------------------------------

@pytest.mark.parametrize("cell", ALL_CELLS)
def test_float32_end_to_end(rng, cell):
    x, a0_f, a0_b, params = problem(rng, cell, dtype=np.float32)
    a, y_hat, caches = brnn_forward(x, a0_f, a0_b, params, cell=cell)
    assert a.dtype == np.float32 and y_hat.dtype == np.float32
    _, dy = softmax_cross_entropy(y_hat, rng.integers(0, 2, size=(3, 5)))
    grads = brnn_backward(dy, caches)
    for name, g in {**flatten_grads(grads, params), "dx": grads["dx"],
                    "da0_fwd": grads["da0_fwd"], "da0_bwd": grads["da0_bwd"]}.items():
        assert g.dtype == np.float32, name
    # and agrees with float64 to float32 precision
    params64 = {k: (v.astype(np.float64) if isinstance(v, np.ndarray) else
                    {kk: vv.astype(np.float64) for kk, vv in v.items()}) for k, v in params.items()}
    a64, _, _ = brnn_forward(x.astype(np.float64), a0_f.astype(np.float64),
                             a0_b.astype(np.float64), params64, cell=cell)
    np.testing.assert_allclose(a, a64, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("cell", ALL_CELLS)
def test_backward_does_not_mutate(rng, cell):
    x, a0_f, a0_b, params = problem(rng, cell)
    before = {k: v.copy() for k, v in flatten_params(params).items()}
    x0 = x.copy()
    _, y_hat, caches = brnn_forward(x, a0_f, a0_b, params, cell=cell)
    dy = rng.standard_normal(y_hat.shape)
    dy0 = dy.copy()
    brnn_backward(dy, caches)
    brnn_backward(dy, caches)  # a second backward from the same cache gives the same result
    np.testing.assert_array_equal(dy, dy0)
    np.testing.assert_array_equal(x, x0)
    for k, v in flatten_params(params).items():
        np.testing.assert_array_equal(v, before[k])


def test_init_shapes_and_determinism():
    p = init_brnn_params(3, 4, 2, cell="rnn", rng=0)
    q = init_brnn_params(3, 4, 2, cell="rnn", rng=np.random.default_rng(0))
    assert p["Wy"].shape == (2, 8) and p["by"].shape == (2, 1)
    assert set(p["fwd"]) == set(CELLS["rnn"].param_names)
    for k, v in flatten_params(p).items():
        np.testing.assert_array_equal(v, flatten_params(q)[k])
    assert not np.array_equal(p["fwd"]["Wax"], p["bwd"]["Wax"])     # independent directions
    assert "Wy" not in init_brnn_params(3, 4, None, rng=0)
    assert init_brnn_params(3, 4, 2, rng=0, dtype=np.float32)["Wy"].dtype == np.float32


# --- bad input ---------------------------------------------------------------------------------

def test_bad_inputs(rng):
    x, a0_f, a0_b, params = problem(rng, "rnn")
    with pytest.raises(ValueError, match="brnn_forward: cell must be one of 'rnn'.*got 'elman'"):
        brnn_forward(x, a0_f, a0_b, params, cell="elman")
    with pytest.raises(ValueError, match=r"brnn_forward: a0_bwd must have shape \(n_a, m\) = \(4, 3\), got \(5, 3\)"):
        brnn_forward(x, a0_f, np.zeros((5, 3)), params)
    with pytest.raises(ValueError, match="brnn_forward: params is missing 'bwd'"):
        brnn_forward(x, a0_f, a0_b, {"fwd": params["fwd"], "Wy": params["Wy"], "by": params["by"]})
    with pytest.raises(ValueError, match=r"brnn_forward: params\['Wy'\] must have shape \(n_y, 2 n_a\) = \(2, 8\), got \(2, 4\)"):
        brnn_forward(x, a0_f, a0_b, {**params, "Wy": params["Wy"][:, :4]})
    bad = {**params, "bwd": {**params["bwd"], "Wax": np.zeros((4, 2))}}
    with pytest.raises(ValueError, match=r"brnn_forward, direction 'bwd': .*Wax'\] must have shape"):
        brnn_forward(x, a0_f, a0_b, bad)
    with pytest.raises(ValueError, match=r"brnn_forward: mask must have shape \(m, T_x\) = \(3, 5\)"):
        brnn_forward(x, a0_f, a0_b, params, mask=np.ones((3, 4)))
    with pytest.raises(TypeError, match="brnn_forward: x must be a numpy.ndarray, got list"):
        brnn_forward(x.tolist(), a0_f, a0_b, params)
    x_nan = x.copy()
    x_nan[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="brnn_forward: x must be finite"):
        brnn_forward(x_nan, a0_f, a0_b, params)


def test_bad_backward_inputs(rng):
    x, a0_f, a0_b, params = problem(rng, "rnn")
    _, y_hat, caches = brnn_forward(x, a0_f, a0_b, params)
    with pytest.raises(TypeError, match="brnn_backward: caches must be the BRNNCache"):
        brnn_backward(y_hat, (caches.fwd, caches.x))
    with pytest.raises(ValueError, match="brnn_backward: give dy_hat, da or both"):
        brnn_backward(None, caches)
    with pytest.raises(ValueError, match=r"brnn_backward: dy_hat must have shape \(2, m, T_x\) = \(2, 3, 5\), got \(2, 3, 4\)"):
        brnn_backward(y_hat[:, :, :4], caches)
    with pytest.raises(ValueError, match=r"brnn_backward: da must have shape \(2 n_a, m, T_x\) = \(8, 3, 5\)"):
        brnn_backward(None, caches, da=np.zeros((4, 3, 5)))
    _, _, caches_none = brnn_forward(x, a0_f, a0_b, params, output=None)
    with pytest.raises(ValueError, match="brnn_backward: dy_hat was given but brnn_forward ran with output=None"):
        brnn_backward(y_hat, caches_none)
