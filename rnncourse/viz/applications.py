"""Figures and the widget of lesson 09 (applications).

Pure functions (tested without a display)
    :func:`results_table` (application -> RNN type -> measured result, as text) and
    :func:`melody_samples` (tunes sampled from a trained note-level model at one
    temperature, with the rate at which they follow each rule of the tune grammar).
Drawings
    :func:`plot_results` (model against baseline, one bar pair per application),
    :func:`plot_melodies` (tunes as a piano roll), :func:`plot_frames` (a synthetic
    spectrogram with true and predicted phonemes under it) and
    :func:`plot_activities` (single frames of each activity, and the angle over time).
Widget builder (ipywidgets imported inside)
    :func:`explore_temperature` (a temperature slider over sampled tunes).

Every drawing takes ``ax=None`` (or ``axes=None``), draws on a new figure when it is
None, returns what it drew on and leaves matplotlib's global state alone.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from .._validate import as_rng
from ..applications import BAR, MELODY_NOTES, MELODY_RULES, melody_rules
from . import COLORS, get_axes

__all__ = [
    "ApplicationResult", "MelodySamples", "explore_temperature", "melody_samples",
    "plot_activities", "plot_frames", "plot_melodies", "plot_results", "results_table",
]

_BASELINE_COLOR = "#b0b0b0"


class ApplicationResult(NamedTuple):
    """One row of lesson 09's summary: an application, its RNN type and what was measured."""

    application: str
    rnn_type: str        #: "many-to-one", "one-to-many", "many-to-many (T_x = T_y)", ...
    shapes: str          #: e.g. "x (n_x, m, T_x) -> y_hat (n_y, m)"
    metric: str          #: what ``model`` and ``baseline`` measure, e.g. "test accuracy"
    model: float         #: the trained RNN's score
    baseline: float | None = None   #: a model without order / context, when there is one
    baseline_name: str = ""


def _check_results(fn: str, results) -> list:
    results = list(results)
    if not results or not all(isinstance(r, ApplicationResult) for r in results):
        raise TypeError(f"{fn}: results must be a non-empty list of ApplicationResult")
    return results


def results_table(results: Sequence[ApplicationResult], digits: int = 2) -> str:
    """The summary as a fixed-width text table, scores rounded to ``digits`` decimals.

    Columns: application, RNN type, metric, RNN score, baseline score (``-`` when there
    is none) and the baseline's name.  Rounded, so a notebook can print it as a
    stable output.
    """
    fn = "results_table"
    results = _check_results(fn, results)
    head = ("application", "RNN type", "metric", "RNN", "baseline", "")
    rows = [(r.application, r.rnn_type, r.metric, f"{r.model:.{digits}f}",
             "-" if r.baseline is None else f"{r.baseline:.{digits}f}", r.baseline_name)
            for r in results]
    widths = [max(len(str(row[j])) for row in [head] + rows) for j in range(len(head))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in [head] + rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def plot_results(results: Sequence[ApplicationResult], *, ax=None):
    """Horizontal bars: each application's RNN score above its baseline's (when there is one).

    The y labels name the application and its RNN type; returns the axes.
    """
    results = _check_results("plot_results", results)
    ax = get_axes(ax, figsize=(7.5, 0.55 * len(results) + 1.2))
    y = np.arange(len(results))[::-1].astype(float)
    h = 0.38
    ax.barh(y + h / 2, [r.model for r in results], height=h, color=COLORS["a"], label="RNN")
    base = [(yy, r.baseline) for yy, r in zip(y, results) if r.baseline is not None]
    if base:
        ax.barh([b[0] - h / 2 for b in base], [b[1] for b in base], height=h,
                color=_BASELINE_COLOR, label="baseline without order / context")
    for yy, r in zip(y, results):
        ax.text(r.model + 0.01, yy + h / 2, f"{r.model:.2f}", va="center", fontsize=8)
        if r.baseline is not None:
            ax.text(r.baseline + 0.01, yy - h / 2, f"{r.baseline:.2f} {r.baseline_name}",
                    va="center", fontsize=8, color="#555555")
    ax.set_yticks(y)
    ax.set_yticklabels([f"{r.application}\n{r.rnn_type} · {r.metric}" for r in results], fontsize=8)
    ax.set_xlim(0, 1.35)
    ax.set_xlabel("score on held-out data (1 = perfect)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


# ------------------------------------------------------------------------------ music

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
    from ..models import sample

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
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))   # note numbers: 0, 2, 4, never 2.5
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

    from .explorers import _show, _wire

    def render(temperature):
        s = melody_samples(model, vocab, temperature, n, rng=seed, training=training)
        rates = ", ".join(f"{r} {v:.2f}" for r, v in s.rule_rates.items())
        print(f"temperature {temperature:.2f}: rules followed: {rates}; "
              f"distinct {s.distinct:.2f}, new {s.new:.2f}")
        fig, ax = plt.subplots(figsize=(7.5, 5.0), layout="constrained")
        plot_melodies(s.tunes, ax=ax)
        _show(fig)

    return _wire(render, {"temperature": widgets.FloatSlider(
        value=1.0, min=0.0, max=2.0, step=0.1, description="temperature", continuous_update=False)})


