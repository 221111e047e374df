"""Exercises of assignment ``08_deep_rnn`` (lesson 08).

``deep_rnn_forward`` and ``deep_rnn_backward``: a stack of recurrent layers described
by a list of specs ``{"cell": "rnn" | "gru" | "lstm", "n_a": int, "bidirectional":
bool}``, with a softmax prediction on top.  Learners may import
:mod:`rnncourse.cells` (one direction of any cell); the notebook gives a BRNN layer
built on it (lesson 07's exercise, without prediction) whose cache is laid out like
:class:`rnncourse.bidirectional.BRNNCache`.  The exercise is the stacking, and
backpropagation down the stack.  Each case draws its depth, cells and bidirectional
layers.  (The library's ``brnn_backward`` is not exposed: it insists on its own cache
class, which does not survive the trip into the grading sandbox.)

The references are :func:`deep_rnn_forward` and :func:`deep_rnn_backward` below: thin
adapters over :func:`rnncourse.deep.deep_rnn_forward` / ``deep_rnn_backward`` that use
the assignment's simpler contract (no dense layers; ``params`` without a ``"dense"``
entry; ``caches = (layer_caches, (a_top, Wy, y_hat), specs)``), so that the grade still
comes from the library's numbers.  The recipe for adding an exercise is in
:mod:`rnncourse.grading.exercises`.
"""

from __future__ import annotations

import numpy as np

from ... import deep
from ...bidirectional import BRNNCache
from ...cells import CELLS
from ...gradcheck import numerical_gradient
from ...output import OutputCache, output_backward, output_forward
from . import Case, Exercise, StructureError, draw_dims, expect_dict, expect_sequence
from .bidirectional_rnn import (CASE_CELLS, equivalent_by, first_state, flatten_named,
                                plain_cache)

ASSIGNMENT = "08_deep_rnn"
#: library modules a learner may import in this assignment (the sandbox exposes only these)
LEARNER_MODULES = ("activations", "cells")


def deep_rnn_forward(x, params, specs):
    """The library's deep RNN forward, in the assignment's contract.

    Parameters
    ----------
    x : ndarray of shape (n_x, m, T_x)
    params : dict with ``"recurrent"`` (one parameter dict per layer: the cell's, or
        ``{"fwd", "bwd"}`` for a bidirectional layer), ``"Wy"`` (n_y, n_top), ``"by"`` (n_y, 1)
    specs : list of dicts ``{"cell", "n_a", "bidirectional"}``, layer 1 first

    Returns
    -------
    a : list of L ndarrays (n_out[l], m, T_x)
    y_hat : ndarray of shape (n_y, m, T_x)
    caches : ``(layer_caches, (a_top, Wy, y_hat), specs)``
    """
    full = {"recurrent": params["recurrent"], "dense": [], "Wy": params["Wy"], "by": params["by"]}
    a, y_hat, cache = deep.deep_rnn_forward(x, full, specs)
    out = cache.output_cache
    return a, y_hat, (list(cache.recurrent), (out.a, out.Wy, out.y_hat), specs)


def _layer_input(cache) -> np.ndarray:
    return cache.x                       # SequenceCache and BRNNCache both keep their input


def deep_rnn_backward(dy_hat, caches):
    """The library's deep RNN backward, in the assignment's contract.

    Returns
    -------
    grads : dict
        ``"recurrent"``: list of L gradient dicts (``"d" + k`` per cell parameter, or
        ``{"fwd", "bwd"}`` for a bidirectional layer); ``"dWy"``, ``"dby"``;
        ``"dx"`` (n_x, m, T_x); ``"da0"``: list of L initial-state gradients (a pair
        ``(da0_fwd, da0_bwd)`` for a bidirectional layer).
    """
    layer_caches, (a_top, Wy, y_hat), specs = caches
    layers, _ = deep.parse_specs(specs, (), "deep_rnn_backward")
    # a bidirectional layer's cache may arrive as any 6-tuple laid out like BRNNCache
    layer_caches = [BRNNCache(*c) if s.bidirectional else c for s, c in zip(layers, layer_caches)]
    full = deep.DeepRNNCache(layer_caches, [], OutputCache(a_top, Wy, y_hat, "softmax"),
                             layers, _layer_input(layer_caches[0]), y_hat.shape[0])
    grads = deep.deep_rnn_backward(dy_hat, full)
    del grads["dense"]
    return grads


