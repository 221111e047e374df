"""Exercises of assignment ``11_seq2seq`` (lesson 11, sequence to sequence).

Six pieces of an encoder-decoder translator, each with an exact contract (the
references are in :mod:`rnncourse.embedding` and :mod:`rnncourse.seq2seq`):
``embedding_forward`` and ``embedding_backward`` (the lookup table and its gradient,
where repeated tokens must *add up*), ``seq2seq_forward`` (encoder over a padded
source, decoder with teacher forcing, separate weights), ``greedy_decode`` (free
running), ``beam_search`` and ``attention_context`` (dot-product attention over the
encoder states, padded steps weighted 0).  Cases use a plain tanh RNN cell, which the learner
writes; the recipe for adding an exercise is in :mod:`rnncourse.grading.exercises`.
"""

from __future__ import annotations

import numpy as np

from ...embedding import embedding_backward, embedding_forward
from ...seq2seq import attention_context, beam_search, greedy_decode, seq2seq_forward
from . import Case, Exercise, draw_dims, expect_sequence, integer_array

ASSIGNMENT = "11_seq2seq"
#: library modules a learner may import in this assignment (the sandbox exposes only these)
LEARNER_MODULES = ("activations",)


def _params(rng, dims) -> dict:
    n_e, n_a, v_x, v_y = dims["n_e"], dims["n_a"], dims["V_x"], dims["V_y"]
    p = {"E_x": rng.standard_normal((n_e, v_x)), "E_y": rng.standard_normal((n_e, v_y))}
    for part in ("enc", "dec"):
        p[f"{part}_Wax"] = rng.standard_normal((n_a, n_e)) / np.sqrt(n_e)
        p[f"{part}_Waa"] = rng.standard_normal((n_a, n_a)) / np.sqrt(n_a)
        p[f"{part}_ba"] = 0.3 * rng.standard_normal((n_a, 1))
    p["Wy"] = 2.0 * rng.standard_normal((v_y, n_a))
    p["by"] = 0.3 * rng.standard_normal((v_y, 1))
    return p


def _source(rng, dims):
    m, T_x, v_x = dims["m"], dims["T_x"], dims["V_x"]
    src = rng.integers(1, v_x, size=(m, T_x))
    lengths = rng.integers(1, T_x + 1, size=m)
    lengths[0] = max(1, T_x - 2)                                   # at least one padded source
    mask = (np.arange(T_x)[None, :] < lengths[:, None]).astype(np.float64)
    src[mask == 0] = 0
    return src, mask


# ---- embeddings ----------------------------------------------------------------------

