"""Assignment 07 (bidirectional RNN), answered from its text."""

from .notebook import Mistake

ASSIGNMENT = "07_bidirectional_rnn"

ANSWERS = {
    "brnn_forward": '''
def brnn_forward(x, a0_fwd, a0_bwd, params, cell):
    n_a = a0_fwd.shape[0]
    a_fwd, cache_fwd = CELLS[cell].forward(x, a0_fwd, params["fwd"])
    a_rev, cache_bwd = CELLS[cell].forward(x[:, :, ::-1], a0_bwd, params["bwd"])
    a_bwd = a_rev[:, :, ::-1]
    a = np.concatenate([a_fwd, a_bwd], axis=0)
    Wy, by = params["Wy"], params["by"]
    T_x = x.shape[2]
    y_hat = np.zeros((Wy.shape[0], x.shape[1], T_x))
    for t in range(T_x):
        y_hat[:, :, t] = softmax(Wy @ a[:, :, t] + by)
    return a, y_hat, (cache_fwd, cache_bwd, (a, Wy, y_hat, "softmax"), x, cell, n_a)
''',
    "brnn_backward": '''
def brnn_backward(dy_hat, caches):
    cache_fwd, cache_bwd, (a, Wy, y_hat, _), x, cell, n_a = caches
    dz = softmax_backward(dy_hat, y_hat)
    T_x = dz.shape[2]
    dWy = np.zeros_like(Wy)
    da = np.zeros(a.shape)
    for t in range(T_x):
        dWy += dz[:, :, t] @ a[:, :, t].T
        da[:, :, t] = Wy.T @ dz[:, :, t]
    dby = np.sum(dz, axis=(1, 2)).reshape(-1, 1)
    g_fwd = CELLS[cell].backward(da[:n_a], cache_fwd)
    g_bwd = CELLS[cell].backward(da[n_a:][:, :, ::-1], cache_bwd)
    names = CELLS[cell].param_names
    return {"fwd": {"d" + k: g_fwd["d" + k] for k in names},
            "bwd": {"d" + k: g_bwd["d" + k] for k in names},
            "dWy": dWy, "dby": dby, "dx": g_fwd["dx"] + g_bwd["dx"][:, :, ::-1],
            "da0_fwd": g_fwd["da0"], "da0_bwd": g_bwd["da0"]}
''',
}

MISTAKES = [
    Mistake("brnn_forward", "backward states not reversed back", '''
def brnn_forward(x, a0_fwd, a0_bwd, params, cell):
    n_a = a0_fwd.shape[0]
    a_fwd, cache_fwd = CELLS[cell].forward(x, a0_fwd, params["fwd"])
    a_bwd, cache_bwd = CELLS[cell].forward(x[:, :, ::-1], a0_bwd, params["bwd"])
    a = np.concatenate([a_fwd, a_bwd], axis=0)
    z = np.einsum("yk,kmt->ymt", params["Wy"], a) + params["by"][:, :, None]
    y_hat = softmax(z)
    return a, y_hat, (cache_fwd, cache_bwd, (a, params["Wy"], y_hat, "softmax"), x, cell, n_a)
''', "without reversing them back in time"),
]
