"""Vanishing and exploding gradients in the plain RNN.

Lesson 04 (vanishing gradients).  When the loss sits at the last step T_x only, the
gradient reaching an earlier hidden state travels back through every step in
between, one Jacobian at a time::

    dL/da<t-1> = W_aa^T [ (1 - a<t> ** 2) * dL/da<t> ]

so ``dL/da<t>`` is ``dL/da<T_x>`` multiplied by ``T_x - t`` such factors.  Each
factor shrinks a vector by at most ``||W_aa||`` (``tanh' <= 1``), and in the long run
by about the spectral radius of ``W_aa`` (its largest ``|eigenvalue|``): below 1 the
gradient vanishes geometrically with the distance, above 1 it can grow until it
overflows.  This module computes those gradients (:func:`hidden_gradients`,
:func:`hidden_gradient_norms`), builds recurrent weights with a chosen spectral
radius (:func:`recurrent_weights`), measures how the norm falls with the distance
(:func:`gradient_norm_by_distance`) and which earlier steps each step's loss reaches
(:func:`gradient_reach`, lesson 03's picture of BPTT).

Clipping, the syllabus's remedy for exploding gradients, lives in
:mod:`rnncourse.optim` (``clip_by_value``, ``clip_by_norm``).
"""

from __future__ import annotations

import numpy as np

from ._validate import Dims, as_rng, float_dtype
from .rnn import rnn_forward

__all__ = [
    "gradient_norm_by_distance", "gradient_reach", "hidden_gradient_norms",
    "hidden_gradients", "recurrent_weights", "spectral_radius",
]

#: ways :func:`recurrent_weights` can draw a matrix
KINDS = ("orthogonal", "gaussian")


def _bind_backward_inputs(fn: str, da_last, a, Waa, *, grad_name: str = "da_last",
                          grad_shape: tuple = ("n_a", "m")):
    """Check the gradient (``da_last`` unless renamed), the hidden states and ``Waa``."""
    d = Dims(fn)
    a = d.bind("a", a, ("n_a", "m", "T_x"))
    da_last = d.bind(grad_name, da_last, grad_shape)
    Waa = d.bind("Waa", Waa, ("n_a", "n_a"))
    if np.abs(a).max() > 1.0:
        raise ValueError(f"{fn}: a must hold tanh outputs in [-1, 1] (the hidden states "
                         f"returned by rnn_forward), got values up to {np.abs(a).max():.4g}")
    return da_last, a, Waa


def hidden_gradients(da_last, a, Waa) -> np.ndarray:
    """Gradient of a loss at the last step with respect to every hidden state.

    Parameters
    ----------
    da_last : ndarray of shape (n_a, m)
        ``dL/da<T_x>``: the gradient of the loss (which depends on the last hidden
        state only) with respect to ``a<T_x>``.
    a : ndarray of shape (n_a, m, T_x)
        Hidden states ``a<1> ... a<T_x>`` from :func:`rnncourse.rnn.rnn_forward`
        (tanh outputs, in [-1, 1]).
    Waa : ndarray of shape (n_a, n_a)
        Recurrent weights used by that forward pass.

    Returns
    -------
    da : ndarray of shape (n_a, m, T_x)
        ``da[:, :, t]`` is ``dL/da<t+1>`` (0-based index ``t``); ``da[:, :, -1]``
        equals ``da_last``.  Same dtype as the inputs.  Values may overflow to inf
        (and then NaN) when the gradient explodes; they are returned as they are.

    Notes
    -----
    Backward through time along the recurrent path only (no loss at earlier steps)::

        dz<t>      = dL/da<t> * (1 - a<t> ** 2)       tanh' from its output
        dL/da<t-1> = W_aa^T dz<t>

    ``a<1>`` is not needed: it would only enter ``dL/da<0>``.  This is the
    ``da_prev`` line of :func:`rnncourse.rnn.rnn_cell_backward`, repeated.
    """
    return _backward_through_time(*_bind_backward_inputs("hidden_gradients", da_last, a, Waa))


def _backward_through_time(da_last, a, Waa):
    """The loop of :func:`hidden_gradients` on checked inputs."""
    T = a.shape[2]
    da = np.empty(a.shape, dtype=float_dtype(da_last, a, Waa))  # (n_a, m, T_x)
    da[:, :, T - 1] = da_last
    for t in range(T - 1, 0, -1):
        dz = da[:, :, t] * (1.0 - a[:, :, t] ** 2)  # (n_a, m)
        da[:, :, t - 1] = Waa.T @ dz                 # (n_a, m)
    return da