# ------------------------------------------------------------------------------------------
# Cases

def _draw_network(rng: np.random.Generator):
    L = int(rng.integers(2, 4))                                   # 2 or 3 recurrent layers
    names = ("n_x", "n_y", "m", "T_x") + tuple(f"n_a{l}" for l in range(1, L + 1))
    dims = draw_dims(rng, names, high=8)
    bi = rng.random(L) < 0.4
    specs = [{"cell": CASE_CELLS[int(rng.integers(len(CASE_CELLS)))], "n_a": dims[f"n_a{l + 1}"],
              "bidirectional": bool(bi[l])} for l in range(L)]
    params = deep.init_deep_rnn_params(dims["n_x"], specs, dims["n_y"], rng=rng)
    for name, value in deep.flatten_params(params).items():      # non-zero biases, so that a
        if name.rsplit(".", 1)[-1].startswith("b"):
            value[...] = 0.5 * rng.standard_normal(value.shape)    # forgotten bias shows
    del params["dense"]
    x = rng.standard_normal((dims["n_x"], dims["m"], dims["T_x"]))
    return dims, specs, params, x


def _cases_deep_rnn_forward(rng: np.random.Generator) -> Case:
    dims, specs, params, x = _draw_network(rng)
    return Case((x, params, specs), dims)


def _split_deep_rnn_forward(value) -> dict:
    a, y_hat, caches = expect_sequence(
        value, 3, "deep_rnn_forward must return the tuple (a, y_hat, caches)")
    a = expect_sequence(a, 1, "a must be the list of every layer's states", at_least=True)
    c = expect_sequence(caches, 3, "caches must be the tuple (layer_caches, (a_top, Wy, y_hat), specs)")
    top = expect_sequence(c[1], 3, "caches[1] must be the tuple (a_top, Wy, y_hat)")
    out = {f"a[{l}]": a_l for l, a_l in enumerate(a)}
    out.update({"y_hat": y_hat, "caches[1][0] (a_top)": top[0], "caches[1][1] (Wy)": top[1],
                "caches[1][2] (y_hat)": top[2]})
    return out


def _cases_deep_rnn_backward(rng: np.random.Generator) -> Case:
    dims, specs, params, x = _draw_network(rng)
    _, y_hat, caches = deep_rnn_forward(x, params, specs)
    dy_hat = rng.standard_normal(y_hat.shape)
    return Case((dy_hat, plain_cache(caches)), dims)


def _split_deep_rnn_backward(value) -> dict:
    grads = expect_dict(value, "deep_rnn_backward must return a dict of gradients")
    for key in ("recurrent", "da0"):
        if key in grads and not isinstance(grads[key], (list, tuple)):
            raise StructureError(f"grads['{key}'] must be a list with one entry per layer")
    return flatten_named(dict(grads), "grads")


