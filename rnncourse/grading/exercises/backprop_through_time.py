"""Exercises of assignment ``03_backprop_through_time`` (lesson 03).

``rnn_cell_backward`` (one step), ``rnn_backward`` (through time) and
``clip_by_value``.  The inputs of the backward exercises are caches made by the
reference forward pass; in the grader they reach the learner's function as tuples
and NamedTuples with the same fields (``cache.a_next`` and ``cache[0]`` both work).
Besides the comparison with the reference, each backward answer is checked against
the centred-difference gradient of the forward pass.  The recipe for adding an
exercise is in :mod:`rnncourse.grading.exercises`.
"""

from __future__ import annotations

import numpy as np

from ...caches import SequenceCache
from ...gradcheck import numerical_gradient
from ...optim import clip_by_value
from ...rnn import rnn_backward, rnn_cell_backward, rnn_cell_forward, rnn_forward
from . import RNN_CACHE_FIELDS, Case, Exercise, documented_cache, draw_dims, expect_dict
from .forward_propagation import random_grads, random_params, random_sequence_inputs

ASSIGNMENT = "03_backprop_through_time"
#: library modules a learner may import in this assignment (the sandbox exposes only these)
LEARNER_MODULES = ("activations", "gradcheck")

_RECURRENT = ("Wax", "Waa", "ba")


