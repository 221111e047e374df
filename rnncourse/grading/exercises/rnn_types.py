"""Exercises of assignment ``01_rnn_types`` (lesson 01).

Three ways of wiring one recurrent cell, each built on
:func:`rnncourse.rnn.rnn_cell_forward` (which learners may import in this
assignment): ``many_to_one_forward`` (predict once, from the last step),
``one_to_many_generate`` (feed each sampled prediction back as the next input) and
``encoder_decoder_forward`` (T_x inputs, T_y != T_x predictions).  The references
are in :mod:`rnncourse.architectures`.  The recipe for adding an exercise is in
:mod:`rnncourse.grading.exercises`.
"""

from __future__ import annotations

import numpy as np

from ... import architectures
from ...architectures import encoder_decoder_forward, many_to_one_forward
from ...rnn import init_rnn_params, rnn_cell_forward
from . import Case, Exercise, draw_dims, expect_sequence, integer_array
from .forward_propagation import random_params, random_sequence_inputs

ASSIGNMENT = "01_rnn_types"
#: library modules a learner may import in this assignment (the sandbox exposes only these)
LEARNER_MODULES = ("activations", "rnn")


def _cases_many_to_one_forward(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_x", "n_a", "n_y", "m", "T_x"))
    return Case(random_sequence_inputs(rng, dims), dims)


def _split_many_to_one_forward(value) -> dict:
    y_hat, a_last = expect_sequence(
        value, 2, "many_to_one_forward must return the pair (y_hat, a_last)")
    return {"y_hat": y_hat, "a_last": a_last}


def one_to_many_generate(x1, a0, params, T_y, rng):
    """:func:`rnncourse.architectures.one_to_many_generate` called as the exercise calls it.

    The exercise passes ``rng`` by position, as an int seed (a ``Generator`` cannot
    cross into the grading sandbox); the library takes it as a keyword.  Sampling
    with temperature 1, the default.
    """
    return architectures.one_to_many_generate(x1, a0, params, T_y, rng=rng)


def _cases_one_to_many_generate(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_x", "n_a", "m", "T_y"))
    n_x, m = dims["n_x"], dims["m"]
    params = init_rnn_params(n_x, dims["n_a"], n_x, rng=rng)   # n_y = n_x: outputs are fed back
    params["ba"] = 0.5 * rng.standard_normal(params["ba"].shape)
    # larger output weights than the default: distributions far from uniform, so that a
    # prediction fed back wrongly (or not at all) changes the tokens drawn
    params["Wya"] = 3.0 * params["Wya"]
    params["by"] = rng.standard_normal(params["by"].shape)
    x1 = np.zeros((n_x, m))
    x1[rng.integers(n_x, size=m), np.arange(m)] = 1.0   # a random one-hot start token per example
    a0 = rng.standard_normal((dims["n_a"], m))
    seed = int(rng.integers(2**31))
    return Case((x1, a0, params, dims["T_y"], seed), dims)


def _split_one_to_many_generate(value) -> dict:
    y, indices, y_hat, a = expect_sequence(
        value, 4, "one_to_many_generate must return the tuple (y, indices, y_hat, a)")
    return {"y": y, "indices": integer_array(indices, "indices", "(m, T_y)"), "y_hat": y_hat,
            "a": a}


def _cases_encoder_decoder_forward(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_x", "n_a", "n_y", "m", "T_x", "T_y"))
    n_x, n_a, n_y, m = dims["n_x"], dims["n_a"], dims["n_y"], dims["m"]
    enc_params = init_rnn_params(n_x, n_a, None, rng=rng)       # the encoder predicts nothing
    enc_params["ba"] = 0.5 * rng.standard_normal(enc_params["ba"].shape)
    dec_params = random_params(rng, {"n_x": n_y, "n_a": n_a, "n_y": n_y})  # reads its predictions
    x = rng.standard_normal((n_x, m, dims["T_x"]))
    a0 = rng.standard_normal((n_a, m))
    return Case((x, a0, enc_params, dec_params, dims["T_y"]), dims)


def _split_encoder_decoder_forward(value) -> dict:
    return {"y_hat": value}


# ---- diagnoses: known wrong variants of the references (see Exercise.diagnoses) ----

def _many_to_one(x, a0, params, *, keep_first=False, carry=True):
    a_t, kept = a0, None
    for t in range(x.shape[2]):
        a_next, y_hat, _ = rnn_cell_forward(x[:, :, t], a_t if carry else a0, params)
        kept = y_hat if (kept is None or not keep_first) else kept
        a_t = a_next
    return kept, a_t


def _encoder_decoder(x, a0, enc_params, dec_params, T_y, *, from_summary=True):
    e = a0
    for t in range(x.shape[2]):
        e = rnn_cell_forward(x[:, :, t], e, enc_params, output=None)[0]
    n_y, m = dec_params["Wya"].shape[0], x.shape[1]
    y_hat, d, x_dec = np.zeros((n_y, m, T_y)), (e if from_summary else a0), np.zeros((n_y, m))
    for t in range(T_y):
        d, x_dec, _ = rnn_cell_forward(x_dec, d, dec_params)
        y_hat[:, :, t] = x_dec
    return y_hat


EXERCISES = (
    Exercise(
        name="many_to_one_forward", points=3, reference=many_to_one_forward,
        make_case=_cases_many_to_one_forward, split=_split_many_to_one_forward,
        diagnoses=(
            ("returns the prediction of the first step instead of the last",
             lambda x, a0, p: _many_to_one(x, a0, p, keep_first=True)),
            ("starts every step from a0: keep the new hidden state for the next step",
             lambda x, a0, p: _many_to_one(x, a0, p, carry=False)),
        ),
        signature="many_to_one_forward(x, a0, params) -> (y_hat, a_last)",
        arg_names=("x", "a0", "params"),
        hints={
            ("y_hat", ("n_y", "m", "T_x")): "a many-to-one network predicts once: return the "
                                           "prediction of the last step only, shape (n_y, m)",
            ("a_last", ("n_a", "m", "T_x")): "return the last hidden state only, shape (n_a, m)",
        },
    ),
    Exercise(
        name="one_to_many_generate", points=4, reference=one_to_many_generate,
        make_case=_cases_one_to_many_generate, split=_split_one_to_many_generate,
        signature="one_to_many_generate(x1, a0, params, T_y, rng) -> (y, indices, y_hat, a)",
        arg_names=("x1", "a0", "params", "T_y", "rng"),
        hints={
            ("indices", ("T_y", "m")): "indices has one row per example: shape (m, T_y)",
        },
    ),
    Exercise(
        name="encoder_decoder_forward", points=4, reference=encoder_decoder_forward,
        make_case=_cases_encoder_decoder_forward, split=_split_encoder_decoder_forward,
        diagnoses=(
            ("starts the decoder from a0 instead of the encoder's last state",
             lambda x, a0, e, d, T_y: _encoder_decoder(x, a0, e, d, T_y, from_summary=False)),
        ),
        signature="encoder_decoder_forward(x, a0, enc_params, dec_params, T_y) -> y_hat",
        arg_names=("x", "a0", "enc_params", "dec_params", "T_y"),
        hints={
            ("y_hat", ("n_y", "m", "T_x")): "the decoder writes T_y predictions, however long "
                                           "the input is: loop T_y times after the encoder",
        },
    ),
)
