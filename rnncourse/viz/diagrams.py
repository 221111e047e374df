"""Diagrams of lessons 00-02: unrolled RNNs, the RNN types, the cell, hidden states.

Every function draws on ``ax`` (or ``axes``) when given, otherwise on a new figure,
and returns what it drew on.  Labels follow the course notation: ``x<t>`` is drawn
as :math:`x^{\\langle t \\rangle}`, ``y_hat<t>`` as :math:`\\hat{y}^{\\langle t \\rangle}`.
"""

from __future__ import annotations

import numpy as np

from .._validate import Dims, check_int
from . import COLORS, draw_arrow, draw_box, finish_diagram, get_axes, notation

__all__ = [
    "RNN_TYPES", "draw_rnn_cell", "draw_rnn_type", "draw_rnn_types", "draw_unrolled_rnn",
    "draw_weight_stacking", "plot_hidden_states",
]

#: the five RNN types of lesson 01, in the order the lesson presents them, with
#: (T_x, T_y) used when a diagram is asked for without lengths
RNN_TYPES = {
    "one-to-one": (1, 1),
    "one-to-many": (1, 4),
    "many-to-one": (4, 1),
    "many-to-many": (4, 4),
    "encoder-decoder": (3, 3),
}

_DX = 1.6           # distance between two unrolled cells
_MAX_STEPS = 10     # more cells than this no longer fit a readable diagram


def _draw_chain(ax, steps, *, a0_label, state_labels, faded_from=None, highlight=None):
    """Draw cells left to right; ``steps[i]`` is a dict describing cell i.

    Keys: ``x`` (input label or None), ``x_fed`` (True when the input is an earlier
    prediction: dashed, prediction colour), ``y`` (output label or None), ``text``
    (inside the box), ``color`` (box face), ``state`` (label of the arrow leaving the
    cell to the right, if ``state_labels``).  Returns the x range used.
    """
    n = len(steps)
    if a0_label:
        draw_arrow(ax, (-1.15, 0.0), (-0.45, 0.0), label=a0_label, color=COLORS["a"],
                   label_offset=(-0.15, 0.25))
    for i, step in enumerate(steps):
        cx = i * _DX
        alpha = 0.3 if faded_from is not None and i >= faded_from else 1.0
        face = COLORS["y"] if highlight == i else step.get("color", COLORS["cell"])
        draw_box(ax, (cx, 0.0), step.get("text", ""), color=face, alpha=alpha if highlight != i else 0.45)
        if step.get("x") is not None:
            fed = step.get("x_fed", False)
            draw_arrow(ax, (cx, -1.15), (cx, -0.35), color=COLORS["y"] if fed else COLORS["x"],
                       linestyle="--" if fed else "-", alpha=alpha)
            ax.text(cx, -1.4, step["x"], ha="center", va="center", fontsize=10, alpha=alpha,
                    color=COLORS["y"] if fed else COLORS["x"])
        if step.get("y") is not None:
            draw_arrow(ax, (cx, 0.35), (cx, 1.15), color=COLORS["y"], alpha=alpha)
            ax.text(cx, 1.4, step["y"], ha="center", va="center", fontsize=10, alpha=alpha,
                    color=COLORS["y"])
        if i < n - 1:
            label = step.get("state") if state_labels else None
            draw_arrow(ax, (cx + 0.45, 0.0), (cx + _DX - 0.45, 0.0), label=label,
                       color=COLORS["a"], label_offset=(0.0, 0.25), alpha=alpha)
    left = -1.6 if a0_label else -0.8
    return left, (n - 1) * _DX + 0.8


