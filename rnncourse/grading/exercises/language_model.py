"""Exercises of assignment ``10_language_model`` (lesson 10, the capstone).

The learner writes every piece of a character-level language model that the recurrent
core (``rnn_forward`` / ``rnn_backward`` of assignments 02-03, imported from the
library) does not already give:

``softmax_output_backward``
    ``dz_y = (y_hat - y) * mask / m``, ``dWya``, ``dby`` and the ``da`` entering BPTT;
    checked against the reference and against centred differences of the loss;
``lm_loss`` / ``perplexity``
    the masked cross-entropy summed over T_y and averaged over m, and the per-character
    perplexity;
``train_step``
    forward, loss, BPTT, clipping by global norm and Adam, returning new parameters,
    the new Adam state, the loss and the last hidden state (inputs left unchanged);
``sample``
    generation with a temperature, reproducible from an int seed;
``fit_language_model``
    the learner's training loop (truncated BPTT over their ``train_step``), run by the
    grader in the sandbox on a window of the training text it picks (hidden), with a
    fixed number of updates.  Its answer is not compared with the reference's: the
    returned parameters are scored on the held-out pages of :func:`rnncourse.text.load_corpus`
    in the grader's process, and pass when their perplexity is below
    :data:`FIT_THRESHOLD_FACTOR` times the bigram baseline's (the reference reaches
    about 0.6-0.77 of it over windows of the text; ``tests/grading/test_exercises_language_model.py`` keeps that margin).

The recipe for adding an exercise is in :mod:`rnncourse.grading.exercises`.
"""

from __future__ import annotations

import functools

import numpy as np

from ...activations import softmax
from ...gradcheck import numerical_gradient
from ...language_model import (evaluate_perplexity, fit_language_model, lm_backward, lm_forward,
                               lm_loss, ngram_perplexity, perplexity, sample,
                               softmax_output_backward, train_step)
from ...optim import clip_by_norm, global_norm, init_adam_state
from ...text import load_corpus, one_hot
from . import (Case, Exercise, StructureError, draw_dims, expect_dict, expect_sequence,
               one_number)

ASSIGNMENT = "10_language_model"
#: library modules a learner may import in this assignment (the sandbox exposes only these):
#: the recurrent core of assignments 02-03, the activations and the text loader
LEARNER_MODULES = ("activations", "rnn", "text")

#: the fit passes when its held-out perplexity is below this times the bigram baseline's
FIT_THRESHOLD_FACTOR = 0.95
#: the fit exercise's budget: updates, hidden units, characters of training text
FIT_STEPS, FIT_N_A, FIT_WINDOW = 300, 64, 200_000
#: the held-out pages are read as this many streams (passages of ~550 characters), so a
#: state drifting over thousands of steps (never trained that far) does not decide the grade
FIT_EVAL_STREAMS = 64

_RNN_KEYS = ("Wax", "Waa", "ba", "Wya", "by")


# ---- shared case builders --------------------------------------------------------------

def _lengths_mask(rng, m: int, T: int) -> np.ndarray:
    """(m, T) 0/1: example i is real for its first lengths[i] steps (padded names)."""
    lengths = rng.integers(1, T + 1, size=m)
    lengths[rng.integers(m)] = T                      # at least one full-length example
    return (np.arange(T)[None, :] < lengths[:, None]).astype(np.float64)


def _predictions(rng, dims):
    n_y, m, T = dims["n_y"], dims["m"], dims["T_y"]
    y_hat = softmax(1.5 * rng.standard_normal((n_y, m, T)), axis=0)
    y = one_hot(rng.integers(0, n_y, size=(m, T)), n_y)
    return y_hat, y, _lengths_mask(rng, m, T)


def random_lm_params(rng, n_y: int, n_a: int) -> dict:
    """RNN language-model parameters with moderate weights (tanh not saturated)."""
    return {"Wax": 0.5 * rng.standard_normal((n_a, n_y)),
            "Waa": 0.5 * rng.standard_normal((n_a, n_a)) / np.sqrt(n_a),
            "ba": 0.1 * rng.standard_normal((n_a, 1)),
            "Wya": rng.standard_normal((n_y, n_a)),
            "by": 0.1 * rng.standard_normal((n_y, 1))}