# ------------------------------------------------------------------------------ frames

def plot_frames(x, y_true, label_names: Sequence[str], y_pred=None, *, axes=None):
    """One utterance: its spectrogram (features by frame) above strips of frame labels.

    Parameters
    ----------
    x : ndarray of shape (n_x, T_x), the frames of one example
    y_true : ndarray of int of shape (T_x,)
    label_names : names of the labels
    y_pred : ndarray of int of shape (T_x,), optional; wrong frames are marked

    Returns
    -------
    axes : array of 2 matplotlib Axes (spectrogram, labels)
    """
    x = np.asarray(x)
    y_true = np.asarray(y_true)
    if x.ndim != 2 or y_true.shape != (x.shape[1],):
        raise ValueError(f"plot_frames: x must have shape (n_x, T_x) and y_true (T_x,), "
                         f"got {x.shape} and {y_true.shape}")
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(2, 1, figsize=(8.0, 3.6), sharex=True, layout="constrained",
                               gridspec_kw={"height_ratios": [3, 1.3]})
    ax, lab = axes
    ax.imshow(x, aspect="auto", origin="lower", cmap="magma")
    ax.set_ylabel("band")
    rows = [("true", y_true)] + ([] if y_pred is None else [("predicted", np.asarray(y_pred))])
    for r, (name, labels) in enumerate(rows):
        yy = len(rows) - 1 - r
        for t, k in enumerate(labels):
            wrong = name == "predicted" and k != y_true[t]
            lab.text(t, yy, label_names[int(k)], ha="center", va="center", fontsize=7,
                     color="red" if wrong else "black", fontweight="bold" if wrong else "normal")
    lab.set_yticks(range(len(rows)))
    lab.set_yticklabels([name for name, _ in rows][::-1], fontsize=8)
    lab.set_ylim(-0.6, len(rows) - 0.4)
    lab.set_xlabel("frame t")
    return axes


def plot_activities(x, y, label_names: Sequence[str], *, axes=None, per_class: int = 3,
                    clips: int = 30):
    """Left: the hand in every frame of ``clips`` clips per activity, pooled and coloured by
    activity (the clouds overlap).  Right: the angle of the arm over time for ``per_class``
    clips of each activity (the curves do not look alike).

    ``x`` (2, m, T_x) hand coordinates, ``y`` (m,) activity indices.  Returns the 2 axes.
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 3 or x.shape[0] != 2 or y.shape != (x.shape[1],):
        raise ValueError(f"plot_activities: x must have shape (2, m, T_x) and y (m,), "
                         f"got {x.shape} and {y.shape}")
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 2, figsize=(9.0, 3.4), layout="constrained")
    frames, angles = axes
    colors = (COLORS["x"], COLORS["y"], COLORS["a"], COLORS["loss"])
    theta = np.arctan2(x[1], x[0])                                  # (m, T_x)
    for k, name in enumerate(label_names):
        idx = np.flatnonzero(y == k)
        pooled = x[:, idx[:clips]].reshape(2, -1)                    # every frame of the clips
        frames.scatter(pooled[0], pooled[1], s=5, alpha=0.35, color=colors[k % 4], label=name)
        for j, i in enumerate(idx[:per_class]):
            angles.plot(theta[i], "-o", ms=3, color=colors[k % 4], label=name if j == 0 else None)
    frames.set_aspect("equal")
    frames.set_title("single frames, pooled: where the hand is", fontsize=9)
    frames.set_xlabel("hand x")
    frames.set_ylabel("hand y")
    frames.legend(fontsize=7, frameon=False)
    angles.set_title("arm angle over the clip: how it moves", fontsize=9)
    angles.set_xlabel("frame t")
    angles.set_ylabel("angle (rad)")
    angles.legend(fontsize=7, frameon=False)
    return axes
