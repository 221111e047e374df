"""Music generation (one-to-many): melodies from a tune grammar, sampled with a temperature.

"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .._validate import Dims, as_rng, check_int


#: scale degrees of C major, low c to high C, as one character each
MELODY_NOTES = "cdefgabC"
BAR = "|"
#: the rules :func:`melody_rules` checks, in order
MELODY_RULES = ("form", "steps", "repeat", "cadence")


def _walk(rng: np.random.Generator, start: int, n: int) -> list[int]:
    """``n`` degrees after ``start``, each 1 or 2 scale steps up or down, inside the scale."""
    out, d = [], start
    for _ in range(n):
        moves = [s for s in (-2, -1, 1, 2) if 0 <= d + s < len(MELODY_NOTES)]
        d += moves[rng.integers(len(moves))]
        out.append(d)
    return out


def melodies(n: int, *, rng) -> list[str]:
    """``n`` four-bar tunes of a small grammar, written like ``"cded|cded|efge|fedc"``.

    Notes are the degrees of the C major scale, ``c d e f g a b C`` (``C`` is the high
    c), four per bar, bars separated by ``|``.  The grammar, whose rules
    :func:`melody_rules` checks:

    * **form**: four bars of four notes;
    * **steps**: every move from one note to the next (across bar lines too) is one or
      two scale steps, up or down -- never a repeated note, never a leap;
    * **repeat**: bar 2 repeats bar 1 (a motif stated twice, as tunes do);
    * **cadence**: the tune ends on the home note ``c``.

    Bar 1 starts on c, e or g; bars 1 and 3 are random walks; bar 4 is a random walk
    that lands on c.  A model that learned the grammar has to remember a whole bar
    (to repeat it) and plan the last bar (to land home).

    Returns
    -------
    tunes : list of str, each 19 characters long
    """
    fn = "melodies"
    n = check_int(fn, "n", n, 1)
    rng = as_rng(fn, rng)
    tunes = []
    while len(tunes) < n:
        start = (0, 2, 4)[rng.integers(3)]
        bar1 = [start] + _walk(rng, start, 3)
        if abs(bar1[0] - bar1[-1]) not in (1, 2):       # bar 2 must follow bar 1 by a step
            continue
        bar3 = _walk(rng, bar1[-1], 4)
        bar4 = _walk(rng, bar3[-1], 4)
        if bar4[-1] != 0:                                # redraw until it lands home
            continue
        tunes.append(BAR.join("".join(MELODY_NOTES[d] for d in bar)
                              for bar in (bar1, bar1, bar3, bar4)))
    return tunes


def melody_rules(tune: str) -> dict:
    """Which rules of :func:`melodies`' grammar ``tune`` follows.

    Returns
    -------
    dict of str -> bool
        Keys :data:`MELODY_RULES` (``"form"``, ``"steps"``, ``"repeat"``,
        ``"cadence"``), plus ``"all"``.  A tune that is not four bars of four notes
        fails every rule.
    """
    if not isinstance(tune, str):
        raise TypeError(f"melody_rules: tune must be a str, got {type(tune).__name__}")
    bars = tune.split(BAR)
    form = len(bars) == 4 and all(len(b) == 4 and set(b) <= set(MELODY_NOTES) for b in bars)
    if not form:
        return dict.fromkeys(MELODY_RULES + ("all",), False)
    degrees = [MELODY_NOTES.index(c) for c in "".join(bars)]
    rules = {
        "form": True,
        "steps": all(abs(b - a) in (1, 2) for a, b in zip(degrees, degrees[1:])),
        "repeat": bars[0] == bars[1],
        "cadence": bars[3][-1] == "c",
    }
    rules["all"] = all(rules.values())
    return rules


def sample_with_temperature(probs, temperature: float, rng):
    """Reshape distributions with a temperature, then draw one index per column.

    Parameters
    ----------
    probs : ndarray of shape (n_y, m)
        Column i is a probability distribution (non-negative, sums to 1).
    temperature : float > 0
        Below 1 sharpens the distributions (towards the most likely index), above 1
        flattens them (towards uniform); 1 leaves them unchanged.
    rng : np.random.Generator or int seed
        An int is turned into ``np.random.default_rng(rng)``.

    Returns
    -------
    p : ndarray of shape (n_y, m)
        The reshaped distributions, ``p[k, i] ∝ probs[k, i] ** (1 / temperature)``
        (each column sums to 1).
    indices : ndarray of int of shape (m,)
        ``indices[i] = rng.choice(n_y, p=p[:, i])``, drawn for i = 0, 1, ..., m-1 in
        this order (so the same seed gives the same indices).

    Notes
    -----
    Lesson 09 (music generation).  With ``z = log probs``,
    ``p = softmax(z / temperature)``: dividing the logits by the temperature is the
    same as raising the probabilities to the power ``1 / temperature`` and
    renormalising.  This is what :func:`rnncourse.models.sample` does at every step.
    """
    fn = "sample_with_temperature"
    d = Dims(fn)
    probs = d.bind("probs", probs, ("n_y", "m"))
    if (probs < 0).any() or not np.allclose(probs.sum(axis=0), 1.0, atol=1e-6):
        raise ValueError(f"{fn}: every column of probs must be a distribution "
                         f"(non-negative, summing to 1)")
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float, np.floating)) \
            or not (np.isfinite(temperature) and temperature > 0):
        raise ValueError(f"{fn}: temperature must be a finite number > 0, got {temperature!r}")
    rng = as_rng(fn, rng)
    n_y, m = probs.shape
    with np.errstate(divide="ignore"):
        z = np.log(probs) / temperature                             # (n_y, m), -inf where p = 0
    z = z - z.max(axis=0, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=0, keepdims=True)                               # (n_y, m), columns sum to 1
    indices = np.array([rng.choice(n_y, p=p[:, i]) for i in range(m)], dtype=np.int64)
    return p, indices


# ----------------------------------------------------------------------------------------
# The ceiling: what a predictor that knows the grammar exactly can reach

def _moves(d: int) -> list[int]:
    return [d + s for s in (-2, -1, 1, 2) if 0 <= d + s < len(MELODY_NOTES)]


@lru_cache(maxsize=None)
def _land_home(k: int) -> tuple:
    """f[d] = probability that a k-step walk of :func:`_walk` from degree d ends on c."""
    f = [float(d == 0) for d in range(len(MELODY_NOTES))]
    for _ in range(k):
        f = [float(np.mean([f[e] for e in _moves(d)])) for d in range(len(MELODY_NOTES))]
    return tuple(f)


@lru_cache(maxsize=None)
def _bar1_weight(start: int, d: int, k: int) -> float:
    """Sum over k-step walks from d, ending at e, of P(walk) [|start - e| in (1, 2)] P(home | e)."""
    if k == 0:
        return float(abs(start - d) in (1, 2)) * _land_home(8)[d]
    return float(np.mean([_bar1_weight(start, e, k - 1) for e in _moves(d)]))


def melody_next_note_probs(prefix: str) -> dict:
    """The grammar's exact distribution of the next character after ``prefix``.

    :func:`melodies` draws a tune by random walks and redraws it until bar 1 ends a
    step away from its first note and bar 4 lands on c; so the probability of a tune
    is its walk probability times those two conditions, renormalised.  Summing over
    every completion (a small dynamic programme) gives ``P(next character | prefix)``:
    the best any model of these tunes can predict.

    Parameters
    ----------
    prefix : str
        The beginning of a tune (``""`` for the first note), as :func:`melodies` writes it.

    Returns
    -------
    dict of str -> float
        Next character (a note, ``"|"`` or ``"\\n"`` at the end) -> probability.
    """
    if not isinstance(prefix, str):
        raise TypeError(f"melody_next_note_probs: prefix must be a str, got {type(prefix).__name__}")
    notes = prefix.replace(BAR, "")
    n = len(notes)
    canonical = BAR.join(notes[i: i + 4] for i in range(0, n, 4))
    if set(notes) - set(MELODY_NOTES) or n > 16 or prefix not in (canonical, canonical + BAR) or (
            prefix != canonical and (n % 4 or n in (0, 16))):
        raise ValueError(f"melody_next_note_probs: {prefix!r} is not the beginning of a tune "
                         f"of the grammar")
    if n and n % 4 == 0 and prefix == canonical:
        return {BAR: 1.0} if n < 16 else {"\n": 1.0}
    deg = [MELODY_NOTES.index(c) for c in notes]
    if n == 0:
        w = {MELODY_NOTES[s]: _bar1_weight(s, s, 3) for s in (0, 2, 4)}
    elif n < 4:
        w = {MELODY_NOTES[e]: _bar1_weight(deg[0], e, 3 - n) for e in _moves(deg[-1])}
    elif n < 8:
        return {notes[n - 4]: 1.0}                                    # bar 2 repeats bar 1
    else:
        f = _land_home(16 - n - 1)                                    # steps after this one
        w = {MELODY_NOTES[e]: f[e] for e in _moves(deg[-1])}
    total = sum(w.values())
    return {c: v / total for c, v in w.items() if v > 0}


def bayes_next_note_accuracy(tunes) -> float:
    """Expected next-character accuracy of the Bayes-optimal predictor on ``tunes``.

    At every position of every tune (the 19 characters and the final ``"\\n"``, as
    :func:`rnncourse.data.char_dataset` lays them out), the best possible guess is right
    with probability ``max_v P(v | prefix)`` (:func:`melody_next_note_probs`); this is
    the mean of those probabilities.  No model of the grammar can do better on average:
    a model scoring above it on some tunes has memorised them.
    """
    tunes = list(tunes)
    if not tunes or not all(isinstance(t, str) for t in tunes):
        raise TypeError("bayes_next_note_accuracy: tunes must be a non-empty list of str")
    cache: dict = {}
    scores = []
    for tune in tunes:
        for i in range(len(tune) + 1):
            p = tune[:i]
            if p not in cache:
                cache[p] = max(melody_next_note_probs(p).values())
            scores.append(cache[p])
    return float(np.mean(scores))


def grammar_log_likelihood(tune: str) -> float:
    """Natural log of the grammar's probability of ``tune`` and its final ``"\\n"``.

    The sum over positions of ``log P(next character | prefix)``
    (:func:`melody_next_note_probs`): what a perfect model of the grammar assigns to
    the tune.  ``-inf`` for a tune the grammar cannot write.  Divided by the number of
    characters (len(tune) + 1), it is the best possible held-out log-likelihood per note.
    """
    if not isinstance(tune, str):
        raise TypeError(f"grammar_log_likelihood: tune must be a str, got {type(tune).__name__}")
    total = 0.0
    for i, c in enumerate(tune + "\n"):
        try:
            p = melody_next_note_probs(tune[:i]).get(c, 0.0)
        except ValueError:
            return float("-inf")
        if p == 0.0:
            return float("-inf")
        total += float(np.log(p))
    return total


#: frequency (Hz) of each scale degree: C major from middle C (C4) to C5
NOTE_HZ = dict(zip(MELODY_NOTES, 261.63 * 2.0 ** (np.array([0, 2, 4, 5, 7, 9, 11, 12]) / 12)))


def tune_audio(tune: str, *, sample_rate: int = 8000, note_seconds: float = 0.25) -> np.ndarray:
    """A tune as sound: one plucked tone per note (a sine and its octave, decaying), bar lines
    as a short rest.

    Returns
    -------
    audio : ndarray of float64 of shape (n_samples,), values in [-1, 1]
    """
    if not isinstance(tune, str):
        raise TypeError(f"tune_audio: tune must be a str, got {type(tune).__name__}")
    n = int(round(note_seconds * sample_rate))
    t = np.arange(n) / sample_rate
    envelope = np.exp(-4.0 * t / note_seconds) * np.minimum(1.0, t * sample_rate / 40)  # soft attack
    pieces = []
    for c in tune:
        if c in NOTE_HZ:
            f = NOTE_HZ[c]
            pieces.append(envelope * (np.sin(2 * np.pi * f * t) + 0.3 * np.sin(4 * np.pi * f * t)) / 1.3)
        elif c == BAR:
            pieces.append(np.zeros(n // 4))
    return np.concatenate(pieces) if pieces else np.zeros(0)
