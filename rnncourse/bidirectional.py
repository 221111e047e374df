"""Bidirectional RNN over any recurrent cell of :data:`rnncourse.cells.CELLS`.

Lesson 07 (bidirectional RNN).  Two independent recurrent layers read the sequence,
one from left to right and one from right to left; the prediction at step t sees
both, so it can use information from the past *and* from the future::

    a_fwd<t> = cell_fwd(x<t>, a_fwd<t-1>)         t = 1 ... T_x
    a_bwd<t> = cell_bwd(x<t>, a_bwd<t+1>)         t = T_x ... 1
    y_hat<t> = g(W_y [a_fwd<t>; a_bwd<t>] + b_y)

The right-to-left direction is exactly the cell's ordinary forward run on ``x``
reversed in time, its states reversed back afterwards (the tests check this).  This
module holds no gate arithmetic: both directions call ``CELLS[cell].forward`` and
``CELLS[cell].backward``, so ``cell`` may be ``"rnn"``, ``"gru"``, ``"lstm"`` or any
cell registered later.

Parameters are a dict::

    {"fwd": {cell parameters}, "bwd": {cell parameters},
     "Wy": (n_y, 2 n_a), "by": (n_y, 1)}          # Wy, by only with an output layer

Padding.  With a mask, a padded step carries the state over unchanged (the cells'
convention).  Reversing the whole padded sequence therefore puts the padding
*first* for the right-to-left direction, where it keeps ``a0_bwd`` untouched until
the last real step: each sequence's real steps are read exactly as if they had been
reversed on their own, and padded steps change nothing.  On padded steps the
returned states are carried-over values (``a_bwd`` equals ``a0_bwd`` there) and
``y_hat`` is meaningless; losses drop them with the same mask.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ._validate import Dims, as_rng, check_mask, require_keys
from .cells import get_cell
from .output import OutputCache, check_output, output_backward, output_forward

__all__ = ["BRNNCache", "brnn_backward", "brnn_forward", "init_brnn_params"]


class BRNNCache(NamedTuple):
    """Cache of :func:`brnn_forward`."""

    fwd: Any                    #: cache of the left-to-right cell forward
    bwd: Any                    #: cache of the right-to-left cell forward (on reversed x)
    output_cache: OutputCache | None  #: the prediction layer's cache, None without output
    x: np.ndarray               #: (n_x, m, T_x) the input
    cell: str                   #: name of the cell in CELLS
    n_a: int                    #: hidden size of each direction


def init_brnn_params(n_x: int, n_a: int, n_y: int | None, *, cell: str = "rnn", rng,
                     dtype=np.float64) -> dict:
    """Random parameters for :func:`brnn_forward`.

    Parameters
    ----------
    n_x, n_a : int
        Input size and hidden size of *each* direction.
    n_y : int or None
        Output size; ``None`` leaves out ``Wy``, ``by`` (a BRNN layer inside a deep RNN).
    cell : str, a key of CELLS
    rng : np.random.Generator or int seed
    dtype : float dtype

    Returns
    -------
    params : dict
        ``"fwd"``, ``"bwd"``: the cell's parameters, drawn independently;
        ``"Wy"`` (n_y, 2 n_a) ~ N(0, 1 / (2 n_a)) and ``"by"`` (n_y, 1) = 0.
    """
    fn = "init_brnn_params"
    spec = get_cell(cell, fn)
    rng = as_rng(fn, rng)
    params = {"fwd": spec.init_params(n_x, n_a, rng, dtype=dtype),
              "bwd": spec.init_params(n_x, n_a, rng, dtype=dtype)}
    if n_y is not None:
        params["Wy"] = (rng.standard_normal((n_y, 2 * n_a)) / np.sqrt(2 * n_a)).astype(dtype)
        params["by"] = np.zeros((n_y, 1), dtype=dtype)
    return params


def _run_direction(fn: str, direction: str, call, *args):
    """Call a cell function and prefix its error message with the direction."""
    try:
        return call(*args)
    except (ValueError, TypeError) as err:
        raise type(err)(f"{fn}, direction '{direction}': {err}") from err


def brnn_forward(x, a0_fwd, a0_bwd, params, cell: str = "rnn",
                 output: str | None = "softmax", mask=None):
    """Run a bidirectional RNN over a whole sequence.

    Parameters
    ----------
    x : ndarray of shape (n_x, m, T_x)
    a0_fwd : ndarray of shape (n_a, m)
        Initial state of the left-to-right direction (before step 1).
    a0_bwd : ndarray of shape (n_a, m)
        Initial state of the right-to-left direction (after step T_x).
    params : dict
        ``"fwd"`` and ``"bwd"``: parameter dicts of ``cell``; ``"Wy"`` (n_y, 2 n_a)
        and ``"by"`` (n_y, 1) unless ``output`` is None.
    cell : str, default "rnn"
        A key of :data:`rnncourse.cells.CELLS`.
    output : {"softmax", "sigmoid", "identity"} or None
        Activation g of the prediction; None computes no prediction.
    mask : ndarray of shape (m, T_x) of 0/1, optional
        0 marks padding; see the module docstring.

    Returns
    -------
    a : ndarray of shape (2 n_a, m, T_x)
        ``a[:n_a]`` = a_fwd (left-to-right states), ``a[n_a:]`` = a_bwd (right-to-left
        states), both indexed by the same t.
    y_hat : ndarray of shape (n_y, m, T_x), or None when ``output`` is None
    caches : BRNNCache

    Notes
    -----
    ``y_hat<t> = g(W_y [a_fwd<t>; a_bwd<t>] + b_y)``; the right-to-left states are
    ``a_bwd = reverse_t(cell_forward(reverse_t(x), a0_bwd))``.
    """
    fn = "brnn_forward"
    spec = get_cell(cell, fn)
    if output is not None:
        check_output(fn, output)
    d = Dims(fn)
    x = d.bind("x", x, ("n_x", "m", "T_x"))
    a0_fwd = d.bind("a0_fwd", a0_fwd, ("n_a", "m"))
    a0_bwd = d.bind("a0_bwd", a0_bwd, ("n_a", "m"))
    require_keys(fn, "params", params, ["fwd", "bwd"] + (["Wy", "by"] if output else []))
    n_a, (_, m, T) = a0_fwd.shape[0], x.shape
    mask = check_mask(fn, mask, m, T)

    a_f, cache_f = _run_direction(fn, "fwd", spec.forward, x, a0_fwd, params["fwd"], mask)
    x_rev = x[:, :, ::-1]                                        # (n_x, m, T_x), time reversed
    mask_rev = None if mask is None else mask[:, ::-1]           # (m, T_x)
    a_r, cache_b = _run_direction(fn, "bwd", spec.forward, x_rev, a0_bwd, params["bwd"], mask_rev)
    a = np.concatenate([a_f, a_r[:, :, ::-1]], axis=0)           # (2 n_a, m, T_x)

    y_hat, out_cache = None, None
    if output is not None:
        d_out = Dims(fn, **{"2 n_a": 2 * n_a})
        d_out.source["2 n_a"] = "a0_fwd"
        Wy = d_out.bind("params['Wy']", params["Wy"], ("n_y", "2 n_a"))
        by = d_out.bind("params['by']", params["by"], ("n_y", 1))
        y_hat, out_cache = output_forward(a, Wy, by, output)      # (n_y, m, T_x)
    return a, y_hat, BRNNCache(cache_f, cache_b, out_cache, x, cell, n_a)


def brnn_backward(dy_hat, caches, *, da=None) -> dict:
    """Backward pass of :func:`brnn_forward`: gradients of every parameter and input.

    Parameters
    ----------
    dy_hat : ndarray of shape (n_y, m, T_x), or None
        Gradient of the loss with respect to ``y_hat`` (e.g. from
        :func:`rnncourse.losses.softmax_cross_entropy`).  ``None`` when the forward
        pass had no output layer.
    caches : BRNNCache from :func:`brnn_forward`
    da : ndarray of shape (2 n_a, m, T_x), optional, keyword-only
        Gradient reaching the states ``a`` from elsewhere (in a deep RNN: from the
        layer above).  Added to what flows back from ``y_hat``.  At least one of
        ``dy_hat`` and ``da`` must be given.

    Returns
    -------
    grads : dict
        ``"fwd"``, ``"bwd"``: dicts ``"d" + k`` for each parameter ``k`` of the cell
        (same shapes as ``params["fwd"]`` and ``params["bwd"]``);
        ``"dWy"`` (n_y, 2 n_a) and ``"dby"`` (n_y, 1) when there is an output layer;
        ``"dx"`` (n_x, m, T_x): sum of both directions' input gradients;
        ``"da0_fwd"``, ``"da0_bwd"`` (n_a, m).

    Notes
    -----
    ``da_total = W_y^T dz + da`` splits into its first n_a rows (sent through the
    left-to-right cell's backward) and its last n_a rows (reversed in time, sent
    through the right-to-left cell's backward; its ``dx`` is reversed back).
    """
    fn = "brnn_backward"
    if not isinstance(caches, BRNNCache):
        raise TypeError(f"{fn}: caches must be the BRNNCache returned by brnn_forward, "
                        f"got {type(caches).__name__}")
    cache_f, cache_b, out_cache, x, cell, n_a = caches
    spec = get_cell(cell, fn)
    n_x, m, T = x.shape
    if dy_hat is None and da is None:
        raise ValueError(f"{fn}: give dy_hat, da or both (got neither)")
    d = Dims(fn, m=m, T_x=T, **{"2 n_a": 2 * n_a})
    total = None
    grads: dict = {}
    if dy_hat is not None:
        if out_cache is None:
            raise ValueError(f"{fn}: dy_hat was given but brnn_forward ran with output=None")
        dy_hat = d.bind("dy_hat", dy_hat, (out_cache.y_hat.shape[0], "m", "T_x"))
        g = output_backward(dy_hat, out_cache)
        total = g["da"]                                          # (2 n_a, m, T_x)
        grads["dWy"], grads["dby"] = g["dWy"], g["dby"]
    if da is not None:
        da = d.bind("da", da, ("2 n_a", "m", "T_x"))
        total = da if total is None else total + da

    g_f = _run_direction(fn, "fwd", spec.backward, np.ascontiguousarray(total[:n_a]), cache_f)
    da_rev = np.ascontiguousarray(total[n_a:, :, ::-1])          # (n_a, m, T_x), reversed time
    g_b = _run_direction(fn, "bwd", spec.backward, da_rev, cache_b)
    names = spec.param_names
    grads["fwd"] = {"d" + k: g_f["d" + k] for k in names}
    grads["bwd"] = {"d" + k: g_b["d" + k] for k in names}
    grads["dx"] = g_f["dx"] + g_b["dx"][:, :, ::-1]              # (n_x, m, T_x)
    grads["da0_fwd"] = g_f["da0"]
    grads["da0_bwd"] = g_b["da0"]
    return grads
