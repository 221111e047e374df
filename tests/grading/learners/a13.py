"""Assignment 13 (music), answered from its text."""

from .notebook import Mistake, variant

ASSIGNMENT = "13_music"

_ENCODE = '''
def encode_melodies(pitches, low, high):
    m = len(pitches)
    T = max(len(p) for p in pitches) + 1
    x = np.zeros((m, T), dtype=int)
    y = np.zeros((m, T), dtype=int)
    mask = np.zeros((m, T))
    for i, p in enumerate(pitches):
        tokens = [1 + min(max(int(q), low), high) - low for q in p]
        n = len(tokens)
        x[i, :n + 1] = [0] + tokens
        y[i, :n + 1] = tokens + [0]
        mask[i, :n + 1] = 1
    return x, y, mask
'''

ANSWERS = {
    "encode_melodies": _ENCODE,
    "bigram_log_likelihood": '''
def bigram_log_likelihood(train, test, n_tokens):
    x, y, mask = train
    C = np.zeros((n_tokens, n_tokens))
    for i in range(x.shape[0]):
        for t in range(x.shape[1]):
            if mask[i, t] == 1:
                C[x[i, t], y[i, t]] += 1
    x_t, y_t, mask_t = test
    total, n = 0.0, 0
    for i in range(x_t.shape[0]):
        for t in range(x_t.shape[1]):
            if mask_t[i, t] == 1:
                a, b = x_t[i, t], y_t[i, t]
                total += np.log((C[a, b] + 1) / (C[a].sum() + n_tokens))
                n += 1
    return total / n
''',
}

MISTAKES = [
    Mistake("encode_melodies", "no end token", '''
def encode_melodies(pitches, low, high):
    m, T = len(pitches), max(len(p) for p in pitches)
    x, y, mask = np.zeros((m, T), dtype=int), np.zeros((m, T), dtype=int), np.zeros((m, T))
    for i, p in enumerate(pitches):
        tokens = 1 + np.clip(p, low, high) - low
        n = len(tokens)
        x[i, 1:n] = tokens[:-1]
        y[i, :n] = tokens
        mask[i, :n] = 1
    return x, y, mask
''', "leaves out the end"),
    Mistake("encode_melodies", "pitches from 0",
            variant(_ENCODE, "tokens = [1 + min(", "tokens = [min("), "numbers the pitches from 0"),
    Mistake("encode_melodies", "no clipping",
            variant(_ENCODE, "min(max(int(q), low), high)", "int(q)"), "does not clip"),
    Mistake("encode_melodies", "mask without the end",
            variant(_ENCODE, "mask[i, :n + 1] = 1", "mask[i, :n] = 1"),
            "leaves the end step out of the mask"),
    Mistake("encode_melodies", "float tokens",
            variant(_ENCODE, "x = np.zeros((m, T), dtype=int)", "x = np.zeros((m, T))"), "dtype=int"),
    Mistake("bigram_log_likelihood", "padding counted", '''
def bigram_log_likelihood(train, test, n_tokens):
    x, y, mask = train
    C = np.zeros((n_tokens, n_tokens))
    np.add.at(C, (x.ravel(), y.ravel()), 1)
    p = (C + 1) / (C.sum(axis=1, keepdims=True) + n_tokens)
    x_t, y_t, mask_t = test
    return float(np.mean(np.log(p[x_t, y_t])[mask_t == 1]))
''', "counts the padding"),
    Mistake("bigram_log_likelihood", "joint probability", '''
def bigram_log_likelihood(train, test, n_tokens):
    x, y, mask = train
    C = np.zeros((n_tokens, n_tokens))
    np.add.at(C, (x[mask == 1], y[mask == 1]), 1)
    p = (C + 1) / (C.sum() + n_tokens ** 2)
    x_t, y_t, mask_t = test
    return float(np.mean(np.log(p[x_t, y_t])[mask_t == 1]))
''', "divides by all pairs"),
    Mistake("bigram_log_likelihood", "mean per melody", '''
def bigram_log_likelihood(train, test, n_tokens):
    x, y, mask = train
    C = np.zeros((n_tokens, n_tokens))
    np.add.at(C, (x[mask == 1], y[mask == 1]), 1)
    p = (C + 1) / (C.sum(axis=1, keepdims=True) + n_tokens)
    x_t, y_t, mask_t = test
    logp = np.log(p[x_t, y_t])
    return float(np.mean([logp[i][mask_t[i] == 1].mean() for i in range(len(x_t))]))
''', "averages per melody"),
]
