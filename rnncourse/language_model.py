"""A character-level language model, end to end: lesson 10, the capstone.

The model reads one character per step and predicts the next one::

    x<t>     = one_hot(c<t>)                      (n_x = n_y = size of the vocabulary)
    a<t>     = cell(a<t-1>, x<t>)                 any cell of rnncourse.cells: rnn, gru, lstm
    y_hat<t> = softmax(z_y<t>),  z_y<t> = W_ya a<t> + b_y
    y<t>     = one_hot(c<t+1>)                    the targets are the inputs shifted by one

and is trained by teacher forcing: at step t the input is the *true* character
c<t>, not the model's own guess.  The loss is the syllabus's cross-entropy summed over
the T_y steps (and averaged over the m examples of the batch)::

    L = -(1/m) sum_i sum_t mask_i<t> log y_hat_i<t>[y_i<t>]

Its gradient with respect to the output layer's pre-activation is
``dz_y<t> = (y_hat<t> - y<t>) mask<t> / m`` (:func:`softmax_output_backward` derives
the rest: ``dW_ya``, ``db_y`` and the ``da<t>`` that enters backprop through time).

Parameters are the cell's recurrent parameters (``Wax, Waa, ba`` for the RNN,
``Wc, Wu, Wr, ...`` for the gated cells) plus the output layer ``Wya (n_y, n_a)``,
``by (n_y, 1)`` for every cell.  The recurrent *state* is ``a`` (n_a, m) for the RNN
and the GRU, and the pair ``(a, c)`` for the LSTM.

Long text is trained with **truncated BPTT** (:func:`text_batches`,
:func:`train_language_model`): the text is cut into m parallel streams, each stream
into chunks of T steps; the state is carried from one chunk to the next (the model
keeps its memory), but the gradient stops at the chunk's start, so the caches of only
T steps are kept at a time (:func:`cache_nbytes` measures them).
"""

from __future__ import annotations

import math
import time
from typing import Any, NamedTuple

import numpy as np

from . import gru, lstm, rnn
from ._validate import (Dims, as_array, as_rng, check_int, check_mask, check_token_ids,
                        require_keys)
from .activations import softmax
from .caches import StepCaches
from .cells import get_cell
from .optim import adam_update, clip_by_norm, init_adam_state
from .text import one_hot

__all__ = [
    "BracketProbe", "LMCache", "TrainResult", "bptt_gradients", "bracket_probe", "cache_nbytes",
    "evaluate_perplexity", "fit_language_model", "init_lm_params", "init_state", "lm_backward",
    "lm_forward", "lm_loss", "ngram_perplexity", "perplexity", "sample",
    "softmax_output_backward", "text_batches", "train_language_model", "train_step",
]

#: symbolic shapes of the output layer, shared by every cell
OUTPUT_SHAPES = {"Wya": ("n_y", "n_a"), "by": ("n_y", 1)}


# ---- parameters and state ------------------------------------------------------------

def init_lm_params(n_y: int, n_a: int, *, rng, cell: str = "rnn", dtype=np.float64) -> dict:
    """Random parameters of a language model over ``n_y`` symbols.

    Returns the recurrent parameters of ``cell`` with ``n_x = n_y`` (see
    :mod:`rnncourse.cells`) and ``Wya`` (n_y, n_a) drawn from N(0, 0.01 / n_a) (small,
    so the first predictions are close to uniform), ``by`` (n_y, 1) zero.
    """
    fn = "init_lm_params"
    n_y, n_a = check_int(fn, "n_y", n_y, low=2), check_int(fn, "n_a", n_a)
    rng = as_rng(fn, rng)
    params = dict(get_cell(cell, fn).init_params(n_y, n_a, rng, dtype))
    params["Wya"] = (0.1 * rng.standard_normal((n_y, n_a)) / np.sqrt(n_a)).astype(dtype)
    params["by"] = np.zeros((n_y, 1), dtype)
    return params


