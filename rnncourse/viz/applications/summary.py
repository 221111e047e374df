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
