"""DNA sequence analysis: is the TATA box there, and where?

"""

from __future__ import annotations

import numpy as np

from .._validate import as_rng, check_int
from ..data import PAD, SequenceData, _pack
from ._common import _check_prob


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
