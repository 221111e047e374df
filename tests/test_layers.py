"""Stateful layers: each equals the numeric core it wraps, gradient checks, shapes, errors."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.bidirectional import brnn_forward
from rnncourse.cells import CELLS
from rnncourse.data import one_hot
from rnncourse.deep import flatten_grads, flatten_params
from rnncourse.gradcheck import gradient_check
from rnncourse.layers import (Bidirectional, Dense, Embedding, Layer, OneHot, Recurrent,
                              build_layers)

ALL_CELLS = sorted(CELLS)


def built(layer, n_in, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    layer.build(n_in, rng, dtype)
    for arr in flatten_params(layer.params).values():   # non-zero biases
        arr += (0.3 * rng.standard_normal(arr.shape)).astype(dtype)
    return layer


def layer_gradient_check(layer, x, mask=None, rng=None, with_dx=True):
    """Gradient check of a layer's backward under the loss sum(w * out)."""
    rng = rng or np.random.default_rng(1)
    out = layer.forward(x, mask)
    w = rng.standard_normal(out.shape)
    dx = layer.backward(w)
    arrays = dict(flatten_params(layer.params))
    analytic = flatten_grads(layer.grads, layer.params)
    if with_dx:
        arrays["x"], analytic["dx"] = x, dx
    errors = gradient_check(lambda: float(np.sum(w * layer.forward(x, mask))), arrays, analytic)
    worst = max(errors, key=errors.get)
    assert errors[worst] < 1e-6, (worst, errors[worst])
    return out, dx


# --- input layers ----------------------------------------------------------------------------

def test_one_hot_layer():
    layer = built(OneHot(5), None)
    ids = np.array([[0, 4, 2], [1, 1, 3]])
    np.testing.assert_array_equal(layer.forward(ids), one_hot(ids, 5))
    assert layer.backward(np.ones((5, 2, 3))) is None and layer.params == {}
    assert built(OneHot(5), None, dtype=np.float32).forward(ids).dtype == np.float32


def test_embedding_equals_matrix_times_one_hot_and_gradient():
    layer = built(Embedding(6, 3), None)
    ids = np.array([[0, 5, 2, 2], [2, 1, 1, 0]])            # repeated tokens accumulate
    out = layer.forward(ids)
    expected = np.einsum("ev,vmt->emt", layer.params["E"], one_hot(ids, 6))
    np.testing.assert_allclose(out, expected, rtol=1e-15)
    E = layer.params["E"]
    w = np.random.default_rng(2).standard_normal(out.shape)
    layer.backward(w)
    errors = gradient_check(lambda: float(np.sum(w * layer.forward(ids))), {"E": E}, layer.grads)
    assert errors["dE"] < 1e-8
    assert np.all(layer.grads["dE"][:, [3, 4]] == 0)         # tokens never seen get no gradient


@pytest.mark.parametrize("layer, ids, err, match", [
    (OneHot(3), np.array([[0, 3]]), ValueError, r"OneHot.forward: token ids must lie in \[0, n_vocab\) = \[0, 3\)"),
    (Embedding(3, 2), np.zeros((2, 2)), TypeError, "Embedding.forward: x must be an integer array of token ids"),
    (Embedding(3, 2), np.zeros(4, dtype=int), TypeError, r"shape \(4,\)"),
])
def test_input_layer_bad_ids(layer, ids, err, match):
    built(layer, None)
    with pytest.raises(err, match=match):
        layer.forward(ids)


# --- recurrent layers --------------------------------------------------------------------------

@pytest.mark.parametrize("cell", ALL_CELLS)
def test_recurrent_equals_cell_forward(rng, cell):
    x = rng.standard_normal((3, 2, 5))
    seq = built(Recurrent(cell, 4), 3)
    last = built(Recurrent(cell, 4, return_sequences=False), 3)
    a, _ = CELLS[cell].forward(x, np.zeros((4, 2)), seq.params)
    np.testing.assert_allclose(seq.forward(x), a, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(last.forward(x), a[:, :, -1:], rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("cell", ALL_CELLS)
@pytest.mark.parametrize("return_sequences", [True, False])
def test_recurrent_gradient_check(rng, cell, return_sequences):
    x = rng.standard_normal((3, 2, 4))
    mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0]], dtype=float)
    layer = built(Recurrent(cell, 3, return_sequences), 3)
    out, dx = layer_gradient_check(layer, x, mask)
    assert out.shape == ((3, 2, 4) if return_sequences else (3, 2, 1))
    assert np.all(dx[:, 1, 2:] == 0)


