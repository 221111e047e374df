"""Exercises of assignment ``02_forward_propagation`` (lesson 02).

``rnn_cell_forward`` (one step with a softmax prediction), ``rnn_forward`` (the
whole sequence) and ``bce_step_loss`` (the syllabus's per-step loss).  The recipe
for adding an exercise is in :mod:`rnncourse.grading.exercises`.
"""

from __future__ import annotations

import numpy as np

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


EXERCISES = (
    Exercise(
        name="rnn_cell_forward", points=3, reference=rnn_cell_forward,
        make_case=_cases_rnn_cell_forward, split=_split_rnn_cell_forward,
        signature="rnn_cell_forward(x_t, a_prev, params) -> (a_next, y_hat_t, cache)",
        arg_names=("x_t", "a_prev", "params"),
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
        hints={
            ("L_t", ("1", "m")): "sum over the n_y units with axis=0 and without keepdims: "
                                 "the loss has shape (m,)",
            ("L_t", ()): "return one loss per example, shape (m,): do not add up or "
                         "average over the examples",
            ("L_t", ("n_y", "m")): "add up the loss over the n_y units (axis=0)",
        },
    ),
)