def _cases_rnn_cell_backward(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_x", "n_a", "n_y", "m"))
    params = random_params(rng, dims)
    x_t = rng.standard_normal((dims["n_x"], dims["m"]))
    a_prev = rng.standard_normal((dims["n_a"], dims["m"]))
    _, _, cache = rnn_cell_forward(x_t, a_prev, params)
    cache = documented_cache(cache, RNN_CACHE_FIELDS, "RNNCellCache")  # as recurrent_step makes it
    da_next = rng.standard_normal((dims["n_a"], dims["m"]))
    return Case((da_next, cache), dims)


def _numgrad_rnn_cell_backward(case: Case) -> dict:
    da_next, cache = case.args
    arrays = {"x_t": cache.x_t.copy(), "a_prev": cache.a_prev.copy(),
              **{k: cache.params[k].copy() for k in _RECURRENT}}
    params = {k: arrays[k] for k in _RECURRENT}

    def objective():  # J = sum(da_next * a_next): its gradient is what backward returns
        a_next = rnn_cell_forward(arrays["x_t"], arrays["a_prev"], params, output=None)[0]
        return float(np.sum(da_next * a_next))

    return numerical_gradient(objective, arrays)


def _split_grads(name: str):
    def split(value) -> dict:
        return dict(expect_dict(value, f"{name} must return a dict of gradients"))
    return split


def _cases_rnn_backward(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_x", "n_a", "n_y", "m", "T_x"))
    x, a0, params = random_sequence_inputs(rng, dims)
    _, _, caches = rnn_forward(x, a0, params)
    da = rng.standard_normal((dims["n_a"], dims["m"], dims["T_x"]))
    # the learner-facing form: a plain list of cell caches, as a loop over cells builds it
    cells = [documented_cache(c, RNN_CACHE_FIELDS, "RNNCellCache") for c in caches.cells]
    return Case((da, SequenceCache(cells, caches.x)), dims)


def _numgrad_rnn_backward(case: Case) -> dict:
    da, (cells, x) = case.args
    first = cells[0]
    arrays = {"x": np.array(x), "a0": first.a_prev.copy(),
              **{k: first.params[k].copy() for k in _RECURRENT}}
    params = {k: arrays[k] for k in _RECURRENT}

    def objective():  # J = sum over t of da<t> . a<t>
        a = rnn_forward(arrays["x"], arrays["a0"], params, output=None)[0]
        return float(np.sum(da * a))

    return numerical_gradient(objective, arrays)


def _cases_clip_by_value(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_x", "n_a", "n_y"))
    grads = random_grads(rng, dims)
    max_value = float(np.round(rng.uniform(0.5, 2.5), 2))
    return Case((grads, max_value), dims)


def _split_clip(value) -> dict:
    return dict(expect_dict(value, "clip_by_value must return a new dict of clipped gradients"))


_GRAD_HINTS = {
    ("dWax", ("n_x", "n_a")): "dWax looks transposed: it has the shape of Wax, "
                              "(n_a, n_x) = dz @ x_t.T",
    ("dba", ("n_a", "m")): "dba must add up dz over the examples: "
                           "np.sum(dz, axis=1, keepdims=True)",
    ("dba", ("n_a",)): "keep dba a column: np.sum(dz, axis=1, keepdims=True)",
}

# ---- diagnoses: known wrong variants of the references (see Exercise.diagnoses) ----

def _cell_backward(da_next, cache, *, derivative_at="a_next"):
    a_next, a_prev, x_t, p = cache[:4]
    at = {"a_next": a_next, "a_prev": a_prev}.get(derivative_at)
    dz = da_next * (1 - at ** 2) if at is not None else da_next
    return {"dx_t": p["Wax"].T @ dz, "da_prev": p["Waa"].T @ dz, "dWax": dz @ x_t.T,
            "dWaa": dz @ a_prev.T, "dba": np.sum(dz, axis=1, keepdims=True)}


def _sequence_backward(da, caches, *, recurrent=True, backwards=True):
    cells, x = caches
    p = cells[0][3]
    dx = np.zeros(x.shape)
    total = {"dWax": np.zeros_like(p["Wax"]), "dWaa": np.zeros_like(p["Waa"]),
             "dba": np.zeros_like(p["ba"])}
    g = np.zeros(da.shape[:2])
    steps = range(x.shape[2] - 1, -1, -1) if backwards else range(x.shape[2])
    for t in steps:
        step = rnn_cell_backward(da[:, :, t] + (g if recurrent else 0.0), cells[t])
        dx[:, :, t] = step["dx_t"]
        for k in total:
            total[k] = total[k] + step[k]
        g = step["da_prev"]
    return {"dx": dx, "da0": g, **total}


EXERCISES = (
    Exercise(
        name="rnn_cell_backward", points=4, reference=rnn_cell_backward,
        make_case=_cases_rnn_cell_backward, split=_split_grads("rnn_cell_backward"),
        signature="rnn_cell_backward(da_next, cache) -> dict with dx_t, da_prev, dWax, "
                  "dWaa, dba",
        arg_names=("da_next", "cache"),
        numerical_gradient=_numgrad_rnn_cell_backward,
        diagnoses=(
            ("takes the tanh derivative at a_prev: it is 1 - a_next ** 2 (a_next = tanh(z))",
             lambda da_next, cache: _cell_backward(da_next, cache, derivative_at="a_prev")),
            ("leaves out the tanh derivative: dz = da_next * (1 - a_next ** 2)",
             lambda da_next, cache: _cell_backward(da_next, cache, derivative_at=None)),
        ),
        hints={**_GRAD_HINTS,
               ("dx_t", ("n_a", "m")): "dx_t has the shape of x_t, (n_x, m): use Wax.T @ dz",
               ("da_prev", ("n_x", "m")): "da_prev has the shape of a_prev, (n_a, m): "
                                          "use Waa.T @ dz"},
    ),
    Exercise(
        name="rnn_backward", points=4, reference=rnn_backward,
        make_case=_cases_rnn_backward, split=_split_grads("rnn_backward"),
        signature="rnn_backward(da, caches) -> dict with dx, da0, dWax, dWaa, dba",
        arg_names=("da", "caches"), uses=("rnn_cell_backward",),
        numerical_gradient=_numgrad_rnn_backward,
        diagnoses=(
            ("calls rnn_cell_backward with da[:, :, t] alone, without the gradient from step "
             "t+1 (the da_prev of the step after it)",
             lambda da, caches: _sequence_backward(da, caches, recurrent=False)),
            ("runs from the first step to the last: BPTT goes from t = T_x - 1 down to 0",
             lambda da, caches: _sequence_backward(da, caches, backwards=False)),
        ),
        hints={**_GRAD_HINTS,
               ("dx", ("n_x", "m")): "dx must keep every time step: fill dx[:, :, t]"},
    ),
    Exercise(
        name="clip_by_value", points=2, reference=clip_by_value,
        make_case=_cases_clip_by_value, split=_split_clip,
        signature="clip_by_value(grads, max_value) -> new dict of clipped gradients",
        arg_names=("grads", "max_value"),
        rtol=0.0, atol=1e-12,
        diagnoses=(
            ("clips only from above (np.minimum): clip to [-max_value, max_value]",
             lambda grads, v: {k: np.minimum(g, v) for k, g in grads.items()}),
        ),
    ),
)
