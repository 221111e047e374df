"""Assignment 04_vanishing_gradients: answers written the way the notebook teaches pass, typical mistakes fail clearly."""

import numpy as np

from rnncourse.grading import run_check
from rnncourse.grading.exercises import find_exercise, get_assignment


def test_the_assignment_registers_two_exercises():
    assignment = get_assignment("04_vanishing_gradients")
    assert [e.name for e in assignment.exercises] == ["hidden_gradient_norms", "clip_by_norm"]


def _norms(da_last, a, Waa, axis=None):
    T_x = a.shape[2]
    grads = [None] * T_x
    grads[-1] = da_last
    for t in range(T_x - 1, 0, -1):
        grads[t - 1] = Waa.T @ (grads[t] * (1 - a[:, :, t] ** 2))
    return np.stack([np.sqrt(np.sum(g ** 2, axis=axis)) for g in grads], axis=-1)


def test_norms_through_time_pass():
    def hidden_gradient_norms(da_last, a, Waa):
        return _norms(da_last, a, Waa)
    assert run_check(hidden_gradient_norms).passed


def test_norms_per_example_get_the_hint():
    def hidden_gradient_norms(da_last, a, Waa):
        return _norms(da_last, a, Waa, axis=0)      # (m, T_x)
    text = run_check(hidden_gradient_norms).text
    assert "shape (m, T_x)" in text and "over the units and the examples together" in text


def test_forgetting_the_tanh_derivative_fails():
    def hidden_gradient_norms(da_last, a, Waa):
        return _norms(da_last, np.zeros_like(a), Waa)
    assert run_check(hidden_gradient_norms).status == "failed"


def test_public_cases_include_a_case_without_clipping():
    # the threshold is sometimes above the norm, where clip_by_norm must change nothing
    _, ex = find_exercise("clip_by_norm")
    cases = ex.public_cases()
    norms = [np.sqrt(sum(np.sum(g ** 2) for g in grads.values())) for grads, _ in
             (c.args for c in cases)]
    clipped = [max_norm < norm for norm, (_, max_norm) in zip(norms, (c.args for c in cases))]
    assert True in clipped and False in clipped


def test_clip_by_norm_passes_and_always_scaling_fails():
    def clip_by_norm(grads, max_norm):
        total = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
        scale = min(1.0, max_norm / total)
        return {name: g * scale for name, g in grads.items()}
    assert run_check(clip_by_norm).passed

    def clip_by_norm(grads, max_norm):  # noqa: F811 (the name check() identifies)
        total = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
        return {name: g * (max_norm / total) for name, g in grads.items()}
    assert run_check(clip_by_norm).status == "failed"


def test_clip_by_norm_in_place_is_flagged():
    def clip_by_norm(grads, max_norm):
        total = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
        for g in grads.values():
            g *= min(1.0, max_norm / total)
        return grads
    result = run_check(clip_by_norm)
    assert result.status == "failed" and "changed its input" in result.text
