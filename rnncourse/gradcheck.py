"""Numerical gradient checking with centred finite differences.

Lesson 03 (backprop through time) uses it to confirm a derived gradient, and the
grader uses it to check a learner's backward pass on its own terms (not only against
the reference).  For each entry ``theta_i`` of each array::

    dJ/dtheta_i ~ (J(theta_i + h) - J(theta_i - h)) / (2 h)

with error O(h^2).  The comparison is the relative error
``||g_num - g|| / max(||g_num|| + ||g||, tiny)``: in float64, below 1e-7 means
correct, above 1e-3 means a bug.  Every perturbed entry is restored, even when the
function raises.
"""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np

from ._validate import as_array

__all__ = ["gradient_check", "numerical_gradient", "relative_error"]


def relative_error(a, b) -> float:
    """``||a - b|| / max(||a|| + ||b||, 1e-300)`` over whole arrays; 0 when both are zero."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error: shapes differ, {a.shape} vs {b.shape}")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / max(denom, 1e-300))


def numerical_gradient(f: Callable[[], float], arrays: Mapping[str, np.ndarray],
                       h: float = 1e-5) -> dict:
    """Centred-difference gradient of the scalar ``f()`` with respect to each array.

    Parameters
    ----------
    f : callable with no arguments returning a float
        It must read the arrays in ``arrays`` (which are perturbed in place).
    arrays : dict of str -> float ndarray
    h : float, the step

    Returns
    -------
    grads : dict with ``"d" + name`` -> ndarray of the shape of ``arrays[name]``
    """
    out = {}
    for name, arr in arrays.items():
        arr = as_array("numerical_gradient", name, arr)
        if not arr.flags.writeable:
            raise ValueError(f"numerical_gradient: {name} is read-only, cannot perturb it")
        grad = np.zeros(arr.shape, dtype=np.float64)
        for index in np.ndindex(arr.shape):
            old = arr[index]
            try:
                arr[index] = old + h
                plus = float(f())
                arr[index] = old - h
                minus = float(f())
            finally:
                arr[index] = old
            grad[index] = (plus - minus) / (2.0 * h)
        out["d" + name] = grad
    return out


def gradient_check(f: Callable[[], float], arrays: Mapping[str, np.ndarray],
                   grads: Mapping[str, np.ndarray], h: float = 1e-5) -> dict:
    """Relative error between analytic ``grads`` and the numerical gradient of ``f``.

    Parameters
    ----------
    f : callable () -> float, reading ``arrays``
    arrays : dict name -> ndarray, perturbed and restored in place
    grads : dict with ``"d" + name`` for each name in ``arrays``
    h : float

    Returns
    -------
    errors : dict ``"d" + name`` -> relative error (float)
    """
    numeric = numerical_gradient(f, arrays, h)
    missing = [k for k in numeric if k not in grads]
    if missing:
        raise ValueError(f"gradient_check: grads is missing {', '.join(missing)}")
    return {k: relative_error(numeric[k], grads[k]) for k in numeric}
