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
]