def _scalar(name: str, what: str):
    def split(value) -> dict:
        return {name: one_number(value, f"{name} must return {what} (a float)")}
    return split


# ---- softmax_output_backward ------------------------------------------------------------

def _cases_softmax_output_backward(rng) -> Case:
    dims = draw_dims(rng, ("n_y", "n_a", "m", "T_y"))
    a = np.tanh(rng.standard_normal((dims["n_a"], dims["m"], dims["T_y"])))
    Wya = rng.standard_normal((dims["n_y"], dims["n_a"]))
    by = rng.standard_normal((dims["n_y"], 1))
    z = np.einsum("ya,amt->ymt", Wya, a) + by[:, :, None]           # (n_y, m, T_y)
    y = one_hot(rng.integers(0, dims["n_y"], size=(dims["m"], dims["T_y"])), dims["n_y"])
    return Case((softmax(z, axis=0), y, a, Wya, _lengths_mask(rng, dims["m"], dims["T_y"])), dims)


def _numgrad_softmax_output_backward(case: Case) -> dict:
    y_hat, y, a, Wya, mask = case.args
    z = np.log(y_hat)                                 # softmax(log y_hat) = y_hat
    offset = z - np.einsum("ya,amt->ymt", Wya, a)     # the b_y (and any constant) part of z
    arrays = {"z_y": z.copy(), "Wya": Wya.copy(), "a": a.copy(), "by": np.zeros((y.shape[0], 1))}

    def through_z():
        return lm_loss(softmax(arrays["z_y"], axis=0), y, mask)

    def through_params():
        zz = np.einsum("ya,amt->ymt", arrays["Wya"], arrays["a"]) + offset + arrays["by"][:, :, None]
        return lm_loss(softmax(zz, axis=0), y, mask)

    out = numerical_gradient(through_z, {"z_y": arrays["z_y"]})
    out.update(numerical_gradient(through_params, {k: arrays[k] for k in ("Wya", "a", "by")}))
    return out


def _split_output_grads(value) -> dict:
    grads = expect_dict(value, "softmax_output_backward must return a dict with dz_y, dWya, dby, da")
    return {k: grads[k] for k in ("dz_y", "dWya", "dby", "da") if k in grads}


# ---- lm_loss, perplexity -------------------------------------------------------------------

def _cases_predictions(rng) -> Case:
    dims = draw_dims(rng, ("n_y", "m", "T_y"))
    return Case(_predictions(rng, dims), dims)


# ---- train_step -----------------------------------------------------------------------------

def _cases_train_step(rng) -> Case:
    dims = draw_dims(rng, ("n_y", "n_a", "m", "T"), low=2, high=9)
    n_y, n_a, m, T = dims["n_y"], dims["n_a"], dims["m"], dims["T"]
    params = random_lm_params(rng, n_y, n_a)
    state = init_adam_state(params)
    t = int(rng.integers(0, 4))                        # Adam's bias correction at step t + 1
    if t:
        state = {"t": t, "m": {k: 0.1 * rng.standard_normal(v.shape) for k, v in params.items()},
                 "v": {k: 0.01 * rng.random(v.shape) for k, v in params.items()}}
    ids = rng.integers(0, n_y, size=(m, T + 1))
    x, y = ids[:, :-1], ids[:, 1:]
    a0 = 0.5 * rng.standard_normal((n_a, m))
    # a clipping threshold that bites in about half of the cases (below the gradient's norm)
    _, _, cache = lm_forward(x, a0, params)
    grads = lm_backward(y, cache)
    del grads["da0"]
    max_norm = float(np.round(global_norm(grads) * rng.choice([0.3, 0.6, 1.5, 3.0]), 3))
    learning_rate = float(rng.choice([0.005, 0.01, 0.02, 0.05]))
    return Case((params, state, x, y, a0, learning_rate, max_norm), dims)


