"""The prediction layer ``y_hat = g(W_y a + b_y)`` shared by every recurrent model.

Lesson 02 introduces it for the plain RNN (``y_hat<t> = g(W_ya a<t> + b_y)``), where
the weight is called ``Wya``; the gated models (lessons 05-06) call it ``Wy``.  It is
the same affine map followed by ``softmax`` (one class per step, the default) or
``sigmoid`` (independent yes/no units, the syllabus's binary loss), applied to one
step ``(n_a, m)`` or to a whole sequence ``(n_a, m, T)`` at once.
:func:`sequence_output_backward` is its backward over a sequence cache, behind
``rnn_output_backward``, ``gru_output_backward`` and ``lstm_output_backward``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import Dims
from .activations import identity, sigmoid, sigmoid_derivative, softmax, softmax_backward
from .caches import StepCaches

__all__ = ["OUTPUTS", "OutputCache", "output_backward", "output_forward"]

#: output activations a recurrent model may use for ``y_hat``
OUTPUTS = ("softmax", "sigmoid", "identity")


class OutputCache(NamedTuple):
    """What :func:`output_backward` needs: the input, the weights and the prediction."""

    a: np.ndarray
    Wy: np.ndarray
    y_hat: np.ndarray
    output: str


def check_output(fn: str, output: str) -> None:
    """Raise ``ValueError`` unless ``output`` names a supported output activation."""
    if output not in OUTPUTS:
        raise ValueError(f"{fn}: output must be one of {', '.join(map(repr, OUTPUTS))}, got {output!r}")


def _project(W: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``W @ a`` for ``a`` of shape (n, m) or (n, m, T), as one matrix product."""
    if a.ndim == 2:
        return W @ a
    n, m, T = a.shape
    return (W @ a.reshape(n, m * T)).reshape(W.shape[0], m, T)  # (n_y, m, T)


def output_forward(a: np.ndarray, Wy: np.ndarray, by: np.ndarray,
                   output: str = "softmax") -> tuple[np.ndarray, OutputCache]:
    """Predictions from hidden states.

    Parameters
    ----------
    a : ndarray of shape (n_a, m) or (n_a, m, T)
    Wy : ndarray of shape (n_y, n_a)
    by : ndarray of shape (n_y, 1)
    output : {"softmax", "sigmoid", "identity"}

    Returns
    -------
    y_hat : ndarray of shape (n_y, m) or (n_y, m, T)
    cache : OutputCache

    Notes
    -----
    ``y_hat = g(W_y a + b_y)``; softmax normalises over the unit axis 0.
    Inputs are assumed checked by the calling model.
    """
    z = _project(Wy, a)
    z += by if a.ndim == 2 else by[:, :, None]
    y_hat = {"softmax": softmax, "sigmoid": sigmoid, "identity": identity}[output](z)
    return y_hat, OutputCache(a, Wy, y_hat, output)


def output_backward(dy_hat: np.ndarray, cache: OutputCache) -> dict:
    """Gradients of the prediction layer.

    Parameters
    ----------
    dy_hat : ndarray of the shape of ``y_hat``, (n_y, m) or (n_y, m, T)
        gradient of the loss with respect to the predictions
    cache : OutputCache from :func:`output_forward`

    Returns
    -------
    grads : dict
        ``da`` of the shape of ``a``, ``dWy`` (n_y, n_a), ``dby`` (n_y, 1).
    """
    a, Wy, y_hat, output = cache
    if output == "softmax":
        dz = softmax_backward(dy_hat, y_hat)
    elif output == "sigmoid":
        dz = dy_hat * sigmoid_derivative(y_hat)
    else:
        dz = dy_hat
    n_a, n_y = a.shape[0], dz.shape[0]
    a2, dz2 = a.reshape(n_a, -1), dz.reshape(n_y, -1)  # (n_a, m*T), (n_y, m*T)
    return {
        "da": _project(Wy.T, dz),
        "dWy": dz2 @ a2.T,
        "dby": dz2.sum(axis=1, keepdims=True),
    }


def sequence_output_backward(fn: str, kind: str, dy_hat, cells, state_field: str,
                             weight: str = "Wy") -> dict:
    """Backward of ``y_hat<t> = g(W_y a<t> + b_y)`` over all steps of a sequence cache.

    Parameters
    ----------
    fn : str
        Name of the public function, for error messages.
    kind : {"rnn", "gru", "lstm"}
        The model whose :class:`~rnncourse.caches.StepCaches` hold the stacked output
        cache (read directly); any other ``cells`` is a list of cell caches.
    dy_hat : ndarray of shape (n_y, m, T_x)
    cells : the ``cells`` part of a :class:`~rnncourse.caches.SequenceCache`
    state_field : str
        The cell-cache field holding the hidden state the prediction reads
        (``"a_next"``, or ``"c_next"`` for the GRU); stacked over time with the
        cells' ``y_hat_t`` when ``cells`` is a list.
    weight : str
        The model's name for the weight: ``"Wya"`` (plain RNN) or ``"Wy"`` (gated).

    Returns
    -------
    grads : dict
        ``da`` (n_a, m, T_x), ``"d" + weight`` (n_y, n_a), ``dby`` (n_y, 1).
    """
    if isinstance(cells, StepCaches) and cells.kind == kind:
        out_cache = cells.stacked["output_cache"]
    else:
        first = cells[0]
        out_cache = None if first.y_hat_t is None else OutputCache(
            np.stack([getattr(c, state_field) for c in cells], axis=2), first.params[weight],
            np.stack([c.y_hat_t for c in cells], axis=2), first.output)  # (n_a|n_y, m, T_x)
    if out_cache is None:
        raise ValueError(f"{fn}: the forward pass was run with output=None, so there is no "
                         f"prediction layer to differentiate")
    n_y, m, T = out_cache.y_hat.shape
    dy_hat = Dims(fn, n_y=n_y, m=m, T_x=T).bind("dy_hat", dy_hat, ("n_y", "m", "T_x"))
    g = output_backward(dy_hat, out_cache)
    return {"da": g["da"], "d" + weight: g["dWy"], "dby": g["dby"]}
