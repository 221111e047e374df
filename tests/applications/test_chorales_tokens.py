"""encode_melodies and bigram_log_likelihood (rnncourse.applications.chorales), on melodies
written by hand."""

import numpy as np
import pytest

from rnncourse.applications.chorales import bigram_log_likelihood, encode_melodies


def test_encode_marks_start_and_end_pads_and_clips():
    x, y, mask = encode_melodies([[60, 62, 64], [70], np.array([50, 99])], 57, 88)
    assert x.shape == y.shape == mask.shape == (3, 4) and x.dtype.kind == y.dtype.kind == "i"
    assert x.tolist() == [[0, 4, 6, 8], [0, 14, 0, 0], [0, 1, 32, 0]]
    assert y.tolist() == [[4, 6, 8, 0], [14, 0, 0, 0], [1, 32, 0, 0]]   # clipped to 57 and 88
    assert mask.tolist() == [[1, 1, 1, 1], [1, 1, 0, 0], [1, 1, 1, 0]]
    # the target of every real step but the last is the next step's input
    steps = mask.sum(axis=1).astype(int)
    assert all((y[i, :n - 1] == x[i, 1:n]).all() for i, n in enumerate(steps))


@pytest.mark.parametrize("args, message", [
    (([], 57, 88), "pitches must be a non-empty list"),
    (([[60], []], 57, 88), r"pitches\[1\] must be a non-empty 1-D sequence of int"),
    (([[60.5]], 57, 88), r"pitches\[0\] must be .* dtype float64"),
    (([[60]], 88, 57), "high must be >= low, got low = 88 and high = 57"),
])
def test_encode_bad_input(args, message):
    with pytest.raises(ValueError, match=f"encode_melodies: {message}"):
        encode_melodies(*args)


def test_bigram_is_the_add_one_conditional_of_the_training_pairs():
    train = encode_melodies([[60, 61, 60, 61]], 60, 61)        # tokens 1, 2; n_tokens = 3
    test = encode_melodies([[60, 61]], 60, 61)
    # training pairs (0,1) (1,2) (2,1) (1,2) (2,0): row 1 = [0, 0, 2], row 0 = [0, 1, 0]
    p = {(0, 1): 2 / 4, (1, 2): 3 / 5, (2, 0): 2 / 5}
    expected = np.mean(np.log([p[(0, 1)], p[(1, 2)], p[(2, 0)]]))
    assert bigram_log_likelihood(train, test, 3) == pytest.approx(expected, rel=1e-12)
    # padding is not a pair: the training set padded with three more steps scores the same
    padded = tuple(np.pad(a, ((0, 0), (0, 3))) for a in train)
    assert bigram_log_likelihood(padded, test, 3) == bigram_log_likelihood(train, test, 3)
    assert bigram_log_likelihood(train, test, 3) > np.log(1 / 3)         # better than nothing


def test_bigram_bad_input():
    good = encode_melodies([[60, 61]], 60, 61)
    with pytest.raises(ValueError,
                       match=r"bigram_log_likelihood: train must be the tuple \(x, y, mask\)"):
        bigram_log_likelihood(good[:2], good, 3)
    with pytest.raises(ValueError, match=r"bigram_log_likelihood: train\[0\] \(x\) must lie in "
                                         r"\[0, n_tokens\) = \[0, 2\)"):
        bigram_log_likelihood(good, good, 2)
    with pytest.raises(ValueError, match="bigram_log_likelihood: test has no real step"):
        bigram_log_likelihood(good, (good[0], good[1], np.zeros_like(good[2])), 3)
