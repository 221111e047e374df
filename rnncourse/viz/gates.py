"""Figures and widgets of lesson 05 (GRU) and lesson 06 (LSTM): cells, gates, accuracy.

Drawings
    :func:`draw_gru_cell` (the simplified or the full GRU), :func:`draw_lstm_cell`,
    :func:`plot_gate_activations` (one heatmap per gate: units down, time across),
    :func:`plot_gate_means` (each gate's mean over units, step by step) and
    :func:`plot_accuracy_by_distance` (test accuracy against the distance a model must
    remember).
Pure functions behind the widgets (tested without a display)
    :func:`stack_gates` (gate values of every step, out of a sequence cache) and
    :func:`gate_view` (one example, one gate: values, means, the step it opens most).
Widget builder (ipywidgets imported inside)
    :func:`explore_gates`: pick an example and a gate, see when the gate opens.

Every drawing takes ``ax=None`` (or ``axes=None``), draws on a new figure when it is
None, returns what it drew on and leaves matplotlib's global state alone.
"""

from __future__ import annotations

from typing import Mapping, NamedTuple, Sequence

import numpy as np

from .._validate import Dims
from . import COLORS, _legend_outside, draw_arrow, draw_box, finish_diagram, get_axes, notation

__all__ = [
    "GATE_LABELS", "GateView", "draw_gru_cell", "draw_lstm_cell", "explore_gates", "gate_view",
    "plot_accuracy_by_distance", "plot_gate_activations", "plot_gate_means", "stack_gates",
]

#: cache fields that hold gate-like values, with their course symbol (mathtext)
GATE_LABELS = {
    "Gamma_u": r"$\Gamma_u$",
    "Gamma_r": r"$\Gamma_r$",
    "Gamma_f": r"$\Gamma_f$",
    "Gamma_o": r"$\Gamma_o$",
    "c_tilde": r"$\tilde{c}$",
}
#: gates are sigmoids in [0, 1]; the candidate is a tanh in [-1, 1]
_RANGES = {"c_tilde": (-1.0, 1.0)}
#: one colour per gate, shared by the cell diagrams and the plots
_GATE_COLORS = {
    "Gamma_u": "#8172b2",
    "Gamma_r": "#dd8452",
    "Gamma_f": "#937860",
    "Gamma_o": "#da8bc3",
    "c_tilde": "#55a868",
}


