"""Assignment 08, exercises 3 and 4: the syllabus's dense layers after the recurrent ones.

Answers written the way the notebook teaches pass; the typical mistakes (no bias, one
activation for every layer, skipped layers, the softmax over time; in the backward pass a
missing activation derivative, the layers' gradients in the wrong order, only one step's
contribution) fail, on the public cases of ``check`` and on hidden cases alike.
"""

import numpy as np
import pytest

from rnncourse import deep
from rnncourse.activations import (identity, identity_derivative, relu, relu_derivative, sigmoid,
                                   sigmoid_derivative, softmax, softmax_backward, tanh_derivative)
from rnncourse.grading import run_check
from rnncourse.grading.exercises import find_exercise, get_assignment

ACTS = {"relu": relu, "tanh": np.tanh, "sigmoid": sigmoid, "identity": identity}
DERIVS = {"relu": relu_derivative, "tanh": tanh_derivative, "sigmoid": sigmoid_derivative,
          "identity": identity_derivative}


def _head(a_top, params, dense, *, bias=True, act=None, skip=False, softmax_axis=0):
    h, outs = a_top, []
    for spec, p in zip([] if skip else dense, params["dense"]):
        g = ACTS[act or spec["activation"]]
        h = g(np.einsum("ij,jmt->imt", p["W"], h) + (p["b"][:, :, None] if bias else 0))
        outs.append(h)
    z = np.einsum("ij,jmt->imt", params["Wy"], h) + params["by"][:, :, None]
    y_hat = softmax(z, axis=softmax_axis)
    return outs, y_hat, (a_top, outs, params, dense, y_hat)


def _head_backward(dy_hat, caches, *, derivative=True, reverse_list=False, last_step_only=False):
    a_top, h, params, dense, y_hat = caches
    inputs = [a_top] + list(h)
    steps = slice(-1, None) if last_step_only else slice(None)

    def weight_grad(dz, x):
        return np.einsum("imt,jmt->ij", dz[:, :, steps], x[:, :, steps])

    dz = softmax_backward(dy_hat, y_hat)
    dWy, dby = weight_grad(dz, inputs[-1]), dz.sum(axis=(1, 2))[:, None]
    g = np.einsum("ij,imt->jmt", params["Wy"], dz)
    layers = []
    for k in reversed(range(len(dense))):
        dz = g * DERIVS[dense[k]["activation"]](inputs[k + 1]) if derivative else g
        layers.append({"dW": weight_grad(dz, inputs[k]), "db": dz.sum(axis=(1, 2))[:, None]})
        g = np.einsum("ij,imt->jmt", params["dense"][k]["W"], dz)
    return {"dense": layers if reverse_list else layers[::-1], "dWy": dWy, "dby": dby, "da_top": g}


def dense_head_forward(a_top, params, dense):
    return _head(a_top, params, dense)


def dense_head_backward(dy_hat, caches):
    return _head_backward(dy_hat, caches)


def test_the_exercises_are_registered_in_assignment_08_after_the_recurrent_ones():
    names = [e.name for e in get_assignment("08_deep_rnn").exercises]
    assert names[-2:] == ["dense_head_forward", "dense_head_backward"]
    assert names.index("deep_rnn_backward") < names.index("dense_head_forward")


@pytest.mark.parametrize("name", ["dense_head_forward", "dense_head_backward"])
def test_public_cases_use_every_activation_and_several_depths(name):
    _, ex = find_exercise(name)
    specs = [c.args[2] if name == "dense_head_forward" else c.args[1][3] for c in ex.public_cases()]
    assert {d["activation"] for s in specs for d in s} == set(deep.DENSE_ACTIVATIONS)
    assert len({len(s) for s in specs}) > 1
    assert all(len({d["activation"] for d in s}) == len(s) >= 2 for s in specs)


