"""Contracts that every figure of ``rnncourse.viz`` keeps, checked on every figure function.

Each public ``draw_*``, ``plot_*`` and ``explore_*`` function of the viz submodules is
called on a small generated input (a widget builder draws its first figure, and the
figures after one move of its first control); each figure is then drawn and checked:

* its axes' limits contain every finite point it plotted (lesson 04's rho = 3 float64
  panel showed 1 ... 10 while its curve went up to 1e308);
* a legend covers no plotted line's (or bar's) bounding box (legends sat over the data in 04);
* the tick labels of an axis do not overlap each other (66 words on top of each other
  under lesson 06's gate explorer);
* every heatmap has a colour bar (lesson 05 and 06's gate heatmaps had none).

A test also fails when a figure function has no entry here, so a new one cannot
slip past these checks.
"""

from __future__ import annotations

import importlib
import io
import re
import struct

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402
from matplotlib.path import Path  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from rnncourse import viz  # noqa: E402

#: the submodules whose figures are checked here (every one of rnncourse.viz)
SUBMODULES = ("diagrams", "explorers", "gradients", "gates", "stacks", "applications",
              "language_model", "seq2seq")
PREFIXES = ("draw_", "plot_", "explore_")
#: explorers that print text and draw no figure (a test below holds them to it)
TEXT_ONLY = ("explore_sampling", "explore_beam_width")

#: how far (pixels) a plotted point may sit outside its axes: line ends on the frame
TOLERANCE = 1.5


# ------------------------------------------------------------------------------ small inputs

def _rnn_toy(seed=0, n_x=3, n_a=5, n_y=4, m=3, T=6):
    from rnncourse.rnn import init_rnn_params

    rng = np.random.default_rng(seed)
    params = init_rnn_params(n_x, n_a, n_y, rng=rng)
    return rng.standard_normal((n_x, m, T)), 0.3 * rng.standard_normal((n_a, m)), params


def _reach():
    from rnncourse.rnn import rnn_forward
    from rnncourse.vanishing import gradient_reach

    x, _, params = _rnn_toy(1)
    rng = np.random.default_rng(1)
    a, _, _ = rnn_forward(x, np.zeros((5, 3)), params, output=None)
    return gradient_reach(rng.standard_normal((5, 3, 6)), a, params["Waa"])


def _gates(cell="lstm", T=30, m=3):
    from rnncourse.gru import gru_forward, init_gru_params
    from rnncourse.lstm import init_lstm_params, lstm_forward

    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, m, T))
    if cell == "lstm":
        _, _, _, caches = lstm_forward(x, np.zeros((6, m)), init_lstm_params(4, 6, None, rng=rng),
                                       output=None)
    else:
        _, _, caches = gru_forward(x, np.zeros((6, m)), init_gru_params(4, 6, None, rng=rng),
                                   output=None)
    words = ["the", "cats", ",", "which", "ate", "a", "big", "red", "fish", "yesterday"]
    tokens = [[words[(t + i) % len(words)] for t in range(T)] for i in range(m)]
    return viz.gates.stack_gates(caches), tokens


def _tune_model():
    from rnncourse import applications as ap
    from rnncourse.data import char_dataset
    from rnncourse.layers import Dense, OneHot, Recurrent
    from rnncourse.models import Sequential

    tunes = ap.melodies(20, rng=0)
    cd = char_dataset(tunes)
    n = len(cd.vocab)
    model = Sequential([OneHot(n), Recurrent("gru", 4), Dense(n, "softmax")], rng=0)
    model.fit(cd.ids, cd.y, mask=cd.mask, epochs=1, rng=0, progress=False)
    return model, cd.vocab, tunes


def _first_control(widget):
    """The first value control of a widget (depth-first), to move once."""
    stack = [widget]
    while stack:
        w = stack.pop(0)
        if hasattr(w, "children"):
            stack = list(w.children) + stack
        elif hasattr(w, "min") and hasattr(w, "max") and hasattr(w, "value"):
            return w
    return None