def _check_index(fn: str, name: str, value, size: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{fn}: {name} must be an int, got {type(value).__name__}")
    if not 0 <= value < size:
        raise ValueError(f"{fn}: {name} must be in [0, {size}), got {value}")
    return int(value)


# ------------------------------------------------------------------------------------------
# Pure functions

def stack_gates(caches, names: Sequence[str] | None = None) -> dict:
    """The gate values of every step of a GRU or LSTM run, stacked over time.

    Parameters
    ----------
    caches : SequenceCache, or a list of cell caches
        What :func:`rnncourse.gru.gru_forward` or :func:`rnncourse.lstm.lstm_forward`
        returned as ``caches`` (``(cells, x)``), or its ``cells`` part, or a list of
        caches built step by step with the cell forward.
    names : sequence of str, optional
        Cache fields to collect, among ``GATE_LABELS`` (``"Gamma_u"``, ``"Gamma_r"``,
        ``"Gamma_f"``, ``"Gamma_o"``, ``"c_tilde"``).  Default: every one of them the
        cache has, in that order (the gates first, the candidate last).

    Returns
    -------
    gates : dict name -> ndarray of shape (n_a, m, T_x)
        ``gates[name][:, :, t]`` is the field ``name`` of step t's cache.
    """
    fn = "stack_gates"
    cells = caches
    if isinstance(caches, tuple) and len(caches) == 2 and not hasattr(caches, "_fields"):
        cells = caches[0]               # a plain (cells, x) pair
    elif hasattr(caches, "cells") and hasattr(caches, "x"):
        cells = caches.cells            # a SequenceCache
    try:
        T = len(cells)
    except TypeError:
        raise TypeError(f"{fn}: caches must be the caches of gru_forward / lstm_forward or a "
                        f"list of cell caches, got {type(caches).__name__}") from None
    if T == 0:
        raise ValueError(f"{fn}: caches hold no time step")
    first = cells[0]
    fields = getattr(first, "_fields", None)
    if fields is None:
        raise TypeError(f"{fn}: each step's cache must be a GRUCellCache or LSTMCellCache, "
                        f"got {type(first).__name__}")
    available = [g for g in GATE_LABELS if g in fields]
    if names is None:
        names = available
    names = list(names)
    unknown = [n for n in names if n not in available]
    if unknown or not names:
        raise ValueError(f"{fn}: names must be among the gates of this cache "
                         f"({', '.join(available) or 'none'}), got {names}")
    steps = [first] + [cells[t] for t in range(1, T)]
    return {n: np.stack([getattr(step, n) for step in steps], axis=2) for n in names}


def _bind_gates(fn: str, gates) -> dict:
    if not isinstance(gates, Mapping) or not gates:
        raise TypeError(f"{fn}: gates must be a non-empty dict name -> ndarray (n_a, m, T_x), "
                        f"e.g. from stack_gates, got {type(gates).__name__}")
    d = Dims(fn)
    out = {}
    for name, value in gates.items():
        if name not in GATE_LABELS:
            raise ValueError(f"{fn}: unknown gate {name!r}; expected one of "
                             f"{', '.join(GATE_LABELS)}")
        out[name] = d.bind(f"gates['{name}']", value, ("n_a", "m", "T_x"))
    return out


def _check_tokens(fn: str, tokens, m: int, T: int):
    """``tokens[i]`` as a list of T labels (blank beyond a shorter sequence), or None."""
    if tokens is None:
        return None
    if isinstance(tokens, (str, bytes)) or len(tokens) != m:
        raise ValueError(f"{fn}: tokens must hold one sequence of words per example "
                         f"(m = {m}), got {type(tokens).__name__} of length "
                         f"{len(tokens) if hasattr(tokens, '__len__') else '?'}")
    out = []
    for i, words in enumerate(tokens):
        words = [str(w) for w in words]
        if len(words) > T:
            raise ValueError(f"{fn}: tokens[{i}] has {len(words)} words, more than T_x = {T}")
        out.append(words + [""] * (T - len(words)))
    return out


class GateView(NamedTuple):
    """What the gate explorer shows for one example and one gate."""

    gate: str               #: the gate's name, e.g. "Gamma_u"
    example: int            #: which example
    values: np.ndarray      #: (n_a, T_x) the gate of every unit at every step
    mean: np.ndarray        #: (T_x,) mean over units, step by step
    opens_at: int           #: 1-based step where the mean is largest
    tokens: tuple           #: T_x words ("" where unknown)
    text: str               #: one sentence summing it up


def gate_view(gates, example: int = 0, gate: str | None = None, *, tokens=None) -> GateView:
    """One example's values of one gate, and the step where that gate is most open.

    Parameters
    ----------
    gates : dict name -> ndarray of shape (n_a, m, T_x)
        E.g. from :func:`stack_gates`.
    example : int in [0, m)
    gate : str, optional
        A key of ``gates``; default the first one.
    tokens : sequence of m sequences of str, optional
        The words of each example (``tokens[i][t]`` is read at step t + 1).

    Returns
    -------
    GateView
        ``mean[t]`` is the mean over the n_a units at step t + 1 and ``opens_at`` the
        1-based step of its maximum (the first one on ties).  For an update gate this
        is where the cell writes the most: on the agreement task, at the subject.
    """
    fn = "gate_view"
    gates = _bind_gates(fn, gates)
    first = next(iter(gates.values()))
    n_a, m, T = first.shape
    example = _check_index(fn, "example", example, m)
    if gate is None:
        gate = next(iter(gates))
    if gate not in gates:
        raise ValueError(f"{fn}: gate must be one of {', '.join(map(repr, gates))}, got {gate!r}")
    words = _check_tokens(fn, tokens, m, T)
    values = gates[gate][:, example, :]                  # (n_a, T_x)
    mean = values.mean(axis=0)                           # (T_x,)
    opens_at = int(np.argmax(mean)) + 1
    row = tuple(words[example]) if words is not None else ("",) * T
    word = f" ({row[opens_at - 1]!r})" if row[opens_at - 1] else ""
    peak = "is largest" if gate == "c_tilde" else "is most open"
    text = (f"example {example}: {gate} {peak} at step {opens_at}{word}, "
            f"mean {mean[opens_at - 1]:.2f}; over all steps its mean is {mean.mean():.2f}")
    return GateView(gate, example, values, mean, opens_at, row, text)


# ------------------------------------------------------------------------------------------
# Plots

#: up to this many steps the words sit level under their step numbers; beyond, they
#: are turned upright (one line of text per step), or they would run into each other
_LEVEL_WORDS = 16


def _time_axis(ax, T: int, words) -> None:
    ax.set_xticks(np.arange(T))
    if words is not None and any(words):
        if T <= _LEVEL_WORDS:
            ax.set_xticklabels([f"{t + 1}\n{w}" for t, w in enumerate(words)], fontsize=7)
        else:
            ax.set_xticklabels([f"{w} {t + 1}" for t, w in enumerate(words)], fontsize=7,
                               rotation=90)
        ax.set_xlabel("time step $t$ and the word read at it")
    else:
        ax.set_xticklabels([str(t) for t in range(1, T + 1)], fontsize=8,
                           rotation=90 if T > 40 else 0)
        ax.set_xlabel("time step $t$")


def plot_gate_activations(gates, example: int = 0, *, names: Sequence[str] | None = None,
                          tokens=None, axes=None, colorbar: bool = True):
    """One heatmap per gate for one example: units down, time steps across.

    Parameters
    ----------
    gates : dict name -> ndarray of shape (n_a, m, T_x)
    example : int in [0, m)
    names : sequence of str, optional
        Which gates to show, top to bottom; default all of ``gates``.
    tokens : sequence of m sequences of str, optional
        Words shown under the time steps.
    axes : sequence of matplotlib Axes, one per gate, optional
    colorbar : bool, default True

    Returns
    -------
    axes : list of matplotlib Axes
        Axes k holds one image whose data is ``gates[names[k]][:, example, :]``; the
        colour scale is fixed to [0, 1] for gates and [-1, 1] for ``c_tilde``.
    """
    fn = "plot_gate_activations"
    gates = _bind_gates(fn, gates)
    names = list(gates) if names is None else list(names)
    for n in names:
        if n not in gates:
            raise ValueError(f"{fn}: names must be keys of gates ({', '.join(gates)}), got {n!r}")
    n_a, m, T = next(iter(gates.values())).shape
    example = _check_index(fn, "example", example, m)
    words = _check_tokens(fn, tokens, m, T)
    if axes is None:
        import matplotlib.pyplot as plt

        height = min(0.18 * n_a + 0.9, 3.0)
        _, axes = plt.subplots(len(names), 1, figsize=(min(0.42 * T + 2.5, 12.0), height * len(names) + 0.6),
                               squeeze=False, sharex=True, layout="constrained")
    axes = list(np.ravel(axes))
    if len(axes) != len(names):
        raise ValueError(f"{fn}: axes must hold {len(names)} Axes (one per gate), got {len(axes)}")
    for k, (ax, name) in enumerate(zip(axes, names)):
        low, high = _RANGES.get(name, (0.0, 1.0))
        image = ax.imshow(gates[name][:, example, :], cmap="RdBu_r" if low < 0 else "viridis",
                          vmin=low, vmax=high, aspect="auto", interpolation="nearest")
        ax.set_ylabel(GATE_LABELS[name] + "\nunits", fontsize=10)
        ax.set_yticks([])
        if k == len(names) - 1:
            _time_axis(ax, T, None if words is None else words[example])
        else:
            ax.tick_params(labelbottom=False)
        if colorbar:
            bar = ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.01)
            bar.set_label("value" if low < 0 else "gate value", fontsize=8)
    axes[0].set_title(f"gate values of example {example}", fontsize=11)
    return axes


