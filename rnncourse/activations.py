"""Activation functions and their derivatives, written in terms of their outputs.

Lesson 02 (forward propagation) introduces ``tanh`` for the hidden state and
``softmax`` / ``sigmoid`` for predictions; lessons 05-06 use ``sigmoid`` for gates.

Every derivative takes the *output* of the activation, not its input, because that
is what a forward cache stores (``tanh'(z) = 1 - tanh(z)**2`` needs only
``tanh(z)``).  ``ACTIVATIONS`` maps a name to ``(function, derivative)`` so that a
model can pick its output activation by name.

All functions keep the dtype of their input and never overflow: ``sigmoid(1e4)``
and ``softmax`` of logits of size 1e4 return exact 0/1 values without warnings.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "ACTIVATIONS", "identity", "identity_derivative", "relu", "relu_derivative",
    "sigmoid", "sigmoid_derivative", "softmax", "softmax_backward", "tanh", "tanh_derivative",
]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function ``1 / (1 + exp(-z))``, computed without overflow.

    Parameters
    ----------
    z : ndarray of any shape

    Returns
    -------
    s : ndarray of the same shape and dtype as ``z``, entries in [0, 1]

    Notes
    -----
    With ``e = exp(-|z|)`` (always in (0, 1]): ``s = 1 / (1 + e)`` for ``z >= 0`` and
    ``s = e / (1 + e)`` for ``z < 0``.  Neither branch can overflow.
    """
    z = np.asarray(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def sigmoid_derivative(s: np.ndarray) -> np.ndarray:
    """``d sigmoid / dz`` from the output ``s = sigmoid(z)``: ``s * (1 - s)``."""
    return s * (1.0 - s)


def tanh(z: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent (numpy's, which saturates to +-1 without overflow)."""
    return np.tanh(z)


def tanh_derivative(t: np.ndarray) -> np.ndarray:
    """``d tanh / dz`` from the output ``t = tanh(z)``: ``1 - t**2``."""
    return 1.0 - t * t


def relu(z: np.ndarray) -> np.ndarray:
    """Rectified linear unit ``max(z, 0)``, same shape and dtype as ``z``."""
    return np.maximum(z, 0)


def relu_derivative(r: np.ndarray) -> np.ndarray:
    """``d relu / dz`` from the output ``r = relu(z)``: 1 where ``r > 0``, else 0."""
    return (r > 0).astype(r.dtype)


def identity(z: np.ndarray) -> np.ndarray:
    """The identity, for linear output layers."""
    return z


def identity_derivative(y: np.ndarray) -> np.ndarray:
    """Derivative of the identity: ones of the output's shape."""
    return np.ones_like(y)


def softmax(z: np.ndarray, axis: int = 0) -> np.ndarray:
    """Softmax over ``axis`` (the unit axis, 0, in the course's column convention).

    Parameters
    ----------
    z : ndarray, e.g. of shape (n_y, m) or (n_y, m, T_y)
    axis : int, default 0

    Returns
    -------
    y : ndarray of the same shape and dtype as ``z``; entries in [0, 1] that sum to 1
        along ``axis``.

    Notes
    -----
    ``softmax(z) = exp(z - max z) / sum(exp(z - max z))``: subtracting the maximum
    changes nothing mathematically and keeps every exponent <= 0.
    """
    shifted = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax_backward(dy: np.ndarray, y: np.ndarray, axis: int = 0) -> np.ndarray:
    """Vector-Jacobian product of softmax: ``dz`` from ``dy`` and the output ``y``.

    Parameters
    ----------
    dy : ndarray, gradient of the loss with respect to ``y``
    y : ndarray of the same shape, ``softmax(z, axis)``

    Returns
    -------
    dz : ndarray of the same shape: ``y * (dy - sum(dy * y, axis))``.
    """
    return y * (dy - np.sum(dy * y, axis=axis, keepdims=True))


#: name -> (function, derivative in terms of the output).  softmax is not elementwise,
#: so its entry holds the vector-Jacobian product instead of a derivative.
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "identity": (identity, identity_derivative),
    "softmax": (softmax, softmax_backward),
}
