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


# ---- fair grades (issue 15) ----------------------------------------------------------

def _namespace(source: str) -> dict:
    """A learner's kernel: the cells' source run in one namespace, ``In`` as IPython keeps it."""
    ns = {"__name__": "__main__", "In": ["", source]}
    exec(source, ns)
    return ns


_IMPORTS = "import numpy as np\nfrom rnncourse.activations import softmax\n"
_CELL = ("def rnn_cell_forward(x_t, a_prev, params):\n"
         "    a = np.tanh(params['Waa'] @ a_prev + params['Wax'] @ x_t{bias})\n"
         "    y = softmax(params['Wya'] @ a + params['by'])\n"
         "    return a, y, (a, a_prev, x_t, params, y, 'softmax')\n")
_SEQ = ("def rnn_forward(x, a0, params):\n"
        "    a = np.zeros((a0.shape[0], x.shape[1], x.shape[2]))\n"
        "    y_hat = np.zeros((params['Wya'].shape[0], x.shape[1], x.shape[2]))\n"
        "    caches, a_t = [], a0\n"
        "    for t in range({steps}):\n"
        "        a_t, y_t, c = rnn_cell_forward(x[:, :, t], a_t, params)\n"
        "        a[:, :, t], y_hat[:, :, t] = a_t, y_t\n"
        "        caches.append(c)\n"
        "    return a, y_hat, (caches, x)\n")


def test_a_composite_is_checked_with_the_course_cell_and_says_fix_it_first():
    ns = _namespace(_IMPORTS + _CELL.format(bias="") + _SEQ.format(steps="x.shape[2]"))
    cell = run_check(ns["rnn_cell_forward"])
    assert not cell.passed and "without the bias ba" in cell.text
    seq = run_check(ns["rnn_forward"])
    assert seq.passed, seq.text
    assert "your rnn_cell_forward fails its public cases: fix it first" in seq.text
    assert ns["rnn_cell_forward"].__module__ == "__main__"          # restored after the check
    ok = _namespace(_IMPORTS + _CELL.format(bias=" + params['ba']") + _SEQ.format(steps="x.shape[2]"))
    assert "fix it first" not in run_check(ok["rnn_forward"]).text


def test_an_off_by_one_loop_is_told_by_its_count():
    ns = _namespace(_IMPORTS + _CELL.format(bias=" + params['ba']") + _SEQ.format(steps="x.shape[2] - 1"))
    text = run_check(ns["rnn_forward"]).text
    import re
    found = re.search(r"caches\[0\] holds (\d+) cell caches, expected T_x = (\d+)", text)
    assert found and int(found.group(1)) == int(found.group(2)) - 1, text


def test_a_disallowed_import_is_warned_about_in_the_kernel():
    ns = _namespace(_IMPORTS + "from rnncourse.rnn import init_rnn_params\n"
                    + _CELL.format(bias=" + params['ba']"))
    text = run_check(ns["rnn_cell_forward"]).text
    assert text.startswith("Warning: your notebook imports rnncourse.rnn; this assignment allows "
                           "only rnncourse.activations"), text
    assert "earns no points" in text and "passed 2 public cases" in text
    clean = _namespace(_IMPORTS + _CELL.format(bias=" + params['ba']"))
    assert "Warning" not in run_check(clean["rnn_cell_forward"]).text


def test_global_np_random_is_seeded_per_case_and_restored():
    def bce_step_loss(y_hat_t, y_t):
        return np.random.standard_normal(y_t.shape[1])
    state = np.random.get_state()[1].copy()
    first, second = run_check(bce_step_loss).text, run_check(bce_step_loss).text
    assert first == second and "failed" in first
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_a_changed_input_is_named_before_the_wrong_values_it_causes():
    def rnn_forward(x, a0, params):
        a0 += 1.0                       # aliasing: the values below are wrong too
        return ref_forward(x, a0, params)
    text = run_check(rnn_forward).text
    assert "changed its input a0 in place" in text and "a0.copy()" in text
    assert "np.clip" not in text


def test_requirements_and_wordings():
    from rnncourse.grading.compare import CallOutcome, judge
    from rnncourse.grading.exercises import find_exercise
    from rnncourse.grading.plain import Unsupported  # noqa: F401  (the type judge names)

    _, ex = find_exercise("sample_with_temperature")
    case = ex.public_cases()[0]
    p, idx = ex.reference(*case.args)
    expected = ex.split((p, idx))
    verdict = judge(ex, case, expected, CallOutcome("returned", (p, idx.astype(float)), case.args))
    assert "dtype=int" in verdict.message and "float64" in verdict.message
    _, ex = find_exercise("exact_match_accuracy")
    case = ex.public_cases()[0]
    right = ex.reference(*case.args)
    expected = ex.split(right)
    verdict = judge(ex, case, expected, CallOutcome("returned", np.array([right]), case.args))
    assert "must return one float, got an array of shape (1,)" in verdict.message
    verdict = judge(ex, case, expected, CallOutcome("returned", right + 0.5, case.args))
    assert "entries differ" not in verdict.message and "accuracy: expected" in verdict.message
    _, ex = find_exercise("bce_step_loss")
    case = ex.public_cases()[0]
    expected = ex.split(ex.reference(*case.args))
    from rnncourse.grading import plain
    value = plain.decode(plain.encode(np.zeros(expected["L_t"].shape, complex)))
    verdict = judge(ex, case, expected, CallOutcome("returned", value, case.args))
    assert "should hold floating-point numbers, got an array of dtype complex128" in verdict.message
    assert "numpy.ndarray" not in verdict.message