def init_state(n_a: int, m: int, cell: str = "rnn", dtype=np.float64):
    """The zero state: ``a0`` (n_a, m), or ``(a0, c0)`` for the LSTM."""
    get_cell(cell, "init_state")
    a0 = np.zeros((n_a, m), dtype)
    return (a0, a0.copy()) if cell == "lstm" else a0


def _unpack_state(fn: str, cell: str, state, n_a: int, m: int):
    """``(a0, c0)`` (c0 None for rnn/gru), checked against (n_a, m)."""
    d = Dims(fn, n_a=n_a, m=m)
    if cell == "lstm":
        if not (isinstance(state, tuple) and len(state) == 2):
            raise TypeError(f"{fn}: the LSTM's state a0 must be the pair (a0, c0) of arrays "
                            f"(n_a, m), got {type(state).__name__}")
        return d.bind("a0[0]", state[0], ("n_a", "m")), d.bind("a0[1]", state[1], ("n_a", "m"))
    return d.bind("a0", state, ("n_a", "m")), None


def _check_ids(fn: str, name: str, ids, n_y: int) -> np.ndarray:
    """``ids`` if they are character ids (m, T) in [0, n_y) with m, T >= 1."""
    ids = check_token_ids(fn, ids, n_y, name=name, shape="(m, T)", bound="n_y")
    if ids.shape[0] == 0 or ids.shape[1] == 0:
        raise ValueError(f"{fn}: {name} must have m >= 1 and T >= 1, got shape {ids.shape}")
    return ids


def _n_y_n_a(fn: str, params) -> tuple[int, int]:
    if not isinstance(params, dict):
        raise TypeError(f"{fn}: params must be a dict of arrays, got {type(params).__name__}")
    require_keys(fn, "params", params, OUTPUT_SHAPES)
    Wya = as_array(fn, "params['Wya']", params["Wya"])
    if Wya.ndim != 2:
        raise ValueError(f"{fn}: params['Wya'] must have shape (n_y, n_a), got {Wya.shape}")
    return Wya.shape


# ---- forward -------------------------------------------------------------------------

class LMCache(NamedTuple):
    """What :func:`lm_backward` needs from :func:`lm_forward`."""

    cell: str
    a: np.ndarray        #: (n_a, m, T) hidden states
    y_hat: np.ndarray    #: (n_y, m, T) predictions
    Wya: np.ndarray      #: (n_y, n_a)
    caches: Any          #: the recurrent cell's SequenceCache


def lm_forward(x, a0, params, cell: str = "rnn"):
    """Predict the next character at every step of ``x``.

    Parameters
    ----------
    x : int ndarray of shape (m, T) (character ids) or float ndarray (n_y, m, T) (one-hot)
    a0 : ndarray (n_a, m), or the pair ``(a0, c0)`` for the LSTM
        State before the first step (the last state of the previous chunk, or zeros).
    params : dict, see :func:`init_lm_params`
    cell : {"rnn", "gru", "lstm"}

    Returns
    -------
    y_hat : ndarray of shape (n_y, m, T), every column sums to 1
    a_last : the state after the last step, of the form of ``a0``
    cache : LMCache
    """
    fn = "lm_forward"
    get_cell(cell, fn)
    n_y, n_a = _n_y_n_a(fn, params)
    if isinstance(x, np.ndarray) and x.dtype.kind in "iu":
        x = one_hot(_check_ids(fn, "x", x, n_y), n_y, dtype=params["Wya"].dtype)
    x = Dims(fn, n_y=n_y).bind("x", x, ("n_y", "m", "T"))
    a0, c0 = _unpack_state(fn, cell, a0, n_a, x.shape[1])
    rec = {k: v for k, v in params.items() if k not in OUTPUT_SHAPES}
    if cell == "rnn":
        a, _, caches = rnn.rnn_forward(x, a0, rec, output=None)
        last = a[:, :, -1].copy()
    elif cell == "gru":
        a, _, caches = gru.gru_forward(x, a0, rec, output=None)
        last = a[:, :, -1].copy()
    else:
        a, _, c, caches = lstm.lstm_forward(x, a0, rec, c0=c0, output=None)
        last = (a[:, :, -1].copy(), c[:, :, -1].copy())
    Wya, by = params["Wya"], params["by"]
    m, T = x.shape[1], x.shape[2]
    z_y = (Wya @ a.reshape(n_a, m * T)).reshape(n_y, m, T) + by[:, :, None]   # (n_y, m, T)
    y_hat = softmax(z_y, axis=0)
    return y_hat, last, LMCache(cell, a, y_hat, Wya, caches)


