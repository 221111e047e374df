"""Assignment 12_labelling_sequences: answers written the way the notebook teaches pass, typical mistakes fail."""

import numpy as np

from rnncourse.grading import run_check
from rnncourse.grading.exercises import get_assignment


def test_the_assignment_registers_four_exercises():
    a = get_assignment("12_labelling_sequences")
    assert [e.name for e in a.exercises] == ["collapse_runs", "phoneme_error_rate", "bio_entities", "entity_f1"]


def _collapse(labels):
    out = []
    for k in labels:
        if not out or out[-1] != k:
            out.append(int(k))
    return np.array(out)


def test_collapse_runs_passes_and_dropping_repeats_everywhere_fails():
    def collapse_runs(labels):
        return _collapse(labels)
    assert run_check(collapse_runs).passed

    def collapse_runs(labels):  # noqa: F811
        return np.unique(labels)                         # loses order and repeated phonemes
    assert run_check(collapse_runs).status == "failed"


def _edit(a, b):
    d = np.arange(len(b) + 1)
    for i, u in enumerate(a, 1):
        prev, d[0] = d.copy(), i
        for j, v in enumerate(b, 1):
            d[j] = min(prev[j] + 1, d[j - 1] + 1, prev[j - 1] + (u != v))
    return d[-1]


def test_phoneme_error_rate_passes_and_frame_error_rate_fails():
    def phoneme_error_rate(y_pred, y_true):
        errors = sum(_edit(_collapse(p), _collapse(t)) for p, t in zip(y_pred, y_true))
        return errors / sum(len(_collapse(t)) for t in y_true)
    assert run_check(phoneme_error_rate).passed

    def phoneme_error_rate(y_pred, y_true):  # noqa: F811
        return float((y_pred != y_true).mean())
    assert run_check(phoneme_error_rate).status == "failed"


def _entities(tags, tag_names, i_starts=True):
    out, cur = [], None
    for t, k in enumerate(tags):
        name = tag_names[k]
        if name == "O" or name.startswith("B-") or (cur and cur[0] != name[2:]):
            if cur:
                out.append((cur[0], cur[1], t))
            cur = None if name == "O" or (not i_starts and name.startswith("I-")) else [name[2:], t]
        elif cur is None and i_starts:
            cur = [name[2:], t]
    if cur:
        out.append((cur[0], cur[1], len(tags)))
    return out


def test_bio_entities_passes_and_an_inclusive_end_fails():
    def bio_entities(tags, tag_names):
        return _entities(tags, tag_names)
    assert run_check(bio_entities).passed

    def bio_entities(tags, tag_names):  # noqa: F811
        return [(e[0], e[1], e[2] - 1) for e in _entities(tags, tag_names)]   # end inclusive
    assert run_check(bio_entities).status == "failed"


def test_entity_f1_passes_and_reading_the_padding_fails():
    def entity_f1(y_pred, y_true, tag_names, mask):
        hit = found = true = 0
        for i in range(y_true.shape[0]):
            n = int(mask[i].sum())
            p, t = set(_entities(y_pred[i, :n], tag_names)), set(_entities(y_true[i, :n], tag_names))
            hit, found, true = hit + len(p & t), found + len(p), true + len(t)
        P = hit / found if found else 0.0
        R = hit / true if true else 0.0
        return P, R, (2 * P * R / (P + R) if P + R else 0.0)
    assert run_check(entity_f1).passed

    def entity_f1(y_pred, y_true, tag_names, mask):  # noqa: F811
        hit = found = true = 0
        for i in range(y_true.shape[0]):
            p, t = set(_entities(y_pred[i], tag_names)), set(_entities(y_true[i], tag_names))
            hit, found, true = hit + len(p & t), found + len(p), true + len(t)
        P, R = hit / max(found, 1), hit / max(true, 1)
        return P, R, (2 * P * R / (P + R) if P + R else 0.0)
    assert run_check(entity_f1).status == "failed"
