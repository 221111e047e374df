"""The plain (Elman) recurrent neural network of the syllabus.

Lesson 02 (forward propagation) and lesson 03 (backprop through time).

One step, in the course's column convention (examples are columns)::

    a<t>     = tanh(W_aa a<t-1> + W_ax x<t> + b_a)  =  tanh(W_a [a<t-1>; x<t>] + b_a)
    y_hat<t> = g(W_ya a<t> + b_y)                     g = softmax (default) or sigmoid

Parameters live in a dict with the syllabus's names::

    Wax (n_a, n_x)   Waa (n_a, n_a)   ba (n_a, 1)   Wya (n_y, n_a)   by (n_y, 1)

``rnn_cell_forward`` / ``rnn_cell_backward`` are the readable one-step versions that
the exercises ask for.  ``rnn_forward`` / ``rnn_backward`` compute the same numbers
(the tests check it) but work on whole sequences at once: the input projection of
every step is one matrix product before the time loop, and the weight gradients are
one product after it, which is what makes them fast.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import Dims, as_array, as_rng, check_mask, float_dtype
from .caches import SequenceCache, StepCaches
from .output import check_output, output_forward, sequence_output_backward

__all__ = [
    "RNNCellCache", "init_rnn_params", "rnn_backward", "rnn_cell_backward",
    "rnn_cell_forward", "rnn_forward", "rnn_output_backward", "stack_weights",
]

#: symbolic shapes of the recurrent parameters
RNN_SHAPES = {"Wax": ("n_a", "n_x"), "Waa": ("n_a", "n_a"), "ba": ("n_a", 1)}
#: symbolic shapes of the prediction layer
OUTPUT_SHAPES = {"Wya": ("n_y", "n_a"), "by": ("n_y", 1)}


class RNNCellCache(NamedTuple):
    """Cache of one RNN step, in the course's order."""

    a_next: np.ndarray   #: (n_a, m) the new hidden state a<t>
    a_prev: np.ndarray   #: (n_a, m) the previous hidden state a<t-1>
    x_t: np.ndarray      #: (n_x, m) the input x<t>
    params: dict         #: the parameters used
    y_hat_t: np.ndarray | None = None  #: (n_y, m) the prediction, None without output layer
    output: str | None = "softmax"     #: the output activation used for y_hat_t


def _shapes(output):
    return {**RNN_SHAPES, **OUTPUT_SHAPES} if output is not None else RNN_SHAPES


def init_rnn_params(n_x: int, n_a: int, n_y: int | None, *, rng,
                    dtype=np.float64) -> dict:
    """Random parameters for :func:`rnn_forward`.

    Parameters
    ----------
    n_x, n_a : int
        Input and hidden sizes.
    n_y : int or None
        Output size; ``None`` leaves out the prediction layer (``Wya``, ``by``).
    rng : np.random.Generator or int seed
    dtype : float dtype, default float64

    Returns
    -------
    params : dict
        ``Wax`` (n_a, n_x), ``Waa`` (n_a, n_a), ``ba`` (n_a, 1) and, when ``n_y`` is
        given, ``Wya`` (n_y, n_a), ``by`` (n_y, 1).  Weights are drawn from
        N(0, 1 / fan_in) (fan_in = n_a + n_x for the recurrent weights, so the
        pre-activation keeps unit scale); biases are zero.
    """
    rng = as_rng("init_rnn_params", rng)
    scale = 1.0 / np.sqrt(n_a + n_x)
    params = {
        "Wax": rng.standard_normal((n_a, n_x)) * scale,
        "Waa": rng.standard_normal((n_a, n_a)) * scale,
        "ba": np.zeros((n_a, 1)),
    }
    if n_y is not None:
        params["Wya"] = rng.standard_normal((n_y, n_a)) / np.sqrt(n_a)
        params["by"] = np.zeros((n_y, 1))
    return {k: v.astype(dtype) for k, v in params.items()}


def stack_weights(Waa: np.ndarray, Wax: np.ndarray) -> np.ndarray:
    """The syllabus's ``W_a = [W_aa | W_ax]``: shape (n_a, n_a + n_x).

    ``stack_weights(Waa, Wax) @ np.vstack([a_prev, x_t])`` equals
    ``Waa @ a_prev + Wax @ x_t`` (lesson 02 verifies it).
    """
    Waa = as_array("stack_weights", "Waa", Waa)
    Wax = as_array("stack_weights", "Wax", Wax)
    if Waa.ndim != 2 or Wax.ndim != 2 or Waa.shape[0] != Waa.shape[1] or Wax.shape[0] != Waa.shape[0]:
        raise ValueError(f"stack_weights: expected Waa (n_a, n_a) and Wax (n_a, n_x), "
                         f"got {Waa.shape} and {Wax.shape}")
    return np.hstack([Waa, Wax])  # (n_a, n_a + n_x)


