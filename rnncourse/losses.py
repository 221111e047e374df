"""Losses over sequences of predictions.

Lesson 02 introduces the syllabus's per-step binary cross-entropy

    L<t>(y_hat<t>, y<t>) = - y<t> log y_hat<t> - (1 - y<t>) log(1 - y_hat<t>)

and its sum over the output steps, ``L = sum_t L<t>``.  Softmax cross-entropy is the
same idea for one-of-n_y classes per step (the applications' choice).

Conventions shared by every loss here:

* predictions ``y_hat`` have shape (n_y, m, T_y); the loss is summed over units and
  time steps and **averaged over the m examples** of the batch;
* an optional ``mask`` (m, T_y) of 0/1 drops padded steps from the sum and from the
  gradient;
* each returns ``(loss, dy_hat)`` where ``dy_hat`` is the gradient with respect to
  ``y_hat``, same shape and dtype;
* probabilities are clipped to ``[eps, 1 - eps]`` (eps = the dtype's resolution)
  inside the logarithm, so a confident wrong prediction gives a large but finite
  loss and gradient instead of inf / NaN.
"""

from __future__ import annotations

import numpy as np

from ._validate import Dims, as_array, check_mask

__all__ = ["bce_loss", "bce_step_loss", "softmax_cross_entropy"]


def _eps(dtype) -> float:
    # the smallest probability kept distinct from 0 and 1 in this dtype
    return float(np.finfo(dtype).eps)


def _check_probabilities(fn: str, name: str, p: np.ndarray) -> None:
    if p.size and (p.min() < 0 or p.max() > 1):
        raise ValueError(f"{fn}: {name} must hold probabilities in [0, 1], "
                         f"got values in [{p.min():.4g}, {p.max():.4g}]")


def bce_step_loss(y_hat_t, y_t) -> np.ndarray:
    """The syllabus's per-step loss ``L<t>`` for each example.

    Parameters
    ----------
    y_hat_t : ndarray of shape (n_y, m), predicted probabilities at step t
    y_t : ndarray of shape (n_y, m), targets in [0, 1] (usually 0 or 1)

    Returns
    -------
    L_t : ndarray of shape (m,)
        ``- y log y_hat - (1 - y) log(1 - y_hat)`` summed over the n_y units.
    """
    fn = "bce_step_loss"
    d = Dims(fn)
    y_hat_t = d.bind("y_hat_t", y_hat_t, ("n_y", "m"))
    y_t = d.bind("y_t", y_t, ("n_y", "m"))
    _check_probabilities(fn, "y_hat_t", y_hat_t)
    _check_probabilities(fn, "y_t", y_t)
    eps = _eps(y_hat_t.dtype)
    p = np.clip(y_hat_t, eps, 1.0 - eps)
    return -(y_t * np.log(p) + (1.0 - y_t) * np.log1p(-p)).sum(axis=0)


def bce_loss(y_hat, y, mask=None) -> tuple[float, np.ndarray]:
    """Binary cross-entropy summed over steps (the syllabus's ``L = sum_t L<t>``).

    Parameters
    ----------
    y_hat : ndarray of shape (n_y, m, T_y), predicted probabilities
    y : ndarray of shape (n_y, m, T_y), targets in [0, 1]
    mask : ndarray of shape (m, T_y) of 0/1, optional

    Returns
    -------
    loss : float
        ``(1/m) sum_i sum_t mask[i, t] L<t>_i``.
    dy_hat : ndarray of shape (n_y, m, T_y)
        ``(1/m) mask * (-y / y_hat + (1 - y) / (1 - y_hat))`` with y_hat clipped.
    """
    fn = "bce_loss"
    d = Dims(fn)
    y_hat = d.bind("y_hat", y_hat, ("n_y", "m", "T_y"))
    y = d.bind("y", y, ("n_y", "m", "T_y"))
    _check_probabilities(fn, "y_hat", y_hat)
    _check_probabilities(fn, "y", y)
    n_y, m, T = y_hat.shape
    mask = check_mask(fn, mask, m, T)
    w = np.ones((1, m, T), y_hat.dtype) if mask is None else mask[None].astype(y_hat.dtype)
    eps = _eps(y_hat.dtype)
    p = np.clip(y_hat, eps, 1.0 - eps)
    loss = -(w * (y * np.log(p) + (1.0 - y) * np.log1p(-p))).sum() / m
    dy_hat = w * (-y / p + (1.0 - y) / (1.0 - p)) / m
    return float(loss), dy_hat.astype(y_hat.dtype, copy=False)


def softmax_cross_entropy(y_hat, y, mask=None) -> tuple[float, np.ndarray]:
    """Cross-entropy of softmax predictions against one class per step.

    Parameters
    ----------
    y_hat : ndarray of shape (n_y, m, T_y)
        Predicted distributions (each column sums to 1).
    y : ndarray
        Either one-hot targets of shape (n_y, m, T_y), or integer class indices of
        shape (m, T_y) with values in [0, n_y).
    mask : ndarray of shape (m, T_y) of 0/1, optional

    Returns
    -------
    loss : float
        ``-(1/m) sum_i sum_t mask[i, t] log y_hat[y_i<t>, i, t]``.
    dy_hat : ndarray of shape (n_y, m, T_y)
        ``-(1/m) mask * y_onehot / y_hat`` with y_hat clipped.  Passed through the
        softmax's backward this becomes the familiar ``(y_hat - y) / m``.
    """
    fn = "softmax_cross_entropy"
    d = Dims(fn)
    y_hat = d.bind("y_hat", y_hat, ("n_y", "m", "T_y"))
    _check_probabilities(fn, "y_hat", y_hat)
    n_y, m, T = y_hat.shape
    if isinstance(y, np.ndarray) and y.dtype.kind in "iu":
        if y.shape != (m, T):
            raise ValueError(f"{fn}: integer labels y must have shape (m, T_y) = ({m}, {T}), "
                             f"got {y.shape}")
        if y.size and (y.min() < 0 or y.max() >= n_y):
            raise ValueError(f"{fn}: labels y must lie in [0, n_y) = [0, {n_y}), "
                             f"got values in [{y.min()}, {y.max()}]")
        onehot = np.zeros_like(y_hat)
        onehot[y, np.arange(m)[:, None], np.arange(T)[None, :]] = 1.0
    else:
        onehot = d.bind("y", as_array(fn, "y", y), ("n_y", "m", "T_y"))
        _check_probabilities(fn, "y", onehot)
    mask = check_mask(fn, mask, m, T)
    w = np.ones((1, m, T), y_hat.dtype) if mask is None else mask[None].astype(y_hat.dtype)
    p = np.clip(y_hat, _eps(y_hat.dtype), 1.0)
    loss = -(w * onehot * np.log(p)).sum() / m
    dy_hat = -(w * onehot / p) / m
    return float(loss), dy_hat.astype(y_hat.dtype, copy=False)