def test_the_references_are_the_library_dense_layers():
    # the grade comes from the library's numbers: dense_forward / dense_backward, softmax output
    _, fwd = find_exercise("dense_head_forward")
    _, bwd = find_exercise("dense_head_backward")
    for case in fwd.public_cases():
        a_top, params, dense = case.args
        h, y_hat, caches = fwd.reference(*case.args)
        x = a_top
        for spec, p, h_k in zip(dense, params["dense"], h):
            x, _ = deep.dense_forward(x, p["W"], p["b"], spec["activation"])
            np.testing.assert_allclose(h_k, x, rtol=1e-12)
        np.testing.assert_allclose(y_hat, _head(*case.args)[1], rtol=1e-12)
    for case in bwd.public_cases():
        want = bwd.split(_head_backward(*case.args))
        got = bwd.split(bwd.reference(*case.args))
        assert set(got) == set(want)
        for k in want:
            np.testing.assert_allclose(got[k], want[k], rtol=1e-10, atol=1e-12)


def test_the_backward_reference_matches_finite_differences():
    _, ex = find_exercise("dense_head_backward")
    for case in ex.public_cases():
        num, ana = ex.numerical_gradient(case), ex.split(ex.reference(*case.args))
        assert set(num) == set(ana)
        for k in num:
            np.testing.assert_allclose(ana[k], num[k], rtol=1e-5, atol=1e-8)


def test_answers_as_taught_pass():
    assert run_check(dense_head_forward).passed
    assert run_check(dense_head_backward).passed


@pytest.mark.parametrize("mistake", [
    {"bias": False},
    {"act": "relu"},
    {"skip": True},
    {"softmax_axis": 2},
], ids=["no bias", "relu everywhere", "dense layers skipped", "softmax over time"])
def test_typical_forward_mistakes_fail(mistake):
    def dense_head_forward(a_top, params, dense):
        return _head(a_top, params, dense, **mistake)
    result = run_check(dense_head_forward)
    assert not result.passed and result.status != "not_implemented", result.text


@pytest.mark.parametrize("mistake", [
    {"derivative": False},
    {"reverse_list": True},
    {"last_step_only": True},
], ids=["no activation derivative", "layers in reverse order", "last step only"])
def test_typical_backward_mistakes_fail(mistake):
    def dense_head_backward(dy_hat, caches):
        return _head_backward(dy_hat, caches, **mistake)
    result = run_check(dense_head_backward)
    assert not result.passed and result.status != "not_implemented", result.text


@pytest.mark.parametrize("name, wrong", [
    ("dense_head_forward", lambda *args: _head(*args, bias=False)),
    ("dense_head_forward", lambda *args: _head(*args, act="tanh")),
    ("dense_head_backward", lambda *args: _head_backward(*args, derivative=False)),
], ids=["no bias", "tanh everywhere", "no derivative"])
def test_mistakes_also_fail_on_hidden_cases(name, wrong):
    _, ex = find_exercise(name)
    for seed in (101, 202, 303):
        case = ex.make_case(np.random.default_rng(seed))
        want = ex.split(ex.reference(*case.args))
        got = ex.split(wrong(*case.args))
        assert set(got) == set(want)
        assert any(not np.allclose(got[k], want[k], rtol=ex.rtol, atol=ex.atol) for k in want), seed


def test_backward_cases_keep_relu_away_from_its_kink():
    # a finite difference across relu's kink would disagree with a correct gradient
    _, ex = find_exercise("dense_head_backward")
    for seed in range(20):
        _, (a_top, _, params, dense, _) = ex.make_case(np.random.default_rng(seed)).args
        x = a_top
        for spec, p in zip(dense, params["dense"]):
            z = np.einsum("ij,jmt->imt", p["W"], x) + p["b"][:, :, None]
            if spec["activation"] == "relu":
                assert np.abs(z).min() > 1e-3
            x = ACTS[spec["activation"]](z)


def test_a_wrong_structure_is_named():
    def dense_head_forward(a_top, params, dense):
        return _head(a_top, params, dense)[:2]           # no caches
    result = run_check(dense_head_forward)
    assert not result.passed and "(h, y_hat, caches)" in result.text

    def dense_head_backward(dy_hat, caches):
        grads = _head_backward(dy_hat, caches)
        grads["dense"] = grads["dense"][0]               # a dict instead of the list
        return grads
    result = run_check(dense_head_backward)
    assert not result.passed and "one dict per dense layer" in result.text
