"""Assignment 05_gru: answers written the way the notebook teaches pass, typical mistakes fail clearly."""

import numpy as np

from rnncourse.activations import sigmoid, softmax
from rnncourse.grading import run_check
from rnncourse.grading.exercises import get_assignment


def test_the_assignment_registers_three_exercises():
    assignment = get_assignment("05_gru")
    assert [e.name for e in assignment.exercises] == ["gru_cell_forward", "gru_forward",
                                                      "gru_cell_backward"]
    assert "gru" not in assignment.learner_modules


# --- answers as a learner writes them ------------------------------------------------------

def _cell(x_t, c_prev, params, *, torch_update=False, relevance=True):
    concat = np.concatenate([c_prev, x_t], axis=0)
    Gamma_r = sigmoid(params["Wr"] @ concat + params["br"])
    Gamma_u = sigmoid(params["Wu"] @ concat + params["bu"])
    kept = Gamma_r * c_prev if relevance else c_prev
    c_tilde = np.tanh(params["Wc"] @ np.concatenate([kept, x_t], axis=0) + params["bc"])
    if torch_update:   # PyTorch's convention, z = 1 - Gamma_u, used with the course's gate
        c_next = (1 - Gamma_u) * c_tilde + Gamma_u * c_prev
    else:
        c_next = Gamma_u * c_tilde + (1 - Gamma_u) * c_prev
    y_hat_t = softmax(params["Wy"] @ c_next + params["by"])
    return c_next, y_hat_t, (c_next, c_prev, x_t, params, c_tilde, Gamma_u, Gamma_r)


def test_cell_forward_as_taught_passes():
    def gru_cell_forward(x_t, c_prev, params):
        return _cell(x_t, c_prev, params)
    assert run_check(gru_cell_forward).passed


def test_pytorch_update_convention_fails():
    def gru_cell_forward(x_t, c_prev, params):
        return _cell(x_t, c_prev, params, torch_update=True)
    result = run_check(gru_cell_forward)
    assert result.status == "failed" and "c_next" in result.text


def test_candidate_without_relevance_gate_fails():
    def gru_cell_forward(x_t, c_prev, params):
        return _cell(x_t, c_prev, params, relevance=False)
    assert run_check(gru_cell_forward).status == "failed"


def _sequence(x, a0, params, *, keep_last_only=False):
    n_x, m, T_x = x.shape
    n_a, n_y = a0.shape[0], params["Wy"].shape[0]
    a, y_hat, cells = np.zeros((n_a, m, T_x)), np.zeros((n_y, m, T_x)), []
    c = a0
    for t in range(T_x):
        c, y_hat[:, :, t], cache = _cell(x[:, :, t], c, params)
        a[:, :, t] = c
        cells.append(cache)
    if keep_last_only:
        return a[:, :, -1], y_hat, (cells, x)
    return a, y_hat, (cells, x)


def test_forward_as_taught_passes():
    def gru_forward(x, a0, params):
        return _sequence(x, a0, params)
    assert run_check(gru_forward).passed


def test_forward_keeping_only_the_last_state_gets_the_hint():
    def gru_forward(x, a0, params):
        return _sequence(x, a0, params, keep_last_only=True)
    text = run_check(gru_forward).text
    assert "fill a[:, :, t] inside the loop" in text


def _backward(dc_next, cache, *, skip_gate_paths=False, flat_bias=False):
    c_next, c_prev, x_t, params, c_tilde, Gamma_u, Gamma_r = cache[:7]
    n_a = c_prev.shape[0]
    dc_tilde = dc_next * Gamma_u
    dGamma_u = dc_next * (c_tilde - c_prev)
    dc_prev = dc_next * (1 - Gamma_u)
    dz_c = dc_tilde * (1 - c_tilde ** 2)
    concat_r = np.concatenate([Gamma_r * c_prev, x_t], axis=0)
    dconcat_r = params["Wc"].T @ dz_c
    dGamma_r = dconcat_r[:n_a] * c_prev
    dc_prev = dc_prev + dconcat_r[:n_a] * Gamma_r
    dx_t = dconcat_r[n_a:]
    dz_u = dGamma_u * Gamma_u * (1 - Gamma_u)
    dz_r = dGamma_r * Gamma_r * (1 - Gamma_r)
    concat = np.concatenate([c_prev, x_t], axis=0)
    dconcat = params["Wu"].T @ dz_u + params["Wr"].T @ dz_r
    if not skip_gate_paths:
        dc_prev = dc_prev + dconcat[:n_a]
        dx_t = dx_t + dconcat[n_a:]
    total = (lambda dz: dz.sum(axis=1)) if flat_bias else (lambda dz: dz.sum(axis=1, keepdims=True))
    return {"dx_t": dx_t, "dc_prev": dc_prev, "dWc": dz_c @ concat_r.T, "dWu": dz_u @ concat.T,
            "dWr": dz_r @ concat.T, "dbc": total(dz_c), "dbu": total(dz_u), "dbr": total(dz_r)}


def test_backward_as_taught_passes():
    def gru_cell_backward(dc_next, cache):
        return _backward(dc_next, cache)
    assert run_check(gru_cell_backward).passed


def test_backward_missing_the_paths_through_the_gates_fails():
    def gru_cell_backward(dc_next, cache):
        return _backward(dc_next, cache, skip_gate_paths=True)
    result = run_check(gru_cell_backward)
    assert result.status == "failed" and ("dc_prev" in result.text or "dx_t" in result.text)


def test_backward_with_flat_biases_gets_the_hint():
    def gru_cell_backward(dc_next, cache):
        return _backward(dc_next, cache, flat_bias=True)
    assert "keepdims=True" in run_check(gru_cell_backward).text
