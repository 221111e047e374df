"""Exercises of assignment ``09_applications`` (lesson 09).

Six pieces the applications of lesson 09 are built from, each a small function with
an exact contract: ``review_classifier_forward`` (sentiment classification: the
many-to-one forward pass of a plain RNN over padded reviews, the recurrence written by
the learner), ``sample_with_temperature`` (music generation: reshape a predicted
distribution with a temperature and draw from it, reproducibly from a seed),
``bag_of_words`` (the order-blind baseline of sentiment classification),
``exact_match_accuracy`` (how machine translation is scored), ``kmer_counts`` (DNA
sequence analysis: the counts of every k consecutive bases, the baseline that spots a
motif) and ``frame_differences`` (video activity recognition: each frame with its
motion since the previous one, the classic cheap feature of video).  The references
are in :mod:`rnncourse.applications`.  The recipe for adding an exercise is in
:mod:`rnncourse.grading.exercises`.
"""

from __future__ import annotations

import numpy as np

from ...activations import softmax
from ...applications import (bag_of_words, exact_match_accuracy, frame_differences,
                             kmer_counts, review_classifier_forward, sample_with_temperature)
from . import Case, Exercise, StructureError, draw_dims, expect_sequence, integer_array

ASSIGNMENT = "09_applications"
#: library modules a learner may import in this assignment (the sandbox exposes only these)
LEARNER_MODULES = ("activations",)


