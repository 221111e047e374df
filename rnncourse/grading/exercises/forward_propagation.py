"""Exercises of assignment ``02_forward_propagation`` (lesson 02).

``rnn_cell_forward`` (one step with a softmax prediction), ``rnn_forward`` (the
whole sequence) and ``bce_step_loss`` (the syllabus's per-step loss).  The recipe
for adding an exercise is in :mod:`rnncourse.grading.exercises`.
"""

from __future__ import annotations

import numpy as np

from ...activations import sigmoid, softmax
from ...losses import bce_step_loss
from ...rnn import init_rnn_params, rnn_cell_forward, rnn_forward
from . import Case, Exercise, draw_dims, expect_sequence, split_cell_cache

ASSIGNMENT = "02_forward_propagation"
#: library modules a learner may import in this assignment (the sandbox exposes only these)
LEARNER_MODULES = ("activations",)


def random_params(rng: np.random.Generator, dims: dict) -> dict:
    """RNN parameters with non-zero biases, so that a forgotten bias shows."""
    params = init_rnn_params(dims["n_x"], dims["n_a"], dims["n_y"], rng=rng)
    for k in ("ba", "by"):
        params[k] = 0.5 * rng.standard_normal(params[k].shape)
    return params


def random_sequence_inputs(rng: np.random.Generator, dims: dict) -> tuple:
    """``(x, a0, params)`` of an RNN over a sequence: :func:`random_params`, then
    ``x`` (n_x, m, T_x) and ``a0`` (n_a, m), drawn in that order."""
    params = random_params(rng, dims)
    x = rng.standard_normal((dims["n_x"], dims["m"], dims["T_x"]))
    a0 = rng.standard_normal((dims["n_a"], dims["m"]))
    return x, a0, params


def random_grads(rng: np.random.Generator, dims: dict, scale: float = 3.0) -> dict:
    """Gradients of every RNN parameter (``dWax ... dby``), normal with std ``scale``:
    large enough that clipping has work to do."""
    n_x, n_a, n_y = dims["n_x"], dims["n_a"], dims["n_y"]
    shapes = {"dWax": (n_a, n_x), "dWaa": (n_a, n_a), "dba": (n_a, 1),
              "dWya": (n_y, n_a), "dby": (n_y, 1)}
    return {k: scale * rng.standard_normal(s) for k, s in shapes.items()}


