"""Exercises of assignment ``13_music`` (lesson 13).

Two pieces of the note-level language model of Bach's chorale melodies:
``encode_melodies`` (melodies of MIDI pitches to the start/end-marked token sequences a
model reads and predicts, padded, with their mask) and ``bigram_log_likelihood`` (the
held-out score of the add-one-smoothed bigram baseline the model is judged against).
The references are in :mod:`rnncourse.applications.chorales`.  The recipe for adding an
exercise is in :mod:`rnncourse.grading.exercises`.
"""

from __future__ import annotations

import numpy as np

from ...applications.chorales import bigram_log_likelihood, encode_melodies
from . import Case, Exercise, draw_dims, expect_sequence, integer_array, one_number

ASSIGNMENT = "13_music"
#: library modules a learner may import in this assignment (numpy is enough)
LEARNER_MODULES = ()


def _pitch_lists(rng: np.random.Generator, m: int, longest: int, low: int, high: int) -> list:
    """m melodies of 1 .. longest MIDI pitches (one of them exactly ``longest``), a few
    of them outside [low, high] so that clipping matters."""
    lengths = rng.integers(1, longest + 1, size=m)
    lengths[rng.integers(m)] = longest
    return [rng.integers(low - 3, high + 4, size=n) for n in lengths]


def _cases_encode_melodies(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("m", "T"), low=3, high=9)
    low = int(rng.integers(48, 64))
    high = low + int(rng.integers(4, 12))
    pitches = _pitch_lists(rng, dims["m"], dims["T"] - 1, low, high)
    return Case((pitches, low, high), dims)


def _split_encode_melodies(value) -> dict:
    x, y, mask = expect_sequence(value, 3, "encode_melodies must return the tuple (x, y, mask)")
    out = {"x": integer_array(x, "x", "(m, T)"), "y": integer_array(y, "y", "(m, T)")}
    if isinstance(mask, np.ndarray) and mask.dtype.kind in "iub":
        mask = mask.astype(np.float64)          # 0/1 integers are the same mask
    out["mask"] = mask
    return out


def _cases_bigram_log_likelihood(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("m_train", "m_test", "n_tokens"), low=3, high=9)
    low = 60
    high = low + dims["n_tokens"] - 2
    train = encode_melodies(_pitch_lists(rng, dims["m_train"], 8, low, high), low, high)
    test = encode_melodies(_pitch_lists(rng, dims["m_test"], 6, low, high), low, high)
    return Case((train, test, dims["n_tokens"]), dims)


def _split_bigram_log_likelihood(value) -> dict:
    return {"log_likelihood": one_number(
        value, "bigram_log_likelihood must return one number (a float)")}


# ---- diagnoses: known wrong variants of the references (see Exercise.diagnoses) ----

def _encode(pitches, low, high, *, end=True, shift=1, clip=True, mask_end=True):
    """A learner's encoding, with one known mistake switched off or on."""
    rows = [(np.clip(p, low, high) if clip else np.asarray(p)) - low + shift for p in pitches]
    T = max(len(r) for r in rows) + (1 if end else 0)
    x, y, mask = (np.zeros((len(rows), T), dtype=np.int64) for _ in range(3))
    for i, r in enumerate(rows):
        n = len(r)
        if end:
            x[i, 1: n + 1], y[i, :n] = r, r
        else:
            x[i, 1:n], y[i, :n] = r[:-1], r
        mask[i, : n + (1 if end and mask_end else 0)] = 1
    return x, y, mask.astype(np.float64)


def _bigram(train, test, n_tokens, *, padding=False, joint=False, per_melody=False):
    x, y, mask = (np.asarray(a) for a in train)
    real = np.ones(x.shape, dtype=bool) if padding else np.asarray(mask) > 0
    counts = np.zeros((n_tokens, n_tokens))
    np.add.at(counts, (x[real], y[real]), 1.0)
    if joint:
        p = (counts + 1.0) / (counts.sum() + n_tokens ** 2)
    else:
        p = (counts + 1.0) / (counts.sum(axis=1, keepdims=True) + n_tokens)
    xt, yt, mt = (np.asarray(a) for a in test)
    logp = np.log(p[xt, yt])
    if per_melody:
        return float(np.mean([logp[i][mt[i] > 0].mean() for i in range(len(xt))]))
    return float(logp[mt > 0].mean())


EXERCISES = (
    Exercise(
        name="encode_melodies", points=4, reference=encode_melodies,
        make_case=_cases_encode_melodies, split=_split_encode_melodies,
        signature="encode_melodies(pitches, low, high) -> (x, y, mask)",
        arg_names=("pitches", "low", "high"), rtol=0.0, atol=0.0,
        diagnoses=(
            ("leaves out the end: y ends every melody with token 0, one step after its last "
             "note, so T is the longest melody's length + 1",
             lambda p, lo, hi: _encode(p, lo, hi, end=False)),
            ("numbers the pitches from 0: pitch p is token 1 + p - low, because token 0 is "
             "the start and the end", lambda p, lo, hi: _encode(p, lo, hi, shift=0)),
            ("does not clip: a pitch below low or above high becomes the token of low or high "
             "(np.clip)", lambda p, lo, hi: _encode(p, lo, hi, clip=False)),
            ("leaves the end step out of the mask: a melody of n notes has n + 1 real steps",
             lambda p, lo, hi: _encode(p, lo, hi, mask_end=False)),
        ),
        hints={
            ("x", ("T", "m")): "one row per melody: x, y and mask have shape (m, T)",
        },
    ),
    Exercise(
        name="bigram_log_likelihood", points=4, reference=bigram_log_likelihood,
        make_case=_cases_bigram_log_likelihood, split=_split_bigram_log_likelihood,
        signature="bigram_log_likelihood(train, test, n_tokens) -> float",
        arg_names=("train", "test", "n_tokens"), rtol=1e-9, atol=1e-12,
        diagnoses=(
            ("counts the padding: only the training steps where mask is 1 are pairs",
             lambda tr, te, n: _bigram(tr, te, n, padding=True)),
            ("divides by all pairs: p(b | a) divides by the count of pairs starting with a "
             "(its row) plus n_tokens", lambda tr, te, n: _bigram(tr, te, n, joint=True)),
            ("averages per melody: the mean runs over every real step of test at once",
             lambda tr, te, n: _bigram(tr, te, n, per_melody=True)),
        ),
    ),
)
