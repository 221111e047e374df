"""Gradient clipping and parameter updates.

Lesson 04 (vanishing and exploding gradients) introduces clipping: the syllabus's
clip *by value* (every entry into ``[-max_value, max_value]``) and clip *by global
norm* (scale all gradients together so their joint L2 norm is at most ``max_norm``,
which keeps the update's direction).  Both return new dicts and leave the caller's
gradients untouched.

:class:`SGD` and :class:`Adam` are the only code in the package that changes
parameters: their ``step`` **updates the arrays of ``params`` in place** (so layers
and models holding those arrays see the change) and returns nothing.

:func:`init_adam_state` and :func:`adam_update` are the same Adam as plain functions
(lesson 10 writes its training step with them): the state is a dict of arrays, and
the update returns new parameters and a new state, leaving its inputs unchanged.
"""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np

from ._validate import as_array, check_finite, require_keys

__all__ = ["Adam", "SGD", "adam_update", "clip_by_norm", "clip_by_value", "global_norm",
           "init_adam_state"]


def _check_grads(fn: str, grads) -> dict:
    if not isinstance(grads, Mapping):
        raise TypeError(f"{fn}: grads must be a dict of arrays, got {type(grads).__name__}")
    return {k: as_array(fn, f"grads['{k}']", v) for k, v in grads.items()}


def _check_positive(fn: str, name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{fn}: {name} must be a number, got {type(value).__name__}")
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{fn}: {name} must be a positive finite number, got {value}")
    return float(value)


def clip_by_value(grads, max_value: float) -> dict:
    """Clip every gradient entry into ``[-max_value, max_value]``.

    Parameters
    ----------
    grads : dict of str -> ndarray (any shapes)
    max_value : float > 0

    Returns
    -------
    clipped : dict with the same keys, shapes and dtypes (new arrays). NaN stays NaN
        (clipping must not hide a broken gradient).
    """
    fn = "clip_by_value"
    grads = _check_grads(fn, grads)
    max_value = _check_positive(fn, "max_value", max_value)
    return {k: np.clip(g, -max_value, max_value) for k, g in grads.items()}


def global_norm(grads) -> float:
    """Joint L2 norm ``sqrt(sum_k ||grads[k]||^2)`` of a dict of gradients."""
    grads = _check_grads("global_norm", grads)
    return float(math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))


def clip_by_norm(grads, max_norm: float) -> dict:
    """Rescale all gradients together so that their global norm is at most ``max_norm``.

    Parameters
    ----------
    grads : dict of str -> ndarray
    max_norm : float > 0

    Returns
    -------
    clipped : dict with the same keys, shapes and dtypes (new arrays):
        ``grads * min(1, max_norm / global_norm(grads))``.  The direction of the
        whole gradient is kept, unlike :func:`clip_by_value`.
    """
    fn = "clip_by_norm"
    grads = _check_grads(fn, grads)
    max_norm = _check_positive(fn, "max_norm", max_norm)
    norm = global_norm(grads)
    scale = 1.0 if not norm > max_norm else max_norm / norm
    return {k: (g * scale).astype(g.dtype, copy=False) for k, g in grads.items()}


class SGD:
    """Plain gradient descent: ``p -= learning_rate * dp`` for every parameter ``p``.

    ``step(params, grads)`` updates ``params`` **in place**; ``grads`` holds ``"d" + k``
    for every key ``k`` of ``params``.
    """

    def __init__(self, learning_rate: float = 0.01):
        self.learning_rate = _check_positive("SGD", "learning_rate", learning_rate)

    def step(self, params: dict, grads: dict) -> None:
        require_keys("SGD.step", "grads", grads, ["d" + k for k in params])
        for k, p in params.items():
            g = grads["d" + k]
            check_finite("SGD.step", f"grads['d{k}']", g)
            p -= self.learning_rate * g