def rnn_cell_forward(x_t, a_prev, params, output: str | None = "softmax"):
    """One step of the RNN.

    Parameters
    ----------
    x_t : ndarray of shape (n_x, m)
        Input at step t, one column per example.
    a_prev : ndarray of shape (n_a, m)
        Hidden state a<t-1>.
    params : dict
        ``Wax`` (n_a, n_x), ``Waa`` (n_a, n_a), ``ba`` (n_a, 1), ``Wya`` (n_y, n_a),
        ``by`` (n_y, 1); the last two only when ``output`` is not None.
    output : {"softmax", "sigmoid", "identity"} or None
        Activation of the prediction; ``None`` computes no prediction.

    Returns
    -------
    a_next : ndarray of shape (n_a, m)
    y_hat_t : ndarray of shape (n_y, m), or None when ``output`` is None
    cache : RNNCellCache

    Notes
    -----
    ``a<t> = tanh(W_aa a<t-1> + W_ax x<t> + b_a)``, ``y_hat<t> = g(W_ya a<t> + b_y)``.
    """
    fn = "rnn_cell_forward"
    if output is not None:
        check_output(fn, output)
    d = Dims(fn)
    x_t = d.bind("x_t", x_t, ("n_x", "m"))
    a_prev = d.bind("a_prev", a_prev, ("n_a", "m"))
    p = d.bind_params(params, _shapes(output))

    a_next = np.tanh(p["Waa"] @ a_prev + p["Wax"] @ x_t + p["ba"])  # (n_a, m)
    y_hat_t = output_forward(a_next, p["Wya"], p["by"], output)[0] if output else None
    return a_next, y_hat_t, RNNCellCache(a_next, a_prev, x_t, p, y_hat_t, output)


def _check_cell_cache(fn: str, cache) -> RNNCellCache:
    if not (isinstance(cache, tuple) and len(cache) >= 4):
        raise TypeError(f"{fn}: cache must be the cache returned by rnn_cell_forward "
                        f"(a_next, a_prev, x_t, params, ...), got {type(cache).__name__}")
    return cache


def rnn_cell_backward(da_next, cache) -> dict:
    """Backward pass of one RNN step (the recurrent part, without the prediction).

    Parameters
    ----------
    da_next : ndarray of shape (n_a, m)
        Gradient of the loss with respect to a<t> (from the prediction at step t
        and from step t+1).
    cache : RNNCellCache from :func:`rnn_cell_forward`

    Returns
    -------
    grads : dict
        ``dx_t`` (n_x, m), ``da_prev`` (n_a, m), ``dWax`` (n_a, n_x),
        ``dWaa`` (n_a, n_a), ``dba`` (n_a, 1).

    Notes
    -----
    With ``dz = da_next * (1 - a_next**2)`` (tanh' in terms of its output):
    ``dx_t = W_ax^T dz``, ``da_prev = W_aa^T dz``, ``dW_ax = dz x_t^T``,
    ``dW_aa = dz a_prev^T``, ``db_a = sum over examples of dz``.
    """
    fn = "rnn_cell_backward"
    a_next, a_prev, x_t, params = _check_cell_cache(fn, cache)[:4]
    da_next = Dims(fn, n_a=a_next.shape[0], m=a_next.shape[1]).bind("da_next", da_next, ("n_a", "m"))

    dz = da_next * (1.0 - a_next * a_next)  # (n_a, m)
    return {
        "dx_t": params["Wax"].T @ dz,        # (n_x, m)
        "da_prev": params["Waa"].T @ dz,     # (n_a, m)
        "dWax": dz @ x_t.T,                  # (n_a, n_x)
        "dWaa": dz @ a_prev.T,               # (n_a, n_a)
        "dba": dz.sum(axis=1, keepdims=True),  # (n_a, 1)
    }


