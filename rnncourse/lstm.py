"""The Long Short-Term Memory (LSTM) of the syllabus (no peephole connections).

Lesson 06 (long short-term memory).

One step, in the course's column convention (examples are columns)::

    c_tilde  = tanh(W_c [a<t-1>; x<t>] + b_c)          candidate memory
    Gamma_u  = sigmoid(W_u [a<t-1>; x<t>] + b_u)       update gate
    Gamma_f  = sigmoid(W_f [a<t-1>; x<t>] + b_f)       forget gate
    Gamma_o  = sigmoid(W_o [a<t-1>; x<t>] + b_o)       output gate
    c<t>     = Gamma_u * c_tilde + Gamma_f * c<t-1>
    a<t>     = Gamma_o * tanh(c<t>)
    y_hat<t> = g(W_y a<t> + b_y)                       g = softmax (default) or sigmoid

Parameters live in a dict with the syllabus's names; every gate matrix acts on the
stacked column ``[a<t-1>; x<t>]`` of height ``n_a + n_x``::

    Wf, Wu, Wc, Wo (n_a, n_a + n_x)   bf, bu, bc, bo (n_a, 1)   Wy (n_y, n_a)   by (n_y, 1)

Unlike the GRU, the LSTM has two states: the memory cell ``c`` and the hidden state
``a`` read out of it through the output gate.  PyTorch's ``nn.LSTM`` is the same
model with other names: its input gate ``i`` is ``Gamma_u``, ``f`` is ``Gamma_f``,
``g`` is ``c_tilde``, ``o`` is ``Gamma_o``, and it keeps separate input and hidden
weights and two biases per gate (their sum plays the role of ``b``).

``lstm_cell_forward`` / ``lstm_cell_backward`` are the readable one-step versions
the exercises ask for.  ``lstm_forward`` / ``lstm_backward`` compute the same numbers
(the tests check it) on whole sequences: the four gate matrices are stacked so that
each step is one matrix product, the input part of all gates for all steps is one
product before the time loop, and all weight gradients are one product after it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._gates import OUTPUT_SHAPES, STACKED, bind_stacked, from_time_major, sigmoid_of_negated
from ._validate import Dims, as_rng, check_mask, float_dtype
from .activations import sigmoid
from .caches import SequenceCache, StepCaches
from .output import check_output, output_forward, sequence_output_backward
from .rnn import _check_backward, _check_caches

__all__ = [
    "LSTM_SHAPES", "LSTMCellCache", "init_lstm_params", "lstm_backward", "lstm_cell_backward",
    "lstm_cell_forward", "lstm_forward", "lstm_output_backward",
]

#: symbolic shapes of the recurrent parameters
LSTM_SHAPES = {
    "Wf": ("n_a", STACKED), "Wu": ("n_a", STACKED), "Wc": ("n_a", STACKED), "Wo": ("n_a", STACKED),
    "bf": ("n_a", 1), "bu": ("n_a", 1), "bc": ("n_a", 1), "bo": ("n_a", 1),
}
#: order of the gates in the stacked arrays of the fast path: the three sigmoid
#: gates first (one in-place sigmoid over a contiguous block), the candidate last
_GATES = ("f", "u", "o", "c")


class LSTMCellCache(NamedTuple):
    """Cache of one LSTM step, in the course's order (post-activation values)."""

    a_next: np.ndarray       #: (n_a, m) the new hidden state a<t>
    c_next: np.ndarray       #: (n_a, m) the new memory cell c<t>
    a_prev: np.ndarray       #: (n_a, m) the previous hidden state a<t-1>
    c_prev: np.ndarray       #: (n_a, m) the previous memory cell c<t-1>
    x_t: np.ndarray          #: (n_x, m) the input x<t>
    params: dict             #: the parameters used
    c_tilde: np.ndarray      #: (n_a, m) the candidate
    Gamma_u: np.ndarray      #: (n_a, m) the update gate
    Gamma_f: np.ndarray      #: (n_a, m) the forget gate
    Gamma_o: np.ndarray      #: (n_a, m) the output gate
    tanh_c_next: np.ndarray  #: (n_a, m) tanh(c<t>), so backward need not recompute it
    y_hat_t: np.ndarray | None = None  #: (n_y, m) the prediction, None without output layer
    output: str | None = "softmax"     #: the output activation used for y_hat_t