# ---- loss, output-layer backward, perplexity ----------------------------------------

def _targets(fn: str, y, n_y: int, m: int, T: int, dtype) -> np.ndarray:
    """One-hot targets (n_y, m, T) from ids (m, T) or one-hot input."""
    if isinstance(y, np.ndarray) and y.dtype.kind in "iu" and y.ndim == 2:
        if y.shape != (m, T):
            raise ValueError(f"{fn}: integer targets y must have shape (m, T_y) = ({m}, {T}), "
                             f"got {y.shape}")
        return one_hot(_check_ids(fn, "y", y, n_y), n_y, dtype=dtype)
    y = Dims(fn, n_y=n_y, m=m, T_y=T).bind("y", y, ("n_y", "m", "T_y"))
    if not (np.isin(y, (0, 1)).all() and np.all(y.sum(axis=0) == 1)):
        raise ValueError(f"{fn}: y must be one-hot: 0/1 entries with exactly one 1 per column "
                         f"(one target character per example and step)")
    return y


def _probabilities(fn: str, y_hat) -> np.ndarray:
    y_hat = Dims(fn).bind("y_hat", y_hat, ("n_y", "m", "T_y"))
    if y_hat.min() < 0 or y_hat.max() > 1:
        raise ValueError(f"{fn}: y_hat must hold probabilities in [0, 1], got values in "
                         f"[{y_hat.min():.4g}, {y_hat.max():.4g}]")
    return y_hat


def _target_log_probs(fn: str, y_hat, y, mask):
    """``log y_hat[y]`` (m, T) and the mask (m, T) as floats."""
    y_hat = _probabilities(fn, y_hat)
    n_y, m, T = y_hat.shape
    onehot = _targets(fn, y, n_y, m, T, y_hat.dtype)
    mask = check_mask(fn, mask, m, T)
    w = np.ones((m, T)) if mask is None else mask.astype(np.float64)
    p = (onehot * y_hat).sum(axis=0)                                # (m, T) prob of the target
    return np.log(np.maximum(p, np.finfo(y_hat.dtype).tiny)), w


def lm_loss(y_hat, y, mask=None) -> float:
    """Cross-entropy summed over the T_y steps, averaged over the m examples.

    Parameters
    ----------
    y_hat : ndarray of shape (n_y, m, T_y), predicted distributions
    y : ndarray of shape (n_y, m, T_y) one-hot targets (or int ids of shape (m, T_y))
    mask : ndarray of shape (m, T_y) of 0/1, optional; 0 marks padding (not counted)

    Returns
    -------
    loss : float
        ``-(1/m) sum_i sum_t mask_i<t> log y_hat_i<t>[y_i<t>]``.
    """
    logp, w = _target_log_probs("lm_loss", y_hat, y, mask)
    return float(-(w * logp).sum() / logp.shape[0])


def perplexity(y_hat, y, mask=None) -> float:
    """``exp`` of the mean cross-entropy per real (unmasked) character.

    Parameters are those of :func:`lm_loss`.  A model guessing uniformly among n_y
    symbols has perplexity n_y: perplexity is "how many characters the model is
    still hesitating between", whatever the batch size or sequence length.
    """
    fn = "perplexity"
    logp, w = _target_log_probs(fn, y_hat, y, mask)
    n = w.sum()
    if n == 0:
        raise ValueError(f"{fn}: the mask leaves no character to score")
    return float(math.exp(-(w * logp).sum() / n))