def _calls():
    """name -> a call that makes the function's figures (widgets: their renders)."""
    g = viz.gradients
    gt = viz.gates
    st = viz.stacks
    dg = viz.diagrams
    ex = viz.explorers
    rng = np.random.default_rng(3)
    x, a0, params = _rnn_toy()

    def applications():
        from rnncourse import applications as ap

        va = viz.applications
        return {
            "plot_results": lambda: va.plot_results([
                va.ApplicationResult("sentiment", "many-to-one", "x -> y", "accuracy", 0.98, 0.63,
                                     "bag of words"),
                va.ApplicationResult("music", "one-to-many", "a0 -> y", "rules followed", 0.9, None)]),
            # on axes 4 inches wide matplotlib's default ticks fall at 0, 2.5, 5, ...
        "plot_melodies": lambda: va.plot_melodies(ap.melodies(3, rng=1),
                                                  ax=plt.subplots(figsize=(4.0, 3.0))[1]),
            "plot_frames": lambda: _frames(ap, va),
            "plot_activities": lambda: _activities(ap, va),
            "plot_piano_roll": lambda: va.plot_piano_roll([72, 74, 76, 72], [1.0, 0.5, 0.5, 2.0]),
            "explore_temperature": lambda: va.explore_temperature(*_tune_model()[:2], n=3),
        }

    with np.errstate(over="ignore"):
        exploding = 3.0 ** np.arange(700.0)
    gates, tokens = _gates()
    gru_gates, gru_tokens = _gates("gru", T=12)
    calls = {
        # diagrams (lessons 00-02)
        "draw_rnn_cell": lambda: dg.draw_rnn_cell(),
        "draw_rnn_type": lambda: dg.draw_rnn_type("encoder-decoder", T_x=3, T_y=2),
        "draw_rnn_types": lambda: dg.draw_rnn_types(),
        "draw_unrolled_rnn": lambda: dg.draw_unrolled_rnn(4, highlight=2),
        "draw_weight_stacking": lambda: dg.draw_weight_stacking(params["Waa"], params["Wax"],
                                                                a0, x[:, :, 0], example=1),
        "plot_hidden_states": lambda: dg.plot_hidden_states(rng.uniform(-1, 1, (5, 2, 8))),
        "draw_forward_trace": lambda: ex.draw_forward_trace(ex.forward_trace(x, a0, params, 2), 6),
        "explore_forward": lambda: ex.explore_forward(x, a0, params),
        "explore_hidden_states": lambda: ex.explore_hidden_states(x, a0, params),
        "explore_rnn_types": lambda: ex.explore_rnn_types(),
        # gradients (lessons 03-04)
        "draw_bptt_graph": lambda: g.draw_bptt_graph(4, loss_step=3, strengths=[0.2, 0.5, 1.0]),
        "plot_reach": lambda: g.plot_reach(_reach(), 4),
        "plot_step_contributions": lambda: g.plot_step_contributions(rng.standard_normal((5, 3, 3)),
                                                                     total=rng.standard_normal((3, 3))),
        "plot_norm_by_distance": lambda: g.plot_norm_by_distance(
            {"float64": exploding, "fades": 0.5 ** np.arange(700.0)},
            reference={"3 ** d": np.where(np.isfinite(exploding), exploding, np.nan)}),
        "plot_clipping": lambda: g.plot_clipping((-4.0, 1.5), max_value=1.0, max_norm=1.5),
        "plot_training_curves": lambda: g.plot_training_curves(
            {"no clipping": np.array([1.0, 3.0, 9.0, np.nan]), "by norm": np.array([1.0, 0.8, 0.5, 0.3])},
            log=True),
        "explore_reach": lambda: g.explore_reach(_reach()),
        "explore_vanishing": lambda: g.explore_vanishing(max_length=4, n_a=8),
        "explore_clipping": lambda: g.explore_clipping((4.0, 1.0)),
        # gates (lessons 05-06)
        "draw_gru_cell": lambda: gt.draw_gru_cell(),
        "draw_lstm_cell": lambda: gt.draw_lstm_cell(),
        "plot_gate_activations": lambda: gt.plot_gate_activations(gates, 1, tokens=tokens),
        "plot_gate_means": lambda: gt.plot_gate_means(gates, 1, tokens=tokens),
        "plot_accuracy_by_distance": lambda: gt.plot_accuracy_by_distance(
            [4, 16, 64], {"plain RNN": [1.0, 0.8, 0.5], "GRU": [1.0, 1.0, 0.97]}),
        "explore_gates": lambda: gt.explore_gates(gates, tokens=tokens),
        # stacks (lessons 07-08)
        "draw_brnn": lambda: st.draw_brnn(5, t=3, tokens=["rose", "said", "it", "was", "good"]),
        "draw_deep_rnn": lambda: st.draw_deep_rnn([{"cell": "lstm", "n_a": 4}, {"cell": "gru", "n_a": 3}],
                                                  T_x=3, dense=[{"n": 4}]),
        "plot_depth_cost": lambda: st.plot_depth_cost(
            st.measure_depth_cost([1, 2, 3], n_a=4, n_x=3, n_y=2, m=2, T_x=3, repeats=2, rng=0)),
        "plot_tag_probabilities": lambda: st.plot_tag_probabilities(
            ["rose", "said", "it", "fell"], np.array([0.2, 0.1, 0.1, 0.3]), np.array([0.9, 0.1, 0.1, 0.2]),
            np.array([1, 0, 0, 0])),
        "explore_brnn_reach": lambda: st.explore_brnn_reach(5),
        "explore_deep_rnn": lambda: st.explore_deep_rnn(5, 2, layers="lstm, gru"),
        "explore_tagging": lambda: st.explore_tagging(
            [["rose", "said", "it"], ["it", "was", "good"]], np.array([[1, 0, 0], [0, 0, 0]]),
            np.full((2, 3), 0.4), np.array([[0.9, 0.1, 0.1], [0.1, 0.2, 0.1]])),
    }
    calls.update(_lessons_10_11())
    calls["plot_gate_activations (GRU, 12 steps)"] = lambda: gt.plot_gate_activations(
        gru_gates, 0, tokens=gru_tokens)
    calls.update(applications())
    return calls