def _shapes(output):
    return {**LSTM_SHAPES, **OUTPUT_SHAPES} if output is not None else LSTM_SHAPES


def init_lstm_params(n_x: int, n_a: int, n_y: int | None, *, rng, dtype=np.float64,
                     forget_bias: float = 1.0) -> dict:
    """Random parameters for :func:`lstm_forward`.

    Parameters
    ----------
    n_x, n_a : int
        Input and hidden sizes.
    n_y : int or None
        Output size; ``None`` leaves out the prediction layer (``Wy``, ``by``).
    rng : np.random.Generator or int seed
    dtype : float dtype, default float64
    forget_bias : float, default 1.0
        Initial value of ``bf``.  With ``bf = 1`` the forget gate starts near
        sigmoid(1) = 0.73 instead of 0.5, so the memory cell keeps most of its content
        from step to step and gradients reach early steps from the first update
        (Gers et al. 2000; Jozefowicz et al. 2015).

    Returns
    -------
    params : dict
        ``Wf``, ``Wu``, ``Wc``, ``Wo`` (n_a, n_a + n_x) drawn from N(0, 1 / (n_a + n_x));
        ``bf`` (n_a, 1) = ``forget_bias``, ``bu``, ``bc``, ``bo`` (n_a, 1) zero; and,
        when ``n_y`` is given, ``Wy`` (n_y, n_a) from N(0, 1 / n_a), ``by`` (n_y, 1) zero.
    """
    rng = as_rng("init_lstm_params", rng)
    scale = 1.0 / np.sqrt(n_a + n_x)
    params = {}
    for gate in ("f", "u", "c", "o"):
        params["W" + gate] = rng.standard_normal((n_a, n_a + n_x)) * scale
    for gate in ("f", "u", "c", "o"):
        params["b" + gate] = np.zeros((n_a, 1))
    params["bf"] += forget_bias
    if n_y is not None:
        params["Wy"] = rng.standard_normal((n_y, n_a)) / np.sqrt(n_a)
        params["by"] = np.zeros((n_y, 1))
    return {k: v.astype(dtype) for k, v in params.items()}


def lstm_cell_forward(x_t, a_prev, c_prev, params, output: str | None = "softmax"):
    """One step of the LSTM.

    Parameters
    ----------
    x_t : ndarray of shape (n_x, m)
        Input at step t, one column per example.
    a_prev : ndarray of shape (n_a, m)
        Hidden state a<t-1>.
    c_prev : ndarray of shape (n_a, m)
        Memory cell c<t-1>.
    params : dict
        ``Wf``, ``Wu``, ``Wc``, ``Wo`` (n_a, n_a + n_x); ``bf``, ``bu``, ``bc``, ``bo``
        (n_a, 1); ``Wy`` (n_y, n_a) and ``by`` (n_y, 1) when ``output`` is not None.
    output : {"softmax", "sigmoid", "identity"} or None
        Activation of the prediction; ``None`` computes no prediction.

    Returns
    -------
    a_next : ndarray of shape (n_a, m)
    c_next : ndarray of shape (n_a, m)
    y_hat_t : ndarray of shape (n_y, m), or None when ``output`` is None
    cache : LSTMCellCache

    Notes
    -----
    With ``concat = [a<t-1>; x<t>]``: ``c_tilde = tanh(W_c concat + b_c)``,
    ``Gamma_u = sigmoid(W_u concat + b_u)``, ``Gamma_f = sigmoid(W_f concat + b_f)``,
    ``Gamma_o = sigmoid(W_o concat + b_o)``,
    ``c<t> = Gamma_u * c_tilde + Gamma_f * c<t-1>``, ``a<t> = Gamma_o * tanh(c<t>)``.
    """
    fn = "lstm_cell_forward"
    if output is not None:
        check_output(fn, output)
    d = Dims(fn)
    x_t = d.bind("x_t", x_t, ("n_x", "m"))
    a_prev = d.bind("a_prev", a_prev, ("n_a", "m"))
    c_prev = d.bind("c_prev", c_prev, ("n_a", "m"))
    bind_stacked(d, "a_prev", "x_t")
    p = d.bind_params(params, _shapes(output))

    concat = np.concatenate([a_prev, x_t], axis=0)        # (n_a + n_x, m)
    c_tilde = np.tanh(p["Wc"] @ concat + p["bc"])         # (n_a, m)
    Gamma_u = sigmoid(p["Wu"] @ concat + p["bu"])         # (n_a, m)
    Gamma_f = sigmoid(p["Wf"] @ concat + p["bf"])         # (n_a, m)
    Gamma_o = sigmoid(p["Wo"] @ concat + p["bo"])         # (n_a, m)
    c_next = Gamma_u * c_tilde + Gamma_f * c_prev         # (n_a, m)
    tanh_c_next = np.tanh(c_next)
    a_next = Gamma_o * tanh_c_next                        # (n_a, m)

    y_hat_t = output_forward(a_next, p["Wy"], p["by"], output)[0] if output else None
    cache = LSTMCellCache(a_next, c_next, a_prev, c_prev, x_t, p, c_tilde, Gamma_u, Gamma_f,
                          Gamma_o, tanh_c_next, y_hat_t, output)
    return a_next, c_next, y_hat_t, cache