def _norms(da):
    """Frobenius norm of each time slice of ``da`` (n_a, m, T) -> (T,).

    Each slice is divided by its largest entry before squaring, so the norm of a huge but
    finite gradient is finite (squaring 1e200 directly would overflow); a slice holding
    inf gives inf, one holding NaN gives NaN.
    """
    scale = np.abs(da).max(axis=(0, 1))                           # (T,)
    ok = np.isfinite(scale) & (scale > 0)
    safe = np.where(ok, scale, 1).astype(da.dtype)
    norms = safe * np.sqrt(((da / safe) ** 2).sum(axis=(0, 1)))   # (T,)
    return np.where(ok, norms, scale).astype(da.dtype)             # 0, inf and NaN pass through


def hidden_gradient_norms(da_last, a, Waa) -> np.ndarray:
    """Norms ``||dL/da<t>||`` for t = 1 ... T_x when the loss sits at the last step.

    Parameters
    ----------
    da_last : ndarray of shape (n_a, m)
        ``dL/da<T_x>``.
    a : ndarray of shape (n_a, m, T_x)
        Hidden states from :func:`rnncourse.rnn.rnn_forward`.
    Waa : ndarray of shape (n_a, n_a)
        Recurrent weights.

    Returns
    -------
    norms : ndarray of shape (T_x,)
        ``norms[t]`` is the Frobenius norm (over units and examples) of
        ``dL/da<t+1>``; ``norms[-1] = ||da_last||``.  Same dtype as the inputs.
        Computed without overflow as long as the gradient itself is finite.

    Notes
    -----
    ``dL/da<t-1> = W_aa^T [(1 - a<t> ** 2) * dL/da<t>]``, see :func:`hidden_gradients`.
    Lesson 04 asks for this function as a graded exercise.
    """
    checked = _bind_backward_inputs("hidden_gradient_norms", da_last, a, Waa)
    return _norms(_backward_through_time(*checked))  # (T_x,)


def gradient_reach(da, a, Waa) -> np.ndarray:
    """How strongly the loss of each step reaches each earlier hidden state.

    Lesson 03 (backprop through time): the loss ``L<t>`` depends on ``a<1> ... a<t>``
    and on nothing later, so its gradient flows backwards only.

    Parameters
    ----------
    da : ndarray of shape (n_a, m, T_x)
        ``da[:, :, t]`` is ``dL<t+1>/da<t+1>``, the gradient of step t's own loss with
        respect to its hidden state (the ``da`` of
        :func:`rnncourse.rnn.rnn_output_backward`).
    a : ndarray of shape (n_a, m, T_x)
        Hidden states from :func:`rnncourse.rnn.rnn_forward`.
    Waa : ndarray of shape (n_a, n_a)

    Returns
    -------
    reach : ndarray of shape (T_x, T_x)
        ``reach[t, s] = ||dL<t+1>/da<s+1>||`` for ``s <= t`` and 0 for ``s > t``
        (lower triangular).  Its diagonal holds the norms of ``da``.

    Notes
    -----
    Row t is :func:`hidden_gradient_norms` of ``da[:, :, t]`` over the first t + 1
    steps.  Summing the gradients (not the norms) over t gives the ``dL/da<s>`` that
    :func:`rnncourse.rnn.rnn_backward` accumulates.
    """
    fn = "gradient_reach"
    da, a, Waa = _bind_backward_inputs(fn, da, a, Waa, grad_name="da",
                                       grad_shape=("n_a", "m", "T_x"))
    T = a.shape[2]
    reach = np.zeros((T, T), dtype=float_dtype(da, a, Waa))
    for t in range(T):  # row t: the loss of step t, sent back over steps t, t-1, ..., 1
        reach[t, : t + 1] = _norms(_backward_through_time(da[:, :, t], a[:, :, : t + 1], Waa))
    return reach


def spectral_radius(Waa) -> float:
    """Largest absolute eigenvalue of a square matrix.

    Parameters
    ----------
    Waa : ndarray of shape (n_a, n_a)

    Returns
    -------
    rho : float
        ``max |lambda_i(W_aa)|``.  Repeated multiplication by ``W_aa^T`` shrinks
        vectors geometrically when ``rho < 1`` and (generically) grows them when
        ``rho > 1``.
    """
    Waa = Dims("spectral_radius").bind("Waa", Waa, ("n_a", "n_a"))
    return float(np.abs(np.linalg.eigvals(Waa.astype(np.float64))).max())