def _numgrad_deep_rnn_backward(case: Case) -> dict:
    dy_hat, (layer_caches, top, specs) = case.args
    arrays = {"x": np.array(_layer_input(layer_caches[0])),
              "Wy": np.array(top[1]), "by": equivalent_by((top[0], top[1], top[2], "softmax"))}
    recurrent, a0, names = [], [], {}
    for l, (spec, cache) in enumerate(zip(specs, layer_caches)):
        keys = CELLS[spec["cell"]].param_names
        if spec["bidirectional"]:
            layer = {}
            for d in ("fwd", "bwd"):
                seq = getattr(cache, d)
                for k in keys:
                    arrays[f"{l}.{d}.{k}"] = np.array(seq.cells[0].params[k])
                    names[f"{l}.{d}.{k}"] = f"grads['recurrent'][{l}]['{d}']['d{k}']"
                layer[d] = {k: arrays[f"{l}.{d}.{k}"] for k in keys}
                arrays[f"a0.{l}.{d}"] = first_state(seq.cells[0]).copy()
                names[f"a0.{l}.{d}"] = f"grads['da0'][{l}][{int(d == 'bwd')}]"
            a0.append((arrays[f"a0.{l}.fwd"], arrays[f"a0.{l}.bwd"]))
        else:
            for k in keys:
                arrays[f"{l}.{k}"] = np.array(cache.cells[0].params[k])
                names[f"{l}.{k}"] = f"grads['recurrent'][{l}]['d{k}']"
            layer = {k: arrays[f"{l}.{k}"] for k in keys}
            arrays[f"a0.{l}"] = first_state(cache.cells[0]).copy()
            names[f"a0.{l}"] = f"grads['da0'][{l}]"
            a0.append(arrays[f"a0.{l}"])
        recurrent.append(layer)
    params = {"recurrent": recurrent, "dense": [], "Wy": arrays["Wy"], "by": arrays["by"]}

    def objective():  # J = sum(dy_hat * y_hat): its gradient is what backward returns
        y_hat = deep.deep_rnn_forward(arrays["x"], params, specs, a0=a0)[1]
        return float(np.sum(dy_hat * y_hat))

    num = numerical_gradient(objective, arrays)
    out = {"grads['dx']": num["dx"], "grads['dWy']": num["dWy"], "grads['dby']": num["dby"]}
    out.update({label: num["d" + key] for key, label in names.items()})
    return out


# ---- diagnoses: known wrong variants of the references (see Exercise.diagnoses) ----

def _top_layer_first(dy_hat, caches):
    grads = dict(deep_rnn_backward(dy_hat, caches))
    grads["recurrent"], grads["da0"] = grads["recurrent"][::-1], grads["da0"][::-1]
    return grads


EXERCISES = (
    Exercise(
        name="deep_rnn_forward", points=5, reference=deep_rnn_forward,
        make_case=_cases_deep_rnn_forward, split=_split_deep_rnn_forward,
        signature="deep_rnn_forward(x, params, specs) -> (a, y_hat, caches)",
        arg_names=("x", "params", "specs"),
        public_seeds=(0, 1, 2),
    ),
    Exercise(
        name="deep_rnn_backward", points=5, reference=deep_rnn_backward,
        make_case=_cases_deep_rnn_backward, split=_split_deep_rnn_backward,
        signature="deep_rnn_backward(dy_hat, caches) -> dict with recurrent, dWy, dby, dx, da0",
        arg_names=("dy_hat", "caches"),
        numerical_gradient=_numgrad_deep_rnn_backward,
        diagnoses=(
            ("lists the layers' gradients top layer first: grads['recurrent'] and grads['da0'] "
             "go in layer order, layer 1 first", _top_layer_first),
        ),
        public_seeds=(0, 1, 2),
    ),
)


# ------------------------------------------------------------------------------------------
# Exercises 3 and 4: the syllabus's dense (non-recurrent) layers after the recurrent ones

def dense_head_forward(a_top, params, dense):
    """Dense layers applied to every step of the top recurrent layer, then the prediction.

    The library's :func:`rnncourse.deep.dense_forward` for each layer and the softmax of
    :func:`rnncourse.output.output_forward`, in the assignment's contract.

    Parameters
    ----------
    a_top : ndarray of shape (n_top, m, T_x)
        States of the top recurrent layer.
    params : dict
        ``"dense"``: list of K dicts ``{"W": (n_k, n_{k-1}), "b": (n_k, 1)}`` with
        ``n_0 = n_top``; ``"Wy"`` (n_y, n_K), ``"by"`` (n_y, 1).
    dense : list of K dicts ``{"n": n_k, "activation": "relu" | "tanh" | "sigmoid" | "identity"}``

    Returns
    -------
    h : list of K ndarrays, ``h[k-1]`` of shape (n_k, m, T_x)
        ``h<t>[k] = g_k(W[k] h<t>[k-1] + b[k])`` at every step t, ``h[0] = a_top``.
    y_hat : ndarray of shape (n_y, m, T_x)
        ``softmax(W_y h[K] + b_y)`` at every step.
    caches : ``(a_top, h, params, dense, y_hat)``
    """
    _, denses = deep.parse_specs([{"cell": "rnn", "n_a": 1}], dense, "dense_head_forward")
    x, outs = a_top, []
    for spec, p in zip(denses, params["dense"]):
        x, _ = deep.dense_forward(x, p["W"], p["b"], spec.activation)    # (n_k, m, T_x)
        outs.append(x)
    y_hat, _ = output_forward(x, params["Wy"], params["by"], "softmax")    # (n_y, m, T_x)
    return outs, y_hat, (a_top, outs, params, dense, y_hat)