def softmax_output_backward(y_hat, y, a, Wya, mask=None) -> dict:
    """Backward of the softmax output layer with the cross-entropy of :func:`lm_loss`.

    Parameters
    ----------
    y_hat : ndarray of shape (n_y, m, T_y), ``softmax(W_ya a<t> + b_y)``
    y : ndarray of shape (n_y, m, T_y), one-hot targets (or int ids (m, T_y))
    a : ndarray of shape (n_a, m, T_y), hidden states the predictions were made from
    Wya : ndarray of shape (n_y, n_a)
    mask : ndarray of shape (m, T_y) of 0/1, optional

    Returns
    -------
    grads : dict
        ``dz_y`` (n_y, m, T_y) ``= (y_hat - y) * mask / m``;
        ``dWya`` (n_y, n_a) ``= sum_t dz_y<t> a<t>^T``;
        ``dby`` (n_y, 1) ``= sum_t sum_i dz_y<t>``;
        ``da`` (n_a, m, T_y) ``= W_ya^T dz_y<t>`` at every step (what enters BPTT).
    """
    fn = "softmax_output_backward"
    y_hat = _probabilities(fn, y_hat)
    n_y, m, T = y_hat.shape
    d = Dims(fn, n_y=n_y, m=m, T_y=T)
    a = d.bind("a", a, ("n_a", "m", "T_y"))
    Wya = d.bind("Wya", Wya, ("n_y", "n_a"))
    onehot = _targets(fn, y, n_y, m, T, y_hat.dtype)
    mask = check_mask(fn, mask, m, T)
    dz_y = (y_hat - onehot) / m                                   # (n_y, m, T)
    if mask is not None:
        dz_y = dz_y * mask[None]
    n_a = a.shape[0]
    dz2, a2 = dz_y.reshape(n_y, m * T), a.reshape(n_a, m * T)    # (n_y, m*T), (n_a, m*T)
    return {
        "dz_y": dz_y,
        "dWya": dz2 @ a2.T,                                       # (n_y, n_a)
        "dby": dz2.sum(axis=1, keepdims=True),                    # (n_y, 1)
        "da": (Wya.T @ dz2).reshape(n_a, m, T),                   # (n_a, m, T)
    }


# ---- backward, one training step ------------------------------------------------------

def lm_backward(y, cache: LMCache, mask=None) -> dict:
    """Gradients of :func:`lm_loss` for every parameter (BPTT inside the chunk only).

    Parameters
    ----------
    y : targets of the forward's steps, ids (m, T) or one-hot (n_y, m, T)
    cache : LMCache from :func:`lm_forward`
    mask : ndarray of shape (m, T) of 0/1, optional

    Returns
    -------
    grads : dict with ``"d" + k`` for every parameter ``k`` (same shapes), and ``da0``
        (n_a, m): the gradient reaching the chunk's initial state, which truncated BPTT
        drops.
    """
    fn = "lm_backward"
    if not isinstance(cache, LMCache):
        raise TypeError(f"{fn}: cache must be the LMCache returned by lm_forward, got "
                        f"{type(cache).__name__}")
    out = softmax_output_backward(cache.y_hat, y, cache.a, cache.Wya, mask)
    rec = get_cell(cache.cell, fn).backward(out["da"], cache.caches)
    grads = {k: v for k, v in rec.items() if k != "dx"}
    grads["dWya"], grads["dby"] = out["dWya"], out["dby"]
    return grads


