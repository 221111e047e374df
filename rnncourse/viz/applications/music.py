"""Figures and the temperature widget of music generation (lesson 09)."""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from ..._validate import as_rng
from ...applications.music import BAR, MELODY_NOTES, MELODY_RULES, melody_rules
from .. import COLORS, get_axes

class MelodySamples(NamedTuple):
    """What :func:`melody_samples` returns."""

    tunes: list            #: the sampled tunes, as text
    rule_rates: dict       #: rule name (and "all") -> fraction of tunes following it
    distinct: float        #: fraction of distinct tunes among the samples
    new: float             #: fraction of samples that are not in ``training`` (1.0 without it)


def melody_samples(model, vocab: Sequence[str], temperature: float, n: int, *, rng,
                   training: Sequence[str] = ()) -> MelodySamples:
    """Sample ``n`` tunes from a note-level model at one temperature and judge them.

    Parameters
    ----------
    model : rnncourse.models.Sequential
        A next-character model trained on :func:`rnncourse.applications.melodies`
        encoded by :func:`rnncourse.data.char_dataset` (``vocab[0]`` is the end marker
        ``"\\n"``, which also starts every tune).
    vocab : the dataset's vocabulary
    temperature : float >= 0 (0 = always the likeliest note)
    n : int, number of tunes
    rng : np.random.Generator or int seed
    training : the training tunes, to measure how many samples are new

    Returns
    -------
    MelodySamples
        The tunes, the rate of each rule of :func:`rnncourse.applications.melody_rules`
        (and of all together), the fraction of distinct tunes and of new ones.
    """
    from ...models import sample

    fn = "melody_samples"
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{fn}: n must be an int >= 1, got {n!r}")
    rng = as_rng(fn, rng)
    length = 4 * 4 + 3 + 1                     # a tune, and one more step to show it goes on
    tunes = [sample(model, vocab[0], length, temperature=temperature, rng=rng, stop=0, vocab=vocab)
             for _ in range(int(n))]
    judged = [melody_rules(t) for t in tunes]
    rates = {r: float(np.mean([j[r] for j in judged])) for r in MELODY_RULES + ("all",)}
    seen = set(training)
    new = float(np.mean([t not in seen for t in tunes])) if seen else 1.0
    return MelodySamples(tunes, rates, len(set(tunes)) / len(tunes), new)


def plot_melodies(tunes: Sequence[str], *, ax=None, max_tunes: int = 4):
    """Tunes as a piano roll: scale degree against note number, bar lines dashed.

    Each tune is a line with its notes as dots, offset vertically from the previous
    one; a note outside the scale is drawn as a red cross on the tune's bottom line,
    and a tune's label names the rules of the grammar it breaks.
    """
    tunes = list(tunes)[:max_tunes]
    if not tunes or not all(isinstance(t, str) for t in tunes):
        raise TypeError("plot_melodies: tunes must be a non-empty list of str")
    ax = get_axes(ax, figsize=(7.0, 1.3 * len(tunes) + 0.6))
    span = len(MELODY_NOTES) + 2
    for k, tune in enumerate(tunes):
        base = (len(tunes) - 1 - k) * span
        notes = tune.replace(BAR, "")
        pos = np.arange(len(notes))
        deg = np.array([MELODY_NOTES.index(c) if c in MELODY_NOTES else -1 for c in notes])
        ok = deg >= 0
        ax.plot(pos[ok], base + deg[ok], "-o", color=COLORS["y"] if melody_rules(tune)["all"]
                else COLORS["grad"], ms=4, lw=1)
        ax.plot(pos[~ok], np.full((~ok).sum(), base), "x", color="red")
        ax.text(-0.8, base + span / 2 - 1, tune.replace("\n", "⏎"), ha="right", va="center",
                fontsize=8, family="monospace")
        rules = melody_rules(tune)
        broken = [r for r in MELODY_RULES if not rules[r]]
        ax.text(len(notes) + 0.2, base + span / 2 - 1,
                "breaks: " + ", ".join(broken) if broken else "follows the grammar",
                va="center", fontsize=8)
    for b in (4, 8, 12):
        ax.axvline(b - 0.5, color="#999999", lw=0.8, ls="--")
    ax.set_yticks([])
    ax.set_xlabel("note")
    ax.spines[["top", "right", "left"]].set_visible(False)
    return ax


def explore_temperature(model, vocab: Sequence[str], *, n: int = 30, seed: int = 0,
                        training: Sequence[str] = ()):
    """Widget of lesson 09: a temperature slider over tunes sampled from ``model``.

    Shows the rule rates, distinct and new fractions of :func:`melody_samples` (``n``
    tunes, seed ``seed``) and the first four tunes drawn by :func:`plot_melodies`.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    from ..explorers import _show, _wire

    def render(temperature):
        s = melody_samples(model, vocab, temperature, n, rng=seed, training=training)
        rates = ", ".join(f"{r} {v:.2f}" for r, v in s.rule_rates.items())
        print(f"temperature {temperature:.2f}: rules followed: {rates}; "
              f"distinct {s.distinct:.2f}, new {s.new:.2f}")
        fig, ax = plt.subplots(figsize=(7.5, 5.0), layout="constrained")
        plot_melodies(s.tunes, ax=ax)
        _show(fig)

    return _wire(render, {"temperature": widgets.FloatSlider(
        value=1.0, min=0.0, max=2.0, step=0.1, description="temperature τ",
        style={"description_width": "initial"}, layout=widgets.Layout(width="420px"),
        continuous_update=False)})


def plot_piano_roll(pitches, durations=None, *, ax=None, label: str = "", color=None):
    """A melody as a piano roll: one bar per note, its pitch (MIDI) against time (quarter notes).

    Pitch ticks are whole MIDI numbers named by their note (``C5``); returns the axes.
    """
    from matplotlib.ticker import FixedLocator

    pitches = np.asarray(pitches)
    durations = np.ones(pitches.size) if durations is None else np.asarray(durations, dtype=float)
    if pitches.ndim != 1 or durations.shape != pitches.shape or pitches.size == 0:
        raise ValueError(f"plot_piano_roll: pitches and durations must be 1-D of the same length, "
                         f"got shapes {pitches.shape} and {durations.shape}")
    ax = get_axes(ax, figsize=(8.0, 2.6))
    starts = np.concatenate([[0.0], np.cumsum(durations)[:-1]])
    ax.barh(pitches, durations * 0.95, left=starts, height=0.8, color=color or COLORS["x"], label=label or None)
    names = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
    lo, hi = int(pitches.min()) - 1, int(pitches.max()) + 1
    ticks = [p for p in range(lo, hi + 1) if p % 12 in (0, 4, 7)]      # the C major triad
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.set_yticklabels([f"{names[p % 12]}{p // 12 - 1}" for p in ticks], fontsize=8)
    ax.set_ylim(lo - 0.5, hi + 0.5)
    ax.set_xlabel("time (quarter notes)")
    ax.spines[["top", "right"]].set_visible(False)
    return ax
