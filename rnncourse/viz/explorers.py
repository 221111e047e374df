"""Explorers of lessons 00-02: pure functions, figures, and the widgets wired to them.

Each widget of a lesson is split in three, so that what it shows is tested:

1. a **pure function** computing everything the widget displays from numpy arrays
   (``forward_trace``, ``run_rnn_type``, ``scaled_recurrence_states``, ...);
2. a **drawing** of that result on matplotlib axes (``draw_forward_trace``, ...);
3. a **builder** (``explore_forward``, ``explore_rnn_types``, ``explore_hidden_states``)
   that imports ipywidgets, creates the controls and calls 1 and 2 whenever a control
   changes.  It holds no arithmetic of its own.

Lesson 00 uses :func:`explore_hidden_states`, lesson 01 :func:`explore_rnn_types` and
the :data:`APPLICATIONS` table, lesson 02 :func:`explore_forward`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validate import Dims, as_rng, check_int
from ..architectures import encoder_decoder_forward, many_to_one_forward, one_to_many_generate
from ..output import check_output
from ..rnn import OUTPUT_SHAPES, RNN_SHAPES, init_rnn_params, rnn_cell_forward, rnn_forward, stack_weights
from . import COLORS, _show, _wire, notation  # viz.gates and viz.applications take _show, _wire from here
from .diagrams import RNN_TYPES, draw_rnn_type, draw_unrolled_rnn, plot_hidden_states

__all__ = [
    "APPLICATIONS", "Application", "ForwardTrace", "TypeRun", "draw_forward_trace",
    "explore_forward", "explore_hidden_states", "explore_rnn_types", "forward_summary",
    "forward_trace", "run_rnn_type", "scaled_recurrence_states", "type_lengths",
]


# ============================================================================ lesson 00

def scaled_recurrence_states(x, a0, params, scale: float = 1.0):
    """Hidden states of :func:`rnncourse.rnn.rnn_forward` with ``W_aa`` multiplied by ``scale``.

    Lesson 00's explorer: with ``scale = 0`` each ``a<t>`` depends on ``x<t>`` only
    (no memory); the larger the scale, the longer an input echoes through later steps.

    Parameters
    ----------
    x : ndarray of shape (n_x, m, T_x)
    a0 : ndarray of shape (n_a, m)
    params : dict
        ``Wax`` (n_a, n_x), ``Waa`` (n_a, n_a), ``ba`` (n_a, 1); other keys are ignored.
    scale : float
        Factor applied to ``Waa`` (the caller's dict is not modified).

    Returns
    -------
    a : ndarray of shape (n_a, m, T_x)
    """
    fn = "scaled_recurrence_states"
    if isinstance(scale, bool) or not isinstance(scale, (int, float, np.integer, np.floating)) \
            or not np.isfinite(scale):
        raise TypeError(f"{fn}: scale must be a finite number, got {scale!r}")
    d = Dims(fn)
    x = d.bind("x", x, ("n_x", "m", "T_x"))
    a0 = d.bind("a0", a0, ("n_a", "m"))
    p = d.bind_params(params, RNN_SHAPES)
    p["Waa"] = p["Waa"] * scale
    a, _, _ = rnn_forward(x, a0, p, output=None)
    return a


def explore_hidden_states(x, a0, params):
    """Widget of lesson 00: the hidden-state heatmap for a chosen example and ``W_aa`` scale.

    Parameters
    ----------
    x : ndarray of shape (n_x, m, T_x)
    a0 : ndarray of shape (n_a, m)
    params : dict with ``Wax``, ``Waa``, ``ba``

    Returns
    -------
    ipywidgets.VBox
        Sliders ``example`` (0 ... m-1) and ``W_aa scale`` (0 ... 3) above the figure
        drawn by :func:`rnncourse.viz.plot_hidden_states` from
        :func:`scaled_recurrence_states`.
    """
    import ipywidgets as widgets

    scaled_recurrence_states(x, a0, params, 1.0)      # fail now, not inside the widget
    m = x.shape[1]

    def render(example, scale):
        a = scaled_recurrence_states(x, a0, params, scale)
        ax = plot_hidden_states(a, example=example,
                                title=rf"$a^{{\langle t \rangle}}$ of example {example}, "
                                      rf"$W_{{aa}}$ scaled by {scale:.2f}")
        _show(ax.figure)

    return _wire(render, {
        "example": widgets.IntSlider(value=0, min=0, max=m - 1, description="example"),
        "scale": widgets.FloatSlider(value=1.0, min=0.0, max=3.0, step=0.25,
                                     description="W_aa scale"),
    })


# ============================================================================ lesson 01

class Application(NamedTuple):
    """One sequence problem of the syllabus, and the RNN type that fits it."""

    name: str
    x: str         #: what the input is
    y: str         #: what the output is
    kind: str      #: a key of RNN_TYPES
    x_shape: str   #: the input's shape in the course convention
    y_shape: str   #: the output's shape in the course convention


#: the syllabus's applications, in its order
APPLICATIONS = (
    Application("speech recognition", "an audio clip: T_x frames of n_x frequency features",
                "its transcript: T_y words, T_y much smaller than T_x", "encoder-decoder",
                "(n_x, m, T_x)", "(n_y, m, T_y)"),
    Application("music generation", "a genre, a first note, or nothing at all (zeros)",
                "a melody of T_y notes, each fed back as the next input", "one-to-many",
                "(n_x, m)", "(n_y, m, T_y)"),
    Application("sentiment classification", "a review: T_x words, one-hot over a vocabulary of n_x",
                "one rating (1-5 stars, or positive / negative)", "many-to-one",
                "(n_x, m, T_x)", "(n_y, m)"),
    Application("DNA sequence analysis", "T_x bases A, C, G, T one-hot (n_x = 4)",
                "a label for every base, e.g. 'inside a gene or not'", "many-to-many",
                "(4, m, T_x)", "(n_y, m, T_x)"),
    Application("machine translation", "a sentence of T_x words in one language",
                "its translation: T_y words in another, T_y != T_x in general", "encoder-decoder",
                "(n_x, m, T_x)", "(n_y, m, T_y)"),
    Application("video activity recognition", "T_x frames, each a vector of n_x image features",
                "one activity for the whole clip (running, waving, ...)", "many-to-one",
                "(n_x, m, T_x)", "(n_y, m)"),
    Application("named entity recognition", "a sentence of T_x words",
                "for every word: is it part of a name?", "many-to-many",
                "(n_x, m, T_x)", "(1, m, T_x)"),
)


def type_lengths(kind: str, T_x: int, T_y: int) -> tuple[int, int]:
    """The lengths an RNN type really has when a widget offers ``T_x`` and ``T_y``.

    One-to-one has (1, 1), one-to-many (1, T_y), many-to-one (T_x, 1),
    many-to-many (T_x, T_x), encoder-decoder (T_x, T_y).
    """
    fn = "type_lengths"
    if kind not in RNN_TYPES:
        raise ValueError(f"{fn}: kind must be one of {', '.join(map(repr, RNN_TYPES))}, got {kind!r}")
    T_x = check_int(fn, "T_x", T_x, 1, 10)
    T_y = check_int(fn, "T_y", T_y, 1, 10)
    return {"one-to-one": (1, 1), "one-to-many": (1, T_y), "many-to-one": (T_x, 1),
            "many-to-many": (T_x, T_x), "encoder-decoder": (T_x, T_y)}[kind]


class TypeRun(NamedTuple):
    """One RNN type run on a toy input by :func:`run_rnn_type`."""

    kind: str
    x: np.ndarray       #: the input: (n_x, m) for one input, (n_x, m, T_x) for a sequence
    y_hat: np.ndarray   #: the output: (n_y, m) for one prediction, (n_y, m, T_y) for a sequence
    T_x: int
    T_y: int
    call: str           #: the library call that produced y_hat


def run_rnn_type(kind: str, *, T_x: int = 4, T_y: int = 3, n_x: int = 3, n_a: int = 5, n_y: int = 2,
                 m: int = 2, rng=0) -> TypeRun:
    """Run one RNN type on random toy data with the library's function for it.

    Parameters
    ----------
    kind : a key of ``RNN_TYPES``
    T_x, T_y : int
        Offered lengths, reduced to what the type allows by :func:`type_lengths`.
    n_x, n_a, n_y, m : int
        Sizes of the toy problem; one-to-many needs n_y = n_x and uses n_x for both.
    rng : np.random.Generator or int seed
        Draws the parameters, the inputs and (one-to-many) the samples.

    Returns
    -------
    TypeRun
        ``(kind, x, y_hat, T_x, T_y, call)``.

    Notes
    -----
    one-to-one: one step of :func:`rnncourse.rnn.rnn_cell_forward` from ``a<0> = 0`` (a
    plain two-layer network); one-to-many:
    :func:`rnncourse.architectures.one_to_many_generate` (the one-hot samples);
    many-to-one: :func:`rnncourse.architectures.many_to_one_forward`; many-to-many:
    :func:`rnncourse.rnn.rnn_forward`; encoder-decoder:
    :func:`rnncourse.architectures.encoder_decoder_forward`.
    """
    fn = "run_rnn_type"
    T_x, T_y = type_lengths(kind, T_x, T_y)
    for name, value in (("n_x", n_x), ("n_a", n_a), ("n_y", n_y), ("m", m)):
        check_int(fn, name, value, 1, 1000)
    rng = as_rng(fn, rng)
    if kind == "one-to-many":
        n_y = n_x
    params = init_rnn_params(n_x, n_a, n_y, rng=rng)
    a0 = np.zeros((n_a, m))
    if kind == "one-to-one":
        x = rng.standard_normal((n_x, m))
        y_hat = rnn_cell_forward(x, a0, params)[1]
        call = "rnn_cell_forward(x, a0, params)"
    elif kind == "one-to-many":
        x = np.zeros((n_x, m))
        y_hat = one_to_many_generate(x, a0, params, T_y, rng=rng).y
        call = f"one_to_many_generate(x, a0, params, T_y={T_y}, rng=rng).y"
    elif kind == "many-to-one":
        x = rng.standard_normal((n_x, m, T_x))
        y_hat = many_to_one_forward(x, a0, params)[0]
        call = "many_to_one_forward(x, a0, params)[0]"
    elif kind == "many-to-many":
        x = rng.standard_normal((n_x, m, T_x))
        y_hat = rnn_forward(x, a0, params)[1]
        call = "rnn_forward(x, a0, params)[1]"
    else:
        x = rng.standard_normal((n_x, m, T_x))
        dec_params = init_rnn_params(n_y, n_a, n_y, rng=rng)
        y_hat = encoder_decoder_forward(x, a0, params, dec_params, T_y)
        call = f"encoder_decoder_forward(x, a0, enc_params, dec_params, T_y={T_y})"
    return TypeRun(kind, x, y_hat, T_x, T_y, call)


def explore_rnn_types():
    """Widget of lesson 01: pick an application, see its RNN type drawn and run.

    Returns
    -------
    ipywidgets.VBox
        A dropdown over :data:`APPLICATIONS` (plus "one-to-one") and sliders ``T_x``,
        ``T_y`` (1 ... 6) above the diagram of the type
        (:func:`rnncourse.viz.draw_rnn_type`) and the shapes of a toy run
        (:func:`run_rnn_type`).
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    choices = [(f"{app.name} ({app.kind})", app) for app in APPLICATIONS]
    choices.append(("image classification (one-to-one, not a sequence)",
                    Application("image classification", "one image", "one label", "one-to-one",
                                "(n_x, m)", "(n_y, m)")))

    def render(app, T_x, T_y):
        run = run_rnn_type(app.kind, T_x=T_x, T_y=T_y)
        print(f"{app.name}: {app.x}  ->  {app.y}")
        print(f"type {app.kind}: x {app.x_shape} -> y_hat {app.y_shape}")
        print(f"toy run: {run.call}: x {run.x.shape} -> y_hat {run.y_hat.shape}")
        fig, ax = plt.subplots(figsize=(1.2 * (run.T_x + run.T_y) + 1.5, 2.8), layout="constrained")
        draw_rnn_type(app.kind, T_x=run.T_x, T_y=run.T_y, ax=ax)
        _show(fig)

    return _wire(render, {
        "app": widgets.Dropdown(options=choices, value=APPLICATIONS[0], description="application",
                                layout=widgets.Layout(width="420px")),
        "T_x": widgets.IntSlider(value=4, min=1, max=6, description="T_x"),
        "T_y": widgets.IntSlider(value=3, min=1, max=6, description="T_y"),
    })


# ============================================================================ lesson 02

class ForwardTrace(NamedTuple):
    """Everything lesson 02's step-through widget shows at step ``t`` (1-based)."""

    t: int
    x_t: np.ndarray       #: (n_x, m) input x<t>
    a_prev: np.ndarray    #: (n_a, m) hidden state a<t-1>
    z_t: np.ndarray       #: (n_a, m) W_a [a<t-1>; x<t>] + b_a, before tanh
    a_next: np.ndarray    #: (n_a, m) hidden state a<t>
    y_hat_t: np.ndarray   #: (n_y, m) prediction y_hat<t>
    a: np.ndarray         #: (n_a, m, t) hidden states a<1> ... a<t>
    y_hat: np.ndarray     #: (n_y, m, t) predictions y_hat<1> ... y_hat<t>


def forward_trace(x, a0, params, t: int, output: str = "softmax") -> ForwardTrace:
    """Run the forward pass up to step ``t`` and keep what happened at that step.

    Parameters
    ----------
    x : ndarray of shape (n_x, m, T_x)
    a0 : ndarray of shape (n_a, m)
    params : dict
        ``Wax``, ``Waa``, ``ba``, ``Wya``, ``by`` as for :func:`rnncourse.rnn.rnn_cell_forward`.
    t : int
        Step in the course's numbering, 1 ... T_x (``x<t>`` is ``x[:, :, t - 1]``).
    output : {"softmax", "sigmoid", "identity"}

    Returns
    -------
    ForwardTrace

    Notes
    -----
    Calls :func:`rnncourse.rnn.rnn_cell_forward` for steps 1 ... t.  The
    pre-activation ``z_t`` is computed the syllabus's way, ``W_a [a<t-1>; x<t>] + b_a``
    with ``W_a`` from :func:`rnncourse.rnn.stack_weights`, so ``tanh(z_t) == a_next``
    checks the stacking identity at every step.
    """
    fn = "forward_trace"
    check_output(fn, output)
    d = Dims(fn)
    x = d.bind("x", x, ("n_x", "m", "T_x"))
    a = d.bind("a0", a0, ("n_a", "m"))
    p = d.bind_params(params, {**RNN_SHAPES, **OUTPUT_SHAPES})
    t = check_int(fn, "t", t, 1, x.shape[2])
    states, predictions = [], []
    for s in range(t):
        a_prev = a
        a, y_hat_s, _ = rnn_cell_forward(x[:, :, s], a_prev, p, output=output)
        states.append(a)
        predictions.append(y_hat_s)
    x_t = x[:, :, t - 1]
    stacked = np.vstack([a_prev, x_t])                                  # (n_a + n_x, m)
    z_t = stack_weights(p["Waa"], p["Wax"]) @ stacked + p["ba"]         # (n_a, m)
    return ForwardTrace(t, x_t, a_prev, z_t, a, predictions[-1],
                        np.stack(states, axis=2), np.stack(predictions, axis=2))


def forward_summary(trace: ForwardTrace, example: int = 0, decimals: int = 3) -> str:
    """The lines the step-through widget prints for one example, numbers rounded.

    Returns
    -------
    str
        ``a<t-1>``, ``x<t>``, ``a<t>`` and ``y_hat<t>`` of column ``example``, and
        the most likely class at step t.
    """
    fn = "forward_summary"
    if not isinstance(trace, ForwardTrace):
        raise TypeError(f"{fn}: trace must be a ForwardTrace from forward_trace, got {type(trace).__name__}")
    example = check_int(fn, "example", example, 0, trace.x_t.shape[1] - 1)

    def fmt(v):
        return np.array2string(np.round(v[:, example], decimals) + 0.0, precision=decimals,
                               suppress_small=True, separator=", ")

    t = trace.t
    return "\n".join([
        f"step t = {t}, example {example}",
        f"a<{t - 1}>     = {fmt(trace.a_prev)}",
        f"x<{t}>     = {fmt(trace.x_t)}",
        f"a<{t}>     = tanh(W_a [a<{t - 1}>; x<{t}>] + b_a) = {fmt(trace.a_next)}",
        f"y_hat<{t}> = {fmt(trace.y_hat_t)}   (most likely class: {int(np.argmax(trace.y_hat_t[:, example]))})",
    ])


def draw_forward_trace(trace: ForwardTrace, T_x: int, *, example: int = 0, axes=None):
    """Figure of the step-through widget: where we are, the states so far, a<t> and y_hat<t>.

    Parameters
    ----------
    trace : ForwardTrace from :func:`forward_trace`
    T_x : int
        Length of the whole sequence (steps after ``trace.t`` are drawn as not yet done).
    example : int, default 0
    axes : sequence of 4 Axes, optional
        The unrolled network, the hidden-state heatmap, the bars of a<t>, the bars of
        y_hat<t>.  The unrolled network is skipped (axis hidden) when T_x > 10.

    Returns
    -------
    axes : list of 4 Axes
    """
    fn = "draw_forward_trace"
    if not isinstance(trace, ForwardTrace):
        raise TypeError(f"{fn}: trace must be a ForwardTrace from forward_trace, got {type(trace).__name__}")
    T_x = check_int(fn, "T_x", T_x, trace.t, 10 ** 6)
    example = check_int(fn, "example", example, 0, trace.x_t.shape[1] - 1)
    if axes is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(10.0, 5.6), layout="constrained")
        grid = fig.add_gridspec(2, 3, height_ratios=[1.0, 1.1])
        axes = [fig.add_subplot(grid[0, :]), fig.add_subplot(grid[1, 0]),
                fig.add_subplot(grid[1, 1]), fig.add_subplot(grid[1, 2])]
    axes = list(np.ravel(axes))
    if len(axes) != 4:
        raise ValueError(f"{fn}: axes must hold 4 Axes, got {len(axes)}")
    ax_net, ax_heat, ax_a, ax_y = axes
    t = trace.t
    if T_x <= 10:
        draw_unrolled_rnn(T_x, ax=ax_net, highlight=t, show_params=False)
    else:
        ax_net.axis("off")
    n_a, m = trace.a_next.shape
    padded = np.full((n_a, m, T_x), np.nan)
    padded[:, :, :t] = trace.a                                         # (n_a, m, T_x)
    plot_hidden_states(padded, example=example, ax=ax_heat, upto=t, colorbar=True,
                       title=rf"$a^{{\langle 1 \rangle}} \ldots a^{{\langle {t} \rangle}}$")
    units = np.arange(n_a)
    ax_a.barh(units, trace.a_next[:, example], color=COLORS["a"], label=notation("a", t))
    ax_a.barh(units, trace.a_prev[:, example], fill=False, edgecolor=COLORS["edge"],
              label=notation("a", t - 1))
    ax_a.set_xlim(-1.05, 1.05)
    ax_a.invert_yaxis()
    ax_a.set_xlabel("value")
    ax_a.set_ylabel("hidden unit")
    # below the axis label, off the bars (which may reach any corner)
    ax_a.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8, frameon=False)
    ax_a.set_title(rf"{notation('a', t)} (filled) and {notation('a', t - 1)}", fontsize=11)
    classes = np.arange(trace.y_hat_t.shape[0])
    ax_y.bar(classes, trace.y_hat_t[:, example], color=COLORS["y"])
    ax_y.set_xticks(classes)
    ax_y.set_xlabel("class")
    ax_y.set_title(notation("y_hat", t), fontsize=11)
    if trace.y_hat_t.min() >= 0 and trace.y_hat_t.max() <= 1:
        ax_y.set_ylim(0, 1)
    return axes


def explore_forward(x, a0, params, output: str = "softmax"):
    """Widget of lesson 02: step through time and watch a<t> and y_hat<t>.

    Parameters
    ----------
    x : ndarray of shape (n_x, m, T_x)
    a0 : ndarray of shape (n_a, m)
    params : dict with ``Wax``, ``Waa``, ``ba``, ``Wya``, ``by``
    output : {"softmax", "sigmoid", "identity"}

    Returns
    -------
    ipywidgets.VBox
        Sliders ``t`` (1 ... T_x) and ``example`` (0 ... m-1) above the printout of
        :func:`forward_summary` and the figure of :func:`draw_forward_trace`.
    """
    import ipywidgets as widgets

    forward_trace(x, a0, params, 1, output)            # fail now, not inside the widget
    T_x, m = x.shape[2], x.shape[1]

    def render(t, example):
        trace = forward_trace(x, a0, params, t, output)
        print(forward_summary(trace, example))
        axes = draw_forward_trace(trace, T_x, example=example)
        _show(axes[0].figure)

    return _wire(render, {
        "t": widgets.IntSlider(value=1, min=1, max=T_x, description="t"),
        "example": widgets.IntSlider(value=0, min=0, max=m - 1, description="example"),
    })
