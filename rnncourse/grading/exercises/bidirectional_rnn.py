"""Exercises of assignment ``07_bidirectional_rnn`` (lesson 07).

``brnn_forward`` and ``brnn_backward``: a bidirectional RNN over a *given* cell.
Learners may import :mod:`rnncourse.cells`, whose ``CELLS[cell].forward`` and
``CELLS[cell].backward`` run one direction of any cell ("rnn", "gru", "lstm"); the
exercise is everything around them (reversing time, stacking ``[a_fwd; a_bwd]``, the
prediction layer, splitting and reversing the gradient, adding both directions'
``dx``).  Each case draws its cell, so hidden cases may use a cell the public ones did
not.  The references are :func:`rnncourse.bidirectional.brnn_forward` and
:func:`rnncourse.bidirectional.brnn_backward`.  The recipe for adding an exercise is
in :mod:`rnncourse.grading.exercises`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ...activations import softmax, softmax_backward
from ...bidirectional import brnn_backward, brnn_forward, init_brnn_params
from ...caches import SequenceCache
from ...cells import CELLS
from ...gradcheck import numerical_gradient
from . import Case, Exercise, draw_dims, expect_dict, expect_sequence

ASSIGNMENT = "07_bidirectional_rnn"
#: library modules a learner may import in this assignment (the sandbox exposes only these)
LEARNER_MODULES = ("activations", "cells")

#: the cells a case may use, in the order ``rng.integers`` picks them
CASE_CELLS = ("rnn", "gru", "lstm")


def random_brnn_params(rng: np.random.Generator, dims: Mapping[str, int], cell: str,
                       n_y: int | None) -> dict:
    """BRNN parameters with non-zero biases everywhere, so that a forgotten bias shows."""
    params = init_brnn_params(dims["n_x"], dims["n_a"], n_y, cell=cell, rng=rng)
    for direction in ("fwd", "bwd"):
        for k, v in params[direction].items():
            if k.startswith("b"):
                params[direction][k] = 0.5 * rng.standard_normal(v.shape)
    if n_y is not None:
        params["by"] = 0.5 * rng.standard_normal(params["by"].shape)
    return params


def plain_cache(cache):
    """A copy of a forward cache that can cross into the grading sandbox.

    The library's sequence forwards keep their per-step caches as a lazy
    ``StepCaches``; the sandbox only carries plain values, so each ``SequenceCache``
    becomes ``SequenceCache(list of cell caches, x)`` (what a loop over the cell
    builds), recursively inside BRNN and deep-RNN caches.  Backward passes give the
    same gradients for both forms.
    """
    if isinstance(cache, SequenceCache):
        return SequenceCache(list(cache.cells), cache.x)
    if isinstance(cache, tuple):
        items = [plain_cache(v) for v in cache]
        return type(cache)(*items) if hasattr(cache, "_fields") else tuple(items)
    if isinstance(cache, list):
        return [plain_cache(v) for v in cache]
    return cache


def flatten_named(value, name: str) -> dict:
    """Every leaf of nested dicts / lists / tuples, named as a learner would index it.

    ``{"fwd": {"dWax": A}}`` named ``"grads"`` becomes ``{"grads['fwd']['dWax']": A}``.
    """
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            out.update(flatten_named(v, f"{name}[{k!r}]"))
        return out
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        out = {}
        for i, v in enumerate(value):
            out.update(flatten_named(v, f"{name}[{i}]"))
        return out
    return {name: value}


def first_state(cell_cache) -> np.ndarray:
    """The state a cell cache started from: ``a_prev`` (RNN, LSTM) or ``c_prev`` (GRU)."""
    return cell_cache.a_prev if hasattr(cell_cache, "a_prev") else cell_cache.c_prev


def equivalent_by(output_cache) -> np.ndarray:
    """A bias b_y that reproduces the cached softmax prediction exactly.

    The prediction cache keeps ``(a, W_y, y_hat)`` but not ``b_y``.  Since
    ``log y_hat = W_y a + b_y - c`` with one constant c per column, the column of
    ``log y_hat - W_y a`` at the first example and step equals ``b_y - c``: adding the
    same c to every class changes neither softmax nor its gradients, so a numerical
    gradient taken there is the one at the true ``b_y``.
    """
    a, Wy, y_hat, _ = output_cache
    z0 = np.log(y_hat[:, 0, 0]) - Wy @ a[:, 0, 0]                # (n_y,)
    return z0[:, None].copy()


# ------------------------------------------------------------------------------------------
# brnn_forward

def _draw_cell(rng: np.random.Generator) -> str:
    return CASE_CELLS[int(rng.integers(len(CASE_CELLS)))]


def _cases_brnn_forward(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_x", "n_a", "n_y", "m", "T_x"))
    cell = _draw_cell(rng)
    params = random_brnn_params(rng, dims, cell, dims["n_y"])
    x = rng.standard_normal((dims["n_x"], dims["m"], dims["T_x"]))
    a0_fwd = rng.standard_normal((dims["n_a"], dims["m"]))
    a0_bwd = rng.standard_normal((dims["n_a"], dims["m"]))
    return Case((x, a0_fwd, a0_bwd, params, cell), dims)


def _split_brnn_forward(value) -> dict:
    a, y_hat, caches = expect_sequence(
        value, 3, "brnn_forward must return the tuple (a, y_hat, caches)")
    c = expect_sequence(caches, 6, "caches must be the tuple (cache_fwd, cache_bwd, "
                                   "output_cache, x, cell, n_a)")
    out_cache = expect_sequence(c[2], 4, "caches[2] must be the output cache (a, Wy, y_hat, "
                                         "'softmax')")
    return {"a": a, "y_hat": y_hat, "caches[2][0] (a)": out_cache[0],
            "caches[2][1] (Wy)": out_cache[1], "caches[2][2] (y_hat)": out_cache[2],
            "caches[3] (x)": c[3]}


# ------------------------------------------------------------------------------------------
# brnn_backward

def _cases_brnn_backward(rng: np.random.Generator) -> Case:
    # sizes up to 7: the gradient check perturbs every entry of every array
    dims = draw_dims(rng, ("n_x", "n_a", "n_y", "m", "T_x"), high=7)
    cell = _draw_cell(rng)
    params = random_brnn_params(rng, dims, cell, dims["n_y"])
    x = rng.standard_normal((dims["n_x"], dims["m"], dims["T_x"]))
    a0_fwd = rng.standard_normal((dims["n_a"], dims["m"]))
    a0_bwd = rng.standard_normal((dims["n_a"], dims["m"]))
    _, y_hat, caches = brnn_forward(x, a0_fwd, a0_bwd, params, cell)
    dy_hat = rng.standard_normal(y_hat.shape)
    return Case((dy_hat, plain_cache(caches)), dims)


def _split_grads(name: str):
    def split(value) -> dict:
        grads = expect_dict(value, f"{name} must return a dict of gradients")
        return flatten_named(dict(grads), "grads")
    return split


def _numgrad_brnn_backward(case: Case) -> dict:
    dy_hat, caches = case.args
    cache_f, cache_b, out_cache, x, cell, _ = caches
    names = CELLS[cell].param_names
    p_f, p_b = cache_f.cells[0].params, cache_b.cells[0].params
    arrays = {"x": np.array(x), "a0_fwd": first_state(cache_f.cells[0]).copy(),
              "a0_bwd": first_state(cache_b.cells[0]).copy(),
              "Wy": out_cache.Wy.copy(), "by": equivalent_by(out_cache),
              **{f"fwd.{k}": np.array(p_f[k]) for k in names},
              **{f"bwd.{k}": np.array(p_b[k]) for k in names}}
    params = {"fwd": {k: arrays[f"fwd.{k}"] for k in names},
              "bwd": {k: arrays[f"bwd.{k}"] for k in names},
              "Wy": arrays["Wy"], "by": arrays["by"]}

    def objective():  # J = sum(dy_hat * y_hat): its gradient is what backward returns
        y_hat = brnn_forward(arrays["x"], arrays["a0_fwd"], arrays["a0_bwd"], params, cell)[1]
        return float(np.sum(dy_hat * y_hat))

    num = numerical_gradient(objective, arrays)
    out = {f"grads['d{k}']": num[f"d{k}"] for k in ("x", "a0_fwd", "a0_bwd", "Wy", "by")}
    for d in ("fwd", "bwd"):
        out.update({f"grads['{d}']['d{k}']": num[f"d{d}.{k}"] for k in names})
    return out


# ---- diagnoses: known wrong variants of the references (see Exercise.diagnoses) ----

def _brnn_unreversed(x, a0_fwd, a0_bwd, params, cell):
    a_fwd, cache_fwd = CELLS[cell].forward(x, a0_fwd, params["fwd"])
    a_rev, cache_bwd = CELLS[cell].forward(x[:, :, ::-1], a0_bwd, params["bwd"])
    a = np.concatenate([a_fwd, a_rev], axis=0)           # a_rev left in reversed time
    y_hat = softmax(np.einsum("yk,kmt->ymt", params["Wy"], a) + params["by"][:, :, None])
    return a, y_hat, (cache_fwd, cache_bwd, (a, params["Wy"], y_hat, "softmax"), x, cell,
                      a0_fwd.shape[0])


def _brnn_backward(dy_hat, caches, *, reverse_da=True, reverse_dx=True):
    cache_fwd, cache_bwd, (a, Wy, y_hat, _), x, cell, n_a = caches
    dz = softmax_backward(dy_hat, y_hat)
    da = np.einsum("yk,ymt->kmt", Wy, dz)
    d_bwd = da[n_a:, :, ::-1] if reverse_da else da[n_a:]
    g_f = CELLS[cell].backward(np.ascontiguousarray(da[:n_a]), cache_fwd)
    g_b = CELLS[cell].backward(np.ascontiguousarray(d_bwd), cache_bwd)
    names = CELLS[cell].param_names
    return {"fwd": {"d" + k: g_f["d" + k] for k in names},
            "bwd": {"d" + k: g_b["d" + k] for k in names},
            "dWy": np.einsum("ymt,kmt->yk", dz, a), "dby": dz.sum(axis=(1, 2))[:, None],
            "dx": g_f["dx"] + (g_b["dx"][:, :, ::-1] if reverse_dx else g_b["dx"]),
            "da0_fwd": g_f["da0"], "da0_bwd": g_b["da0"]}


_HINTS = {
    ("a", ("n_a", "m", "T_x")): "a stacks both directions: np.concatenate([a_fwd, a_bwd], axis=0) "
                                "has 2 n_a rows",
    ("grads['dx']", ("n_a", "m", "T_x")): "dx is the gradient of the input x, (n_x, m, T_x): "
                                          "add the dx of both directions, not their da",
}

EXERCISES = (
    Exercise(
        name="brnn_forward", points=5, reference=brnn_forward,
        make_case=_cases_brnn_forward, split=_split_brnn_forward,
        signature="brnn_forward(x, a0_fwd, a0_bwd, params, cell) -> (a, y_hat, caches)",
        arg_names=("x", "a0_fwd", "a0_bwd", "params", "cell"),
        diagnoses=(
            ("stacks the backward direction's states without reversing them back in time "
             "(a_bwd = a_rev[:, :, ::-1])", _brnn_unreversed),
        ),
        hints=_HINTS, public_seeds=(0, 1, 2),           # lstm, rnn, gru
    ),
    Exercise(
        name="brnn_backward", points=5, reference=brnn_backward,
        make_case=_cases_brnn_backward, split=_split_grads("brnn_backward"),
        signature="brnn_backward(dy_hat, caches) -> dict with fwd, bwd, dWy, dby, dx, "
                  "da0_fwd, da0_bwd",
        arg_names=("dy_hat", "caches"),
        numerical_gradient=_numgrad_brnn_backward,
        diagnoses=(
            ("adds the backward direction's dx without reversing it back in time",
             lambda dy, c: _brnn_backward(dy, c, reverse_dx=False)),
            ("gives the backward direction its da without reversing it in time first",
             lambda dy, c: _brnn_backward(dy, c, reverse_da=False)),
        ),
        hints=_HINTS, public_seeds=(0, 1, 2),           # lstm, rnn, gru
    ),
)