def _lessons_10_11():
    """Figures of lessons 10 (language model) and 11 (sequence to sequence), small inputs."""
    from rnncourse import seq2seq
    from rnncourse.applications.translation import units_first_task
    from rnncourse.language_model import bracket_probe, init_lm_params
    from rnncourse.text import build_vocabulary

    lm = viz.language_model
    vs = viz.seq2seq
    rng = np.random.default_rng(5)
    text = 'the (cat) said "yes" (and (then) left) ' * 12
    vocab = build_vocabulary([text])
    lm_params = init_lm_params(len(vocab.chars), 8, rng=rng)
    losses = 3.0 * np.exp(-np.arange(300) / 80.0) + 1.2 + 0.1 * rng.standard_normal(300)
    baselines = {"uniform": 30.0, "unigram": 14.0, "bigram": 6.5}
    data = units_first_task(list(range(40)))
    s2s = seq2seq.init_seq2seq_params(len(data.src_vocab), len(data.tgt_vocab), 4, 6, rng=rng)
    lengths = np.array([1, 1, 2, 2, 2, 3, 3, 4])
    return {
        "plot_lm_loss": lambda: lm.plot_lm_loss(losses, baselines, eval_steps=np.array([100, 200, 300]),
                                                eval_perplexity=np.array([9.0, 5.0, 4.1])),
        "plot_cache_bytes": lambda: lm.plot_cache_bytes([25, 50, 100, 200],
                                                        [2**20 * k for k in (1.5, 3, 6, 12)]),
        "plot_bracket_probe": lambda: lm.plot_bracket_probe(
            bracket_probe(lm_params, np.array(vocab.encode(text)), vocab, max_distance=10)),
        "plot_cell_comparison": lambda: lm.plot_cell_comparison(
            {"rnn": (np.array([100, 200]), np.array([9.5, 7.5])),
             "gru": (np.array([100, 200]), np.array([8.0, 6.0]))}, baselines),
        "explore_sampling": lambda: lm.explore_sampling(lm_params, vocab, n_chars=20),
        "plot_embedding_2d": lambda: vs.plot_embedding_2d(
            s2s["E_x"], data.src_vocab, groups={w: "units" for w in ("one", "two", "three")}),
        "plot_accuracy_by_length": lambda: vs.plot_accuracy_by_length(
            vs.accuracy_by_length(rng.random(lengths.size) < 0.6, lengths)),
        "explore_beam_width": lambda: vs.explore_beam_width(
            s2s, data, go=data.tgt_vocab.index("<go>"), eos=data.tgt_vocab.index("<eos>"),
            examples=(0, 1), max_width=3),
        "plot_attention": lambda: vs.plot_attention(rng.dirichlet(np.ones(4), size=3),
                                                    ["five", "and", "twenty", "<pad>"], ["2", "5", "<eos>"]),
    }