def _check_cell_cache(fn: str, cache) -> LSTMCellCache:
    if not (isinstance(cache, tuple) and len(cache) >= 11):
        raise TypeError(f"{fn}: cache must be the cache returned by lstm_cell_forward "
                        f"(a_next, c_next, a_prev, c_prev, x_t, params, c_tilde, Gamma_u, "
                        f"Gamma_f, Gamma_o, tanh_c_next, ...), got {type(cache).__name__}")
    return cache


def lstm_cell_backward(da_next, dc_next, cache) -> dict:
    """Backward pass of one LSTM step (the recurrent part, without the prediction).

    Parameters
    ----------
    da_next : ndarray of shape (n_a, m)
        Gradient of the loss with respect to a<t> (from the prediction at step t and
        from step t+1).
    dc_next : ndarray of shape (n_a, m)
        Gradient of the loss with respect to c<t> from step t+1 (zeros at the last step).
    cache : LSTMCellCache from :func:`lstm_cell_forward`

    Returns
    -------
    grads : dict
        ``dx_t`` (n_x, m), ``da_prev`` (n_a, m), ``dc_prev`` (n_a, m), ``dWf``, ``dWu``,
        ``dWc``, ``dWo`` (n_a, n_a + n_x), ``dbf``, ``dbu``, ``dbc``, ``dbo`` (n_a, 1).

    Notes
    -----
    Each block undoes one line of :func:`lstm_cell_forward`, bottom to top, with the
    same names plus a ``d``.  ``c<t>`` receives gradient twice: through
    ``a<t> = Gamma_o * tanh(c<t>)`` and directly from step t+1 (``dc_next``).
    ``sigmoid' = s (1 - s)`` and ``tanh' = 1 - t**2`` use the stored outputs.
    """
    fn = "lstm_cell_backward"
    (a_next, c_next, a_prev, c_prev, x_t, params, c_tilde, Gamma_u, Gamma_f, Gamma_o,
     tanh_c_next) = _check_cell_cache(fn, cache)[:11]
    n_a, m = a_next.shape
    d = Dims(fn, n_a=n_a, m=m)
    da_next = d.bind("da_next", da_next, ("n_a", "m"))
    dc_next = d.bind("dc_next", dc_next, ("n_a", "m"))
    concat = np.concatenate([a_prev, x_t], axis=0)        # (n_a + n_x, m)

    # a_next = Gamma_o * tanh_c_next
    dGamma_o = da_next * tanh_c_next
    dtanh_c_next = da_next * Gamma_o
    # tanh_c_next = tanh(c_next); c_next also gets dc_next from step t+1
    dc_next = dc_next + dtanh_c_next * (1.0 - tanh_c_next * tanh_c_next)
    # c_next = Gamma_u * c_tilde + Gamma_f * c_prev
    dGamma_u = dc_next * c_tilde
    dc_tilde = dc_next * Gamma_u
    dGamma_f = dc_next * c_prev
    dc_prev = dc_next * Gamma_f
    # each gate = activation(W concat + b): back to the pre-activations z
    dz_o = dGamma_o * Gamma_o * (1.0 - Gamma_o)
    dz_f = dGamma_f * Gamma_f * (1.0 - Gamma_f)
    dz_u = dGamma_u * Gamma_u * (1.0 - Gamma_u)
    dz_c = dc_tilde * (1.0 - c_tilde * c_tilde)
    grads = {}
    dconcat = 0.0
    for gate, dz in (("f", dz_f), ("u", dz_u), ("c", dz_c), ("o", dz_o)):
        grads["dW" + gate] = dz @ concat.T                # (n_a, n_a + n_x)
        grads["db" + gate] = dz.sum(axis=1, keepdims=True)  # (n_a, 1)
        dconcat = dconcat + params["W" + gate].T @ dz     # (n_a + n_x, m)
    # concat = [a_prev; x_t]
    return {"dx_t": dconcat[n_a:], "da_prev": dconcat[:n_a], "dc_prev": dc_prev, **grads}