def train_step(params, adam_state, x, y, a0, learning_rate, max_norm, cell: str = "rnn"):
    """One update of truncated BPTT: forward, loss, backward, clip, Adam.

    Parameters
    ----------
    params : dict (see :func:`init_lm_params`)
    adam_state : dict from :func:`rnncourse.optim.init_adam_state`
    x, y : int ndarrays of shape (m, T): input ids and target ids (x shifted by one)
    a0 : state before the chunk, (n_a, m) (``(a0, c0)`` for the LSTM)
    learning_rate : float > 0
    max_norm : float > 0, the global norm the gradients are clipped to
    cell : {"rnn", "gru", "lstm"}

    Returns
    -------
    new_params : dict, new arrays (``params`` is left unchanged)
    new_adam_state : dict
    loss : float, :func:`lm_loss` of the chunk *before* the update
    a_last : the state after the chunk (to carry into the next one; no gradient flows
        back through it)
    """
    y_hat, a_last, cache = lm_forward(x, a0, params, cell)
    n_y = y_hat.shape[0]
    y = one_hot(_check_ids("train_step", "y", y, n_y), n_y, dtype=y_hat.dtype)
    loss = lm_loss(y_hat, y)
    grads = lm_backward(y, cache)
    del grads["da0"]
    grads = clip_by_norm(grads, max_norm)
    new_params, new_state = adam_update(params, grads, adam_state, learning_rate)
    return new_params, new_state, loss, a_last


def bptt_gradients(params, x, y, a0, chunk_length: int, cell: str = "rnn"):
    """Loss and gradients of a long sequence computed chunk by chunk (truncated BPTT).

    The state is carried across chunks of ``chunk_length`` steps; the gradient of each
    chunk stops at its start.  With ``chunk_length >= T`` this is full BPTT.

    Parameters
    ----------
    x, y : int ndarrays of shape (m, T)
    a0 : initial state; chunk_length : int >= 1

    Returns
    -------
    loss : float, the summed :func:`lm_loss` of the chunks (equal for every chunk length)
    grads : dict, summed gradients of the chunks
    """
    fn = "bptt_gradients"
    chunk_length = check_int(fn, "chunk_length", chunk_length)
    n_y, _ = _n_y_n_a(fn, params)
    x, y = _check_ids(fn, "x", x, n_y), _check_ids(fn, "y", y, n_y)
    if x.shape != y.shape:
        raise ValueError(f"{fn}: x and y must have the same shape (m, T), got {x.shape} and {y.shape}")
    state, loss, grads = a0, 0.0, {}
    for start in range(0, x.shape[1], chunk_length):
        sl = slice(start, start + chunk_length)
        y_hat, state, cache = lm_forward(x[:, sl], state, params, cell)
        loss += lm_loss(y_hat, y[:, sl])
        g = lm_backward(y[:, sl], cache)
        del g["da0"]
        for k, v in g.items():
            grads[k] = grads[k] + v if k in grads else v
    return loss, grads


# ---- data for truncated BPTT ----------------------------------------------------------

def text_batches(ids, m: int, T: int):
    """Chunks of a long text for truncated BPTT, endlessly.

    The text ``ids`` (N,) is cut into ``m`` contiguous streams of ``L = N // m``
    characters (one per row); chunk ``j`` of an epoch is columns ``[jT, jT + T)`` as
    input and the same shifted by one as targets.

    Yields
    ------
    x, y : int64 ndarrays of shape (m, T)
    new_epoch : bool, True at the first chunk of each pass (the caller resets the state:
        the streams jump back to their beginnings)
    """
    fn = "text_batches"
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise TypeError(f"{fn}: ids must be a 1-D integer array, got dtype {ids.dtype} and "
                        f"shape {ids.shape}")
    m, T = check_int(fn, "m", m), check_int(fn, "T", T)
    L = ids.size // m
    n_chunks = (L - 1) // T
    if n_chunks < 1:
        raise ValueError(f"{fn}: {ids.size} characters cannot fill m = {m} streams of at least "
                         f"T + 1 = {T + 1} characters")
    streams = ids[: m * L].reshape(m, L)                          # (m, L)
    while True:
        for j in range(n_chunks):
            s = j * T
            yield streams[:, s:s + T], streams[:, s + 1:s + T + 1], j == 0


