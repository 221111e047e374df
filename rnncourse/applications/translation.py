"""Machine translation (T_x != T_y): number words -> digits.

"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validate import Dims, check_int
from ..data import PAD, decode_ids


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
# Lesson 11: a language whose word order differs from digit order, for a true encoder-decoder

SRC_VOCAB = (PAD,) + _UNITS[1:] + ("zero",) + _TEENS + tuple(t for t in _TENS if t) + ("hundred", "and")
TGT_VOCAB = (PAD, GO, EOS) + DIGITS


def number_words_units_first(k: int) -> str:
    """Number words with the units *before* the tens, as German says them: 325 ->
    ``"three hundred five and twenty"`` (dreihundertfünfundzwanzig).

    Hundreds come first, as in English; a two-digit rest ``t u`` with ``t >= 2`` and
    ``u > 0`` is read ``"<u> and <tens>"``; everything else reads as in English
    (``"twenty"``, ``"fifteen"``, ``"three hundred five"``).
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= 999:
        raise ValueError(f"number_words_units_first: k must be an int in [0, 999], got {k!r}")
    k = int(k)
    words = [_UNITS[k // 100], "hundred"] if k >= 100 else []
    rest = k % 100
    if k >= 100 and rest == 0:
        return " ".join(words)
    if rest >= 20 and rest % 10:
        words += [_UNITS[rest % 10], "and", _TENS[rest // 10]]
    else:
        words.append(number_words(rest))
    return " ".join(words)


class Seq2SeqData(NamedTuple):
    """Source and target sequences for an encoder-decoder, padded, with masks.

    Attributes
    ----------
    src_ids : ndarray of int of shape (m, T_x)
        Source words, padded at the end with 0.
    src_mask : ndarray of shape (m, T_x)
        1 on real source words.
    tgt_in : ndarray of int of shape (m, T_y)
        The decoder's teacher-forced inputs: ``<go>`` then the target shifted right.
    tgt_out : ndarray of int of shape (m, T_y)
        What the decoder must write at each step: the target digits, then ``<eos>``.
    tgt_mask : ndarray of shape (m, T_y)
        1 on the real target steps (up to and including ``<eos>``).
    src_vocab, tgt_vocab : tuple of str
    sources, targets : tuple of str
        ``"three hundred five and twenty"`` and ``"325"``.
    """

    src_ids: np.ndarray
    src_mask: np.ndarray
    tgt_in: np.ndarray
    tgt_out: np.ndarray
    tgt_mask: np.ndarray
    src_vocab: tuple
    tgt_vocab: tuple
    sources: tuple
    targets: tuple

    def decode_target(self, ids) -> str:
        """Target ids (T_y,) as text, up to the first ``<eos>`` (``"325"``)."""
        out = []
        for k in np.asarray(ids).reshape(-1):
            if self.tgt_vocab[int(k)] in (EOS, PAD):
                break
            out.append(self.tgt_vocab[int(k)])
        return "".join(out)


def units_first_task(numbers, *, dtype=np.float64) -> Seq2SeqData:
    """Translate units-first number words into digits: ``"five and twenty" -> "25"``.

    The digits of ``"three hundred five and twenty"`` come out in the order 3, 2, 5,
    while the words say 3, 5, 2: the decoder must write a digit (the tens) whose word
    comes *later* in the source, so it has to have read the whole source first -- the
    case for an encoder.  And the zeros of ``"305"`` or ``"20"`` come from no word.

    Parameters
    ----------
    numbers : sequence of int in [0, 999]
        Split them into training and test numbers first: a test then measures the
        translation of numbers never seen.

    Returns
    -------
    Seq2SeqData
        T_x = 5 (the longest source), T_y = 4 (three digits and ``<eos>``).
    """
    fn = "units_first_task"
    numbers = [int(k) for k in np.asarray(numbers).reshape(-1)]
    if not numbers:
        raise ValueError(f"{fn}: numbers must hold at least one number in [0, 999]")
    sources = [number_words_units_first(k) for k in numbers]
    targets = [str(k) for k in numbers]
    s_index = {w: i for i, w in enumerate(SRC_VOCAB)}
    t_index = {w: i for i, w in enumerate(TGT_VOCAB)}
    m, T_x, T_y = len(numbers), 5, 4
    src = np.zeros((m, T_x), dtype=np.int64)
    src_mask = np.zeros((m, T_x), dtype=dtype)
    tgt_in = np.zeros((m, T_y), dtype=np.int64)
    tgt_out = np.zeros((m, T_y), dtype=np.int64)
    tgt_mask = np.zeros((m, T_y), dtype=dtype)
    for i, (s, t) in enumerate(zip(sources, targets)):
        words = [s_index[w] for w in s.split()]
        src[i, : len(words)] = words
        src_mask[i, : len(words)] = 1
        out = [t_index[c] for c in t] + [t_index[EOS]]
        tgt_out[i, : len(out)] = out
        tgt_in[i, : len(out)] = [t_index[GO]] + out[:-1]
        tgt_mask[i, : len(out)] = 1
    return Seq2SeqData(src, src_mask, tgt_in, tgt_out, tgt_mask, SRC_VOCAB, TGT_VOCAB,
                       tuple(sources), tuple(targets))


#: what each word means on its own, for :func:`word_by_word`
_WORD_DIGITS = {**{w: str(d) for d, w in enumerate(_UNITS)},
                **{w: "1" + str(d) for d, w in enumerate(_TEENS)},
                **{w: str(d) for d, w in enumerate(_TENS) if w}, "hundred": "", "and": ""}


def word_by_word(source: str) -> str:
    """The baseline: translate every word on its own, in source order, and join the pieces.

    ``"forty two" -> "42"`` (right), ``"two and forty" -> "24"`` (wrong: no reordering),
    ``"three hundred five" -> "35"`` (wrong: the zero comes from no word).  It is what a
    model without an encoder -- one output per input word, nothing carried -- can do.
    """
    if not isinstance(source, str):
        raise TypeError(f"word_by_word: source must be a str, got {type(source).__name__}")
    unknown = [w for w in source.split() if w not in _WORD_DIGITS]
    if unknown:
        raise ValueError(f"word_by_word: unknown words {unknown} in {source!r}")
    return "".join(_WORD_DIGITS[w] for w in source.split())


def token_accuracy(y_pred, y_true, mask) -> float:
    """Fraction of real target steps (``mask`` 1) predicted right, over all sequences.

    Shapes as :func:`exact_match_accuracy`: (m, T_y) each.  Forgiving where exact match
    is strict: ``"352"`` for ``"325"`` has 2 of its 4 steps (with ``<eos>``) right.
    """
    fn = "token_accuracy"
    d = Dims(fn)
    y_pred = d.bind("y_pred", y_pred, ("m", "T_y"))
    y_true = d.bind("y_true", y_true, ("m", "T_y"))
    mask = d.bind("mask", mask, ("m", "T_y"))
    if not np.isin(mask, (0, 1)).all():
        raise ValueError(f"{fn}: mask must hold only 0 (padding) and 1 (real step)")
    if mask.sum() == 0:
        raise ValueError(f"{fn}: mask has no real step")
    return float(((y_pred == y_true) * mask).sum() / mask.sum())


def spelled_digits_task(m: int, *, rng, min_len: int = 2, max_len: int = 10,
                        dtype=np.float64) -> Seq2SeqData:
    """Digit strings spelled out word by word, to be written as digits: ``"three one four" -> "314"``.

    No reordering and no missing words: what makes it hard is only its **length**.  An
    encoder-decoder must squeeze all ``T_x`` digits into its summary ``a<T_x>`` before
    writing the first one, so its accuracy falls as sources get longer -- the
    bottleneck that attention removes.  Lengths are uniform in [min_len, max_len].

    Returns
    -------
    Seq2SeqData
        Source vocabulary :data:`SRC_VOCAB` (only the unit words occur), target
        :data:`TGT_VOCAB`; T_x = max_len, T_y = max_len + 1.
    """
    fn = "spelled_digits_task"
    from .._validate import as_rng

    m = check_int(fn, "m", m, 1)
    lo = check_int(fn, "min_len", min_len, 1)
    hi = check_int(fn, "max_len", max_len, lo)
    rng = as_rng(fn, rng)
    s_index = {w: i for i, w in enumerate(SRC_VOCAB)}
    t_index = {w: i for i, w in enumerate(TGT_VOCAB)}
    src = np.zeros((m, hi), dtype=np.int64)
    src_mask = np.zeros((m, hi), dtype=dtype)
    tgt_in = np.zeros((m, hi + 1), dtype=np.int64)
    tgt_out = np.zeros((m, hi + 1), dtype=np.int64)
    tgt_mask = np.zeros((m, hi + 1), dtype=dtype)
    sources, targets = [], []
    for i in range(m):
        digits = rng.integers(0, 10, size=int(rng.integers(lo, hi + 1)))
        n = digits.size
        sources.append(" ".join(_UNITS[d] for d in digits))
        targets.append("".join(str(d) for d in digits))
        src[i, :n] = [s_index[_UNITS[d]] for d in digits]
        src_mask[i, :n] = 1
        out = [t_index[str(d)] for d in digits] + [t_index[EOS]]
        tgt_out[i, : n + 1] = out
        tgt_in[i, : n + 1] = [t_index[GO]] + out[:-1]
        tgt_mask[i, : n + 1] = 1
    return Seq2SeqData(src, src_mask, tgt_in, tgt_out, tgt_mask, SRC_VOCAB, TGT_VOCAB,
                       tuple(sources), tuple(targets))
