"""Word embeddings: a learned lookup table of vectors, one column per token (lesson 11).

A vocabulary of ``n_vocab`` tokens is given a matrix ``E`` of shape (n_e, n_vocab);
token k is represented by its column ``E[:, k]``, a dense vector of ``n_e`` numbers
learned with the rest of the model.  In the course's column convention::

    e<t> = E o<t> = E[:, ids[:, t]]        o<t> = one_hot(ids[:, t])   (n_vocab, m)

so the lookup is the product of ``E`` with a one-hot vector, computed without building
the one-hot matrix.  Its gradient follows from the product: with ``de<t>`` the
gradient reaching ``e<t>``, ``dE = sum over t of de<t> o<t>^T``: each occurrence of
token k *adds* its column gradient to column k; tokens that do not occur get zero.

:class:`rnncourse.layers.Embedding` is the same lookup as a layer of the model API;
:mod:`rnncourse.seq2seq` uses these functions for the encoder's and decoder's tables.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_array, check_int, check_token_ids

__all__ = ["embedding_backward", "embedding_forward", "init_embedding"]


def _check_ids(fn: str, ids, n_vocab: int) -> np.ndarray:
    """:func:`rnncourse._validate.check_token_ids` for an ``ids`` argument (m, T)."""
    return check_token_ids(fn, ids, n_vocab)


def init_embedding(n_vocab: int, n_e: int, *, rng, dtype=np.float64) -> np.ndarray:
    """A random table ``E`` of shape (n_e, n_vocab), entries N(0, 1 / n_e)."""
    from ._validate import as_rng

    n_vocab = check_int("init_embedding", "n_vocab", n_vocab)
    n_e = check_int("init_embedding", "n_e", n_e)
    rng = as_rng("init_embedding", rng)
    return (rng.standard_normal((n_e, n_vocab)) / np.sqrt(n_e)).astype(dtype)


def embedding_forward(ids, E) -> np.ndarray:
    """Look up the vector of every token: ``e[:, i, t] = E[:, ids[i, t]]``.

    Parameters
    ----------
    ids : ndarray of int of shape (m, T)
        Token ids in [0, n_vocab).
    E : ndarray of shape (n_e, n_vocab)
        The table; column k is token k's vector.

    Returns
    -------
    e : ndarray of shape (n_e, m, T)
        The vectors, in the course's input layout (features, examples, time).
    """
    fn = "embedding_forward"
    E = as_array(fn, "E", E)
    if E.ndim != 2:
        raise ValueError(f"{fn}: E must have shape (n_e, n_vocab), got shape {E.shape}")
    ids = _check_ids(fn, ids, E.shape[1])
    return E[:, ids]                                                # (n_e, m, T)


def embedding_backward(de, ids, n_vocab: int) -> np.ndarray:
    """Gradient of the table: ``dE[:, k] = sum of de[:, i, t] over every (i, t) with ids[i, t] = k``.

    Parameters
    ----------
    de : ndarray of shape (n_e, m, T)
        Gradient of the loss with respect to the looked-up vectors.
    ids : ndarray of int of shape (m, T)
        The ids that were looked up.
    n_vocab : int
        Number of columns of the table.

    Returns
    -------
    dE : ndarray of shape (n_e, n_vocab)
        Zero in the columns of tokens that did not occur; a token that occurs several
        times gets the *sum* of its gradients (a plain ``dE[:, ids] = de`` would keep
        only the last one).
    """
    fn = "embedding_backward"
    n_vocab = check_int(fn, "n_vocab", n_vocab)
    de = as_array(fn, "de", de)
    ids = _check_ids(fn, ids, n_vocab)
    if de.ndim != 3 or de.shape[1:] != ids.shape:
        raise ValueError(f"{fn}: de must have shape (n_e, m, T) = (n_e, {ids.shape[0]}, "
                         f"{ids.shape[1]}) to match ids, got shape {de.shape}")
    n_e = de.shape[0]
    dE = np.zeros((n_e, n_vocab), dtype=de.dtype)
    np.add.at(dE.T, ids.reshape(-1), de.reshape(n_e, -1).T)         # dE[:, k] += de[:, i, t]
    return dE