def _frames(ap, va):
    d = ap.speech_task(2, 10, rng=0)
    pred = d.y[0].copy()
    pred[3] = (pred[3] + 1) % len(ap.PHONEMES)
    return va.plot_frames(d.x[:, 0], d.y[0], d.label_names, pred)


def _activities(ap, va):
    d = ap.activity_task(30, 8, rng=0)
    return va.plot_activities(d.x, d.y, d.label_names, per_class=2)


def figure_functions() -> list[str]:
    names = []
    for sub in SUBMODULES:
        module = importlib.import_module(f"rnncourse.viz.{sub}")
        names += [n for n in module.__all__ if n.startswith(PREFIXES) and callable(getattr(module, n))]
    return sorted(names)


CALLS = _calls()


def test_every_figure_function_is_checked():
    missing = [n for n in figure_functions() if n not in CALLS]
    assert not missing, f"figure functions with no entry in tests/test_viz_figures.py: {missing}"


# ------------------------------------------------------------------------------ the checks

def _display_points(artist) -> np.ndarray:
    """The finite data points of a line, collection, patch or image, in display pixels."""
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if isinstance(artist, Line2D):
        xy = np.asarray(artist.get_xydata(), dtype=float)
        transform = artist.get_transform()
    elif isinstance(artist, Collection):
        offsets = np.asarray(artist.get_offsets(), dtype=float)
        if offsets.size and len(artist.get_paths()) and not np.all(offsets == 0):
            xy, transform = offsets, artist.get_offset_transform()      # scatter: the centres
        else:
            paths = artist.get_paths()
            xy = np.concatenate([p.vertices for p in paths]) if paths else np.empty((0, 2))
            transform = artist.get_transform()
    elif isinstance(artist, Patch):
        path = artist.get_path()
        xy = path.vertices
        if path.codes is not None:                   # a CLOSEPOLY vertex is no point at all
            xy = xy[path.codes != Path.CLOSEPOLY]
        transform = artist.get_transform()
    elif isinstance(artist, AxesImage):
        left, right, bottom, top = artist.get_extent()
        xy = np.array([[left, bottom], [right, top]], dtype=float)
        transform = artist.axes.transData
    else:
        return np.empty((0, 2))
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    xy = xy[np.all(np.isfinite(xy), axis=1)]
    if xy.size == 0:
        return np.empty((0, 2))
    with np.errstate(all="ignore"):
        pts = transform.transform(xy)
    return pts[np.all(np.isfinite(pts), axis=1)]


def _data_artists(ax):
    return [a for a in list(ax.lines) + list(ax.collections) + list(ax.patches) + list(ax.images)
            if a.get_visible()]


def _is_colorbar(ax) -> bool:
    return hasattr(ax, "_colorbar")


def check_limits_hold_the_data(fig, where):
    for ax in fig.axes:
        if _is_colorbar(ax) or not ax.get_visible():
            continue
        box = ax.get_window_extent()
        for artist in _data_artists(ax):
            pts = _display_points(artist)
            if pts.size == 0:
                continue
            outside = ((pts[:, 0] < box.x0 - TOLERANCE) | (pts[:, 0] > box.x1 + TOLERANCE)
                       | (pts[:, 1] < box.y0 - TOLERANCE) | (pts[:, 1] > box.y1 + TOLERANCE))
            assert not outside.any(), (
                f"{where}: {type(artist).__name__} {artist.get_label()!r} has {int(outside.sum())} of "
                f"{len(pts)} points outside the axes {ax.get_title()!r} (xlim {ax.get_xlim()}, "
                f"ylim {ax.get_ylim()})")


