"""Assignment 09 (applications), answered from its text."""

from .notebook import Mistake

ASSIGNMENT = "09_applications"

ANSWERS = {
    "review_classifier_forward": '''
def review_classifier_forward(ids, mask, params):
    m, T_x = ids.shape
    a = np.zeros((params["Waa"].shape[0], m))
    for t in range(T_x):
        a_new = np.tanh(params["Waa"] @ a + params["Wax"][:, ids[:, t]] + params["ba"])
        a = np.where(mask[:, t] == 1, a_new, a)
    return softmax(params["Wya"] @ a + params["by"])
''',
    "sample_with_temperature": '''
def sample_with_temperature(probs, temperature, rng):
    rng = np.random.default_rng(rng)
    p = softmax(np.log(probs) / temperature)
    n_y, m = p.shape
    indices = np.zeros(m, dtype=int)
    for i in range(m):
        indices[i] = rng.choice(n_y, p=p[:, i])
    return p, indices
''',
    "bag_of_words": '''
def bag_of_words(ids, n_vocab):
    m, T_x = ids.shape
    counts = np.zeros((n_vocab, m, 1))
    for i in range(m):
        for t in range(T_x):
            if ids[i, t] != 0:
                counts[ids[i, t], i, 0] += 1
    return counts
''',
    "exact_match_accuracy": '''
def exact_match_accuracy(y_pred, y_true, mask):
    right = np.all((y_pred == y_true) | (mask == 0), axis=1)
    return float(np.mean(right))
''',
    "kmer_counts": '''
def kmer_counts(ids, k, n_symbols):
    m, T_x = ids.shape
    counts = np.zeros((n_symbols ** k, m, 1))
    for i in range(m):
        for t in range(T_x - k + 1):
            window = ids[i, t:t + k]
            if np.any(window == 0):
                continue
            row = 0
            for s in window:
                row = row * n_symbols + int(s) - 1
            counts[row, i, 0] += 1
    return counts
''',
    "frame_differences": '''
def frame_differences(x):
    d = np.diff(x, axis=2, prepend=x[:, :, :1])
    return np.concatenate([x, d], axis=0)
''',
}

MISTAKES = [
    Mistake("review_classifier_forward", "cell run on padding", '''
def review_classifier_forward(ids, mask, params):
    a = np.zeros((params["Waa"].shape[0], ids.shape[0]))
    for t in range(ids.shape[1]):
        a = np.tanh(params["Waa"] @ a + params["Wax"][:, ids[:, t]] + params["ba"])
    return softmax(params["Wya"] @ a + params["by"])
''', "runs the cell on padded steps"),
    Mistake("sample_with_temperature", "temperature multiplied", '''
def sample_with_temperature(probs, temperature, rng):
    rng = np.random.default_rng(rng)
    p = softmax(np.log(probs) * temperature)
    return p, np.array([rng.choice(p.shape[0], p=p[:, i]) for i in range(p.shape[1])])
''', "multiplies log(probs) by the temperature"),
    Mistake("bag_of_words", "padding counted", '''
def bag_of_words(ids, n_vocab):
    counts = np.zeros((n_vocab, ids.shape[0], 1))
    for i, row in enumerate(ids):
        for k in row:
            counts[k, i, 0] += 1
    return counts
''', "counts the padding"),
    Mistake("exact_match_accuracy", "array for a float", '''
def exact_match_accuracy(y_pred, y_true, mask):
    right = np.all((y_pred == y_true) | (mask == 0), axis=1)
    return np.array([np.mean(right)])
''', "one float"),
    Mistake("exact_match_accuracy", "per-token accuracy", '''
def exact_match_accuracy(y_pred, y_true, mask):
    return float(np.sum((y_pred == y_true) * mask) / np.sum(mask))
''', "per-token accuracy"),
    Mistake("kmer_counts", "windows into the padding counted", '''
def kmer_counts(ids, k, n_symbols):
    m, T_x = ids.shape
    counts = np.zeros((n_symbols ** k, m, 1))
    for i in range(m):
        for t in range(T_x - k + 1):
            row = 0
            for s in ids[i, t:t + k]:
                row = row * n_symbols + int(s) - 1
            counts[row, i, 0] += 1
    return counts
''', "reach into the padding"),
    Mistake("kmer_counts", "first symbol the lowest digit", '''
def kmer_counts(ids, k, n_symbols):
    m, T_x = ids.shape
    counts = np.zeros((n_symbols ** k, m, 1))
    for i in range(m):
        for t in range(T_x - k + 1):
            window = ids[i, t:t + k]
            if np.all(window > 0):
                counts[int(np.sum((window - 1) * n_symbols ** np.arange(k))), i, 0] += 1
    return counts
''', "lowest digit"),
    Mistake("kmer_counts", "presence for counts", '''
def kmer_counts(ids, k, n_symbols):
    m, T_x = ids.shape
    counts = np.zeros((n_symbols ** k, m, 1))
    for i in range(m):
        for t in range(T_x - k + 1):
            window = ids[i, t:t + k]
            if np.all(window > 0):
                counts[int(np.sum((window - 1) * n_symbols ** np.arange(k - 1, -1, -1))), i, 0] = 1
    return counts
''', "count how many times"),
    Mistake("kmer_counts", "no time axis", '''
def kmer_counts(ids, k, n_symbols):
    m, T_x = ids.shape
    counts = np.zeros((n_symbols ** k, m))
    for i in range(m):
        for t in range(T_x - k + 1):
            window = ids[i, t:t + k]
            if np.all(window > 0):
                counts[int(np.sum((window - 1) * n_symbols ** np.arange(k - 1, -1, -1))), i] += 1
    return counts
''', "time axis of length 1"),
    Mistake("frame_differences", "first difference against zeros", '''
def frame_differences(x):
    return np.concatenate([x, np.diff(x, axis=2, prepend=0)], axis=0)
''', "against zeros"),
    Mistake("frame_differences", "subtracted backwards", '''
def frame_differences(x):
    d = np.zeros_like(x)
    d[:, :, 1:] = x[:, :, :-1] - x[:, :, 1:]
    return np.concatenate([x, d], axis=0)
''', "wrong way round"),
    Mistake("frame_differences", "np.roll wraps", '''
def frame_differences(x):
    return np.concatenate([x, x - np.roll(x, 1, axis=2)], axis=0)
''', "wraps around"),
    Mistake("frame_differences", "differences only", '''
def frame_differences(x):
    return np.diff(x, axis=2, prepend=x[:, :, :1])
''', "2 n_x rows"),
]