def dense_head_backward(dy_hat, caches):
    """Backward pass of :func:`dense_head_forward`: the library's dense and output backward.

    Parameters
    ----------
    dy_hat : ndarray of shape (n_y, m, T_x), gradient of the loss with respect to y_hat
    caches : ``(a_top, h, params, dense, y_hat)`` from :func:`dense_head_forward`

    Returns
    -------
    grads : dict
        ``"dense"``: list of K dicts ``{"dW": (n_k, n_{k-1}), "db": (n_k, 1)}``;
        ``"dWy"`` (n_y, n_K), ``"dby"`` (n_y, 1); ``"da_top"`` (n_top, m, T_x), the
        gradient that flows on into the top recurrent layer.
    """
    a_top, h, params, dense, y_hat = caches
    _, denses = deep.parse_specs([{"cell": "rnn", "n_a": 1}], dense, "dense_head_backward")
    inputs = [np.asarray(a_top)] + [np.asarray(h_k) for h_k in h]      # input of layer k is inputs[k]
    out = output_backward(dy_hat, OutputCache(inputs[-1], np.asarray(params["Wy"]),
                                              np.asarray(y_hat), "softmax"))
    g, layers = out["da"], [None] * len(denses)
    for k in reversed(range(len(denses))):
        W = np.asarray(params["dense"][k]["W"])
        cache = deep.DenseCache(OutputCache(inputs[k], W, None, "identity"), inputs[k + 1],
                                denses[k].activation)
        step = deep.dense_backward(g, cache)
        layers[k] = {"dW": step["dW"], "db": step["db"]}
        g = step["da"]                                                  # (n_{k-1}, m, T_x)
    return {"dense": layers, "dWy": out["dWy"], "dby": out["dby"], "da_top": g}