def recurrent_weights(n_a: int, spectral_radius: float, *, rng, kind: str = "orthogonal",
                      dtype=np.float64) -> np.ndarray:
    """A random recurrent matrix ``W_aa`` with a chosen spectral radius.

    Parameters
    ----------
    n_a : int >= 1
        Hidden size.
    spectral_radius : float >= 0
        The largest ``|eigenvalue|`` of the result.
    rng : np.random.Generator or int seed
    kind : {"orthogonal", "gaussian"}
        ``"orthogonal"``: ``rho * Q`` with ``Q`` a random orthogonal matrix, so every
        eigenvalue has modulus ``|lambda| = rho`` (most are complex) and every singular
        value equals ``rho``: one step scales every vector by exactly ``rho``, which
        makes the decay rate easy to read.
        ``"gaussian"``: a matrix of N(0, 1) entries rescaled so that its largest
        ``|eigenvalue|`` is ``rho``; its singular values spread around that value,
        the situation of an ordinary random initialisation.
    dtype : float dtype, default float64

    Returns
    -------
    Waa : ndarray of shape (n_a, n_a)
    """
    fn = "recurrent_weights"
    if isinstance(n_a, bool) or not isinstance(n_a, (int, np.integer)) or n_a < 1:
        raise ValueError(f"{fn}: n_a must be a positive int, got {n_a!r}")
    if isinstance(spectral_radius, bool) or not isinstance(spectral_radius, (int, float, np.integer, np.floating)):
        raise TypeError(f"{fn}: spectral_radius must be a number, got {type(spectral_radius).__name__}")
    if not (np.isfinite(spectral_radius) and spectral_radius >= 0):
        raise ValueError(f"{fn}: spectral_radius must be a finite number >= 0, got {spectral_radius}")
    if kind not in KINDS:
        raise ValueError(f"{fn}: kind must be one of {', '.join(map(repr, KINDS))}, got {kind!r}")
    rng = as_rng(fn, rng)
    G = rng.standard_normal((n_a, n_a))
    if kind == "orthogonal":
        Q, R = np.linalg.qr(G)
        Q = Q * np.where(np.diag(R) < 0, -1.0, 1.0)  # sign fix: Q uniform over O(n_a)
        W = spectral_radius * Q
    else:
        W = G * (spectral_radius / np.abs(np.linalg.eigvals(G)).max())
    return W.astype(dtype)


def gradient_norm_by_distance(spectral_radius: float, T_x: int, *, rng, n_a: int = 32,
                              n_x: int = 4, m: int = 8, input_scale: float = 1.0,
                              kind: str = "orthogonal", dtype=np.float64) -> np.ndarray:
    """Relative gradient norm against the distance from the loss, on a random RNN.

    Builds ``W_aa`` with :func:`recurrent_weights`, random ``W_ax`` (N(0, 1/n_x)),
    zero ``b_a`` and ``a<0>``, random inputs ``x`` of scale ``input_scale``, runs
    :func:`rnncourse.rnn.rnn_forward`, puts a random gradient on ``a<T_x>`` and
    backpropagates it with :func:`hidden_gradient_norms`.

    Parameters
    ----------
    spectral_radius : float >= 0
    T_x : int >= 1
        Sequence length; distances 0 ... T_x - 1 are measured.
    rng : np.random.Generator or int seed
    n_a, n_x, m : int
        Hidden size, input size, number of sequences.
    input_scale : float >= 0
        Standard deviation of the inputs.  Small inputs keep ``tanh`` near its
        linear regime (``tanh' ~ 1``), where the spectral radius alone sets the rate.
    kind : {"orthogonal", "gaussian"}
    dtype : float dtype

    Returns
    -------
    ratio : ndarray of shape (T_x,)
        ``ratio[d] = ||dL/da<T_x - d>|| / ||dL/da<T_x>||``; ``ratio[0] = 1``.
        May hold inf / NaN when the gradient overflows.
    """
    fn = "gradient_norm_by_distance"
    if isinstance(T_x, bool) or not isinstance(T_x, (int, np.integer)) or T_x < 1:
        raise ValueError(f"{fn}: T_x must be a positive int, got {T_x!r}")
    for name, value in (("n_x", n_x), ("m", m)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{fn}: {name} must be a positive int, got {value!r}")
    if not (np.isfinite(input_scale) and input_scale >= 0):
        raise ValueError(f"{fn}: input_scale must be a finite number >= 0, got {input_scale}")
    rng = as_rng(fn, rng)
    params = {
        "Waa": recurrent_weights(n_a, spectral_radius, rng=rng, kind=kind, dtype=dtype),
        "Wax": (rng.standard_normal((n_a, n_x)) / np.sqrt(n_x)).astype(dtype),
        "ba": np.zeros((n_a, 1), dtype),
    }
    x = (input_scale * rng.standard_normal((n_x, m, T_x))).astype(dtype)
    a, _, _ = rnn_forward(x, np.zeros((n_a, m), dtype), params, output=None)
    da_last = rng.standard_normal((n_a, m)).astype(dtype)
    norms = hidden_gradient_norms(da_last, a, params["Waa"])  # (T_x,), by step
    return norms[::-1] / norms[-1]                            # (T_x,), by distance