def _split_train_step(value) -> dict:
    new_params, state, loss, a_last = expect_sequence(
        value, 4, "train_step must return (new_params, new_adam_state, loss, a_last)")
    new_params = expect_dict(new_params, "train_step's new_params must be a dict of arrays")
    state = expect_dict(state, "train_step's new_adam_state must be the dict {'t', 'm', 'v'}")
    out = {f"new_params['{k}']": new_params[k] for k in _RNN_KEYS if k in new_params}
    for moment in ("m", "v"):
        moments = expect_dict(state.get(moment),
                              f"train_step's new_adam_state['{moment}'] must be a dict of arrays")
        out.update({f"new_adam_state['{moment}']['{k}']": moments[k] for k in _RNN_KEYS
                    if k in moments})
    t = state.get("t")
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)):
        raise StructureError(f"train_step's new_adam_state['t'] must be the int count of updates, "
                             f"got {type(t).__name__}")
    out["new_adam_state['t']"] = np.array([float(t)])
    out.update(_scalar("loss", "the loss")(loss))
    out["a_last"] = a_last
    return out


# ---- sample ---------------------------------------------------------------------------------

def _cases_sample(rng) -> Case:
    dims = draw_dims(rng, ("n_y", "n_a"), low=4, high=9)
    params = random_lm_params(rng, dims["n_y"], dims["n_a"])
    params["by"][0] = -1.0                             # EOS possible but not immediate
    seed = int(rng.integers(2**31))
    temperature = float(rng.choice([0.5, 0.7, 1.4, 2.0]))   # not 1: its inverse would agree
    max_len = int(rng.integers(10, 40))
    return Case((params, seed, temperature, max_len), dims)


def _split_sample(value) -> dict:
    if not isinstance(value, np.ndarray) or value.ndim != 1:
        kind = f"shape {value.shape}" if isinstance(value, np.ndarray) else type(value).__name__
        raise StructureError(f"sample must return a 1-D integer array of ids (np.array(ids)), "
                             f"got {kind}")
    if value.size and value.dtype.kind not in "iu":
        raise StructureError(f"sample must return integer ids, got dtype {value.dtype}")
    return {"ids": value.astype(np.float64)}


# ---- fit_language_model ---------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _fit_data():
    """The corpus and the fit's threshold (cached: read once per grading process)."""
    corpus = load_corpus()
    bigram = ngram_perplexity(corpus.train_ids, corpus.held_out_ids, len(corpus.vocab), 2)
    return corpus, bigram, FIT_THRESHOLD_FACTOR * bigram


def fit_threshold() -> tuple[float, float]:
    """``(bigram perplexity, threshold)`` of the fit exercise on this Python's text."""
    _, bigram, threshold = _fit_data()
    return bigram, threshold


def _cases_fit_language_model(rng) -> Case:
    corpus, _, _ = _fit_data()
    start = int(rng.integers(0, corpus.train_ids.size - FIT_WINDOW))
    ids = corpus.train_ids[start:start + FIT_WINDOW].copy()     # a hidden window of training text
    n_y = len(corpus.vocab)
    return Case((ids, n_y, FIT_N_A, FIT_STEPS, int(rng.integers(2**31))),
                {"N": FIT_WINDOW, "n_y": n_y, "n_a": FIT_N_A})


