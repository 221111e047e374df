"""Diagnoses: each known wrong variant of a reference is named when a learner's answer
matches it, and never fires for a right answer."""

import copy

import numpy as np
import pytest

from rnncourse.grading import plain
from rnncourse.grading.compare import CallOutcome, diagnose, judge
from rnncourse.grading.exercises import all_assignments, find_exercise

DIAGNOSED = [(ex, name, fn) for a in all_assignments() for ex in a.exercises
             for name, fn in ex.diagnoses]


def _outcome(value, case):
    return CallOutcome("returned", value=plain.decode(plain.encode(value)),
                       inputs_after=plain.decode(plain.encode(tuple(case.args))))


@pytest.mark.parametrize("ex, name, variant", DIAGNOSED,
                         ids=[f"{ex.name}:{name[:40]}" for ex, name, _ in DIAGNOSED])
def test_a_learner_answer_matching_a_variant_gets_its_name(ex, name, variant):
    case = ex.public_cases()[0]
    expected = ex.split(ex.reference(*copy.deepcopy(case.args)))
    numerical = ex.numerical_gradient(case) if ex.numerical_gradient else None
    value = variant(*copy.deepcopy(case.args))
    verdict = judge(ex, case, expected, _outcome(value, case), numerical)
    assert verdict.status == "failed", (name, verdict)     # the variant is a real mistake
    assert verdict.message.endswith(f"when it {name}") or f"when it {name}" in verdict.message, \
        verdict.message


@pytest.mark.parametrize("ex", list({ex.name: ex for ex, _, _ in DIAGNOSED}.values()),
                         ids=lambda e: e.name)
def test_the_reference_matches_no_diagnosis(ex):
    for seed in ex.public_seeds:
        case = ex.make_case(np.random.default_rng(seed))
        got = ex.split(ex.reference(*copy.deepcopy(case.args)))
        assert diagnose(ex, case, got, expected=got) is None


def test_every_assignment_diagnoses_its_exercises():
    for a in all_assignments():
        assert any(ex.diagnoses for ex in a.exercises), a.name


def test_a_wrong_answer_matching_nothing_gets_no_diagnosis():
    _, ex = find_exercise("rnn_cell_forward")
    case = ex.public_cases()[0]
    expected = ex.split(ex.reference(*copy.deepcopy(case.args)))
    a_next, y, cache = ex.reference(*copy.deepcopy(case.args))
    verdict = judge(ex, case, expected, _outcome((a_next + 1.0, y, cache), case))
    assert verdict.status == "failed" and "This is what" not in verdict.message


def test_columns_that_do_not_sum_to_one_are_pointed_out_when_no_variant_matches():
    _, ex = find_exercise("rnn_cell_forward")
    case = ex.public_cases()[0]
    expected = ex.split(ex.reference(*copy.deepcopy(case.args)))
    a_next, y, cache = ex.reference(*copy.deepcopy(case.args))
    verdict = judge(ex, case, expected, _outcome((a_next, np.exp(y), cache), case))
    assert "The columns of y_hat_t do not sum to 1" in verdict.message
    verdict = judge(ex, case, expected, _outcome((a_next, y[::-1].copy(), cache), case))
    assert verdict.status == "failed" and "do not sum to 1" not in verdict.message


@pytest.mark.parametrize("exercise, output, where", [
    ("rnn_backward", "dx", lambda value: value["dx"]),
    ("lstm_backward", "dx", lambda value: value["dx"]),
    ("softmax_output_backward", "da", lambda value: value["da"]),
])
def test_a_time_step_the_loop_never_wrote_is_pointed_out(exercise, output, where):
    # the off-by-one backward loop range(T_x - 1, 0, -1) leaves dx[:, :, 0] at zero
    _, ex = find_exercise(exercise)
    case = ex.public_cases()[0]
    expected = ex.split(ex.reference(*copy.deepcopy(case.args)))
    numerical = ex.numerical_gradient(case) if ex.numerical_gradient else None
    for t in (0, -1):
        value = ex.reference(*copy.deepcopy(case.args))
        where(value)[:, :, t] = 0.0
        verdict = judge(ex, case, expected, _outcome(value, case), numerical)
        step = t % expected[output].shape[2]
        assert verdict.status == "failed"
        assert f"{output}[:, :, t] is still all zeros at t = {step}:" in verdict.message, verdict.message
    value = ex.reference(*copy.deepcopy(case.args))
    where(value)[...] = 0.0                              # nothing written at all: no such claim
    verdict = judge(ex, case, expected, _outcome(value, case), numerical)
    assert verdict.status == "failed" and "still all zeros" not in verdict.message
