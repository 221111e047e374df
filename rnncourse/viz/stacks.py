"""Figures and widgets of lesson 07 (bidirectional RNN) and lesson 08 (deep RNN).

Pure functions (tested without a display)
    :func:`brnn_reach` (which inputs ``a_fwd<t>``, ``a_bwd<t>`` and ``y_hat<t>`` are
    computed from), :func:`brnn_input_influence` (the same question answered with
    gradients of a real BRNN), :func:`tagging_table` (one sentence's tags and the
    P(PER) of two taggers, as text), :func:`specs_from_text` (``"lstm, bi-gru"`` ->
    layer specs), :func:`deep_rnn_param_counts` / :func:`deep_rnn_summary`
    (parameters per layer of a deep RNN) and :func:`measure_depth_cost` (parameters
    and median forward + backward time against the number of recurrent layers).
Drawings
    :func:`draw_brnn` (both directions over time, ``[a_fwd; a_bwd]`` feeding
    ``y_hat``), :func:`draw_deep_rnn` (a grid of L recurrent layers by T_x steps with
    dense layers on top), :func:`plot_depth_cost` and :func:`plot_tag_probabilities`.
Widget builders (ipywidgets imported inside)
    :func:`explore_brnn_reach`, :func:`explore_tagging`, :func:`explore_deep_rnn`.

Every drawing takes ``ax=None`` (or ``axes=None``), draws on a new figure when it is
None, returns what it drew on and leaves matplotlib's global state alone.
"""

from __future__ import annotations

import time
from typing import NamedTuple, Sequence

import numpy as np

from .._validate import Dims, as_rng, check_int
from ..bidirectional import brnn_backward, brnn_forward
from ..cells import CELLS
from ..deep import (deep_rnn_backward, deep_rnn_forward, flatten_params, init_deep_rnn_params,
                    parse_specs)
from . import COLORS, _show, _wire, draw_arrow, draw_box, finish_diagram, get_axes

__all__ = [
    "BRNNReach", "DepthCost", "LayerCount", "brnn_input_influence", "brnn_reach",
    "deep_rnn_param_counts", "deep_rnn_summary", "draw_brnn", "draw_deep_rnn",
    "explore_brnn_reach", "explore_deep_rnn", "explore_tagging", "measure_depth_cost",
    "plot_depth_cost", "plot_tag_probabilities", "specs_from_text", "tagging_table",
]

_DX = 1.8           # distance between two time steps in the diagrams
_MAX_STEPS = 10     # more steps than this no longer fit a readable diagram
_MAX_ROWS = 10      # recurrent + dense layers a grid can show
_BWD_COLOR = "#8172b2"   # the right-to-left direction (the forward one uses COLORS["a"])
_DENSE_COLOR = "#e8e8e8"
_CELL_W = 0.66      # width of a BRNN cell box: the inputs' arrows pass beside it


def _sup(symbol: str, layer=None, t=None) -> str:
    """mathtext ``symbol^{[layer]<t>}`` (either part may be left out)."""
    parts = ("" if layer is None else f"[{layer}]") + ("" if t is None else rf"\langle {t} \rangle")
    return f"${symbol}^{{{parts}}}$" if parts else f"${symbol}$"


# ==========================================================================================
# Lesson 07: what each direction sees

class BRNNReach(NamedTuple):
    """Which inputs ``x<1> ... x<T_x>`` a quantity at step t is computed from.

    Each field is a bool ndarray of shape (T_x,); entry ``s - 1`` is True when
    ``x<s>`` is used.
    """

    fwd: np.ndarray     #: a_fwd<t>: x<1> ... x<t>  (the past and the present)
    bwd: np.ndarray     #: a_bwd<t>: x<t> ... x<T_x>  (the present and the future)
    y: np.ndarray       #: y_hat<t> = g(W_y [a_fwd<t>; a_bwd<t>] + b_y): every input


