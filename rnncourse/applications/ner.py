"""Named entity recognition (many-to-many, T_y = T_x): BIO tags and per-entity F1 (lesson 12).

An entity is a span of words with a type: a person (``PER``), a place (``LOC``) or an
organisation (``ORG``).  Tagging marks every word ``B-X`` (first word of an entity of
type X), ``I-X`` (inside it, after the first word) or ``O`` (outside every entity), so
that two adjacent entities stay apart.  A tagger is judged on *entities*, not words:
an entity counts as found only if its type, first and last word are all right
(:func:`entity_f1`, from :mod:`rnncourse.labelling`); "O" words, the large majority, earn
nothing.

:func:`ner_task` makes sentences where a word's class depends on what **follows** it,
sometimes several words later: ``mark quietly said`` (``mark`` is a person) vs ``mark
quietly fell`` (a stain, ``O``), ``jordan bank`` (an organisation) vs ``in jordan`` (a
place).  A left-to-right RNN must tag ``mark`` before it has read the verb; a
bidirectional one has.
"""

from __future__ import annotations

import numpy as np

from .._validate import as_rng, check_int
# re-exported: they lived here before rnncourse.labelling
from ..labelling import bio_entities, entity_f1  # noqa: F401
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
