"""Assignment 08 (deep RNN), answered from its text."""

from .notebook import Mistake

ASSIGNMENT = "08_deep_rnn"

ANSWERS = {
    "deep_rnn_forward": '''
def deep_rnn_forward(x, params, specs):
    h = x
    m = x.shape[1]
    a, layer_caches = [], []
    for spec, p in zip(specs, params["recurrent"]):
        zeros = np.zeros((spec["n_a"], m))
        if spec["bidirectional"]:
            h, cache = brnn_layer_forward(h, zeros, zeros, p, spec["cell"])
        else:
            h, cache = CELLS[spec["cell"]].forward(h, zeros, p)
        a.append(h)
        layer_caches.append(cache)
    Wy, by = params["Wy"], params["by"]
    y_hat = np.stack([softmax(Wy @ h[:, :, t] + by) for t in range(h.shape[2])], axis=2)
    return a, y_hat, (layer_caches, (h, Wy, y_hat), specs)
''',
    "deep_rnn_backward": '''
def deep_rnn_backward(dy_hat, caches):
    layer_caches, (h, Wy, y_hat), specs = caches
    dz = softmax_backward(dy_hat, y_hat)
    dWy = sum(dz[:, :, t] @ h[:, :, t].T for t in range(dz.shape[2]))
    dby = dz.sum(axis=2).sum(axis=1, keepdims=True)
    g = np.stack([Wy.T @ dz[:, :, t] for t in range(dz.shape[2])], axis=2)
    recurrent, da0 = [None] * len(specs), [None] * len(specs)
    for l in range(len(specs) - 1, -1, -1):
        spec, cache = specs[l], layer_caches[l]
        if spec["bidirectional"]:
            out = brnn_layer_backward(g, cache)
            recurrent[l] = {"fwd": out["fwd"], "bwd": out["bwd"]}
            da0[l] = (out["da0_fwd"], out["da0_bwd"])
        else:
            out = CELLS[spec["cell"]].backward(g, cache)
            recurrent[l] = {"d" + k: out["d" + k] for k in CELLS[spec["cell"]].param_names}
            da0[l] = out["da0"]
        g = out["dx"]
    return {"recurrent": recurrent, "da0": da0, "dWy": dWy, "dby": dby, "dx": g}
''',
}

MISTAKES = [
    Mistake("deep_rnn_backward", "layers listed top first", '''
def deep_rnn_backward(dy_hat, caches):
    layer_caches, (h, Wy, y_hat), specs = caches
    dz = softmax_backward(dy_hat, y_hat)
    dWy = sum(dz[:, :, t] @ h[:, :, t].T for t in range(dz.shape[2]))
    dby = dz.sum(axis=2).sum(axis=1, keepdims=True)
    g = np.stack([Wy.T @ dz[:, :, t] for t in range(dz.shape[2])], axis=2)
    recurrent, da0 = [], []
    for l in range(len(specs) - 1, -1, -1):
        spec, cache = specs[l], layer_caches[l]
        if spec["bidirectional"]:
            out = brnn_layer_backward(g, cache)
            recurrent.append({"fwd": out["fwd"], "bwd": out["bwd"]})
            da0.append((out["da0_fwd"], out["da0_bwd"]))
        else:
            out = CELLS[spec["cell"]].backward(g, cache)
            recurrent.append({"d" + k: out["d" + k] for k in CELLS[spec["cell"]].param_names})
            da0.append(out["da0"])
        g = out["dx"]
    return {"recurrent": recurrent, "da0": da0, "dWy": dWy, "dby": dby, "dx": g}
''', "top layer first"),
]