def plot_gate_means(gates, example: int = 0, *, names: Sequence[str] | None = None, tokens=None,
                    ax=None, mark: str | None = None):
    """Each gate's mean over units, step by step, for one example.

    Parameters
    ----------
    gates : dict name -> ndarray of shape (n_a, m, T_x)
    example : int in [0, m)
    names : sequence of str, optional
        Gates to draw (``c_tilde`` is skipped by default: it is not in [0, 1]).
    tokens : sequence of m sequences of str, optional
    ax : matplotlib Axes, optional
    mark : str, optional
        A gate whose most open step (:func:`gate_view`'s ``opens_at``) gets a vertical
        line; default the first gate drawn.

    Returns
    -------
    ax : matplotlib Axes
        One line per gate, in the order of ``names``, its y data the means.
    """
    fn = "plot_gate_means"
    gates = _bind_gates(fn, gates)
    if names is None:
        names = [n for n in gates if n != "c_tilde"] or list(gates)
    names = list(names)
    n_a, m, T = next(iter(gates.values())).shape
    words = _check_tokens(fn, tokens, m, T)
    ax = get_axes(ax, figsize=(min(0.42 * T + 2.5, 12.0), 3.0))
    views = {n: gate_view(gates, example, n, tokens=tokens) for n in names}
    for n, view in views.items():
        ax.plot(np.arange(T), view.mean, marker="o", markersize=3, label=GATE_LABELS[n],
                color=_GATE_COLORS[n])
    mark = names[0] if mark is None else mark
    if mark not in views:
        raise ValueError(f"{fn}: mark must be one of the gates drawn ({', '.join(names)}), got {mark!r}")
    ax.axvline(views[mark].opens_at - 1, color=_GATE_COLORS[mark], linestyle=":", linewidth=1.2)
    low = min(_RANGES.get(n, (0.0, 1.0))[0] for n in names)
    ax.set_ylim(low - 0.03, 1.03)
    ax.set_ylabel("mean over units")
    _time_axis(ax, T, None if words is None else words[example])
    # above the axes, in one row: off the lines, and no wider than the axes
    _legend_outside(ax, loc="lower left", bbox_to_anchor=(0.0, 1.01), ncol=len(names),
                    frameon=False)
    ax.grid(True, alpha=0.3)
    return ax


