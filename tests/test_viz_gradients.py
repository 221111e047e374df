"""Figures and widgets of lessons 03-04: the pure functions behind them, and that the
drawings and widget builders run, return what they drew on and leave global state alone."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnncourse import viz  # noqa: E402
from rnncourse.optim import clip_by_norm, clip_by_value  # noqa: E402
from rnncourse.rnn import init_rnn_params, rnn_backward, rnn_cell_backward, rnn_forward  # noqa: E402
from rnncourse.vanishing import gradient_norm_by_distance, gradient_reach  # noqa: E402
from rnncourse.viz import gradients as vg  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def reach(rng):
    n_x, n_a, m, T = 3, 5, 2, 6
    params = init_rnn_params(n_x, n_a, None, rng=rng)
    x = rng.standard_normal((n_x, m, T))
    a, _, _ = rnn_forward(x, np.zeros((n_a, m)), params, output=None)
    return gradient_reach(rng.standard_normal((n_a, m, T)), a, params["Waa"])


# --- the computation graph ----------------------------------------------------------------

@pytest.mark.parametrize("T_x", [1, 3, 7])
def test_graph_counts_and_edges(T_x):
    g = vg.bptt_graph(T_x)
    assert len(g.nodes) == 4 * T_x + 2            # x, a, y_hat, L per step, plus a0 and L
    assert len(g.forward) == 5 * T_x and len(g.backward) == 4 * T_x
    assert len(set(g.nodes.values())) == len(g.nodes)   # no two nodes on the same spot
    for src, dst in g.forward + g.backward:
        assert src in g.nodes and dst in g.nodes
    # backward edges are forward edges reversed, and none goes into an input
    assert {(d, s) for s, d in g.backward} <= set(g.forward)
    assert not any(dst.startswith("x") for _, dst in g.backward)
    assert ("a1", "a0") in g.backward and (f"L{T_x}", "L") in g.forward


def test_loss_reaches_its_own_step_and_earlier_ones_only():
    T_x = 5
    for t in range(1, T_x + 1):
        r = vg.reached_by_loss(t, T_x)
        steps = {int(n[1:]) for n in r.nodes if n.startswith("a")}
        assert steps == set(range(0, t + 1))
        assert {n for n in r.nodes if n.startswith("x")} == {f"x{s}" for s in range(1, t + 1)}
        assert f"L{t}" in r.nodes and f"yhat{t}" in r.nodes
        assert not any(n in r.nodes for n in ("L", f"L{t + 1}", f"a{t + 1}"))
        assert r.edges <= set(vg.bptt_graph(T_x).backward)
        assert len(r.edges) == t + 2      # L<t> -> y_hat<t> -> a<t>, then t recurrent edges


@pytest.mark.parametrize("t, T_x, error", [(0, 4, ValueError), (5, 4, ValueError),
                                           (2.0, 4, TypeError), (1, 0, ValueError)])
def test_reached_by_loss_bad_input(t, T_x, error):
    with pytest.raises(error, match="reached_by_loss"):
        vg.reached_by_loss(t, T_x)


def test_draw_graph_returns_the_axes_it_drew_on():
    fig, ax = plt.subplots()
    assert vg.draw_bptt_graph(3, ax=ax) is ax
    assert len(ax.patches) == len(vg.bptt_graph(3).nodes) + 5 * 3 + 4 * 3   # boxes + arrows
    ax2 = vg.draw_bptt_graph(4, loss_step=2, strengths=[0.25, 1.0])
    assert "0.25" in [t.get_text() for t in ax2.texts]
    with pytest.raises(ValueError, match=r"draw_bptt_graph: strengths must have shape"):
        vg.draw_bptt_graph(4, loss_step=2, strengths=[1.0])
    with pytest.raises(ValueError, match="need a loss_step"):
        vg.draw_bptt_graph(4, strengths=[1.0])


def test_drawings_leave_rcparams_alone(reach):
    before = dict(matplotlib.rcParams)
    vg.draw_bptt_graph(4, loss_step=4)
    vg.plot_reach(reach, 3)
    vg.plot_norm_by_distance({"r": np.array([1.0, 0.5, 0.25])})
    vg.plot_clipping((3.0, 1.0), max_value=1.0, max_norm=1.0)
    vg.plot_training_curves({"run": np.array([3.0, 2.0, np.nan])})
    vg.plot_step_contributions(np.ones((3, 2, 2)))
    assert dict(matplotlib.rcParams) == before


# --- reach (lesson 03 widget) ----------------------------------------------------------------

def test_reach_view_normalises_row_t(reach):
    T_x = reach.shape[0]
    for t in range(1, T_x + 1):
        view = vg.reach_view(reach, t)
        np.testing.assert_array_equal(view.norms, reach[t - 1])
        assert np.all(view.norms[t:] == 0)
        assert view.relative.shape == (t,) and view.relative[-1] == pytest.approx(1.0)
        np.testing.assert_allclose(view.relative, reach[t - 1, :t] / reach[t - 1, t - 1])
        assert f"L<{t}>" in view.text
    assert "not a<4>" in vg.reach_view(reach, 3).text
    assert f"{vg.reach_view(reach, 3).relative[0]:.2g}" in vg.reach_view(reach, 3).text


def test_reach_view_divides_by_the_own_step_even_when_earlier_steps_are_larger():
    # an exploding gradient: the far steps outweigh a<t> itself
    reach = np.array([[1.0, 0.0, 0.0], [4.0, 2.0, 0.0], [9.0, 3.0, 0.5]])
    view = vg.reach_view(reach, 3)
    np.testing.assert_allclose(view.relative, [9.0 / 0.5, 3.0 / 0.5, 1.0])
    assert "18 times its size at a<3>" in view.text


def test_reach_view_bad_input(reach):
    with pytest.raises(ValueError, match=r"reach_view: reach must be a square"):
        vg.reach_view(reach[:3], 1)
    with pytest.raises(ValueError, match=r"reach_view: t must be a step in 1 ... T_x = 6"):
        vg.reach_view(reach, 7)


def test_plot_reach_greys_out_later_steps(reach):
    ax = vg.plot_reach(reach, 2)
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == reach.shape[0]
    np.testing.assert_allclose(heights[:2], reach[1, :2])
    assert heights[2:] == [0.0] * (reach.shape[0] - 2)


def test_step_contributions_running_sum_ends_on_the_total(rng):
    n_x, n_a, m, T = 2, 3, 4, 5
    params = init_rnn_params(n_x, n_a, None, rng=rng)
    x = rng.standard_normal((n_x, m, T))
    _, _, caches = rnn_forward(x, rng.standard_normal((n_a, m)), params, output=None)
    da = rng.standard_normal((n_a, m, T))
    total = rnn_backward(da, caches)["dWaa"]
    terms, da_prev = [], np.zeros((n_a, m))
    for t in reversed(range(T)):
        step = rnn_cell_backward(da[:, :, t] + da_prev, caches.cells[t])
        terms.insert(0, step["dWaa"])
        da_prev = step["da_prev"]
    ax = vg.plot_step_contributions(np.stack(terms), total=total)
    running = ax.lines[0].get_ydata()
    assert running[-1] == pytest.approx(np.linalg.norm(total), rel=1e-12)
    assert ax.lines[1].get_ydata()[0] == pytest.approx(np.linalg.norm(total), rel=1e-12)
    with pytest.raises(ValueError, match="plot_step_contributions: contributions"):
        vg.plot_step_contributions(np.zeros((0, 2)))


# --- vanishing (lesson 04 widget) --------------------------------------------------------------

def test_vanishing_view_is_the_library_measurement():
    view = vg.vanishing_view(0.7, 20, seed=3, input_scale=0.5)
    expected = gradient_norm_by_distance(0.7, 20, rng=3, n_a=32, input_scale=0.5)
    np.testing.assert_array_equal(view.ratio, expected)
    np.testing.assert_allclose(view.reference, 0.7 ** np.arange(20))
    np.testing.assert_array_equal(view.distance, np.arange(20))
    assert f"{expected[-1]:.2e}" in view.text and f"{0.7 ** 19:.2e}" in view.text
    # the same sliders give the same curve
    np.testing.assert_array_equal(vg.vanishing_view(0.7, 20, seed=3).ratio, view.ratio)


def test_vanishing_view_reports_overflow_without_warnings():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # zero inputs keep the state at 0 (linear regime), so the norm grows as 20 ** d
        view = vg.vanishing_view(20.0, 300, input_scale=0.0)
    assert not np.isfinite(view.ratio[-1]) and "overflowed" in view.text


def test_plot_norm_by_distance_marks_overflow():
    ax = vg.plot_norm_by_distance({"grows": np.array([1.0, 1e3, 1e300, np.inf, np.nan]),
                                   "fades": np.array([1.0, 0.1, 0.0])},
                                  reference={"ref": np.array([1.0, 0.5, 0.25])})
    assert [t.get_text() for t in ax.texts] == ["overflow"]
    grows = ax.lines[0]
    assert list(grows.get_xdata()) == [0, 1, 2]                 # stops before inf
    np.testing.assert_allclose(grows.get_ydata(), [0.0, 3.0, 300.0])   # log10 of the values
    assert ax.yaxis.get_major_formatter()(300.0, 0) == "$10^{300}$"
    low, high = ax.get_ylim()
    assert low <= -1 and high >= 300                            # whole decades around the data
    assert list(ax.lines[2].get_xdata()) == [0, 1]               # zero (underflow) not drawn


def test_plot_norm_by_distance_shows_curves_up_to_the_largest_float64():
    """Lesson 04's rho = 3 float64 panel: matplotlib's log autoscale showed 1 ... 10 and no curve."""
    import warnings

    with np.errstate(over="ignore"):
        curve = 3.0 ** np.arange(700.0)                         # inf from distance 646 on
    ax = vg.plot_norm_by_distance({"float64": curve})
    low, high = ax.get_ylim()
    assert low <= 0.0 and high >= np.log10(np.finfo(np.float64).max)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax.figure.savefig(io.BytesIO(), format="png")           # draws without overflow
    ax = vg.plot_norm_by_distance({"r": np.array([1.0, 0.5, np.inf])}, distances=[0, 5, 10])
    assert list(ax.lines[0].get_xdata()) == [0.0, 5.0] and list(ax.lines[1].get_xdata()) == [10.0]
    with pytest.raises(ValueError, match="plot_norm_by_distance: distances must have the shape"):
        vg.plot_norm_by_distance({"r": np.ones(3)}, distances=[0, 1])


# --- clipping -----------------------------------------------------------------------------------

@pytest.mark.parametrize("g", [(4.0, 1.0), (-3.0, 2.5), (0.5, -6.0)])
def test_clip_view_matches_optim_and_only_by_value_turns(g):
    view = vg.clip_view(g, max_value=1.0, max_norm=1.5)
    np.testing.assert_array_equal(view.by_value, clip_by_value({"g": np.array(g)}, 1.0)["g"])
    np.testing.assert_array_equal(view.by_norm, clip_by_norm({"g": np.array(g)}, 1.5)["g"])
    assert view.angle_norm == pytest.approx(0.0, abs=1e-6)
    assert np.linalg.norm(view.by_norm) == pytest.approx(1.5)
    assert view.angle_value > 1.0


def test_clip_view_small_or_diagonal_gradients_keep_direction():
    small = vg.clip_view((0.3, -0.4), max_value=1.0, max_norm=1.0)
    np.testing.assert_array_equal(small.by_value, small.g)
    np.testing.assert_array_equal(small.by_norm, small.g)
    diagonal = vg.clip_view((5.0, 5.0), max_value=1.0, max_norm=1.0)   # both cut equally
    assert diagonal.angle_value == pytest.approx(0.0, abs=1e-6)


def test_clip_view_bad_input():
    with pytest.raises(ValueError, match=r"clip_view: g must have shape \(2,\)"):
        vg.clip_view((1.0, 2.0, 3.0), max_value=1.0, max_norm=1.0)
    with pytest.raises(ValueError, match="clip_by_value: max_value"):
        vg.clip_view((1.0, 2.0), max_value=-1.0, max_norm=1.0)


def test_plot_clipping_shows_box_circle_and_three_arrows():
    fig, ax = plt.subplots()
    assert vg.plot_clipping((4.0, 1.0), max_value=1.0, max_norm=2.0, ax=ax) is ax
    labels = ax.get_legend_handles_labels()[1]
    assert any(label.startswith("by value (turned") for label in labels)
    assert "by norm (turned 0 deg)" in labels
    x0, x1 = ax.get_xlim()
    assert x0 < -2.0 and x1 > 4.0     # the circle and the gradient both fit


def test_training_curves_mark_the_first_nan():
    ax = vg.plot_training_curves({"no clipping": np.array([2.0, 5.0, np.inf, np.nan]),
                                  "clipped": np.array([2.0, 1.5, 1.2, 1.0])}, log=True)
    assert [t.get_text() for t in ax.texts] == ["NaN/inf at step 3"]
    assert ax.get_yscale() == "log"


# --- widget builders ----------------------------------------------------------------------------

def test_explore_reach_updates_its_sentence(reach):
    import ipywidgets as widgets

    box = vg.explore_reach(reach)
    assert isinstance(box, widgets.VBox)
    slider, label = box.children[0], box.children[1]
    assert slider.max == reach.shape[0]
    slider.value = 2
    assert label.value == vg.reach_view(reach, 2).text


def test_explore_vanishing_updates_its_sentence():
    box = vg.explore_vanishing(max_length=30)
    rho, length, kind = box.children[0].children
    rho.value = 0.5
    length.value = 12
    assert box.children[1].value == vg.vanishing_view(0.5, 12, input_scale=0.5).text
    kind.value = "gaussian"
    assert box.children[1].value == vg.vanishing_view(0.5, 12, input_scale=0.5,
                                                      kind="gaussian").text


def test_explore_clipping_updates_its_sentence():
    box = vg.explore_clipping((4.0, 1.0))
    g1, g2 = box.children[0].children
    g2.value = 0.0
    assert "turned 0.0 deg;  by norm" in box.children[2].value   # along an axis nothing turns


def test_lazy_package_exposes_the_functions():
    assert viz.draw_bptt_graph is vg.draw_bptt_graph
    assert viz.explore_vanishing is vg.explore_vanishing
