"""Exercises of assignment ``12_labelling_sequences`` (lesson 12).

How per-step labels become answers and scores: ``collapse_runs`` (frame labels to
phonemes), ``phoneme_error_rate`` (edit distance after collapsing, per true phoneme),
``bio_entities`` (BIO tags to typed spans) and ``entity_f1`` (precision, recall and F1
over whole entities).  References in :mod:`rnncourse.applications.speech` and
:mod:`rnncourse.applications.ner`; the recipe for adding an exercise is in
:mod:`rnncourse.grading.exercises`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...labelling import bio_entities, collapse_runs, edit_distance, entity_f1, phoneme_error_rate
from . import (Case, Exercise, StructureError, draw_dims, expect_sequence, integer_array,
               one_number)

ASSIGNMENT = "12_labelling_sequences"
#: library modules a learner may import in this assignment (the sandbox exposes only these)
LEARNER_MODULES = ("activations",)

#: entity types the cases use, in a fixed order (how a type is compared)
TYPES = ("PER", "LOC", "ORG", "MISC")
TAG_NAMES = ("O",) + tuple(f"{p}-{t}" for t in TYPES for p in ("B", "I"))


def _number(name: str, value, what: str) -> np.ndarray:
    return one_number(value, f"{name} must be {what}")


def _frames(rng, m, T, K, runs=True):
    y = np.zeros((m, T), dtype=np.int64)
    for i in range(m):
        t, k = 0, int(rng.integers(K))
        while t < T:
            d = int(rng.integers(1, 4)) if runs else 1
            y[i, t: t + d] = k
            t += d
            k = (k + 1 + int(rng.integers(K - 1))) % K
    return y


def _cases_collapse_runs(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("T_x",), low=6, high=14)
    labels = _frames(rng, 1, dims["T_x"], 5)[0]
    return Case((labels,), dims)


def _split_collapse_runs(value) -> dict:
    if isinstance(value, (list, tuple)):
        value = np.array(value)
    if not isinstance(value, np.ndarray) or value.ndim != 1:
        raise StructureError("collapse_runs must return a 1-D array of ints (one per run)")
    return {"phonemes": integer_array(value, "phonemes", "(n_runs,)")}


def _cases_phoneme_error_rate(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("m", "T_x"), low=3, high=12)
    y_true = _frames(rng, dims["m"], dims["T_x"], 5)
    y_pred = y_true.copy()
    flips = rng.random(y_pred.shape) < 0.2                          # substitutions and insertions
    y_pred[flips] = rng.integers(0, 5, size=int(flips.sum()))
    return Case((y_pred, y_true), dims)


def _cases_bio_entities(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("T",), low=8, high=16)
    T = dims["T"]
    tags = np.zeros(T, dtype=np.int64)
    t = 0
    while t < T:
        kind = rng.random()
        if kind < 0.4:
            t += 1                                                  # an O word
            continue
        typ = int(rng.integers(len(TYPES)))
        n = int(rng.integers(1, 4))
        first = "I" if kind > 0.9 else "B"                          # sometimes an entity starts with I-
        tags[t] = TAG_NAMES.index(f"{first}-{TYPES[typ]}")
        tags[t + 1: t + n] = TAG_NAMES.index(f"I-{TYPES[typ]}")
        t += n
    return Case((tags, list(TAG_NAMES)), dims)


def _split_bio_entities(value) -> dict:
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        raise StructureError("bio_entities must return a list of (type, start, end) tuples")
    rows = []
    for e in value:
        e = expect_sequence(e, 3, "each entity must be a tuple (type, start, end)")
        if not isinstance(e[0], str) or e[0] not in TYPES:
            raise StructureError(f"an entity's type must be one of {TYPES} (the tag without "
                                 f"its 'B-' or 'I-'), got {e[0]!r}")
        rows.append([TYPES.index(e[0]), float(e[1]), float(e[2])])
    return {"entities (type index, start, end)": np.array(rows, dtype=np.float64).reshape(-1, 3)}


def _cases_entity_f1(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("m", "T_x"), low=4, high=12)
    m, T = dims["m"], dims["T_x"]
    y_true = np.stack([_random_tags(rng, T) for _ in range(m)])
    y_pred = y_true.copy()
    wrong = rng.random(y_pred.shape) < 0.15
    y_pred[wrong] = rng.integers(0, len(TAG_NAMES), size=int(wrong.sum()))
    lengths = rng.integers(2, T + 1, size=m)
    mask = (np.arange(T)[None, :] < lengths[:, None]).astype(np.float64)
    y_pred[mask == 0] = rng.integers(1, len(TAG_NAMES), size=int((mask == 0).sum()))  # noise on padding
    return Case((y_pred, y_true, list(TAG_NAMES), mask), dims)


def _random_tags(rng, T):
    tags = np.zeros(T, dtype=np.int64)
    t = 0
    while t < T:
        if rng.random() < 0.45:
            t += 1
            continue
        typ = TYPES[int(rng.integers(len(TYPES)))]
        n = int(rng.integers(1, 4))
        tags[t] = TAG_NAMES.index(f"B-{typ}")
        tags[t + 1: t + n] = TAG_NAMES.index(f"I-{typ}")
        t += n
    return tags


def _split_entity_f1(value) -> dict:
    p, r, f = expect_sequence(value, 3, "entity_f1 must return the tuple (precision, recall, f1)")
    return {"precision": _number("precision", p, "one number"), "recall": _number("recall", r, "one number"),
            "f1": _number("f1", f, "one number")}


# ---- diagnoses: known wrong variants of the references (see Exercise.diagnoses) ----

def _per_mean_of_rates(y_pred, y_true):
    return float(np.mean([edit_distance(collapse_runs(p), collapse_runs(t)) / len(collapse_runs(t))
                          for p, t in zip(y_pred, y_true)]))


def _per_without_collapsing(y_pred, y_true):
    return float(sum(edit_distance(p, t) for p, t in zip(y_pred, y_true)) / y_true.size)


def _entities_end_inclusive(tags, tag_names):
    return [(t, a, b - 1) for t, a, b in bio_entities(tags, tag_names)]


def _f1_with_padding(y_pred, y_true, tag_names, mask):
    return entity_f1(y_pred, y_true, tag_names)


EXERCISES = (
    Exercise(
        name="collapse_runs", points=2, reference=collapse_runs,
        make_case=_cases_collapse_runs, split=_split_collapse_runs,
        signature="collapse_runs(labels) -> phonemes", arg_names=("labels",),
        rtol=0, atol=0,
    ),
    Exercise(
        name="phoneme_error_rate", points=4, reference=phoneme_error_rate,
        make_case=_cases_phoneme_error_rate,
        split=lambda v: {"per": _number("phoneme_error_rate", v, "one number (a float)")},
        signature="phoneme_error_rate(y_pred, y_true) -> float", arg_names=("y_pred", "y_true"),
        uses=("collapse_runs",),
        diagnoses=(
            ("averages the rates of the utterances: divide the summed distances by the total "
             "number of true phonemes", _per_mean_of_rates),
            ("compares frames, not phonemes: collapse the runs of both sequences first",
             _per_without_collapsing),
        ),
        rtol=1e-9, atol=1e-12,
    ),
    Exercise(
        name="bio_entities", points=3, reference=bio_entities,
        make_case=_cases_bio_entities, split=_split_bio_entities,
        signature="bio_entities(tags, tag_names) -> [(type, start, end), ...]",
        arg_names=("tags", "tag_names"), rtol=0, atol=0,
        diagnoses=(("gives the last word of each entity as its end: end is one past it",
                    _entities_end_inclusive),),
    ),
    Exercise(
        name="entity_f1", points=4, reference=entity_f1,
        make_case=_cases_entity_f1, split=_split_entity_f1,
        signature="entity_f1(y_pred, y_true, tag_names, mask) -> (precision, recall, f1)",
        arg_names=("y_pred", "y_true", "tag_names", "mask"), uses=("bio_entities",),
        rtol=1e-9, atol=1e-12,
        diagnoses=(("reads the padding: cut each sentence to its real words (mask) before "
                    "finding entities", _f1_with_padding),),
    ),
)
