"""Exercises of assignment ``05_gru`` (lesson 05).

``gru_cell_forward`` (one step of the full GRU with a softmax prediction),
``gru_forward`` (the whole sequence) and ``gru_cell_backward`` (one step backwards).
The references are the functions of the same name in :mod:`rnncourse.gru`.  A learner's
cell cache is compared on the fields the backward pass needs, in the course's order
``(c_next, c_prev, x_t, params, c_tilde, Gamma_u, Gamma_r)``; anything after them is
free.  The backward answer is also checked against the centred-difference gradient of
the forward pass.  The recipe for adding an exercise is in
:mod:`rnncourse.grading.exercises`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ...activations import sigmoid, softmax
from ...gradcheck import numerical_gradient
from ...gru import GRU_SHAPES, gru_cell_backward, gru_cell_forward, gru_forward, init_gru_params
from . import (Case, Exercise, documented_cache, draw_dims, expect_dict, expect_sequence,
               split_cell_cache)

ASSIGNMENT = "05_gru"
#: library modules a learner may import in this assignment (the sandbox exposes only these)
LEARNER_MODULES = ("activations", "gradcheck")

#: the fields of a GRU cell cache that are graded, in the course's order
CACHE_FIELDS = ("c_next", "c_prev", "x_t", "params", "c_tilde", "Gamma_u", "Gamma_r")
_RECURRENT = tuple(GRU_SHAPES)        # Wc, Wu, Wr, bc, bu, br


def random_gru_params(rng: np.random.Generator, dims: Mapping[str, int]) -> dict:
    """GRU parameters with a prediction layer and non-zero biases, so a forgotten bias shows."""
    params = init_gru_params(dims["n_x"], dims["n_a"], dims["n_y"], rng=rng)
    for k in ("bc", "bu", "br", "by"):
        params[k] = 0.5 * rng.standard_normal(params[k].shape)
    return params


def split_gru_cache(cache, prefix: str) -> dict:
    """Name the graded entries of a GRU cell cache (``CACHE_FIELDS``, params key by key)."""
    return split_cell_cache(cache, prefix, CACHE_FIELDS)


def _step_inputs(rng: np.random.Generator, dims: Mapping[str, int]):
    x_t = rng.standard_normal((dims["n_x"], dims["m"]))
    c_prev = np.tanh(rng.standard_normal((dims["n_a"], dims["m"])))   # a memory in (-1, 1)
    return x_t, c_prev


def _cases_gru_cell_forward(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_x", "n_a", "n_y", "m"))
    params = random_gru_params(rng, dims)
    x_t, c_prev = _step_inputs(rng, dims)
    return Case((x_t, c_prev, params), dims)


def _split_gru_cell_forward(value) -> dict:
    c_next, y_hat_t, cache = expect_sequence(
        value, 3, "gru_cell_forward must return the tuple (c_next, y_hat_t, cache)")
    return {"c_next": c_next, "y_hat_t": y_hat_t, **split_gru_cache(cache, "cache")}


def _cases_gru_forward(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_x", "n_a", "n_y", "m", "T_x"))
    params = random_gru_params(rng, dims)
    x = rng.standard_normal((dims["n_x"], dims["m"], dims["T_x"]))
    a0 = np.tanh(rng.standard_normal((dims["n_a"], dims["m"])))
    return Case((x, a0, params), dims)


def _split_gru_forward(value) -> dict:
    a, y_hat, caches = expect_sequence(
        value, 3, "gru_forward must return the tuple (a, y_hat, caches)")
    cells, x = expect_sequence(caches, 2, "caches must be the pair (list of cell caches, x)")
    cells = expect_sequence(cells, 1, "caches[0] must be the list of cell caches", at_least=True)
    out = {"a": a, "y_hat": y_hat, "caches[1] (x)": x}
    for t in range(len(cells)):
        out.update(split_gru_cache(cells[t], f"caches[0][{t}]"))
    return out


def _cases_gru_cell_backward(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_x", "n_a", "n_y", "m"))
    params = random_gru_params(rng, dims)
    x_t, c_prev = _step_inputs(rng, dims)
    _, _, cache = gru_cell_forward(x_t, c_prev, params)
    cache = documented_cache(cache, CACHE_FIELDS, "GRUCellCache")   # the 7 entries of exercise 1
    dc_next = rng.standard_normal((dims["n_a"], dims["m"]))
    return Case((dc_next, cache), dims)


def _numgrad_gru_cell_backward(case: Case) -> dict:
    dc_next, cache = case.args
    arrays = {"x_t": np.array(cache.x_t), "c_prev": np.array(cache.c_prev),
              **{k: np.array(cache.params[k]) for k in _RECURRENT}}
    params = {k: arrays[k] for k in _RECURRENT}

    def objective():  # J = sum(dc_next * c_next): its gradient is what backward returns
        c_next = gru_cell_forward(arrays["x_t"], arrays["c_prev"], params, output=None)[0]
        return float(np.sum(dc_next * c_next))

    return numerical_gradient(objective, arrays)


def _split_gru_cell_backward(value) -> dict:
    return dict(expect_dict(value, "gru_cell_backward must return a dict of gradients"))


_BIAS_HINTS = {
    (f"d{b}", shape): hint
    for b in ("bc", "bu", "br")
    for shape, hint in (
        (("n_a", "m"), f"d{b} must add up over the examples: np.sum(dz, axis=1, keepdims=True)"),
        (("n_a",), f"keep d{b} a column of shape (n_a, 1): use keepdims=True"),
    )
}

# ---- diagnoses: known wrong variants of the references (see Exercise.diagnoses) ----

def _gru_cell(x_t, c_prev, params, *, relevance=True, pytorch=False, x_first=False):
    def stack(top, bottom):
        return np.concatenate([bottom, top] if x_first else [top, bottom], axis=0)

    concat = stack(c_prev, x_t)
    Gamma_r = sigmoid(params["Wr"] @ concat + params["br"])
    Gamma_u = sigmoid(params["Wu"] @ concat + params["bu"])
    c_tilde = np.tanh(params["Wc"] @ stack(Gamma_r * c_prev if relevance else c_prev, x_t)
                      + params["bc"])
    keep = Gamma_u if pytorch else 1 - Gamma_u
    c_next = (1 - keep) * c_tilde + keep * c_prev
    y_hat_t = softmax(params["Wy"] @ c_next + params["by"])
    return c_next, y_hat_t, (c_next, c_prev, x_t, params, c_tilde, Gamma_u, Gamma_r)


def _gru_cell_backward(dc_next, cache, *, relevance_term=True):
    c_next, c_prev, x_t, p, c_tilde, Gamma_u, Gamma_r = cache[:7]
    n_a = c_prev.shape[0]
    dz_c = dc_next * Gamma_u * (1 - c_tilde ** 2)
    d_concat_r = p["Wc"].T @ dz_c
    dz_u = dc_next * (c_tilde - c_prev) * Gamma_u * (1 - Gamma_u)
    dz_r = d_concat_r[:n_a] * c_prev * Gamma_r * (1 - Gamma_r)
    concat = np.concatenate([c_prev, x_t], axis=0)
    d_concat = p["Wu"].T @ dz_u + p["Wr"].T @ dz_r
    dc_prev = dc_next * (1 - Gamma_u) + d_concat[:n_a] \
        + (d_concat_r[:n_a] * Gamma_r if relevance_term else 0.0)
    return {"dx_t": d_concat_r[n_a:] + d_concat[n_a:], "dc_prev": dc_prev,
            "dWc": dz_c @ np.concatenate([Gamma_r * c_prev, x_t], axis=0).T,
            "dWu": dz_u @ concat.T, "dWr": dz_r @ concat.T,
            "dbc": dz_c.sum(axis=1, keepdims=True), "dbu": dz_u.sum(axis=1, keepdims=True),
            "dbr": dz_r.sum(axis=1, keepdims=True)}


def _gru_sequence(x, a0, params, *, carry=True):
    a = np.zeros((a0.shape[0], x.shape[1], x.shape[2]))
    y_hat = np.zeros((params["Wy"].shape[0], x.shape[1], x.shape[2]))
    cells, c = [], a0
    for t in range(x.shape[2]):
        c_next, y_hat[:, :, t], cache = gru_cell_forward(x[:, :, t], c if carry else a0, params)
        a[:, :, t] = c = c_next
        cells.append(cache)
    return a, y_hat, (cells, x)


EXERCISES = (
    Exercise(
        name="gru_cell_forward", points=3, reference=gru_cell_forward,
        make_case=_cases_gru_cell_forward, split=_split_gru_cell_forward,
        signature="gru_cell_forward(x_t, c_prev, params) -> (c_next, y_hat_t, cache)",
        arg_names=("x_t", "c_prev", "params"),
        diagnoses=(
            ("computes the candidate without the relevance gate (stack Gamma_r * c_prev, "
             "not c_prev, on top of x_t)", lambda x, c, p: _gru_cell(x, c, p, relevance=False)),
            ("uses PyTorch's convention, in which Gamma_u keeps the memory: in the course "
             "c_next = Gamma_u * c_tilde + (1 - Gamma_u) * c_prev",
             lambda x, c, p: _gru_cell(x, c, p, pytorch=True)),
            ("stacks [x_t; c_prev]: the course stacks the memory on top, [c_prev; x_t]",
             lambda x, c, p: _gru_cell(x, c, p, x_first=True)),
        ),
        hints={
            ("y_hat_t", ("n_y", "n_y")): "y_hat_t should have one column per example: "
                                         "compute Wy @ c_next + by",
            ("c_next", ("n_a", "n_a")): "c_next should have one column per example: multiply "
                                        "the weights by the stacked [c_prev; x_t], not its transpose",
        },
    ),
    Exercise(
        name="gru_forward", points=4, reference=gru_forward,
        make_case=_cases_gru_forward, split=_split_gru_forward,
        signature="gru_forward(x, a0, params) -> (a, y_hat, caches)",
        arg_names=("x", "a0", "params"), uses=("gru_cell_forward",),
        diagnoses=(
            ("starts every step from a0: the memory returned by step t is the c_prev of "
             "step t + 1", lambda x, a0, p: _gru_sequence(x, a0, p, carry=False)),
        ),
        hints={
            ("a", ("n_a", "m")): "a must keep every time step: fill a[:, :, t] inside the loop",
            ("y_hat", ("n_y", "m")): "y_hat must keep every time step: "
                                     "fill y_hat[:, :, t] inside the loop",
        },
    ),
    Exercise(
        name="gru_cell_backward", points=5, reference=gru_cell_backward,
        make_case=_cases_gru_cell_backward, split=_split_gru_cell_backward,
        signature="gru_cell_backward(dc_next, cache) -> dict with dx_t, dc_prev, dWc, dWu, "
                  "dWr, dbc, dbu, dbr",
        arg_names=("dc_next", "cache"),
        numerical_gradient=_numgrad_gru_cell_backward,
        diagnoses=(
            ("leaves out the second term of dc_prev, d concat_r[:n_a] * Gamma_r (through "
             "Gamma_r * c_prev)", lambda dc, cache: _gru_cell_backward(dc, cache,
                                                                       relevance_term=False)),
        ),
        hints={
            **_BIAS_HINTS,
            ("dc_prev", ("n_x", "m")): "dc_prev has the shape of c_prev, (n_a, m): take the "
                                       "first n_a rows of the stacked gradient",
            ("dx_t", ("n_a", "m")): "dx_t has the shape of x_t, (n_x, m): take the last n_x "
                                    "rows of the stacked gradient",
        },
    ),
)
