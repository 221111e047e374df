"""Figures and widgets of the lessons: matplotlib drawings and ipywidgets explorers.

``from rnncourse import viz`` needs numpy only.  Each public function lives in a
submodule that is imported the first time it is used, and only that submodule
imports matplotlib (ipywidgets is imported inside the widget builders):

``viz.diagrams``
    unrolled networks, the five RNN types, the RNN cell, hidden-state heatmaps
    (lessons 00-02);
``viz.explorers``
    the pure functions behind the widgets of lessons 00-02 and the builders that
    wire controls to them;
``viz.gradients``
    backprop-through-time and vanishing-gradient figures and widgets (lessons 03-04);
``viz.gates``
    GRU and LSTM cells and their gates (lessons 05-06);
``viz.stacks``
    bidirectional and deep (stacked) networks, their reach, tagging comparison and
    stack explorer (lessons 07-08);
``viz.applications``
    the applications of lesson 09: summary table and bars, melodies, piano roll,
    spectrogram and activity figures, temperature widget.

So ``viz.draw_unrolled_rnn(...)`` works without naming the submodule: any name in a
submodule's ``__all__`` is found (a new submodule needs no registration here; the tests
check that no two submodules export the same name).  Every drawing
takes ``ax=None`` (or ``axes=None``), draws on a new figure when none is given,
returns what it drew on and never touches the global ``rcParams``.

The small helpers below (colours, notation labels, boxes and arrows) are shared by
the submodules so that every diagram of the course looks alike; the private
``_wire`` and ``_show`` are what every widget builder uses to connect its controls
to a redrawn figure.
"""

from __future__ import annotations

import importlib
import pkgutil

__all__ = ["COLORS", "draw_arrow", "draw_box", "finish_diagram", "get_axes", "notation"]

#: the public submodules, found on disk (private ones start with "_")
_SUBMODULES = tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")))

#: one colour per kind of quantity, used by every figure of the course
COLORS = {
    "x": "#4c72b0",      # inputs x<t>
    "a": "#55a868",      # hidden states a<t>
    "y": "#c44e52",      # predictions y_hat<t>
    "cell": "#f2e6c9",   # the recurrent cell (box face)
    "cell2": "#d9e6f2",  # a second cell (the decoder of an encoder-decoder)
    "edge": "#333333",   # box outlines and plain arrows
    "loss": "#8172b2",   # losses L<t>
    "grad": "#dd8452",   # gradients flowing backwards
}

_SYMBOLS = {"y_hat": r"\hat{y}", "yhat": r"\hat{y}", "L": r"\mathcal{L}"}   # L: the loss


def notation(symbol: str, t=None) -> str:
    """The course's label for ``symbol`` at step ``t`` as matplotlib mathtext.

    >>> notation("a", 1)
    '$a^{\\\\langle 1 \\\\rangle}$'
    >>> notation("y_hat", "T_y")
    '$\\\\hat{y}^{\\\\langle T_y \\\\rangle}$'
    """
    base = _SYMBOLS.get(symbol, symbol)
    if t is None:
        return f"${base}$"
    return f"${base}^{{\\langle {t} \\rangle}}$"


def get_axes(ax=None, figsize=(6.0, 3.0)):
    """``ax`` itself, or the axes of a new figure of size ``figsize`` when ``ax`` is None."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def draw_box(ax, center, text, *, width=0.9, height=0.7, color=None, fontsize=10, **kwargs):
    """A rounded box centred at ``center`` with ``text`` inside; returns the patch."""
    from matplotlib.patches import FancyBboxPatch

    cx, cy = center
    pad = 0.06
    box = FancyBboxPatch((cx - width / 2 + pad, cy - height / 2 + pad), width - 2 * pad,
                         height - 2 * pad, boxstyle=f"round,pad={pad}",
                         facecolor=color or COLORS["cell"], edgecolor=COLORS["edge"],
                         linewidth=1.2, **kwargs)
    ax.add_patch(box)
    if text:
        ax.text(cx, cy, text, ha="center", va="center", fontsize=fontsize)
    return box


def draw_arrow(ax, start, end, *, label=None, color=None, label_offset=(0.0, 0.0),
               fontsize=10, style="-|>", linestyle="-", connectionstyle="arc3", **kwargs):
    """An arrow from ``start`` to ``end`` with an optional ``label`` at its middle.

    ``label_offset`` moves the label from the arrow's midpoint (data units).
    Returns the ``FancyArrowPatch``.
    """
    from matplotlib.patches import FancyArrowPatch

    color = color or COLORS["edge"]
    arrow = FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=12, color=color,
                            linewidth=1.3, linestyle=linestyle,
                            connectionstyle=connectionstyle, shrinkA=0, shrinkB=0, **kwargs)
    ax.add_patch(arrow)
    if label:
        mx = (start[0] + end[0]) / 2 + label_offset[0]
        my = (start[1] + end[1]) / 2 + label_offset[1]
        ax.text(mx, my, label, ha="center", va="center", fontsize=fontsize, color=color)
    return arrow


def finish_diagram(ax, xlim, ylim, title=None):
    """Fix the limits, keep circles round, hide the frame of a diagram; returns ``ax``."""
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=11)
    return ax


def _show(fig) -> None:
    """Display ``fig`` once (inside a widget's Output) and release it."""
    import matplotlib.pyplot as plt

    plt.show()
    plt.close(fig)


def _wire(render, controls: dict, *, rows=None, caption: bool = False):
    """A widget: ``controls`` above an Output that shows ``render(**values)``.

    ``render`` is called once now and again whenever a control's value changes.

    Parameters
    ----------
    render : callable
        Takes one keyword argument per control (its value); draws or prints into the
        Output.
    controls : dict
        Control name -> ipywidgets control.
    rows : list, optional
        How the controls are laid out, top to bottom: each item is a list of names
        (shown side by side in an HBox) or a single name (the control alone).
        Default: one HBox holding every control.
    caption : bool
        When True, ``render`` returns a sentence, shown in a Label between the
        controls and the Output.

    Returns
    -------
    ipywidgets.VBox
        The rows, then the Label if ``caption``, then the Output.
    """
    import ipywidgets as widgets

    out = widgets.Output()
    label = widgets.Label() if caption else None

    def update(change=None):
        with out:
            out.clear_output(wait=True)
            text = render(**{name: c.value for name, c in controls.items()})
        if label is not None:
            label.value = text

    for control in controls.values():
        control.observe(update, names="value")
    update()
    rows = [list(controls)] if rows is None else rows
    boxes = [controls[row] if isinstance(row, str) else widgets.HBox([controls[n] for n in row])
             for row in rows]
    return widgets.VBox(boxes + ([label] if caption else []) + [out])


def __getattr__(name: str):
    """Import a submodule, or the submodule defining ``name``, on first use."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    for sub in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{sub}")
        if name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            globals()[name] = value
            return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES))