def _as_float(name: str, value, what: str):
    """Integer arrays compared as floats (exact for small ints); other kinds left to the judge."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iub":
            return value.astype(np.float64)
        if value.dtype.kind != "f":
            raise StructureError(f"{name} must be {what}, got an array of dtype {value.dtype}")
    return value


def _cases_review_classifier_forward(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_vocab", "n_a", "m", "T_x"), low=3, high=9)
    n_v, n_a, m, T = dims["n_vocab"], dims["n_a"], dims["m"], dims["T_x"]
    dims["n_y"] = 2
    ids = rng.integers(1, n_v, size=(m, T))
    lengths = rng.integers(1, T + 1, size=m)
    lengths[0] = max(1, T - 2)                                      # at least one padded review
    mask = (np.arange(T)[None, :] < lengths[:, None]).astype(np.float64)   # (m, T_x)
    ids[mask == 0] = 0
    params = {
        "Wax": rng.standard_normal((n_a, n_v)), "Waa": rng.standard_normal((n_a, n_a)) / np.sqrt(n_a),
        "ba": 0.5 * rng.standard_normal((n_a, 1)), "Wya": rng.standard_normal((2, n_a)),
        "by": 0.5 * rng.standard_normal((2, 1)),
    }
    return Case((ids, mask, params), dims)


def _split_review_classifier_forward(value) -> dict:
    return {"y_hat": value}


def _cases_sample_with_temperature(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_y", "m"))
    logits = 2.0 * rng.standard_normal((dims["n_y"], dims["m"]))
    probs = softmax(logits)                                         # (n_y, m), columns sum to 1
    temperature = float(rng.choice([0.3, 0.5, 0.8, 1.5, 2.0, 3.0]))
    seed = int(rng.integers(2**31))
    return Case((probs, temperature, seed), dims)


def _split_sample_with_temperature(value) -> dict:
    p, indices = expect_sequence(
        value, 2, "sample_with_temperature must return the pair (p, indices)")
    return {"p": p, "indices": integer_array(indices, "indices", "(m,)")}


def _cases_bag_of_words(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_vocab", "m", "T_x"))
    n, m, T = dims["n_vocab"], dims["m"], dims["T_x"]
    ids = rng.integers(1, n, size=(m, T))
    lengths = rng.integers(1, T + 1, size=m)                        # padded at the end with 0
    ids[np.arange(T)[None, :] >= lengths[:, None]] = 0
    return Case((ids, n), dims)


def _split_bag_of_words(value) -> dict:
    return {"counts": _as_float("counts", value, "an array of counts")}


def _cases_exact_match_accuracy(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("m", "T_y"), low=3, high=9)
    m, T = dims["m"], dims["T_y"]
    y_true = rng.integers(0, 10, size=(m, T))
    lengths = rng.integers(1, T + 1, size=m)
    mask = (np.arange(T)[None, :] < lengths[:, None]).astype(np.float64)   # (m, T_y)
    y_pred = y_true.copy()
    for i in range(m):
        kind = rng.integers(3)      # 0: right, 1: wrong on a real step, 2: wrong on padding only
        if kind == 1:
            t = rng.integers(lengths[i])
            y_pred[i, t] = (y_true[i, t] + 1 + rng.integers(9)) % 10
        elif kind == 2 and lengths[i] < T:
            y_pred[i, lengths[i]:] = (y_true[i, lengths[i]:] + 1) % 10
    return Case((y_pred, y_true, mask), dims)


def _split_exact_match_accuracy(value) -> dict:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        if isinstance(value, np.ndarray) and value.shape == ():
            value = value[()]                  # a numpy float (np.mean) crosses as a 0-d array
        elif isinstance(value, np.ndarray) and value.size == 1:
            raise StructureError(f"exact_match_accuracy must return one float, got an array of "
                                 f"shape {value.shape}: return float(...) of it")
        else:
            kind = f"an array of shape {value.shape}" if isinstance(value, np.ndarray) else type(value).__name__
            raise StructureError(f"exact_match_accuracy must return one number (a float), got {kind}")
    return {"accuracy": np.array([float(value)])}


#: (n_symbols, k) of the k-mer cases: n_symbols ** k rows, never a size of m or T_x (3..9)
_KMER_SIZES = ((11, 1), (4, 2), (5, 2), (3, 3), (2, 4))


def _cases_kmer_counts(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("m", "T_x"), low=3, high=9)
    m, T = dims["m"], dims["T_x"]
    n, k = _KMER_SIZES[rng.integers(len(_KMER_SIZES))]
    dims["n_kmers"] = n ** k
    ids = rng.integers(1, n + 1, size=(m, T))                      # symbols 1 .. n_symbols
    lengths = rng.integers(1, T + 1, size=m)                        # padded at the end with 0
    lengths[0] = max(1, T - 2)                                      # at least one padded row
    ids[np.arange(T)[None, :] >= lengths[:, None]] = 0
    if k > 1:
        ids[-1, : lengths[-1]] = ids[-1, 0]                         # a repeated k-mer: counts > 1
    return Case((ids, k, n), dims)


def _split_kmer_counts(value) -> dict:
    return {"counts": _as_float("counts", value, "an array of counts")}


def _cases_frame_differences(rng: np.random.Generator) -> Case:
    dims = draw_dims(rng, ("n_x", "m", "T_x"))
    x = rng.standard_normal((dims["n_x"], dims["m"], dims["T_x"]))
    return Case((x,), dims)


def _split_frame_differences(value) -> dict:
    return {"features": value}


# ---- diagnoses: known wrong variants of the references (see Exercise.diagnoses) ----

def _review_on_padding(ids, mask, params):
    return review_classifier_forward(ids, np.ones_like(mask), params)

def _sample_times(probs, temperature, rng):
    rng = np.random.default_rng(rng)
    p = softmax(np.log(probs) * temperature)
    return p, np.array([rng.choice(p.shape[0], p=p[:, i]) for i in range(p.shape[1])])


def _bag_with_padding(ids, n_vocab):
    counts = np.zeros((n_vocab, ids.shape[0], 1))
    for i, row in enumerate(np.asarray(ids)):
        np.add.at(counts[:, i, 0], row, 1.0)
    return counts


def _kmers(ids, k, n_symbols, *, first_digit_least=False, padding=False, presence=False):
    """A learner's k-mer counts, with one of three known mistakes switched on."""
    ids = np.asarray(ids)
    m, T = ids.shape
    digits = n_symbols ** np.arange(k) if first_digit_least else n_symbols ** np.arange(k - 1, -1, -1)
    counts = np.zeros((n_symbols ** k, m, 1))
    for i in range(m):
        for t in range(T - k + 1):
            window = ids[i, t: t + k]
            if (window == 0).any() and not padding:
                continue
            row = int(np.dot(window - 1, digits))                   # with padding: may wrap
            counts[row, i, 0] = 1 if presence else counts[row, i, 0] + 1
    return counts


def _kmer_with_padding(ids, k, n_symbols):
    return _kmers(ids, k, n_symbols, padding=True)


def _kmer_first_digit_least(ids, k, n_symbols):
    return _kmers(ids, k, n_symbols, first_digit_least=True)


def _kmer_presence(ids, k, n_symbols):
    return _kmers(ids, k, n_symbols, presence=True)


def _differences_from_zero(x):
    return np.concatenate([x, np.diff(x, axis=2, prepend=0.0)], axis=0)


def _differences_backwards(x):
    return np.concatenate([x, -np.diff(x, axis=2, prepend=x[:, :, :1])], axis=0)


def _differences_wrapped(x):
    return np.concatenate([x, x - np.roll(x, 1, axis=2)], axis=0)


def _per_token(y_pred, y_true, mask):
    return float(np.sum((y_pred == y_true) * mask) / np.sum(mask))


def _unmasked(y_pred, y_true, mask):
    return float(np.mean(np.all(y_pred == y_true, axis=1)))


