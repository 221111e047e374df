"""Exercises of assignment ``06_lstm`` (lesson 06).

``lstm_cell_forward`` (one step with a softmax prediction), ``lstm_forward`` (the
whole sequence, memory cells included), ``lstm_cell_backward`` (one step backwards)
and ``lstm_backward`` (backpropagation through time).  The references are the
functions of the same name in :mod:`rnncourse.lstm`.  A learner's cell cache is
compared on the fields the backward pass needs, in the course's order
``(a_next, c_next, a_prev, c_prev, x_t, params, c_tilde, Gamma_u, Gamma_f, Gamma_o,
tanh_c_next)``; anything after them is free.  Both backward answers are also checked
against the centred-difference gradient of the forward pass.  The recipe for adding
an exercise is in :mod:`rnncourse.grading.exercises`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ...activations import sigmoid, softmax
from ...caches import SequenceCache
from ...gradcheck import numerical_gradient
from ...lstm import (LSTM_SHAPES, init_lstm_params, lstm_backward, lstm_cell_backward,
                     lstm_cell_forward, lstm_forward)
from . import (Case, Exercise, documented_cache, draw_dims, expect_dict, expect_sequence,
               split_cell_cache)

ASSIGNMENT = "06_lstm"
#: library modules a learner may import in this assignment (the sandbox exposes only these)
LEARNER_MODULES = ("activations", "gradcheck")

#: the fields of an LSTM cell cache that are graded, in the course's order
CACHE_FIELDS = ("a_next", "c_next", "a_prev", "c_prev", "x_t", "params", "c_tilde", "Gamma_u",
                "Gamma_f", "Gamma_o", "tanh_c_next")
_RECURRENT = tuple(LSTM_SHAPES)       # Wf, Wu, Wc, Wo, bf, bu, bc, bo


def random_lstm_params(rng: np.random.Generator, dims: Mapping[str, int]) -> dict:
    """LSTM parameters with a prediction layer and non-zero biases, so a forgotten bias shows."""
    params = init_lstm_params(dims["n_x"], dims["n_a"], dims["n_y"], rng=rng)
    for k in ("bf", "bu", "bc", "bo", "by"):
        params[k] = params[k] + 0.5 * rng.standard_normal(params[k].shape)
    return params


def split_lstm_cache(cache, prefix: str) -> dict:
    """Name the graded entries of a LSTM cell cache (``CACHE_FIELDS``, params key by key)."""
    return split_cell_cache(cache, prefix, CACHE_FIELDS)


def _step_inputs(rng: np.random.Generator, dims: Mapping[str, int]):
    n_x, n_a, m = dims["n_x"], dims["n_a"], dims["m"]
    x_t = rng.standard_normal((n_x, m))
    a_prev = np.tanh(rng.standard_normal((n_a, m)))
    c_prev = rng.standard_normal((n_a, m))          # a memory cell is not bounded
    return x_t, a_prev, c_prev


def _cases_lstm_cell_forward(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_x", "n_a", "n_y", "m"))
    params = random_lstm_params(rng, dims)
    x_t, a_prev, c_prev = _step_inputs(rng, dims)
    return Case((x_t, a_prev, c_prev, params), dims)


def _split_lstm_cell_forward(value) -> dict:
    a_next, c_next, y_hat_t, cache = expect_sequence(
        value, 4, "lstm_cell_forward must return the tuple (a_next, c_next, y_hat_t, cache)")
    return {"a_next": a_next, "c_next": c_next, "y_hat_t": y_hat_t,
            **split_lstm_cache(cache, "cache")}


def _sequence_inputs(rng: np.random.Generator, names: tuple):
    # at most 7 per size: the numerical gradient of lstm_backward stays fast
    dims = draw_dims(rng, names, high=7)
    params = random_lstm_params(rng, dims)
    x = rng.standard_normal((dims["n_x"], dims["m"], dims["T_x"]))
    a0 = np.tanh(rng.standard_normal((dims["n_a"], dims["m"])))
    return dims, params, x, a0


def _cases_lstm_forward(rng: np.random.Generator) -> Case:
    dims, params, x, a0 = _sequence_inputs(rng, ("n_x", "n_a", "n_y", "m", "T_x"))
    return Case((x, a0, params), dims)


def _split_lstm_forward(value) -> dict:
    a, y_hat, c, caches = expect_sequence(
        value, 4, "lstm_forward must return the tuple (a, y_hat, c, caches)")
    cells, x = expect_sequence(caches, 2, "caches must be the pair (list of cell caches, x)")
    cells = expect_sequence(cells, 1, "caches[0] must be the list of cell caches", at_least=True)
    out = {"a": a, "y_hat": y_hat, "c": c, "caches[1] (x)": x}
    for t in range(len(cells)):
        out.update(split_lstm_cache(cells[t], f"caches[0][{t}]"))
    return out


def _cases_lstm_cell_backward(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_x", "n_a", "n_y", "m"))
    params = random_lstm_params(rng, dims)
    x_t, a_prev, c_prev = _step_inputs(rng, dims)
    _, _, _, cache = lstm_cell_forward(x_t, a_prev, c_prev, params)
    cache = documented_cache(cache, CACHE_FIELDS, "LSTMCellCache")  # the 11 entries of exercise 1
    da_next = rng.standard_normal((dims["n_a"], dims["m"]))
    dc_next = rng.standard_normal((dims["n_a"], dims["m"]))
    return Case((da_next, dc_next, cache), dims)


def _numgrad_lstm_cell_backward(case: Case) -> dict:
    da_next, dc_next, cache = case.args
    arrays = {"x_t": np.array(cache.x_t), "a_prev": np.array(cache.a_prev),
              "c_prev": np.array(cache.c_prev),
              **{k: np.array(cache.params[k]) for k in _RECURRENT}}
    params = {k: arrays[k] for k in _RECURRENT}

    def objective():  # J = sum(da_next * a_next) + sum(dc_next * c_next)
        a_next, c_next, _, _ = lstm_cell_forward(arrays["x_t"], arrays["a_prev"], arrays["c_prev"],
                                                 params, output=None)
        return float(np.sum(da_next * a_next) + np.sum(dc_next * c_next))

    return numerical_gradient(objective, arrays)


def _cases_lstm_backward(rng: np.random.Generator) -> Case:
    dims, params, x, a0 = _sequence_inputs(rng, ("n_x", "n_a", "n_y", "m", "T_x"))
    c0 = rng.standard_normal((dims["n_a"], dims["m"]))   # a non-zero c<0>, so dc0 is graded
    _, _, _, caches = lstm_forward(x, a0, params, c0=c0)
    da = rng.standard_normal((dims["n_a"], dims["m"], dims["T_x"]))
    # the learner-facing form: a plain list of cell caches, as a loop over cells builds it
    cells = [documented_cache(c, CACHE_FIELDS, "LSTMCellCache") for c in caches.cells]
    return Case((da, SequenceCache(cells, caches.x)), dims)


def _numgrad_lstm_backward(case: Case) -> dict:
    da, (cells, x) = case.args
    first = cells[0]
    arrays = {"x": np.array(x), "a0": np.array(first.a_prev), "c0": np.array(first.c_prev),
              **{k: np.array(first.params[k]) for k in _RECURRENT}}
    params = {k: arrays[k] for k in _RECURRENT}

    def objective():  # J = sum over t of da<t> . a<t>
        a = lstm_forward(arrays["x"], arrays["a0"], params, c0=arrays["c0"], output=None)[0]
        return float(np.sum(da * a))

    return numerical_gradient(objective, arrays)


def _split_grads(name: str):
    def split(value) -> dict:
        return dict(expect_dict(value, f"{name} must return a dict of gradients"))
    return split


# ---- diagnoses: known wrong variants of the references (see Exercise.diagnoses) ----

def _lstm_cell(x_t, a_prev, c_prev, params, *, swap_fu=False, tanh_memory=True):
    concat = np.concatenate([a_prev, x_t], axis=0)
    c_tilde = np.tanh(params["Wc"] @ concat + params["bc"])
    Gamma_u = sigmoid(params["Wu"] @ concat + params["bu"])
    Gamma_f = sigmoid(params["Wf"] @ concat + params["bf"])
    Gamma_o = sigmoid(params["Wo"] @ concat + params["bo"])
    c_next = (Gamma_f * c_tilde + Gamma_u * c_prev) if swap_fu else \
        (Gamma_u * c_tilde + Gamma_f * c_prev)
    tanh_c_next = np.tanh(c_next)
    a_next = Gamma_o * (tanh_c_next if tanh_memory else c_next)
    y_hat_t = softmax(params["Wy"] @ a_next + params["by"])
    return a_next, c_next, y_hat_t, (a_next, c_next, a_prev, c_prev, x_t, params, c_tilde,
                                     Gamma_u, Gamma_f, Gamma_o, tanh_c_next)


def _lstm_cell_backward(da_next, dc_next, cache, *, through_a=True):
    (_, _, a_prev, c_prev, x_t, p, c_tilde, Gamma_u, Gamma_f, Gamma_o, tanh_c) = cache[:11]
    n_a = a_prev.shape[0]
    dc = dc_next + (da_next * Gamma_o * (1 - tanh_c ** 2) if through_a else 0.0)
    dz = {"f": dc * c_prev * Gamma_f * (1 - Gamma_f), "u": dc * c_tilde * Gamma_u * (1 - Gamma_u),
          "o": da_next * tanh_c * Gamma_o * (1 - Gamma_o), "c": dc * Gamma_u * (1 - c_tilde ** 2)}
    concat = np.concatenate([a_prev, x_t], axis=0)
    out = {"dc_prev": dc * Gamma_f}
    d_concat = sum(p["W" + g].T @ d for g, d in dz.items())
    for g, d in dz.items():
        out["dW" + g], out["db" + g] = d @ concat.T, d.sum(axis=1, keepdims=True)
    out["da_prev"], out["dx_t"] = d_concat[:n_a], d_concat[n_a:]
    return out


def _lstm_backward(da, caches, *, memory=True, recurrent=True):
    cells, x = caches
    p = cells[0][5]
    n_a, m = da.shape[:2]
    dx = np.zeros(x.shape)
    total = {"d" + k: np.zeros_like(p[k]) for k in _RECURRENT}
    g_a, g_c = np.zeros((n_a, m)), np.zeros((n_a, m))
    for t in range(x.shape[2] - 1, -1, -1):
        step = lstm_cell_backward(da[:, :, t] + (g_a if recurrent else 0.0),
                                  g_c if memory else np.zeros((n_a, m)), cells[t])
        dx[:, :, t] = step["dx_t"]
        for k in total:
            total[k] = total[k] + step[k]
        g_a, g_c = step["da_prev"], step["dc_prev"]
    return {"dx": dx, "da0": g_a, "dc0": g_c, **total}


_BIAS_HINTS = {
    (f"d{b}", shape): hint
    for b in ("bf", "bu", "bc", "bo")
    for shape, hint in (
        (("n_a", "m"), f"d{b} must add up over the examples: np.sum(dz, axis=1, keepdims=True)"),
        (("n_a",), f"keep d{b} a column of shape (n_a, 1): use keepdims=True"),
    )
}
_STACK_HINTS = {
    ("da_prev", ("n_x", "m")): "da_prev has the shape of a_prev, (n_a, m): take the first n_a "
                               "rows of the stacked gradient",
    ("dx_t", ("n_a", "m")): "dx_t has the shape of x_t, (n_x, m): take the last n_x rows of "
                            "the stacked gradient",
}

EXERCISES = (
    Exercise(
        name="lstm_cell_forward", points=3, reference=lstm_cell_forward,
        make_case=_cases_lstm_cell_forward, split=_split_lstm_cell_forward,
        signature="lstm_cell_forward(x_t, a_prev, c_prev, params) -> "
                  "(a_next, c_next, y_hat_t, cache)",
        arg_names=("x_t", "a_prev", "c_prev", "params"),
        diagnoses=(
            ("has the forget and update gates swapped: c_next = Gamma_u * c_tilde + "
             "Gamma_f * c_prev", lambda x, a, c, p: _lstm_cell(x, a, c, p, swap_fu=True)),
            ("computes a_next = Gamma_o * c_next: the output gate multiplies tanh(c_next)",
             lambda x, a, c, p: _lstm_cell(x, a, c, p, tanh_memory=False)),
        ),
        hints={
            ("y_hat_t", ("n_y", "n_y")): "y_hat_t should have one column per example: "
                                         "compute Wy @ a_next + by",
        },
    ),
    Exercise(
        name="lstm_forward", points=3, reference=lstm_forward,
        make_case=_cases_lstm_forward, split=_split_lstm_forward,
        signature="lstm_forward(x, a0, params) -> (a, y_hat, c, caches)",
        arg_names=("x", "a0", "params"), uses=("lstm_cell_forward",),
        hints={
            ("a", ("n_a", "m")): "a must keep every time step: fill a[:, :, t] inside the loop",
            ("c", ("n_a", "m")): "c must keep every time step: fill c[:, :, t] inside the loop",
            ("y_hat", ("n_y", "m")): "y_hat must keep every time step: "
                                     "fill y_hat[:, :, t] inside the loop",
        },
    ),
    Exercise(
        name="lstm_cell_backward", points=5, reference=lstm_cell_backward,
        make_case=_cases_lstm_cell_backward, split=_split_grads("lstm_cell_backward"),
        signature="lstm_cell_backward(da_next, dc_next, cache) -> dict with dx_t, da_prev, "
                  "dc_prev, dWf, dWu, dWc, dWo, dbf, dbu, dbc, dbo",
        arg_names=("da_next", "dc_next", "cache"),
        numerical_gradient=_numgrad_lstm_cell_backward,
        diagnoses=(
            ("leaves out the term of dc that comes through the hidden state, da_next * Gamma_o * "
             "(1 - tanh_c_next ** 2)", lambda da, dc, cache: _lstm_cell_backward(da, dc, cache,
                                                                                  through_a=False)),
        ),
        hints={**_BIAS_HINTS, **_STACK_HINTS},
    ),
    Exercise(
        name="lstm_backward", points=4, reference=lstm_backward,
        make_case=_cases_lstm_backward, split=_split_grads("lstm_backward"),
        signature="lstm_backward(da, caches) -> dict with dx, da0, dc0, dWf, dWu, dWc, dWo, "
                  "dbf, dbu, dbc, dbo",
        arg_names=("da", "caches"), uses=("lstm_cell_backward",),
        numerical_gradient=_numgrad_lstm_backward,
        diagnoses=(
            ("runs without the memory gradient from step t+1: pass each step's dc_prev on as "
             "the next step's dc_next", lambda da, c: _lstm_backward(da, c, memory=False)),
            ("calls lstm_cell_backward with da[:, :, t] alone, without the gradient from step "
             "t+1 (the da_prev of the step after it)",
             lambda da, c: _lstm_backward(da, c, recurrent=False)),
        ),
        hints={**_BIAS_HINTS,
               ("dx", ("n_x", "m")): "dx must keep every time step: fill dx[:, :, t]"},
    ),
)