class TrainResult(NamedTuple):
    """What :func:`train_language_model` returns."""

    params: dict
    losses: np.ndarray        #: (n_steps,) training loss per character of each chunk (nats)
    eval_steps: np.ndarray    #: steps after which the held-out perplexity was measured
    eval_perplexity: np.ndarray
    seconds: float            #: wall time of the updates (evaluation excluded)


def train_language_model(train_ids, n_y: int, n_a: int, n_steps: int, *, seed: int = 0,
                         cell: str = "rnn", m: int = 32, T: int = 25,
                         learning_rate: float = 0.01, max_norm: float = 5.0,
                         eval_ids=None, eval_every: int = 0) -> TrainResult:
    """Train a language model with truncated BPTT, clipping and Adam.

    Parameters
    ----------
    train_ids : int ndarray (N,), the training text
    n_y : int, vocabulary size; n_a : int, hidden units; n_steps : int, updates
    seed : int, seeds the initial parameters
    cell, m, T, learning_rate, max_norm : see :func:`train_step` and :func:`text_batches`
    eval_ids : int ndarray (N_eval,), optional held-out text, scored every ``eval_every``
        steps (and after the last) with :func:`evaluate_perplexity`
    """
    fn = "train_language_model"
    n_steps = check_int(fn, "n_steps", n_steps)
    params = init_lm_params(n_y, n_a, rng=np.random.default_rng(seed), cell=cell)
    adam = init_adam_state(params)
    losses = np.empty(n_steps)
    eval_steps, eval_ppl = [], []
    seconds = 0.0
    batches = text_batches(train_ids, m, T)
    state = None
    for step in range(n_steps):
        tic = time.perf_counter()
        x, y, new_epoch = next(batches)
        if new_epoch:
            state = init_state(n_a, m, cell)
        params, adam, loss, state = train_step(params, adam, x, y, state, learning_rate,
                                               max_norm, cell)
        seconds += time.perf_counter() - tic
        losses[step] = loss / T
        if eval_ids is not None and ((eval_every and (step + 1) % eval_every == 0)
                                     or step + 1 == n_steps):
            eval_steps.append(step + 1)
            eval_ppl.append(evaluate_perplexity(params, eval_ids, cell))
    return TrainResult(params, losses, np.array(eval_steps), np.array(eval_ppl), seconds)


def fit_language_model(train_ids, n_y: int, n_a: int, n_steps: int, seed: int) -> dict:
    """The assignment's fit: an RNN trained with :func:`train_language_model` (m = 32
    streams, chunks of T = 25, clipping at 5) and Adam with learning rate 0.02, which
    learns faster in the grader's short budget than the lesson's 0.01.

    Returns the trained parameters ``Wax, Waa, ba, Wya, by``.
    """
    return train_language_model(train_ids, n_y, n_a, n_steps, seed=seed, learning_rate=0.02).params


def evaluate_perplexity(params, ids, cell: str = "rnn", m: int = 8, T: int = 500) -> float:
    """Perplexity of the model on a text ``ids`` (N,), read as ``m`` streams.

    The state is carried over chunks of ``T`` steps (no gradient, so the chunk length
    only bounds memory).  The first character of each stream is predicted from the
    zero state (and is counted).
    """
    fn = "evaluate_perplexity"
    n_y, n_a = _n_y_n_a(fn, params)
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.dtype.kind not in "iu" or ids.size < 2 * m:
        raise ValueError(f"{fn}: ids must be a 1-D integer array of at least {2 * m} ids, got "
                         f"dtype {ids.dtype} and shape {ids.shape}")
    L = ids.size // m
    streams = ids[: m * L].reshape(m, L)
    state = init_state(n_a, m, cell)
    total, count = 0.0, 0
    for s in range(0, L - 1, T):
        x, y = streams[:, s:min(s + T, L - 1)], streams[:, s + 1:min(s + T, L - 1) + 1]
        y_hat, state, _ = lm_forward(x, state, params, cell)
        p = np.take_along_axis(y_hat, y[None], axis=0)[0]          # (m, T)
        total -= np.log(np.maximum(p, np.finfo(p.dtype).tiny)).sum()
        count += p.size
    return float(math.exp(total / count))


