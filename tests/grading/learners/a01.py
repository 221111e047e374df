"""Assignment 01 (RNN types), answered from its text."""

from .notebook import Mistake

ASSIGNMENT = "01_rnn_types"

ANSWERS = {
    "many_to_one_forward": '''
def many_to_one_forward(x, a0, params):
    T_x = x.shape[2]
    a = a0
    y_hat = None
    for t in range(T_x):
        a, y_hat, _ = rnn_cell_forward(x[:, :, t], a, params)
    return y_hat, a
''',
    "one_to_many_generate": '''
def one_to_many_generate(x1, a0, params, T_y, rng):
    rng = np.random.default_rng(rng)
    n_x, m = x1.shape
    n_a = a0.shape[0]
    n_y = params["Wya"].shape[0]
    y = np.zeros((n_y, m, T_y))
    indices = np.zeros((m, T_y), dtype=int)
    y_hat = np.zeros((n_y, m, T_y))
    a_all = np.zeros((n_a, m, T_y))
    x_t, a = x1, a0
    for t in range(T_y):
        a, y_hat_t, _ = rnn_cell_forward(x_t, a, params)
        x_t = np.zeros((n_x, m))
        for i in range(m):
            k = rng.choice(n_y, p=y_hat_t[:, i])
            x_t[k, i] = 1.0
            indices[i, t] = k
        y[:, :, t] = x_t
        y_hat[:, :, t] = y_hat_t
        a_all[:, :, t] = a
    return y, indices, y_hat, a_all
''',
    "encoder_decoder_forward": '''
def encoder_decoder_forward(x, a0, enc_params, dec_params, T_y):
    e = a0
    for t in range(x.shape[2]):
        e, _, _ = rnn_cell_forward(x[:, :, t], e, enc_params, output=None)
    n_y, m = dec_params["Wya"].shape[0], x.shape[1]
    y_hat = np.zeros((n_y, m, T_y))
    d, x_dec = e, np.zeros((n_y, m))
    for t in range(T_y):
        d, pred, _ = rnn_cell_forward(x_dec, d, dec_params)
        y_hat[:, :, t] = pred
        x_dec = pred
    return y_hat
''',
}

MISTAKES = [
    Mistake("many_to_one_forward", "first step's prediction", '''
def many_to_one_forward(x, a0, params):
    a = a0
    keep = None
    for t in range(x.shape[2]):
        a, y_hat, _ = rnn_cell_forward(x[:, :, t], a, params)
        if keep is None:
            keep = y_hat
    return keep, a
''', "prediction of the first step"),
    Mistake("one_to_many_generate", "float indices", '''
def one_to_many_generate(x1, a0, params, T_y, rng):
    rng = np.random.default_rng(rng)
    n_x, m = x1.shape
    n_y = params["Wya"].shape[0]
    y, y_hat = np.zeros((n_y, m, T_y)), np.zeros((n_y, m, T_y))
    indices = np.zeros((m, T_y))
    a_all = np.zeros((a0.shape[0], m, T_y))
    x_t, a = x1, a0
    for t in range(T_y):
        a, y_hat_t, _ = rnn_cell_forward(x_t, a, params)
        x_t = np.zeros((n_x, m))
        for i in range(m):
            k = rng.choice(n_y, p=y_hat_t[:, i])
            x_t[k, i] = 1.0
            indices[i, t] = k
        y[:, :, t], y_hat[:, :, t], a_all[:, :, t] = x_t, y_hat_t, a
    return y, indices, y_hat, a_all
''', "dtype=int"),
]
