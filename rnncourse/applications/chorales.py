"""Real music: the soprano lines of Bach's chorales, read from the corpus music21 ships (lesson 13).

`music21 <https://web.mit.edu/music21/>`_ (a well-kept musicology toolkit) installs a
corpus of scores with its package, among them about 400 chorales harmonised by
J. S. Bach, as compressed MusicXML (``.mxl``).  This module reads the **soprano** part
(the melody) of each one with the standard library alone (``zipfile`` and
``xml.etree``), without importing music21 (its full parser builds a complete score
object and is much slower), and turns it into a sequence of tokens for a note-level language model:

* every note is one token, its pitch **transposed** so that the chorale's last note
  (in chorales, the home note, the tonic) becomes a C: melodies in different keys then
  share one vocabulary;
* rests and repeated-note ties are merged into the note they extend; durations are
  kept separately (in quarter notes), for playing the melody back.

Nothing is downloaded: the files are read from music21's installed package; without
it, :func:`chorale_paths` says how to install it.
"""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path
from typing import NamedTuple
from xml.etree import ElementTree

import numpy as np

from .._validate import check_int, check_mask, check_token_ids

__all__ = ["Melody", "bigram_log_likelihood", "chorale_paths", "encode_melodies", "melody_audio",
           "read_soprano", "soprano_melodies"]

_STEP = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


class Melody(NamedTuple):
    """One melody: MIDI pitches (60 = middle C) and durations in quarter notes."""

    name: str
    pitches: tuple
    durations: tuple


def chorale_paths() -> list[Path]:
    """The ``.mxl`` chorale files of music21's bundled corpus (``corpus/bach``), sorted."""
    spec = importlib.util.find_spec("music21")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("chorale_paths: the Bach chorales come with the music21 package; "
                                  "install it with `pip install music21` (it is in the course's "
                                  "`lab` extra)")
    root = Path(list(spec.submodule_search_locations)[0]) / "corpus" / "bach"
    return sorted(root.glob("*.mxl"))


def read_soprano(path) -> Melody | None:
    """The soprano part of one chorale file, transposed to end on a C; ``None`` without one.

    The part is the one whose name in the score's part list starts with "Soprano".
    Chords (only the top note kept), grace notes and rests are skipped; a note tied to
    the previous one of the same pitch lengthens it.
    """
    path = Path(path)
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if n.endswith((".xml", ".musicxml")) and not n.startswith("META-INF")]
        if not names:
            return None
        root = ElementTree.fromstring(z.read(names[0]))
    ids = [sp.get("id") for sp in root.iter("score-part")
           if (sp.findtext("part-name") or "").strip().lower().startswith("soprano")]
    part = next((p for p in root.iter("part") if p.get("id") in ids), None)
    if part is None:
        return None
    divisions, pitches, durations = 1, [], []
    for measure in part.iter("measure"):
        div = measure.find("attributes/divisions")
        if div is not None:
            divisions = int(div.text)
        for note in measure.iter("note"):
            if note.find("chord") is not None or note.find("grace") is not None:
                continue
            dur = note.find("duration")
            pitch = note.find("pitch")
            if dur is None or pitch is None:                         # a rest
                continue
            d = int(dur.text) / divisions
            midi = (12 * (int(pitch.findtext("octave")) + 1) + _STEP[pitch.findtext("step")]
                    + int(float(pitch.findtext("alter") or 0)))
            if note.find("tie[@type='stop']") is not None and pitches and pitches[-1] == midi:
                durations[-1] += d
                continue
            pitches.append(midi)
            durations.append(d)
    if len(pitches) < 8:
        return None
    shift = -(pitches[-1] % 12)                                      # last note -> a C
    shift += 12 * round((72 - (np.mean(pitches) + shift)) / 12)      # centred near C5
    return Melody(path.stem, tuple(p + shift for p in pitches), tuple(durations))


def soprano_melodies(n: int | None = None) -> list[Melody]:
    """The soprano lines of the first ``n`` chorales that have one (all when ``n`` is None)."""
    if n is not None:
        n = check_int("soprano_melodies", "n", n, 1)
    out = []
    for path in chorale_paths():
        melody = read_soprano(path)
        if melody is not None:
            out.append(melody)
            if n is not None and len(out) == n:
                break
    return out


def melody_audio(pitches, durations, *, sample_rate: int = 8000, seconds_per_quarter: float = 0.4) -> np.ndarray:
    """A melody as sound: a plucked tone (sine and octave, decaying) per note, in numpy.

    ``pitches`` are MIDI numbers (frequency ``440 * 2 ** ((p - 69) / 12)`` Hz),
    ``durations`` in quarter notes.  Returns audio samples in [-1, 1].
    """
    pitches, durations = list(pitches), list(durations)
    if len(pitches) != len(durations):
        raise ValueError(f"melody_audio: pitches and durations must have the same length, "
                         f"got {len(pitches)} and {len(durations)}")
    pieces = []
    for p, d in zip(pitches, durations):
        n = max(1, int(round(d * seconds_per_quarter * sample_rate)))
        t = np.arange(n) / sample_rate
        f = 440.0 * 2.0 ** ((p - 69) / 12)
        env = np.exp(-3.0 * t / max(d * seconds_per_quarter, 1e-3)) * np.minimum(1.0, t * sample_rate / 40)
        pieces.append(env * (np.sin(2 * np.pi * f * t) + 0.3 * np.sin(4 * np.pi * f * t)) / 1.3)
    return np.concatenate(pieces) if pieces else np.zeros(0)


