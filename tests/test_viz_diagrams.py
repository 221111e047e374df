"""Tests for rnncourse.viz (package helpers) and rnncourse.viz.diagrams."""

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

from rnncourse import viz  # noqa: E402
from rnncourse.rnn import init_rnn_params, rnn_forward  # noqa: E402
from rnncourse.viz import diagrams, notation  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def texts(ax):
    return [t.get_text() for t in ax.texts]


def boxes(ax):
    return [p for p in ax.patches if isinstance(p, FancyBboxPatch)]


def arrows(ax):
    return [p for p in ax.patches if isinstance(p, FancyArrowPatch)]


# ----------------------------------------------------------------------------- package

def test_importing_viz_or_the_numeric_core_does_not_import_matplotlib():
    code = ("import sys, rnncourse.viz, rnncourse.rnn, rnncourse.architectures; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_lazy_attributes_resolve_to_submodule_functions():
    assert viz.draw_unrolled_rnn is diagrams.draw_unrolled_rnn
    assert viz.diagrams is diagrams
    assert "draw_rnn_types" in diagrams.__all__
    with pytest.raises(AttributeError, match="has no attribute 'no_such_plot'"):
        viz.no_such_plot


def test_every_submodule_name_resolves_once():
    import importlib

    owners = {}
    for sub in viz._SUBMODULES:
        module = importlib.import_module(f"rnncourse.viz.{sub}")
        for name in module.__all__:
            assert name not in owners, f"{name} is exported by both viz.{owners[name]} and viz.{sub}"
            owners[name] = sub
            assert getattr(viz, name) is getattr(module, name)
    assert {"diagrams", "explorers"} <= set(viz._SUBMODULES)


def test_notation_labels():
    assert notation("x", 3) == r"$x^{\langle 3 \rangle}$"
    assert notation("y_hat", "T_y") == r"$\hat{y}^{\langle T_y \rangle}$"
    assert notation("a") == "$a$"


def test_get_axes_reuses_the_given_axes():
    _, ax = plt.subplots()
    assert viz.get_axes(ax) is ax
    assert viz.get_axes(None) is not ax


def test_drawings_leave_rcparams_alone():
    before = dict(matplotlib.rcParams)
    diagrams.draw_unrolled_rnn(3)
    diagrams.draw_rnn_types()
    diagrams.draw_rnn_cell()
    a = np.random.default_rng(0).uniform(-1, 1, (4, 2, 5))
    diagrams.plot_hidden_states(a)
    assert dict(matplotlib.rcParams) == before


# ----------------------------------------------------------------------------- unrolled network

@pytest.mark.parametrize("T_x", [1, 4, 7])
def test_unrolled_rnn_draws_one_box_per_step_with_course_labels(T_x):
    _, ax = plt.subplots()
    assert diagrams.draw_unrolled_rnn(T_x, ax=ax) is ax
    assert len(boxes(ax)) == T_x
    # x<t> in, y_hat<t> out, a<0> in, a<t> between cells
    assert len(arrows(ax)) == T_x + T_x + 1 + (T_x - 1)
    labels = texts(ax)
    for t in range(1, T_x + 1):
        assert notation("x", t) in labels and notation("y_hat", t) in labels
    for t in range(T_x):
        assert notation("a", t) in labels
    assert notation("a", T_x) not in labels
    assert any("same" in s and "W_{aa}" in s for s in labels)


def test_unrolled_rnn_without_outputs_and_with_highlight():
    ax = diagrams.draw_unrolled_rnn(5, outputs=False, show_params=False)
    assert not any("hat{y}" in s for s in texts(ax))
    assert len(arrows(ax)) == 5 + 1 + 4
    ax = diagrams.draw_unrolled_rnn(5, highlight=2)
    faded = [b for b in boxes(ax) if b.get_alpha() == 0.3]
    assert len(faded) == 3          # steps 3, 4, 5 not computed yet


def test_unrolled_rnn_bad_arguments():
    with pytest.raises(ValueError, match=r"draw_unrolled_rnn: T_x must be between 1 and 10, got 0"):
        diagrams.draw_unrolled_rnn(0)
    with pytest.raises(TypeError, match=r"draw_unrolled_rnn: T_x must be an int, got float"):
        diagrams.draw_unrolled_rnn(2.5)
    with pytest.raises(ValueError, match=r"draw_unrolled_rnn: highlight must be between 1 and 3, got 4"):
        diagrams.draw_unrolled_rnn(3, highlight=4)


# ----------------------------------------------------------------------------- RNN types

@pytest.mark.parametrize("kind,T_x,T_y,n_cells,n_x,n_y", [
    ("one-to-one", None, None, 1, 1, 1),
    ("one-to-many", None, 5, 5, 5, 5),        # the first input, then 4 fed-back predictions
    ("many-to-one", 6, None, 6, 6, 1),
    ("many-to-many", 3, 3, 3, 3, 3),
    ("encoder-decoder", 4, 2, 6, 6, 2),       # 4 inputs + "0" + 1 fed-back prediction
])
def test_rnn_type_diagrams(kind, T_x, T_y, n_cells, n_x, n_y):
    ax = diagrams.draw_rnn_type(kind, T_x=T_x, T_y=T_y)
    assert len(boxes(ax)) == n_cells
    labels = texts(ax)
    # inputs and outputs are the labels below (y < 0) and above (y > 0.5) the cells
    below = [t for t in ax.texts if t.get_position()[1] < -1]
    above = [t for t in ax.texts if t.get_position()[1] > 1]
    assert len(below) == n_x and len(above) == n_y
    assert all("hat{y}" in t.get_text() for t in above)
    assert ax.get_title() == diagrams._TITLES[kind]
    if kind in ("one-to-many", "encoder-decoder"):
        dashed = [a for a in arrows(ax) if a.get_linestyle() == "--"]
        assert len(dashed) == (T_y - 1)
    if kind == "encoder-decoder":
        assert labels.count("enc") == T_x and labels.count("dec") == T_y
        assert notation("a", "T_x") in labels


def test_rnn_type_lengths_are_checked():
    with pytest.raises(ValueError, match=r"draw_rnn_type: kind must be one of 'one-to-one'"):
        diagrams.draw_rnn_type("two-to-two")
    with pytest.raises(ValueError, match=r"a many-to-one network has T_y = 1, got T_y = 3"):
        diagrams.draw_rnn_type("many-to-one", T_y=3)
    with pytest.raises(ValueError, match=r"a one-to-many network has T_x = 1, got T_x = 2"):
        diagrams.draw_rnn_type("one-to-many", T_x=2)
    with pytest.raises(ValueError, match=r"use kind='encoder-decoder' for T_x != T_y"):
        diagrams.draw_rnn_type("many-to-many", T_x=3, T_y=4)


def test_all_rnn_types_figure():
    axes = diagrams.draw_rnn_types()
    assert [ax.get_title() for ax in axes] == [diagrams._TITLES[k] for k in diagrams.RNN_TYPES]
    fig, given = plt.subplots(1, 5)
    assert diagrams.draw_rnn_types(given) == list(given)
    with pytest.raises(ValueError, match=r"draw_rnn_types: axes must hold 5 Axes, got 2"):
        diagrams.draw_rnn_types(given[:2])


# ----------------------------------------------------------------------------- the cell

def test_rnn_cell_diagram_names_every_piece():
    ax = diagrams.draw_rnn_cell()
    labels = texts(ax)
    for piece in ("tanh", "softmax", "rnn_cell_forward", notation("a", "t-1"), notation("x", "t"),
                  notation("a", "t"), notation("y_hat", "t")):
        assert piece in labels, piece
    assert any(r"\tanh(W_a[" in s for s in labels)
    ax = diagrams.draw_rnn_cell(output=None)
    assert "softmax" not in texts(ax) and notation("y_hat", "t") not in texts(ax)
    ax = diagrams.draw_rnn_cell(output="sigmoid")
    assert "sigmoid" in texts(ax)
    with pytest.raises(ValueError, match=r"draw_rnn_cell: output must be"):
        diagrams.draw_rnn_cell(output="relu")


# ----------------------------------------------------------------------------- hidden states

def toy_states(T=9, n_a=5, m=3):
    rng = np.random.default_rng(1)
    params = init_rnn_params(2, n_a, None, rng=rng)
    a, _, _ = rnn_forward(rng.standard_normal((2, m, T)), np.zeros((n_a, m)), params, output=None)
    return a


def test_hidden_state_heatmap_shows_one_example():
    a = toy_states()
    ax = diagrams.plot_hidden_states(a, example=2)
    (image,) = ax.images
    np.testing.assert_array_equal(image.get_array(), a[:, 2, :])
    assert image.get_clim() == (-1.0, 1.0)
    assert [t.get_text() for t in ax.get_xticklabels()][:3] == ["1", "2", "3"]
    assert len(ax.figure.axes) == 2     # the heatmap and its colour bar


def test_hidden_state_heatmap_upto_masks_later_steps():
    a = toy_states()
    ax = diagrams.plot_hidden_states(a, upto=4, colorbar=False)
    data = ax.images[0].get_array()
    assert not data.mask[:, :4].any() and data.mask[:, 4:].all()
    assert len(ax.figure.axes) == 1


def test_hidden_state_heatmap_bad_arguments():
    a = toy_states()
    with pytest.raises(ValueError, match=r"plot_hidden_states: example must be an int in \[0, m\) = \[0, 3\), got 3"):
        diagrams.plot_hidden_states(a, example=3)
    with pytest.raises(ValueError, match=r"plot_hidden_states: a must be 3-D"):
        diagrams.plot_hidden_states(a[:, 0, :])
    with pytest.raises(ValueError, match=r"plot_hidden_states: upto must be between 1 and 9, got 10"):
        diagrams.plot_hidden_states(a, upto=10)


# ----------------------------------------------------------------------------- W_a stacking

def test_weight_stacking_shows_W_a_and_the_stacked_column():
    rng = np.random.default_rng(4)
    p = init_rnn_params(3, 4, None, rng=rng)
    a_prev, x_t = rng.standard_normal((4, 2)), rng.standard_normal((3, 2))
    ax_v, ax_w = diagrams.draw_weight_stacking(p["Waa"], p["Wax"], a_prev, x_t, example=1)
    np.testing.assert_array_equal(ax_w.images[0].get_array(), np.hstack([p["Waa"], p["Wax"]]))
    np.testing.assert_array_equal(ax_v.images[0].get_array()[0], np.concatenate([a_prev[:, 1], x_t[:, 1]]))
    assert ax_w.lines[0].get_xdata()[0] == 3.5    # the border between W_aa and W_ax
    with pytest.raises(ValueError, match=r"draw_weight_stacking: Wax must have shape \(n_a, n_x\) = \(4, 3\), got \(5, 3\)"):
        diagrams.draw_weight_stacking(p["Waa"], np.zeros((5, 3)), a_prev, x_t)
