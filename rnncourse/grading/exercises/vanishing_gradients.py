"""Exercises of assignment ``04_vanishing_gradients`` (lesson 04).

``hidden_gradient_norms`` (how the gradient of a loss at the last step shrinks or
grows on its way back through time) and ``clip_by_norm`` (the clipping that keeps
the gradient's direction).  The references are
:func:`rnncourse.vanishing.hidden_gradient_norms` and
:func:`rnncourse.optim.clip_by_norm`.  The recipe for adding an exercise is in
:mod:`rnncourse.grading.exercises`.
"""

from __future__ import annotations

import numpy as np

from ...optim import clip_by_norm, global_norm
from ...rnn import init_rnn_params, rnn_forward
from ...vanishing import hidden_gradient_norms
from . import Case, Exercise, draw_dims, expect_dict
from .forward_propagation import random_grads

ASSIGNMENT = "04_vanishing_gradients"
#: library modules a learner may import in this assignment (the sandbox exposes only these)
LEARNER_MODULES = ("activations", "rnn")


def _cases_hidden_gradient_norms(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_x", "n_a", "m", "T_x"))
    params = init_rnn_params(dims["n_x"], dims["n_a"], None, rng=rng)
    # a recurrent matrix that either shrinks or grows gradients, so that both regimes are graded
    scale = rng.choice([0.5, 1.5])
    params["Waa"] = scale * rng.standard_normal(params["Waa"].shape) / np.sqrt(dims["n_a"])
    params["ba"] = 0.3 * rng.standard_normal(params["ba"].shape)
    x = rng.standard_normal((dims["n_x"], dims["m"], dims["T_x"]))
    a0 = rng.standard_normal((dims["n_a"], dims["m"]))
    a = rnn_forward(x, a0, params, output=None)[0]                 # (n_a, m, T_x), in (-1, 1)
    da_last = rng.standard_normal((dims["n_a"], dims["m"]))
    return Case((da_last, a, params["Waa"]), dims)


def _split_hidden_gradient_norms(value) -> dict:
    return {"norms": value}


def _cases_clip_by_norm(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_x", "n_a", "n_y"))
    grads = random_grads(rng, dims)
    norm = global_norm(grads)
    # most cases clip (4 in 5: clipping each array alone must show), some do not: a threshold
    # above the norm must leave the gradients alone
    factor = rng.uniform(0.2, 0.8) if rng.random() < 0.8 else rng.uniform(1.2, 2.0)
    return Case((grads, float(np.round(factor * norm, 3))), dims)


def _split_clip_by_norm(value) -> dict:
    return dict(expect_dict(value, "clip_by_norm must return a new dict of clipped gradients"))


# ---- diagnoses: known wrong variants of the references (see Exercise.diagnoses) ----

def _norms(da_last, a, Waa, *, shift=0, derivative=True, reverse=False):
    T_x = a.shape[2]
    g, norms = da_last, np.zeros(T_x)
    norms[T_x - 1] = np.sqrt(np.sum(g ** 2))
    for t in range(T_x - 1, 0, -1):
        g = Waa.T @ (((1 - a[:, :, t - shift] ** 2) if derivative else 1.0) * g)
        norms[t - 1] = np.sqrt(np.sum(g ** 2))
    return norms[::-1].copy() if reverse else norms


def _clip_each(grads, max_norm):
    out = {}
    for k, g in grads.items():
        n = np.sqrt(np.sum(g ** 2))
        out[k] = g * min(1.0, max_norm / n) if n > 0 else g.copy()
    return out


EXERCISES = (
    Exercise(
        name="hidden_gradient_norms", points=4, reference=hidden_gradient_norms,
        make_case=_cases_hidden_gradient_norms, split=_split_hidden_gradient_norms,
        signature="hidden_gradient_norms(da_last, a, Waa) -> norms of shape (T_x,)",
        arg_names=("da_last", "a", "Waa"),
        diagnoses=(
            ("uses a[:, :, t - 1] in the factor of step t: going back from a[:, :, t] uses "
             "a[:, :, t], the state after that step",
             lambda da, a, W: _norms(da, a, W, shift=1)),
            ("leaves out the tanh derivative (1 - a ** 2) of each step",
             lambda da, a, W: _norms(da, a, W, derivative=False)),
            ("returns the norms in reverse order: norms[-1] is the norm of da_last",
             lambda da, a, W: _norms(da, a, W, reverse=True)),
        ),
        hints={
            ("norms", ("m", "T_x")): "take one norm per time step over the units and the "
                                     "examples together: np.sqrt(np.sum(g ** 2))",
            ("norms", ("n_a", "T_x")): "take one norm per time step over the units and the "
                                       "examples together: np.sqrt(np.sum(g ** 2))",
            ("norms", ("n_a", "m", "T_x")): "return the norms, one number per step, not the "
                                            "gradients themselves",
        },
    ),
    Exercise(
        name="clip_by_norm", points=3, reference=clip_by_norm,
        make_case=_cases_clip_by_norm, split=_split_clip_by_norm,
        signature="clip_by_norm(grads, max_norm) -> new dict of rescaled gradients",
        arg_names=("grads", "max_norm"),
        diagnoses=(
            ("clips each array by its own norm: rescale all of them together, by the global "
             "norm over every entry of every array", _clip_each),
        ),
    ),
)