def rnn_forward(x, a0, params, output: str | None = "softmax", mask=None):
    """Run the RNN over a whole sequence.

    Parameters
    ----------
    x : ndarray of shape (n_x, m, T_x)
    a0 : ndarray of shape (n_a, m)
        Initial hidden state.
    params : dict
        As for :func:`rnn_cell_forward`.
    output : {"softmax", "sigmoid", "identity"} or None
    mask : ndarray of shape (m, T_x) of 0/1, optional
        0 marks a padded step: the hidden state is carried over unchanged.

    Returns
    -------
    a : ndarray of shape (n_a, m, T_x)
        Hidden states a<1> ... a<T_x>.
    y_hat : ndarray of shape (n_y, m, T_x), or None when ``output`` is None
    caches : SequenceCache
        ``(cells, x)``; ``cells[t]`` is the :class:`RNNCellCache` of step t.

    Notes
    -----
    Equal to calling :func:`rnn_cell_forward` for t = 1 ... T_x (tested); the input
    projection ``W_ax x<t> + b_a`` of all steps is computed as one product.
    """
    fn = "rnn_forward"
    if output is not None:
        check_output(fn, output)
    d = Dims(fn)
    x = d.bind("x", x, ("n_x", "m", "T_x"))
    a0 = d.bind("a0", a0, ("n_a", "m"))
    p = d.bind_params(params, _shapes(output))
    n_x, m, T = x.shape
    n_a = a0.shape[0]
    mask = check_mask(fn, mask, m, T)
    dtype = float_dtype(x, a0, *p.values())
    Waa = p["Waa"]

    # input projections of every step in one product, time-major so each step is contiguous
    z_in = (p["Wax"] @ x.reshape(n_x, m * T)).reshape(n_a, m, T) + p["ba"][:, :, None]
    z_in = np.ascontiguousarray(z_in.transpose(2, 0, 1), dtype=dtype)  # (T, n_a, m)
    states = np.empty((T + 1, n_a, m), dtype)   # states[t + 1] = a<t>, states[0] = a0
    states[0] = a0
    h = states[1:] if mask is None else np.empty((T, n_a, m), dtype)  # tanh outputs
    for t in range(T):
        np.tanh(np.matmul(Waa, states[t]) + z_in[t], out=h[t])
        if mask is not None:
            keep = mask[:, t]                   # (m,)
            states[t + 1] = keep * h[t] + (1.0 - keep) * states[t]
    a = np.ascontiguousarray(states[1:].transpose(1, 2, 0))  # (n_a, m, T)

    y_hat, out_cache = (output_forward(a, p["Wya"], p["by"], output) if output
                        else (None, None))

    def make_step(t):
        return RNNCellCache(h[t], states[t], x[:, :, t], p,
                            None if y_hat is None else y_hat[:, :, t], output)

    cells = StepCaches("rnn", T, make_step, states=states, h=h, params=p,
                       mask=mask, output_cache=out_cache)
    return a, y_hat, SequenceCache(cells, x)


def _check_caches(fn: str, caches):
    if not (isinstance(caches, tuple) and len(caches) == 2):
        raise TypeError(f"{fn}: caches must be the (cells, x) pair returned by the sequence "
                        f"forward, got {type(caches).__name__}")
    cells, x = caches
    x = as_array(fn, "caches.x", x)
    if x.ndim != 3 or len(cells) != x.shape[2]:
        raise ValueError(f"{fn}: caches hold {len(cells)} steps but x has shape {x.shape}")
    return cells, x


def _check_backward(fn: str, kind: str, da, caches, mask, dc=None):
    """The checks every sequence backward (``rnn``, ``gru``, ``lstm``) starts with.

    Returns ``cells, x, da, dc, mask, fast``: the checked caches, ``da`` (and ``dc``
    unless None) bound to shape (n_a, m, T_x), the mask (the forward's when none is
    given and the caches are the library's own) and whether they are, i.e. whether the
    stacked path of ``kind`` applies.
    """
    cells, x = _check_caches(fn, caches)
    _, m, T = x.shape
    fast = isinstance(cells, StepCaches) and cells.kind == kind
    d = Dims(fn, n_a=cells[0][0].shape[0], m=m, T_x=T)  # a<1> (c<1> for the GRU): (n_a, m)
    da = d.bind("da", da, ("n_a", "m", "T_x"))
    if dc is not None:
        dc = d.bind("dc", dc, ("n_a", "m", "T_x"))
    if mask is None and fast:
        mask = cells.stacked["mask"]
    return cells, x, da, dc, check_mask(fn, mask, m, T), fast