def plot_accuracy_by_distance(distances, accuracies: Mapping[str, Sequence[float]], *,
                              chance: float | None = 0.5, ax=None):
    """Test accuracy against the distance between the evidence and the prediction.

    Parameters
    ----------
    distances : sequence of int, length D
    accuracies : dict label -> sequence of D floats in [0, 1]
        One line per model.
    chance : float, optional
        Accuracy of guessing, drawn as a dashed line (None for none).
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
        One line per model, in the order of ``accuracies``.
    """
    fn = "plot_accuracy_by_distance"
    distances = np.asarray(distances)
    if distances.ndim != 1 or distances.size == 0:
        raise ValueError(f"{fn}: distances must be a non-empty 1-D sequence, got shape {distances.shape}")
    if not isinstance(accuracies, Mapping) or not accuracies:
        raise TypeError(f"{fn}: accuracies must be a non-empty dict label -> accuracies")
    ax = get_axes(ax, figsize=(6.8, 3.2))
    for label, acc in accuracies.items():
        acc = np.asarray(acc, dtype=float)
        if acc.shape != distances.shape:
            raise ValueError(f"{fn}: accuracies[{label!r}] must have one value per distance "
                             f"({distances.size}), got shape {acc.shape}")
        if np.any((acc < 0) | (acc > 1)):
            raise ValueError(f"{fn}: accuracies[{label!r}] must lie in [0, 1]")
        ax.plot(distances, acc, marker="o", label=label)
    if chance is not None:
        ax.axhline(chance, color="0.5", linestyle="--", linewidth=1, label="chance")
    ax.set_xticks(distances)
    ax.set_ylim(min(0.4, (chance or 0.5) - 0.1), 1.03)
    ax.set_xlabel("distance between subject and verb (steps)")
    ax.set_ylabel("test accuracy")
    _legend_outside(ax)
    ax.grid(True, alpha=0.3)
    return ax


# ------------------------------------------------------------------------------------------
# Widget