def _split_fit(value) -> dict:
    corpus, bigram, threshold = _fit_data()
    n_y = len(corpus.vocab)
    params = expect_dict(value, "fit_language_model must return the trained parameter dict "
                                "(Wax, Waa, ba, Wya, by)")
    missing = [k for k in _RNN_KEYS if k not in params]
    if missing:
        raise StructureError(f"fit_language_model's parameters lack {', '.join(missing)}")
    Wax = params["Wax"]
    if not isinstance(Wax, np.ndarray) or Wax.ndim != 2 or Wax.shape[1] != n_y:
        raise StructureError(f"fit_language_model: Wax must have shape (n_a, n_y) with "
                             f"n_y = {n_y}, got {getattr(Wax, 'shape', type(Wax).__name__)}")
    n_a = Wax.shape[0]
    shapes = {"Wax": (n_a, n_y), "Waa": (n_a, n_a), "ba": (n_a, 1), "Wya": (n_y, n_a),
              "by": (n_y, 1)}
    for k, shape in shapes.items():
        p = params[k]
        if not isinstance(p, np.ndarray) or p.dtype.kind != "f" or p.shape != shape:
            got = f"{p.dtype} {p.shape}" if isinstance(p, np.ndarray) else type(p).__name__
            raise StructureError(f"fit_language_model: {k} must be a float array of shape "
                                 f"{shape}, got {got}")
        if not np.isfinite(p).all():
            raise StructureError(f"fit_language_model: {k} holds NaN or inf: training diverged "
                                 f"(is the gradient clipped before the update?)")
    ppl = evaluate_perplexity({k: params[k] for k in _RNN_KEYS}, corpus.held_out_ids,
                              m=FIT_EVAL_STREAMS)
    if not ppl < threshold:
        raise StructureError(
            f"your model's perplexity on the held-out pages is {ppl:.1f}; it must be below "
            f"{threshold:.1f} ({FIT_THRESHOLD_FACTOR} x the bigram baseline's {bigram:.1f}) after "
            f"{FIT_STEPS} updates. Check the loop: carry a_last into the next chunk, reset it "
            f"when a pass over the streams restarts, and update params and the Adam state with "
            f"what train_step returns")
    return {}


# ---- diagnoses: known wrong variants of the references (see Exercise.diagnoses) ----

def _output_backward_unscaled(y_hat, y, a, Wya, mask):
    m = y_hat.shape[1]
    return {k: v * m for k, v in softmax_output_backward(y_hat, y, a, Wya, mask).items()}


def _loss_per_character(y_hat, y, mask):
    return lm_loss(y_hat, y, mask) * y_hat.shape[1] / float(np.sum(mask))


def _train_step_without_bias_correction(params, adam_state, x, y, a0, learning_rate, max_norm):
    y_hat, a_last, cache = lm_forward(x, a0, params)
    n_y = y_hat.shape[0]
    loss = lm_loss(y_hat, y)
    grads = lm_backward(one_hot(y, n_y), cache)
    del grads["da0"]
    grads = clip_by_norm(grads, max_norm)
    new, m, v = {}, {}, {}
    for k, p in params.items():
        g = grads["d" + k]
        m[k] = 0.9 * adam_state["m"][k] + 0.1 * g
        v[k] = 0.999 * adam_state["v"][k] + 0.001 * g * g
        new[k] = p - learning_rate * m[k] / (np.sqrt(v[k]) + 1e-8)
    return new, {"t": adam_state["t"] + 1, "m": m, "v": v}, loss, a_last


def _sample_keeping_eos(params, rng, temperature, max_len):
    ids = sample(params, rng, temperature, max_len)
    return ids if ids.size == max_len else np.append(ids, 0)