def check_legends_off_the_lines(fig, where):
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None or not legend.get_visible():
            continue
        lbox = legend.get_window_extent()
        lbox = Bbox.from_extents(lbox.x0 + 1, lbox.y0 + 1, lbox.x1 - 1, lbox.y1 - 1)
        for axes in fig.axes:            # a legend placed outside must not cover a neighbour
            bars = [bar for container in axes.containers for bar in getattr(container, "patches", [])]
            for artist in list(axes.lines) + bars:
                pts = _display_points(artist)
                if len(pts) == 0 or not artist.get_visible():
                    continue
                box = Bbox.from_extents(*pts.min(axis=0), *pts.max(axis=0))
                assert not lbox.overlaps(box), (
                    f"{where}: the legend of {ax.get_title()!r} covers the "
                    f"{'line' if artist in axes.lines else 'bar'} {artist.get_label()!r} of {axes.get_title()!r}")


def check_tick_labels_apart(fig, where):
    for ax in fig.axes:
        if not ax.axison:                      # a diagram: no ticks drawn
            continue
        for axis in (ax.xaxis, ax.yaxis):
            boxes = [t.get_window_extent() for t in axis.get_ticklabels()
                     if t.get_visible() and t.get_text().strip()]
            boxes = [b for b in boxes if ax.get_window_extent().x0 - 50 <= b.x0]  # drawn ones
            for b1, b2 in zip(boxes, boxes[1:]):
                shrunk = Bbox.from_extents(b1.x0 + 0.5, b1.y0 + 0.5, b1.x1 - 0.5, b1.y1 - 0.5)
                assert not shrunk.overlaps(b2), (
                    f"{where}: tick labels {b1} and {b2} of {ax.get_title()!r} overlap")


def check_heatmaps_have_colour_bars(fig, where):
    for ax in fig.axes:
        if _is_colorbar(ax):
            continue
        for image in ax.images:
            assert getattr(image, "colorbar", None) is not None, (
                f"{where}: the heatmap of {ax.get_title()!r} has no colour bar")


#: (function, check) pairs that fail today in figures of lesson 09 (rnncourse/viz/applications.py,
#: another engineer's file); every other check of those figures still runs and must pass
KNOWN: set[tuple[str, str]] = set()   # (function, check) known to fail: none

#: words in an axis label that make it an axis of whole numbers (steps, notes, layers ...)
INDEX_WORDS = re.compile(r"\b(step|steps|distance|layers|class)\b|^notes?$")


def check_index_axes_have_integer_ticks(fig, where):
    for ax in fig.axes:
        if _is_colorbar(ax) or not ax.axison:
            continue
        for axis, limits in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            label = axis.get_label_text().lower()
            if not INDEX_WORDS.search(label) or axis.get_scale() != "linear":
                continue
            low, high = sorted(limits)
            ticks = [t for t in axis.get_ticklocs() if low - 1e-9 <= t <= high + 1e-9]
            fractional = [t for t in ticks if abs(t - round(t)) > 1e-9]
            assert not fractional, (f"{where}: the axis {label!r} counts whole things but has "
                                    f"ticks at {fractional}")


CHECKS = (check_limits_hold_the_data, check_legends_off_the_lines, check_tick_labels_apart,
          check_heatmaps_have_colour_bars, check_index_axes_have_integer_ticks)


class Shown:
    """Figures shown by a widget: checked when ``plt.show`` is called, before ``_show`` closes them."""

    def __init__(self, sizes=True):
        self.figures = []
        self.sizes = [] if sizes else None

    def __call__(self, *args, **kwargs):
        for num in plt.get_fignums():
            fig = plt.figure(num)
            if self.sizes is None:
                self.figures.append(_drawn(fig))
            else:
                self.sizes.append(png_size(fig))


def _drawn(fig):
    with np.errstate(over="ignore"):
        fig.canvas.draw()
    return fig


def png_size(fig) -> tuple[int, int]:
    """Width and height of the PNG an inline backend would show (cropped to what is drawn)."""
    buf = io.BytesIO()
    with np.errstate(over="ignore"):
        fig.savefig(buf, format="png", bbox_inches="tight", dpi=50)
    return struct.unpack(">II", buf.getvalue()[16:24])


