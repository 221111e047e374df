"""Assignment 06 (LSTM), answered from its text: the cache unpacked as documented."""

from .notebook import Mistake

ASSIGNMENT = "06_lstm"

ANSWERS = {
    "lstm_cell_forward": '''
def lstm_cell_forward(x_t, a_prev, c_prev, params):
    concat = np.concatenate([a_prev, x_t], axis=0)
    c_tilde = np.tanh(params["Wc"] @ concat + params["bc"])
    Gamma_u = sigmoid(params["Wu"] @ concat + params["bu"])
    Gamma_f = sigmoid(params["Wf"] @ concat + params["bf"])
    Gamma_o = sigmoid(params["Wo"] @ concat + params["bo"])
    c_next = Gamma_u * c_tilde + Gamma_f * c_prev
    tanh_c_next = np.tanh(c_next)
    a_next = Gamma_o * tanh_c_next
    y_hat_t = softmax(params["Wy"] @ a_next + params["by"])
    cache = (a_next, c_next, a_prev, c_prev, x_t, params, c_tilde, Gamma_u, Gamma_f, Gamma_o,
             tanh_c_next)
    return a_next, c_next, y_hat_t, cache
''',
    "lstm_forward": '''
def lstm_forward(x, a0, params):
    n_x, m, T_x = x.shape
    n_a, n_y = a0.shape[0], params["Wy"].shape[0]
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y_hat = np.zeros((n_y, m, T_x))
    cells = []
    a_t, c_t = a0, np.zeros((n_a, m))
    for t in range(T_x):
        a_t, c_t, y_t, cache = lstm_cell_forward(x[:, :, t], a_t, c_t, params)
        a[:, :, t], c[:, :, t], y_hat[:, :, t] = a_t, c_t, y_t
        cells.append(cache)
    return a, y_hat, c, (cells, x)
''',
    "lstm_cell_backward": '''
def lstm_cell_backward(da_next, dc_next, cache):
    (a_next, c_next, a_prev, c_prev, x_t, params, c_tilde, Gamma_u, Gamma_f, Gamma_o,
     tanh_c_next) = cache
    n_a = a_prev.shape[0]
    dGamma_o = da_next * tanh_c_next
    dc = dc_next + da_next * Gamma_o * (1 - tanh_c_next ** 2)
    dGamma_u = dc * c_tilde
    dc_tilde = dc * Gamma_u
    dGamma_f = dc * c_prev
    dc_prev = dc * Gamma_f
    dz = {"f": dGamma_f * Gamma_f * (1 - Gamma_f), "u": dGamma_u * Gamma_u * (1 - Gamma_u),
          "o": dGamma_o * Gamma_o * (1 - Gamma_o), "c": dc_tilde * (1 - c_tilde ** 2)}
    concat = np.concatenate([a_prev, x_t], axis=0)
    grads = {"dc_prev": dc_prev}
    dconcat = np.zeros_like(concat)
    for g, d in dz.items():
        grads["dW" + g] = d @ concat.T
        grads["db" + g] = np.sum(d, axis=1, keepdims=True)
        dconcat += params["W" + g].T @ d
    grads["da_prev"] = dconcat[:n_a]
    grads["dx_t"] = dconcat[n_a:]
    return grads
''',
    "lstm_backward": '''
def lstm_backward(da, caches):
    cells, x = caches
    n_x, m, T_x = x.shape
    n_a = da.shape[0]
    params = cells[0][5]
    dx = np.zeros((n_x, m, T_x))
    totals = {"d" + k: np.zeros_like(params[k])
              for k in ("Wf", "Wu", "Wc", "Wo", "bf", "bu", "bc", "bo")}
    da_next = np.zeros((n_a, m))
    dc_next = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        g = lstm_cell_backward(da[:, :, t] + da_next, dc_next, cells[t])
        dx[:, :, t] = g["dx_t"]
        for k in totals:
            totals[k] += g[k]
        da_next, dc_next = g["da_prev"], g["dc_prev"]
    return {"dx": dx, "da0": da_next, "dc0": dc_next, **totals}
''',
}

MISTAKES = [
    Mistake("lstm_cell_forward", "forget and update gates swapped", '''
def lstm_cell_forward(x_t, a_prev, c_prev, params):
    concat = np.concatenate([a_prev, x_t], axis=0)
    c_tilde = np.tanh(params["Wc"] @ concat + params["bc"])
    Gamma_u = sigmoid(params["Wu"] @ concat + params["bu"])
    Gamma_f = sigmoid(params["Wf"] @ concat + params["bf"])
    Gamma_o = sigmoid(params["Wo"] @ concat + params["bo"])
    c_next = Gamma_f * c_tilde + Gamma_u * c_prev
    tanh_c_next = np.tanh(c_next)
    a_next = Gamma_o * tanh_c_next
    y_hat_t = softmax(params["Wy"] @ a_next + params["by"])
    return a_next, c_next, y_hat_t, (a_next, c_next, a_prev, c_prev, x_t, params, c_tilde,
                                     Gamma_u, Gamma_f, Gamma_o, tanh_c_next)
''', "forget and update gates swapped"),
    Mistake("lstm_backward", "memory gradient not carried", '''
def lstm_backward(da, caches):
    cells, x = caches
    n_x, m, T_x = x.shape
    n_a = da.shape[0]
    params = cells[0][5]
    dx = np.zeros((n_x, m, T_x))
    totals = {"d" + k: np.zeros_like(params[k])
              for k in ("Wf", "Wu", "Wc", "Wo", "bf", "bu", "bc", "bo")}
    da_next = np.zeros((n_a, m))
    dc_prev = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        g = lstm_cell_backward(da[:, :, t] + da_next, np.zeros((n_a, m)), cells[t])
        dx[:, :, t] = g["dx_t"]
        for k in totals:
            totals[k] += g[k]
        da_next, dc_prev = g["da_prev"], g["dc_prev"]
    return {"dx": dx, "da0": da_next, "dc0": dc_prev, **totals}
''', "without the memory gradient from step t+1"),
]