def draw_unrolled_rnn(T_x: int = 4, *, ax=None, outputs: bool = True, highlight: int | None = None,
                      show_params: bool = True):
    """The RNN unrolled over ``T_x`` steps: one box per step, arrows for x, a and y_hat.

    Parameters
    ----------
    T_x : int, 1 ... 10
        Number of time steps drawn.
    ax : matplotlib Axes, optional
    outputs : bool, default True
        Draw the predictions y_hat<t> (False draws the recurrence only).
    highlight : int, optional
        A step t in 1 ... T_x to highlight; later steps are drawn faded, as not yet
        computed (used by the forward-propagation explorer).
    show_params : bool, default True
        Add a note that every step uses the same parameters.

    Returns
    -------
    ax : matplotlib Axes
    """
    fn = "draw_unrolled_rnn"
    T_x = check_int(fn, "T_x", T_x, 1, _MAX_STEPS)
    if highlight is not None:
        highlight = check_int(fn, "highlight", highlight, 1, T_x)
    ax = get_axes(ax, figsize=(1.3 * T_x + 1.8, 3.2))
    steps = [{"x": notation("x", t), "y": notation("y_hat", t) if outputs else None,
              "state": notation("a", t)} for t in range(1, T_x + 1)]
    left, right = _draw_chain(ax, steps, a0_label=notation("a", 0), state_labels=True,
                              faded_from=highlight, highlight=None if highlight is None else highlight - 1)
    bottom = -1.7
    if show_params:
        names = r"$W_{aa}, W_{ax}, b_a$" + (r", $W_{ya}, b_y$" if outputs else "")
        ax.text((right + left) / 2, -2.0, f"the same {names} at every step", ha="center",
                va="center", fontsize=9, color=COLORS["edge"])
        bottom = -2.3
    return finish_diagram(ax, (left, right), (bottom, 1.7 if outputs else 0.9))


def _type_steps(kind: str, T_x: int, T_y: int) -> list:
    """The cells of one RNN type, as :func:`_draw_chain` steps."""
    if kind == "one-to-one":
        return [{"x": notation("x"), "y": notation("y_hat")}]
    if kind == "one-to-many":
        return [{"x": notation("x") if t == 1 else notation("y_hat", t - 1), "x_fed": t > 1,
                 "y": notation("y_hat", t)} for t in range(1, T_y + 1)]
    if kind == "many-to-one":
        return [{"x": notation("x", t), "y": notation("y_hat") if t == T_x else None}
                for t in range(1, T_x + 1)]
    if kind == "many-to-many":
        return [{"x": notation("x", t), "y": notation("y_hat", t)} for t in range(1, T_x + 1)]
    encoder = [{"x": notation("x", t), "text": "enc"} for t in range(1, T_x + 1)]
    decoder = [{"x": "$0$" if t == 1 else notation("y_hat", t - 1), "x_fed": t > 1,
                "y": notation("y_hat", t), "text": "dec", "color": COLORS["cell2"]}
               for t in range(1, T_y + 1)]
    return encoder + decoder


_TITLES = {
    "one-to-one": "one-to-one",
    "one-to-many": "one-to-many",
    "many-to-one": "many-to-one",
    "many-to-many": r"many-to-many, $T_x = T_y$",
    "encoder-decoder": r"many-to-many, $T_x \neq T_y$",
}


def _type_lengths(fn: str, kind: str, T_x, T_y) -> tuple[int, int]:
    """Check ``kind`` and fill in / check the lengths its shape allows."""
    if kind not in RNN_TYPES:
        raise ValueError(f"{fn}: kind must be one of {', '.join(map(repr, RNN_TYPES))}, got {kind!r}")
    dx, dy = RNN_TYPES[kind]
    T_x = dx if T_x is None else check_int(fn, "T_x", T_x, 1, _MAX_STEPS)
    T_y = dy if T_y is None else check_int(fn, "T_y", T_y, 1, _MAX_STEPS)
    fixed = {"one-to-one": (1, 1), "one-to-many": (1, None), "many-to-one": (None, 1)}.get(kind)
    if fixed:
        for name, want, got in (("T_x", fixed[0], T_x), ("T_y", fixed[1], T_y)):
            if want is not None and got != want:
                raise ValueError(f"{fn}: a {kind} network has {name} = {want}, got {name} = {got}")
    if kind == "many-to-many" and T_x != T_y:
        raise ValueError(f"{fn}: many-to-many here means T_x = T_y, got T_x = {T_x}, T_y = {T_y} "
                         f"(use kind='encoder-decoder' for T_x != T_y)")
    return T_x, T_y