def _cases_embedding_forward(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_e", "n_vocab", "m", "T"))
    E = rng.standard_normal((dims["n_e"], dims["n_vocab"]))
    ids = rng.integers(0, dims["n_vocab"], size=(dims["m"], dims["T"]))
    return Case((ids, E), dims)


def _cases_embedding_backward(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_e", "n_vocab", "m", "T"))
    ids = rng.integers(0, dims["n_vocab"], size=(dims["m"], dims["T"]))
    ids[0, 0] = ids[-1, -1] = ids[0, -1]                          # a token that occurs several times
    de = rng.standard_normal((dims["n_e"], dims["m"], dims["T"]))
    return Case((de, ids, dims["n_vocab"]), dims)


# ---- encoder-decoder -----------------------------------------------------------------

_S2S_DIMS = ("n_e", "n_a", "V_x", "V_y", "m", "T_x", "T_y")


def _cases_seq2seq_forward(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, _S2S_DIMS)
    params = _params(rng, dims)
    src, mask = _source(rng, dims)
    tgt_in = rng.integers(0, dims["V_y"], size=(dims["m"], dims["T_y"]))
    return Case((src, tgt_in, params, mask), dims)


def _split_seq2seq_forward(value) -> dict:
    y_hat, s = expect_sequence(value, 2, "seq2seq_forward must return the pair (y_hat, s)")
    return {"y_hat": y_hat, "s": s}


def _decode_dims(rng):
    dims = draw_dims(rng, _S2S_DIMS, low=2, high=9)
    if dims["V_y"] < 4:                                            # room for <pad>, <go>, <eos> and tokens
        dims["V_y"], dims["n_e"] = dims["n_e"], dims["V_y"]
        if dims["V_y"] < 4:
            dims["V_y"], dims["n_a"] = dims["n_a"], dims["V_y"]
    return dims


def _cases_greedy_decode(rng: np.random.Generator) -> Case:
    dims = _decode_dims(rng)
    params = _params(rng, dims)
    params["by"][2] += 2.0                                          # <eos> is written early in some rows
    src, mask = _source(rng, dims)
    return Case((src, params, dims["T_y"], 1, mask, 2), dims)


def _split_ids(value) -> dict:
    return {"ids": integer_array(value, "ids", "(m, T_y)")}


def _cases_beam_search(rng: np.random.Generator) -> Case:
    dims = _decode_dims(rng)
    dims["T_y"] = min(dims["T_y"], 5)
    params = _params(rng, dims)
    params["Wy"] = params["Wy"] / 2.0                              # less peaked: the beam matters
    src, mask = _source(rng, dims)
    beam_width = int(rng.integers(2, 4))
    dims["beam_width"] = beam_width
    return Case((src, params, beam_width, dims["T_y"], 1, 2, mask), dims)


def _split_beam_search(value) -> dict:
    ids, log_p = expect_sequence(value, 2, "beam_search must return the pair (ids, log_p)")
    return {"ids": integer_array(ids, "ids", "(m, T_y)"), "log_p": log_p}


def _cases_attention_context(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_a", "m", "T_x", "T_y"))
    m, T_x = dims["m"], dims["T_x"]
    enc = rng.standard_normal((dims["n_a"], m, T_x))
    h = 1.5 * rng.standard_normal((dims["n_a"], m, dims["T_y"]))   # peaked enough to tell apart
    _, mask = _source(rng, {"m": m, "T_x": T_x, "V_x": 2})
    return Case((h, enc, mask), dims)


def _split_attention_context(value) -> dict:
    context, alpha = expect_sequence(value, 2, "attention_context must return the pair "
                                               "(context, alpha)")
    return {"context": context, "alpha": alpha}


# ---- diagnoses: known wrong variants of the references (see Exercise.diagnoses) ----

def _attention_unmasked(h, enc_states, src_mask):
    return attention_context(h, enc_states, None)


def _attention_over_decoder_steps(h, enc_states, src_mask):
    scores = np.einsum("amt,amj->mtj", h, enc_states)
    alpha = np.exp(scores - scores.max(axis=1, keepdims=True))
    alpha = alpha / alpha.sum(axis=1, keepdims=True)              # normalised over t, not j
    alpha = alpha * src_mask[:, None, :]
    return np.einsum("mtj,amj->amt", alpha, enc_states), alpha


def _backward_assigning(de, ids, n_vocab):
    dE = np.zeros((de.shape[0], n_vocab))
    dE[:, ids] = de                                                 # the last occurrence wins
    return dE


def _forward_unmasked(src_ids, tgt_in, params, src_mask):
    return seq2seq_forward(src_ids, tgt_in, params, np.ones_like(src_mask))


def _greedy_on_after_eos(src_ids, params, T_y, go, src_mask, eos):
    return greedy_decode(src_ids, params, T_y, go, src_mask)        # no padding after eos


def _beam_unmasked(src_ids, params, beam_width, T_y, go, eos, src_mask):
    return beam_search(src_ids, params, beam_width, T_y, go, eos, np.ones_like(src_mask))


EXERCISES = (
    Exercise(
        name="embedding_forward", points=2, reference=embedding_forward,
        make_case=_cases_embedding_forward, split=lambda v: {"e": v},
        signature="embedding_forward(ids, E) -> e", arg_names=("ids", "E"),
        hints={("e", ("m", "T", "n_e")): "the vectors go first: e has shape (n_e, m, T), "
                                         "E[:, ids] gives it directly"},
    ),
    Exercise(
        name="embedding_backward", points=3, reference=embedding_backward,
        make_case=_cases_embedding_backward, split=lambda v: {"dE": v},
        signature="embedding_backward(de, ids, n_vocab) -> dE", arg_names=("de", "ids", "n_vocab"),
        diagnoses=(("assigns dE[:, ids] = de: a token that occurs several times must get the "
                    "sum of its gradients (a loop with +=, or np.add.at)", _backward_assigning),),
        hints={("dE", ("n_vocab", "n_e")): "dE has the shape of E, (n_e, n_vocab)"},
    ),
    Exercise(
        name="seq2seq_forward", points=5, reference=seq2seq_forward,
        make_case=_cases_seq2seq_forward, split=_split_seq2seq_forward,
        signature="seq2seq_forward(src_ids, tgt_in, params, src_mask) -> (y_hat, s)",
        arg_names=("src_ids", "tgt_in", "params", "src_mask"),
        diagnoses=(("runs the encoder on padded steps: where src_mask is 0 the state must stay "
                    "unchanged, so that s is the state after the last real word", _forward_unmasked),),
        hints={("y_hat", ("V_y", "m", "T_x")): "the decoder runs for T_y steps, one per token of "
                                               "tgt_in: y_hat has shape (V_y, m, T_y)"},
    ),
    Exercise(
        name="greedy_decode", points=4, reference=greedy_decode,
        make_case=_cases_greedy_decode, split=_split_ids,
        signature="greedy_decode(src_ids, params, T_y, go, src_mask, eos) -> ids",
        arg_names=("src_ids", "params", "T_y", "go", "src_mask", "eos"),
        diagnoses=(("keeps writing after eos: every position after a row's first eos holds 0",
                    _greedy_on_after_eos),),
        rtol=0, atol=0,
    ),
    Exercise(
        name="beam_search", points=6, reference=beam_search,
        make_case=_cases_beam_search, split=_split_beam_search,
        signature="beam_search(src_ids, params, beam_width, T_y, go, eos, src_mask) -> (ids, log_p)",
        arg_names=("src_ids", "params", "beam_width", "T_y", "go", "eos", "src_mask"),
        diagnoses=(("runs the encoder on padded steps: where src_mask is 0 the state must stay "
                    "unchanged", _beam_unmasked),),
    ),
    Exercise(
        name="attention_context", points=4, reference=attention_context,
        make_case=_cases_attention_context, split=_split_attention_context,
        signature="attention_context(h, enc_states, src_mask) -> (context, alpha)",
        arg_names=("h", "enc_states", "src_mask"),
        diagnoses=(
            ("gives padded source steps a weight: where src_mask is 0, alpha must be 0 "
             "(set those scores to -inf before the softmax)", _attention_unmasked),
            ("takes the softmax over the decoder steps t: each alpha[i, t] is a distribution "
             "over the source steps j (axis 2)", _attention_over_decoder_steps),
        ),
        hints={("alpha", ("m", "T_x", "T_y")): "alpha has one row per decoder step: shape "
                                               "(m, T_y, T_x), alpha[i, t, j] the weight of "
                                               "source step j at step t",
               ("context", ("n_a", "m", "T_x")): "context has one column per decoder step: "
                                                 "shape (n_a, m, T_y)"},
    ),
)
