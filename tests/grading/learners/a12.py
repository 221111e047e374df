"""Assignment 12 (labelling sequences), answered from its text."""

from .notebook import Mistake

ASSIGNMENT = "12_labelling_sequences"

_COLLAPSE = '''
def collapse_runs(labels):
    out = []
    for k in labels:
        if len(out) == 0 or out[-1] != k:
            out.append(int(k))
    return np.array(out, dtype=int)


def edit_distance(a, b):
    D = np.zeros((len(a) + 1, len(b) + 1), dtype=int)
    D[:, 0] = np.arange(len(a) + 1)
    D[0, :] = np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            D[i, j] = min(D[i - 1, j] + 1, D[i, j - 1] + 1, D[i - 1, j - 1] + (a[i - 1] != b[j - 1]))
    return D[len(a), len(b)]
'''

_ENTITIES = '''
def bio_entities(tags, tag_names):
    entities, current = [], None
    for t, k in enumerate(tags):
        name = tag_names[k]
        if name == "O":
            if current:
                entities.append(tuple(current + [t]))
            current = None
        elif name.startswith("B-") or current is None or current[0] != name[2:]:
            if current:
                entities.append(tuple(current + [t]))
            current = [name[2:], t]
    if current:
        entities.append(tuple(current + [len(tags)]))
    return entities
'''

ANSWERS = {
    "collapse_runs": _COLLAPSE,
    "phoneme_error_rate": _COLLAPSE + '''

def phoneme_error_rate(y_pred, y_true):
    errors, total = 0, 0
    for p, t in zip(y_pred, y_true):
        errors += edit_distance(collapse_runs(p), collapse_runs(t))
        total += len(collapse_runs(t))
    return errors / total
''',
    "bio_entities": _ENTITIES,
    "entity_f1": _ENTITIES + '''

def entity_f1(y_pred, y_true, tag_names, mask):
    hit = found = true = 0
    for i in range(y_true.shape[0]):
        n = int(mask[i].sum())
        p = set(bio_entities(y_pred[i, :n], tag_names))
        t = set(bio_entities(y_true[i, :n], tag_names))
        hit += len(p & t)
        found += len(p)
        true += len(t)
    precision = hit / found if found else 0.0
    recall = hit / true if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
''',
}

MISTAKES = [
    Mistake("phoneme_error_rate", "mean of per-utterance rates", _COLLAPSE + '''

def phoneme_error_rate(y_pred, y_true):
    rates = [edit_distance(collapse_runs(p), collapse_runs(t)) / len(collapse_runs(t))
             for p, t in zip(y_pred, y_true)]
    return float(np.mean(rates))
''', "averages the rates of the utterances"),
    Mistake("entity_f1", "padding read", _ENTITIES + '''

def entity_f1(y_pred, y_true, tag_names, mask):
    hit = found = true = 0
    for i in range(y_true.shape[0]):
        p, t = set(bio_entities(y_pred[i], tag_names)), set(bio_entities(y_true[i], tag_names))
        hit, found, true = hit + len(p & t), found + len(p), true + len(t)
    precision = hit / found if found else 0.0
    recall = hit / true if true else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)
''', "reads the padding"),
]
