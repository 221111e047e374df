"""Figures and widgets of lesson 03 (backprop through time) and lesson 04 (vanishing gradients).

Drawings
    :func:`draw_bptt_graph` (the unrolled computation graph, forward and backward
    arrows, optionally the part one step's loss reaches), :func:`plot_reach`,
    :func:`plot_step_contributions` (the per-step terms of ``dW_aa``),
    :func:`plot_norm_by_distance` (gradient norm against distance, overflow marked),
    :func:`plot_clipping` (clip by value vs by norm on a 2-D gradient) and
    :func:`plot_training_curves` (before/after clipping).
Pure functions behind the widgets (tested without a display)
    :func:`bptt_graph`, :func:`reached_by_loss`, :func:`reach_view`,
    :func:`vanishing_view`, :func:`clip_view`.
Widget builders (ipywidgets imported inside)
    :func:`explore_reach`, :func:`explore_vanishing`, :func:`explore_clipping`.

Every drawing takes ``ax=None``, draws on a new figure when it is None, returns the
axes and leaves matplotlib's global state alone.
"""

from __future__ import annotations

from typing import Mapping, NamedTuple

import numpy as np

from .._validate import check_int
from . import COLORS, _show, _wire, draw_arrow, draw_box, finish_diagram, get_axes, notation

__all__ = [
    "BPTTGraph", "ClipView", "Reach", "ReachView", "VanishingView", "bptt_graph", "clip_view",
    "draw_bptt_graph", "explore_clipping", "explore_reach", "explore_vanishing",
    "plot_clipping", "plot_norm_by_distance", "plot_reach", "plot_step_contributions",
    "plot_training_curves", "reach_view", "reached_by_loss", "vanishing_view",
]


def _check_t(fn: str, t, T_x: int) -> int:
    t = check_int(fn, "t", t)
    if t > T_x:
        raise ValueError(f"{fn}: t must be a step in 1 ... T_x = {T_x}, got {t}")
    return t


# ------------------------------------------------------------------------------------------
# The unrolled computation graph (lesson 03)

#: horizontal distance between two time steps, and the height of each row of the graph
_DX = 1.6
_ROWS = {"x": 0.0, "a": 1.4, "yhat": 2.8, "L": 4.2}
_TOTAL_Y = 5.6


class BPTTGraph(NamedTuple):
    """Nodes and edges of the unrolled RNN with a loss at every step.

    ``nodes`` maps a name (``"x3"``, ``"a0"``, ``"yhat2"``, ``"L2"``, ``"L"``) to its
    (x, y) position; ``forward`` and ``backward`` list (source, target) pairs.
    """

    nodes: dict
    forward: tuple
    backward: tuple


def bptt_graph(T_x: int) -> BPTTGraph:
    """The computation graph of the forward pass and of backprop through time.

    Forward: ``x<t> -> a<t>``, ``a<t-1> -> a<t>``, ``a<t> -> y_hat<t> -> L<t> -> L``.
    Backward: the reverse of every edge on a path from the parameters to ``L``
    (inputs receive no arrow: they are data, not parameters), so the gradient enters
    at ``L``, splits into the ``L<t>`` and flows back along ``a<t> -> a<t-1>``.

    Parameters
    ----------
    T_x : int >= 1

    Returns
    -------
    BPTTGraph
        ``5 T_x + 1`` nodes (``a0`` included), ``5 T_x`` forward and ``4 T_x``
        backward edges.
    """
    T_x = check_int("bptt_graph", "T_x", T_x)
    nodes = {"a0": (0.0, _ROWS["a"]), "L": ((T_x + 1) * _DX / 2, _TOTAL_Y)}
    forward, backward = [], []
    for t in range(1, T_x + 1):
        for row, y in _ROWS.items():
            nodes[f"{row}{t}"] = (t * _DX, y)
        forward += [(f"x{t}", f"a{t}"), (f"a{t - 1}", f"a{t}"), (f"a{t}", f"yhat{t}"),
                    (f"yhat{t}", f"L{t}"), (f"L{t}", "L")]
        backward += [("L", f"L{t}"), (f"L{t}", f"yhat{t}"), (f"yhat{t}", f"a{t}"),
                     (f"a{t}", f"a{t - 1}")]
    return BPTTGraph(nodes, tuple(forward), tuple(backward))