def rnn_backward(da, caches, mask=None) -> dict:
    """Backpropagation through time for the recurrent part of the RNN.

    Parameters
    ----------
    da : ndarray of shape (n_a, m, T_x)
        ``da[:, :, t]`` is the gradient flowing into a<t> from above (its prediction);
        the gradient from step t+1 is added inside the loop.
    caches : SequenceCache from :func:`rnn_forward` (or ``(list of RNNCellCache, x)``)
    mask : ndarray of shape (m, T_x), optional
        Defaults to the mask given to :func:`rnn_forward`.

    Returns
    -------
    grads : dict
        ``dx`` (n_x, m, T_x), ``da0`` (n_a, m), ``dWax`` (n_a, n_x),
        ``dWaa`` (n_a, n_a), ``dba`` (n_a, 1).

    Notes
    -----
    For t = T_x ... 1: ``g = da<t> + da_prev`` (from step t+1), then
    :func:`rnn_cell_backward` ``(g, cells[t])``; parameter gradients add up over t.
    """
    cells, x, da, _, mask, fast = _check_backward("rnn_backward", "rnn", da, caches, mask)
    n_a, m, T = da.shape
    if fast:
        return _rnn_backward_stacked(da, x, cells.stacked, mask)

    grads = {"dx": np.zeros_like(x, dtype=float_dtype(x, da)), "dWax": 0.0, "dWaa": 0.0, "dba": 0.0}
    da_prev = np.zeros((n_a, m), dtype=float_dtype(da))
    for t in reversed(range(T)):
        g = da[:, :, t] + da_prev                       # (n_a, m)
        keep = 1.0 if mask is None else mask[:, t]
        step = rnn_cell_backward(g * keep, cells[t])
        grads["dx"][:, :, t] = step["dx_t"]
        da_prev = step["da_prev"] + (1.0 - keep) * g    # padded steps pass g through
        for k in ("dWax", "dWaa", "dba"):
            grads[k] = grads[k] + step[k]
    grads["da0"] = da_prev
    return grads


def _rnn_backward_stacked(da, x, stacked, mask) -> dict:
    """BPTT on the stacked arrays of :func:`rnn_forward` (same result as the loop)."""
    states, h, p = stacked["states"], stacked["h"], stacked["params"]
    T, n_a, m = h.shape
    n_x = x.shape[0]
    WaaT = np.ascontiguousarray(p["Waa"].T)
    da_tm = da.transpose(2, 0, 1)                        # (T, n_a, m) view
    dz = np.empty_like(h)                                # (T, n_a, m)
    da_prev = np.zeros((n_a, m), dtype=h.dtype)
    for t in range(T - 1, -1, -1):
        g = da_tm[t] + da_prev
        if mask is None:
            np.multiply(g, 1.0 - h[t] * h[t], out=dz[t])
            da_prev = WaaT @ dz[t]
        else:
            keep = mask[:, t]
            np.multiply(g * keep, 1.0 - h[t] * h[t], out=dz[t])
            da_prev = WaaT @ dz[t] + (1.0 - keep) * g
    dz2 = dz.transpose(1, 0, 2).reshape(n_a, T * m)                  # (n_a, T*m)
    prev2 = states[:-1].transpose(1, 0, 2).reshape(n_a, T * m)       # (n_a, T*m)
    x2 = x.transpose(0, 2, 1).reshape(n_x, T * m)                    # (n_x, T*m)
    dx = (p["Wax"].T @ dz2).reshape(n_x, T, m).transpose(0, 2, 1)    # (n_x, m, T)
    return {
        "dx": np.ascontiguousarray(dx),
        "da0": da_prev,
        "dWax": dz2 @ x2.T,
        "dWaa": dz2 @ prev2.T,
        "dba": dz2.sum(axis=1, keepdims=True),
    }


def rnn_output_backward(dy_hat, caches) -> dict:
    """Gradients of the prediction layer ``y_hat<t> = g(W_ya a<t> + b_y)`` over a sequence.

    Parameters
    ----------
    dy_hat : ndarray of shape (n_y, m, T_x)
        Gradient of the loss with respect to ``y_hat`` (e.g. from :mod:`rnncourse.losses`).
    caches : SequenceCache from :func:`rnn_forward` called with an output activation

    Returns
    -------
    grads : dict
        ``da`` (n_a, m, T_x), to pass to :func:`rnn_backward`; ``dWya`` (n_y, n_a);
        ``dby`` (n_y, 1).
    """
    fn = "rnn_output_backward"
    cells, _ = _check_caches(fn, caches)
    return sequence_output_backward(fn, "rnn", dy_hat, cells, "a_next", weight="Wya")