def lstm_forward(x, a0, params, c0=None, output: str | None = "softmax", mask=None):
    """Run the LSTM over a whole sequence.

    Parameters
    ----------
    x : ndarray of shape (n_x, m, T_x)
    a0 : ndarray of shape (n_a, m)
        Initial hidden state.
    params : dict
        As for :func:`lstm_cell_forward`.
    c0 : ndarray of shape (n_a, m), optional
        Initial memory cell; zeros by default.
    output : {"softmax", "sigmoid", "identity"} or None
    mask : ndarray of shape (m, T_x) of 0/1, optional
        0 marks a padded step: hidden state and memory cell are carried over unchanged.

    Returns
    -------
    a : ndarray of shape (n_a, m, T_x)
        Hidden states a<1> ... a<T_x>.
    y_hat : ndarray of shape (n_y, m, T_x), or None when ``output`` is None
    c : ndarray of shape (n_a, m, T_x)
        Memory cells c<1> ... c<T_x>.
    caches : SequenceCache
        ``(cells, x)``; ``cells[t]`` is the :class:`LSTMCellCache` of step t.

    Notes
    -----
    Equal to calling :func:`lstm_cell_forward` for t = 1 ... T_x (tested).  Arrays are
    time-major, ``(T_x, m, units)``, so each step's slice is contiguous; the four gate
    matrices are stacked so that a step is one matrix product ``a<t-1> -> 4 n_a``
    pre-activations, added to the input projections computed for all steps at once.
    """
    fn = "lstm_forward"
    if output is not None:
        check_output(fn, output)
    d = Dims(fn)
    x = d.bind("x", x, ("n_x", "m", "T_x"))
    a0 = d.bind("a0", a0, ("n_a", "m"))
    if c0 is not None:
        c0 = d.bind("c0", c0, ("n_a", "m"))
    bind_stacked(d, "a0", "x")
    p = d.bind_params(params, _shapes(output))
    n_x, m, T = x.shape
    n_a = a0.shape[0]
    mask = check_mask(fn, mask, m, T)
    dtype = float_dtype(x, a0, *p.values(), *(() if c0 is None else (c0,)))

    # Gate rows stacked as [f | u | o | c]; the sigmoid gates' weights are negated so
    # that sigmoid_of_negated finishes them in place.  W[:, :n_a] acts on a, W[:, n_a:] on x.
    sign = np.array([-1.0, -1.0, -1.0, 1.0], dtype)[:, None, None]
    W = np.stack([p["W" + g] for g in _GATES]).astype(dtype, copy=False)  # (4, n_a, n_a + n_x)
    b = np.stack([p["b" + g] for g in _GATES])[:, :, 0].astype(dtype)     # (4, n_a)
    WxT = (W[:, :, n_a:] * sign).reshape(4 * n_a, n_x).T                  # (n_x, 4 n_a)
    WaT = np.ascontiguousarray((W[:, :, :n_a] * sign).reshape(4 * n_a, n_a).T)  # (n_a, 4 n_a)
    b_signed = (b * sign[:, :, 0]).reshape(4 * n_a)                       # (4 n_a,)

    # H[t] = [a<t-1> | x<t>], one row per example: (T + 1, m, n_a + n_x)
    H = np.empty((T + 1, m, n_a + n_x), dtype)
    H[0, :, :n_a] = a0.T
    H[:T, :, n_a:] = x.transpose(2, 1, 0)
    H[T, :, n_a:] = 0.0
    C = np.empty((T + 1, m, n_a), dtype)             # C[t + 1] = c<t>, C[0] = c<0>
    C[0] = 0.0 if c0 is None else c0.T
    # G[t] = [Gamma_f | Gamma_u | Gamma_o | c_tilde] after activation, input projections first
    G = np.empty((T, m, 4 * n_a), dtype)
    G2 = G.reshape(T * m, 4 * n_a)
    np.matmul(H[:T, :, n_a:].reshape(T * m, n_x), WxT, out=G2)           # (T m, 4 n_a)
    G2 += b_signed
    TC = np.empty((T, m, n_a), dtype)                # tanh(c<t>) of the cell's own c<t>
    if mask is None:
        raw_a, raw_c = H[1:, :, :n_a], C[1:]
    else:                                            # cell outputs before masking
        raw_a, raw_c = np.empty((T, m, n_a), dtype), np.empty((T, m, n_a), dtype)
        keep = mask.T[:, :, None] != 0               # (T, m, 1)
    rec = np.empty((m, 4 * n_a), dtype)
    tmp = np.empty((m, n_a), dtype)

    with np.errstate(over="ignore"):
        for t in range(T):
            a_prev, c_prev = H[t, :, :n_a], C[t]                 # (m, n_a)
            z = G[t]                                             # (m, 4 n_a)
            np.matmul(a_prev, WaT, out=rec)
            z += rec
            sigmoid_of_negated(z[:, :3 * n_a])
            Gamma_f, Gamma_u, Gamma_o = z[:, :n_a], z[:, n_a:2 * n_a], z[:, 2 * n_a:3 * n_a]
            c_tilde = z[:, 3 * n_a:]
            np.tanh(c_tilde, out=c_tilde)
            # c<t> = Gamma_u * c_tilde + Gamma_f * c<t-1>;  a<t> = Gamma_o * tanh(c<t>)
            c_next = raw_c[t]
            np.multiply(Gamma_f, c_prev, out=c_next)
            np.multiply(Gamma_u, c_tilde, out=tmp)
            c_next += tmp
            np.tanh(c_next, out=TC[t])
            np.multiply(Gamma_o, TC[t], out=raw_a[t])
            if mask is not None:
                C[t + 1] = np.where(keep[t], c_next, c_prev)
                H[t + 1, :, :n_a] = np.where(keep[t], raw_a[t], a_prev)
    a = from_time_major(H[1:, :, :n_a])                                  # (n_a, m, T)
    c = from_time_major(C[1:])                                           # (n_a, m, T)

    y_hat, out_cache = (output_forward(a, p["Wy"], p["by"], output) if output
                        else (None, None))

    def make_step(t):
        g = G[t]
        return LSTMCellCache(raw_a[t].T, raw_c[t].T, H[t, :, :n_a].T, C[t].T, x[:, :, t], p,
                             g[:, 3 * n_a:].T, g[:, n_a:2 * n_a].T, g[:, :n_a].T,
                             g[:, 2 * n_a:3 * n_a].T, TC[t].T,
                             None if y_hat is None else y_hat[:, :, t], output)

    cells = StepCaches("lstm", T, make_step, H=H, C=C, G=G, TC=TC, W=W, params=p,
                       mask=mask, output_cache=out_cache)
    return a, y_hat, c, SequenceCache(cells, x)


