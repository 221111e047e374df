"""Sequence to sequence: an encoder-decoder with separate weights, greedy and beam decoding.

Lesson 11 (machine translation, T_x != T_y).  Two recurrent networks and two
embedding tables (:mod:`rnncourse.embedding`)::

    encoder   e<t> = E_x[:, x<t>],   a<t> = cell_enc(a<t-1>, e<t>),   a<0> = 0,  t = 1..T_x
    summary   s = a<T_x>              (the last *real* step: padded steps carry the state)
    decoder   d<t> = E_y[:, y_in<t>], h<t> = cell_dec(h<t-1>, d<t>),  h<0> = s,  t = 1..T_y
              y_hat<t> = softmax(W_y h<t> + b_y)

``y_in`` is the decoder's input: ``<go>`` then the target shifted right.  **Teacher
forcing** is training with the *true* previous token as input (``y_in<t> = y<t-1>``);
**free running** is what happens at test time, when there is no target and the decoder
reads the token it wrote itself (:func:`greedy_decode`, :func:`beam_search`).

Parameters live in one flat dict (so :class:`rnncourse.optim.Adam` updates them)::

    E_x (n_e, n_vocab_x)   E_y (n_e, n_vocab_y)
    enc_<k>, dec_<k>       the cell's recurrent parameters (rnn: Wax, Waa, ba; gru: Wc, Wu, Wr, bc, bu, br)
    Wy (n_vocab_y, n_a)    by (n_vocab_y, 1)

The cell ("rnn" or "gru") is read from the keys.  All arrays follow the course's
column convention: ids are (m, T), vectors (n, m, T).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import as_array, as_rng, check_int, check_mask
from .activations import softmax
from .cells import get_cell
from .embedding import _check_ids, embedding_backward, init_embedding

__all__ = [
    "Seq2SeqHistory", "attention_context", "attention_forward", "attention_greedy_decode", "attention_loss_and_grads",
    "beam_search", "init_attention_params", "greedy_decode", "init_seq2seq_params",
    "seq2seq_cell", "seq2seq_forward", "seq2seq_loss_and_grads", "train_seq2seq",
]

_SUPPORTED = ("rnn", "gru")


def init_seq2seq_params(n_vocab_x: int, n_vocab_y: int, n_e: int, n_a: int, *,
                        cell: str = "gru", rng, dtype=np.float64) -> dict:
    """Random parameters of an encoder-decoder (see the module docstring for the keys).

    The encoder and the decoder get *separate* weights (two cells, two tables).
    """
    fn = "init_seq2seq_params"
    n_vocab_x, n_vocab_y = check_int(fn, "n_vocab_x", n_vocab_x), check_int(fn, "n_vocab_y", n_vocab_y)
    n_e, n_a = check_int(fn, "n_e", n_e), check_int(fn, "n_a", n_a)
    if cell not in _SUPPORTED:
        raise ValueError(f"{fn}: cell must be one of {_SUPPORTED}, got {cell!r}")
    rng = as_rng(fn, rng)
    c = get_cell(cell, fn)
    params = {"E_x": init_embedding(n_vocab_x, n_e, rng=rng, dtype=dtype),
              "E_y": init_embedding(n_vocab_y, n_e, rng=rng, dtype=dtype)}
    for part in ("enc", "dec"):
        for k, v in c.init_params(n_e, n_a, rng, dtype).items():
            params[f"{part}_{k}"] = v
    params["Wy"] = (rng.standard_normal((n_vocab_y, n_a)) / np.sqrt(n_a)).astype(dtype)
    params["by"] = np.zeros((n_vocab_y, 1), dtype=dtype)
    return params


def seq2seq_cell(params, fn: str = "seq2seq_cell") -> str:
    """Which cell ``params`` hold: ``"rnn"`` or ``"gru"`` (``ValueError`` otherwise)."""
    if not isinstance(params, dict):
        raise TypeError(f"{fn}: params must be a dict, got {type(params).__name__}")
    for name in _SUPPORTED:
        keys = get_cell(name).param_names
        if all(f"enc_{k}" in params and f"dec_{k}" in params for k in keys):
            missing = [k for k in ("E_x", "E_y", "Wy", "by") if k not in params]
            if missing:
                raise ValueError(f"{fn}: params is missing {', '.join(missing)}")
            return name
    raise ValueError(f"{fn}: params must hold enc_* and dec_* parameters of an 'rnn' "
                     f"(Wax, Waa, ba) or 'gru' (Wc, Wu, Wr, bc, bu, br) cell; got keys "
                     f"{sorted(params)}")


def _part(params: dict, part: str, cell: str) -> dict:
    return {k: params[f"{part}_{k}"] for k in get_cell(cell).param_names}


def _check(fn: str, src_ids, params, src_mask):
    cell = seq2seq_cell(params, fn)
    E_x = as_array(fn, "params['E_x']", params["E_x"])
    src_ids = _check_ids(fn, src_ids, E_x.shape[1])
    mask = check_mask(fn, src_mask, *src_ids.shape)
    return cell, src_ids, mask


def _encode(src_ids, params, cell, mask):
    c = get_cell(cell)
    e = params["E_x"][:, src_ids]                                    # (n_e, m, T_x)
    n_a = params["Wy"].shape[1]
    a0 = np.zeros((n_a, src_ids.shape[0]), dtype=e.dtype)
    a, caches = c.forward(e, a0, _part(params, "enc", cell), mask=mask)  # (n_a, m, T_x)
    return a[:, :, -1], caches                                       # padded steps carry a


def _decode_steps(dec_in, s, params, cell):
    """Teacher-forced decoder: inputs (m, T_y) ids, start state s (n_a, m)."""
    c = get_cell(cell)
    d = params["E_y"][:, dec_in]                                     # (n_e, m, T_y)
    h, caches = c.forward(d, s, _part(params, "dec", cell))          # (n_a, m, T_y)
    z = np.einsum("va,amt->vmt", params["Wy"], h) + params["by"][:, :, None]
    return softmax(z), h, caches


def seq2seq_forward(src_ids, tgt_in, params, src_mask=None):
    """Encode the source, then decode with teacher forcing.

    Parameters
    ----------
    src_ids : ndarray of int of shape (m, T_x)
        Source token ids (padding at the end, marked 0 in ``src_mask``).
    tgt_in : ndarray of int of shape (m, T_y)
        The decoder's inputs: ``<go>`` then the true target shifted right.
    params : dict (see the module docstring)
    src_mask : ndarray of shape (m, T_x) of 0/1, optional

    Returns
    -------
    y_hat : ndarray of shape (n_vocab_y, m, T_y)
        ``y_hat[:, i, t]`` is the predicted distribution of target token t+1 of example i.
    s : ndarray of shape (n_a, m)
        The encoder's summary a<T_x>, the decoder's initial state.
    """
    fn = "seq2seq_forward"
    cell, src_ids, mask = _check(fn, src_ids, params, src_mask)
    tgt_in = _check_ids(fn, tgt_in, params["E_y"].shape[1])
    if tgt_in.shape[0] != src_ids.shape[0]:
        raise ValueError(f"{fn}: tgt_in must have m = {src_ids.shape[0]} rows like src_ids, "
                         f"got shape {tgt_in.shape}")
    s, _ = _encode(src_ids, params, cell, mask)
    y_hat, _, _ = _decode_steps(tgt_in, s, params, cell)
    return y_hat, s


def seq2seq_loss_and_grads(src_ids, tgt_in, tgt_out, params, src_mask=None, tgt_mask=None):
    """Teacher-forced cross-entropy and the gradient of every parameter.

    Parameters
    ----------
    src_ids : (m, T_x) ids;  tgt_in, tgt_out : (m, T_y) ids (input and next token)
    params : dict
    src_mask : (m, T_x) 0/1, optional;  tgt_mask : (m, T_y) 0/1, optional (1 = counted)

    Returns
    -------
    loss : float
        ``-(1/m) sum_i sum_t tgt_mask[i, t] log y_hat[tgt_out[i, t], i, t]``.
    grads : dict
        ``"d" + k`` for every key k of ``params`` (same shapes).
    """
    fn = "seq2seq_loss_and_grads"
    cell, src_ids, mask = _check(fn, src_ids, params, src_mask)
    n_y = params["E_y"].shape[1]
    tgt_in = _check_ids(fn, tgt_in, n_y)
    tgt_out = _check_ids(fn, tgt_out, n_y)
    m, T_y = tgt_in.shape
    if tgt_out.shape != tgt_in.shape or m != src_ids.shape[0]:
        raise ValueError(f"{fn}: tgt_in and tgt_out must both have shape (m, T_y) with "
                         f"m = {src_ids.shape[0]}, got {tgt_in.shape} and {tgt_out.shape}")
    w = np.ones((m, T_y)) if tgt_mask is None else check_mask(fn, tgt_mask, m, T_y)
    c = get_cell(cell)
    s, enc_caches = _encode(src_ids, params, cell, mask)
    y_hat, h, dec_caches = _decode_steps(tgt_in, s, params, cell)
    p = y_hat[tgt_out, np.arange(m)[:, None], np.arange(T_y)[None, :]]      # (m, T_y)
    loss = float(-(w * np.log(np.clip(p, 1e-12, 1.0))).sum() / m)
    dz = y_hat.copy()
    dz[tgt_out, np.arange(m)[:, None], np.arange(T_y)[None, :]] -= 1.0
    dz *= w[None] / m                                                      # (n_y, m, T_y)
    grads = {"dWy": np.einsum("vmt,amt->va", dz, h), "dby": dz.sum(axis=(1, 2))[:, None]}
    dh = np.einsum("va,vmt->amt", params["Wy"], dz)                        # (n_a, m, T_y)
    g_dec = c.backward(dh, dec_caches)
    grads["dE_y"] = embedding_backward(g_dec["dx"], tgt_in, n_y)
    da_enc = np.zeros((s.shape[0], m, src_ids.shape[1]), dtype=s.dtype)
    da_enc[:, :, -1] = g_dec["da0"]                                        # the summary's gradient
    g_enc = c.backward(da_enc, enc_caches)
    grads["dE_x"] = embedding_backward(g_enc["dx"], src_ids, params["E_x"].shape[1])
    for k in c.param_names:
        grads[f"ddec_{k}"] = g_dec["d" + k]
        grads[f"denc_{k}"] = g_enc["d" + k]
    return loss, grads


def _step(token, h, params, cell):
    """One free-running decoder step: token ids (k,), state (n_a, k) -> (log p (n_y, k), h)."""
    d = params["E_y"][:, token][:, :, None]                               # (n_e, k, 1)
    a, _ = get_cell(cell).forward(d, h, _part(params, "dec", cell))
    h = a[:, :, 0]
    z = params["Wy"] @ h + params["by"]
    z = z - z.max(axis=0, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=0, keepdims=True)), h            # log softmax


def greedy_decode(src_ids, params, T_y: int, go: int, src_mask=None, eos: int | None = None):
    """Free running with the likeliest token: read the source, then write ``T_y`` tokens.

    Step t feeds back the argmax of step t-1 (``<go>`` first).  With ``eos`` given,
    every position after the first ``eos`` holds 0 (padding).

    Returns
    -------
    ids : ndarray of int of shape (m, T_y)
    """
    fn = "greedy_decode"
    cell, src_ids, mask = _check(fn, src_ids, params, src_mask)
    T_y = check_int(fn, "T_y", T_y)
    n_y = params["E_y"].shape[1]
    go = check_int(fn, "go", go, 0, n_y - 1)
    h, _ = _encode(src_ids, params, cell, mask)
    m = src_ids.shape[0]
    token = np.full(m, go, dtype=np.int64)
    out = np.zeros((m, T_y), dtype=np.int64)
    for t in range(T_y):
        logp, h = _step(token, h, params, cell)
        token = logp.argmax(axis=0)
        out[:, t] = token
    if eos is not None:
        eos = check_int(fn, "eos", eos, 0, n_y - 1)
        after = np.cumsum(out == eos, axis=1) - (out == eos) > 0          # strictly after the first eos
        out[after] = 0
    return out


def beam_search(src_ids, params, beam_width: int, T_y: int, go: int, eos: int, src_mask=None):
    """Beam search: keep the ``beam_width`` likeliest partial translations at every step.

    For each example: start from the single hypothesis ``[]`` (score 0, state = the
    encoder's summary).  At each of the ``T_y`` steps every unfinished hypothesis is
    extended by every token v, with score ``score + log p(v)``; a finished one (it wrote
    ``eos``) is carried over unchanged, with 0 (padding) as its next position.  Of all
    these candidates the ``beam_width`` highest scores are kept (ties: the candidate of
    the earlier hypothesis, then the smaller token, wins).  The answer is the best
    hypothesis after ``T_y`` steps.  ``beam_width = 1`` is greedy decoding.

    Returns
    -------
    ids : ndarray of int of shape (m, T_y)
        The best hypothesis of each example (0 after its ``eos``).
    log_p : ndarray of shape (m,)
        Its score: the sum of log probabilities of its tokens up to and including ``eos``.
    """
    fn = "beam_search"
    cell, src_ids, mask = _check(fn, src_ids, params, src_mask)
    beam_width = check_int(fn, "beam_width", beam_width)
    T_y = check_int(fn, "T_y", T_y)
    n_y = params["E_y"].shape[1]
    go = check_int(fn, "go", go, 0, n_y - 1)
    eos = check_int(fn, "eos", eos, 0, n_y - 1)
    s, _ = _encode(src_ids, params, cell, mask)
    m = src_ids.shape[0]
    out = np.zeros((m, T_y), dtype=np.int64)
    best = np.zeros(m)
    for i in range(m):
        seqs = np.zeros((1, 0), dtype=np.int64)                  # (k, t) hypotheses
        scores = np.zeros(1)
        done = np.zeros(1, dtype=bool)
        h = s[:, i: i + 1]                                       # (n_a, k)
        last = np.array([go])
        for t in range(T_y):
            logp, h_new = _step(last, h, params, cell)           # (n_y, k), (n_a, k)
            cand = np.where(done[None, :], -np.inf, scores[None, :] + logp)   # (n_y, k)
            # a finished hypothesis has one candidate: itself, followed by padding
            cand[0, done] = scores[done]
            flat = cand.T.reshape(-1)                            # hypothesis-major, then token
            order = np.argsort(-flat, kind="stable")[:beam_width]
            order = order[np.isfinite(flat[order])]
            b, v = order // n_y, order % n_y
            seqs = np.concatenate([seqs[b], v[:, None]], axis=1)
            scores = flat[order]
            was_done = done[b]
            done = was_done | (v == eos)
            h = np.where(was_done[None, :], h[:, b], h_new[:, b])
            last = v
        out[i] = seqs[0]
        best[i] = scores[0]
    return out, best


class Seq2SeqHistory(NamedTuple):
    """What :func:`train_seq2seq` returns: the mean training loss of each epoch."""

    loss: list


def train_seq2seq(params, src_ids, tgt_in, tgt_out, *, epochs: int, learning_rate: float = 0.01,
                  batch_size: int = 32, src_mask=None, tgt_mask=None, rng,
                  clip_norm: float | None = 5.0, attention: bool = False) -> Seq2SeqHistory:
    """Train ``params`` in place with teacher forcing and Adam, on shuffled minibatches
    (``attention=True``: the model of :func:`attention_forward`)."""
    from .optim import Adam, clip_by_norm

    fn = "train_seq2seq"
    epochs = check_int(fn, "epochs", epochs)
    batch_size = check_int(fn, "batch_size", batch_size)
    rng = as_rng(fn, rng)
    m = src_ids.shape[0]
    opt = Adam(learning_rate)
    losses = []
    for _ in range(epochs):
        perm = rng.permutation(m)
        total = 0.0
        for start in range(0, m, batch_size):
            b = perm[start: start + batch_size]
            loss, grads = (attention_loss_and_grads if attention else seq2seq_loss_and_grads)(
                src_ids[b], tgt_in[b], tgt_out[b], params,
                None if src_mask is None else src_mask[b], None if tgt_mask is None else tgt_mask[b])
            if clip_norm is not None:
                grads = clip_by_norm(grads, clip_norm)
            opt.step(params, grads)
            total += loss * b.size
        losses.append(total / m)
    return Seq2SeqHistory(losses)


# ----------------------------------------------------------------------------------------
# Attention (dot-product, Luong et al. 2015): the decoder looks back at every encoder state

def init_attention_params(n_vocab_x: int, n_vocab_y: int, n_e: int, n_a: int, *,
                          cell: str = "gru", rng, dtype=np.float64) -> dict:
    """Parameters of an encoder-decoder with attention: as :func:`init_seq2seq_params`,
    but ``Wy`` is (n_vocab_y, 2 n_a): the output reads ``[h<t>; c<t>]``."""
    params = init_seq2seq_params(n_vocab_x, n_vocab_y, n_e, n_a, cell=cell, rng=rng, dtype=dtype)
    rng = as_rng("init_attention_params", rng)
    params["Wy"] = (rng.standard_normal((n_vocab_y, 2 * n_a)) / np.sqrt(2 * n_a)).astype(dtype)
    return params


def _check_attention(fn, params):
    n_a = np.shape(params["dec_" + ("ba" if "dec_ba" in params else "bc")])[0]
    if params["Wy"].shape[1] != 2 * n_a or params["E_y"].shape[1] != params["Wy"].shape[0]:
        raise ValueError(f"{fn}: params['Wy'] must have shape (n_vocab_y, 2 n_a) for attention "
                         f"(see init_attention_params), got {params['Wy'].shape}")
    return n_a


def attention_context(h, enc_states, src_mask=None):
    """Dot-product attention of the decoder states over the encoder states.

    For decoder step t of example i, the scores ``e<t, j> = h<t> . a<j>`` become weights
    ``alpha<t, j> = softmax_j(e<t, j>)`` over the source steps j (a padded step, where
    ``src_mask`` is 0, gets weight 0), and the context is their average of the encoder
    states, ``c<t> = sum_j alpha<t, j> a<j>``.

    Parameters
    ----------
    h : ndarray (n_a, m, T_y), the decoder states
    enc_states : ndarray (n_a, m, T_x), the encoder states a<1> ... a<T_x>
    src_mask : ndarray (m, T_x) of 0 and 1, optional; every row needs one 1

    Returns
    -------
    context : ndarray (n_a, m, T_y)
    alpha : ndarray (m, T_y, T_x), each ``alpha[i, t]`` summing to 1
    """
    fn = "attention_context"
    h, enc_states = as_array(fn, "h", h), as_array(fn, "enc_states", enc_states)
    if h.ndim != 3 or enc_states.ndim != 3 or h.shape[:2] != enc_states.shape[:2]:
        raise ValueError(f"{fn}: h must have shape (n_a, m, T_y) and enc_states (n_a, m, T_x) "
                         f"with the same n_a and m, got {h.shape} and {enc_states.shape}")
    mask = check_mask(fn, src_mask, enc_states.shape[1], enc_states.shape[2], name="src_mask")
    if mask is not None and not mask.any(axis=1).all():
        raise ValueError(f"{fn}: every row of src_mask needs a real step (a 1): rows "
                         f"{np.flatnonzero(~mask.any(axis=1)).tolist()} have none")
    return _attend(h, enc_states, mask)


def _attend(h, enc_states, mask):
    """h (n_a, m, T_y), encoder states (n_a, m, T_x), mask (m, T_x) -> context, weights (m, T_y, T_x)."""
    scores = np.einsum("amt,amj->mtj", h, enc_states)
    if mask is not None:
        scores = np.where(mask[:, None, :] > 0, scores, -np.inf)
    scores = scores - scores.max(axis=2, keepdims=True)
    alpha = np.exp(scores)
    alpha /= alpha.sum(axis=2, keepdims=True)
    return np.einsum("mtj,amj->amt", alpha, enc_states), alpha


def attention_forward(src_ids, tgt_in, params, src_mask=None):
    """Encoder-decoder with dot-product attention, teacher forced.

    At decoder step t, the weights ``alpha<t, j> = softmax_j(h<t> . a<j>)`` (padded source
    steps get weight 0) average the encoder states into a context
    ``c<t> = sum_j alpha<t, j> a<j>``, and ``y_hat<t> = softmax(W_y [h<t>; c<t>] + b_y)``.
    The decoder still starts from the summary ``s = a<T_x>``.

    Returns
    -------
    y_hat : (n_vocab_y, m, T_y);  alpha : (m, T_y, T_x), each row summing to 1
    """
    fn = "attention_forward"
    cell, src_ids, mask = _check(fn, src_ids, params, src_mask)
    n_a = _check_attention(fn, params)
    tgt_in = _check_ids(fn, tgt_in, params["E_y"].shape[1])
    c = get_cell(cell)
    e = params["E_x"][:, src_ids]
    a_all, _ = c.forward(e, np.zeros((n_a, src_ids.shape[0]), dtype=e.dtype), _part(params, "enc", cell), mask=mask)
    h, _ = c.forward(params["E_y"][:, tgt_in], a_all[:, :, -1], _part(params, "dec", cell))
    ctx, alpha = _attend(h, a_all, mask)
    z = np.einsum("va,amt->vmt", params["Wy"], np.concatenate([h, ctx], axis=0)) + params["by"][:, :, None]
    return softmax(z), alpha


def attention_loss_and_grads(src_ids, tgt_in, tgt_out, params, src_mask=None, tgt_mask=None):
    """Teacher-forced cross-entropy of :func:`attention_forward` and every parameter's gradient
    (keys ``"d" + k``), backpropagated through the attention into every encoder state."""
    fn = "attention_loss_and_grads"
    cell, src_ids, mask = _check(fn, src_ids, params, src_mask)
    n_a = _check_attention(fn, params)
    n_y = params["E_y"].shape[1]
    tgt_in, tgt_out = _check_ids(fn, tgt_in, n_y), _check_ids(fn, tgt_out, n_y)
    m, T_y = tgt_in.shape
    w = np.ones((m, T_y)) if tgt_mask is None else check_mask(fn, tgt_mask, m, T_y)
    c = get_cell(cell)
    e = params["E_x"][:, src_ids]
    a_all, enc_caches = c.forward(e, np.zeros((n_a, m), dtype=e.dtype), _part(params, "enc", cell), mask=mask)
    h, dec_caches = c.forward(params["E_y"][:, tgt_in], a_all[:, :, -1], _part(params, "dec", cell))
    ctx, alpha = _attend(h, a_all, mask)
    hc = np.concatenate([h, ctx], axis=0)                                    # (2 n_a, m, T_y)
    y_hat = softmax(np.einsum("va,amt->vmt", params["Wy"], hc) + params["by"][:, :, None])
    rows, cols = np.arange(m)[:, None], np.arange(T_y)[None, :]
    loss = float(-(w * np.log(np.clip(y_hat[tgt_out, rows, cols], 1e-12, 1.0))).sum() / m)
    dz = y_hat.copy()
    dz[tgt_out, rows, cols] -= 1.0
    dz *= w[None] / m
    grads = {"dWy": np.einsum("vmt,amt->va", dz, hc), "dby": dz.sum(axis=(1, 2))[:, None]}
    dhc = np.einsum("va,vmt->amt", params["Wy"], dz)
    dh, dctx = dhc[:n_a].copy(), dhc[n_a:]
    dalpha = np.einsum("amt,amj->mtj", dctx, a_all)
    da_all = np.einsum("mtj,amt->amj", alpha, dctx)
    dscores = alpha * (dalpha - (alpha * dalpha).sum(axis=2, keepdims=True))  # softmax backward
    dh += np.einsum("mtj,amj->amt", dscores, a_all)
    da_all += np.einsum("mtj,amt->amj", dscores, h)
    g_dec = c.backward(dh, dec_caches)
    grads["dE_y"] = embedding_backward(g_dec["dx"], tgt_in, n_y)
    da_all[:, :, -1] += g_dec["da0"]
    g_enc = c.backward(da_all, enc_caches)
    grads["dE_x"] = embedding_backward(g_enc["dx"], src_ids, params["E_x"].shape[1])
    for k in c.param_names:
        grads[f"ddec_{k}"] = g_dec["d" + k]
        grads[f"denc_{k}"] = g_enc["d" + k]
    return loss, grads


def attention_greedy_decode(src_ids, params, T_y: int, go: int, src_mask=None, eos: int | None = None):
    """Free-running greedy decoding with attention; returns (ids (m, T_y), alpha (m, T_y, T_x))."""
    fn = "attention_greedy_decode"
    cell, src_ids, mask = _check(fn, src_ids, params, src_mask)
    n_a = _check_attention(fn, params)
    T_y = check_int(fn, "T_y", T_y)
    n_y = params["E_y"].shape[1]
    go = check_int(fn, "go", go, 0, n_y - 1)
    c = get_cell(cell)
    m = src_ids.shape[0]
    e = params["E_x"][:, src_ids]
    a_all, _ = c.forward(e, np.zeros((n_a, m), dtype=e.dtype), _part(params, "enc", cell), mask=mask)
    h = a_all[:, :, -1]
    token = np.full(m, go, dtype=np.int64)
    out = np.zeros((m, T_y), dtype=np.int64)
    alphas = np.zeros((m, T_y, src_ids.shape[1]))
    for t in range(T_y):
        a, _ = c.forward(params["E_y"][:, token][:, :, None], h, _part(params, "dec", cell))
        h = a[:, :, 0]
        ctx, alpha = _attend(h[:, :, None], a_all, mask)
        z = params["Wy"] @ np.concatenate([h, ctx[:, :, 0]], axis=0) + params["by"]
        token = z.argmax(axis=0)
        out[:, t], alphas[:, t] = token, alpha[:, 0]
    if eos is not None:
        eos = check_int(fn, "eos", eos, 0, n_y - 1)
        out[np.cumsum(out == eos, axis=1) - (out == eos) > 0] = 0
    return out, alphas