EXERCISES = (
    Exercise(
        name="review_classifier_forward", points=5, reference=review_classifier_forward,
        make_case=_cases_review_classifier_forward, split=_split_review_classifier_forward,
        signature="review_classifier_forward(ids, mask, params) -> y_hat",
        arg_names=("ids", "mask", "params"),
        diagnoses=(("runs the cell on padded steps: where mask is 0 the state must stay "
                    "unchanged (np.where)", _review_on_padding),),
        hints={
            ("y_hat", ("n_y", "m", "T_x")): "many-to-one: predict once, from the last state "
                                            "a<T_x>, so y_hat has shape (n_y, m)",
            ("y_hat", ("m", "n_y")): "column convention: y_hat has one column per review, "
                                     "shape (n_y, m)",
        },
    ),
    Exercise(
        name="sample_with_temperature", points=4, reference=sample_with_temperature,
        make_case=_cases_sample_with_temperature, split=_split_sample_with_temperature,
        signature="sample_with_temperature(probs, temperature, rng) -> (p, indices)",
        arg_names=("probs", "temperature", "rng"),
        diagnoses=(
            ("multiplies log(probs) by the temperature: divide by it, softmax(log(probs) / "
             "temperature)", _sample_times),
        ),
        hints={
            ("p", ("m", "n_y")): "keep the column convention: p has one column per example, "
                                 "shape (n_y, m)",
        },
    ),
    Exercise(
        name="bag_of_words", points=3, reference=bag_of_words,
        make_case=_cases_bag_of_words, split=_split_bag_of_words,
        signature="bag_of_words(ids, n_vocab) -> counts",
        arg_names=("ids", "n_vocab"),
        diagnoses=(("counts the padding (id 0): row 0 must stay all zeros", _bag_with_padding),),
        hints={
            ("counts", ("n_vocab", "m")): "add a time axis of length 1: counts has shape "
                                          "(n_vocab, m, 1) (counts[:, :, None])",
            ("counts", ("m", "n_vocab", 1)): "column convention: counts has shape (n_vocab, m, 1)",
        },
    ),
    Exercise(
        name="exact_match_accuracy", points=3, reference=exact_match_accuracy,
        make_case=_cases_exact_match_accuracy, split=_split_exact_match_accuracy,
        signature="exact_match_accuracy(y_pred, y_true, mask) -> float",
        arg_names=("y_pred", "y_true", "mask"),
        diagnoses=(
            ("computes the per-token accuracy: a sequence counts only when every real step "
             "is right", _per_token),
            ("ignores the mask: padded steps (mask 0) do not count, whatever y_pred holds there",
             _unmasked),
        ),
        rtol=1e-9, atol=1e-12,
    ),
    Exercise(
        name="kmer_counts", points=4, reference=kmer_counts,
        make_case=_cases_kmer_counts, split=_split_kmer_counts,
        signature="kmer_counts(ids, k, n_symbols) -> counts",
        arg_names=("ids", "k", "n_symbols"),
        diagnoses=(
            ("counts windows that reach into the padding (id 0): only windows of k real "
             "symbols count", _kmer_with_padding),
            ("numbers the k-mers with the first symbol as the lowest digit: row = "
             "sum_j (s_j - 1) * n_symbols ** (k - 1 - j), the first symbol the highest "
             "digit, as in a written number", _kmer_first_digit_least),
            ("marks whether each k-mer occurs (0 or 1): count how many times it occurs",
             _kmer_presence),
        ),
        hints={
            ("counts", ("n_kmers", "m")): "add a time axis of length 1: counts has shape "
                                          "(n_symbols ** k, m, 1) (counts[:, :, None])",
            ("counts", ("m", "n_kmers", 1)): "column convention: counts has shape "
                                             "(n_symbols ** k, m, 1)",
            ("counts", ("m", "n_kmers")): "column convention: counts has shape "
                                          "(n_symbols ** k, m, 1)",
        },
    ),
    Exercise(
        name="frame_differences", points=3, reference=frame_differences,
        make_case=_cases_frame_differences, split=_split_frame_differences,
        signature="frame_differences(x) -> features",
        arg_names=("x",),
        diagnoses=(
            ("takes the difference at t = 0 against zeros: no frame comes before the first, "
             "so its motion is 0 (x<0> - x<0>)", _differences_from_zero),
            ("subtracts the wrong way round: the motion is x<t> - x<t-1>",
             _differences_backwards),
            ("wraps around (np.roll brings the last frame before the first): the difference "
             "at t = 0 is 0", _differences_wrapped),
        ),
        hints={
            ("features", ("n_x", "m", "T_x")): "stack the frames over their differences: "
                                               "features has 2 n_x rows, shape (2 n_x, m, T_x) "
                                               "(np.concatenate([x, d], axis=0))",
        },
    ),
)
