"""Sentiment classification (many-to-one): negation and "but" make word order matter.

Lesson 09, section 1: the generator, and (in :mod:`.windows`) the bag-of-words baseline.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validate import as_rng, check_int, check_token_ids
from ..data import PAD, SequenceData, _pack
from ._common import _check_prob


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


def review_classifier_forward(ids, mask, params) -> np.ndarray:
    """Many-to-one forward of a plain RNN over padded reviews: the sentiment of each review.

    Parameters
    ----------
    ids : ndarray of int of shape (m, T_x)
        Word ids (one-hot inputs ``x<t>`` written as ids: ``W_ax x<t> = W_ax[:, ids[:, t]]``).
    mask : ndarray of shape (m, T_x) of 0/1
        1 on real words; padded steps (0) leave the state unchanged.
    params : dict
        ``Wax`` (n_a, n_vocab), ``Waa`` (n_a, n_a), ``ba`` (n_a, 1), ``Wya`` (n_y, n_a),
        ``by`` (n_y, 1).

    Returns
    -------
    y_hat : ndarray of shape (n_y, m)
        ``softmax(W_ya a<T_x> + b_y)`` with ``a<t> = tanh(W_aa a<t-1> + W_ax x<t> + b_a)``,
        ``a<0> = 0``: one prediction per review, from its last real state.
    """
    fn = "review_classifier_forward"
    from .._validate import Dims
    from ..activations import softmax

    d = Dims(fn)
    Wax = d.bind("params['Wax']", params["Wax"], ("n_a", "n_vocab"))
    Waa = d.bind("params['Waa']", params["Waa"], ("n_a", "n_a"))
    ba = d.bind("params['ba']", params["ba"], ("n_a", 1))
    Wya = d.bind("params['Wya']", params["Wya"], ("n_y", "n_a"))
    by = d.bind("params['by']", params["by"], ("n_y", 1))
    check_token_ids(fn, ids, d["n_vocab"], shape="(m, T_x)")
    mask = d.bind("mask", mask, ("m", "T_x"))
    if mask.shape != ids.shape:
        raise ValueError(f"{fn}: mask must have the shape of ids {ids.shape}, got {mask.shape}")
    m, T_x = ids.shape
    a = np.zeros((d["n_a"], m), dtype=Wax.dtype)
    for t in range(T_x):
        a_new = np.tanh(Waa @ a + Wax[:, ids[:, t]] + ba)            # (n_a, m)
        a = np.where(mask[:, t][None, :] > 0, a_new, a)              # padding keeps the state
    return softmax(Wya @ a + by)                                     # (n_y, m)