def _cases_rnn_cell_forward(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_x", "n_a", "n_y", "m"))
    params = random_params(rng, dims)
    x_t = rng.standard_normal((dims["n_x"], dims["m"]))
    a_prev = rng.standard_normal((dims["n_a"], dims["m"]))
    return Case((x_t, a_prev, params), dims)


def _split_rnn_cell_forward(value) -> dict:
    a_next, y_hat_t, cache = expect_sequence(
        value, 3, "rnn_cell_forward must return the tuple (a_next, y_hat_t, cache)")
    return {"a_next": a_next, "y_hat_t": y_hat_t, **split_cell_cache(cache, "cache")}


def _cases_rnn_forward(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_x", "n_a", "n_y", "m", "T_x"))
    return Case(random_sequence_inputs(rng, dims), dims)


def _split_rnn_forward(value) -> dict:
    a, y_hat, caches = expect_sequence(
        value, 3, "rnn_forward must return the tuple (a, y_hat, caches)")
    cells, x = expect_sequence(caches, 2, "caches must be the pair (list of cell caches, x)")
    cells = expect_sequence(cells, 1, "caches[0] must be the list of cell caches", at_least=True)
    out = {"a": a, "y_hat": y_hat, "caches[1] (x)": x}
    for t in range(len(cells)):
        out.update(split_cell_cache(cells[t], f"caches[0][{t}]"))
    return out


def _cases_bce_step_loss(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_y", "m"))
    shape = (dims["n_y"], dims["m"])
    # probabilities away from 0 and 1: the syllabus's formula needs no clipping there
    y_hat_t = rng.uniform(0.02, 0.98, size=shape)
    y_t = (rng.random(shape) < 0.5).astype(np.float64)
    return Case((y_hat_t, y_t), dims)


def _split_bce_step_loss(value) -> dict:
    return {"L_t": value}


# ---- diagnoses: known wrong variants of the references (see Exercise.diagnoses) ----

def _cell(x_t, a_prev, params, *, bias=True, out=softmax, by=True, from_prev=False,
          transposed=False):
    Waa = params["Waa"].T if transposed else params["Waa"]
    z = Waa @ a_prev + params["Wax"] @ x_t + (params["ba"] if bias else 0.0)
    a_next = np.tanh(z)
    y_hat_t = out(params["Wya"] @ (a_prev if from_prev else a_next)
                  + (params["by"] if by else 0.0))
    return a_next, y_hat_t, (a_next, a_prev, x_t, params, y_hat_t, "softmax")


def _sequence(x, a0, params, *, store_prev=False, carry=True):
    a = np.zeros((a0.shape[0], x.shape[1], x.shape[2]))
    y_hat = np.zeros((params["Wya"].shape[0], x.shape[1], x.shape[2]))
    cells, a_t = [], a0
    for t in range(x.shape[2]):
        a_next, y_t, cache = rnn_cell_forward(x[:, :, t], a_t if carry else a0, params)
        a[:, :, t], y_hat[:, :, t] = (a_t if store_prev else a_next), y_t
        cells.append(cache)
        a_t = a_next
    return a, y_hat, (cells, x)


def _bce(y_hat_t, y_t, *, sign=-1.0, negative_term=True):
    inner = y_t * np.log(y_hat_t) + ((1 - y_t) * np.log(1 - y_hat_t) if negative_term else 0.0)
    return sign * np.sum(inner, axis=0)


CELL_DIAGNOSES = (
    ("computes a_next without the bias ba", lambda x_t, a_prev, p: _cell(x_t, a_prev, p, bias=False)),
    ("applies sigmoid in place of softmax to the prediction (softmax makes each column a "
     "distribution)", lambda x_t, a_prev, p: _cell(x_t, a_prev, p, out=sigmoid)),
    ("computes y_hat_t without the bias by", lambda x_t, a_prev, p: _cell(x_t, a_prev, p, by=False)),
    ("predicts from a_prev instead of the new state a_next",
     lambda x_t, a_prev, p: _cell(x_t, a_prev, p, from_prev=True)),
    ("multiplies a_prev by Waa.T instead of Waa",
     lambda x_t, a_prev, p: _cell(x_t, a_prev, p, transposed=True)),
)

EXERCISES = (
    Exercise(
        name="rnn_cell_forward", points=3, reference=rnn_cell_forward,
        make_case=_cases_rnn_cell_forward, split=_split_rnn_cell_forward,
        signature="rnn_cell_forward(x_t, a_prev, params) -> (a_next, y_hat_t, cache)",
        arg_names=("x_t", "a_prev", "params"), diagnoses=CELL_DIAGNOSES,
        hints={
            ("a_next", ("n_a", "n_a")): "a_next should have one column per example: "
                                        "multiply Waa by a_prev, not by its transpose",
            ("y_hat_t", ("n_y", "n_y")): "y_hat_t should have one column per example: "
                                         "compute Wya @ a_next",
        },
    ),
    Exercise(
        name="rnn_forward", points=4, reference=rnn_forward,
        make_case=_cases_rnn_forward, split=_split_rnn_forward,
        signature="rnn_forward(x, a0, params) -> (a, y_hat, caches)",
        arg_names=("x", "a0", "params"), uses=("rnn_cell_forward",),
        diagnoses=(
            ("stores the state before each step (a_prev) in a[:, :, t] instead of the new "
             "state a_next", lambda x, a0, p: _sequence(x, a0, p, store_prev=True)),
            ("starts every step from a0: hand each step's a_next on to the next step",
             lambda x, a0, p: _sequence(x, a0, p, carry=False)),
        ),
        hints={
            ("a", ("n_a", "m")): "a must keep every time step: fill a[:, :, t] inside the loop",
            ("y_hat", ("n_y", "m")): "y_hat must keep every time step: "
                                     "fill y_hat[:, :, t] inside the loop",
        },
    ),
    Exercise(
        name="bce_step_loss", points=2, reference=bce_step_loss,
        make_case=_cases_bce_step_loss, split=_split_bce_step_loss,
        signature="bce_step_loss(y_hat_t, y_t) -> L_t of shape (m,)",
        arg_names=("y_hat_t", "y_t"),
        diagnoses=(
            ("leaves out the minus sign (the loss is minus the log-likelihood)",
             lambda y_hat_t, y_t: _bce(y_hat_t, y_t, sign=1.0)),
            ("leaves out the (1 - y_t) * log(1 - y_hat_t) term",
             lambda y_hat_t, y_t: _bce(y_hat_t, y_t, negative_term=False)),
        ),
        hints={
            ("L_t", ("1", "m")): "sum over the n_y units with axis=0 and without keepdims: "
                                 "the loss has shape (m,)",
            ("L_t", ()): "return one loss per example, shape (m,): do not add up or "
                         "average over the examples",
            ("L_t", ("n_y", "m")): "add up the loss over the n_y units (axis=0)",
        },
    ),
)
