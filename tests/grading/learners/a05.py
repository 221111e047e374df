"""Assignment 05 (GRU), answered from its text: the cache unpacked as documented."""

from .notebook import Mistake, variant

ASSIGNMENT = "05_gru"

ANSWERS = {
    "gru_cell_forward": '''
def gru_cell_forward(x_t, c_prev, params):
    concat = np.concatenate([c_prev, x_t], axis=0)
    Gamma_r = sigmoid(params["Wr"] @ concat + params["br"])
    Gamma_u = sigmoid(params["Wu"] @ concat + params["bu"])
    concat_r = np.concatenate([Gamma_r * c_prev, x_t], axis=0)
    c_tilde = np.tanh(params["Wc"] @ concat_r + params["bc"])
    c_next = Gamma_u * c_tilde + (1 - Gamma_u) * c_prev
    y_hat_t = softmax(params["Wy"] @ c_next + params["by"])
    cache = (c_next, c_prev, x_t, params, c_tilde, Gamma_u, Gamma_r)
    return c_next, y_hat_t, cache
''',
    "gru_forward": '''
def gru_forward(x, a0, params):
    n_x, m, T_x = x.shape
    n_a, n_y = a0.shape[0], params["Wy"].shape[0]
    a = np.zeros((n_a, m, T_x))
    y_hat = np.zeros((n_y, m, T_x))
    cells = []
    c = a0
    for t in range(T_x):
        c, y_t, cache = gru_cell_forward(x[:, :, t], c, params)
        a[:, :, t] = c
        y_hat[:, :, t] = y_t
        cells.append(cache)
    return a, y_hat, (cells, x)
''',
    "gru_cell_backward": '''
def gru_cell_backward(dc_next, cache):
    c_next, c_prev, x_t, params, c_tilde, Gamma_u, Gamma_r = cache
    n_a = c_prev.shape[0]
    dc_tilde = dc_next * Gamma_u
    dGamma_u = dc_next * (c_tilde - c_prev)
    dc_prev = dc_next * (1 - Gamma_u)
    dz_c = dc_tilde * (1 - c_tilde ** 2)
    concat_r = np.concatenate([Gamma_r * c_prev, x_t], axis=0)
    dWc = dz_c @ concat_r.T
    dbc = np.sum(dz_c, axis=1, keepdims=True)
    dconcat_r = params["Wc"].T @ dz_c
    dGamma_r = dconcat_r[:n_a] * c_prev
    dc_prev = dc_prev + dconcat_r[:n_a] * Gamma_r
    dx_t = dconcat_r[n_a:]
    dz_u = dGamma_u * Gamma_u * (1 - Gamma_u)
    dz_r = dGamma_r * Gamma_r * (1 - Gamma_r)
    concat = np.concatenate([c_prev, x_t], axis=0)
    dWu = dz_u @ concat.T
    dWr = dz_r @ concat.T
    dbu = np.sum(dz_u, axis=1, keepdims=True)
    dbr = np.sum(dz_r, axis=1, keepdims=True)
    dconcat = params["Wu"].T @ dz_u + params["Wr"].T @ dz_r
    dc_prev = dc_prev + dconcat[:n_a]
    dx_t = dx_t + dconcat[n_a:]
    return {"dx_t": dx_t, "dc_prev": dc_prev, "dWc": dWc, "dWu": dWu, "dWr": dWr,
            "dbc": dbc, "dbu": dbu, "dbr": dbr}
''',
}

_CELL = '''
def gru_cell_forward(x_t, c_prev, params):
    concat = np.concatenate({stack}, axis=0)
    Gamma_r = sigmoid(params["Wr"] @ concat + params["br"])
    Gamma_u = sigmoid(params["Wu"] @ concat + params["bu"])
    concat_r = np.concatenate({stack_r}, axis=0)
    c_tilde = np.tanh(params["Wc"] @ concat_r + params["bc"])
    c_next = {blend}
    y_hat_t = softmax(params["Wy"] @ c_next + params["by"])
    return c_next, y_hat_t, (c_next, c_prev, x_t, params, c_tilde, Gamma_u, Gamma_r)
'''
_OK = dict(stack="[c_prev, x_t]", stack_r="[Gamma_r * c_prev, x_t]",
           blend="Gamma_u * c_tilde + (1 - Gamma_u) * c_prev")

MISTAKES = [
    Mistake("gru_cell_forward", "relevance gate left out",
            _CELL.format(**{**_OK, "stack_r": "[c_prev, x_t]"}), "without the relevance gate"),
    Mistake("gru_cell_forward", "PyTorch's update convention",
            _CELL.format(**{**_OK, "blend": "(1 - Gamma_u) * c_tilde + Gamma_u * c_prev"}),
            "PyTorch's convention"),
    Mistake("gru_cell_forward", "[x; c] stacking",
            _CELL.format(**{**_OK, "stack": "[x_t, c_prev]", "stack_r": "[x_t, Gamma_r * c_prev]"}),
            "[x_t; c_prev]"),
    Mistake("gru_forward", "every step started from a0 (the memory not carried)",
            variant(ANSWERS["gru_forward"], "gru_cell_forward(x[:, :, t], c, params)",
                    "gru_cell_forward(x[:, :, t], a0, params)"), "starts every step from a0"),
    Mistake("gru_cell_backward", "the path through Gamma_r * c_prev left out of dc_prev",
            variant(ANSWERS["gru_cell_backward"], "    dc_prev = dc_prev + dconcat_r[:n_a] * Gamma_r\n", ""),
            "leaves out the second term of dc_prev"),
]