@pytest.mark.parametrize("cell", ALL_CELLS)
def test_bidirectional_equals_brnn_and_last_states(rng, cell):
    x = rng.standard_normal((3, 2, 5))
    seq = built(Bidirectional(cell, 4), 3)
    last = built(Bidirectional(cell, 4, return_sequences=False), 3)
    a, _, _ = brnn_forward(x, np.zeros((4, 2)), np.zeros((4, 2)), seq.params, cell=cell, output=None)
    np.testing.assert_allclose(seq.forward(x), a, rtol=1e-14, atol=1e-15)
    # many-to-one: each direction's state after reading the whole sequence
    np.testing.assert_allclose(last.forward(x)[:4, :, 0], a[:4, :, -1], rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(last.forward(x)[4:, :, 0], a[4:, :, 0], rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("cell", ALL_CELLS)
@pytest.mark.parametrize("return_sequences", [True, False])
def test_bidirectional_gradient_check(rng, cell, return_sequences):
    x = rng.standard_normal((2, 2, 4))
    mask = np.array([[1, 1, 1, 1], [1, 1, 1, 0]], dtype=float)
    layer = built(Bidirectional(cell, 2, return_sequences), 2)
    out, _ = layer_gradient_check(layer, x, mask)
    assert out.shape == ((4, 2, 4) if return_sequences else (4, 2, 1))
    assert set(layer.grads) == {"fwd", "bwd"}


def test_last_state_with_padding_is_last_real_state(rng):
    x = rng.standard_normal((3, 2, 5))
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=float)
    layer = built(Recurrent("rnn", 4, return_sequences=False), 3)
    out = layer.forward(x, mask)
    alone = layer.forward(x[:, 1:2, :3])
    np.testing.assert_allclose(out[:, 1:2], alone, rtol=1e-14)


# --- dense -------------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", ["identity", "relu", "tanh", "sigmoid", "softmax"])
def test_dense_gradient_check(rng, activation):
    layer = built(Dense(3, activation), 4)
    out, _ = layer_gradient_check(layer, rng.standard_normal((4, 2, 3)))
    assert out.shape == (3, 2, 3)
    if activation == "softmax":
        np.testing.assert_allclose(out.sum(axis=0), 1.0)


# --- errors ------------------------------------------------------------------------------------

@pytest.mark.parametrize("make, err, match", [
    (lambda: Recurrent("elman", 3), ValueError, "Recurrent: cell must be one of .*got 'elman'"),
    (lambda: Recurrent("rnn", 0), ValueError, "Recurrent: n_a must be at least 1, got 0"),
    (lambda: Bidirectional("rnn", 2.0), TypeError, "Bidirectional: n_a must be an int, got float"),
    (lambda: Dense(3, "softplus"), ValueError, "Dense: activation must be one of .*got 'softplus'"),
    (lambda: Embedding(0, 3), ValueError, "Embedding: n_vocab must be at least 1"),
])
def test_constructor_errors(make, err, match):
    with pytest.raises(err, match=match):
        make()


def test_forward_and_backward_errors(rng):
    layer = built(Recurrent("rnn", 3), 4)
    with pytest.raises(RuntimeError, match="Recurrent.backward: call forward first"):
        layer.backward(np.zeros((3, 1, 2)))
    with pytest.raises(ValueError, match=r"Recurrent.forward: x must have shape \(n_in, m, T\) "
                                         r"with n_in = 4, got \(3, 2, 5\)"):
        layer.forward(rng.standard_normal((3, 2, 5)))
    with pytest.raises(ValueError, match=r"Dense.forward: x must have shape .* got \(2, 2\)"):
        built(Dense(2), 2).forward(np.zeros((2, 2)))


def test_build_layers_checks_order_and_sizes():
    sizes = build_layers([Embedding(7, 3), Bidirectional("rnn", 4), Dense(2, "softmax")], None, rng=0)
    assert sizes == [3, 8, 2]
    with pytest.raises(ValueError, match="build_layers: OneHot reads token ids, so it can only be the first"):
        build_layers([Dense(2), OneHot(3)], 4, rng=0)
    with pytest.raises(ValueError, match="build_layers: layers\\[0\\] = Recurrent.* needs the input size n_x"):
        build_layers([Recurrent("rnn", 2)], None, rng=0)
    with pytest.raises(TypeError, match="build_layers: layers\\[1\\] must be a Layer, got dict"):
        build_layers([OneHot(3), {"cell": "rnn"}], None, rng=0)
    assert issubclass(Recurrent, Layer)
