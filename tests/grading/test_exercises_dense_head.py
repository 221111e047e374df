"""Assignment 08, exercise 3: the syllabus's dense layers after the recurrent ones.

Answers written the way the notebook teaches pass; the typical mistakes (no bias, one
activation for every layer, skipping the dense layers, the wrong axis of the softmax)
fail, on the public cases of ``check`` and on hidden cases alike.
"""

import numpy as np
import pytest

from rnncourse import deep
from rnncourse.activations import identity, relu, sigmoid, softmax
from rnncourse.grading import run_check
from rnncourse.grading.exercises import find_exercise, get_assignment

ACTS = {"relu": relu, "tanh": np.tanh, "sigmoid": sigmoid, "identity": identity}


def _head(a_top, params, dense, *, bias=True, act=None, skip=False, softmax_axis=0):
    h, outs = a_top, []
    for spec, p in zip([] if skip else dense, params["dense"]):
        g = ACTS[act or spec["activation"]]
        h = g(np.einsum("ij,jmt->imt", p["W"], h) + (p["b"][:, :, None] if bias else 0))
        outs.append(h)
    z = np.einsum("ij,jmt->imt", params["Wy"], h) + params["by"][:, :, None]
    return outs, softmax(z, axis=softmax_axis)


def dense_head_forward(a_top, params, dense):
    return _head(a_top, params, dense)


def test_the_exercise_is_registered_in_assignment_08_after_the_recurrent_ones():
    names = [e.name for e in get_assignment("08_deep_rnn").exercises]
    assert names[-1] == "dense_head_forward" and names.index("deep_rnn_forward") < names.index("dense_head_forward")


def test_public_cases_use_every_activation_and_several_depths():
    _, ex = find_exercise("dense_head_forward")
    cases = ex.public_cases()
    assert {d["activation"] for c in cases for d in c.args[2]} == set(deep.DENSE_ACTIVATIONS)
    assert len({len(c.args[2]) for c in cases}) > 1
    assert all(np.any(layer["b"] != 0) for c in cases for layer in c.args[1]["dense"])


def test_the_reference_is_the_library_deep_rnn_head():
    # the grade comes from the library's numbers: dense_forward layer by layer, then softmax
    _, ex = find_exercise("dense_head_forward")
    for case in ex.public_cases():
        a_top, params, dense = case.args
        h, y_hat = ex.reference(*case.args)
        x = a_top
        for spec, p, h_k in zip(dense, params["dense"], h):
            x, _ = deep.dense_forward(x, p["W"], p["b"], spec["activation"])
            np.testing.assert_allclose(h_k, x, rtol=1e-12)
        np.testing.assert_allclose(y_hat, _head(*case.args)[1], rtol=1e-12)


def test_answer_as_taught_passes():
    assert run_check(dense_head_forward).passed


@pytest.mark.parametrize("mistake", [
    {"bias": False},
    {"act": "relu"},
    {"skip": True},
    {"softmax_axis": 2},
], ids=["no bias", "relu everywhere", "dense layers skipped", "softmax over time"])
def test_typical_mistakes_fail(mistake):
    def dense_head_forward(a_top, params, dense):
        return _head(a_top, params, dense, **mistake)
    result = run_check(dense_head_forward)
    assert not result.passed and result.status != "not_implemented", result.text


@pytest.mark.parametrize("mistake", [{"bias": False}, {"act": "tanh"}], ids=["no bias", "tanh everywhere"])
def test_mistakes_also_fail_on_hidden_cases(mistake):
    _, ex = find_exercise("dense_head_forward")
    for seed in (101, 202, 303):
        case = ex.make_case(np.random.default_rng(seed))
        want = ex.split(ex.reference(*case.args))
        got = ex.split(_head(*case.args, **mistake))
        assert set(got) == set(want)
        assert any(not np.allclose(got[k], want[k], rtol=ex.rtol, atol=ex.atol) for k in want), seed


def test_a_wrong_structure_is_named():
    def dense_head_forward(a_top, params, dense):
        return _head(a_top, params, dense)[1]           # y_hat only
    result = run_check(dense_head_forward)
    assert not result.passed and "(h, y_hat)" in result.text
