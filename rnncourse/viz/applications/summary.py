"""Lesson 09's summary: one :class:`ApplicationResult` per application, as a table and as bars."""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from .. import COLORS, get_axes

_BASELINE_COLOR = "#b0b0b0"


class ApplicationResult(NamedTuple):
    """One row of lesson 09's summary: an application, its RNN type and what was measured."""

    application: str
    rnn_type: str        #: "many-to-one", "one-to-many", "many-to-many (T_x = T_y)", ...
    shapes: str          #: e.g. "x (n_x, m, T_x) -> y_hat (n_y, m)"
    metric: str          #: what ``model`` and ``baseline`` measure, e.g. "test accuracy"
    model: float         #: the trained RNN's score
    baseline: float | None = None   #: the strongest cheap baseline's score, when there is one
    baseline_name: str = ""
    lower_is_better: bool = False   #: e.g. an error rate


def _check_results(fn: str, results) -> list:
    results = list(results)
    if not results or not all(isinstance(r, ApplicationResult) for r in results):
        raise TypeError(f"{fn}: results must be a non-empty list of ApplicationResult")
    return results


def results_table(results: Sequence[ApplicationResult], digits: int = 2) -> str:
    """The summary as narrow text (three lines per application, at most 72 characters wide).

    Line 1: the application and its RNN type.  Line 2, indented: the metric (marked
    "lower is better" for error rates).  Line 3: the RNN's score against the
    baseline's name and score (``no baseline`` when there is none).  Scores are rounded to ``digits`` decimals, so a
    notebook can print it as a stable output.
    """
    fn = "results_table"
    results = _check_results(fn, results)
    lines = []
    for r in results:
        metric = r.metric + (" (lower is better)" if r.lower_is_better else "")
        base = "no baseline" if r.baseline is None else f"{r.baseline_name} {r.baseline:.{digits}f}"
        lines.append(f"{r.application} ({r.rnn_type})")
        lines.append(f"    {metric}")
        lines.append(f"    RNN {r.model:.{digits}f}  vs  {base}")
    too_wide = [ln for ln in lines if len(ln) > 72]
    if too_wide:
        raise ValueError(f"{fn}: a line is wider than 72 characters, shorten its names: {too_wide[0]!r}")
    return "\n".join(lines)


def plot_results(results: Sequence[ApplicationResult], *, ax=None):
    """Horizontal bars: each application's RNN score above its baseline's (when there is one).

    The y labels name the application and its metric; error rates are marked
    "lower is better".  The legend sits above the axes, clear of the bars.  Returns
    the axes.
    """
    results = _check_results("plot_results", results)
    ax = get_axes(ax, figsize=(7.5, 0.6 * len(results) + 1.3))
    y = np.arange(len(results))[::-1].astype(float)
    h = 0.38
    ax.barh(y + h / 2, [r.model for r in results], height=h, color=COLORS["a"], label="RNN")
    base = [(yy, r.baseline) for yy, r in zip(y, results) if r.baseline is not None]
    if base:
        ax.barh([b[0] - h / 2 for b in base], [b[1] for b in base], height=h,
                color=_BASELINE_COLOR, label="strongest cheap baseline")
    top = max([r.model for r in results] + [b[1] for b in base])
    for yy, r in zip(y, results):
        ax.text(r.model + 0.01, yy + h / 2, f"{r.model:.2f}", va="center", fontsize=8)
        if r.baseline is not None:
            ax.text(r.baseline + 0.01, yy - h / 2, f"{r.baseline:.2f} {r.baseline_name}",
                    va="center", fontsize=8, color="#555555")
    ax.set_yticks(y)
    ax.set_yticklabels([f"{r.application}\n{r.metric}" + (" (lower is better)" if r.lower_is_better
                        else "") for r in results], fontsize=8)
    ax.set_xlim(0, max(1.35, top + 0.45))
    ax.set_xlabel("score on held-out data")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax
