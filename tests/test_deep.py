"""Deep RNN: equivalences with single layers, gradient checks (masked too), dense layers, errors."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.bidirectional import brnn_forward
from rnncourse.cells import CELLS
from rnncourse.deep import (DeepRNNCache, LayerSpec, deep_rnn_backward, deep_rnn_forward,
                            dense_backward, dense_forward, flatten_grads, flatten_params,
                            init_deep_rnn_params, parse_specs)
from rnncourse.gradcheck import gradient_check
from rnncourse.losses import softmax_cross_entropy
from rnncourse.output import output_forward

ALL_CELLS = sorted(CELLS)


def perturb(params, rng, scale=0.3):
    for arr in flatten_params(params).values():
        arr += (scale * rng.standard_normal(arr.shape)).astype(arr.dtype)
    return params


# --- equivalences ----------------------------------------------------------------------------

@pytest.mark.parametrize("cell", ALL_CELLS)
def test_one_layer_equals_that_layer(rng, cell):
    specs = [{"cell": cell, "n_a": 4}]
    params = perturb(init_deep_rnn_params(3, specs, 2, rng=rng), rng)
    x = rng.standard_normal((3, 2, 5))
    a, y_hat, caches = deep_rnn_forward(x, params, specs)
    a1, _ = CELLS[cell].forward(x, np.zeros((4, 2)), params["recurrent"][0])
    y1, _ = output_forward(a1, params["Wy"], params["by"], "softmax")
    assert isinstance(caches, DeepRNNCache) and len(a) == 1
    np.testing.assert_allclose(a[0], a1, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(y_hat, y1, rtol=1e-14)


@pytest.mark.parametrize("cell", ALL_CELLS)
def test_one_bidirectional_layer_equals_brnn(rng, cell):
    specs = [{"cell": cell, "n_a": 3, "bidirectional": True}]
    params = perturb(init_deep_rnn_params(2, specs, 4, rng=rng), rng)
    x = rng.standard_normal((2, 3, 4))
    a0 = [(rng.standard_normal((3, 3)), rng.standard_normal((3, 3)))]
    a, y_hat, _ = deep_rnn_forward(x, params, specs, output="sigmoid", a0=a0)
    brnn_params = {**params["recurrent"][0], "Wy": params["Wy"], "by": params["by"]}
    a1, y1, _ = brnn_forward(x, *a0[0], brnn_params, cell=cell, output="sigmoid")
    np.testing.assert_allclose(a[0], a1, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(y_hat, y1, rtol=1e-14)


def test_layers_feed_each_other_and_dense_acts_per_step(rng):
    specs = [{"cell": ALL_CELLS[0], "n_a": 4}, {"cell": ALL_CELLS[-1], "n_a": 3, "bidirectional": True}]
    dense = [{"n": 5, "activation": "tanh"}]
    params = perturb(init_deep_rnn_params(2, specs, 3, dense=dense, rng=rng), rng)
    x = rng.standard_normal((2, 2, 6))
    a, y_hat, _ = deep_rnn_forward(x, params, specs, dense=dense)
    assert [s.shape for s in a] == [(4, 2, 6), (6, 2, 6)] and y_hat.shape == (3, 2, 6)
    a2, _, _ = brnn_forward(a[0], np.zeros((3, 2)), np.zeros((3, 2)), params["recurrent"][1],
                            cell=ALL_CELLS[-1], output=None)
    np.testing.assert_allclose(a[1], a2, rtol=1e-14, atol=1e-15)
    h = np.tanh(np.einsum("ij,jmt->imt", params["dense"][0]["W"], a2) + params["dense"][0]["b"][:, :, None])
    np.testing.assert_allclose(y_hat, output_forward(h, params["Wy"], params["by"])[0], rtol=1e-12)


# --- dense layer ---------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "identity"])
@pytest.mark.parametrize("shape", [(3, 4, 5), (3, 4)])
def test_dense_gradient_check(rng, activation, shape):
    a = rng.standard_normal(shape)
    W = rng.standard_normal((2, 3))
    b = rng.standard_normal((2, 1))
    w = rng.standard_normal((2,) + shape[1:])
    h, cache = dense_forward(a, W, b, activation)
    assert h.shape == (2,) + shape[1:]
    grads = dense_backward(w, cache)
    errors = gradient_check(lambda: float(np.sum(w * dense_forward(a, W, b, activation)[0])),
                            {"a": a, "W": W, "b": b}, grads)
    assert max(errors.values()) < 1e-7, errors


def test_dense_bad_input(rng):
    with pytest.raises(ValueError, match="dense_forward: activation must be one of .*got 'softmax'"):
        dense_forward(np.zeros((3, 2)), np.zeros((2, 3)), np.zeros((2, 1)), "softmax")
    with pytest.raises(ValueError, match=r"dense_forward: a must have shape \(n_in, m, T\) = \(3, 2, 4\)"
                                         r", got \(4, 2, 4\) \(n_in = 3 was set by W\)"):
        dense_forward(np.zeros((4, 2, 4)), np.zeros((2, 3)), np.zeros((2, 1)))


# --- gradient checks of the whole network ------------------------------------------------------

def deep_gradient_check(rng, specs, dense=(), mask=None, output="softmax", n_x=3, n_y=3, m=3, T=4):
    params = perturb(init_deep_rnn_params(n_x, specs, n_y if output else None, dense=dense, rng=rng), rng)
    layers, _ = parse_specs(specs, dense)
    x = rng.standard_normal((n_x, m, T))
    a0 = [(rng.standard_normal((s.n_a, m)), rng.standard_normal((s.n_a, m))) if s.bidirectional
          else rng.standard_normal((s.n_a, m)) for s in layers]
    labels = rng.integers(0, n_y, size=(m, T))

    def loss_and_grads():
        _, out, caches = deep_rnn_forward(x, params, specs, dense=dense, output=output,
                                          mask=mask, a0=a0)
        if output is None:
            w = np.linspace(-1, 1, out.size).reshape(out.shape)
            return float(np.sum(w * out)), deep_rnn_backward(w, caches)
        L, dy = softmax_cross_entropy(out, labels, mask)
        return L, deep_rnn_backward(dy, caches)

    _, grads = loss_and_grads()
    arrays = {**flatten_params(params), "x": x}
    analytic = {**flatten_grads(grads, params), "dx": grads["dx"]}
    for l, init in enumerate(a0):   # the initial states too
        pairs = zip(init, grads["da0"][l]) if isinstance(init, tuple) else [(init, grads["da0"][l])]
        for j, (arr, g) in enumerate(pairs):
            arrays[f"a0_{l}_{j}"] = arr
            analytic[f"da0_{l}_{j}"] = g
    errors = gradient_check(lambda: loss_and_grads()[0], arrays, analytic)
    worst = max(errors, key=errors.get)
    assert errors[worst] < 1e-6, (worst, errors[worst])
    return grads


@pytest.mark.parametrize("cell", ALL_CELLS)
def test_gradient_check_two_layers_and_dense(rng, cell):
    """Layer 1 is `cell`, layer 2 a bidirectional layer of the next cell, then a dense layer."""
    other = ALL_CELLS[(ALL_CELLS.index(cell) + 1) % len(ALL_CELLS)]
    specs = [{"cell": cell, "n_a": 3}, {"cell": other, "n_a": 2, "bidirectional": True}]
    grads = deep_gradient_check(rng, specs, dense=[{"n": 4, "activation": "tanh"}])
    assert len(grads["recurrent"]) == 2 and set(grads["recurrent"][1]) == {"fwd", "bwd"}
    assert set(grads["dense"][0]) == {"dW", "db"}


@pytest.mark.parametrize("cell", ALL_CELLS)
def test_gradient_check_masked(rng, cell):
    specs = [{"cell": cell, "n_a": 2, "bidirectional": True}, {"cell": cell, "n_a": 2}]
    mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [1, 0, 0, 0]], dtype=float)
    grads = deep_gradient_check(rng, specs, dense=[{"n": 3, "activation": "sigmoid"}], mask=mask)
    assert np.all(grads["dx"][:, 1, 2:] == 0) and np.all(grads["dx"][:, 2, 1:] == 0)


def test_gradient_check_three_layers_relu_no_output(rng):
    specs = [{"cell": c, "n_a": 2} for c in ALL_CELLS[:3]] or [{"cell": "rnn", "n_a": 2}]
    deep_gradient_check(rng, specs, dense=[{"n": 4, "activation": "relu"}, {"n": 2, "activation": "identity"}],
                        output=None, T=3)


# --- dtypes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", ALL_CELLS)
def test_float32_end_to_end(rng, cell):
    specs = [{"cell": cell, "n_a": 4, "bidirectional": True}, {"cell": cell, "n_a": 4}]
    dense = [{"n": 3}]
    params = init_deep_rnn_params(3, specs, 2, dense=dense, rng=rng, dtype=np.float32)
    x = rng.standard_normal((3, 2, 5)).astype(np.float32)
    a, y_hat, caches = deep_rnn_forward(x, params, specs, dense=dense)
    assert y_hat.dtype == np.float32 and all(s.dtype == np.float32 for s in a)
    _, dy = softmax_cross_entropy(y_hat, rng.integers(0, 2, size=(2, 5)))
    grads = deep_rnn_backward(dy, caches)
    for name, g in {**flatten_grads(grads, params), "dx": grads["dx"]}.items():
        assert g.dtype == np.float32, name


# --- specs, params, errors ---------------------------------------------------------------------

def test_parse_specs_defaults():
    layers, denses = parse_specs([{"cell": "rnn", "n_a": 5}, LayerSpec("rnn", 2, True)], [{"n": 3}])
    assert layers[0] == LayerSpec("rnn", 5, False) and layers[1].n_out == 4
    assert denses[0].activation == "relu"


@pytest.mark.parametrize("specs, dense, err, match", [
    ([], (), TypeError, "init_deep_rnn_params: specs must be a non-empty list"),
    ({"cell": "rnn", "n_a": 3}, (), TypeError, "specs must be a non-empty list"),
    ([{"cell": "elman", "n_a": 3}], (), ValueError, "cell must be one of .*got 'elman'"),
    ([{"cell": "rnn"}], (), ValueError, r"specs\[0\] is missing 'n_a'"),
    ([{"cell": "rnn", "n_a": 0}], (), ValueError, r"specs\[0\]\['n_a'\] must be at least 1, got 0"),
    ([{"cell": "rnn", "n_a": 3, "bidirectonal": True}], (), ValueError, r"unknown keys \['bidirectonal'\]"),
    ([{"cell": "rnn", "n_a": 3}], [{"n": 2, "activation": "softmax"}], ValueError,
     r"dense\[0\]\['activation'\] must be one of"),
    ([{"cell": "rnn", "n_a": 3}], [{"units": 2}], ValueError, r"dense\[0\] is missing 'n'"),
])
def test_bad_specs(specs, dense, err, match):
    with pytest.raises(err, match=match):
        init_deep_rnn_params(3, specs, 2, dense=dense, rng=0)


def test_bad_forward_inputs(rng):
    specs = [{"cell": "rnn", "n_a": 3}, {"cell": "rnn", "n_a": 2}]
    params = init_deep_rnn_params(4, specs, 2, rng=rng)
    x = rng.standard_normal((4, 2, 3))
    with pytest.raises(ValueError, match=r"deep_rnn_forward: params\['recurrent'\] must be a list of 3"):
        deep_rnn_forward(x, params, specs + [{"cell": "rnn", "n_a": 2}])
    with pytest.raises(ValueError, match="deep_rnn_forward, recurrent layer 1: rnn_forward: params\\['Wax'\\]"):
        deep_rnn_forward(rng.standard_normal((5, 2, 3)), params, specs)
    swapped = {**params, "recurrent": params["recurrent"][::-1]}
    with pytest.raises(ValueError, match="deep_rnn_forward, recurrent layer 1"):
        deep_rnn_forward(x, swapped, specs)
    with pytest.raises(ValueError, match=r"deep_rnn_forward: params\['Wy'\] must have shape \(n_y, n_top\) = \(2, 2\)"):
        deep_rnn_forward(x, {**params, "Wy": np.zeros((2, 3))}, specs)
    with pytest.raises(ValueError, match="deep_rnn_forward: params is missing 'Wy'"):
        deep_rnn_forward(x, {"recurrent": params["recurrent"], "dense": []}, specs)
    with pytest.raises(ValueError, match="deep_rnn_forward: a0 must be a list of 2"):
        deep_rnn_forward(x, params, specs, a0=[np.zeros((3, 2))])
    _, y_hat, caches = deep_rnn_forward(x, params, specs)
    with pytest.raises(ValueError, match=r"deep_rnn_backward: dy_hat must have shape \(n_y, m, T_x\) = \(2, 2, 3\)"):
        deep_rnn_backward(y_hat[:, :1], caches)
    with pytest.raises(TypeError, match="deep_rnn_backward: caches must be the DeepRNNCache"):
        deep_rnn_backward(y_hat, caches[:3])


def test_init_dense_scale_and_determinism():
    specs = [{"cell": "rnn", "n_a": 50}]
    p = init_deep_rnn_params(3, specs, 2, dense=[{"n": 400, "activation": "relu"}], rng=1)
    q = init_deep_rnn_params(3, specs, 2, dense=[{"n": 400, "activation": "relu"}], rng=1)
    for k, v in flatten_params(p).items():
        np.testing.assert_array_equal(v, flatten_params(q)[k])
    assert abs(p["dense"][0]["W"].var() * 50 - 2.0) < 0.2   # He: variance 2 / n_in
    assert p["Wy"].shape == (2, 400)


def test_flatten_shares_arrays_and_names_gradients():
    params = {"recurrent": [{"Wax": np.zeros(2)}, {"fwd": {"ba": np.zeros(1)}}], "Wy": np.ones(3)}
    flat = flatten_params(params)
    assert list(flat) == ["recurrent.0.Wax", "recurrent.1.fwd.ba", "Wy"]
    flat["Wy"] += 1
    assert params["Wy"][0] == 2            # the same array, not a copy
    grads = {"recurrent": [{"dWax": np.ones(2)}, {"fwd": {"dba": np.ones(1)}}], "dWy": np.ones(3),
             "dx": np.ones(5)}
    assert list(flatten_grads(grads, params)) == ["drecurrent.0.Wax", "drecurrent.1.fwd.ba", "dWy"]
    del grads["recurrent"][1]["fwd"]["dba"]
    with pytest.raises(ValueError, match="flatten_grads: no gradient for parameter recurrent.1.fwd.ba"):
        flatten_grads(grads, params)
    with pytest.raises(TypeError, match="flatten_params: x must be an array"):
        flatten_params({"x": 3.0})