def lstm_backward(da, caches, mask=None, dc=None) -> dict:
    """Backpropagation through time for the recurrent part of the LSTM.

    Parameters
    ----------
    da : ndarray of shape (n_a, m, T_x)
        ``da[:, :, t]`` is the gradient flowing into a<t> from above (its prediction);
        the gradient from step t+1 is added inside the loop.
    caches : SequenceCache from :func:`lstm_forward` (or ``(list of LSTMCellCache, x)``)
    mask : ndarray of shape (m, T_x), optional
        Defaults to the mask given to :func:`lstm_forward`.
    dc : ndarray of shape (n_a, m, T_x), optional
        Gradient flowing into the memory cells c<t> from above (when the ``c`` returned
        by :func:`lstm_forward` is used downstream); zeros by default.

    Returns
    -------
    grads : dict
        ``dx`` (n_x, m, T_x), ``da0`` (n_a, m), ``dc0`` (n_a, m), ``dWf``, ``dWu``,
        ``dWc``, ``dWo`` (n_a, n_a + n_x), ``dbf``, ``dbu``, ``dbc``, ``dbo`` (n_a, 1).

    Notes
    -----
    For t = T_x ... 1: ``ga = da<t> + da_prev`` and ``gc = dc<t> + dc_prev`` (both from
    step t+1), then :func:`lstm_cell_backward` ``(ga, gc, cells[t])``; parameter
    gradients add up over t.  At a padded step both pass to step t-1 unchanged.  The
    library's own caches take a stacked path with the same result: one product per
    step with the stacked gate matrices, and all weight gradients as one product
    ``dZ [a<t-1>; x<t>]^T`` over every step after the loop.
    """
    cells, x, da, dc, mask, fast = _check_backward("lstm_backward", "lstm", da, caches, mask, dc)
    n_a, m, T = da.shape
    if fast:
        return _lstm_backward_stacked(da, dc, cells.stacked, mask)

    names = [f"d{w}{g}" for w in ("W", "b") for g in ("f", "u", "c", "o")]
    dtype = float_dtype(x, da)
    grads = {"dx": np.zeros_like(x, dtype=dtype), **{k: 0.0 for k in names}}
    da_prev = np.zeros((n_a, m), dtype=dtype)
    dc_prev = np.zeros((n_a, m), dtype=dtype)
    for t in reversed(range(T)):
        ga = da[:, :, t] + da_prev                         # (n_a, m)
        gc = dc_prev if dc is None else dc[:, :, t] + dc_prev
        keep = 1.0 if mask is None else mask[:, t]
        step = lstm_cell_backward(ga * keep, gc * keep, cells[t])
        grads["dx"][:, :, t] = step["dx_t"]
        da_prev = step["da_prev"] + (1.0 - keep) * ga      # padded steps pass ga, gc through
        dc_prev = step["dc_prev"] + (1.0 - keep) * gc
        for k in names:
            grads[k] = grads[k] + step[k]
    grads["da0"] = da_prev
    grads["dc0"] = dc_prev
    return grads


