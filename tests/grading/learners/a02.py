"""Assignment 02 (forward propagation), answered from its text."""

from .notebook import Mistake

ASSIGNMENT = "02_forward_propagation"

#: the lessons' helper, imported out of habit: unused, it must cost nothing
EXTRA_IMPORTS = "from rnncourse.rnn import init_rnn_params\n"

ANSWERS = {
    "rnn_cell_forward": '''
def rnn_cell_forward(x_t, a_prev, params):
    a_next = np.tanh(params["Waa"] @ a_prev + params["Wax"] @ x_t + params["ba"])
    y_hat_t = softmax(params["Wya"] @ a_next + params["by"])
    cache = (a_next, a_prev, x_t, params, y_hat_t, "softmax")
    return a_next, y_hat_t, cache
''',
    "rnn_forward": '''
def rnn_forward(x, a0, params):
    n_x, m, T_x = x.shape
    n_a = a0.shape[0]
    n_y = params["Wya"].shape[0]
    a = np.zeros((n_a, m, T_x))
    y_hat = np.zeros((n_y, m, T_x))
    caches = []
    a_t = a0
    for t in range(T_x):
        a_t, y_t, cache = rnn_cell_forward(x[:, :, t], a_t, params)
        a[:, :, t] = a_t
        y_hat[:, :, t] = y_t
        caches.append(cache)
    return a, y_hat, (caches, x)
''',
    "bce_step_loss": '''
def bce_step_loss(y_hat_t, y_t):
    return -np.sum(y_t * np.log(y_hat_t) + (1 - y_t) * np.log(1 - y_hat_t), axis=0)
''',
}

_CELL = '''
def rnn_cell_forward(x_t, a_prev, params):
    a_next = np.tanh({z})
    y_hat_t = {out}(params["Wya"] @ a_next + params["by"])
    return a_next, y_hat_t, (a_next, a_prev, x_t, params, y_hat_t, "softmax")
'''
_Z = 'params["Waa"] @ a_prev + params["Wax"] @ x_t + params["ba"]'

MISTAKES = [
    Mistake("rnn_cell_forward", "missing bias",
            _CELL.format(z='params["Waa"] @ a_prev + params["Wax"] @ x_t', out="softmax"),
            "without the bias ba"),
    Mistake("rnn_cell_forward", "sigmoid for softmax",
            "from rnncourse.activations import sigmoid\n" + _CELL.format(z=_Z, out="sigmoid"),
            "sigmoid in place of softmax"),
    Mistake("rnn_cell_forward", "Wax and Waa swapped",
            _CELL.format(z='params["Wax"] @ a_prev + params["Waa"] @ x_t + params["ba"]',
                         out="softmax"),
            "mismatched shapes"),
    Mistake("rnn_forward", "off by one", '''
def rnn_forward(x, a0, params):
    n_x, m, T_x = x.shape
    a = np.zeros((a0.shape[0], m, T_x))
    y_hat = np.zeros((params["Wya"].shape[0], m, T_x))
    caches, a_t = [], a0
    for t in range(T_x - 1):
        a_t, y_t, cache = rnn_cell_forward(x[:, :, t], a_t, params)
        a[:, :, t], y_hat[:, :, t] = a_t, y_t
        caches.append(cache)
    return a, y_hat, (caches, x)
''', "expected T_x"),
    Mistake("rnn_forward", "a0 aliased and written to", '''
def rnn_forward(x, a0, params):
    n_x, m, T_x = x.shape
    a = np.zeros((a0.shape[0], m, T_x))
    y_hat = np.zeros((params["Wya"].shape[0], m, T_x))
    caches, a_t = [], a0
    for t in range(T_x):
        a_next, y_t, cache = rnn_cell_forward(x[:, :, t], a_t.copy(), params)
        a_t[...] = a_next
        a[:, :, t], y_hat[:, :, t] = a_next, y_t
        caches.append(cache)
    return a, y_hat, (caches, x)
''', "changed its input a0 in place"),
    Mistake("bce_step_loss", "averaged over the examples", '''
def bce_step_loss(y_hat_t, y_t):
    return -np.mean(np.sum(y_t * np.log(y_hat_t) + (1 - y_t) * np.log(1 - y_hat_t), axis=0))
''', "do not add up or average over the examples"),
]
