"""check(fn): short verdicts in the learner's kernel."""

import subprocess
import sys

import numpy as np
import pytest

from rnncourse.caches import SequenceCache
from rnncourse.grading import check, run_check
from rnncourse.losses import bce_step_loss as ref_bce
from rnncourse.rnn import rnn_cell_forward as ref_cell, rnn_forward as ref_forward


def test_import_is_light_and_exports_the_function():
    code = ("import sys, rnncourse.grading as g; print(callable(g.check), "
            "'nbformat' in sys.modules, 'rnncourse.grading.sandbox' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False", "False"]


def rnn_cell_forward(x_t, a_prev, params):
    return ref_cell(x_t, a_prev, params)


def test_correct_function_passes_and_mentions_hidden_cases(capsys):
    check(rnn_cell_forward)
    out = capsys.readouterr().out
    assert "rnn_cell_forward: passed 2 public cases" in out
    assert "hidden cases" in out


def test_learner_style_sequence_forward_passes():
    def rnn_forward(x, a0, params):
        a, y_hat, caches = ref_forward(x, a0, params)
        return a, y_hat, SequenceCache(list(caches.cells), caches.x)
    assert run_check(rnn_forward).passed


def test_not_implemented_is_not_attempted_yet():
    def bce_step_loss(y_hat_t, y_t):
        raise NotImplementedError()
    result = run_check(bce_step_loss)
    assert result.status == "not_implemented" and "not attempted yet" in result.text


def test_wrong_shape_names_dimensions_and_hints_transpose():
    def rnn_cell_forward(x_t, a_prev, params):
        a_next, y, cache = ref_cell(x_t, a_prev, params)
        return a_next.T, y, cache
    text = run_check(rnn_cell_forward).text
    assert "a_next has shape (m, n_a)" in text and "expected (n_a, m)" in text
    assert "transpose" in text


def test_transposed_weight_in_a_product_gets_a_hint():
    def rnn_cell_forward(x_t, a_prev, params):
        return np.tanh(params["Wax"].T @ x_t), None, None
    result = run_check(rnn_cell_forward)
    assert result.status == "error" and "did you transpose a weight (e.g. Wax)" in result.text


def test_first_differing_entry_is_labelled_the_right_way_round():
    def bce_step_loss(y_hat_t, y_t):
        return ref_bce(y_hat_t, y_t) + np.where(np.arange(y_t.shape[1]) == 2, 1.0, 0.0)
    text = run_check(bce_step_loss).text
    want = ref_bce(*__import__("rnncourse.grading.exercises", fromlist=["x"])
                   .find_exercise("bce_step_loss")[1].public_cases()[0].args)[2]
    assert f"L_t[2]: expected {want:.6g} (reference), got {want + 1:.6g} (yours)" in text
    assert "1 of" in text


def test_nan_wrong_type_and_mutation_are_explained():
    def bce_step_loss(y_hat_t, y_t):
        return ref_bce(y_hat_t, y_t) * np.nan
    assert "non-finite" in run_check(bce_step_loss).text

    def bce_step_loss(y_hat_t, y_t):  # noqa: F811
        return list(ref_bce(y_hat_t, y_t))
    assert "got list (wrap it with np.array(...))" in run_check(bce_step_loss).text

    def bce_step_loss(y_hat_t, y_t):  # noqa: F811
        return np.round(ref_bce(y_hat_t, y_t)).astype(int)
    assert "should hold floating-point numbers, got dtype int" in run_check(bce_step_loss).text

    def clip_by_value(grads, max_value):
        for g in grads.values():
            np.clip(g, -max_value, max_value, out=g)
        return grads
    text = run_check(clip_by_value).text
    assert "changed its input grads['" in text and "in place" in text


def test_wrong_backward_fails_the_gradient_check():
    from rnncourse.rnn import rnn_cell_backward as ref

    def rnn_cell_backward(da_next, cache):
        grads = ref(da_next, cache)
        grads["dWaa"] = grads["dWaa"].T          # a classic slip, same shape
        return grads
    assert "dWaa fails the gradient check" in run_check(rnn_cell_backward).text


def test_lying_array_subclass_cannot_pass():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    def bce_step_loss(y_hat_t, y_t):
        return ref_bce(y_hat_t, y_t).view(Liar)
    assert "should be a numpy.ndarray, got Liar" in run_check(bce_step_loss).text


def test_renamed_function_with_name_argument_and_unknown_name():
    def my_loss(y_hat_t, y_t):
        return ref_bce(y_hat_t, y_t)
    assert run_check(my_loss, name="bce_step_loss").passed
    with pytest.raises(ValueError, match="no exercise named 'my_loss'"):
        check(my_loss)
    with pytest.raises(TypeError, match="expected the function you wrote"):
        check(3)


def test_output_never_floods():
    def bce_step_loss(y_hat_t, y_t):
        raise ValueError("x" * 100_000)
    assert len(run_check(bce_step_loss).text) <= 800


def test_tolerances_sit_where_the_exercise_says():
    """An answer off by a hundredth of the exercise's tolerances passes; one off by a hundred
    times them fails, with the message of the comparison that caught it."""
    from rnncourse.grading.exercises import find_exercise
    from rnncourse.rnn import rnn_cell_backward as ref

    rtol = find_exercise("bce_step_loss")[1].rtol
    for scale, passes in ((1 + rtol / 100, True), (1 + 100 * rtol, False)):
        def bce_step_loss(y_hat_t, y_t, scale=scale):
            return ref_bce(y_hat_t, y_t) * scale
        result = run_check(bce_step_loss)
        assert result.passed is passes, (scale, result.text)
        if not passes:
            assert "(reference)" in result.text and "(yours)" in result.text

    grad_tol = find_exercise("rnn_cell_backward")[1].grad_tol
    for scale, passes in ((1 + grad_tol / 100, True), (1 + 100 * grad_tol, False)):
        def rnn_cell_backward(da_next, cache, scale=scale):
            grads = ref(da_next, cache)
            grads["dWaa"] = grads["dWaa"] * scale
            return grads
        result = run_check(rnn_cell_backward)
        assert result.passed is passes, (scale, result.text)
        if not passes:
            assert "dWaa fails the gradient check" in result.text