def figures_of(name, monkeypatch):
    """Call ``CALLS[name]``; the figures it made (a widget: every render, one control moved)."""
    shown = Shown(sizes=False)
    monkeypatch.setattr(plt, "show", shown)
    monkeypatch.setitem(plt.rcParams, "figure.dpi", 40.0)     # faster drawing, same geometry
    plt.close("all")
    result = CALLS[name]()
    if name.startswith("explore_"):
        control = _first_control(result)
        if control is not None and control.max != control.min:
            control.value = control.max
        return [(f"{name} render {k}", fig) for k, fig in enumerate(shown.figures)]
    return [(name, _drawn(plt.figure(n))) for n in plt.get_fignums()]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("name", TEXT_ONLY)
def test_text_only_explorers_print_and_draw_nothing(name, monkeypatch, capsys):
    pytest.importorskip("ipywidgets")
    figures = figures_of(name, monkeypatch)
    assert not figures, f"{name} draws a figure: give it to the figure checks (out of TEXT_ONLY)"
    # outside a kernel an Output widget captures nothing: what it would show reaches stdout
    assert capsys.readouterr().out.strip(), f"{name} shows nothing"


@pytest.mark.parametrize("name", sorted(set(CALLS) - set(TEXT_ONLY)))
def test_figure_contracts(name, monkeypatch):
    if name.startswith("explore_"):
        pytest.importorskip("ipywidgets")
    figures = figures_of(name, monkeypatch)
    assert figures, f"{name} drew no figure"
    known = []
    for where, fig in figures:
        for check in CHECKS:
            try:
                check(fig, where)
            except AssertionError as err:
                if (name, check.__name__) not in KNOWN:
                    raise
                known.append(str(err))
    if known:
        pytest.xfail("lesson 09's figures (viz.applications, issue 12 item 13, owned by lesson 09's "
                     "engineer): " + "; ".join(known))


# ------------------------------------------------------------------- the checks can fail

def test_the_checks_catch_what_they_are_for():
    fig, ax = plt.subplots()
    ax.semilogy(np.arange(700), np.ones(700))
    ax.set_ylim(1, 10)
    ax.plot([0, 699], [1, 1e300])                        # off the axes' limits
    with pytest.raises(AssertionError, match="outside the axes"):
        check_limits_hold_the_data(_drawn(fig), "t")

    fig, ax = plt.subplots()
    ax.plot(np.arange(10), np.arange(10), label="diagonal")
    ax.legend(loc="center")
    with pytest.raises(AssertionError, match="covers the line"):
        check_legends_off_the_lines(_drawn(fig), "t")

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_xticks(np.arange(60))
    ax.set_xticklabels(["yesterday"] * 60)
    with pytest.raises(AssertionError, match="overlap"):
        check_tick_labels_apart(_drawn(fig), "t")

    fig, ax = plt.subplots()
    ax.imshow(np.zeros((3, 3)))
    with pytest.raises(AssertionError, match="no colour bar"):
        check_heatmaps_have_colour_bars(_drawn(fig), "t")

    fig, ax = plt.subplots()
    ax.plot([0, 5], [0, 1])
    ax.set_xlabel("note")                                  # ticks at 0.0, 2.5, ... by default
    ax.set_xticks([0.0, 2.5, 5.0])
    with pytest.raises(AssertionError, match="counts whole things"):
        check_index_axes_have_integer_ticks(_drawn(fig), "t")


# ------------------------------------------------------------------- one fixed-size widget

def test_clipping_widget_keeps_its_size_whatever_the_sliders_say(monkeypatch):
    """Lesson 04's clipping widget changed height with the sign of g_1."""
    pytest.importorskip("ipywidgets")
    shown = Shown()
    monkeypatch.setattr(plt, "show", shown)
    widget = viz.gradients.explore_clipping((4.0, 1.0), max_value=1.0, max_norm=1.5)
    sliders = {c.description: c for row in widget.children[:2] for c in row.children}
    sliders["g_1"].value = -4.0                        # the sign of g_1 changed the height
    sliders["g_2"].value = -6.0
    sliders["max_value"].value = 4.0
    assert len(shown.sizes) == 4
    assert len(set(shown.sizes)) == 1, f"the figure changed size: {sorted(set(shown.sizes))}"