# ---- baselines -------------------------------------------------------------------------

def ngram_perplexity(train_ids, eval_ids, n_y: int, order: int, alpha: float = 0.1) -> float:
    """Held-out perplexity of the count model of ``order`` 0 (uniform), 1 (unigram) or 2 (bigram).

    Computed exactly from counts with add-``alpha`` smoothing:
    ``p(c) = (N(c) + alpha) / (N + alpha n_y)`` and
    ``p(c | b) = (N(b c) + alpha) / (N(b) + alpha n_y)``.  For the bigram, the first
    character of ``eval_ids`` is conditioned on EOS (id 0), the symbol that ends every
    document.
    """
    fn = "ngram_perplexity"
    n_y = check_int(fn, "n_y", n_y, low=2)
    order = check_int(fn, "order", order, low=0, high=2)
    tr, ev = np.asarray(train_ids), np.asarray(eval_ids)
    for name, v in (("train_ids", tr), ("eval_ids", ev)):
        if v.ndim != 1 or v.dtype.kind not in "iu" or v.size == 0 or v.min() < 0 or v.max() >= n_y:
            raise ValueError(f"{fn}: {name} must be a non-empty 1-D array of ids in [0, {n_y})")
    if not alpha > 0:
        raise ValueError(f"{fn}: alpha must be positive, got {alpha}")
    if order == 0:
        return float(n_y)
    if order == 1:
        p = (np.bincount(tr, minlength=n_y) + alpha) / (tr.size + alpha * n_y)
        return float(math.exp(-np.log(p[ev]).mean()))
    counts = np.zeros((n_y, n_y))
    np.add.at(counts, (tr[:-1], tr[1:]), 1.0)
    p = (counts + alpha) / (counts.sum(axis=1, keepdims=True) + alpha * n_y)
    prev = np.concatenate([[0], ev[:-1]])
    return float(math.exp(-np.log(p[prev, ev]).mean()))


# ---- generation -----------------------------------------------------------------------

def sample(params, rng, temperature: float = 1.0, max_len: int = 100, *, cell: str = "rnn",
           prime=None, greedy: bool = False) -> np.ndarray:
    """Generate characters by feeding the model its own samples.

    Starts from the zero state with ``x<1> = one_hot(EOS)`` (the end of a previous
    text), then for each step: ``p = softmax(z_y / temperature)``, draw
    ``idx = rng.choice(n_y, p=p)`` (or ``argmax`` when ``greedy``), stop when ``idx``
    is EOS (id 0) or after ``max_len`` characters, else feed ``one_hot(idx)`` back in.

    Parameters
    ----------
    params : dict (see :func:`init_lm_params`)
    rng : np.random.Generator or int seed
    temperature : float > 0; below 1 sharpens the distribution, above 1 flattens it
    max_len : int >= 1
    prime : int ndarray (k,), optional; characters fed (teacher-forced) before sampling
    greedy : bool

    Returns
    -------
    ids : int64 ndarray of shape (n,), n <= max_len, without the final EOS or the prime
    """
    fn = "sample"
    rng = as_rng(fn, rng)
    max_len = check_int(fn, "max_len", max_len)
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float, np.floating)) \
            or not (temperature > 0 and math.isfinite(temperature)):
        raise ValueError(f"{fn}: temperature must be a positive finite number, got {temperature!r}")
    n_y, n_a = _n_y_n_a(fn, params)
    state = init_state(n_a, 1, cell)
    inputs = [0] if prime is None else [0, *(int(i) for i in np.asarray(prime).ravel())]
    if prime is not None:
        _check_ids(fn, "prime", np.asarray(prime).reshape(1, -1), n_y)
    # teacher-force EOS and the prime, keep the prediction after the last of them
    y_hat, state, _ = lm_forward(np.array([inputs]), state, params, cell)
    z = np.log(np.maximum(y_hat[:, 0, -1], 1e-300))        # log-probabilities = z_y + const
    out = []
    for _ in range(max_len):
        if greedy:
            idx = int(np.argmax(z))
        else:
            p = np.exp((z - z.max()) / temperature)
            idx = int(rng.choice(n_y, p=p / p.sum()))
        if idx == 0:
            break
        out.append(idx)
        y_hat, state, _ = lm_forward(np.array([[idx]]), state, params, cell)
        z = np.log(np.maximum(y_hat[:, 0, -1], 1e-300))
    return np.array(out, dtype=np.int64)