def brnn_reach(T_x: int, t: int) -> BRNNReach:
    """The inputs each part of a bidirectional RNN uses at step ``t`` (1-based).

    ``a_fwd<t>`` is computed left to right, so it has read ``x<1> ... x<t>``;
    ``a_bwd<t>`` right to left, so it has read ``x<t> ... x<T_x>``; the prediction
    ``y_hat<t>`` reads both, hence the whole sentence.  A one-directional RNN's
    prediction at ``t`` has only the ``fwd`` part.

    Parameters
    ----------
    T_x : int >= 1
    t : int in 1 ... T_x

    Returns
    -------
    BRNNReach
    """
    fn = "brnn_reach"
    T_x = check_int(fn, "T_x", T_x, 1)
    t = check_int(fn, "t", t, 1, T_x)
    steps = np.arange(1, T_x + 1)
    fwd, bwd = steps <= t, steps >= t
    return BRNNReach(fwd, bwd, fwd | bwd)


def brnn_input_influence(x, a0_fwd, a0_bwd, params, t: int, cell: str = "rnn") -> BRNNReach:
    """How strongly each input moves ``a_fwd<t>`` and ``a_bwd<t>`` in a real BRNN.

    Measured, not assumed: backpropagate ``sum(a_fwd<t>)`` (then ``sum(a_bwd<t>)``)
    through :func:`rnncourse.bidirectional.brnn_backward` and take, for every step
    ``s``, the norm of the gradient with respect to ``x<s>`` (over the n_x input
    units and the m examples).  Inputs a direction never reads get exactly 0.

    Parameters
    ----------
    x : ndarray of shape (n_x, m, T_x)
    a0_fwd, a0_bwd : ndarray of shape (n_a, m)
    params : dict with ``"fwd"`` and ``"bwd"`` cell parameters (``Wy``, ``by`` unused)
    t : int in 1 ... T_x
    cell : str, a key of CELLS

    Returns
    -------
    BRNNReach
        ``fwd``, ``bwd``: float ndarrays of shape (T_x,), the gradient norms;
        ``y``: their sum (what reaches the prediction through either direction).
    """
    fn = "brnn_input_influence"
    x = Dims(fn).bind("x", x, ("n_x", "m", "T_x"))
    t = check_int(fn, "t", t, 1, x.shape[2])
    inner = {"fwd": params["fwd"], "bwd": params["bwd"]} if isinstance(params, dict) else params
    a, _, caches = brnn_forward(x, a0_fwd, a0_bwd, inner, cell=cell, output=None)
    n_a = a.shape[0] // 2
    norms = []
    for rows in (slice(0, n_a), slice(n_a, 2 * n_a)):
        da = np.zeros_like(a)                                     # (2 n_a, m, T_x)
        da[rows, :, t - 1] = 1.0
        dx = brnn_backward(None, caches, da=da)["dx"]             # (n_x, m, T_x)
        norms.append(np.sqrt(np.sum(dx ** 2, axis=(0, 1))))      # (T_x,)
    return BRNNReach(norms[0], norms[1], norms[0] + norms[1])


def tagging_table(tokens: Sequence[str], y_true, p_uni, p_bi, *,
                  labels: Sequence[str] = ("O", "PER"), names=("uni", "bi")) -> str:
    """One sentence as a text table: word, true tag, each tagger's P(PER) and tag.

    Parameters
    ----------
    tokens : sequence of T str
    y_true : ndarray of int of shape (T,), the true class (1 = PER)
    p_uni, p_bi : ndarray of shape (T,), each tagger's probability of class 1
    labels : the names of class 0 and class 1
    names : the two taggers' column titles

    Returns
    -------
    str
        A header and one line per token, every column left-aligned under its header;
        a tag that differs from the truth is marked with ``*``.  Probabilities are
        rounded to 2 decimals.
    """
    fn = "tagging_table"
    T = len(tokens)
    arrays = []
    for name, value in (("y_true", y_true), ("p_uni", p_uni), ("p_bi", p_bi)):
        value = np.asarray(value)
        if value.shape != (T,):
            raise ValueError(f"{fn}: {name} must have shape (T,) = ({T},) like tokens, "
                             f"got {value.shape}")
        arrays.append(value)
    y_true, p_uni, p_bi = arrays
    headers = ["word", "true"] + [f"{name} P({labels[1]})" for name in names[:2]]
    rows = []
    for w, y, pu, pb in zip(tokens, y_true, p_uni, p_bi):
        cols = []
        for p in (pu, pb):
            tag = int(p >= 0.5)
            cols.append(f"{p:.2f} {labels[tag]}{' *' if tag != int(y) else ''}")
        rows.append([str(w), labels[int(y)]] + cols)
    # every column as wide as its widest entry, header included, all left-aligned: each
    # header starts exactly where its column's values start
    widths = [max(len(r[k]) for r in [headers] + rows) for k in range(len(headers))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(r, widths)).rstrip()
             for r in [headers] + rows]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------