def _gate_figure(gates: dict, example: int, gate: str, tokens):
    """The gate explorer's figure: every gate's mean (top), the chosen gate's heatmap (bottom).

    The legend of the top panel sits above it; the heatmap's colour bar is attached to
    both panels, so that they keep the same width and the time steps line up.
    """
    import matplotlib.pyplot as plt

    T = next(iter(gates.values())).shape[2]
    height = 5.6 if T <= _LEVEL_WORDS else 6.4        # upright words need more room
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(min(0.42 * T + 3.0, 12.0), height),
                                      sharex=True, gridspec_kw={"height_ratios": [1, 1.2]},
                                      layout="constrained")
    plot_gate_means(gates, example, tokens=tokens, ax=top, mark=gate if gate != "c_tilde" else None)
    plot_gate_activations(gates, example, names=[gate], tokens=tokens, axes=[bottom], colorbar=False)
    # one colour bar beside both panels (shrunk to the heatmap's height), so that both
    # keep the same width and the time steps line up
    bar = fig.colorbar(bottom.images[0], ax=[top, bottom], fraction=0.03, pad=0.01, shrink=0.55,
                       anchor=(0.0, 0.0))
    bar.set_label("value" if gate == "c_tilde" else "gate value", fontsize=8)
    top.set_xlabel("")
    top.tick_params(labelbottom=False)
    return fig


def explore_gates(gates, *, tokens=None, captions: Sequence[str] | None = None):
    """Widget of lessons 05-06: pick an example and a gate, see when the gate opens.

    Parameters
    ----------
    gates : dict name -> ndarray of shape (n_a, m, T_x)
        E.g. ``stack_gates(caches)`` of a trained GRU or LSTM.
    tokens : sequence of m sequences of str, optional
        The words of each example, shown under the time steps.
    captions : sequence of m str, optional
        A line shown above the figure for each example (e.g. label and prediction).

    Returns
    -------
    ipywidgets.VBox
        An ``example`` slider (0 ... m-1) and a ``gate`` dropdown, then the example's
        caption and the sentence of :func:`gate_view` (an HTML line, not printed output),
        then two figures: :func:`plot_gate_means` (all gates) and
        :func:`plot_gate_activations` (the chosen gate's heatmap).
    """
    import html

    import ipywidgets as widgets

    from . import _show

    fn = "explore_gates"
    checked = _bind_gates(fn, gates)
    n_a, m, T = next(iter(checked.values())).shape
    _check_tokens(fn, tokens, m, T)
    if captions is not None and (isinstance(captions, str) or len(captions) != m):
        raise ValueError(f"{fn}: captions must hold one string per example (m = {m})")
    example = widgets.IntSlider(value=0, min=0, max=m - 1, description="example")
    gate = widgets.Dropdown(options=list(checked), value=next(iter(checked)), description="gate")
    text = widgets.HTML()
    out = widgets.Output()

    def redraw(change=None):
        view = gate_view(checked, example.value, gate.value, tokens=tokens)
        lines = ([captions[example.value]] if captions is not None else []) + [view.text]
        text.value = "<br>".join(html.escape(line) for line in lines)
        with out:
            out.clear_output(wait=True)
            _show(_gate_figure(checked, example.value, gate.value, tokens))

    for control in (example, gate):
        control.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([example, gate]), text, out])


# ------------------------------------------------------------------------------------------
# Cell diagrams

def _node(ax, center, symbol, *, color=None):
    """A small circle holding an operation symbol (x, +, 1-)."""
    from matplotlib.patches import Circle

    ax.add_patch(Circle(center, 0.26, facecolor="white", edgecolor=color or COLORS["edge"],
                        linewidth=1.2, zorder=3))
    ax.text(center[0], center[1], symbol, ha="center", va="center", fontsize=10, zorder=4)


def _gate_box(ax, center, activation, name, *, label_side="left"):
    """A gate's box (its activation inside) with the gate's symbol beside it."""
    draw_box(ax, center, activation, width=0.9, height=0.62, color=_GATE_COLORS[name], fontsize=10)
    dx = -0.62 if label_side == "left" else 0.62
    ax.text(center[0] + dx, center[1] + 0.42, GATE_LABELS[name], ha="center", va="center",
            fontsize=11, color=_GATE_COLORS[name])


def _poly(ax, points, *, color, arrow=True, **kwargs):
    """A line through ``points``; an arrow head on the last segment."""
    xs, ys = zip(*points)
    if len(points) > 2:
        ax.plot(xs[:-1], ys[:-1], color=color, linewidth=1.3, solid_capstyle="round", **kwargs)
    if arrow:
        draw_arrow(ax, points[-2], points[-1], color=color, **kwargs)
    else:
        ax.plot(xs[-2:], ys[-2:], color=color, linewidth=1.3, **kwargs)