def draw_rnn_type(kind: str, *, T_x: int | None = None, T_y: int | None = None, ax=None,
                  title: str | None = None):
    """One of the five RNN types as a small unrolled diagram.

    Parameters
    ----------
    kind : {"one-to-one", "one-to-many", "many-to-one", "many-to-many", "encoder-decoder"}
        ``"many-to-many"`` has T_x = T_y; ``"encoder-decoder"`` is many-to-many with
        T_x != T_y: an encoder reads x<1..T_x>, a decoder writes y_hat<1..T_y>,
        each prediction fed back (dashed) as the decoder's next input.
    T_x, T_y : int, optional
        Input and output lengths (defaults in ``RNN_TYPES``); one-to-many has
        T_x = 1, many-to-one T_y = 1.
    ax : matplotlib Axes, optional
    title : str, optional
        Defaults to the type's name.

    Returns
    -------
    ax : matplotlib Axes
    """
    fn = "draw_rnn_type"
    T_x, T_y = _type_lengths(fn, kind, T_x, T_y)
    steps = _type_steps(kind, T_x, T_y)
    ax = get_axes(ax, figsize=(1.1 * len(steps) + 1.5, 3.0))
    a0 = None if kind == "one-to-one" else notation("a", 0)
    left, right = _draw_chain(ax, steps, a0_label=a0, state_labels=False)
    if kind == "encoder-decoder":
        # the encoder's last state is all the decoder learns about x
        ax.text((T_x - 0.5) * _DX, 0.18, notation("a", "T_x"), ha="center", va="bottom",
                fontsize=9, color=COLORS["a"])
    return finish_diagram(ax, (left, right), (-1.7, 1.7), title=title or _TITLES[kind])


def draw_rnn_types(axes=None):
    """The five RNN types: three on a first row, the two many-to-many on a second.

    Parameters
    ----------
    axes : sequence of 5 matplotlib Axes, optional
        Where to draw each type, in the order of ``RNN_TYPES``.

    Returns
    -------
    axes : list of 5 matplotlib Axes, in the order of ``RNN_TYPES``
    """
    kinds = list(RNN_TYPES)
    widths = [len(_type_steps(k, *RNN_TYPES[k])) * _DX + (0.8 if k == "one-to-one" else 1.6)
              for k in kinds]
    if axes is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(11.0, 5.0), layout="constrained")
        top, bottom = fig.subfigures(2, 1)
        axes = [*top.subplots(1, 3, gridspec_kw={"width_ratios": widths[:3]}),
                *bottom.subplots(1, 2, gridspec_kw={"width_ratios": widths[3:]})]
    axes = list(np.ravel(axes))
    if len(axes) != len(kinds):
        raise ValueError(f"draw_rnn_types: axes must hold {len(kinds)} Axes, got {len(axes)}")
    for ax, kind in zip(axes, kinds):
        draw_rnn_type(kind, ax=ax)
    return axes