EXERCISES = (
    Exercise(
        name="softmax_output_backward", points=3, reference=softmax_output_backward,
        make_case=_cases_softmax_output_backward, split=_split_output_grads,
        signature="softmax_output_backward(y_hat, y, a, Wya, mask) -> dict with dz_y, dWya, "
                  "dby, da",
        arg_names=("y_hat", "y", "a", "Wya", "mask"),
        numerical_gradient=_numgrad_softmax_output_backward,
        grad_tol=1e-6,
        diagnoses=(
            ("ignores the mask: padded steps must send no gradient (multiply dz_y by "
             "mask[None, :, :])", lambda y_hat, y, a, W, mask: softmax_output_backward(
                 y_hat, y, a, W, None)),
            ("leaves out the 1/m: the loss is averaged over the m examples, so "
             "dz_y = (y_hat - y) * mask / m", _output_backward_unscaled),
        ),
        hints={
            ("dWya", ("n_a", "n_y")): "dWya has the shape of Wya, (n_y, n_a): dz_y @ a.T, "
                                      "summed over the steps",
            ("dby", ("n_y", "m")): "dby adds dz_y up over the examples AND the steps: shape (n_y, 1)",
            ("dby", ("n_y", "T_y")): "dby adds dz_y up over the examples AND the steps: "
                                     "shape (n_y, 1)",
            ("dWya", ("n_y", "n_a", "T_y")): "dWya is one matrix: add the steps' "
                                             "dz_y<t> @ a<t>.T together",
            ("da", ("n_y", "m", "T_y")): "da is Wya.T @ dz_y at each step, shape (n_a, m, T_y)",
        },
    ),
    Exercise(
        name="lm_loss", points=2, reference=lm_loss,
        make_case=_cases_predictions, split=_scalar("loss", "the loss"),
        signature="lm_loss(y_hat, y, mask) -> float",
        arg_names=("y_hat", "y", "mask"), rtol=1e-9, atol=1e-12,
        diagnoses=(
            ("counts the padded steps: multiply the log-probabilities by the mask",
             lambda y_hat, y, mask: lm_loss(y_hat, y, None)),
            ("averages over the characters: the loss is summed over the T_y steps and "
             "averaged over the m examples only", _loss_per_character),
        ),
    ),
    Exercise(
        name="perplexity", points=2, reference=perplexity,
        make_case=_cases_predictions, split=_scalar("perplexity", "the perplexity"),
        signature="perplexity(y_hat, y, mask) -> float",
        arg_names=("y_hat", "y", "mask"), uses=("lm_loss",), rtol=1e-9, atol=1e-12,
        diagnoses=(
            ("divides by the number of examples m: perplexity is per real character, "
             "divide by np.sum(mask)", lambda y_hat, y, mask: float(np.exp(lm_loss(y_hat, y, mask)))),
            ("counts the padded steps: multiply the log-probabilities by the mask",
             lambda y_hat, y, mask: perplexity(y_hat, y, None)),
        ),
    ),
    Exercise(
        name="train_step", points=5, reference=train_step,
        make_case=_cases_train_step, split=_split_train_step,
        signature="train_step(params, adam_state, x, y, a0, learning_rate, max_norm) -> "
                  "(new_params, new_adam_state, loss, a_last)",
        arg_names=("params", "adam_state", "x", "y", "a0", "learning_rate", "max_norm"),
        uses=("softmax_output_backward", "lm_loss"), rtol=1e-6, atol=1e-9,
        diagnoses=(
            ("does not clip: scale every gradient by min(1, max_norm / global norm) before "
             "Adam", lambda p, st, x, y, a0, lr, mn: train_step(p, st, x, y, a0, lr, 1e300)),
            ("skips Adam's bias correction: divide m by (1 - beta1**t) and v by "
             "(1 - beta2**t)", _train_step_without_bias_correction),
        ),
        hints={("a_last", ("n_a", "m", "T")): "a_last is the state after the last step only, "
                                              "a[:, :, -1], shape (n_a, m)"},
    ),
    Exercise(
        name="sample", points=3, reference=sample,
        make_case=_cases_sample, split=_split_sample,
        signature="sample(params, rng, temperature, max_len) -> 1-D int array of ids",
        arg_names=("params", "rng", "temperature", "max_len"), rtol=0.0, atol=0.0,
        diagnoses=(
            ("multiplies by the temperature: p = softmax(z / temperature)",
             lambda p, rng, temperature, n: sample(p, rng, 1.0 / temperature, n)),
            ("returns the EOS id: stop at EOS without appending it", _sample_keeping_eos),
        ),
    ),
    Exercise(
        name="fit_language_model", points=5, reference=fit_language_model,
        make_case=_cases_fit_language_model, split=_split_fit,
        signature="fit_language_model(train_ids, n_y, n_a, n_steps, seed) -> params",
        arg_names=("train_ids", "n_y", "n_a", "n_steps", "seed"), uses=("train_step",),
        public_seeds=(0,), hidden_cases=1,
    ),
)