def draw_gru_cell(ax=None, *, simplified: bool = False):
    """The inside of one GRU step: what ``gru_cell_forward`` computes.

    The memory cell runs along the top, from :math:`c^{\\langle t-1 \\rangle}` to
    :math:`c^{\\langle t \\rangle}`, where it is only multiplied and added to: that
    straight path is the lesson's point.  The gates read ``[c<t-1>; x<t>]`` from the
    line at the bottom.

    Parameters
    ----------
    ax : matplotlib Axes, optional
    simplified : bool, default False
        Draw the simplified GRU of the lesson's first half: no relevance gate, the
        candidate reads ``[c<t-1>; x<t>]`` directly.

    Returns
    -------
    ax : matplotlib Axes
    """
    ax = get_axes(ax, figsize=(8.0, 5.0))
    mem, gate_y, bus = 3.4, 0.6, -0.8
    c_prev, c_t, x_t = notation("c", "t-1"), notation("c", "t"), notation("x", "t")
    green, blue = COLORS["a"], COLORS["x"]
    keep_x, plus_x = 6.2, 7.6
    draw_box(ax, (4.1, 1.35), "", width=9.2, height=5.3, color="none", linestyle="--")
    ax.text(8.55, -1.15, "gru_cell_forward" + (r" with $\Gamma_r = 1$" if simplified else ""),
            ha="right", fontsize=9, family="monospace", color=COLORS["edge"])
    # the memory lane: c<t-1> -> x (1 - Gamma_u) -> + -> c<t> = a<t>
    draw_arrow(ax, (-1.9, mem), (keep_x - 0.26, mem), color=green)
    ax.text(-1.9, mem + 0.3, c_prev, ha="left", va="center", fontsize=11, color=green)
    draw_arrow(ax, (keep_x + 0.26, mem), (plus_x - 0.26, mem), color=green)
    draw_arrow(ax, (plus_x + 0.26, mem), (9.6, mem), color=green)
    ax.text(9.75, mem, c_t, ha="left", va="center", fontsize=11, color=green)
    _node(ax, (keep_x, mem), r"$\times$")
    _node(ax, (plus_x, mem), "+")
    draw_arrow(ax, (8.6, mem), (8.6, 4.5), color=green)
    ax.text(8.6, 4.75, notation("a", "t") + " $=$ " + c_t, ha="center", va="center", fontsize=10,
            color=green)
    # the bus [c<t-1>; x<t>] feeding the gates
    _poly(ax, [(-0.6, mem), (-0.6, bus)], color=green, arrow=False)
    _poly(ax, [(-0.6, bus), (3.6, bus)], color=COLORS["edge"], arrow=False)
    _poly(ax, [(0.0, -2.0), (0.0, bus)], color=blue)
    ax.text(0.0, -2.25, x_t, ha="center", va="center", fontsize=11, color=blue)
    ax.text(2.6, bus - 0.3, r"$[c^{\langle t-1 \rangle};\, x^{\langle t \rangle}]$", ha="center",
            va="center", fontsize=9)
    # update gate Gamma_u: to (1 - Gamma_u) on the lane and to Gamma_u * c_tilde
    u_x = 3.3
    _gate_box(ax, (u_x, gate_y), r"$\sigma$", "Gamma_u")
    draw_arrow(ax, (u_x, bus), (u_x, gate_y - 0.31))
    purple = _GATE_COLORS["Gamma_u"]
    _poly(ax, [(u_x, gate_y + 0.31), (u_x, 2.1), (7.6 - 0.26, 2.1)], color=purple)
    _node(ax, (keep_x, 2.55), "1$-$")
    _poly(ax, [(keep_x, 2.1), (keep_x, 2.55 - 0.26)], color=purple)
    draw_arrow(ax, (keep_x, 2.55 + 0.26), (keep_x, mem - 0.26), color=purple)
    # candidate c_tilde -> x Gamma_u -> + on the lane
    cand_x = 5.4
    _gate_box(ax, (cand_x, gate_y), "tanh", "c_tilde", label_side="right")
    _node(ax, (plus_x, 2.1), r"$\times$")
    _poly(ax, [(cand_x + 0.45, gate_y), (plus_x, gate_y), (plus_x, 2.1 - 0.26)], color=_GATE_COLORS["c_tilde"])
    draw_arrow(ax, (plus_x, 2.1 + 0.26), (plus_x, mem - 0.26), color=_GATE_COLORS["c_tilde"])
    if simplified:
        _poly(ax, [(3.6, bus), (cand_x, bus), (cand_x, gate_y - 0.31)], color=COLORS["edge"])
        lines = [r"$\tilde{c}^{\langle t \rangle} = \tanh(W_c[c^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_c)$"]
    else:
        # relevance gate Gamma_r scales c<t-1> before the candidate reads it
        r_x = 1.4
        _gate_box(ax, (r_x, gate_y), r"$\sigma$", "Gamma_r")
        draw_arrow(ax, (r_x, bus), (r_x, gate_y - 0.31))
        orange = _GATE_COLORS["Gamma_r"]
        _node(ax, (r_x, 2.1), r"$\times$")
        draw_arrow(ax, (r_x, gate_y + 0.31), (r_x, 2.1 - 0.26), color=orange)
        draw_arrow(ax, (r_x, mem), (r_x, 2.1 + 0.26), color=green)
        _poly(ax, [(r_x + 0.26, 2.1), (2.3, 2.1), (2.3, 1.55), (4.6, 1.55), (cand_x - 0.3, gate_y + 0.31)],
              color=orange)
        ax.text(4.0, 1.3, r"$\Gamma_r * c^{\langle t-1 \rangle}$", ha="center", va="center", fontsize=8,
                color=orange)
        _poly(ax, [(3.6, bus), (cand_x, bus), (cand_x, gate_y - 0.31)], color=blue)
        ax.text(cand_x + 0.35, -0.25, x_t, ha="center", va="center", fontsize=9, color=blue)
        lines = [r"$\Gamma_r = \sigma(W_r[c^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_r)$",
                 r"$\tilde{c}^{\langle t \rangle} = \tanh(W_c[\Gamma_r * c^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_c)$"]
    lines += [r"$\Gamma_u = \sigma(W_u[c^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_u)$",
              r"$c^{\langle t \rangle} = \Gamma_u * \tilde{c}^{\langle t \rangle} + (1 - \Gamma_u) * c^{\langle t-1 \rangle}$"]
    for k, line in enumerate(lines):
        ax.text(4.1, -2.85 - 0.45 * k, line, ha="center", va="center", fontsize=10)
    title = "simplified GRU (no relevance gate)" if simplified else "GRU"
    return finish_diagram(ax, (-2.0, 10.6), (-3.1 - 0.45 * len(lines), 5.1), title=title)