def draw_rnn_cell(ax=None, output: str | None = "softmax"):
    """The inside of one RNN step: what ``rnn_cell_forward`` computes.

    Parameters
    ----------
    ax : matplotlib Axes, optional
    output : {"softmax", "sigmoid", "identity"} or None
        Activation drawn for the prediction; None draws the recurrence only.

    Returns
    -------
    ax : matplotlib Axes
    """
    if output not in ("softmax", "sigmoid", "identity", None):
        raise ValueError(f"draw_rnn_cell: output must be 'softmax', 'sigmoid', 'identity' or None, "
                         f"got {output!r}")
    ax = get_axes(ax, figsize=(7.0, 5.0 if output else 3.0))
    a_prev, a_t, x_t = notation("a", "t-1"), notation("a", "t"), notation("x", "t")
    # the cell's boundary, named after the function that computes it
    top = 3.2 if output else 0.9
    draw_box(ax, (3.3, (top - 1.0) / 2), "", width=6.4, height=top + 1.0, color="none",
             linestyle="--")
    ax.text(0.25, top + 0.3, "rnn_cell_forward", fontsize=9, family="monospace", color=COLORS["edge"])
    # recurrence: a<t-1>, x<t> -> affine -> tanh -> a<t>
    draw_box(ax, (2.05, 0.0), r"$W_{aa}\,a^{\langle t-1 \rangle} + W_{ax}\,x^{\langle t \rangle} + b_a$",
             width=3.5, height=0.7, fontsize=9)
    draw_arrow(ax, (-1.0, 0.0), (0.3, 0.0), label=a_prev, color=COLORS["a"], label_offset=(-0.2, 0.3))
    draw_arrow(ax, (2.05, -1.5), (2.05, -0.35), color=COLORS["x"])
    ax.text(2.05, -1.75, x_t, ha="center", va="center", fontsize=11, color=COLORS["x"])
    draw_box(ax, (4.4, 0.0), "tanh", width=0.9, height=0.6)
    draw_arrow(ax, (3.8, 0.0), (3.95, 0.0))
    draw_arrow(ax, (4.85, 0.0), (7.6, 0.0), label=a_t, color=COLORS["a"], label_offset=(0.75, 0.3))
    lines = [rf"{a_t} $= \tanh(W_a[${a_prev}$;\,${x_t}$] + b_a)$"]
    if output:
        # prediction: a<t> -> affine -> g -> y_hat<t>
        draw_arrow(ax, (5.6, 0.0), (5.6, 0.95), color=COLORS["a"])
        draw_box(ax, (5.6, 1.3), r"$W_{ya}\,a^{\langle t \rangle} + b_y$", width=1.9, height=0.6, fontsize=9)
        draw_arrow(ax, (5.6, 1.6), (5.6, 1.95))
        draw_box(ax, (5.6, 2.3), output, width=1.3, height=0.6)
        draw_arrow(ax, (5.6, 2.6), (5.6, 3.6), color=COLORS["y"])
        ax.text(5.6, 3.85, notation("y_hat", "t"), ha="center", va="center", fontsize=11, color=COLORS["y"])
        g = {"softmax": r"\mathrm{softmax}", "sigmoid": r"\sigma", "identity": ""}[output]
        lines.append(rf"{notation('y_hat', 't')} $= {g}(W_{{ya}}\,a^{{\langle t \rangle}} + b_y)$")
    for k, line in enumerate(lines):
        ax.text(3.3, -2.35 - 0.45 * k, line, ha="center", va="center", fontsize=10)
    return finish_diagram(ax, (-1.3, 7.8), (-2.4 - 0.45 * len(lines), 4.2 if output else 1.4))