# BRNN drawing

def draw_brnn(T_x: int = 4, *, t: int | None = None, ax=None, cell: str = "RNN",
              tokens: Sequence[str] | None = None):
    """The bidirectional RNN unrolled over ``T_x`` steps.

    Bottom row: the inputs ``x<t>``.  Middle row: the left-to-right cells
    (``a_fwd``, arrows pointing right).  Upper row: the right-to-left cells
    (``a_bwd``, arrows pointing left).  Top: ``y_hat<t>``, computed from
    ``[a_fwd<t>; a_bwd<t>]``.

    Parameters
    ----------
    T_x : int in 1 ... 10
    t : int in 1 ... T_x, optional
        Highlight how ``y_hat<t>`` is computed: the forward cells 1 ... t and the
        backward cells t ... T_x that it depends on stay coloured, the others fade.
    ax : matplotlib Axes, optional
    cell : str
        Written inside every box (any cell works: "RNN", "GRU", "LSTM").
    tokens : sequence of T_x str, optional
        Words written under the inputs.

    Returns
    -------
    matplotlib Axes
    """
    fn = "draw_brnn"
    T_x = check_int(fn, "T_x", T_x, 1, _MAX_STEPS)
    if t is not None:
        t = check_int(fn, "t", t, 1, T_x)
    if tokens is not None and len(tokens) != T_x:
        raise ValueError(f"{fn}: tokens must hold T_x = {T_x} words, got {len(tokens)}")
    ax = get_axes(ax, figsize=(1.45 * T_x + 2.2, 4.4))
    reach = brnn_reach(T_x, t) if t is not None else None
    y_f, y_b, y_y = 1.4, 2.8, 4.3
    for s in range(1, T_x + 1):
        cx = s * _DX
        on_f = reach is None or reach.fwd[s - 1]
        on_b = reach is None or reach.bwd[s - 1]
        draw_box(ax, (cx, 0.0), _sup("x", t=s), color="white", width=0.8, height=0.6)
        if tokens is not None:
            ax.text(cx, -0.55, tokens[s - 1], ha="center", va="top", fontsize=9, style="italic")
        draw_box(ax, (cx, y_f), cell + "\n" + r"$\rightarrow$", color=COLORS["a"],
                 alpha=0.55 if on_f else 0.12, fontsize=9, width=_CELL_W)
        draw_box(ax, (cx, y_b), cell + "\n" + r"$\leftarrow$", color=_BWD_COLOR,
                 alpha=0.45 if on_b else 0.1, fontsize=9, width=_CELL_W)
        focus = t is None or s == t
        draw_box(ax, (cx, y_y), _sup(r"\hat{y}", t=s), color=COLORS["y"] if s == t else "white",
                 width=0.8, height=0.6, alpha=0.5 if s == t else 1.0)
        faint = {"alpha": 1.0 if focus else 0.25}
        # x<t> feeds both directions: straight up to the forward cell, around its right side
        # to the backward cell
        draw_arrow(ax, (cx, 0.3), (cx, y_f - 0.35), color=COLORS["x"],
                   alpha=1.0 if on_f else 0.25)
        draw_arrow(ax, (cx + 0.4, 0.3), (cx + 0.4, y_b - 0.35), color=COLORS["x"],
                   alpha=1.0 if on_b else 0.25)
        # [a_fwd<t>; a_bwd<t>] -> y_hat<t>
        draw_arrow(ax, (cx, y_b + 0.35), (cx, y_y - 0.3), color=_BWD_COLOR, **faint)
        draw_arrow(ax, (cx - 0.4, y_f + 0.35), (cx - 0.4, y_y - 0.3), color=COLORS["a"], **faint)
    for s in range(0, T_x + 1):
        # a_fwd<s> -> cell s+1 (left to right), a_bwd<s+1> -> cell s (right to left)
        half = _CELL_W / 2
        x0, x1 = s * _DX + (half if s else -0.3), (s + 1) * _DX - half
        if s < T_x:
            alive = reach is None or reach.fwd[s]
            draw_arrow(ax, (x0, y_f), (x1, y_f), color=COLORS["a"], alpha=1.0 if alive else 0.25,
                       label=_sup(r"a_{fwd}", t=s) if s == 0 else None, label_offset=(-0.35, 0.3))
        x0, x1 = (s + 1) * _DX - half if s < T_x else (T_x + 1) * _DX + 0.3, s * _DX + half
        if s >= 1:
            alive = reach is None or reach.bwd[s - 1]
            draw_arrow(ax, (x0, y_b), (x1, y_b), color=_BWD_COLOR, alpha=1.0 if alive else 0.25,
                       label=_sup(r"a_{bwd}", t=T_x + 1) if s == T_x else None,
                       label_offset=(0.35, 0.3))
    title = "Bidirectional RNN: " + (r"$\hat{y}^{\langle t \rangle} = g(W_y\,[a_{fwd}^{\langle t \rangle};"
                                     r"\,a_{bwd}^{\langle t \rangle}] + b_y)$" if t is None else
                                     f"what $\\hat{{y}}^{{\\langle {t} \\rangle}}$ is computed from")
    return finish_diagram(ax, (-0.9, (T_x + 1) * _DX + 0.9), (-1.0 if tokens else -0.5, 4.8),
                          title=title)


