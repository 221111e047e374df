"""Assignment 08 (deep RNN), answered from its text."""

from .notebook import Mistake, variant

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
    "dense_head_forward": '''
def dense_head_forward(a_top, params, dense):
    h, outs = a_top, []
    for spec, p in zip(dense, params["dense"]):
        act = DENSE_ACTIVATIONS[spec["activation"]]
        h = np.stack([act(p["W"] @ h[:, :, t] + p["b"]) for t in range(h.shape[2])], axis=2)
        outs.append(h)
    y_hat = np.stack([softmax(params["Wy"] @ h[:, :, t] + params["by"]) for t in range(h.shape[2])], axis=2)
    return outs, y_hat, (a_top, outs, params, dense, y_hat)
''',
    "dense_head_backward": '''
def dense_head_backward(dy_hat, caches):
    a_top, h, params, dense, y_hat = caches
    ins = [a_top] + h
    T = y_hat.shape[2]
    dz = softmax_backward(dy_hat, y_hat)
    dWy = sum(dz[:, :, t] @ ins[-1][:, :, t].T for t in range(T))
    dby = dz.sum(axis=(1, 2))[:, None]
    g = np.stack([params["Wy"].T @ dz[:, :, t] for t in range(T)], axis=2)
    out = []
    for k in range(len(dense) - 1, -1, -1):
        dz = g * DENSE_DERIVATIVES[dense[k]["activation"]](ins[k + 1])
        out.insert(0, {"dW": sum(dz[:, :, t] @ ins[k][:, :, t].T for t in range(T)),
                       "db": dz.sum(axis=(1, 2))[:, None]})
        g = np.stack([params["dense"][k]["W"].T @ dz[:, :, t] for t in range(T)], axis=2)
    return {"dense": out, "dWy": dWy, "dby": dby, "da_top": g}
''',
}

MISTAKES = [
    Mistake("deep_rnn_forward", "states listed top layer first",
            variant(ANSWERS["deep_rnn_forward"], "        a.append(h)\n",
                    "        a.insert(0, h)                  # the newest layer in front\n"),
            "top layer first"),
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