def encode_melodies(pitches, low: int, high: int) -> tuple:
    """Melodies as the token sequences a note-level language model reads and predicts.

    Token 0 marks the start and the end of a melody; pitch ``p`` (MIDI) is token
    ``1 + p - low``, pitches outside ``[low, high]`` clipped to the nearest end.  The
    model reads ``start, p_1, ..., p_n`` and predicts ``p_1, ..., p_n, end``.

    Parameters
    ----------
    pitches : sequence of m sequences of int
        The MIDI pitches of each melody (at least one note each).
    low, high : int, low <= high
        The pitch range of the vocabulary: ``n_tokens = high - low + 2``.

    Returns
    -------
    x, y : ndarray of int64 of shape (m, T)
        Inputs and targets, ``T = 1 + the longest melody's length``; each row is padded
        with 0 after its ``n_i + 1`` real steps.
    mask : ndarray of float64 of shape (m, T)
        1 on the ``n_i + 1`` real steps of row i (the end step included), 0 after.
    """
    fn = "encode_melodies"
    low, high = check_int(fn, "low", low, 0), check_int(fn, "high", high, 0)
    if high < low:
        raise ValueError(f"{fn}: high must be >= low, got low = {low} and high = {high}")
    if isinstance(pitches, (str, bytes)) or not hasattr(pitches, "__len__") or len(pitches) == 0:
        raise ValueError(f"{fn}: pitches must be a non-empty list of melodies (lists of MIDI "
                         f"pitches), got {type(pitches).__name__}")
    rows = []
    for i, melody in enumerate(pitches):
        melody = np.asarray(melody)
        if melody.ndim != 1 or melody.size == 0 or melody.dtype.kind not in "iu":
            raise ValueError(f"{fn}: pitches[{i}] must be a non-empty 1-D sequence of int MIDI "
                             f"pitches, got shape {melody.shape} and dtype {melody.dtype}")
        rows.append(1 + np.clip(melody, low, high).astype(np.int64) - low)
    m, T = len(rows), 1 + max(len(r) for r in rows)
    x, y = np.zeros((m, T), dtype=np.int64), np.zeros((m, T), dtype=np.int64)
    mask = np.zeros((m, T))
    for i, tokens in enumerate(rows):
        n = len(tokens)
        x[i, 1: n + 1] = tokens              # x[i, 0] = 0: the start
        y[i, :n] = tokens                    # y[i, n] = 0: the end
        mask[i, : n + 1] = 1.0
    return x, y, mask


def bigram_log_likelihood(train, test, n_tokens: int) -> float:
    """Held-out mean log-probability per step of an add-one-smoothed bigram model.

    The baseline of a note-level model: the next token's frequency given the current
    one, counted on the real steps of ``train``,
    ``p(b | a) = (C[a, b] + 1) / (sum_b' C[a, b'] + n_tokens)``.

    Parameters
    ----------
    train, test : tuple (x, y, mask)
        As :func:`encode_melodies` returns them: x, y int (m, T), mask (m, T) of 0/1
        (each may have its own m and T).
    n_tokens : int >= 1

    Returns
    -------
    float
        The mean of ``log p(y[i, t] | x[i, t])`` over the real steps of ``test`` (mask
        1): higher is better, ``log(1 / n_tokens)`` for a model that knows nothing.
    """
    fn = "bigram_log_likelihood"
    n_tokens = check_int(fn, "n_tokens", n_tokens, 1)
    parts = []
    for name, data in (("train", train), ("test", test)):
        if not isinstance(data, (tuple, list)) or len(data) != 3:
            raise ValueError(f"{fn}: {name} must be the tuple (x, y, mask) that encode_melodies "
                             f"returns, got {type(data).__name__}")
        x = check_token_ids(fn, data[0], n_tokens, name=f"{name}[0] (x)", bound="n_tokens")
        y = check_token_ids(fn, data[1], n_tokens, name=f"{name}[1] (y)", bound="n_tokens")
        if y.shape != x.shape:
            raise ValueError(f"{fn}: {name}'s x and y must have the same shape (m, T), got "
                             f"{x.shape} and {y.shape}")
        mask = check_mask(fn, data[2], *x.shape, name=f"{name}[2] (mask)")
        parts.append((x, y, np.ones(x.shape) if mask is None else mask))
    (x, y, mask), (xt, yt, mt) = parts
    if not mt.any():
        raise ValueError(f"{fn}: test has no real step (its mask is all 0)")
    counts = np.zeros((n_tokens, n_tokens))
    real = mask > 0
    np.add.at(counts, (x[real], y[real]), 1.0)
    p = (counts + 1.0) / (counts.sum(axis=1, keepdims=True) + n_tokens)
    held = mt > 0
    return float(np.mean(np.log(p[xt[held], yt[held]])))
