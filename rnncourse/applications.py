"""Synthetic stand-ins for the syllabus's applications, generated in code (lesson 09).

Lesson 09 (applications) builds one small working model per application of the
syllabus.  Real data sets (audio, video, genomes, parallel corpora) are large and
would have to be downloaded; each generator here keeps only the structure that makes
the application a *sequence* problem, so a tiny model trained in a second shows the
point:

=========================  =====================  ======================================
application                RNN type               generator
=========================  =====================  ======================================
sentiment classification   many-to-one            :func:`sentiment_task`
music generation           one-to-many            :func:`melodies` (+ :func:`melody_rules`)
DNA sequence analysis      many-to-one            :func:`dna_motif_task`
machine translation        many-to-many, T_x!=T_y :func:`translation_task`
speech recognition         many-to-many, T_x=T_y  :func:`speech_task`
video activity recognition many-to-one            :func:`activity_task`
named entity recognition   many-to-many, T_x=T_y  :func:`rnncourse.data.name_tagging_task`
=========================  =====================  ======================================

Token tasks return :class:`rnncourse.data.SequenceData` (one-hot ``x`` of shape
(n_x, m, T_x), ids, labels, vocabulary and a ``decode`` helper); the two tasks whose
inputs are real-valued frames (speech, video) return a :class:`FrameData`.  Every
generator takes an explicit ``rng`` (a ``np.random.Generator`` or an int seed).

Also here: the helpers the lesson and its graded notebook use to judge the models --
:func:`bag_of_words` (the order-blind baseline), :func:`sample_with_temperature`,
:func:`exact_match_accuracy` and :func:`greedy_translate`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import Dims, as_rng, check_int
from .data import PAD, SequenceData, _pack, decode_ids

__all__ = [
    "ACTIVITY_LABELS", "DNA_BASES", "FrameData", "MELODY_NOTES", "MELODY_RULES",
    "PHONEMES", "SENTIMENT_LABELS", "TranslationData", "activity_task", "bag_of_words",
    "dna_motif_task", "exact_match_accuracy", "greedy_translate", "melodies",
    "melody_rules", "number_words", "sample_with_temperature", "sentiment_task",
    "speech_task", "translation_task",
]


def _check_prob(fn: str, name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise TypeError(f"{fn}: {name} must be a number in [0, 1], got {type(value).__name__}")
    if not 0 <= value <= 1:
        raise ValueError(f"{fn}: {name} must be in [0, 1], got {value}")
    return float(value)


# ----------------------------------------------------------------------------------------
# Sentiment classification (many-to-one): negation and "but" make word order matter

SENTIMENT_NOUNS = ("movie", "plot", "acting", "music", "ending")
SENTIMENT_POSITIVE = ("good", "great", "fun", "moving")
SENTIMENT_NEGATIVE = ("bad", "dull", "awful", "boring")
SENTIMENT_VOCAB = ((PAD, "the", "was", "not", "very", "but") + SENTIMENT_NOUNS
                   + SENTIMENT_POSITIVE + SENTIMENT_NEGATIVE)
SENTIMENT_LABELS = ("negative", "positive")


class SentimentData(NamedTuple):
    """What :func:`sentiment_task` returns: the reviews and which rule decides each label.

    Attributes
    ----------
    data : SequenceData
        ``x`` (n_x, m, T_x) one-hot reviews (padded at the end, ``mask`` marks real
        words), ``y`` (m,) in {0: "negative", 1: "positive"}.
    negated : ndarray of bool of shape (m,)
        The clause that decides the label says "not <adjective>".
    contrast : ndarray of bool of shape (m,)
        The review has two clauses joined by "but" (the second one decides).
    """

    data: SequenceData
    negated: np.ndarray
    contrast: np.ndarray


def sentiment_task(m: int, *, rng, p_not: float = 0.3, p_but: float = 0.3,
                   dtype=np.float64) -> SentimentData:
    """Short film reviews whose sentiment depends on word order.

    A clause reads ``the <noun> was [not] [very] <adjective>``; a review is one clause,
    or (with probability ``p_but``) two clauses joined by ``but``.  Its label is the
    sentiment of its last clause: the adjective's polarity, flipped by ``not``
    (probability ``p_not`` per clause).  So ``the plot was not good`` is negative and
    ``the plot was bad but the music was great`` positive.

    Why a bag of words fails: a linear model on word counts gives ``good`` and
    ``not`` fixed weights, so it cannot make "not" flip the sign of whatever follows
    it (an XOR); and ``the acting was not bad but the plot was boring`` holds exactly
    the words of ``the acting was bad but the plot was not boring``, with the opposite
    label, so *no* function of the counts gets both right.  A recurrent network reads
    the words in order and can track the last clause and its negation.

    Parameters
    ----------
    m : int
        Number of reviews.
    rng : np.random.Generator or int seed
    p_not, p_but : float in [0, 1]
    dtype : float dtype of ``x``

    Returns
    -------
    SentimentData
        ``data`` (a :class:`~rnncourse.data.SequenceData` with T_x = 11, the longest
        review), ``negated`` and ``contrast`` (m,) booleans describing each review.
    """
    fn = "sentiment_task"
    m = check_int(fn, "m", m, 1)
    p_not = _check_prob(fn, "p_not", p_not)
    p_but = _check_prob(fn, "p_but", p_but)
    rng = as_rng(fn, rng)
    index = {w: i for i, w in enumerate(SENTIMENT_VOCAB)}
    adjectives = SENTIMENT_POSITIVE + SENTIMENT_NEGATIVE
    rows, labels, negated, contrast = [], [], [], []
    for _ in range(m):
        two = bool(rng.random() < p_but)
        words: list[str] = []
        for c in range(2 if two else 1):
            adj = int(rng.integers(len(adjectives)))
            neg = bool(rng.random() < p_not)
            very = bool(rng.random() < 0.3)
            if c:
                words.append("but")
            words += ["the", SENTIMENT_NOUNS[rng.integers(len(SENTIMENT_NOUNS))], "was"]
            words += ["not"] * neg + ["very"] * very + [adjectives[adj]]
        positive = adj < len(SENTIMENT_POSITIVE)                    # the last clause decides
        labels.append(int(positive != neg))
        negated.append(neg)
        contrast.append(two)
        rows.append([index[w] for w in words])
    lengths = np.array([len(r) for r in rows])
    ids = np.zeros((m, int(lengths.max())), dtype=np.int64)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = r
    data = _pack(ids, lengths, np.array(labels, dtype=np.int64), SENTIMENT_VOCAB,
                 SENTIMENT_LABELS, dtype)
    return SentimentData(data, np.array(negated), np.array(contrast))


def bag_of_words(ids, n_vocab: int) -> np.ndarray:
    """Word counts of each sequence, padding (id 0) left out: the order-blind baseline.

    Parameters
    ----------
    ids : ndarray of int of shape (m, T_x)
        Token ids; id 0 is padding and is not counted.
    n_vocab : int
        Vocabulary size (ids lie in [0, n_vocab)).

    Returns
    -------
    counts : ndarray of float64 of shape (n_vocab, m, 1)
        ``counts[k, i, 0]`` = how many times token k occurs in sequence i (row 0 is
        0).  The trailing time axis of length 1 lets a
        ``Sequential([Dense(n_y, "softmax")])`` read it as a one-step sequence: that
        model is a linear classifier on counts, which sees every word and none of
        their order.

    Notes
    -----
    Lesson 09: ``x_bow = sum over t of x<t>``; a many-to-one RNN reads the same words
    one at a time, so anything this baseline cannot do is due to order.
    """
    fn = "bag_of_words"
    n_vocab = check_int(fn, "n_vocab", n_vocab, 1)
    if not isinstance(ids, np.ndarray) or ids.dtype.kind not in "iu" or ids.ndim != 2:
        got = f"dtype {ids.dtype} and shape {ids.shape}" if isinstance(ids, np.ndarray) else type(ids).__name__
        raise TypeError(f"{fn}: ids must be an integer array of shape (m, T_x), got {got}")
    if ids.size and (ids.min() < 0 or ids.max() >= n_vocab):
        raise ValueError(f"{fn}: ids must lie in [0, n_vocab) = [0, {n_vocab}), "
                         f"got values in [{ids.min()}, {ids.max()}]")
    m = ids.shape[0]
    counts = np.zeros((n_vocab, m), dtype=np.float64)
    np.add.at(counts, (ids, np.arange(m)[:, None]), 1.0)          # counts[ids[i, t], i] += 1
    counts[0] = 0.0                                                # padding is not a word
    return counts[:, :, None]                                      # (n_vocab, m, 1)


# ----------------------------------------------------------------------------------------
# Music generation (one-to-many): melodies from a tune grammar

#: scale degrees of C major, low c to high C, as one character each
MELODY_NOTES = "cdefgabC"
BAR = "|"
#: the rules :func:`melody_rules` checks, in order
MELODY_RULES = ("form", "steps", "repeat", "cadence")


def _walk(rng: np.random.Generator, start: int, n: int) -> list[int]:
    """``n`` degrees after ``start``, each 1 or 2 scale steps up or down, inside the scale."""
    out, d = [], start
    for _ in range(n):
        moves = [s for s in (-2, -1, 1, 2) if 0 <= d + s < len(MELODY_NOTES)]
        d += moves[rng.integers(len(moves))]
        out.append(d)
    return out


def melodies(n: int, *, rng) -> list[str]:
    """``n`` four-bar tunes of a small grammar, written like ``"cded|cded|efge|fedc"``.

    Notes are the degrees of the C major scale, ``c d e f g a b C`` (``C`` is the high
    c), four per bar, bars separated by ``|``.  The grammar, whose rules
    :func:`melody_rules` checks:

    * **form**: four bars of four notes;
    * **steps**: every move from one note to the next (across bar lines too) is one or
      two scale steps, up or down -- never a repeated note, never a leap;
    * **repeat**: bar 2 repeats bar 1 (a motif stated twice, as tunes do);
    * **cadence**: the tune ends on the home note ``c``.

    Bar 1 starts on c, e or g; bars 1 and 3 are random walks; bar 4 is a random walk
    that lands on c.  A model that learned the grammar has to remember a whole bar
    (to repeat it) and plan the last bar (to land home).

    Returns
    -------
    tunes : list of str, each 19 characters long
    """
    fn = "melodies"
    n = check_int(fn, "n", n, 1)
    rng = as_rng(fn, rng)
    tunes = []
    while len(tunes) < n:
        start = (0, 2, 4)[rng.integers(3)]
        bar1 = [start] + _walk(rng, start, 3)
        if abs(bar1[0] - bar1[-1]) not in (1, 2):       # bar 2 must follow bar 1 by a step
            continue
        bar3 = _walk(rng, bar1[-1], 4)
        bar4 = _walk(rng, bar3[-1], 4)
        if bar4[-1] != 0:                                # redraw until it lands home
            continue
        tunes.append(BAR.join("".join(MELODY_NOTES[d] for d in bar)
                              for bar in (bar1, bar1, bar3, bar4)))
    return tunes


def melody_rules(tune: str) -> dict:
    """Which rules of :func:`melodies`' grammar ``tune`` follows.

    Returns
    -------
    dict of str -> bool
        Keys :data:`MELODY_RULES` (``"form"``, ``"steps"``, ``"repeat"``,
        ``"cadence"``), plus ``"all"``.  A tune that is not four bars of four notes
        fails every rule.
    """
    if not isinstance(tune, str):
        raise TypeError(f"melody_rules: tune must be a str, got {type(tune).__name__}")
    bars = tune.split(BAR)
    form = len(bars) == 4 and all(len(b) == 4 and set(b) <= set(MELODY_NOTES) for b in bars)
    if not form:
        return dict.fromkeys(MELODY_RULES + ("all",), False)
    degrees = [MELODY_NOTES.index(c) for c in "".join(bars)]
    rules = {
        "form": True,
        "steps": all(abs(b - a) in (1, 2) for a, b in zip(degrees, degrees[1:])),
        "repeat": bars[0] == bars[1],
        "cadence": bars[3][-1] == "c",
    }
    rules["all"] = all(rules.values())
    return rules


def sample_with_temperature(probs, temperature: float, rng):
    """Reshape distributions with a temperature, then draw one index per column.

    Parameters
    ----------
    probs : ndarray of shape (n_y, m)
        Column i is a probability distribution (non-negative, sums to 1).
    temperature : float > 0
        Below 1 sharpens the distributions (towards the most likely index), above 1
        flattens them (towards uniform); 1 leaves them unchanged.
    rng : np.random.Generator or int seed
        An int is turned into ``np.random.default_rng(rng)``.

    Returns
    -------
    p : ndarray of shape (n_y, m)
        The reshaped distributions, ``p[k, i] ∝ probs[k, i] ** (1 / temperature)``
        (each column sums to 1).
    indices : ndarray of int of shape (m,)
        ``indices[i] = rng.choice(n_y, p=p[:, i])``, drawn for i = 0, 1, ..., m-1 in
        this order (so the same seed gives the same indices).

    Notes
    -----
    Lesson 09 (music generation).  With ``z = log probs``,
    ``p = softmax(z / temperature)``: dividing the logits by the temperature is the
    same as raising the probabilities to the power ``1 / temperature`` and
    renormalising.  This is what :func:`rnncourse.models.sample` does at every step.
    """
    fn = "sample_with_temperature"
    d = Dims(fn)
    probs = d.bind("probs", probs, ("n_y", "m"))
    if (probs < 0).any() or not np.allclose(probs.sum(axis=0), 1.0, atol=1e-6):
        raise ValueError(f"{fn}: every column of probs must be a distribution "
                         f"(non-negative, summing to 1)")
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float, np.floating)) \
            or not (np.isfinite(temperature) and temperature > 0):
        raise ValueError(f"{fn}: temperature must be a finite number > 0, got {temperature!r}")
    rng = as_rng(fn, rng)
    n_y, m = probs.shape
    with np.errstate(divide="ignore"):
        z = np.log(probs) / temperature                             # (n_y, m), -inf where p = 0
    z = z - z.max(axis=0, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=0, keepdims=True)                               # (n_y, m), columns sum to 1
    indices = np.array([rng.choice(n_y, p=p[:, i]) for i in range(m)], dtype=np.int64)
    return p, indices


# ----------------------------------------------------------------------------------------
# DNA sequence analysis: is the TATA box there, and where?

DNA_BASES = ("A", "C", "G", "T")
DNA_VOCAB = (PAD,) + DNA_BASES


def _contains(ids: np.ndarray, motif: np.ndarray) -> np.ndarray:
    """(m, T) bool: a copy of ``motif`` starts at (i, t)."""
    m, T = ids.shape
    k = motif.size
    hit = np.zeros((m, T), dtype=bool)
    if k <= T:
        windows = np.lib.stride_tricks.sliding_window_view(ids, k, axis=1)   # (m, T-k+1, k)
        hit[:, : T - k + 1] = (windows == motif).all(axis=2)
    return hit


def dna_motif_task(m: int, length: int = 24, *, rng, motif: str = "TATA", p_motif: float = 0.5,
                   per_base: bool = False, dtype=np.float64) -> SequenceData:
    """Random DNA with a planted motif: detect it (many-to-one) or mark its bases (per base).

    Each base is drawn uniformly from A, C, G, T.  With probability ``p_motif`` a
    copy of ``motif`` (the "TATA box" of promoters, by default) is written at a
    random position; the other sequences are redrawn until they hold no copy, so the
    label is exact.  The motif's letters are ordinary letters: only their *order*
    tells a motif from the same bases scattered around, so base counts (a bag of
    words) are a weak clue.

    Parameters
    ----------
    m : int
    length : int >= len(motif)
    rng : np.random.Generator or int seed
    motif : str of A/C/G/T
    p_motif : float in [0, 1]
    per_base : bool, default False
        False: ``y`` (m,) is 1 when the sequence holds the motif ("motif" / "no motif").
        True: ``y`` (m, T_x) is 1 on every base that belongs to a copy of the motif.
    dtype : float dtype of ``x``

    Returns
    -------
    SequenceData
        ``x`` (5, m, length) one-hot over ``("<pad>", "A", "C", "G", "T")``; ``mask`` None.
    """
    fn = "dna_motif_task"
    m = check_int(fn, "m", m, 1)
    if not isinstance(motif, str) or not motif or set(motif) - set(DNA_BASES):
        raise ValueError(f"{fn}: motif must be a non-empty string of A, C, G, T, got {motif!r}")
    length = check_int(fn, "length", length, len(motif))
    p_motif = _check_prob(fn, "p_motif", p_motif)
    rng = as_rng(fn, rng)
    code = np.array([DNA_VOCAB.index(b) for b in motif])
    k = code.size
    ids = rng.integers(1, 5, size=(m, length))
    planted = rng.random(m) < p_motif
    while True:  # sequences meant to be clean are redrawn until they hold no copy
        dirty = ~planted & _contains(ids, code).any(axis=1)
        if not dirty.any():
            break
        ids[dirty] = rng.integers(1, 5, size=(int(dirty.sum()), length))
    starts = rng.integers(0, length - k + 1, size=m)
    for i in np.flatnonzero(planted):
        ids[i, starts[i]: starts[i] + k] = code
    hit = _contains(ids, code)                                     # (m, T) copy starts here
    if per_base:
        covered = np.zeros((m, length), dtype=bool)
        for j in range(k):
            covered[:, j:] |= hit[:, : length - j]                 # base t is inside a copy
        y, names = covered.astype(np.int64), ("-", "motif")
    else:
        y, names = hit.any(axis=1).astype(np.int64), ("no motif", "motif")
    return _pack(ids, np.full(m, length), y, DNA_VOCAB, names, dtype, label_sep=" -> ")


# ----------------------------------------------------------------------------------------
# Machine translation (T_x != T_y): number words -> digits

_UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
          "seventeen", "eighteen", "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
GO, EOS = "<go>", "<eos>"
DIGITS = tuple("0123456789")
TRANSLATION_VOCAB = ((PAD, GO, EOS) + _UNITS + _TEENS + tuple(t for t in _TENS if t)
                     + ("hundred",) + DIGITS)


def number_words(k: int) -> str:
    """English words of ``0 <= k <= 999``: ``number_words(305) == "three hundred five"``."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= 999:
        raise ValueError(f"number_words: k must be an int in [0, 999], got {k!r}")
    k = int(k)
    words = []
    if k >= 100:
        words += [_UNITS[k // 100], "hundred"]
        k %= 100
        if k == 0:
            return " ".join(words)
    if k >= 20:
        words.append(_TENS[k // 10])
        if k % 10:
            words.append(_UNITS[k % 10])
    elif k >= 10:
        words.append(_TEENS[k - 10])
    else:
        words.append(_UNITS[k])
    return " ".join(words)


class TranslationData(NamedTuple):
    """Source/target pairs laid out for a model that reads the source, then writes.

    Row i of ``ids`` is ``<pad>... source <go> target`` -- the source *left*-padded so
    that every ``<go>`` sits at column ``go_step`` -- and row i of ``y`` is the next
    token at every step (the target ends with ``<eos>``).  Padding (``mask`` 0)
    changes no state and counts in no loss.

    Attributes
    ----------
    ids : ndarray of int of shape (m, T)
        Inputs, T = go_step + 1 + (longest target).
    y : ndarray of int of shape (m, T)
        Next-token targets (0 on padding).
    mask : ndarray of shape (m, T)
    vocab : tuple of str
        One vocabulary for both languages: ``<pad> <go> <eos>``, the words, the digits.
    sources, targets : tuple of str
        ``"three hundred five"`` and ``"305"``.
    go_step : int
        The column of ``<go>``: steps before it are the encoder, steps from it on the decoder.
    """

    ids: np.ndarray
    y: np.ndarray
    mask: np.ndarray
    vocab: tuple
    sources: tuple
    targets: tuple
    go_step: int

    def decode(self, i: int) -> str:
        """Example ``i`` as ``"three hundred five -> 305"``."""
        return f"{self.sources[i]} -> {self.targets[i]}"


def translation_task(numbers, *, dtype=np.float64) -> TranslationData:
    """Translate English number words into digits: ``"forty two" -> "42"``.

    A toy language pair with what makes translation a T_x != T_y problem: the
    lengths differ and do not follow word by word (``"fifteen"`` is one word and two
    digits, ``"three hundred"`` two words and three digits), and some target tokens
    come from no source word at all (the zeros of ``"305"``, written because the tens
    word is *missing*).  A word-by-word dictionary cannot do it; a model that reads
    the whole source before writing can.

    Parameters
    ----------
    numbers : sequence of int in [0, 999]
        Which numbers to include (split them into train and test sets first, so a
        test measures translation of numbers never seen).
    dtype : float dtype of ``mask``

    Returns
    -------
    TranslationData
    """
    fn = "translation_task"
    numbers = [int(k) for k in np.asarray(numbers).reshape(-1)]
    if not numbers:
        raise ValueError(f"{fn}: numbers must hold at least one number in [0, 999]")
    sources = [number_words(k) for k in numbers]
    targets = [str(k) for k in numbers]
    index = {w: i for i, w in enumerate(TRANSLATION_VOCAB)}
    src = [[index[w] for w in s.split(" ")] for s in sources]
    tgt = [[index[c] for c in t] + [index[EOS]] for t in targets]
    go_step = max(map(len, src))
    T = go_step + 1 + max(map(len, tgt)) - 1        # the last target token is never an input
    m = len(numbers)
    seq = np.zeros((m, T + 1), dtype=np.int64)      # inputs and targets, shifted by one
    real = np.zeros((m, T + 1), dtype=bool)
    for i, (s, t) in enumerate(zip(src, tgt)):
        row = s + [index[GO]] + t
        first = go_step - len(s)
        seq[i, first: first + len(row)] = row
        real[i, first: first + len(row)] = True
    keep = real[:, :-1] & real[:, 1:]               # (m, T) a real input with a real next token
    ids = np.where(keep, seq[:, :-1], 0)
    y = np.where(keep, seq[:, 1:], 0)
    mask = keep.astype(dtype)
    return TranslationData(ids, y, mask, TRANSLATION_VOCAB, tuple(sources), tuple(targets), go_step)


def greedy_translate(model, data: TranslationData, max_len: int | None = None) -> list[str]:
    """Translate every source of ``data`` with a trained model, taking the likeliest token.

    The model (a :class:`~rnncourse.models.Sequential` reading token ids and
    predicting the next one) reads ``<pad>... source <go>``; its prediction at the
    last step is appended to the input, and so on, for all examples at once, until
    ``<eos>`` or ``max_len`` tokens.  Nothing of the target is given: the decoder
    reads only its own output.

    Returns
    -------
    translations : list of str
        The tokens written before ``<eos>`` (digits, or any token the model chose).
    """
    fn = "greedy_translate"
    if not isinstance(data, TranslationData):
        raise TypeError(f"{fn}: data must be a TranslationData, got {type(data).__name__}")
    if max_len is None:
        max_len = data.ids.shape[1] - data.go_step
    max_len = check_int(fn, "max_len", max_len, 1)
    stop = data.vocab.index(EOS)
    ids = data.ids[:, : data.go_step + 1]                                    # (m, go_step + 1)
    mask = data.mask[:, : data.go_step + 1]
    m = ids.shape[0]
    out = np.zeros((m, max_len), dtype=np.int64)
    for t in range(max_len):
        k = model.predict(ids, mask)[:, :, -1].argmax(axis=0)              # (m,)
        out[:, t] = k
        ids = np.concatenate([ids, k[:, None]], axis=1)                    # (m, T + 1)
        mask = np.concatenate([mask, np.ones((m, 1), dtype=mask.dtype)], axis=1)
    texts = []
    for row in out:
        end = np.flatnonzero(row == stop)
        row = row[: end[0]] if end.size else row
        texts.append(decode_ids(row, data.vocab, sep=""))
    return texts


def exact_match_accuracy(y_pred, y_true, mask) -> float:
    """Fraction of sequences predicted exactly right on every real step.

    Parameters
    ----------
    y_pred, y_true : ndarray of int of shape (m, T_y)
        Predicted and true token ids.
    mask : ndarray of shape (m, T_y) of 0/1
        1 on the real steps of each target (its length may vary); the padded steps
        are ignored.

    Returns
    -------
    accuracy : float
        ``mean over i of [y_pred[i, t] == y_true[i, t] for every t with mask[i, t] = 1]``.
        A sequence with no real step counts as right.

    Notes
    -----
    Lesson 09 (machine translation).  Per-token accuracy forgives a translation with
    one wrong digit; exact match does not, and "305" vs "350" is exactly the kind of
    mistake that matters.
    """
    fn = "exact_match_accuracy"
    d = Dims(fn)
    y_pred = d.bind("y_pred", y_pred, ("m", "T_y"))
    y_true = d.bind("y_true", y_true, ("m", "T_y"))
    mask = d.bind("mask", mask, ("m", "T_y"))
    if not np.isin(mask, (0, 1)).all():
        raise ValueError(f"{fn}: mask must hold only 0 (padding) and 1 (real step)")
    wrong = (y_pred != y_true) & (mask > 0)                      # (m, T_y)
    return float(np.mean(~wrong.any(axis=1)))


# ----------------------------------------------------------------------------------------
# Frames of real-valued features: speech and video

class FrameData(NamedTuple):
    """Sequences of real-valued frames (audio spectra, joint positions) with labels.

    Attributes
    ----------
    x : ndarray of shape (n_x, m, T_x)
        One feature vector per frame.
    y : ndarray of int
        (m, T_x) one label per frame, or (m,) one per sequence.
    label_names : tuple of str
    feature_names : tuple of str
        Names of the n_x features.
    """

    x: np.ndarray
    y: np.ndarray
    label_names: tuple
    feature_names: tuple

    def decode(self, i: int, labels=None) -> str:
        """The labels of example ``i`` as text (``labels`` overrides ``y[i]``).

        Per-frame labels read as the frames' labels then the segments they form:
        ``"sil sil a a a s s -> sil a s"``.
        """
        lab = self.y[i] if labels is None else np.asarray(labels)
        if lab.ndim == 0:
            return self.label_names[int(lab)]
        names = [self.label_names[int(k)] for k in lab]
        segments = [w for j, w in enumerate(names) if j == 0 or w != names[j - 1]]
        return " ".join(names) + " -> " + " ".join(segments)


PHONEMES = ("sil", "a", "i", "u", "s", "m")
#: frequency bands of the synthetic spectrum, low to high
SPEECH_BANDS = 8
#: (band, strength) bumps of each phoneme's spectral template ("formants")
_FORMANTS = {"sil": (), "a": ((2, 1.0), (4, 0.8)), "i": ((1, 1.0), (6, 0.8)),
             "u": ((1, 1.0), (3, 0.8)), "s": ((6, 0.7), (7, 1.0)), "m": ((0, 1.0), (2, 0.5))}


def phoneme_templates(dtype=np.float64) -> np.ndarray:
    """The spectral template of each phoneme, ndarray of shape (SPEECH_BANDS, len(PHONEMES)).

    Column k is phoneme k's spectrum: Gaussian bumps (width one band) at its formant
    bands.  Neighbouring vowels share bands (``i`` and ``u`` both peak in band 1), so
    a noisy frame is often ambiguous on its own.
    """
    bands = np.arange(SPEECH_BANDS)
    out = np.zeros((SPEECH_BANDS, len(PHONEMES)), dtype=dtype)
    for k, name in enumerate(PHONEMES):
        for band, strength in _FORMANTS[name]:
            out[:, k] += strength * np.exp(-0.5 * (bands - band) ** 2)
    return out


def speech_task(m: int, T_x: int = 24, *, rng, noise: float = 0.5, min_frames: int = 3,
                max_frames: int = 6, dtype=np.float64) -> FrameData:
    """Synthetic "audio": noisy spectral frames of phonemes, to be labelled frame by frame.

    An utterance is a run of phonemes (never the same one twice in a row), each held
    for ``min_frames`` to ``max_frames`` frames; every frame is the phoneme's
    template (:func:`phoneme_templates`) times a random loudness in [0.7, 1.3], plus
    Gaussian noise of standard deviation ``noise``.  A single frame is often
    ambiguous, but a phoneme lasts several frames, so a model that pools evidence
    over neighbouring frames (a recurrent network, better a bidirectional one)
    labels far more frames right than one that looks at a frame alone.

    Returns
    -------
    FrameData
        ``x`` (SPEECH_BANDS, m, T_x), ``y`` (m, T_x) phoneme index per frame.
    """
    fn = "speech_task"
    m = check_int(fn, "m", m, 1)
    T_x = check_int(fn, "T_x", T_x, 1)
    lo = check_int(fn, "min_frames", min_frames, 1)
    hi = check_int(fn, "max_frames", max_frames, lo)
    if not (isinstance(noise, (int, float)) and noise >= 0):
        raise ValueError(f"{fn}: noise must be a number >= 0, got {noise!r}")
    rng = as_rng(fn, rng)
    K = len(PHONEMES)
    y = np.zeros((m, T_x), dtype=np.int64)
    for i in range(m):
        t, k = 0, int(rng.integers(K))
        while t < T_x:
            dur = int(rng.integers(lo, hi + 1))
            y[i, t: t + dur] = k
            t += dur
            k = (k + 1 + int(rng.integers(K - 1))) % K            # any other phoneme
    templates = phoneme_templates(np.float64)
    loud = rng.uniform(0.7, 1.3, size=(1, m, T_x))
    x = templates[:, y] * loud + noise * rng.standard_normal((SPEECH_BANDS, m, T_x))
    bands = tuple(f"band {b}" for b in range(SPEECH_BANDS))
    return FrameData(x.astype(dtype), y, PHONEMES, bands)


ACTIVITY_LABELS = ("waving", "raising arm", "lowering arm")


def activity_task(m: int, T_x: int = 16, *, rng, noise: float = 0.05,
                  dtype=np.float64) -> FrameData:
    """Synthetic "video": the hand of a stick figure, frame by frame; name the activity.

    The arm pivots at the shoulder; frame t shows the hand at
    ``(cos theta<t>, sin theta<t>)`` plus Gaussian noise of std ``noise``.  The
    activities differ only in how the angle *moves*:

    * ``waving``: ``theta<t> = c + A sin(w t + phi)``, a fast oscillation;
    * ``raising arm``: ``theta`` climbs steadily, ``theta<t> = c + v (t - (T_x-1)/2)``;
    * ``lowering arm``: the same, going down.

    Centres ``c``, phases and speeds are random, in ranges chosen so that the angles
    of single frames look alike in every class: raising and lowering are each other
    played backwards (identical frames, in the opposite order), and waving sweeps
    the same range.  One frame cannot tell the activities apart; the motion can.

    Returns
    -------
    FrameData
        ``x`` (2, m, T_x) hand coordinates, ``y`` (m,) activity index.
    """
    fn = "activity_task"
    m = check_int(fn, "m", m, 1)
    T_x = check_int(fn, "T_x", T_x, 2)
    if not (isinstance(noise, (int, float)) and noise >= 0):
        raise ValueError(f"{fn}: noise must be a number >= 0, got {noise!r}")
    rng = as_rng(fn, rng)
    y = rng.integers(0, len(ACTIVITY_LABELS), size=m)
    t = np.arange(T_x)[None, :] - (T_x - 1) / 2                     # (1, T_x), centred time
    c = rng.uniform(0.4, 1.2, size=(m, 1))                          # (m, 1) centre angle
    amp = rng.uniform(0.35, 0.5, size=(m, 1))                       # half the sweep
    omega = rng.uniform(1.2, 2.0, size=(m, 1))                      # radians per frame
    phi = rng.uniform(0, 2 * np.pi, size=(m, 1))
    wave = c + amp * np.sin(omega * t + phi)
    ramp = c + (2 * amp / (T_x - 1)) * t                            # sweeps c - amp .. c + amp
    theta = np.where((y == 0)[:, None], wave, np.where((y == 1)[:, None], ramp, 2 * c - ramp))
    x = np.stack([np.cos(theta), np.sin(theta)])                    # (2, m, T_x)
    x = x + noise * rng.standard_normal(x.shape)
    return FrameData(x.astype(dtype), y.astype(np.int64), ACTIVITY_LABELS, ("hand x", "hand y"))
