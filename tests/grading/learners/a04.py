"""Assignment 04 (vanishing gradients), answered from its text."""

from .notebook import Mistake

ASSIGNMENT = "04_vanishing_gradients"

ANSWERS = {
    "hidden_gradient_norms": '''
def hidden_gradient_norms(da_last, a, Waa):
    T_x = a.shape[2]
    norms = np.zeros(T_x)
    g = da_last
    norms[T_x - 1] = np.sqrt(np.sum(g ** 2))
    for t in range(T_x - 1, 0, -1):
        g = Waa.T @ ((1 - a[:, :, t] ** 2) * g)
        norms[t - 1] = np.sqrt(np.sum(g ** 2))
    return norms
''',
    "clip_by_norm": '''
def clip_by_norm(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    scale = min(1.0, max_norm / total) if total > 0 else 1.0
    return {k: g * scale for k, g in grads.items()}
''',
}

MISTAKES = [
    Mistake("hidden_gradient_norms", "derivative at the earlier state", '''
def hidden_gradient_norms(da_last, a, Waa):
    T_x = a.shape[2]
    norms = np.zeros(T_x)
    g = da_last
    norms[-1] = np.linalg.norm(g)
    for t in range(T_x - 1, 0, -1):
        g = Waa.T @ ((1 - a[:, :, t - 1] ** 2) * g)
        norms[t - 1] = np.linalg.norm(g)
    return norms
''', "a[:, :, t - 1]"),
    Mistake("clip_by_norm", "clipped array by array", '''
def clip_by_norm(grads, max_norm):
    out = {}
    for k, g in grads.items():
        n = np.sqrt(np.sum(g ** 2))
        out[k] = g * min(1.0, max_norm / n)
    return out
''', "each array by its own norm"),
]
