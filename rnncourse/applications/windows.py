"""Cheap order-blind and local-window features: the baselines of lesson 09.

"""

from __future__ import annotations

import numpy as np

from .._validate import check_int, check_token_ids



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
    check_token_ids(fn, ids, n_vocab, shape="(m, T_x)")
    m = ids.shape[0]
    counts = np.zeros((n_vocab, m), dtype=np.float64)
    np.add.at(counts, (ids, np.arange(m)[:, None]), 1.0)          # counts[ids[i, t], i] += 1
    counts[0] = 0.0                                                # padding is not a word
    return counts[:, :, None]                                      # (n_vocab, m, 1)


def window_features(x, half_width: int) -> np.ndarray:
    """Each step's features stacked with those of its ``half_width`` neighbours on each side.

    Parameters
    ----------
    x : ndarray of shape (n_x, m, T_x)
    half_width : int >= 0
        ``w``: step t sees steps t-w .. t+w (zeros beyond the ends).

    Returns
    -------
    windows : ndarray of shape ((2w + 1) n_x, m, T_x)
        Block j (rows ``j n_x .. (j+1) n_x - 1``) holds ``x<t + j - w>``.  A dense
        softmax layer on top is the classic *window classifier*: a fixed amount of
        context on both sides, no memory beyond it -- the strongest cheap baseline
        of per-step labelling (speech frames, DNA bases, named entities).
    """
    fn = "window_features"
    w = check_int(fn, "half_width", half_width, 0)
    if not isinstance(x, np.ndarray) or x.ndim != 3:
        got = f"shape {x.shape}" if isinstance(x, np.ndarray) else type(x).__name__
        raise ValueError(f"{fn}: x must be an array of shape (n_x, m, T_x), got {got}")
    n_x, m, T = x.shape
    padded = np.zeros((n_x, m, T + 2 * w), dtype=x.dtype if x.dtype.kind == "f" else np.float64)
    padded[:, :, w: w + T] = x
    return np.concatenate([padded[:, :, j: j + T] for j in range(2 * w + 1)], axis=0)


def kmer_counts(ids, k: int, n_symbols: int) -> np.ndarray:
    """Counts of every k-mer (k consecutive symbols) of each sequence: local order, no position.

    Parameters
    ----------
    ids : ndarray of int of shape (m, T_x), symbols in [1, n_symbols] (0 is padding)
    k : int >= 1
    n_symbols : int

    Returns
    -------
    counts : ndarray of float64 of shape (n_symbols ** k, m, 1)
        Row ``sum_j (s_j - 1) n_symbols^(k-1-j)`` counts the k-mer ``s_0 ... s_{k-1}``;
        windows touching padding are not counted.  ``k = 1`` is the bag of words
        (without the padding row); k = len(motif) lets a linear classifier spot a motif.
    """
    fn = "kmer_counts"
    k = check_int(fn, "k", k, 1)
    n_symbols = check_int(fn, "n_symbols", n_symbols, 1)
    # 0 is padding, 1 ... n_symbols the symbols
    check_token_ids(fn, ids, n_symbols + 1, shape="(m, T_x)",
                    values="ids (0 for padding, 1 ... n_symbols for the symbols)",
                    bound="n_symbols + 1")
    m, T = ids.shape
    counts = np.zeros((n_symbols ** k, m), dtype=np.float64)
    if T >= k:
        win = np.lib.stride_tricks.sliding_window_view(ids, k, axis=1)       # (m, T-k+1, k)
        valid = (win > 0).all(axis=2)
        code = ((win - 1) * (n_symbols ** np.arange(k - 1, -1, -1))).sum(axis=2)
        rows, cols = np.nonzero(valid)
        np.add.at(counts, (code[rows, cols], rows), 1.0)
    return counts[:, :, None]


def frame_differences(x) -> np.ndarray:
    """Each frame stacked over its change since the previous frame: motion as a feature.

    Parameters
    ----------
    x : ndarray of float of shape (n_x, m, T_x)
        Frame features (hand coordinates, joint positions, pixels).

    Returns
    -------
    features : ndarray of shape (2 n_x, m, T_x)
        Rows ``0 .. n_x - 1`` are ``x<t>``; rows ``n_x .. 2 n_x - 1`` are the
        difference ``x<t> - x<t-1>``, zero at ``t = 0`` (no earlier frame, so no
        motion seen yet).  A per-frame classifier on top sees one step of motion: the
        classic cheap feature of video, a memory of one frame written by hand.
    """
    fn = "frame_differences"
    if not isinstance(x, np.ndarray) or x.ndim != 3 or x.dtype.kind not in "fiu":
        got = (f"dtype {x.dtype} and shape {x.shape}" if isinstance(x, np.ndarray)
               else type(x).__name__)
        raise ValueError(f"{fn}: x must be a numeric array of shape (n_x, m, T_x), got {got}")
    x = x if x.dtype.kind == "f" else x.astype(np.float64)
    motion = np.zeros_like(x)
    motion[:, :, 1:] = x[:, :, 1:] - x[:, :, :-1]
    return np.concatenate([x, motion], axis=0)