def draw_lstm_cell(ax=None):
    """The inside of one LSTM step: what ``lstm_cell_forward`` computes.

    The memory cell runs along the top from :math:`c^{\\langle t-1 \\rangle}` to
    :math:`c^{\\langle t \\rangle}`: multiplied by the forget gate, added to the
    gated candidate, never squashed on the way.  The hidden state
    :math:`a^{\\langle t \\rangle}` is read out of it through the output gate.

    Parameters
    ----------
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
    """
    ax = get_axes(ax, figsize=(8.5, 5.3))
    mem, gate_y, bus, a_y = 3.4, 0.6, -0.8, -0.8
    green, blue = COLORS["a"], COLORS["x"]
    c_prev, c_t = notation("c", "t-1"), notation("c", "t")
    a_prev, a_t, x_t = notation("a", "t-1"), notation("a", "t"), notation("x", "t")
    f_x, u_x, c_x, o_x = 1.0, 2.6, 4.2, 6.0
    forget_x, plus_x = 1.0, 4.9
    draw_box(ax, (4.2, 1.3), "", width=9.8, height=5.4, color="none", linestyle="--")
    ax.text(6.6, -1.7, "lstm_cell_forward", ha="left", fontsize=9, family="monospace",
            color=COLORS["edge"])
    # memory lane: c<t-1> -> x Gamma_f -> + -> c<t>
    draw_arrow(ax, (-1.9, mem), (forget_x - 0.26, mem), color=green)
    ax.text(-1.9, mem + 0.3, c_prev, ha="left", va="center", fontsize=11, color=green)
    _node(ax, (forget_x, mem), r"$\times$")
    draw_arrow(ax, (forget_x + 0.26, mem), (plus_x - 0.26, mem), color=green)
    _node(ax, (plus_x, mem), "+")
    draw_arrow(ax, (plus_x + 0.26, mem), (9.8, mem), color=green)
    ax.text(9.95, mem, c_t, ha="left", va="center", fontsize=11, color=green)
    # bus [a<t-1>; x<t>]
    draw_arrow(ax, (-1.9, bus), (-0.4, bus), color=COLORS["a"])
    ax.text(-1.9, bus + 0.3, a_prev, ha="left", va="center", fontsize=11, color=COLORS["a"])
    _poly(ax, [(-0.4, bus), (o_x, bus)], color=COLORS["edge"], arrow=False)
    _poly(ax, [(-0.4, -2.0), (-0.4, bus)], color=blue)
    ax.text(-0.4, -2.25, x_t, ha="center", va="center", fontsize=11, color=blue)
    ax.text(0.6, bus - 0.3, r"$[a^{\langle t-1 \rangle};\, x^{\langle t \rangle}]$", ha="center",
            va="center", fontsize=9)
    for x, act, name, side in ((f_x, r"$\sigma$", "Gamma_f", "left"), (u_x, r"$\sigma$", "Gamma_u", "left"),
                               (c_x, "tanh", "c_tilde", "left"), (o_x, r"$\sigma$", "Gamma_o", "left")):
        _gate_box(ax, (x, gate_y), act, name, label_side=side)
        draw_arrow(ax, (x, bus), (x, gate_y - 0.31))
    # forget gate -> x on the lane
    draw_arrow(ax, (f_x, gate_y + 0.31), (forget_x, mem - 0.26), color=_GATE_COLORS["Gamma_f"])
    # update gate x candidate -> +
    _node(ax, (plus_x, 2.1), r"$\times$")
    _poly(ax, [(u_x, gate_y + 0.31), (u_x, 2.1), (plus_x - 0.26, 2.1)], color=_GATE_COLORS["Gamma_u"])
    _poly(ax, [(c_x, gate_y + 0.31), (c_x, 1.4), (plus_x, 1.4), (plus_x, 2.1 - 0.26)],
          color=_GATE_COLORS["c_tilde"])
    draw_arrow(ax, (plus_x, 2.1 + 0.26), (plus_x, mem - 0.26), color=COLORS["edge"])
    # output: a<t> = Gamma_o * tanh(c<t>)
    tanh_x = 7.5
    draw_box(ax, (tanh_x, 2.5), "tanh", width=0.9, height=0.55)
    draw_arrow(ax, (tanh_x, mem), (tanh_x, 2.5 + 0.28), color=green)
    _node(ax, (tanh_x, 1.4), r"$\times$")
    draw_arrow(ax, (tanh_x, 2.5 - 0.28), (tanh_x, 1.4 + 0.26))
    _poly(ax, [(o_x, gate_y + 0.31), (o_x, 1.4), (tanh_x - 0.26, 1.4)], color=_GATE_COLORS["Gamma_o"])
    _poly(ax, [(tanh_x, 1.4 - 0.26), (tanh_x, a_y), (9.8, a_y)], color=COLORS["a"])
    ax.text(9.95, a_y, a_t, ha="left", va="center", fontsize=11, color=COLORS["a"])
    ax.text(9.95, a_y - 0.4, r"(to $\hat{y}^{\langle t \rangle}$ and step $t+1$)", ha="left",
            va="center", fontsize=8, color=COLORS["edge"])
    lines = [
        r"$\tilde{c}^{\langle t \rangle} = \tanh(W_c[a^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_c)$"
        r"$\qquad \Gamma_{u,f,o} = \sigma(W_{u,f,o}[a^{\langle t-1 \rangle}, x^{\langle t \rangle}] + b_{u,f,o})$",
        r"$c^{\langle t \rangle} = \Gamma_u * \tilde{c}^{\langle t \rangle} + \Gamma_f * c^{\langle t-1 \rangle}$"
        r"$\qquad a^{\langle t \rangle} = \Gamma_o * \tanh(c^{\langle t \rangle})$",
    ]
    for k, line in enumerate(lines):
        ax.text(4.2, -2.85 - 0.45 * k, line, ha="center", va="center", fontsize=10)
    return finish_diagram(ax, (-2.0, 12.4), (-3.1 - 0.45 * len(lines), 4.4), title="LSTM")