def plot_hidden_states(a, *, example: int = 0, ax=None, upto: int | None = None, title: str | None = None,
                       colorbar: bool = True):
    """Heatmap of the hidden states of one example: units down, time steps across.

    Parameters
    ----------
    a : ndarray of shape (n_a, m, T_x)
        Hidden states, as returned by :func:`rnncourse.rnn.rnn_forward`.
    example : int, default 0
        Which of the m examples to show.
    ax : matplotlib Axes, optional
    upto : int, optional
        Show only steps 1 ... ``upto`` (later columns are left blank).
    title : str, optional
    colorbar : bool, default True

    Returns
    -------
    ax : matplotlib Axes
        Holds one image whose data is ``a[:, example, :]`` (masked after ``upto``).

    Notes
    -----
    The colour scale is fixed to [-1, 1], the range of tanh, so that figures of
    different runs can be compared by eye.
    """
    fn = "plot_hidden_states"
    a = Dims(fn).bind("a", a, ("n_a", "m", "T_x"), finite=False)
    n_a, m, T = a.shape
    if isinstance(example, bool) or not isinstance(example, (int, np.integer)) or not 0 <= example < m:
        raise ValueError(f"{fn}: example must be an int in [0, m) = [0, {m}), got {example!r}")
    if upto is not None:
        upto = check_int(fn, "upto", upto, 1, T)
    data = np.ma.masked_invalid(a[:, example, :])
    if upto is not None:
        data[:, upto:] = np.ma.masked
    ax = get_axes(ax, figsize=(min(0.45 * T + 2.0, 10.0), min(0.3 * n_a + 1.2, 5.0)))
    image = ax.imshow(data, cmap="RdBu_r", vmin=-1.0, vmax=1.0, aspect="auto", interpolation="nearest")
    step = max(1, T // 12)
    ax.set_xticks(np.arange(0, T, step))
    ax.set_xticklabels([str(t) for t in range(1, T + 1, step)])
    ax.set_yticks(np.arange(0, n_a, max(1, n_a // 10)))
    ax.set_xlabel("time step $t$")
    ax.set_ylabel("hidden unit")
    ax.set_title(title if title is not None else
                 rf"hidden states $a^{{\langle t \rangle}}$ of example {example}", fontsize=11)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.05, pad=0.02)
    return ax


def draw_weight_stacking(Waa, Wax, a_prev, x_t, *, example: int = 0, axes=None):
    """The syllabus's stacking: ``W_a = [W_aa | W_ax]`` next to ``[a<t-1>; x<t>]``.

    Parameters
    ----------
    Waa : ndarray of shape (n_a, n_a)
    Wax : ndarray of shape (n_a, n_x)
    a_prev : ndarray of shape (n_a, m)
    x_t : ndarray of shape (n_x, m)
    example : int, default 0
        Which column of ``a_prev`` and ``x_t`` to show.
    axes : sequence of 2 matplotlib Axes, optional
        Top and bottom panel.

    Returns
    -------
    axes : list of 2 Axes
        Top: the stacked column ``[a<t-1>; x<t>]`` (n_a + n_x entries) drawn as a row;
        bottom: the matrix ``W_a`` (n_a, n_a + n_x), each with its colour bar.  A line in both separates the
        ``a`` part from the ``x`` part, so one sees that ``W_aa`` only ever meets
        ``a<t-1>`` and ``W_ax`` only ``x<t>``.
    """
    fn = "draw_weight_stacking"
    d = Dims(fn)
    Waa = d.bind("Waa", Waa, ("n_a", "n_a"))
    Wax = d.bind("Wax", Wax, ("n_a", "n_x"))
    a_prev = d.bind("a_prev", a_prev, ("n_a", "m"))
    x_t = d.bind("x_t", x_t, ("n_x", "m"))
    n_a, n_x, m = Waa.shape[0], Wax.shape[1], a_prev.shape[1]
    if isinstance(example, bool) or not isinstance(example, (int, np.integer)) or not 0 <= example < m:
        raise ValueError(f"{fn}: example must be an int in [0, m) = [0, {m}), got {example!r}")
    W_a = np.hstack([Waa, Wax])                                        # (n_a, n_a + n_x)
    stacked = np.vstack([a_prev, x_t])[:, example]                     # (n_a + n_x,)
    n = n_a + n_x
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(2, 1, figsize=(0.4 * n + 1.6, 0.4 * (n_a + 1) + 1.6), sharex=True,
                               gridspec_kw={"height_ratios": [1.0, n_a]}, layout="constrained")
    axes = list(np.ravel(axes))
    if len(axes) != 2:
        raise ValueError(f"{fn}: axes must hold 2 Axes, got {len(axes)}")
    ax_v, ax_w = axes
    # the stacked column, laid on its side above W_a: entry j meets column j of W_a
    v_scale = float(max(np.abs(stacked).max(), 1e-12))
    image_v = ax_v.imshow(stacked[None, :], cmap="PuOr", vmin=-v_scale, vmax=v_scale, aspect="auto",
                          interpolation="nearest")
    ax_v.figure.colorbar(image_v, ax=ax_v, pad=0.02, aspect=4)
    ax_v.axvline(n_a - 0.5, color="black", linewidth=2)
    ax_v.set_yticks([])
    ax_v.set_title(r"$[a^{\langle t-1 \rangle};\,x^{\langle t \rangle}]$ (on its side): entry $j$ "
                   r"multiplies column $j$ of $W_a$", fontsize=10)
    w_scale = float(max(np.abs(W_a).max(), 1e-12))
    image_w = ax_w.imshow(W_a, cmap="PuOr", vmin=-w_scale, vmax=w_scale, aspect="auto",
                          interpolation="nearest")
    ax_w.figure.colorbar(image_w, ax=ax_w, pad=0.02)
    ax_w.axvline(n_a - 0.5, color="black", linewidth=2)
    ax_w.set_ylabel(r"$W_a = [\,W_{aa} \mid W_{ax}\,]$")
    ax_w.set_yticks([])
    ax_w.set_xticks([(n_a - 1) / 2, n_a + (n_x - 1) / 2])
    ax_w.set_xticklabels([rf"$W_{{aa}}$ / {notation('a', 't-1')} ({n_a})",
                          rf"$W_{{ax}}$ / {notation('x', 't')} ({n_x})"])
    return axes