class Reach(NamedTuple):
    """What the loss of one step reaches on the way back: node names and backward edges."""

    nodes: frozenset
    edges: frozenset


def reached_by_loss(t: int, T_x: int) -> Reach:
    """The part of the backward graph that the loss ``L<t>`` flows through.

    ``L<t>`` is computed from ``y_hat<t>``, hence from ``a<t>``, which depends on
    ``a<t-1>``, ..., ``a<1>`` and ``a<0>``; steps after ``t`` play no part in it.

    Parameters
    ----------
    t : int in 1 ... T_x
    T_x : int >= 1

    Returns
    -------
    Reach
        ``nodes``: ``L<t>, y_hat<t>, a<t>, ..., a<1>, a<0>`` and the inputs
        ``x<1> ... x<t>`` they were computed from; ``edges``: the backward edges
        between them (a subset of :func:`bptt_graph`'s ``backward``).
    """
    fn = "reached_by_loss"
    T_x = check_int(fn, "T_x", T_x)
    t = _check_t(fn, t, T_x)
    nodes = {f"L{t}", f"yhat{t}", "a0"} | {f"a{s}" for s in range(1, t + 1)} \
        | {f"x{s}" for s in range(1, t + 1)}
    edges = {(f"L{t}", f"yhat{t}"), (f"yhat{t}", f"a{t}")} \
        | {(f"a{s}", f"a{s - 1}") for s in range(1, t + 1)}
    return Reach(frozenset(nodes), frozenset(edges))


def _node_label(name: str) -> tuple[str, str]:
    """(mathtext label, colour key) of a node name such as ``"yhat3"`` or ``"L"``."""
    if name == "L":
        return "$\\mathcal{L}$", "loss"
    row = name.rstrip("0123456789")
    step = name[len(row):]
    symbol, key = {"x": ("x", "x"), "a": ("a", "a"), "yhat": ("y_hat", "y"), "L": ("L", "loss")}[row]
    return notation(symbol, step), key


