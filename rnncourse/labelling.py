"""Reading an answer out of per-step labels, and scoring it (lessons 09 and 12).

A labeller gives every step of a sequence a label; the application's answer is made
of those labels, and is scored as a whole:

* **speech**: frame labels collapse into phonemes (:func:`collapse_runs`), scored by
  the phoneme error rate, the edit distance per true phoneme
  (:func:`edit_distance`, :func:`phoneme_error_rate`);
* **named entities**: BIO tags -- ``B-X`` (the first word of an entity of type X),
  ``I-X`` (inside it), ``O`` (outside every entity) -- are read back as typed spans
  (:func:`bio_entities`) and scored per whole entity (:func:`entity_f1`).

The tasks that produce such labels are in :mod:`rnncourse.applications`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["bio_entities", "collapse_runs", "edit_distance", "entity_f1", "phoneme_error_rate"]


def collapse_runs(labels) -> np.ndarray:
    """Merge runs of equal frame labels: ``[0, 0, 3, 3, 3, 1, 0, 0] -> [0, 3, 1, 0]``.

    Parameters
    ----------
    labels : ndarray of int of shape (T_x,)

    Returns
    -------
    phonemes : ndarray of int of shape (n_runs,)
        The label of each run, in order (empty for an empty input).
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or (labels.size and labels.dtype.kind not in "iu"):
        raise ValueError(f"collapse_runs: labels must be a 1-D array of ints of shape (T_x,), "
                         f"got shape {labels.shape} and dtype {labels.dtype}")
    if labels.size == 0:
        return labels.astype(np.int64)
    keep = np.r_[True, labels[1:] != labels[:-1]]
    return labels[keep].astype(np.int64)


def edit_distance(a, b) -> int:
    """Levenshtein distance: fewest substitutions, insertions and deletions turning a into b."""
    a, b = list(a), list(b)
    prev = list(range(len(b) + 1))
    for i, u in enumerate(a, 1):
        cur = [i]
        for j, v in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (u != v)))
        prev = cur
    return prev[-1]


def phoneme_error_rate(y_pred, y_true) -> float:
    """Phoneme error rate of frame labels: edit distance after collapsing runs, per true phoneme.

    Parameters
    ----------
    y_pred, y_true : ndarray of int of shape (m, T_x)
        Predicted and true label of every frame.

    Returns
    -------
    per : float
        ``sum_i edit_distance(collapse(y_pred[i]), collapse(y_true[i])) / sum_i len(collapse(y_true[i]))``.
        It can exceed 1: a frame model that flickers between labels inserts many
        phonemes that are not there, though most of its frames are right.
    """
    fn = "phoneme_error_rate"
    y_pred, y_true = np.asarray(y_pred), np.asarray(y_true)
    if y_pred.ndim != 2 or y_pred.shape != y_true.shape:
        raise ValueError(f"{fn}: y_pred and y_true must both have shape (m, T_x), "
                         f"got {y_pred.shape} and {y_true.shape}")
    if y_true.shape[1] == 0:
        raise ValueError(f"{fn}: T_x must be at least 1, got shape {y_true.shape}")
    errors = sum(edit_distance(collapse_runs(p), collapse_runs(t)) for p, t in zip(y_pred, y_true))
    total = sum(len(collapse_runs(t)) for t in y_true)
    return float(errors / total)


def _tag_names(fn: str, tag_names) -> list:
    names = list(tag_names)
    bad = [t for t in names if not isinstance(t, str) or not (t == "O" or t[:2] in ("B-", "I-"))]
    if bad:
        raise ValueError(f"{fn}: tag_names must be 'O', 'B-<type>' or 'I-<type>', got {bad}")
    return names


def bio_entities(tags, tag_names) -> list:
    """The entities of one BIO-tagged sequence, as ``(type, start, end)`` with ``end`` exclusive.

    ``B-X`` starts an entity of type X; ``I-X`` continues the entity before it when that
    one has type X, and otherwise starts a new entity of type X (a tagger's ``O I-PER``
    still found a person); ``O`` ends any entity.

    Parameters
    ----------
    tags : ndarray of int of shape (T,)
        Indices into ``tag_names``.
    tag_names : sequence of str
        E.g. :data:`NER_TAGS`.

    Returns
    -------
    entities : list of (str, int, int)
        In order of their start: ``["O", "B-PER", "I-PER", "O", "B-LOC"]`` gives
        ``[("PER", 1, 3), ("LOC", 4, 5)]``.
    """
    fn = "bio_entities"
    names = _tag_names(fn, tag_names)
    tags = np.asarray(tags)
    if tags.ndim != 1 or (tags.size and (tags.dtype.kind not in "iu" or tags.min() < 0
                                         or tags.max() >= len(names))):
        raise ValueError(f"{fn}: tags must be a 1-D int array of indices into tag_names "
                         f"(0..{len(names) - 1}), got {tags!r}")
    entities, current = [], None                  # current: [type, start]
    for t, k in enumerate(tags):
        name = names[int(k)]
        if name == "O" or name.startswith("B-") or (current and current[0] != name[2:]):
            if current:
                entities.append((current[0], current[1], t))
            current = None if name == "O" else [name[2:], t]
        elif current is None:                      # I-X after O: a new entity
            current = [name[2:], t]
    if current:
        entities.append((current[0], current[1], len(tags)))
    return entities


def entity_f1(y_pred, y_true, tag_names, mask=None) -> tuple:
    """Precision, recall and F1 over entities (type and exact span), all sentences pooled.

    Parameters
    ----------
    y_pred, y_true : ndarray of int of shape (m, T_x)
    tag_names : sequence of str
    mask : ndarray of shape (m, T_x) of 0/1, optional
        Only the real steps (1) are read; padding is cut off before finding entities.

    Returns
    -------
    (precision, recall, f1) : tuple of float
        ``precision = |found & true| / |found|``, ``recall = |found & true| / |true|``,
        ``f1 = 2 P R / (P + R)``; each is 0 when its denominator is 0.
    """
    fn = "entity_f1"
    names = _tag_names(fn, tag_names)
    y_pred, y_true = np.asarray(y_pred), np.asarray(y_true)
    if y_pred.ndim != 2 or y_pred.shape != y_true.shape:
        raise ValueError(f"{fn}: y_pred and y_true must both have shape (m, T_x), "
                         f"got {y_pred.shape} and {y_true.shape}")
    if mask is not None:
        mask = np.asarray(mask)
        if mask.shape != y_true.shape or not np.isin(mask, (0, 1)).all():
            raise ValueError(f"{fn}: mask must have shape {y_true.shape} and hold only 0 and 1")
    hit = found = true = 0
    for i in range(y_true.shape[0]):
        n = y_true.shape[1] if mask is None else int(mask[i].sum())
        p = set(bio_entities(y_pred[i, :n], names))
        t = set(bio_entities(y_true[i, :n], names))
        hit, found, true = hit + len(p & t), found + len(p), true + len(t)
    precision = hit / found if found else 0.0
    recall = hit / true if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return float(precision), float(recall), float(f1)
