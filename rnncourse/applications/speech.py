"""Speech recognition: noisy spectral frames of phonemes, labelled frame by frame.

"""

from __future__ import annotations

import numpy as np

from .._validate import as_rng, check_int
from .frames import FrameData



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
