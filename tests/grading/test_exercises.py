"""The exercise registry: every reference passes its own exercise, cases are reproducible."""

import copy
import json
import re

import numpy as np
import pytest

from rnncourse.grading import plain
from rnncourse.grading.compare import CallOutcome, judge
from rnncourse.grading.exercises import (ASSIGNMENT_MODULES, StructureError, all_assignments,
                                         draw_dims, find_exercise, get_assignment)

EXERCISES = [ex for a in all_assignments() for ex in a.exercises]


def test_assignments_register_the_agreed_exercises():
    names = {a.name: [e.name for e in a.exercises] for a in all_assignments()}
    assert names["02_forward_propagation"] == ["rnn_cell_forward", "rnn_forward", "bce_step_loss"]
    assert names["03_backprop_through_time"] == ["rnn_cell_backward", "rnn_backward",
                                                 "clip_by_value"]
    assert len({e.name for e in EXERCISES}) == len(EXERCISES)  # names are unique


def test_unknown_assignment_and_exercise_are_named():
    with pytest.raises(ValueError, match="unknown assignment 'nope'.*02_forward_propagation"):
        get_assignment("nope")
    with pytest.raises(KeyError, match="no exercise named 'nope'"):
        find_exercise("nope")


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda e: e.name)
def test_reference_is_the_library_function_of_the_same_name(ex):
    assert ex.reference.__name__ == ex.name
    assert ex.points > 0


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda e: e.name)
@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_reference_passes_its_own_exercise(ex, seed):
    case = ex.make_case(np.random.default_rng(seed))
    expected = ex.split(ex.reference(*copy.deepcopy(case.args)))
    value = ex.reference(*copy.deepcopy(case.args))
    numerical = ex.numerical_gradient(case) if ex.numerical_gradient else None
    verdict = judge(ex, case, expected, CallOutcome("returned", value, case.args), numerical)
    assert verdict.status == "passed", verdict.message
    assert all(isinstance(v, np.ndarray) for v in expected.values())


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda e: e.name)
def test_cases_are_reproducible_from_the_seed_and_differ_across_seeds(ex):
    a = ex.make_case(np.random.default_rng(7))
    b = ex.make_case(np.random.default_rng(7))
    c = ex.make_case(np.random.default_rng(8))
    # every input as it travels to the sandbox (ragged lists of melodies included)
    sent = lambda case: json.dumps(plain.encode(case.args), sort_keys=True)   # noqa: E731
    assert sent(a) == sent(b)
    assert a.dims == b.dims
    assert sent(a) != sent(c)


@pytest.mark.parametrize("ex", [e for e in EXERCISES if e.numerical_gradient],
                         ids=lambda e: e.name)
def test_numerical_gradient_agrees_with_the_reference_backward(ex):
    case = ex.make_case(np.random.default_rng(3))
    grads = ex.split(ex.reference(*case.args))      # named like the numerical gradient
    numerical = ex.numerical_gradient(case)
    assert set(numerical) == set(grads)
    for k, g in numerical.items():
        np.testing.assert_allclose(grads[k], g, rtol=1e-6, atol=1e-8)


def test_split_names_a_wrong_structure():
    _, ex = find_exercise("rnn_cell_forward")
    with pytest.raises(StructureError, match=r"must return the tuple \(a_next, y_hat_t, cache\), "
                                             r"got a tuple of 2 items"):
        ex.split((1, 2))
    _, ex = find_exercise("rnn_forward")
    with pytest.raises(StructureError, match="caches must be the pair"):
        ex.split((np.zeros(1), np.zeros(1), None))


def test_draw_dims_are_distinct_and_in_range():
    dims = draw_dims(np.random.default_rng(0), ("n_x", "n_a", "n_y", "m", "T_x"))
    assert len(set(dims.values())) == 5 and all(2 <= v <= 9 for v in dims.values())
    with pytest.raises(ValueError, match="cannot draw 3 distinct sizes"):
        draw_dims(np.random.default_rng(0), ("a", "b", "c"), low=1, high=2)


def test_every_registered_module_is_listed():
    assert set(ASSIGNMENT_MODULES) == {a.name for a in all_assignments()}


# brnn_backward's reference accepts only the library's own cache class; what the worker
# receives is checked with a learner-style answer in test_exercises_bidirectional_rnn.py
ROUND_TRIP = [e for e in EXERCISES if e.name != "brnn_backward"]


@pytest.mark.parametrize("ex", ROUND_TRIP, ids=lambda e: e.name)
def test_public_cases_survive_the_trip_to_the_sandbox(ex):
    """The sandbox receives the cases as plain JSON; the reference must give the same answer."""
    for case in ex.public_cases():
        decoded = plain.loads(plain.dumps(case.args))
        want, got = ex.split(ex.reference(*case.args)), ex.split(ex.reference(*decoded))
        assert set(want) == set(got)
        for k in want:
            np.testing.assert_array_equal(want[k], got[k], err_msg=k)


def test_one_number_takes_a_number_or_a_one_entry_array_and_names_anything_else():
    from rnncourse.grading.exercises import one_number

    for value in (2, 2.0, np.float32(2.0), np.array(2.0), np.array([[2]])):
        np.testing.assert_array_equal(one_number(value, "f must return one number"), [2.0])
    for value, kind in ((True, "bool"), ([2.0], "list"), (np.zeros(2), "an array of shape (2,)")):
        with pytest.raises(StructureError, match=re.escape(f"f must return one number, got {kind}")):
            one_number(value, "f must return one number")
