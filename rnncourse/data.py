"""Small synthetic sequence data sets, generated in code (nothing is downloaded).

Every lesson that trains or probes a model draws its data from here, with an explicit
``np.random.Generator`` (or int seed), so the same seed always gives the same data.

Tasks (all in the course's column convention, ``x`` one-hot of shape (n_x, m, T_x)):

:func:`agreement_task`
    Lessons 04-06.  The syllabus's "the cat ... was / the cats ... were": the verb's
    number depends on a subject ``distance`` steps back.  Many-to-one.
:func:`order_task`
    Lesson 08 and the model API's tests.  "Does the first ``a`` come before the first
    ``b``?"  Order matters: a bag of words cannot beat chance.  Many-to-one.
:func:`name_tagging_task`
    Lesson 07 (bidirectional RNN).  A named-entity-style task: a word is a person's
    name exactly when the *next* word is a speech verb ("rose said" vs "rose fell").
    Many-to-many with T_y = T_x.
:func:`char_names` and :func:`char_dataset`
    The applications (language model, sampling).  Invented names built from syllables, encoded
    character by character for a language model to sample from.

The first three return a :class:`SequenceData`; :func:`char_dataset` returns a
:class:`CharData`.  Variable-length data is padded at the end and comes with a
``mask`` of shape (m, T_x): 1 for a real step, 0 for padding (the convention of
:func:`rnncourse.rnn.rnn_forward` and :mod:`rnncourse.losses`).
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from ._validate import as_rng, check_int

__all__ = [
    "CharData", "SequenceData", "agreement_task", "char_dataset", "char_names",
    "decode_ids", "name_tagging_task", "one_hot", "order_task",
]

#: token 0 of every vocabulary here: fills the steps after a sequence's end
PAD = "<pad>"


class SequenceData(NamedTuple):
    """A labelled batch of token sequences.

    Attributes
    ----------
    x : ndarray of shape (n_x, m, T_x)
        One-hot inputs, ``n_x = len(vocab)``; padded steps are all-zero columns.
    y : ndarray of int
        Labels: shape (m,) for a many-to-one task (one label per sequence, read at
        its last real step), shape (m, T_x) for a per-token task (padded steps hold 0).
    ids : ndarray of int of shape (m, T_x)
        The same tokens as indices into ``vocab`` (for an embedding layer); padding is 0.
    mask : ndarray of shape (m, T_x) or None
        1 for a real step, 0 for padding; ``None`` when every sequence has length T_x.
    vocab : tuple of str
        ``vocab[i]`` is the word of token i; ``vocab[0]`` is ``"<pad>"``.
    label_names : tuple of str
        ``label_names[k]`` names class k.
    lengths : ndarray of int of shape (m,)
        Number of real steps of each sequence.
    label_sep : str
        What :meth:`decode` puts between a many-to-one example and its label.
    """

    x: np.ndarray
    y: np.ndarray
    ids: np.ndarray
    mask: np.ndarray | None
    vocab: tuple
    label_names: tuple
    lengths: np.ndarray
    label_sep: str = " -> "

    def decode(self, i: int, with_label: bool = True) -> str:
        """Example ``i`` as text.

        A many-to-one example reads ``"<words> -> <label>"`` (for the agreement task the
        label is the verb, so it reads as a sentence: ``"the cats , which ate , were"``);
        a per-token example marks every token whose class is not 0 as ``word/LABEL``.
        """
        words = decode_ids(self.ids[i, : self.lengths[i]], self.vocab).split(" ")
        if not with_label:
            return " ".join(words)
        if self.y.ndim == 1:
            return " ".join(words) + self.label_sep + self.label_names[int(self.y[i])]
        tags = self.y[i, : self.lengths[i]]
        return " ".join(w if k == 0 else f"{w}/{self.label_names[k]}" for w, k in zip(words, tags))


def one_hot(ids, n: int, dtype=np.float64) -> np.ndarray:
    """One-hot encode token indices in the course's column convention.

    Parameters
    ----------
    ids : ndarray of int of shape (m, T)
        Token indices in [0, n).
    n : int
        Vocabulary size n_x.
    dtype : float dtype, default float64

    Returns
    -------
    x : ndarray of shape (n, m, T)
        ``x[ids[i, t], i, t] = 1``, every other entry 0.
    """
    ids = np.asarray(ids)
    if ids.dtype.kind not in "iu" or ids.ndim != 2:
        raise TypeError(f"one_hot: ids must be a 2-D integer array of shape (m, T), "
                        f"got dtype {ids.dtype} and shape {ids.shape}")
    if ids.size and (ids.min() < 0 or ids.max() >= n):
        raise ValueError(f"one_hot: ids must lie in [0, n) = [0, {n}), "
                         f"got values in [{ids.min()}, {ids.max()}]")
    m, T = ids.shape
    x = np.zeros((n, m, T), dtype=dtype)
    x[ids, np.arange(m)[:, None], np.arange(T)[None, :]] = 1
    return x


def decode_ids(ids: Sequence[int], vocab: Sequence[str], sep: str = " ") -> str:
    """Join the words ``vocab[i]`` of a 1-D sequence of token indices."""
    return sep.join(vocab[int(i)] for i in ids)


def _lengths(fn: str, length, m: int, low: int, rng: np.random.Generator) -> np.ndarray:
    """Per-example lengths from ``length`` = int, or (min, max) drawn uniformly."""
    if isinstance(length, tuple):
        if len(length) != 2:
            raise ValueError(f"{fn}: length must be an int or a (min, max) pair, got {length!r}")
        lo = check_int(fn, "length[0]", length[0], low)
        hi = check_int(fn, "length[1]", length[1], low)
        if hi < lo:
            raise ValueError(f"{fn}: length = {length} has max < min")
        return rng.integers(lo, hi + 1, size=m)
    return np.full(m, check_int(fn, "length", length, low))


def _pack(ids, lengths, y, vocab, label_names, dtype, label_sep=" -> ") -> SequenceData:
    """Zero the padding, build the one-hot ``x`` and the mask (None if nothing is padded)."""
    m, T = ids.shape
    real = np.arange(T)[None, :] < lengths[:, None]            # (m, T) bool
    ids = np.where(real, ids, 0)
    if y.ndim == 2:
        y = np.where(real, y, 0)
    x = one_hot(ids, len(vocab), dtype) * real[None]            # padding -> zero columns
    mask = None if real.all() else real.astype(dtype)
    return SequenceData(x, y, ids, mask, tuple(vocab), tuple(label_names), lengths, label_sep)


# ----------------------------------------------------------------------------------------
# Subject-verb agreement (lessons 04-06)

AGREEMENT_SINGULAR = ("cat", "dog", "bird", "horse", "child", "mouse")
AGREEMENT_PLURAL = ("cats", "dogs", "birds", "horses", "children", "mice")
#: the only nouns among the fillers: objects with a distinct plural ("cakes", ...), so that
#: no filler can be read as singular *or* plural the way "fish" or "sheep" can
AGREEMENT_OBJECTS = ("cake", "ball", "apple")
AGREEMENT_FILLERS = ("ate", "saw", "chased", "liked", "the", "a", "big", "small", "red",
                     *AGREEMENT_OBJECTS, "yesterday", "quietly", "and", "very", "old")
AGREEMENT_VERBS = ("was", "were")
#: every token once ("the", which opens each sentence, is also a filler: it is listed there)
AGREEMENT_VOCAB = (PAD, ",", "which") + AGREEMENT_SINGULAR + AGREEMENT_PLURAL + AGREEMENT_FILLERS


def agreement_task(m: int, distance: int, *, rng, dtype=np.float64) -> SequenceData:
    """Subject-verb agreement with the subject ``distance`` steps back.

    Each example is ``the <noun> <f_1> ... <f_distance>``; the model reads it and, at
    its last step, predicts the verb that comes next: ``was`` (class 0) after a
    singular noun, ``were`` (class 1) after a plural one.  The fillers carry no
    information about the label, so the only evidence sits ``distance`` steps before
    the step where the prediction is made -- the distance is the knob of lesson 04's
    vanishing-gradient measurements.  With ``distance >= 4`` the fillers read as a
    relative clause: ``the cats , which ate the cake , were``.  The filler nouns
    (:data:`AGREEMENT_OBJECTS`) are singular objects whose plural differs, so the
    number of the sentence is carried by the subject alone.

    Parameters
    ----------
    m : int
        Number of examples.
    distance : int >= 0
        Number of filler tokens between the subject and the verb.
    rng : np.random.Generator or int seed
    dtype : float dtype of ``x``, default float64

    Returns
    -------
    SequenceData
        ``x`` (n_x, m, T_x) with ``T_x = distance + 2`` and ``n_x = len(AGREEMENT_VOCAB)``;
        ``y`` (m,) in {0: "was", 1: "were"}, balanced in expectation; ``mask`` None.
        The subject sits at step ``T_x - 1 - distance`` = 1.
    """
    fn = "agreement_task"
    m = check_int(fn, "m", m, 1)
    distance = check_int(fn, "distance", distance, 0)
    rng = as_rng(fn, rng)
    index = {w: i for i, w in enumerate(AGREEMENT_VOCAB)}
    n_nouns = len(AGREEMENT_SINGULAR)
    y = rng.integers(0, 2, size=m)                                  # (m,) 1 = plural
    noun = rng.integers(0, n_nouns, size=m)
    noun_ids = np.where(y == 1, index[AGREEMENT_PLURAL[0]], index[AGREEMENT_SINGULAR[0]]) + noun
    filler_ids = index[AGREEMENT_FILLERS[0]] + rng.integers(0, len(AGREEMENT_FILLERS),
                                                            size=(m, distance))
    if distance >= 4:  # ", which <words> ," reads as a relative clause
        filler_ids[:, 0] = index[","]
        filler_ids[:, 1] = index["which"]
        filler_ids[:, -1] = index[","]
    ids = np.concatenate([np.full((m, 1), index["the"]), noun_ids[:, None], filler_ids], axis=1)
    return _pack(ids, np.full(m, distance + 2), y, AGREEMENT_VOCAB, AGREEMENT_VERBS, dtype,
                 label_sep=" ")


# ----------------------------------------------------------------------------------------
# Which comes first? (order matters)

ORDER_VOCAB = (PAD, "a", "b", "c", "d", "e")
ORDER_LABELS = ("b first", "a first")


def order_task(m: int, length=8, *, rng, dtype=np.float64) -> SequenceData:
    """Does the first ``a`` come before the first ``b``?  A task a bag of words cannot solve.

    Tokens are drawn independently and uniformly from ``a b c d e``; a sequence that
    lacks an ``a`` or a ``b`` is drawn again, so every example holds both.  The label
    is 1 ("a first") when the first ``a`` precedes the first ``b``, else 0.

    Why counts do not help: swapping the first ``a`` with the first ``b`` flips the
    label and keeps the multiset of tokens (and the probability of the sequence,
    since tokens are i.i.d.).  So given the counts both labels are equally likely,
    and any bag-of-words model is right half of the time; a model that reads the
    order can be right every time.

    Parameters
    ----------
    m : int
    length : int >= 2, or (min, max)
        Sequence length; a pair draws each example's length uniformly in [min, max]
        and pads at the end (``mask`` then marks the real steps).
    rng : np.random.Generator or int seed
    dtype : float dtype of ``x``

    Returns
    -------
    SequenceData
        ``x`` (6, m, T_x) with T_x the longest length, ``y`` (m,) in {0, 1}.
    """
    fn = "order_task"
    m = check_int(fn, "m", m, 1)
    rng = as_rng(fn, rng)
    lengths = _lengths(fn, length, m, 2, rng)
    T = int(lengths.max())
    ids = rng.integers(1, len(ORDER_VOCAB), size=(m, T))
    real = np.arange(T)[None, :] < lengths[:, None]
    while True:  # redraw the rows without both an "a" (1) and a "b" (2) among their real steps
        bad = ~(((ids == 1) & real).any(axis=1) & ((ids == 2) & real).any(axis=1))
        if not bad.any():
            break
        ids[bad] = rng.integers(1, len(ORDER_VOCAB), size=(int(bad.sum()), T))
    first_a = np.argmax(ids == 1, axis=1)
    first_b = np.argmax(ids == 2, axis=1)
    y = (first_a < first_b).astype(np.int64)
    return _pack(ids, lengths, y, ORDER_VOCAB, ORDER_LABELS, dtype)


# ----------------------------------------------------------------------------------------
# Name tagging: the label depends on the future (lesson 07)

#: words that are a person's name only when a speech verb follows ("rose said" / "rose fell")
TAGGING_AMBIGUOUS = ("rose", "mark", "will", "grace", "bill", "june", "frank", "hope")
TAGGING_SPEECH = ("said", "asked", "replied", "wrote")
TAGGING_FILLERS = ("the", "price", "fell", "grew", "in", "spring", "and", "it", "was",
                   "good", "then", "everyone", "left", "early", "of", "course")
TAGGING_VOCAB = (PAD,) + TAGGING_AMBIGUOUS + TAGGING_SPEECH + TAGGING_FILLERS
TAGGING_LABELS = ("O", "PER")


def name_tagging_task(m: int, length=10, *, rng, p_name: float = 0.3, p_speech: float = 0.3,
                      dtype=np.float64) -> SequenceData:
    """Per-token name tagging where the evidence comes *after* the word.

    Each token is, independently, one of the ambiguous words (``rose``, ``mark``,
    ``will``, ...) with probability ``p_name``, a speech verb (``said``, ``asked``,
    ...) with probability ``p_speech``, and a filler otherwise.  Token t is labelled
    1 ("PER") exactly when it is an ambiguous word and token t+1 (inside the
    sequence) is a speech verb: "rose/PER said" but "rose fell".  A left-to-right RNN
    must decide at step t before seeing t+1, so it cannot do better than guessing on
    ambiguous words; a bidirectional RNN sees the next word and can be exact.

    Parameters
    ----------
    m : int
    length : int >= 1, or (min, max) for padded variable lengths
    rng : np.random.Generator or int seed
    p_name, p_speech : float in [0, 1], with p_name + p_speech <= 1
    dtype : float dtype of ``x``

    Returns
    -------
    SequenceData
        ``x`` (n_x, m, T_x), ``y`` (m, T_x) in {0: "O", 1: "PER"} (0 on padding).
    """
    fn = "name_tagging_task"
    m = check_int(fn, "m", m, 1)
    rng = as_rng(fn, rng)
    for name, p in (("p_name", p_name), ("p_speech", p_speech)):
        if not 0 <= p <= 1:
            raise ValueError(f"{fn}: {name} must be in [0, 1], got {p}")
    if p_name + p_speech > 1:
        raise ValueError(f"{fn}: p_name + p_speech must be at most 1, got {p_name + p_speech}")
    lengths = _lengths(fn, length, m, 1, rng)
    T = int(lengths.max())
    n_amb, n_sp = len(TAGGING_AMBIGUOUS), len(TAGGING_SPEECH)
    kind = rng.choice(3, size=(m, T), p=[p_name, p_speech, 1.0 - p_name - p_speech])
    word = rng.integers(0, 1 << 30, size=(m, T))
    ids = np.select(  # vocab layout: pad | ambiguous | speech | fillers
        [kind == 0, kind == 1],
        [1 + word % n_amb, 1 + n_amb + word % n_sp],
        1 + n_amb + n_sp + word % len(TAGGING_FILLERS))
    is_name = (ids >= 1) & (ids <= n_amb)
    next_speech = np.zeros((m, T), dtype=bool)
    next_speech[:, :-1] = (ids[:, 1:] > n_amb) & (ids[:, 1:] <= n_amb + n_sp)
    inside = np.arange(T)[None, :] + 1 < lengths[:, None]          # t + 1 is a real step
    y = (is_name & next_speech & inside).astype(np.int64)
    return _pack(ids, lengths, y, TAGGING_VOCAB, TAGGING_LABELS, dtype)


# ----------------------------------------------------------------------------------------
# Character-level names (the applications: sampling with a temperature)

_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z",
           "br", "dr", "kr", "st", "th", "sh")
_VOWELS = ("a", "e", "i", "o", "u", "a", "e", "o", "ia", "ea")
_CODAS = ("", "", "", "n", "r", "l", "s")
_ENDINGS = ("", "", "a", "o", "us", "ix", "en", "ia")

#: end-of-name marker, also fed as the first input of every name
EOS = "\n"


def char_names(n: int, *, rng, min_syllables: int = 2, max_syllables: int = 3) -> list[str]:
    """Invent ``n`` pronounceable names from syllables (onset + vowel + optional coda).

    The rules give a language with visible regularities (consonant clusters only at
    a syllable's start, vowels between them, a handful of endings) for a
    character-level model to pick up; no word list is needed.

    Returns
    -------
    names : list of str, lower-case letters only, each 2 to ~14 characters long
    """
    fn = "char_names"
    n = check_int(fn, "n", n, 1)
    lo = check_int(fn, "min_syllables", min_syllables, 1)
    hi = check_int(fn, "max_syllables", max_syllables, lo)
    rng = as_rng(fn, rng)
    names = []
    for _ in range(n):
        parts = []
        for _ in range(int(rng.integers(lo, hi + 1))):
            parts += [_ONSETS[rng.integers(len(_ONSETS))], _VOWELS[rng.integers(len(_VOWELS))],
                      _CODAS[rng.integers(len(_CODAS))]]
        parts.append(_ENDINGS[rng.integers(len(_ENDINGS))])
        names.append("".join(parts))
    return names


class CharData(NamedTuple):
    """Words encoded for a character-level language model.

    Attributes
    ----------
    x : ndarray of shape (n_x, m, T_x)
        One-hot inputs: ``EOS`` then the word's characters; padding is all zeros.
    y : ndarray of int of shape (m, T_x)
        Targets: the next character at each step (the word's characters, then ``EOS``).
    ids : ndarray of int of shape (m, T_x)
        Inputs as indices into ``vocab`` (padding 0).
    mask : ndarray of shape (m, T_x)
        1 on the ``len(word) + 1`` real steps of each word.
    vocab : tuple of str
        ``vocab[0]`` is ``EOS`` (``"\\n"``), then the characters in sorted order.
    words : tuple of str
    """

    x: np.ndarray
    y: np.ndarray
    ids: np.ndarray
    mask: np.ndarray
    vocab: tuple
    words: tuple

    def encode(self, text: str) -> list[int]:
        """Indices of the characters of ``text`` (``"\\n"`` maps to EOS)."""
        index = {c: i for i, c in enumerate(self.vocab)}
        unknown = sorted(set(text) - set(index))
        if unknown:
            raise ValueError(f"CharData.encode: characters {unknown} are not in the vocabulary")
        return [index[c] for c in text]

    def decode(self, ids: Sequence[int]) -> str:
        """The text of a sequence of indices."""
        return decode_ids(ids, self.vocab, sep="")


def char_dataset(words: Sequence[str], dtype=np.float64) -> CharData:
    """Encode words for next-character prediction.

    Word ``w = c_1 ... c_n`` becomes inputs ``EOS c_1 ... c_n`` and targets
    ``c_1 ... c_n EOS``: at every step the model predicts the next character, and
    predicting ``EOS`` ends the word.  Sampling starts from ``EOS``.

    Parameters
    ----------
    words : sequence of str, non-empty, without ``"\\n"``
    dtype : float dtype of ``x`` and ``mask``

    Returns
    -------
    CharData
        ``x`` (n_x, m, T_x), ``y`` (m, T_x), ``mask`` (m, T_x) with
        ``T_x = max(len(w)) + 1`` and ``n_x = len(vocab)``.
    """
    fn = "char_dataset"
    if isinstance(words, str) or not all(isinstance(w, str) for w in words):
        raise TypeError(f"{fn}: words must be a list of str, got {type(words).__name__}")
    if not words or any(not w or EOS in w for w in words):
        raise ValueError(f"{fn}: words must be a non-empty list of non-empty strings without '\\n'")
    vocab = (EOS,) + tuple(sorted(set("".join(words))))
    index = {c: i for i, c in enumerate(vocab)}
    m, T = len(words), max(map(len, words)) + 1
    seq = np.zeros((m, T + 1), dtype=np.int64)    # EOS w EOS, zero (= EOS) padded
    lengths = np.array([len(w) + 1 for w in words])
    for i, w in enumerate(words):
        seq[i, 1 : len(w) + 1] = [index[c] for c in w]
    real = np.arange(T)[None, :] < lengths[:, None]                # (m, T)
    ids = np.where(real, seq[:, :-1], 0)
    y = np.where(real, seq[:, 1:], 0)
    x = one_hot(ids, len(vocab), dtype) * real[None]
    return CharData(x, y, ids, real.astype(dtype), vocab, tuple(words))
