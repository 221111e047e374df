"""Assignment 07_bidirectional_rnn: answers written the way the notebook teaches pass, typical mistakes fail clearly."""

import numpy as np
import pytest

from rnncourse.activations import softmax, softmax_backward
from rnncourse.cells import CELLS
from rnncourse.grading import plain, run_check
from rnncourse.grading.exercises import find_exercise, get_assignment
from rnncourse.grading.exercises.bidirectional_rnn import CASE_CELLS, equivalent_by


def test_the_assignment_registers_two_exercises():
    assignment = get_assignment("07_bidirectional_rnn")
    assert [e.name for e in assignment.exercises] == ["brnn_forward", "brnn_backward"]
    assert "cells" in assignment.learner_modules and "bidirectional" not in assignment.learner_modules


@pytest.mark.parametrize("name", ["brnn_forward", "brnn_backward"])
def test_public_cases_cover_every_cell(name):
    _, ex = find_exercise(name)
    cells = {c.args[4] if name == "brnn_forward" else c.args[1].cell for c in ex.public_cases()}
    assert cells == set(CASE_CELLS)


def _forward(x, a0_fwd, a0_bwd, params, cell, *, reverse_back=True, by=True):
    given = CELLS[cell]
    n_a = a0_fwd.shape[0]
    a_fwd, cache_fwd = given.forward(x, a0_fwd, params["fwd"])
    a_rev, cache_bwd = given.forward(x[:, :, ::-1], a0_bwd, params["bwd"])
    a = np.concatenate([a_fwd, a_rev[:, :, ::-1] if reverse_back else a_rev], axis=0)
    bias = params["by"][:, :, None] if by else 0.0
    y_hat = softmax(np.einsum("yk,kmt->ymt", params["Wy"], a) + bias)
    return a, y_hat, (cache_fwd, cache_bwd, (a, params["Wy"], y_hat, "softmax"), x, cell, n_a)


def test_forward_as_taught_passes():
    def brnn_forward(x, a0_fwd, a0_bwd, params, cell):
        return _forward(x, a0_fwd, a0_bwd, params, cell)
    result = run_check(brnn_forward)
    assert result.passed, result.text


def test_forward_without_reversing_back_fails_on_a():
    def brnn_forward(x, a0_fwd, a0_bwd, params, cell):
        return _forward(x, a0_fwd, a0_bwd, params, cell, reverse_back=False)
    result = run_check(brnn_forward)
    assert result.status == "failed" and "a[" in result.text


def test_forward_forgetting_by_fails_and_a_wrong_cache_is_named():
    def brnn_forward(x, a0_fwd, a0_bwd, params, cell):
        return _forward(x, a0_fwd, a0_bwd, params, cell, by=False)
    assert run_check(brnn_forward).status == "failed"

    def brnn_forward(x, a0_fwd, a0_bwd, params, cell):  # noqa: F811 (check() reads the name)
        a, y_hat, caches = _forward(x, a0_fwd, a0_bwd, params, cell)
        return a, y_hat, caches[:4]
    result = run_check(brnn_forward)
    assert result.status == "failed" and "caches must be the tuple (cache_fwd, cache_bwd" in result.text


def _backward(dy_hat, caches, *, reverse_da=True, add_both_dx=True):
    cache_fwd, cache_bwd, (a, Wy, y_hat, _), x, cell, n_a = caches
    given = CELLS[cell]
    dz = softmax_backward(dy_hat, y_hat)
    da = np.einsum("yk,ymt->kmt", Wy, dz)
    g_f = given.backward(np.ascontiguousarray(da[:n_a]), cache_fwd)
    da_b = da[n_a:, :, ::-1] if reverse_da else da[n_a:]
    g_b = given.backward(np.ascontiguousarray(da_b), cache_bwd)
    dx = g_f["dx"] + (g_b["dx"][:, :, ::-1] if add_both_dx else 0.0)
    return {"fwd": {"d" + k: g_f["d" + k] for k in given.param_names},
            "bwd": {"d" + k: g_b["d" + k] for k in given.param_names},
            "dWy": np.einsum("ymt,kmt->yk", dz, a), "dby": dz.sum(axis=(1, 2))[:, None],
            "dx": dx, "da0_fwd": g_f["da0"], "da0_bwd": g_b["da0"]}


def test_backward_as_taught_passes():
    def brnn_backward(dy_hat, caches):
        return _backward(dy_hat, caches)
    result = run_check(brnn_backward)
    assert result.passed, result.text


def test_backward_without_reversing_the_gradient_fails():
    def brnn_backward(dy_hat, caches):
        return _backward(dy_hat, caches, reverse_da=False)
    result = run_check(brnn_backward)
    assert result.status == "failed" and "gradient check" in result.text


def test_backward_forgetting_the_backward_direction_dx_fails_on_dx():
    def brnn_backward(dy_hat, caches):
        return _backward(dy_hat, caches, add_both_dx=False)
    result = run_check(brnn_backward)
    assert result.status == "failed" and "grads['dx']" in result.text


def test_backward_missing_a_direction_is_named():
    def brnn_backward(dy_hat, caches):
        grads = _backward(dy_hat, caches)
        del grads["bwd"]
        return grads
    result = run_check(brnn_backward)
    assert result.status == "failed" and "missing grads['bwd']" in result.text


def test_backward_case_crosses_the_sandbox_boundary_and_keeps_working():
    _, ex = find_exercise("brnn_backward")
    case = ex.make_case(np.random.default_rng(5))
    decoded = plain.decode(plain.encode(case.args))          # what the worker receives
    got = ex.split(_backward(*decoded))
    expected = ex.split(ex.reference(*case.args))
    assert set(got) == set(expected)
    for k in expected:
        np.testing.assert_allclose(got[k], expected[k], rtol=1e-10, atol=1e-12)


def test_equivalent_by_reproduces_the_prediction():
    rng = np.random.default_rng(0)
    a, Wy, by = rng.standard_normal((4, 3, 5)), rng.standard_normal((2, 4)), rng.standard_normal((2, 1))
    y_hat = softmax(np.einsum("yk,kmt->ymt", Wy, a) + by[:, :, None])
    rebuilt = softmax(np.einsum("yk,kmt->ymt", Wy, a) + equivalent_by((a, Wy, y_hat, "softmax"))[:, :, None])
    np.testing.assert_allclose(rebuilt, y_hat, atol=1e-12)
