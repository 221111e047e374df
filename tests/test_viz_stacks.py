"""Tests for rnncourse.viz.stacks: what each BRNN direction reads, the tagging table,
deep-RNN parameter counts and depth cost, the BRNN and deep-RNN drawings and the
widgets of lessons 07-08."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnncourse.bidirectional import init_brnn_params  # noqa: E402
from rnncourse.deep import flatten_params, init_deep_rnn_params  # noqa: E402
from rnncourse.viz import stacks as vs  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# ------------------------------------------------------------------------------ brnn_reach

def test_brnn_reach_past_future_and_both():
    r = vs.brnn_reach(5, 3)
    np.testing.assert_array_equal(r.fwd, [True, True, True, False, False])
    np.testing.assert_array_equal(r.bwd, [False, False, True, True, True])
    assert r.y.all()
    ends = vs.brnn_reach(4, 1), vs.brnn_reach(4, 4)
    assert ends[0].fwd.sum() == 1 and ends[0].bwd.all()
    assert ends[1].fwd.all() and ends[1].bwd.sum() == 1


def test_brnn_reach_bad_steps():
    with pytest.raises(ValueError, match="brnn_reach: t must be between 1 and 4, got 5"):
        vs.brnn_reach(4, 5)
    with pytest.raises(ValueError, match="brnn_reach: t must be between 1 and 4, got 0"):
        vs.brnn_reach(4, 0)
    with pytest.raises(TypeError, match="brnn_reach: T_x must be an int, got bool"):
        vs.brnn_reach(True, 1)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("t", [1, 3, 6])
def test_measured_influence_is_zero_exactly_where_the_reach_says(cell, t):
    rng = np.random.default_rng(0)
    n_x, n_a, m, T = 3, 4, 2, 6
    params = init_brnn_params(n_x, n_a, 2, cell=cell, rng=rng)
    x = rng.standard_normal((n_x, m, T))
    a0 = rng.standard_normal((n_a, m))
    got = vs.brnn_input_influence(x, a0, a0, params, t, cell=cell)
    reach = vs.brnn_reach(T, t)
    for measured, used in ((got.fwd, reach.fwd), (got.bwd, reach.bwd)):
        assert np.all(measured[~used] == 0.0)
        assert np.all(measured[used] > 1e-6)
    np.testing.assert_allclose(got.y, got.fwd + got.bwd)


def test_measured_influence_of_the_forward_half_matches_a_finite_difference():
    from rnncourse.bidirectional import brnn_forward

    rng = np.random.default_rng(1)
    params = init_brnn_params(2, 3, None, rng=rng)
    x = rng.standard_normal((2, 1, 4))
    a0 = np.zeros((3, 1))
    got = vs.brnn_input_influence(x, a0, a0, params, 2)
    h, grad = 1e-6, np.zeros((2, 4))
    for i in range(2):
        for s in range(4):
            xp, xm = x.copy(), x.copy()
            xp[i, 0, s] += h
            xm[i, 0, s] -= h
            f = lambda z: brnn_forward(z, a0, a0, params, output=None)[0][:3, 0, 1].sum()  # noqa: E731
            grad[i, s] = (f(xp) - f(xm)) / (2 * h)
    np.testing.assert_allclose(got.fwd, np.linalg.norm(grad, axis=0), rtol=1e-6, atol=1e-9)


# --------------------------------------------------------------------------- tagging_table

def test_tagging_table_marks_wrong_tags():
    text = vs.tagging_table(["rose", "said", "hi"], np.array([1, 0, 0]),
                            np.array([0.3, 0.1, 0.2]), np.array([0.97, 0.02, 0.4]))
    lines = text.splitlines()
    assert len(lines) == 4 and "uni P(PER)" in lines[0] and "bi P(PER)" in lines[0]
    assert lines[1].startswith("rose") and "0.30 O *" in lines[1] and "0.97 PER" in lines[1]
    assert "*" not in lines[2] + lines[3]


@pytest.mark.parametrize("names", [("uni", "bi"), ("one-directional", "bidirectional")])
def test_tagging_table_headers_stand_over_their_columns(names):
    """Lesson 07's table had its headers off by one column's worth of padding."""
    text = vs.tagging_table(["rose", "said", "everyone"], np.array([1, 0, 0]),
                            np.array([0.3, 0.6, 0.2]), np.array([0.97, 0.02, 0.4]), names=names)
    header, *rows = text.splitlines()
    starts = [header.index(h) for h in ("word", "true", f"{names[0]} P(PER)", f"{names[1]} P(PER)")]
    for row in rows:
        for k, start in enumerate(starts):
            assert row[start] != " " and (start == 0 or row[start - 1] == " "), (k, row)
        values = [row[start:end].strip() for start, end in zip(starts, starts[1:] + [None])]
        assert values[2][:4].replace(".", "").isdigit() and values[3][:4].replace(".", "").isdigit()


def test_tagging_table_shape_mismatch():
    with pytest.raises(ValueError, match=r"tagging_table: p_bi must have shape \(T,\) = \(2,\)"):
        vs.tagging_table(["a", "b"], np.zeros(2), np.zeros(2), np.zeros(3))


# ------------------------------------------------------------------------------ deep RNNs

def test_specs_from_text():
    specs = vs.specs_from_text(" LSTM, bi-gru,rnn ", 8)
    assert specs == [{"cell": "lstm", "n_a": 8, "bidirectional": False},
                     {"cell": "gru", "n_a": 8, "bidirectional": True},
                     {"cell": "rnn", "n_a": 8, "bidirectional": False}]
    with pytest.raises(ValueError, match="specs_from_text: unknown layer 'cnn'"):
        vs.specs_from_text("lstm, cnn", 8)
    with pytest.raises(ValueError, match="name at least one layer"):
        vs.specs_from_text(" , ", 8)
    with pytest.raises(TypeError, match="text must be a str"):
        vs.specs_from_text(["lstm"], 8)
    with pytest.raises(ValueError, match="n_a'\\] must be at least 1"):
        vs.specs_from_text("rnn", 0)


@pytest.mark.parametrize("cell, k", [("rnn", 1), ("gru", 3), ("lstm", 4)])
def test_param_counts_follow_the_cell_formula(cell, k):
    n_x, n_a, n_y = 7, 5, 3
    specs = [{"cell": cell, "n_a": n_a}, {"cell": cell, "n_a": n_a, "bidirectional": True},
             {"cell": cell, "n_a": n_a}]
    rows = vs.deep_rnn_param_counts(n_x, specs, n_y, dense=[{"n": 6}])
    assert [r.name for r in rows] == ["recurrent 1", "recurrent 2", "recurrent 3", "dense 1", "output"]
    assert rows[0].count == k * n_a * (n_a + n_x + 1)
    assert rows[1].count == 2 * k * n_a * (n_a + n_a + 1) and rows[1].n_out == 2 * n_a
    assert rows[2].count == k * n_a * (n_a + 2 * n_a + 1)
    assert rows[3].count == 6 * (n_a + 1) and rows[4].count == n_y * (6 + 1)
    params = init_deep_rnn_params(n_x, specs, n_y, dense=[{"n": 6}], rng=3)
    assert sum(r.count for r in rows) == sum(v.size for v in flatten_params(params).values())


def test_deep_rnn_summary_total():
    specs = vs.specs_from_text("lstm, gru", 4)
    text = vs.deep_rnn_summary(3, specs, 2)
    total = sum(r.count for r in vs.deep_rnn_param_counts(3, specs, 2))
    assert text.splitlines()[-1].split()[1] == f"{total:,}"
    assert "lstm" in text and "output" in text and "in recurrent layers" in text


def test_measure_depth_cost_shapes_and_exact_parameter_growth():
    cost = vs.measure_depth_cost([1, 2, 3], n_a=4, n_x=3, n_y=2, m=2, T_x=3, repeats=2, rng=0)
    np.testing.assert_array_equal(cost.depths, [1, 2, 3])
    assert cost.times.shape == (3, 2) and np.all(cost.seconds > 0)
    per_layer = 4 * (4 + 4 + 1)                     # every layer above the first reads n_a units
    np.testing.assert_array_equal(np.diff(cost.n_params), [per_layer, per_layer])
    assert cost.n_params[0] == 4 * (4 + 3 + 1) + 2 * (4 + 1)
    with pytest.raises(ValueError, match="measure_depth_cost: repeats must be at least 1"):
        vs.measure_depth_cost([1], repeats=0)
    with pytest.raises(ValueError, match=r"depths\[i\] must be at least 1"):
        vs.measure_depth_cost([0])


# ------------------------------------------------------------------------------- drawings

def _texts(ax):
    return " ".join(t.get_text() for t in ax.texts)


def test_draw_brnn_rows_and_highlight():
    ax = vs.draw_brnn(4, tokens=["a", "b", "c", "d"])
    assert len(ax.patches) > 4 * 4                   # x, two cells and y_hat per step, + arrows
    assert "a_{fwd}" in _texts(ax) and "a_{bwd}" in _texts(ax) and "c" in _texts(ax)
    ax2 = vs.draw_brnn(4, t=2)
    faded = [p for p in ax2.patches if p.get_alpha() is not None and p.get_alpha() <= 0.12]
    assert len(faded) == 2 + 1                      # forward cells 3, 4; backward cell 1
    assert "what" in ax2.get_title()


def test_draw_brnn_bad_input():
    with pytest.raises(ValueError, match="draw_brnn: tokens must hold T_x = 3 words, got 2"):
        vs.draw_brnn(3, tokens=["a", "b"])
    with pytest.raises(ValueError, match="draw_brnn: T_x must be between 1 and 10"):
        vs.draw_brnn(11)


def test_draw_deep_rnn_grid():
    specs = vs.specs_from_text("lstm, bi-gru", 8)
    ax = vs.draw_deep_rnn(specs, T_x=3, dense=[{"n": 4}])
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(boxes) == 3 * (1 + 2 + 1 + 1)         # x, 2 recurrent, 1 dense, y_hat per step
    vertical = 3 * 4                                   # between the 5 rows of each column
    horizontal = 2 * 1 + 2 * 2                         # lstm one way, bi-gru both ways
    assert len(arrows) == vertical + horizontal
    assert "layer 2\nbi-GRU" in _texts(ax) and "dense 1" in _texts(ax)


def test_draw_deep_rnn_refuses_too_many_rows():
    with pytest.raises(ValueError, match="draw_deep_rnn: at most 10 layers"):
        vs.draw_deep_rnn([{"cell": "rnn", "n_a": 2}] * 11)


def test_plot_depth_cost_bars_are_the_counts():
    cost = vs.DepthCost(np.array([1, 2]), np.array([10, 30]), np.array([0.01, 0.02]),
                        np.array([[0.01, 0.012], [0.02, 0.019]]))
    left, right = vs.plot_depth_cost(cost)
    assert [p.get_height() for p in left.patches] == [10, 30]
    assert "30" in _texts(left)
    np.testing.assert_allclose(right.lines[0].get_ydata(), [10.0, 20.0])


def test_plot_tag_probabilities():
    ax = vs.plot_tag_probabilities(["x", "y", "z"], np.array([0.1, 0.2, 0.3]),
                                   np.array([0.9, 0.1, 0.1]), np.array([1, 0, 0]))
    heights = sorted(round(p.get_height(), 3) for p in ax.patches if p.get_height() < 1)
    assert heights == [0.1, 0.1, 0.1, 0.2, 0.3, 0.9]
    with pytest.raises(ValueError, match=r"y_true must have shape \(T,\) = \(3,\)"):
        vs.plot_tag_probabilities(["x", "y", "z"], np.zeros(3), np.zeros(3), np.zeros(2))


# -------------------------------------------------------------------------------- widgets

def test_explore_brnn_reach_renders_each_t(monkeypatch):
    seen = []
    real = vs.draw_brnn
    monkeypatch.setattr(vs, "draw_brnn", lambda *a, **k: seen.append(k["t"]) or real(*a, **k))
    widget = vs.explore_brnn_reach(5)
    slider = widget.children[0].children[0]
    assert (slider.min, slider.max) == (1, 5)
    slider.value = 4
    assert seen == [1, 4]


def test_explore_tagging_and_deep_rnn_widgets(monkeypatch):
    tables = []
    real = vs.tagging_table
    monkeypatch.setattr(vs, "tagging_table", lambda *a, **k: tables.append(a[0]) or real(*a, **k))
    y = np.array([[1, 0], [0, 0]])
    p = np.full((2, 2), 0.5)
    widget = vs.explore_tagging([["rose", "said"], ["hi", "there"]], y, p, p)
    widget.children[0].children[0].value = 1
    assert tables == [["rose", "said"], ["hi", "there"]]
    with pytest.raises(ValueError, match="explore_tagging: p_bi must have shape"):
        vs.explore_tagging([["a"]], np.zeros((1, 1)), np.zeros((1, 1)), np.zeros(1))

    drawn = []
    real_draw = vs.draw_deep_rnn
    monkeypatch.setattr(vs, "draw_deep_rnn", lambda specs, **k: drawn.append(len(specs)) or real_draw(specs, **k))
    widget = vs.explore_deep_rnn(5, 2, layers="rnn")
    text, n_a, dense = widget.children[0].children
    text.value = "lstm, bi-gru, rnn"
    text.value = "nope"                                # refused with a message, nothing drawn
    assert drawn == [1, 3]
