"""Assignment 08_deep_rnn: answers written the way the notebook teaches pass, typical mistakes fail clearly."""

import numpy as np

from rnncourse.activations import softmax, softmax_backward
from rnncourse.cells import CELLS
from rnncourse.grading import plain, run_check
from rnncourse.grading.exercises import find_exercise, get_assignment


def test_the_assignment_registers_four_exercises_and_hides_the_references():
    assignment = get_assignment("08_deep_rnn")
    assert [e.name for e in assignment.exercises] == ["deep_rnn_forward", "deep_rnn_backward",
                                                      "dense_head_forward", "dense_head_backward"]
    assert not {"deep", "bidirectional"} & set(assignment.learner_modules)


def test_public_cases_stack_every_cell_and_a_bidirectional_layer():
    _, ex = find_exercise("deep_rnn_backward")
    specs = [s for case in ex.public_cases() for s in case.args[1][2]]
    assert {s["cell"] for s in specs} == {"rnn", "gru", "lstm"}
    assert any(s["bidirectional"] for s in specs)


def _bi_forward(x, a0, params, cell):
    n_a = a0.shape[0]
    a_f, c_f = CELLS[cell].forward(x, a0, params["fwd"])
    a_r, c_b = CELLS[cell].forward(x[:, :, ::-1], a0, params["bwd"])
    return np.concatenate([a_f, a_r[:, :, ::-1]], axis=0), (c_f, c_b, None, x, cell, n_a)


def _bi_backward(da, cache):
    c_f, c_b, _, x, cell, n_a = cache
    g_f = CELLS[cell].backward(np.ascontiguousarray(da[:n_a]), c_f)
    g_b = CELLS[cell].backward(np.ascontiguousarray(da[n_a:, :, ::-1]), c_b)
    names = CELLS[cell].param_names
    return {"fwd": {"d" + k: g_f["d" + k] for k in names}, "bwd": {"d" + k: g_b["d" + k] for k in names},
            "dx": g_f["dx"] + g_b["dx"][:, :, ::-1], "da0_fwd": g_f["da0"], "da0_bwd": g_b["da0"]}


def _forward(x, params, specs, *, skip_top=False):
    h, a, layer_caches = x, [], []
    for spec, p in zip(specs, params["recurrent"]):
        zeros = np.zeros((spec["n_a"], x.shape[1]))
        if spec["bidirectional"]:
            out, cache = _bi_forward(h, zeros, p, spec["cell"])
        else:
            out, cache = CELLS[spec["cell"]].forward(h, zeros, p)
        if not (skip_top and spec is specs[-1]):
            h = out
        a.append(out)
        layer_caches.append(cache)
    y_hat = softmax(np.einsum("yk,kmt->ymt", params["Wy"], h) + params["by"][:, :, None])
    return a, y_hat, (layer_caches, (h, params["Wy"], y_hat), specs)


def _backward(dy_hat, caches):
    layer_caches, (a_top, Wy, y_hat), specs = caches
    dz = softmax_backward(dy_hat, y_hat)
    g = np.einsum("yk,ymt->kmt", Wy, dz)
    recurrent, da0 = [None] * len(specs), [None] * len(specs)
    for l in reversed(range(len(specs))):
        spec, cache = specs[l], layer_caches[l]
        if spec["bidirectional"]:
            step = _bi_backward(g, cache)
            recurrent[l], da0[l] = {"fwd": step["fwd"], "bwd": step["bwd"]}, (step["da0_fwd"], step["da0_bwd"])
        else:
            step = CELLS[spec["cell"]].backward(g, cache)
            recurrent[l] = {"d" + k: step["d" + k] for k in CELLS[spec["cell"]].param_names}
            da0[l] = step["da0"]
        g = step["dx"]
    return {"recurrent": recurrent, "da0": da0, "dWy": np.einsum("ymt,kmt->yk", dz, a_top),
            "dby": dz.sum(axis=(1, 2))[:, None], "dx": g}


def test_forward_as_taught_passes():
    def deep_rnn_forward(x, params, specs):
        return _forward(x, params, specs)
    result = run_check(deep_rnn_forward)
    assert result.passed, result.text


def test_forward_predicting_from_the_wrong_layer_fails():
    def deep_rnn_forward(x, params, specs):
        return _forward(x, params, specs, skip_top=True)
    assert run_check(deep_rnn_forward).status in ("failed", "error")


def test_backward_as_taught_passes_on_the_decoded_case_too():
    def deep_rnn_backward(dy_hat, caches):
        return _backward(dy_hat, caches)
    result = run_check(deep_rnn_backward)
    assert result.passed, result.text
    _, ex = find_exercise("deep_rnn_backward")
    case = ex.make_case(np.random.default_rng(11))
    got = ex.split(_backward(*plain.decode(plain.encode(case.args))))   # what the worker sees
    expected = ex.split(ex.reference(*case.args))
    assert set(got) == set(expected)
    for k in expected:
        np.testing.assert_allclose(got[k], expected[k], rtol=1e-10, atol=1e-12)


def test_backward_in_the_wrong_layer_order_is_caught():
    def deep_rnn_backward(dy_hat, caches):
        grads = _backward(dy_hat, caches)
        grads["recurrent"] = grads["recurrent"][::-1]
        return grads
    assert run_check(deep_rnn_backward).status == "failed"


def test_backward_that_forgets_a_list_is_named():
    def deep_rnn_backward(dy_hat, caches):
        grads = _backward(dy_hat, caches)
        grads["da0"] = grads["da0"][0]
        return grads
    result = run_check(deep_rnn_backward)
    assert result.status == "failed" and "grads['da0'] must be a list" in result.text
