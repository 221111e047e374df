"""Assignment 03 (backpropagation through time), answered from its text."""

from .notebook import Mistake

ASSIGNMENT = "03_backprop_through_time"

ANSWERS = {
    "rnn_cell_backward": '''
def rnn_cell_backward(da_next, cache):
    a_next, a_prev, x_t, params = cache[:4]
    dz = da_next * (1 - a_next ** 2)
    return {"dx_t": params["Wax"].T @ dz, "da_prev": params["Waa"].T @ dz,
            "dWax": dz @ x_t.T, "dWaa": dz @ a_prev.T,
            "dba": np.sum(dz, axis=1, keepdims=True)}
''',
    "rnn_backward": '''
def rnn_backward(da, caches):
    cell_caches, x = caches
    n_x, m, T_x = x.shape
    n_a = da.shape[0]
    params = cell_caches[0][3]
    dx = np.zeros((n_x, m, T_x))
    dWax = np.zeros_like(params["Wax"])
    dWaa = np.zeros_like(params["Waa"])
    dba = np.zeros_like(params["ba"])
    from_next = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        g = rnn_cell_backward(da[:, :, t] + from_next, cell_caches[t])
        dx[:, :, t] = g["dx_t"]
        dWax += g["dWax"]
        dWaa += g["dWaa"]
        dba += g["dba"]
        from_next = g["da_prev"]
    return {"dx": dx, "da0": from_next, "dWax": dWax, "dWaa": dWaa, "dba": dba}
''',
    "clip_by_value": '''
def clip_by_value(grads, max_value):
    return {k: np.clip(v, -max_value, max_value) for k, v in grads.items()}
''',
}

_BACKWARD = '''
def rnn_backward(da, caches):
    cell_caches, x = caches
    n_x, m, T_x = x.shape
    p = cell_caches[0][3]
    dx = np.zeros((n_x, m, T_x))
    total = {{"dWax": np.zeros_like(p["Wax"]), "dWaa": np.zeros_like(p["Waa"]),
             "dba": np.zeros_like(p["ba"])}}
    from_next = np.zeros((da.shape[0], m))
    for t in {order}:
        g = rnn_cell_backward({grad}, cell_caches[t])
        dx[:, :, t] = g["dx_t"]
        for k in total:
            total[k] += g[k]
        from_next = g["da_prev"]
    return {{"dx": dx, "da0": from_next, **total}}
'''

MISTAKES = [
    Mistake("rnn_cell_backward", "tanh derivative from the wrong value", '''
def rnn_cell_backward(da_next, cache):
    a_next, a_prev, x_t, params = cache[:4]
    dz = da_next * (1 - a_prev ** 2)
    return {"dx_t": params["Wax"].T @ dz, "da_prev": params["Waa"].T @ dz,
            "dWax": dz @ x_t.T, "dWaa": dz @ a_prev.T, "dba": np.sum(dz, axis=1, keepdims=True)}
''', "fails the gradient check"),
    Mistake("rnn_backward", "no recurrent term",
            _BACKWARD.format(order="reversed(range(T_x))", grad="da[:, :, t]"),
            "without the gradient from step t+1"),
    Mistake("rnn_backward", "run forwards",
            _BACKWARD.format(order="range(T_x)", grad="da[:, :, t] + from_next"),
            "from the first step to the last"),
    Mistake("rnn_backward", "the loop stops before t = 0 (off by one)",
            _BACKWARD.format(order="range(T_x - 1, 0, -1)", grad="da[:, :, t] + from_next"),
            "dx[:, :, t] is still all zeros at t = 0"),
    Mistake("clip_by_value", "clipped in place", '''
def clip_by_value(grads, max_value):
    for v in grads.values():
        np.clip(v, -max_value, max_value, out=v)
    return grads
''', "changed its input grads"),
]
