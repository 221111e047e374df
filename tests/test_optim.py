"""Clipping and optimisers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnncourse.optim import SGD, Adam, clip_by_norm, clip_by_value, global_norm


def grads_of(rng):
    return {"dWax": rng.standard_normal((3, 2)) * 10, "dba": rng.standard_normal((3, 1)) * 10}


def test_clip_by_value_bounds_and_returns_new_dict(rng):
    grads = grads_of(rng)
    before = {k: v.copy() for k, v in grads.items()}
    clipped = clip_by_value(grads, 5.0)
    for k in grads:
        np.testing.assert_array_equal(grads[k], before[k])  # caller's untouched
        assert clipped[k] is not grads[k]
        assert np.abs(clipped[k]).max() <= 5.0
        inside = np.abs(before[k]) <= 5.0
        np.testing.assert_array_equal(clipped[k][inside], before[k][inside])


def test_clip_by_norm_keeps_direction(rng):
    grads = grads_of(rng)
    norm = global_norm(grads)
    expected_norm = math.sqrt(sum((g ** 2).sum() for g in grads.values()))
    assert math.isclose(norm, expected_norm, rel_tol=1e-12)
    clipped = clip_by_norm(grads, 1.0)
    assert math.isclose(global_norm(clipped), 1.0, rel_tol=1e-12)
    for k in grads:
        np.testing.assert_allclose(clipped[k] * norm, grads[k], rtol=1e-12)
    small = clip_by_norm(grads, 10 * norm)  # below the threshold: unchanged values
    for k in grads:
        np.testing.assert_array_equal(small[k], grads[k])


def test_clipping_keeps_dtype_and_nan(rng):
    grads = {"dW": np.array([1e6, np.nan], dtype=np.float32)}
    assert clip_by_value(grads, 1.0)["dW"].dtype == np.float32
    assert np.isnan(clip_by_value(grads, 1.0)["dW"][1])
    assert np.isnan(clip_by_norm(grads, 1.0)["dW"]).any()


@pytest.mark.parametrize("call,exc,fragment", [
    (lambda: clip_by_value({"dW": np.ones(2)}, -1), ValueError, "clip_by_value: max_value"),
    (lambda: clip_by_norm({"dW": np.ones(2)}, 0), ValueError, "clip_by_norm: max_norm"),
    (lambda: clip_by_value([np.ones(2)], 1.0), TypeError, "clip_by_value: grads must be a dict"),
    (lambda: clip_by_norm({"dW": [1, 2]}, 1.0), TypeError, "grads['dW']"),
    (lambda: SGD(0.1).step({"W": np.ones(2)}, {"dV": np.ones(2)}), ValueError, "'dW'"),
    (lambda: SGD(0.1).step({"W": np.ones(2)}, {"dW": np.array([np.nan, 1])}), ValueError, "finite"),
])
def test_bad_input(call, exc, fragment):
    with pytest.raises(exc, match=None) as info:
        call()
    assert fragment in str(info.value)


def test_sgd_updates_in_place():
    W = np.array([1.0, 2.0])
    params = {"W": W}
    SGD(0.5).step(params, {"dW": np.array([2.0, -2.0])})
    assert params["W"] is W
    np.testing.assert_allclose(W, [0.0, 3.0])


def test_adam_minimises_a_quadratic(rng):
    target = rng.standard_normal((4, 3))
    params = {"W": np.zeros((4, 3))}
    opt = Adam(learning_rate=0.05)
    for _ in range(500):
        opt.step(params, {"dW": 2 * (params["W"] - target)})
    np.testing.assert_allclose(params["W"], target, atol=1e-3)


def test_adam_first_step_is_learning_rate_sized():
    params = {"W": np.zeros(3)}
    Adam(learning_rate=0.1).step(params, {"dW": np.array([5.0, -0.01, 0.0])})
    # bias-corrected first step: -lr * sign(g) (and 0 where g = 0)
    np.testing.assert_allclose(params["W"], [-0.1, 0.1, 0.0], atol=1e-6)


def test_adam_three_steps_follow_the_update_rule(rng):
    """Three steps against the rule evaluated here, with the step count t in the bias
    corrections, non-default betas (so beta1/beta2 cannot be swapped) and two parameters
    (so each keeps its own moments)."""
    lr, b1, b2, eps = 0.01, 0.8, 0.95, 1e-6
    params = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal((3, 1))}
    expected = {k: p.copy() for k, p in params.items()}
    m = {k: np.zeros_like(p) for k, p in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    opt = Adam(learning_rate=lr, beta1=b1, beta2=b2, eps=eps)
    for t in range(1, 4):
        grads = {"d" + k: rng.standard_normal(p.shape) * t for k, p in params.items()}
        opt.step(params, grads)
        for k in expected:
            g = grads["d" + k]
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g ** 2
            m_hat, v_hat = m[k] / (1 - b1 ** t), v[k] / (1 - b2 ** t)
            expected[k] = expected[k] - lr * m_hat / (np.sqrt(v_hat) + eps)
            np.testing.assert_allclose(params[k], expected[k], rtol=1e-12, atol=1e-15,
                                       err_msg=f"{k} after step {t}")