class Adam:
    """Adam (Kingma & Ba, 2015) with bias correction; updates ``params`` **in place**.

    ``m = beta1 m + (1 - beta1) g``, ``v = beta2 v + (1 - beta2) g^2``,
    ``p -= lr * m_hat / (sqrt(v_hat) + eps)`` with ``m_hat = m / (1 - beta1^t)`` and
    ``v_hat = v / (1 - beta2^t)``.  Moments are kept per parameter name.
    """

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-8):
        self.learning_rate = _check_positive("Adam", "learning_rate", learning_rate)
        for name, b in (("beta1", beta1), ("beta2", beta2)):
            if not 0 <= b < 1:
                raise ValueError(f"Adam: {name} must be in [0, 1), got {b}")
        self.beta1, self.beta2 = float(beta1), float(beta2)
        self.eps = _check_positive("Adam", "eps", eps)
        self.t = 0
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}

    def step(self, params: dict, grads: dict) -> None:
        require_keys("Adam.step", "grads", grads, ["d" + k for k in params])
        self.t += 1
        c1 = 1.0 - self.beta1 ** self.t
        c2 = 1.0 - self.beta2 ** self.t
        for k, p in params.items():
            g = grads["d" + k]
            check_finite("Adam.step", f"grads['d{k}']", g)
            m = self.m.setdefault(k, np.zeros_like(p))
            v = self.v.setdefault(k, np.zeros_like(p))
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g
            p -= self.learning_rate * (m / c1) / (np.sqrt(v / c2) + self.eps)


#: Adam's default constants, used by :func:`adam_update` and the assignments
ADAM_BETA1, ADAM_BETA2, ADAM_EPS = 0.9, 0.999, 1e-8


def init_adam_state(params) -> dict:
    """Adam's state before the first update.

    Parameters
    ----------
    params : dict of str -> ndarray

    Returns
    -------
    state : dict
        ``{"t": 0, "m": {k: zeros like params[k]}, "v": {k: zeros like params[k]}}``.
    """
    if not isinstance(params, Mapping):
        raise TypeError(f"init_adam_state: params must be a dict of arrays, got "
                        f"{type(params).__name__}")
    params = {k: as_array("init_adam_state", f"params['{k}']", v) for k, v in params.items()}
    return {"t": 0, "m": {k: np.zeros_like(p) for k, p in params.items()},
            "v": {k: np.zeros_like(p) for k, p in params.items()}}


def adam_update(params, grads, state, learning_rate: float, beta1: float = ADAM_BETA1,
                beta2: float = ADAM_BETA2, eps: float = ADAM_EPS) -> tuple[dict, dict]:
    """One Adam update, without touching its inputs.

    Parameters
    ----------
    params : dict of str -> ndarray
    grads : dict with ``"d" + k`` of the shape of ``params[k]`` for every ``k``
    state : dict from :func:`init_adam_state` (or the previous update)
    learning_rate : float > 0

    Returns
    -------
    new_params, new_state : dicts of new arrays.  With ``t = state["t"] + 1``:
        ``m = beta1 m + (1 - beta1) g``, ``v = beta2 v + (1 - beta2) g**2``,
        ``p - learning_rate * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + eps)``.
    """
    fn = "adam_update"
    learning_rate = _check_positive(fn, "learning_rate", learning_rate)
    if not isinstance(params, Mapping):
        raise TypeError(f"{fn}: params must be a dict of arrays, got {type(params).__name__}")
    grads = _check_grads(fn, grads)
    require_keys(fn, "grads", grads, ["d" + k for k in params])
    if not (isinstance(state, Mapping) and {"t", "m", "v"} <= set(state)):
        raise TypeError(f"{fn}: state must be the dict {{'t', 'm', 'v'}} of init_adam_state, "
                        f"got {type(state).__name__}")
    t = state["t"]
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 0:
        raise ValueError(f"{fn}: state['t'] must be a count of updates >= 0, got {t!r}")
    require_keys(fn, "state['m']", state["m"], params)
    require_keys(fn, "state['v']", state["v"], params)
    t = int(t) + 1
    c1, c2 = 1.0 - beta1 ** t, 1.0 - beta2 ** t
    new_params, new_m, new_v = {}, {}, {}
    for k, p in params.items():
        g = grads["d" + k]
        if g.shape != np.shape(p):
            raise ValueError(f"{fn}: grads['d{k}'] must have the shape of params['{k}'], "
                             f"{np.shape(p)}, got {g.shape}")
        check_finite(fn, f"grads['d{k}']", g)
        m = beta1 * state["m"][k] + (1.0 - beta1) * g
        v = beta2 * state["v"][k] + (1.0 - beta2) * g * g
        new_params[k] = p - learning_rate * (m / c1) / (np.sqrt(v / c2) + eps)
        new_m[k], new_v[k] = m, v
    return new_params, {"t": t, "m": new_m, "v": new_v}
