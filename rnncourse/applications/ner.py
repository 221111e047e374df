"""Named entity recognition (many-to-many, T_y = T_x): BIO tags and per-entity F1 (lesson 12).

An entity is a span of words with a type: a person (``PER``), a place (``LOC``) or an
organisation (``ORG``).  Tagging marks every word ``B-X`` (first word of an entity of
type X), ``I-X`` (inside it, after the first word) or ``O`` (outside every entity), so
that two adjacent entities stay apart.  A tagger is judged on *entities*, not words:
an entity counts as found only if its type, first and last word are all right
(:func:`entity_f1`); "O" words, the large majority, earn nothing.

:func:`ner_task` makes sentences where a word's class depends on what **follows** it,
sometimes several words later: ``mark quietly said`` (``mark`` is a person) vs ``mark
quietly fell`` (a stain, ``O``), ``jordan bank`` (an organisation) vs ``in jordan`` (a
place).  A left-to-right RNN must tag ``mark`` before it has read the verb; a
bidirectional one has.
"""

from __future__ import annotations

import numpy as np

from .._validate import as_rng, check_int
from ..data import PAD, SequenceData, _pack

__all__ = ["NER_TAGS", "NER_VOCAB", "bio_entities", "entity_f1", "ner_task"]

NER_TAGS = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG")
#: first names that are also ordinary words (their class is decided later in the sentence)
_AMBIGUOUS = ("mark", "rose", "will", "grace", "hope", "frank", "bill", "june")
_FIRST = ("anna", "omar", "maria", "li")
_SURNAMES = ("smith", "khan", "garcia", "jones")
_PLACES = ("paris", "lima", "oslo", "cairo", "jordan")
_ORG_NAMES = ("jordan", "apex", "delta", "mark")
_ORG_HEADS = ("bank", "group", "labs")
_ADVERBS = ("quietly", "then", "slowly", "today")
_SPEECH = ("said", "asked")
_FALL = ("fell", "grew", "faded")
NER_VOCAB = tuple(dict.fromkeys((PAD, "the", "in", "and", "new", "york") + _AMBIGUOUS + _FIRST
                                + _SURNAMES + _PLACES + _ORG_NAMES + _ORG_HEADS + _ADVERBS
                                + _SPEECH + _FALL))


def _clause(rng) -> tuple[list, list]:
    pick = lambda seq: seq[int(rng.integers(len(seq)))]          # noqa: E731
    adverbs = [pick(_ADVERBS) for _ in range(int(rng.integers(0, 5)))]   # 0-4 words of delay
    kind = int(rng.integers(4))
    if kind == 0:                                     # a person speaks: PER [PER] adv* said
        first = pick(_AMBIGUOUS + _FIRST)
        words, tags = [first], ["B-PER"]
        if rng.random() < 0.4:
            words, tags = words + [pick(_SURNAMES)], tags + ["I-PER"]
        return words + adverbs + [pick(_SPEECH)], tags + ["O"] * (len(adverbs) + 1)
    if kind == 1:                                     # the same words, not a name: w adv* fell
        words = ["the", pick(_AMBIGUOUS)] if rng.random() < 0.3 else [pick(_AMBIGUOUS)]
        return words + adverbs + [pick(_FALL)], ["O"] * (len(words) + len(adverbs) + 1)
    if kind == 2:                                     # a place: in LOC | in new york
        if rng.random() < 0.3:
            return ["in", "new", "york"], ["O", "B-LOC", "I-LOC"]
        return ["in", pick(_PLACES)], ["O", "B-LOC"]
    words = [pick(_ORG_NAMES), pick(_ORG_HEADS)]      # an organisation: ORG ORG adv* said
    return words + adverbs + [pick(_SPEECH)], ["B-ORG", "I-ORG"] + ["O"] * (len(adverbs) + 1)


def ner_task(m: int, *, rng, max_clauses: int = 3, dtype=np.float64) -> SequenceData:
    """Sentences of 1 to ``max_clauses`` clauses joined by ``and``, tagged word by word (BIO).

    Clauses: a person speaking (``rose smith quietly said``), an ambiguous word that is
    no name (``mark slowly faded``), a place (``in jordan``, ``in new york``), an
    organisation speaking (``jordan bank said``).  Up to four adverbs sit between a
    name and its verb, so the evidence is 1-6 words after the word it decides.

    Returns
    -------
    SequenceData
        ``x`` (n_x, m, T_x) one-hot, padded at the end (``mask``), ``y`` (m, T_x) tag
        indices into :data:`NER_TAGS` (0 = ``O`` on padding too), ``label_names`` the tags.
    """
    fn = "ner_task"
    m = check_int(fn, "m", m, 1)
    max_clauses = check_int(fn, "max_clauses", max_clauses, 1)
    rng = as_rng(fn, rng)
    index = {w: i for i, w in enumerate(NER_VOCAB)}
    tag_index = {t: i for i, t in enumerate(NER_TAGS)}
    rows, tag_rows = [], []
    for _ in range(m):
        words, tags = [], []
        for c in range(int(rng.integers(1, max_clauses + 1))):
            w, t = _clause(rng)
            if c:
                words, tags = words + ["and"], tags + ["O"]
            words, tags = words + w, tags + t
        rows.append([index[w] for w in words])
        tag_rows.append([tag_index[t] for t in tags])
    lengths = np.array([len(r) for r in rows])
    T = int(lengths.max())
    ids = np.zeros((m, T), dtype=np.int64)
    y = np.zeros((m, T), dtype=np.int64)
    for i, (r, t) in enumerate(zip(rows, tag_rows)):
        ids[i, : len(r)] = r
        y[i, : len(t)] = t
    return _pack(ids, lengths, y, NER_VOCAB, NER_TAGS, dtype, label_sep="/")


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