# ---- what the model learned --------------------------------------------------------------

class BracketProbe(NamedTuple):
    """Mean probability given to the closing symbol, by distance from the opening one."""

    open: str
    close: str
    distances: np.ndarray    #: (D,) 1 ... max_distance
    p_inside: np.ndarray     #: (D,) mean p(close next) at that distance inside an open pair
    counts: np.ndarray       #: (D,) how many positions were averaged
    p_outside: float         #: mean p(close next) where no pair is open


def bracket_probe(params, ids, vocab, pairs=(("(", ")"), ('"', '"')), max_distance: int = 30,
                  cell: str = "rnn") -> list[BracketProbe]:
    """Does the model remember an open bracket or quote?

    Runs the model over ``ids`` (one stream) and, at every position, reads the
    probability it gives to each closing symbol as the *next* character.  A position is
    "inside at distance d" when an opening symbol was read d characters ago and not
    closed since (the innermost one for brackets; for a quote, an odd number of quotes
    since the start of the document).  A model that only knows the last character
    cannot tell inside from outside.
    """
    fn = "bracket_probe"
    max_distance = check_int(fn, "max_distance", max_distance)
    ids = np.asarray(ids)
    n_y, n_a = _n_y_n_a(fn, params)
    y_hat = np.empty((n_y, ids.size))
    state = init_state(n_a, 1, cell)
    for s in range(0, ids.size, 2000):
        yh, state, _ = lm_forward(ids[None, s:s + 2000], state, params, cell)
        y_hat[:, s:s + 2000] = yh[:, 0, :]
    index = vocab.index
    out = []
    for o, c in pairs:
        oi, ci = index[o], index[c]
        dist = np.zeros(ids.size, dtype=np.int64)        # 0 = nothing open
        stack: list[int] = []
        for t, ch in enumerate(ids):
            if ch == 0:
                stack = []
            elif o == c and ch == oi:
                stack = [] if stack else [t]
            elif ch == oi:
                stack.append(t)
            elif ch == ci and stack:
                stack.pop()
            dist[t] = t - stack[-1] + 1 if stack else 0
        p_close = y_hat[ci]
        D = np.arange(1, max_distance + 1)
        p_in = np.array([p_close[dist == d].mean() if np.any(dist == d) else np.nan for d in D])
        counts = np.array([int(np.sum(dist == d)) for d in D])
        out.append(BracketProbe(o, c, D, p_in, counts, float(p_close[dist == 0].mean())))
    return out


# ---- memory of truncated BPTT ----------------------------------------------------------------

def cache_nbytes(obj) -> int:
    """Bytes of every distinct ndarray buffer reachable from a cache (dicts, tuples,
    lists, NamedTuples and the stacked arrays of the library's step caches)."""
    seen: set[int] = set()
    total = 0
    stack = [obj]
    while stack:
        v = stack.pop()
        if isinstance(v, np.ndarray):
            base = v
            while isinstance(base.base, np.ndarray):
                base = base.base
            if id(base) not in seen:
                seen.add(id(base))
                total += base.nbytes
        elif isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, StepCaches):
            stack.append(v.stacked)
        elif isinstance(v, (list, tuple)):
            stack.extend(v)
    return total