def plot_tag_probabilities(tokens: Sequence[str], p_uni, p_bi, y_true, *, ax=None,
                           names=("one-directional", "bidirectional"), label: str = "PER"):
    """Bars of P(PER) per word for two taggers, the true PER words shaded.

    Parameters
    ----------
    tokens : sequence of T str
    p_uni, p_bi : ndarray of shape (T,)
    y_true : ndarray of int of shape (T,)
    ax : matplotlib Axes, optional
    names : legend entries of the two taggers
    label : name of class 1

    Returns
    -------
    matplotlib Axes
    """
    fn = "plot_tag_probabilities"
    T = len(tokens)
    for name, value in (("p_uni", p_uni), ("p_bi", p_bi), ("y_true", y_true)):
        if np.shape(value) != (T,):
            raise ValueError(f"{fn}: {name} must have shape (T,) = ({T},), got {np.shape(value)}")
    ax = get_axes(ax, figsize=(min(0.6 * T + 2.0, 12.0), 3.0))
    steps = np.arange(T)
    for s in steps[np.asarray(y_true) == 1]:
        ax.axvspan(s - 0.5, s + 0.5, color=COLORS["y"], alpha=0.15, lw=0)
    ax.bar(steps - 0.2, p_uni, width=0.4, color=COLORS["a"], label=names[0])
    ax.bar(steps + 0.2, p_bi, width=0.4, color=_BWD_COLOR, label=names[1])
    ax.axhline(0.5, color=COLORS["edge"], lw=0.8, ls="--")
    ax.set_xticks(steps)
    ax.set_xticklabels(tokens, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel(f"P({label})")
    ax.set_title(f"shaded: words whose true tag is {label}", fontsize=10)
    ax.legend(fontsize=8, loc="upper right")
    return ax


def explore_brnn_reach(T_x: int = 6, *, cell: str = "RNN", tokens: Sequence[str] | None = None):
    """Widget of lesson 07: pick a step t, see which cells and inputs ``y_hat<t>`` uses.

    Returns
    -------
    ipywidgets.VBox
        A ``t`` slider above the text of :func:`brnn_reach` and :func:`draw_brnn`
        with that step highlighted.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    T_x = check_int("explore_brnn_reach", "T_x", T_x, 1, _MAX_STEPS)

    def render(t):
        reach = brnn_reach(T_x, t)
        steps = np.arange(1, T_x + 1)
        print(f"a_fwd<{t}> has read x<{steps[reach.fwd].min()}> ... x<{steps[reach.fwd].max()}>;  "
              f"a_bwd<{t}> has read x<{steps[reach.bwd].min()}> ... x<{steps[reach.bwd].max()}>;  "
              f"y_hat<{t}> sees all {int(reach.y.sum())} inputs")
        fig, ax = plt.subplots(figsize=(1.45 * T_x + 2.2, 4.4))
        draw_brnn(T_x, t=t, ax=ax, cell=cell, tokens=tokens)
        _show(fig)

    return _wire(render, {"t": widgets.IntSlider(value=1, min=1, max=T_x, description="t")})


def explore_tagging(tokens: Sequence[Sequence[str]], y_true, p_uni, p_bi, *,
                    names=("one-directional", "bidirectional")):
    """Widget of lesson 07: pick a sentence, compare the two taggers word by word.

    Parameters
    ----------
    tokens : sequence of m sequences of T str (padding excluded or kept, as the arrays)
    y_true : ndarray of int of shape (m, T)
    p_uni, p_bi : ndarray of shape (m, T), P(PER) of each tagger
    names : the taggers' names

    Returns
    -------
    ipywidgets.VBox
        An ``example`` slider above :func:`tagging_table` and
        :func:`plot_tag_probabilities` for that sentence.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    fn = "explore_tagging"
    y_true, p_uni, p_bi = (np.asarray(v) for v in (y_true, p_uni, p_bi))
    m = len(tokens)
    for name, value in (("y_true", y_true), ("p_uni", p_uni), ("p_bi", p_bi)):
        if value.ndim != 2 or value.shape[0] != m:
            raise ValueError(f"{fn}: {name} must have shape (m, T) with m = {m} sentences, "
                             f"got {value.shape}")

    def render(example):
        words = list(tokens[example])
        T = len(words)
        print(tagging_table(words, y_true[example, :T], p_uni[example, :T], p_bi[example, :T],
                            names=("uni", "bi")))
        fig, ax = plt.subplots(figsize=(min(0.6 * T + 2.0, 12.0), 3.0), layout="constrained")
        plot_tag_probabilities(words, p_uni[example, :T], p_bi[example, :T], y_true[example, :T],
                               ax=ax, names=names)
        _show(fig)

    return _wire(render, {"example": widgets.IntSlider(value=0, min=0, max=m - 1,
                                                       description="sentence")})


# ==========================================================================================
# Lesson 08: deep RNNs

def specs_from_text(text: str, n_a: int) -> list[dict]:
    """Layer specs from a short description such as ``"lstm, bi-gru, rnn"``.

    Each comma-separated item is a cell name of :data:`rnncourse.cells.CELLS`,
    optionally prefixed with ``bi-`` for a bidirectional layer; every layer gets
    ``n_a`` units per direction.  The first item is layer 1 (next to the input).

    Returns
    -------
    list of dict
        ``[{"cell": ..., "n_a": n_a, "bidirectional": ...}, ...]``, checked by
        :func:`rnncourse.deep.parse_specs`.
    """
    fn = "specs_from_text"
    if not isinstance(text, str):
        raise TypeError(f"{fn}: text must be a str such as 'lstm, bi-gru', got {type(text).__name__}")
    items = [item.strip().lower() for item in text.split(",") if item.strip()]
    if not items:
        raise ValueError(f"{fn}: name at least one layer, e.g. 'lstm, bi-gru' (got {text!r})")
    specs = []
    for item in items:
        bi = item.startswith("bi-")
        cell = item[3:] if bi else item
        if cell not in CELLS:
            raise ValueError(f"{fn}: unknown layer {item!r}; use one of "
                             f"{', '.join(CELLS)}, optionally prefixed with 'bi-'")
        specs.append({"cell": cell, "n_a": n_a, "bidirectional": bi})
    parse_specs(specs, (), fn)
    return specs


class LayerCount(NamedTuple):
    """Parameters of one layer of a deep RNN."""

    name: str           #: "recurrent 1", "dense 1", "output"
    kind: str           #: "lstm", "bi-gru", "relu", "softmax", ...
    n_in: int           #: units the layer reads at each step
    n_out: int          #: units it hands on
    count: int          #: number of scalar parameters


def deep_rnn_param_counts(n_x: int, specs, n_y: int | None, *, dense=()) -> list[LayerCount]:
    """Parameters per layer of the deep RNN ``specs`` (+ ``dense``, + the output layer).

    Counted on the arrays :func:`rnncourse.deep.init_deep_rnn_params` creates (so the
    count can never drift from the model): a recurrent layer reading ``n_in`` units
    with ``n_a`` units has ``k n_a (n_a + n_in + 1)`` parameters with k = 1 (RNN),
    3 (GRU) or 4 (LSTM), twice that when bidirectional.

    Returns
    -------
    list of LayerCount, bottom to top
    """
    layers, denses = parse_specs(specs, dense, "deep_rnn_param_counts")
    params = init_deep_rnn_params(n_x, specs, n_y, dense=dense, rng=0)
    rows, n_in = [], n_x
    for l, (s, p) in enumerate(zip(layers, params["recurrent"]), start=1):
        count = sum(v.size for v in flatten_params(p).values())
        rows.append(LayerCount(f"recurrent {l}", ("bi-" if s.bidirectional else "") + s.cell,
                               n_in, s.n_out, count))
        n_in = s.n_out
    for k, (s, p) in enumerate(zip(denses, params["dense"]), start=1):
        rows.append(LayerCount(f"dense {k}", s.activation, n_in, s.n, p["W"].size + p["b"].size))
        n_in = s.n
    if n_y is not None:
        rows.append(LayerCount("output", "softmax", n_in, n_y,
                               params["Wy"].size + params["by"].size))
    return rows


def deep_rnn_summary(n_x: int, specs, n_y: int | None, *, dense=()) -> str:
    """:func:`deep_rnn_param_counts` as a text table with a total line."""
    rows = deep_rnn_param_counts(n_x, specs, n_y, dense=dense)
    lines = [f"{'layer':<12} {'kind':<8} {'in':>4} {'out':>4} {'parameters':>11}"]
    lines += [f"{r.name:<12} {r.kind:<8} {r.n_in:>4} {r.n_out:>4} {r.count:>11,}" for r in rows]
    recurrent = sum(r.count for r in rows if r.name.startswith("recurrent"))
    total = sum(r.count for r in rows)
    lines.append(f"{'total':<12} {'':<8} {'':>4} {'':>4} {total:>11,}"
                 f"   ({recurrent / total:.0%} in recurrent layers)")
    return "\n".join(lines)


class DepthCost(NamedTuple):
    """Cost of a deep RNN against its number L of recurrent layers."""

    depths: np.ndarray      #: (k,) the values of L
    n_params: np.ndarray    #: (k,) int, parameters of each network
    seconds: np.ndarray     #: (k,) median wall time of one forward + backward pass
    times: np.ndarray       #: (k, repeats) every timing, for spread


def measure_depth_cost(depths: Sequence[int], *, cell: str = "rnn", n_a: int = 32,
                       n_x: int = 16, n_y: int = 4, m: int = 32, T_x: int = 20,
                       repeats: int = 5, rng=0) -> DepthCost:
    """Time one forward + backward pass of deep RNNs with L = each of ``depths`` layers.

    Every network stacks L layers of ``cell`` with ``n_a`` units and a softmax output;
    the input batch (n_x, m, T_x) is the same for every L.  Each depth is timed
    ``repeats`` times, interleaved (depth 1, 2, ..., then again) so that a slow
    moment of the machine does not fall on one depth only; the median is reported.

    Returns
    -------
    DepthCost
    """
    fn = "measure_depth_cost"
    depths = [check_int(fn, "depths[i]", L, 1) for L in depths]
    repeats = check_int(fn, "repeats", repeats, 1)
    rng = as_rng(fn, rng)
    x = rng.standard_normal((n_x, m, T_x))
    nets = []
    for L in depths:
        specs = [{"cell": cell, "n_a": n_a}] * L
        params = init_deep_rnn_params(n_x, specs, n_y, rng=rng)
        nets.append((specs, params))
    dy = rng.standard_normal((n_y, m, T_x))
    times = np.zeros((len(depths), repeats))
    for r in range(repeats):
        for i, (specs, params) in enumerate(nets):
            start = time.perf_counter()
            _, _, caches = deep_rnn_forward(x, params, specs)
            deep_rnn_backward(dy, caches)
            times[i, r] = time.perf_counter() - start
    n_params = np.array([sum(v.size for v in flatten_params(p).values()) for _, p in nets])
    return DepthCost(np.array(depths), n_params, np.median(times, axis=1), times)


def plot_depth_cost(cost: DepthCost, *, axes=None):
    """Two panels: parameters against L (each bar labelled exactly) and median time.

    Returns
    -------
    ndarray of 2 matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9.0, 3.2), layout="constrained")
    left, right = axes
    left.bar(cost.depths, cost.n_params, color=COLORS["a"])
    for L, n in zip(cost.depths, cost.n_params):
        left.text(L, n, f"{int(n):,}", ha="center", va="bottom", fontsize=8)
    left.set_xlabel("recurrent layers L")
    left.set_ylabel("parameters")
    left.set_xticks(cost.depths)
    spread = cost.times.max(axis=1) - cost.times.min(axis=1) if cost.times.shape[1] > 1 else None
    right.errorbar(cost.depths, 1000 * cost.seconds,
                   yerr=None if spread is None else 500 * spread,
                   marker="o", color=COLORS["y"], capsize=3)
    right.set_xlabel("recurrent layers L")
    right.set_ylabel("forward + backward (ms, median)")
    right.set_xticks(cost.depths)
    right.set_ylim(bottom=0)
    return np.asarray(axes)


def _layer_label(spec) -> str:
    return ("bi-" if spec.bidirectional else "") + spec.cell.upper()


def draw_deep_rnn(specs, *, T_x: int = 4, dense=(), ax=None, output: bool = True):
    """A deep RNN unrolled: a grid of L recurrent layers by T_x steps, dense layers on top.

    Row l holds ``a^{[l]<t>}``: each box reads the state of its own layer at the
    previous step (horizontal arrow; both ways for a bidirectional layer) and the
    output of the layer below at the same step (vertical arrow).  Dense rows have no
    horizontal arrows: they act on each step on its own.

    Parameters
    ----------
    specs, dense : layer descriptions as in :func:`rnncourse.deep.deep_rnn_forward`
    T_x : int in 1 ... 10
    ax : matplotlib Axes, optional
    output : bool
        Draw the predictions ``y_hat<t>`` on top.

    Returns
    -------
    matplotlib Axes
    """
    fn = "draw_deep_rnn"
    layers, denses = parse_specs(specs, dense, fn)
    T_x = check_int(fn, "T_x", T_x, 1, _MAX_STEPS)
    if len(layers) + len(denses) > _MAX_ROWS:
        raise ValueError(f"{fn}: at most {_MAX_ROWS} layers fit a diagram, "
                         f"got {len(layers)} recurrent + {len(denses)} dense")
    rows = len(layers) + len(denses) + 1 + int(output)
    dy = 1.2
    ax = get_axes(ax, figsize=(1.3 * T_x + 3.2, 0.85 * rows + 1.0))
    for s in range(1, T_x + 1):
        cx = s * _DX
        draw_box(ax, (cx, 0.0), _sup("x", t=s), color="white", width=0.9, height=0.6)
        y = 0.0
        for l, spec in enumerate(layers, start=1):
            y_next = l * dy
            draw_arrow(ax, (cx, y + 0.3), (cx, y_next - 0.3), color=COLORS["x"] if l == 1 else COLORS["a"])
            y = y_next
            draw_box(ax, (cx, y), _sup("a", l, s), color=COLORS["a"], alpha=0.45, width=1.0,
                     height=0.6, fontsize=9)
        for k, spec in enumerate(denses, start=1):
            y_next = (len(layers) + k) * dy
            draw_arrow(ax, (cx, y + 0.3), (cx, y_next - 0.3))
            y = y_next
            draw_box(ax, (cx, y), _sup("h", k, s), color=_DENSE_COLOR, width=1.0, height=0.6, fontsize=9)
        if output:
            y_next = y + dy
            draw_arrow(ax, (cx, y + 0.3), (cx, y_next - 0.3), color=COLORS["y"])
            draw_box(ax, (cx, y_next), _sup(r"\hat{y}", t=s), color="white", width=0.9, height=0.6)
    for l, spec in enumerate(layers, start=1):
        y = l * dy
        ax.text(0.55 * _DX - 0.9, y, f"layer {l}\n{_layer_label(spec)}, $n_a$={spec.n_a}",
                ha="right", va="center", fontsize=8)
        for s in range(1, T_x):
            x0, x1 = s * _DX + 0.5, (s + 1) * _DX - 0.5
            off = 0.12 if spec.bidirectional else 0.0
            draw_arrow(ax, (x0, y + off), (x1, y + off), color=COLORS["a"])
            if spec.bidirectional:
                draw_arrow(ax, (x1, y - off), (x0, y - off), color=_BWD_COLOR)
    for k, spec in enumerate(denses, start=1):
        ax.text(0.55 * _DX - 0.9, (len(layers) + k) * dy, f"dense {k}\n{spec.activation}, n={spec.n}",
                ha="right", va="center", fontsize=8)
    top = (rows - 1) * dy
    title = (f"deep RNN: {len(layers)} recurrent layer{'s' * (len(layers) != 1)}"
             + (f" + {len(denses)} dense" if denses else "") + f", unrolled over {T_x} steps")
    return finish_diagram(ax, (-2.4, (T_x + 1) * _DX - 0.6), (-0.5, top + 0.5), title=title)


def explore_deep_rnn(n_x: int, n_y: int, *, T_x: int = 4, layers: str = "lstm, gru, rnn",
                     n_a: int = 32):
    """Widget of lesson 08: describe a stack, see its parameters and its unrolled grid.

    Controls: the recurrent layers as text (``"lstm, bi-gru, rnn"``, see
    :func:`specs_from_text`), their size ``n_a`` and the number of dense relu layers
    (of n_a units) on top.  Shows :func:`deep_rnn_summary` and :func:`draw_deep_rnn`,
    or the reason a description is refused.

    Returns
    -------
    ipywidgets.VBox
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    def render(layers, n_a, dense_layers):
        try:
            specs = specs_from_text(layers, n_a)
        except ValueError as err:
            print(err)
            return
        dense = [{"n": n_a, "activation": "relu"}] * dense_layers
        print(deep_rnn_summary(n_x, specs, n_y, dense=dense))
        if len(specs) + dense_layers > _MAX_ROWS:
            print(f"(too many layers to draw: at most {_MAX_ROWS})")
            return
        rows = len(specs) + dense_layers + 2
        fig, ax = plt.subplots(figsize=(1.3 * T_x + 3.2, 0.85 * rows + 1.0))
        draw_deep_rnn(specs, T_x=T_x, dense=dense, ax=ax)
        _show(fig)

    return _wire(render, {
        "layers": widgets.Text(value=layers, description="layers", continuous_update=False),
        "n_a": widgets.IntSlider(value=n_a, min=4, max=128, step=4, description="n_a"),
        "dense_layers": widgets.IntSlider(value=1, min=0, max=3, description="dense"),
    })
