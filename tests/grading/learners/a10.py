"""Assignment 10 (the character-level language model), answered from its text."""

from .notebook import Mistake

ASSIGNMENT = "10_language_model"

_TRAIN_STEP = '''
def train_step(params, adam_state, x, y, a0, learning_rate, max_norm):
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    n_y = params["Wya"].shape[0]
    m, T = x.shape
    x_onehot, y_onehot = one_hot(x, n_y), one_hot(y, n_y)
    rec = {"Wax": params["Wax"], "Waa": params["Waa"], "ba": params["ba"]}
    a, _, caches = rnn_forward(x_onehot, a0, rec, output=None)
    y_hat = np.zeros((n_y, m, T))
    for t in range(T):
        y_hat[:, :, t] = softmax(params["Wya"] @ a[:, :, t] + params["by"], axis=0)
    mask = np.ones((m, T))
    loss = lm_loss(y_hat, y_onehot, mask)
    out = softmax_output_backward(y_hat, y_onehot, a, params["Wya"], mask)
    back = rnn_backward(out["da"], caches)
    grads = {"Wax": back["dWax"], "Waa": back["dWaa"], "ba": back["dba"],
             "Wya": out["dWya"], "by": out["dby"]}
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    scale = CLIP
    t = adam_state["t"] + 1
    new_params, new_m, new_v = {}, {}, {}
    for k in params:
        g = grads[k] * scale
        new_m[k] = beta1 * adam_state["m"][k] + (1 - beta1) * g
        new_v[k] = beta2 * adam_state["v"][k] + (1 - beta2) * g ** 2
        m_hat = new_m[k] / (1 - beta1 ** t)
        v_hat = new_v[k] / (1 - beta2 ** t)
        new_params[k] = params[k] - learning_rate * STEP
    return new_params, {"t": t, "m": new_m, "v": new_v}, loss, a[:, :, -1]
'''


def _train_step(clip="min(1.0, max_norm / norm)", step="m_hat / (np.sqrt(v_hat) + eps)"):
    return _TRAIN_STEP.replace("CLIP", clip).replace("STEP", step)


_FIT = '''
def fit_language_model(train_ids, n_y, n_a, n_steps, seed, m=32, T=25, learning_rate=0.02, max_norm=5.0):
    rng = np.random.default_rng(seed)
    params = {
        "Wax": rng.normal(0.0, np.sqrt(1.0 / (n_a + n_y)), size=(n_a, n_y)),
        "Waa": rng.normal(0.0, np.sqrt(1.0 / (n_a + n_y)), size=(n_a, n_a)),
        "ba": np.zeros((n_a, 1)),
        "Wya": rng.normal(0.0, np.sqrt(0.01 / n_a), size=(n_y, n_a)),
        "by": np.zeros((n_y, 1)),
    }
    state = {"t": 0, "m": {k: np.zeros_like(p) for k, p in params.items()},
             "v": {k: np.zeros_like(p) for k, p in params.items()}}
    L = len(train_ids) // m
    streams = train_ids[:m * L].reshape(m, L)
    chunks = (L - 1) // T
    a = np.zeros((n_a, m))
    for step in range(n_steps):
        j = step % chunks
        if j == 0:
            a = np.zeros((n_a, m))
        x = streams[:, j * T:(j + 1) * T]
        y = streams[:, j * T + 1:(j + 1) * T + 1]
        params, state, loss, a = train_step(params, state, x, y, CARRY, learning_rate, max_norm)
    return params
'''

ANSWERS = {
    "softmax_output_backward": '''
def softmax_output_backward(y_hat, y, a, Wya, mask):
    n_y, m, T_y = y.shape
    dz_y = (y_hat - y) * mask[None, :, :] / m
    dWya = np.zeros(Wya.shape)
    da = np.zeros(a.shape)
    for t in range(T_y):
        dWya += dz_y[:, :, t] @ a[:, :, t].T
        da[:, :, t] = Wya.T @ dz_y[:, :, t]
    dby = np.sum(dz_y, axis=(1, 2)).reshape(n_y, 1)
    return {"dz_y": dz_y, "dWya": dWya, "dby": dby, "da": da}
''',
    "lm_loss": '''
def lm_loss(y_hat, y, mask):
    m = y.shape[1]
    p = np.sum(y * y_hat, axis=0)
    loss = -np.sum(mask * np.log(p)) / m
    return float(loss)
''',
    "perplexity": '''
def perplexity(y_hat, y, mask):
    p = np.sum(y * y_hat, axis=0)
    ppl = np.exp(-np.sum(mask * np.log(p)) / np.sum(mask))
    return float(ppl)
''',
    "train_step": _train_step(),
    "sample": '''
def sample(params, rng, temperature, max_len):
    rng = np.random.default_rng(rng)
    n_y, n_a = params["Wya"].shape
    a = np.zeros((n_a, 1))
    x = np.zeros((n_y, 1))
    x[0, 0] = 1.0
    ids = []
    for _ in range(max_len):
        a = np.tanh(params["Waa"] @ a + params["Wax"] @ x + params["ba"])
        z = params["Wya"] @ a + params["by"]
        p = softmax(z / temperature, axis=0)
        idx = rng.choice(n_y, p=p.ravel())
        if idx == 0:
            break
        ids.append(idx)
        x = np.zeros((n_y, 1))
        x[idx, 0] = 1.0
    return np.array(ids, dtype=int)
''',
    "fit_language_model": _FIT.replace("CARRY", "a"),
}

MISTAKES = [
    Mistake("softmax_output_backward", "no 1/m", '''
def softmax_output_backward(y_hat, y, a, Wya, mask):
    dz_y = (y_hat - y) * mask[None, :, :]
    dWya = np.einsum("ymt,amt->ya", dz_y, a)
    dby = dz_y.sum(axis=(1, 2))[:, None]
    da = np.einsum("ya,ymt->amt", Wya, dz_y)
    return {"dz_y": dz_y, "dWya": dWya, "dby": dby, "da": da}
''', "leaves out the 1/m"),
    Mistake("lm_loss", "mean over characters", '''
def lm_loss(y_hat, y, mask):
    p = np.sum(y * y_hat, axis=0)
    return float(-np.sum(mask * np.log(p)) / np.sum(mask))
''', "averages over the characters"),
    Mistake("perplexity", "per example", '''
def perplexity(y_hat, y, mask):
    p = np.sum(y * y_hat, axis=0)
    return float(np.exp(-np.sum(mask * np.log(p)) / y.shape[1]))
''', "divides by the number of examples m"),
    Mistake("train_step", "no bias correction", _train_step(
        step="new_m[k] / (np.sqrt(new_v[k]) + eps)"), "bias correction"),
    Mistake("sample", "temperature multiplied", '''
def sample(params, rng, temperature, max_len):
    rng = np.random.default_rng(rng)
    n_y, n_a = params["Wya"].shape
    a, x, ids = np.zeros((n_a, 1)), np.eye(n_y)[:, :1], []
    for _ in range(max_len):
        a = np.tanh(params["Waa"] @ a + params["Wax"] @ x + params["ba"])
        p = softmax((params["Wya"] @ a + params["by"]) * temperature, axis=0)
        idx = rng.choice(n_y, p=p.ravel())
        if idx == 0:
            break
        ids.append(idx)
        x = np.eye(n_y)[:, idx:idx + 1]
    return np.array(ids, dtype=int)
''', "multiplies by the temperature"),
]
