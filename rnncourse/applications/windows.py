"""Cheap order-blind and local-window features: the baselines of lesson 09.

"""

from __future__ import annotations

import numpy as np

from .._validate import check_int



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