def _draw_head(rng: np.random.Generator):
    K = int(rng.integers(2, 4))        # 2 or 3 dense layers, with different activations
    names = ("n_top", "n_y", "m", "T_x") + tuple(f"n_{k}" for k in range(1, K + 1))
    dims = draw_dims(rng, names, high=9)
    acts = rng.permutation(deep.DENSE_ACTIVATIONS)[:K]
    dense = [{"n": dims[f"n_{k + 1}"], "activation": str(acts[k])} for k in range(K)]
    sizes = [dims["n_top"]] + [d["n"] for d in dense]
    layers = [{"W": rng.standard_normal((n_out, n_in)) / np.sqrt(n_in),
               "b": 0.5 * rng.standard_normal((n_out, 1))}          # non-zero: a forgotten bias shows
              for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    params = {"dense": layers, "Wy": rng.standard_normal((dims["n_y"], sizes[-1])) / np.sqrt(sizes[-1]),
              "by": 0.5 * rng.standard_normal((dims["n_y"], 1))}
    a_top = np.tanh(rng.standard_normal((dims["n_top"], dims["m"], dims["T_x"])))   # like RNN states
    return dims, a_top, params, dense


def _cases_dense_head_forward(rng: np.random.Generator) -> Case:
    dims, a_top, params, dense = _draw_head(rng)
    return Case((a_top, params, dense), dims)


def _split_dense_head_forward(value) -> dict:
    h, y_hat, caches = expect_sequence(
        value, 3, "dense_head_forward must return the tuple (h, y_hat, caches)")
    h = expect_sequence(h, 0, "h must be the list of every dense layer's output", at_least=True)
    c = expect_sequence(caches, 5, "caches must be the tuple (a_top, h, params, dense, y_hat)")
    c_h = expect_sequence(c[1], 0, "caches[1] must be the list h", at_least=True)
    out = {f"h[{k}]": h_k for k, h_k in enumerate(h)}
    out["y_hat"] = y_hat
    out["caches[0] (a_top)"] = c[0]
    out.update({f"caches[1][{k}]": h_k for k, h_k in enumerate(c_h)})
    out["caches[4] (y_hat)"] = c[4]
    return out


def _relu_margin(a_top, params, dense) -> float:
    """Smallest |pre-activation| of the relu layers: finite differences need it away from 0."""
    x, margin = a_top, np.inf
    for spec, p in zip(dense, params["dense"]):
        z = np.einsum("ij,jmt->imt", p["W"], x) + p["b"][:, :, None]
        if spec["activation"] == "relu":
            margin = min(margin, float(np.abs(z).min()))
        x, _ = deep.dense_forward(x, p["W"], p["b"], spec["activation"])
    return margin


def _cases_dense_head_backward(rng: np.random.Generator) -> Case:
    while True:   # redraw (deterministically, from rng) until no relu sits on its kink
        dims, a_top, params, dense = _draw_head(rng)
        if _relu_margin(a_top, params, dense) > 1e-3:
            break
    _, y_hat, caches = dense_head_forward(a_top, params, dense)
    dy_hat = rng.standard_normal(y_hat.shape)
    return Case((dy_hat, caches), dims)


def _split_dense_head_backward(value) -> dict:
    grads = expect_dict(value, "dense_head_backward must return a dict of gradients")
    if "dense" in grads and not isinstance(grads["dense"], (list, tuple)):
        raise StructureError("grads['dense'] must be a list with one dict per dense layer")
    return flatten_named(dict(grads), "grads")


def _numgrad_dense_head_backward(case: Case) -> dict:
    dy_hat, (a_top, _, params, dense, _) = case.args
    arrays = {"a_top": np.array(a_top), "Wy": np.array(params["Wy"]), "by": np.array(params["by"])}
    for k, p in enumerate(params["dense"]):
        arrays[f"W{k}"], arrays[f"b{k}"] = np.array(p["W"]), np.array(p["b"])
    copy = {"dense": [{"W": arrays[f"W{k}"], "b": arrays[f"b{k}"]} for k in range(len(dense))],
            "Wy": arrays["Wy"], "by": arrays["by"]}

    def objective():  # J = sum(dy_hat * y_hat): its gradient is what backward returns
        return float(np.sum(dy_hat * dense_head_forward(arrays["a_top"], copy, dense)[1]))

    num = numerical_gradient(objective, arrays)
    out = {"grads['da_top']": num["da_top"], "grads['dWy']": num["dWy"], "grads['dby']": num["dby"]}
    for k in range(len(dense)):
        out[f"grads['dense'][{k}]['dW']"] = num[f"dW{k}"]
        out[f"grads['dense'][{k}]['db']"] = num[f"db{k}"]
    return out


EXERCISES = EXERCISES + (
    Exercise(
        name="dense_head_forward", points=3, reference=dense_head_forward,
        make_case=_cases_dense_head_forward, split=_split_dense_head_forward,
        signature="dense_head_forward(a_top, params, dense) -> (h, y_hat, caches)",
        arg_names=("a_top", "params", "dense"),
        public_seeds=(0, 1, 2),
    ),
    Exercise(
        name="dense_head_backward", points=3, reference=dense_head_backward,
        make_case=_cases_dense_head_backward, split=_split_dense_head_backward,
        signature="dense_head_backward(dy_hat, caches) -> dict with dense, dWy, dby, da_top",
        arg_names=("dy_hat", "caches"),
        numerical_gradient=_numgrad_dense_head_backward,
        public_seeds=(0, 1, 2),
    ),
)