def draw_bptt_graph(T_x: int = 4, *, loss_step: int | None = None, strengths=None,
                    show_backward: bool = True, ax=None):
    """Draw the unrolled RNN with a loss at every step, forward and backward arrows.

    Parameters
    ----------
    T_x : int >= 1
        Number of time steps drawn.
    loss_step : int in 1 ... T_x, optional
        Highlight what the loss ``L<loss_step>`` reaches on the way back
        (:func:`reached_by_loss`); everything else is faded.
    strengths : array-like of shape (loss_step,), optional
        Relative gradient size at ``a<1> ... a<loss_step>`` (e.g. from
        :func:`reach_view`), written under those nodes.
    show_backward : bool
        Draw the backward (gradient) arrows in the gradient colour.
    ax : matplotlib axes, optional

    Returns
    -------
    ax : matplotlib axes
    """
    fn = "draw_bptt_graph"
    graph = bptt_graph(T_x)
    reach = None if loss_step is None else reached_by_loss(loss_step, T_x)
    if strengths is not None:
        if reach is None:
            raise ValueError(f"{fn}: strengths need a loss_step to refer to")
        strengths = np.asarray(strengths, dtype=float)
        if strengths.shape != (loss_step,):
            raise ValueError(f"{fn}: strengths must have shape (loss_step,) = ({loss_step},), "
                             f"got {strengths.shape}")
    ax = get_axes(ax, figsize=(1.5 * T_x + 2.0, 5.0))

    def faded(name):
        return reach is not None and name not in reach.nodes

    half = 0.35  # half the height of a node box
    for name, (px, py) in graph.nodes.items():
        label, key = _node_label(name)
        draw_box(ax, (px, py), label, width=0.95, height=0.75,
                 color=COLORS[key] if name != "L" else COLORS["loss"],
                 alpha=0.15 if faded(name) else 0.55)
    for src, dst in graph.forward:
        (x0, y0), (x1, y1) = graph.nodes[src], graph.nodes[dst]
        if y0 == y1:   # a<t-1> -> a<t>, horizontal
            start, end = (x0 + 0.45, y0 + 0.08), (x1 - 0.45, y1 + 0.08)
        else:
            start, end = (x0, y0 + half), (x1, y1 - half)
        draw_arrow(ax, start, end, color=COLORS["edge"],
                   alpha=0.2 if faded(src) or faded(dst) else 0.9)
    if show_backward:
        for src, dst in graph.backward:
            (x0, y0), (x1, y1) = graph.nodes[src], graph.nodes[dst]
            on_path = reach is None or (src, dst) in reach.edges
            if y0 == y1:   # a<t> -> a<t-1>, drawn just below the forward arrow
                start, end = (x0 - 0.45, y0 - 0.14), (x1 + 0.45, y1 - 0.14)
            else:          # downwards, beside the forward arrow
                start, end = (x0 + 0.16, y0 - half), (x1 + 0.16, y1 + half)
            arrow = draw_arrow(ax, start, end, color=COLORS["grad"], linestyle="--",
                               alpha=0.9 if on_path else 0.15)
            if reach is not None and on_path:
                arrow.set_linewidth(2.4)
    if strengths is not None:
        for s, value in enumerate(strengths, start=1):
            px, py = graph.nodes[f"a{s}"]
            ax.text(px + 0.3, py - 0.6, f"{value:.2g}", ha="left", va="center", fontsize=8,
                    color=COLORS["grad"],
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"})
    title = "Backprop through time: forward (black) and gradient (dashed) arrows"
    if loss_step is not None:
        title = f"What the loss $\\mathcal{{L}}^{{\\langle {loss_step} \\rangle}}$ reaches on its way back"
    return finish_diagram(ax, (-0.7, T_x * _DX + 0.7), (-0.6, _TOTAL_Y + 0.6), title)


class ReachView(NamedTuple):
    """The widget of lesson 03 at one step: which hidden states ``L<t>`` reaches and how strongly."""

    t: int
    steps: np.ndarray      #: (T_x,) 1 ... T_x
    norms: np.ndarray      #: (T_x,) ||dL<t>/da<s>||, 0 for s > t
    relative: np.ndarray   #: (t,) norms[:t] / norms[t - 1]
    text: str


def reach_view(reach, t: int) -> ReachView:
    """Row ``t`` of a reach matrix, normalised and described in one sentence.

    Parameters
    ----------
    reach : ndarray of shape (T_x, T_x)
        From :func:`rnncourse.vanishing.gradient_reach`: ``reach[t-1, s-1] =
        ||dL<t>/da<s>||`` (1-based t and s), lower triangular.
    t : int in 1 ... T_x
        The step whose loss is followed.

    Returns
    -------
    ReachView
    """
    fn = "reach_view"
    reach = np.asarray(reach, dtype=float)
    if reach.ndim != 2 or reach.shape[0] != reach.shape[1] or reach.shape[0] == 0:
        raise ValueError(f"{fn}: reach must be a square (T_x, T_x) array, got shape {reach.shape}")
    T_x = reach.shape[0]
    t = _check_t(fn, t, T_x)
    norms = reach[t - 1].copy()
    own = norms[t - 1]
    relative = norms[:t] / own if own > 0 else np.zeros(t)
    if t == 1:
        text = "L<1> reaches a<1> only (and a<0>): there is no earlier step."
    else:
        text = (f"L<{t}> reaches a<1> ... a<{t}>, not a<{t + 1}> or later; "
                f"its gradient at a<1> is {relative[0]:.2g} times its size at a<{t}>.")
    return ReachView(t, np.arange(1, T_x + 1), norms, relative, text)


def plot_reach(reach, t: int, *, ax=None):
    """Bar chart of ``||dL<t>/da<s>||`` for s = 1 ... T_x (steps after t are not reached).

    Parameters
    ----------
    reach : ndarray of shape (T_x, T_x), see :func:`reach_view`
    t : int in 1 ... T_x
    ax : matplotlib axes, optional

    Returns
    -------
    ax : matplotlib axes
    """
    view = reach_view(reach, t)
    T_x = len(view.steps)
    ax = get_axes(ax, figsize=(5.0, 3.0))
    ax.bar(view.steps[:t], view.norms[:t], color=COLORS["grad"], label="reached")
    if t < T_x:
        ax.bar(view.steps[t:], np.full(T_x - t, 0.0), color="0.8", label="not reached")
        for s in view.steps[t:]:
            ax.text(s, 0, "0", ha="center", va="bottom", fontsize=8, color="0.5")
    ax.set_xticks(view.steps)
    ax.set_xlabel("hidden state $a^{\\langle s \\rangle}$, step s")
    ax.set_ylabel(f"$\\|\\partial \\mathcal{{L}}^{{\\langle {t} \\rangle}} / \\partial a^{{\\langle s \\rangle}}\\|$")
    ax.set_title(f"Gradient of $\\mathcal{{L}}^{{\\langle {t} \\rangle}}$ at each hidden state", fontsize=11)
    return ax


def plot_step_contributions(contributions, *, total=None, name: str = "dW_aa", ax=None):
    """Per-step terms of a weight gradient and their running sum.

    Parameters
    ----------
    contributions : ndarray of shape (T_x, ...)
        ``contributions[t]`` is what step t + 1 adds to the gradient (for ``dW_aa``:
        ``dz<t> a<t-1>^T`` from :func:`rnncourse.rnn.rnn_cell_backward`).
    total : ndarray, optional
        The gradient returned by :func:`rnncourse.rnn.rnn_backward`; its norm is
        drawn as a horizontal line the running sum must end on.
    name : str
        The gradient's name for the labels.
    ax : matplotlib axes, optional

    Returns
    -------
    ax : matplotlib axes
    """
    contributions = np.asarray(contributions, dtype=float)
    if contributions.ndim < 1 or contributions.shape[0] == 0:
        raise ValueError(f"plot_step_contributions: contributions must have shape (T_x, ...) "
                         f"with T_x >= 1, got {contributions.shape}")
    T_x = contributions.shape[0]
    flat = contributions.reshape(T_x, -1)
    steps = np.arange(1, T_x + 1)
    running = np.cumsum(flat, axis=0)
    ax = get_axes(ax, figsize=(6.0, 3.2))
    ax.bar(steps, np.linalg.norm(flat, axis=1), color=COLORS["grad"], alpha=0.8,
           label="norm of step t's term")
    ax.plot(steps, np.linalg.norm(running, axis=1), "o-", color=COLORS["a"],
            label="norm of the sum of steps 1 ... t")
    if total is not None:
        ax.axhline(float(np.linalg.norm(np.asarray(total, dtype=float))), color=COLORS["edge"],
                   linestyle=":", label=f"norm of rnn_backward's {name}")
    ax.set_xticks(steps)
    ax.set_xlabel("time step t")
    ax.set_ylabel("Frobenius norm")
    ax.set_title(f"{name} is a sum over time steps", fontsize=11)
    ax.legend(fontsize=8)
    return ax


def explore_reach(reach, *, T_graph: int | None = None):
    """Widget of lesson 03: pick a step t, see which hidden states its loss reaches.

    Parameters
    ----------
    reach : ndarray of shape (T_x, T_x)
        From :func:`rnncourse.vanishing.gradient_reach`.
    T_graph : int, optional
        Steps drawn in the graph (default T_x, at most 8 to stay readable).

    Returns
    -------
    ipywidgets.VBox
        A slider for t above the graph (:func:`draw_bptt_graph`) and the bar chart
        (:func:`plot_reach`), redrawn from :func:`reach_view` on every change.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    first = reach_view(reach, 1)          # validates reach
    T_x = len(first.steps)
    T_graph = min(T_x, 8) if T_graph is None else check_int("explore_reach", "T_graph", T_graph)
    slider = widgets.IntSlider(value=min(T_x, T_graph), min=1, max=T_x, description="loss at t")

    def render(t):
        view = reach_view(reach, t)
        fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2),
                                          gridspec_kw={"width_ratios": [1.6, 1]})
        if view.t <= T_graph:
            draw_bptt_graph(T_graph, loss_step=view.t, strengths=view.relative, ax=left)
        else:
            draw_bptt_graph(T_graph, ax=left)
            left.set_title(f"(graph shows steps 1 ... {T_graph} only)", fontsize=10)
        plot_reach(reach, view.t, ax=right)
        _show(fig)
        return view.text

    return _wire(render, {"t": slider}, rows=["t"], caption=True)


# ------------------------------------------------------------------------------------------
# Vanishing and exploding gradients (lesson 04)

def plot_norm_by_distance(curves: Mapping[str, np.ndarray], *, reference: Mapping | None = None,
                          distances=None, ax=None, ylabel: str | None = None):
    """Gradient norm against the distance from the loss, on a log scale.

    Parameters
    ----------
    curves : dict label -> ndarray of shape (D,)
        ``curve[d]`` is the (relative) gradient norm at distance d.  Entries that
        overflowed (inf or NaN) end the line; the first is marked with a cross and
        the word "overflow".  Exact zeros (underflow) are not drawn.
    reference : dict label -> ndarray of shape (D,), optional
        Dashed comparison lines (e.g. ``rho ** d``).
    distances : array-like of shape (D,), optional
        The distance of each entry (default 0, 1, ..., D - 1).
    ax : matplotlib axes, optional
    ylabel : str, optional

    Returns
    -------
    ax : matplotlib axes
    """
    def x_values(curve):
        if distances is None:
            return np.arange(len(curve))
        d = np.asarray(distances, dtype=float)
        if d.shape != curve.shape:
            raise ValueError(f"plot_norm_by_distance: distances must have the shape of each curve "
                             f"{curve.shape}, got {d.shape}")
        return d

    ax = get_axes(ax, figsize=(6.0, 3.5))
    for label, curve in curves.items():
        curve = np.asarray(curve, dtype=float)
        d = x_values(curve)
        bad = ~np.isfinite(curve)
        stop = int(np.argmax(bad)) if bad.any() else len(curve)
        shown = curve[:stop]
        positive = shown > 0
        (line,) = ax.semilogy(d[:stop][positive], shown[positive], label=label)
        if bad.any():
            last = shown[positive][-1] if positive.any() else 1.0
            ax.plot([d[stop]], [last], "x", color=line.get_color(), markersize=10, mew=2)
            ax.annotate("overflow", (d[stop], last), textcoords="offset points", xytext=(4, 4),
                        fontsize=8, color=line.get_color())
    for label, curve in (reference or {}).items():
        curve = np.asarray(curve, dtype=float)
        d = x_values(curve)
        ok = np.isfinite(curve) & (curve > 0)
        ax.semilogy(d[ok], curve[ok], linestyle="--", linewidth=1, color="0.4", label=label)
    ax.set_xlabel("distance from the loss (steps back)")
    ax.set_ylabel(ylabel or "$\\|\\partial \\mathcal{L} / \\partial a^{\\langle t \\rangle}\\|$ (relative)")
    ax.legend(fontsize=8)
    ax.grid(True, which="major", alpha=0.3)
    return ax


class VanishingView(NamedTuple):
    """The widget of lesson 04 for one setting of the sliders."""

    distance: np.ndarray   #: (T_x,) 0 ... T_x - 1
    ratio: np.ndarray      #: (T_x,) ||dL/da<T_x - d>|| / ||dL/da<T_x>||
    reference: np.ndarray  #: (T_x,) rho ** d
    text: str


def vanishing_view(spectral_radius: float, T_x: int, *, seed: int = 0, input_scale: float = 0.5,
                   kind: str = "orthogonal", n_a: int = 32) -> VanishingView:
    """Relative gradient norm by distance for one spectral radius and sequence length.

    Runs :func:`rnncourse.vanishing.gradient_norm_by_distance` with a fixed seed, so
    moving a slider back gives the same curve.

    Parameters
    ----------
    spectral_radius : float >= 0
    T_x : int >= 1
    seed : int
    input_scale, kind, n_a
        Passed on to :func:`~rnncourse.vanishing.gradient_norm_by_distance`.

    Returns
    -------
    VanishingView
        ``text`` states the ratio at the largest distance and ``rho ** (T_x - 1)``.
    """
    from ..vanishing import gradient_norm_by_distance

    with np.errstate(over="ignore", invalid="ignore"):
        ratio = gradient_norm_by_distance(spectral_radius, T_x, rng=seed, n_a=n_a,
                                          input_scale=input_scale, kind=kind)
        distance = np.arange(T_x)
        reference = float(spectral_radius) ** distance.astype(float)
    far = T_x - 1
    if not np.isfinite(ratio[-1]):
        text = f"rho = {spectral_radius:.2f}: the gradient overflowed before distance {far}."
    else:
        text = (f"rho = {spectral_radius:.2f}, T_x = {T_x}: ||dL/da<1>|| / ||dL/da<{T_x}>|| = "
                f"{ratio[-1]:.2e}   (rho^{far} = {reference[-1]:.2e})")
    return VanishingView(distance, ratio, reference, text)


def explore_vanishing(*, seed: int = 0, max_length: int = 100, input_scale: float = 0.5,
                      n_a: int = 32):
    """Widget of lesson 04: spectral radius and length sliders, gradient norm by distance.

    Returns
    -------
    ipywidgets.VBox
        Sliders for the spectral radius (0.1 ... 2.0), the length T_x
        (2 ... ``max_length``) and a choice of orthogonal or Gaussian ``W_aa``; the
        plot (:func:`plot_norm_by_distance`) and sentence come from
        :func:`vanishing_view`.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    max_length = check_int("explore_vanishing", "max_length", max_length, low=2)
    rho = widgets.FloatSlider(value=0.9, min=0.1, max=2.0, step=0.05, description="spectral radius",
                              style={"description_width": "initial"})
    length = widgets.IntSlider(value=min(50, max_length), min=2, max=max_length,
                               description="length T_x")
    kind = widgets.Dropdown(options=["orthogonal", "gaussian"], value="orthogonal",
                            description="W_aa")

    def render(rho, length, kind):
        view = vanishing_view(rho, length, seed=seed, input_scale=input_scale, kind=kind, n_a=n_a)
        fig, ax = plt.subplots(figsize=(7, 3.8))
        plot_norm_by_distance({f"tanh RNN, rho = {rho:.2f}": view.ratio},
                              reference={"rho ** distance": view.reference}, ax=ax)
        _show(fig)
        return view.text

    return _wire(render, {"rho": rho, "length": length, "kind": kind}, caption=True)


class ClipView(NamedTuple):
    """A 2-D gradient clipped both ways, with the angles each makes with the original."""

    g: np.ndarray          #: (2,) the gradient
    by_value: np.ndarray   #: (2,) clip_by_value
    by_norm: np.ndarray    #: (2,) clip_by_norm
    angle_value: float     #: degrees between g and by_value
    angle_norm: float      #: degrees between g and by_norm


def _angle(u: np.ndarray, v: np.ndarray) -> float:
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    if nu == 0 or nv == 0:
        return 0.0
    # atan2 of (cross, dot) stays accurate for nearly parallel vectors, unlike arccos
    return float(np.degrees(np.arctan2(abs(u[0] * v[1] - u[1] * v[0]), u @ v)))


def clip_view(g, *, max_value: float, max_norm: float) -> ClipView:
    """Clip a 2-D gradient by value and by norm with :mod:`rnncourse.optim`.

    Parameters
    ----------
    g : array-like of shape (2,)
    max_value, max_norm : float > 0

    Returns
    -------
    ClipView
        Clipping by norm only rescales, so ``angle_norm`` is 0; clipping by value
        cuts the large component more than the small one and turns the vector
        whenever exactly one component is cut (or both by different factors).
    """
    from ..optim import clip_by_norm, clip_by_value

    g = np.asarray(g, dtype=float)
    if g.shape != (2,):
        raise ValueError(f"clip_view: g must have shape (2,), got {g.shape}")
    by_value = clip_by_value({"g": g}, max_value)["g"]
    by_norm = clip_by_norm({"g": g}, max_norm)["g"]
    return ClipView(g, by_value, by_norm, _angle(g, by_value), _angle(g, by_norm))


def plot_clipping(g, *, max_value: float, max_norm: float, ax=None):
    """Clipping a 2-D gradient by value (a box) and by norm (a circle), before and after.

    Parameters
    ----------
    g : array-like of shape (2,)
    max_value : float > 0
        Half-width of the box ``[-max_value, max_value]^2``.
    max_norm : float > 0
        Radius of the circle.
    ax : matplotlib axes, optional

    Returns
    -------
    ax : matplotlib axes
    """
    from matplotlib.patches import Circle, Rectangle

    view = clip_view(g, max_value=max_value, max_norm=max_norm)
    ax = get_axes(ax, figsize=(4.6, 4.6))
    ax.add_patch(Rectangle((-max_value, -max_value), 2 * max_value, 2 * max_value, fill=False,
                           linestyle="--", edgecolor=COLORS["x"], label="|entry| <= max_value"))
    ax.add_patch(Circle((0, 0), max_norm, fill=False, linestyle=":", edgecolor=COLORS["a"],
                        label="norm <= max_norm"))
    for vec, color, label in (
        (view.g, "0.45", "before clipping"),
        (view.by_value, COLORS["x"], f"by value (turned {view.angle_value:.0f} deg)"),
        (view.by_norm, COLORS["a"], f"by norm (turned {view.angle_norm:.0f} deg)"),
    ):
        ax.annotate("", xy=tuple(vec), xytext=(0, 0),
                    arrowprops={"arrowstyle": "-|>", "color": color, "linewidth": 2})
        ax.plot([], [], color=color, linewidth=2, label=label)   # legend entry for the arrow
    ax.plot([0, view.g[0] * 1.15], [0, view.g[1] * 1.15], color="0.7", linewidth=0.8, zorder=0)
    reach = max(max_value, max_norm)   # the box and the circle fit in [-reach, reach]^2
    pad = 0.1 * max(reach, np.abs(view.g).max())
    ax.set_xlim(min(-reach, view.g[0]) - pad, max(reach, view.g[0]) + pad)
    ax.set_ylim(min(-reach, view.g[1]) - pad, max(reach, view.g[1]) + pad)
    ax.set_aspect("equal")
    ax.axhline(0, color="0.85", linewidth=0.8, zorder=0)
    ax.axvline(0, color="0.85", linewidth=0.8, zorder=0)
    ax.set_xlabel("$g_1$")
    ax.set_ylabel("$g_2$")
    ax.set_title("Clipping a gradient: by value vs by norm", fontsize=11)
    ax.legend(fontsize=7, loc="best")
    return ax


def explore_clipping(g=(4.0, 1.0), *, max_value: float = 1.0, max_norm: float = 1.0):
    """Widget of lesson 04: move a 2-D gradient and the thresholds, watch both clippings.

    Returns
    -------
    ipywidgets.VBox
        Sliders for ``g_1, g_2``, ``max_value`` and ``max_norm``; the figure is
        :func:`plot_clipping`, the sentence comes from :func:`clip_view`.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    first = clip_view(g, max_value=max_value, max_norm=max_norm)   # validates the inputs
    g1 = widgets.FloatSlider(value=float(first.g[0]), min=-6, max=6, step=0.25, description="g_1")
    g2 = widgets.FloatSlider(value=float(first.g[1]), min=-6, max=6, step=0.25, description="g_2")
    mv = widgets.FloatSlider(value=max_value, min=0.25, max=4, step=0.25, description="max_value")
    mn = widgets.FloatSlider(value=max_norm, min=0.25, max=4, step=0.25, description="max_norm")

    def render(g_1, g_2, max_value, max_norm):
        vec = (g_1, g_2)
        view = clip_view(vec, max_value=max_value, max_norm=max_norm)
        fig, ax = plt.subplots(figsize=(5, 5))
        plot_clipping(vec, max_value=max_value, max_norm=max_norm, ax=ax)
        _show(fig)
        return (f"by value: ({view.by_value[0]:.2f}, {view.by_value[1]:.2f}), turned "
                f"{view.angle_value:.1f} deg;  by norm: ({view.by_norm[0]:.2f}, "
                f"{view.by_norm[1]:.2f}), turned {view.angle_norm:.1f} deg")

    controls = {"g_1": g1, "g_2": g2, "max_value": mv, "max_norm": mn}
    return _wire(render, controls, rows=[["g_1", "g_2"], ["max_value", "max_norm"]], caption=True)


def plot_training_curves(curves: Mapping[str, np.ndarray], *, ax=None, ylabel: str = "loss",
                         log: bool = False):
    """One line per training run (e.g. with and without clipping); NaN ends a line with a cross.

    Parameters
    ----------
    curves : dict label -> ndarray of shape (n_steps,)
    ax : matplotlib axes, optional
    ylabel : str
    log : bool
        Log scale on the y axis.

    Returns
    -------
    ax : matplotlib axes
    """
    ax = get_axes(ax, figsize=(6.0, 3.5))
    for label, curve in curves.items():
        curve = np.asarray(curve, dtype=float)
        steps = np.arange(1, len(curve) + 1)
        bad = ~np.isfinite(curve)
        stop = int(np.argmax(bad)) if bad.any() else len(curve)
        (line,) = ax.plot(steps[:stop], curve[:stop], label=label)
        if bad.any():
            last = curve[stop - 1] if stop > 0 else 0.0
            ax.plot([stop + 1], [last], "x", color=line.get_color(), markersize=10, mew=2)
            ax.annotate(f"NaN/inf at step {stop + 1}", (stop + 1, last), textcoords="offset points",
                        xytext=(4, 4), fontsize=8, color=line.get_color())
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    return ax
