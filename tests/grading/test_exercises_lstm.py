"""Assignment 06_lstm: answers written the way the notebook teaches pass, typical mistakes fail clearly."""

import numpy as np

from rnncourse.activations import sigmoid, softmax
from rnncourse.grading import run_check
from rnncourse.grading.exercises import find_exercise, get_assignment

NAMES = ["lstm_cell_forward", "lstm_forward", "lstm_cell_backward", "lstm_backward"]


def test_the_assignment_registers_four_exercises():
    assignment = get_assignment("06_lstm")
    assert [e.name for e in assignment.exercises] == NAMES
    assert "lstm" not in assignment.learner_modules


def test_lstm_backward_cases_have_a_nonzero_initial_memory():
    _, ex = find_exercise("lstm_backward")
    for case in ex.public_cases():
        assert np.abs(case.args[1].cells[0].c_prev).max() > 0


# --- answers as a learner writes them ------------------------------------------------------

def _cell(x_t, a_prev, c_prev, params, *, forget_old=True):
    concat = np.concatenate([a_prev, x_t], axis=0)
    c_tilde = np.tanh(params["Wc"] @ concat + params["bc"])
    Gamma_u = sigmoid(params["Wu"] @ concat + params["bu"])
    Gamma_f = sigmoid(params["Wf"] @ concat + params["bf"])
    Gamma_o = sigmoid(params["Wo"] @ concat + params["bo"])
    c_next = Gamma_u * c_tilde + (Gamma_f * c_prev if forget_old else c_prev)
    tanh_c_next = np.tanh(c_next)
    a_next = Gamma_o * tanh_c_next
    y_hat_t = softmax(params["Wy"] @ a_next + params["by"])
    cache = (a_next, c_next, a_prev, c_prev, x_t, params, c_tilde, Gamma_u, Gamma_f, Gamma_o,
             tanh_c_next)
    return a_next, c_next, y_hat_t, cache


def test_cell_forward_as_taught_passes():
    def lstm_cell_forward(x_t, a_prev, c_prev, params):
        return _cell(x_t, a_prev, c_prev, params)
    assert run_check(lstm_cell_forward).passed


def test_cell_forward_without_the_forget_gate_fails():
    def lstm_cell_forward(x_t, a_prev, c_prev, params):
        return _cell(x_t, a_prev, c_prev, params, forget_old=False)
    result = run_check(lstm_cell_forward)
    # a_next = Gamma_o * tanh(c_next) is compared first, and it is wrong too
    assert result.status == "failed" and "a_next[0, 0]: expected" in result.text


def _sequence(x, a0, params, *, return_c=True):
    n_x, m, T_x = x.shape
    n_a, n_y = a0.shape[0], params["Wy"].shape[0]
    a, c = np.zeros((n_a, m, T_x)), np.zeros((n_a, m, T_x))
    y_hat, cells = np.zeros((n_y, m, T_x)), []
    a_t, c_t = a0, np.zeros((n_a, m))
    for t in range(T_x):
        a_t, c_t, y_hat[:, :, t], cache = _cell(x[:, :, t], a_t, c_t, params)
        a[:, :, t], c[:, :, t] = a_t, c_t
        cells.append(cache)
    if not return_c:
        return a, y_hat, (cells, x)
    return a, y_hat, c, (cells, x)


def test_forward_as_taught_passes():
    def lstm_forward(x, a0, params):
        return _sequence(x, a0, params)
    assert run_check(lstm_forward).passed


def test_forward_without_the_memory_cells_is_named():
    def lstm_forward(x, a0, params):
        return _sequence(x, a0, params, return_c=False)
    assert "must return the tuple (a, y_hat, c, caches)" in run_check(lstm_forward).text


def _cell_backward(da_next, dc_next, cache, *, skip_tanh_path=False):
    (a_next, c_next, a_prev, c_prev, x_t, params, c_tilde, Gamma_u, Gamma_f, Gamma_o,
     tanh_c_next) = cache[:11]
    n_a = a_prev.shape[0]
    dGamma_o = da_next * tanh_c_next
    if not skip_tanh_path:
        dc_next = dc_next + da_next * Gamma_o * (1 - tanh_c_next ** 2)
    dz = {
        "f": dc_next * c_prev * Gamma_f * (1 - Gamma_f),
        "u": dc_next * c_tilde * Gamma_u * (1 - Gamma_u),
        "c": dc_next * Gamma_u * (1 - c_tilde ** 2),
        "o": dGamma_o * Gamma_o * (1 - Gamma_o),
    }
    concat = np.concatenate([a_prev, x_t], axis=0)
    grads = {"dc_prev": dc_next * Gamma_f}
    dconcat = 0
    for g, d in dz.items():
        grads["dW" + g] = d @ concat.T
        grads["db" + g] = d.sum(axis=1, keepdims=True)
        dconcat = dconcat + params["W" + g].T @ d
    grads["da_prev"], grads["dx_t"] = dconcat[:n_a], dconcat[n_a:]
    return grads


def test_cell_backward_as_taught_passes():
    def lstm_cell_backward(da_next, dc_next, cache):
        return _cell_backward(da_next, dc_next, cache)
    assert run_check(lstm_cell_backward).passed


def test_cell_backward_forgetting_the_path_through_a_fails():
    def lstm_cell_backward(da_next, dc_next, cache):
        return _cell_backward(da_next, dc_next, cache, skip_tanh_path=True)
    assert run_check(lstm_cell_backward).status == "failed"


def _backward(da, caches, *, drop_memory_gradient=False):
    cells, x = caches
    n_x, m, T_x = x.shape
    n_a = da.shape[0]
    names = ("dWf", "dWu", "dWc", "dWo", "dbf", "dbu", "dbc", "dbo")
    grads = {k: 0 for k in names}
    dx = np.zeros((n_x, m, T_x))
    da_prev, dc_prev = np.zeros((n_a, m)), np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        step = _cell_backward(da[:, :, t] + da_prev, dc_prev, cells[t])
        dx[:, :, t] = step["dx_t"]
        for k in names:
            grads[k] = grads[k] + step[k]
        da_prev = step["da_prev"]
        dc_prev = 0 * step["dc_prev"] if drop_memory_gradient else step["dc_prev"]
    return {"dx": dx, "da0": da_prev, "dc0": dc_prev, **grads}


def test_backward_as_taught_passes():
    def lstm_backward(da, caches):
        return _backward(da, caches)
    assert run_check(lstm_backward).passed


def test_backward_that_drops_the_memory_gradient_fails():
    def lstm_backward(da, caches):
        return _backward(da, caches, drop_memory_gradient=True)
    assert run_check(lstm_backward).status == "failed"