def _lstm_backward_stacked(da, dc, stacked, mask) -> dict:
    """BPTT on the stacked arrays of :func:`lstm_forward` (same result as the loop)."""
    H, C, G, TC, W = stacked["H"], stacked["C"], stacked["G"], stacked["TC"], stacked["W"]
    T, m, n_a = TC.shape
    n_x = H.shape[2] - n_a
    dtype = G.dtype
    Wa = np.ascontiguousarray(W[:, :, :n_a]).reshape(4 * n_a, n_a)  # (4 n_a, n_a) acts on a<t-1>
    Wx = W[:, :, n_a:].reshape(4 * n_a, n_x)             # (4 n_a, n_x)
    da_tm = np.ascontiguousarray(da.transpose(2, 1, 0), dtype=dtype)    # (T, m, n_a)
    dc_tm = None if dc is None else np.ascontiguousarray(dc.transpose(2, 1, 0), dtype=dtype)
    keep = None if mask is None else mask.T[:, :, None].astype(dtype)  # (T, m, 1)

    dZ = np.empty((T, m, 4 * n_a), dtype)                # gradients of the pre-activations
    ga = np.zeros((m, n_a), dtype)                       # running gradient into a<t>
    gc = np.zeros((m, n_a), dtype)                       # running gradient into c<t>
    ga_prev, gc_prev = np.empty_like(ga), np.empty_like(gc)  # the same for step t-1
    tmp = np.empty((m, n_a), dtype)
    tmp3 = np.empty((m, 3 * n_a), dtype)
    for t in range(T - 1, -1, -1):
        ga += da_tm[t]
        if dc_tm is not None:
            gc += dc_tm[t]
        if keep is None:
            ga_cell, gc_cell = ga, gc
        else:                                            # the part that enters the cell
            ga_cell, gc_cell = ga * keep[t], gc * keep[t]
        g, dz, tc = G[t], dZ[t], TC[t]
        Gamma_f, Gamma_u, Gamma_o = g[:, :n_a], g[:, n_a:2 * n_a], g[:, 2 * n_a:3 * n_a]
        c_tilde = g[:, 3 * n_a:]
        dz_f, dz_u, dz_o, dz_c = (dz[:, :n_a], dz[:, n_a:2 * n_a], dz[:, 2 * n_a:3 * n_a],
                                  dz[:, 3 * n_a:])
        # a<t> = Gamma_o * tanh(c<t>)
        np.multiply(ga_cell, tc, out=dz_o)               # dGamma_o
        np.multiply(tc, tc, out=tmp)
        np.subtract(1.0, tmp, out=tmp)
        tmp *= Gamma_o
        tmp *= ga_cell
        dc_cell = np.add(gc_cell, tmp, out=gc_prev)      # total gradient into c<t>
        # c<t> = Gamma_u * c_tilde + Gamma_f * c<t-1>
        np.multiply(dc_cell, C[t], out=dz_f)             # dGamma_f
        np.multiply(dc_cell, c_tilde, out=dz_u)          # dGamma_u
        np.multiply(dc_cell, Gamma_u, out=dz_c)          # dc_tilde
        # sigmoid' = s (1 - s) for the three gates at once; tanh' = 1 - c_tilde^2
        s = g[:, :3 * n_a]
        np.multiply(s, s, out=tmp3)
        np.subtract(s, tmp3, out=tmp3)
        dz[:, :3 * n_a] *= tmp3
        np.multiply(c_tilde, c_tilde, out=tmp)
        np.subtract(1.0, tmp, out=tmp)
        dz_c *= tmp
        # gradients into a<t-1> and c<t-1> (+ what padded steps pass through)
        np.matmul(dz, Wa, out=ga_prev)                   # (m, n_a)
        dc_cell *= Gamma_f                               # gc_prev = dc_cell * Gamma_f
        if keep is not None:
            ga_prev += ga * (1.0 - keep[t])
            gc_prev += gc * (1.0 - keep[t])
        ga, ga_prev = ga_prev, ga
        gc, gc_prev = gc_prev, gc

    # After the loop, products over all steps at once, each arranged so that BLAS
    # reads its large operands in the order it likes (5-20% faster than dZ^T H, dZ Wx):
    dZ2 = dZ.reshape(T * m, 4 * n_a)
    dx = (Wx.T @ dZ2.T).reshape(n_x, T, m)                           # (n_x, T, m)
    dW = (H[:T].reshape(T * m, n_a + n_x).T @ dZ2).T.reshape(4, n_a, n_a + n_x)
    db = dZ2.sum(axis=0).reshape(4, n_a, 1)
    grads = {"dx": np.ascontiguousarray(dx.transpose(0, 2, 1)),
             "da0": np.ascontiguousarray(ga.T), "dc0": np.ascontiguousarray(gc.T)}
    for i, gate in enumerate(_GATES):
        grads["dW" + gate] = dW[i]
        grads["db" + gate] = db[i]
    return grads


def lstm_output_backward(dy_hat, caches) -> dict:
    """Gradients of the prediction layer ``y_hat<t> = g(W_y a<t> + b_y)`` over a sequence.

    Parameters
    ----------
    dy_hat : ndarray of shape (n_y, m, T_x)
        Gradient of the loss with respect to ``y_hat`` (e.g. from :mod:`rnncourse.losses`).
    caches : SequenceCache from :func:`lstm_forward` called with an output activation

    Returns
    -------
    grads : dict
        ``da`` (n_a, m, T_x), to pass to :func:`lstm_backward`; ``dWy`` (n_y, n_a);
        ``dby`` (n_y, 1).
    """
    fn = "lstm_output_backward"
    cells, _ = _check_caches(fn, caches)
    return sequence_output_backward(fn, "lstm", dy_hat, cells, "a_next")
