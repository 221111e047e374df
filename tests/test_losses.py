"""Losses: values computed by hand from their definitions, extremes, gradients, masks."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from rnncourse.gradcheck import gradient_check
from rnncourse.losses import bce_loss, bce_step_loss, softmax_cross_entropy

from .helpers import assert_raises_named


def test_bce_step_loss_by_hand():
    # two examples, one unit: L = -log(0.8) for (0.8, 1) and -log(1 - 0.3) for (0.3, 0)
    y_hat_t = np.array([[0.8, 0.3]])
    y_t = np.array([[1.0, 0.0]])
    np.testing.assert_allclose(bce_step_loss(y_hat_t, y_t), [-math.log(0.8), -math.log(0.7)])


def test_bce_loss_sums_steps_and_averages_examples(rng):
    y_hat = rng.uniform(0.05, 0.95, size=(2, 3, 4))
    y = (rng.random((2, 3, 4)) < 0.5).astype(float)
    loss, _ = bce_loss(y_hat, y)
    per_step = sum(bce_step_loss(y_hat[:, :, t], y[:, :, t]) for t in range(4))  # (m,)
    assert math.isclose(loss, per_step.mean(), rel_tol=1e-12)


def test_softmax_cross_entropy_by_hand():
    y_hat = np.array([[0.7, 0.2], [0.2, 0.5], [0.1, 0.3]])[:, :, None]  # (3, 2, 1)
    labels = np.array([[0], [2]])
    loss, _ = softmax_cross_entropy(y_hat, labels)
    assert math.isclose(loss, -(math.log(0.7) + math.log(0.3)) / 2, rel_tol=1e-12)
    onehot = np.zeros_like(y_hat)
    onehot[0, 0, 0] = onehot[2, 1, 0] = 1.0
    assert math.isclose(softmax_cross_entropy(y_hat, onehot)[0], loss, rel_tol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_finite_at_probabilities_zero_and_one(dtype):
    y_hat = np.array([[[0.0, 1.0, 0.0, 1.0]]], dtype=dtype)
    y = np.array([[[1.0, 0.0, 0.0, 1.0]]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grad = bce_loss(y_hat, y)
        step = bce_step_loss(y_hat[:, :, 0], y[:, :, 0])
        ce, ce_grad = softmax_cross_entropy(np.array([[[0.0]], [[1.0]]], dtype=dtype),
                                            np.array([[0]]))
    assert grad.dtype == dtype and ce_grad.dtype == dtype
    for value in (loss, ce, *step, *grad.ravel(), *ce_grad.ravel()):
        assert math.isfinite(value)
    assert loss > 10 and ce > 10  # confident and wrong costs a lot


@pytest.mark.parametrize("masked", [False, True])
def test_gradients(rng, masked):
    n_y, m, T = 3, 4, 5
    mask = (rng.random((m, T)) < 0.6).astype(float) if masked else None
    y_hat = rng.uniform(0.1, 0.9, size=(n_y, m, T))
    yb = (rng.random((n_y, m, T)) < 0.5).astype(float)
    errors = gradient_check(lambda: bce_loss(y_hat, yb, mask)[0], {"y_hat": y_hat},
                            {"dy_hat": bce_loss(y_hat, yb, mask)[1]})
    assert errors["dy_hat"] < 1e-8
    labels = rng.integers(0, n_y, size=(m, T))
    errors = gradient_check(lambda: softmax_cross_entropy(y_hat, labels, mask)[0], {"y_hat": y_hat},
                            {"dy_hat": softmax_cross_entropy(y_hat, labels, mask)[1]})
    assert errors["dy_hat"] < 1e-8


def test_mask_drops_padded_steps(rng):
    y_hat = rng.uniform(0.1, 0.9, size=(2, 2, 3))
    y = (rng.random((2, 2, 3)) < 0.5).astype(float)
    mask = np.array([[1, 1, 0], [1, 0, 0]], dtype=float)
    loss, grad = bce_loss(y_hat, y, mask)
    expected = (bce_step_loss(y_hat[:, :, 0], y[:, :, 0]).sum()
                + bce_step_loss(y_hat[:, :1, 1], y[:, :1, 1]).sum()) / 2
    assert math.isclose(loss, expected, rel_tol=1e-12)
    assert not grad[:, 0, 2].any() and not grad[:, 1, 1:].any()


@pytest.mark.parametrize("call,exc,fragments", [
    (lambda: bce_loss(np.full((1, 2, 3), 1.5), np.zeros((1, 2, 3))), ValueError,
     ["bce_loss", "y_hat", "probabilities", "1.5"]),
    (lambda: bce_loss(np.full((1, 2, 3), 0.5), np.zeros((1, 2, 4))), ValueError,
     ["bce_loss", "y", "(1, 2, 3)", "(1, 2, 4)"]),
    (lambda: softmax_cross_entropy(np.full((3, 2, 1), 1 / 3), np.array([[0], [3]])), ValueError,
     ["softmax_cross_entropy", "labels", "[0, 3)"]),
    (lambda: softmax_cross_entropy(np.full((3, 2, 1), 1 / 3), np.zeros((2, 2), dtype=int)), ValueError,
     ["softmax_cross_entropy", "(m, T_y)", "(2, 1)", "(2, 2)"]),
    (lambda: bce_step_loss([[0.5]], np.ones((1, 1))), TypeError, ["bce_step_loss", "y_hat_t", "list"]),
])
def test_bad_input(call, exc, fragments):
    assert_raises_named(call, exc, fragments)
