"""Speech recognition: noisy spectral frames of phonemes, labelled frame by frame.

"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validate import as_rng, check_int
# re-exported: they lived here before rnncourse.labelling
from ..labelling import collapse_runs, edit_distance, phoneme_error_rate  # noqa: F401
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


def _phoneme_runs(m: int, T_x: int, lo: int, hi: int, rng) -> np.ndarray:
    """``(m, T_x)`` phoneme indices: runs of ``lo`` to ``hi`` frames, each phoneme
    followed by any other one (never the same twice in a row)."""
    K = len(PHONEMES)
    y = np.zeros((m, T_x), dtype=np.int64)
    for i in range(m):
        t, k = 0, int(rng.integers(K))
        while t < T_x:
            dur = int(rng.integers(lo, hi + 1))
            y[i, t: t + dur] = k
            t += dur
            k = (k + 1 + int(rng.integers(K - 1))) % K            # any other phoneme
    return y


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
    y = _phoneme_runs(m, T_x, lo, hi, rng)
    templates = phoneme_templates(np.float64)
    loud = rng.uniform(0.7, 1.3, size=(1, m, T_x))
    x = templates[:, y] * loud + noise * rng.standard_normal((SPEECH_BANDS, m, T_x))
    bands = tuple(f"band {b}" for b in range(SPEECH_BANDS))
    return FrameData(x.astype(dtype), y, PHONEMES, bands)


# ----------------------------------------------------------------------------------------
# Lesson 12: audio synthesised in numpy, spectrogram frames computed with an FFT

#: sample rate of the synthetic audio (Hz), hop between frames (samples: 10 ms) and window
SAMPLE_RATE = 8000
HOP = 80
WINDOW = 256
#: (first formant, second formant) in Hz of each voiced phoneme; "s" is hiss, "sil" silence
_VOICED_HZ = {"a": (700.0, 1200.0), "i": (300.0, 2300.0), "u": (320.0, 800.0),
              "m": (250.0, 1000.0)}


def synthesize_speech(frame_labels, *, rng, noise: float = 0.3, sample_rate: int = SAMPLE_RATE,
                      hop: int = HOP) -> np.ndarray:
    """Audio of one utterance, ``hop`` samples per frame label: a toy vocal tract in numpy.

    Voiced phonemes (``a i u m``) are a buzz at a random pitch (110-180 Hz, one per
    utterance) whose harmonics are boosted near the phoneme's two formants (Gaussian
    resonances, 120 Hz wide); ``m`` is quieter and nasal (its upper formant weak).
    ``s`` is white noise high-pass filtered above 2.5 kHz; ``sil`` is silence.  Each
    phoneme's loudness varies by +-30%; Gaussian noise of std ``noise`` (relative to
    a loudness of 1) is added everywhere, so silence and weak frames are ambiguous.

    Parameters
    ----------
    frame_labels : ndarray of int of shape (T_x,)
        Indices into :data:`PHONEMES`, one per 10 ms frame.

    Returns
    -------
    audio : ndarray of float64 of shape (T_x * hop,)
    """
    fn = "synthesize_speech"
    labels = np.asarray(frame_labels)
    if labels.ndim != 1 or labels.dtype.kind not in "iu" or (labels.size and (
            labels.min() < 0 or labels.max() >= len(PHONEMES))):
        raise ValueError(f"{fn}: frame_labels must be a 1-D int array of indices into PHONEMES "
                         f"(0..{len(PHONEMES) - 1}), got {labels!r}")
    if not (isinstance(noise, (int, float)) and noise >= 0):
        raise ValueError(f"{fn}: noise must be a number >= 0, got {noise!r}")
    rng = as_rng(fn, rng)
    n = labels.size * hop
    t = np.arange(n) / sample_rate
    pitch = rng.uniform(110.0, 180.0)
    audio = np.zeros(n)
    # segments: runs of equal labels
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    ends = np.r_[starts[1:], labels.size]
    for s, e in zip(starts, ends):
        name = PHONEMES[int(labels[s])]
        a, b = s * hop, e * hop
        loud = rng.uniform(0.7, 1.3)
        if name in _VOICED_HZ:
            f1, f2 = _VOICED_HZ[name]
            k = np.arange(1, int(3500 // pitch) + 1)                 # harmonics below 3.5 kHz
            freq = k * pitch
            gain = np.exp(-0.5 * ((freq - f1) / 120.0) ** 2) + \
                (0.25 if name == "m" else 0.8) * np.exp(-0.5 * ((freq - f2) / 120.0) ** 2)
            wave = (gain[:, None] * np.sin(2 * np.pi * freq[:, None] * t[None, a:b])).sum(axis=0)
            audio[a:b] = (0.5 if name == "m" else 1.0) * loud * wave / max(gain.sum(), 1e-9) * 3
        elif name == "s":
            hiss = rng.standard_normal(b - a)
            spec = np.fft.rfft(hiss)
            spec[np.fft.rfftfreq(b - a, 1 / sample_rate) < 2500] = 0     # high-pass
            audio[a:b] = 0.8 * loud * np.fft.irfft(spec, b - a) / 0.7
    return audio + noise * rng.standard_normal(n)


def spectrogram_frames(audio, *, n_bands: int = 16, sample_rate: int = SAMPLE_RATE,
                       hop: int = HOP, window: int = WINDOW) -> np.ndarray:
    """Log band energies of the audio, one frame every ``hop`` samples: the features x<t>.

    Frame t takes ``window`` samples centred on sample ``t * hop + hop / 2`` (zeros
    beyond the ends), multiplies them by a Hann window, and computes their power
    spectrum with an FFT (``np.fft.rfft``).  The bins from 0 to 4 kHz are summed
    into ``n_bands`` equal bands and the result is ``log(1e-3 + energy)``.

    Parameters
    ----------
    audio : ndarray of shape (n_samples,), n_samples a multiple of ``hop``

    Returns
    -------
    x : ndarray of shape (n_bands, T_x), T_x = n_samples / hop
    """
    fn = "spectrogram_frames"
    audio = np.asarray(audio, dtype=np.float64)
    if audio.ndim != 1 or audio.size % hop:
        raise ValueError(f"{fn}: audio must be 1-D with a length that is a multiple of hop = "
                         f"{hop}, got shape {audio.shape}")
    n_bands = check_int(fn, "n_bands", n_bands, 1)
    T = audio.size // hop
    padded = np.pad(audio, (window // 2, window // 2))
    centres = np.arange(T) * hop + hop // 2                           # in audio samples
    idx = centres[:, None] + np.arange(window)[None, :]                # (T, window) into padded
    frames = padded[idx] * np.hanning(window)[None, :]
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2                   # (T, window // 2 + 1)
    edges = np.linspace(0, power.shape[1], n_bands + 1).astype(int)
    bands = np.add.reduceat(power, edges[:-1], axis=1)                 # (T, n_bands)
    return np.log(1e-3 + bands).T                                      # (n_bands, T)


class SpeechData(NamedTuple):
    """Utterances as audio and as spectrogram frames, with a phoneme label per frame.

    Attributes
    ----------
    x : ndarray of shape (n_bands, m, T_x)
        Log band energies (:func:`spectrogram_frames`); standardise them per band
        with the training set's :func:`band_statistics` before training.
    y : ndarray of int of shape (m, T_x)
    audio : ndarray of shape (m, T_x * HOP)
    label_names, feature_names : tuple of str
    """

    x: np.ndarray
    y: np.ndarray
    audio: np.ndarray
    label_names: tuple
    feature_names: tuple

    def decode(self, i: int, labels=None) -> str:
        return FrameData.decode(self, i, labels)                       # same text layout


def speech_audio_task(m: int, T_x: int = 30, *, rng, noise: float = 0.3, min_frames: int = 3,
                      max_frames: int = 7, n_bands: int = 16) -> SpeechData:
    """Synthetic utterances as audio, their FFT frames, and the phoneme of every frame.

    Phonemes follow one another as in :func:`speech_task` (never the same twice in a
    row, each 3-7 frames of 10 ms); :func:`synthesize_speech` makes the audio and
    :func:`spectrogram_frames` the features (raw log energies, not standardised).
    """
    fn = "speech_audio_task"
    m = check_int(fn, "m", m, 1)
    T_x = check_int(fn, "T_x", T_x, 1)
    lo = check_int(fn, "min_frames", min_frames, 1)
    hi = check_int(fn, "max_frames", max_frames, lo)
    rng = as_rng(fn, rng)
    y = _phoneme_runs(m, T_x, lo, hi, rng)
    audio = np.stack([synthesize_speech(y[i], rng=rng, noise=noise) for i in range(m)])
    x = np.stack([spectrogram_frames(a, n_bands=n_bands) for a in audio], axis=1)  # (n_bands, m, T)
    bands = tuple(f"{4000 * b // n_bands}-{4000 * (b + 1) // n_bands} Hz" for b in range(n_bands))
    return SpeechData(x, y, audio, PHONEMES, bands)


def band_statistics(x) -> tuple:
    """Per-band mean and std of frames x (n_bands, m, T_x), each of shape (n_bands, 1, 1)."""
    x = np.asarray(x)
    return x.mean(axis=(1, 2), keepdims=True), x.std(axis=(1, 2), keepdims=True) + 1e-8
