"""Tests for rnncourse.viz.explorers: the pure functions behind the widgets of lessons 00-02."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnncourse.architectures import encoder_decoder_forward, many_to_one_forward  # noqa: E402
from rnncourse.rnn import init_rnn_params, rnn_cell_forward, rnn_forward  # noqa: E402
from rnncourse.viz import diagrams, explorers  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def toy(n_x=3, n_a=5, n_y=4, m=3, T=6, seed=0):
    rng = np.random.default_rng(seed)
    params = init_rnn_params(n_x, n_a, n_y, rng=rng)
    params["ba"] = 0.1 * rng.standard_normal((n_a, 1))
    params["by"] = 0.1 * rng.standard_normal((n_y, 1))
    return rng.standard_normal((n_x, m, T)), 0.3 * rng.standard_normal((n_a, m)), params


def controls(widget):
    """The control widgets of a builder's VBox, by description."""
    row = widget.children[0]
    return {c.description: c for c in row.children}


# ----------------------------------------------------------------------------- lesson 00

def test_scaled_recurrence_states_scale_one_is_rnn_forward():
    x, a0, params = toy()
    a = explorers.scaled_recurrence_states(x, a0, params, 1.0)
    np.testing.assert_allclose(a, rnn_forward(x, a0, params, output=None)[0], atol=1e-14)


def test_scaled_recurrence_states_scale_zero_has_no_memory():
    x, a0, params = toy()
    before = {k: v.copy() for k, v in params.items()}
    a = explorers.scaled_recurrence_states(x, a0, params, 0.0)
    # each step depends on its own input only: shuffling time shuffles the states
    order = np.array([3, 0, 5, 1, 4, 2])
    a_shuffled = explorers.scaled_recurrence_states(x[:, :, order], a0, params, 0.0)
    np.testing.assert_allclose(a_shuffled, a[:, :, order], atol=1e-14)
    assert all(np.array_equal(params[k], before[k]) for k in params)   # caller's Waa untouched
    with pytest.raises(TypeError, match=r"scaled_recurrence_states: scale must be a finite number, got nan"):
        explorers.scaled_recurrence_states(x, a0, params, float("nan"))


def test_explore_hidden_states_controls():
    x, a0, params = toy()
    widget = explorers.explore_hidden_states(x, a0, params)
    c = controls(widget)
    assert set(c) == {"example", "W_aa scale"}
    assert (c["example"].min, c["example"].max) == (0, 2)
    c["W_aa scale"].value = 0.0          # re-renders without error
    c["example"].value = 2
    with pytest.raises(ValueError, match=r"scaled_recurrence_states: a0 must have shape"):
        explorers.explore_hidden_states(x, a0[:, :1], params)


# ----------------------------------------------------------------------------- lesson 01

def test_applications_cover_the_syllabus_with_valid_types():
    names = [app.name for app in explorers.APPLICATIONS]
    assert names == ["speech recognition", "music generation", "sentiment classification",
                     "DNA sequence analysis", "machine translation", "video activity recognition",
                     "named entity recognition"]
    assert all(app.kind in diagrams.RNN_TYPES for app in explorers.APPLICATIONS)
    # the shapes agree with the type: one output step for many-to-one, T_x outputs for many-to-many
    for app in explorers.APPLICATIONS:
        if app.kind == "many-to-one":
            assert app.x_shape.endswith("T_x)") and app.y_shape == "(n_y, m)"
        if app.kind == "many-to-many":
            assert app.y_shape.endswith("T_x)")
        if app.kind == "encoder-decoder":
            assert app.x_shape.endswith("T_x)") and app.y_shape.endswith("T_y)")
        if app.kind == "one-to-many":
            assert app.x_shape == "(n_x, m)" and app.y_shape.endswith("T_y)")


@pytest.mark.parametrize("kind,expected", [
    ("one-to-one", (1, 1)), ("one-to-many", (1, 5)), ("many-to-one", (3, 1)),
    ("many-to-many", (3, 3)), ("encoder-decoder", (3, 5)),
])
def test_type_lengths(kind, expected):
    assert explorers.type_lengths(kind, 3, 5) == expected


def test_type_lengths_bad_kind():
    with pytest.raises(ValueError, match=r"type_lengths: kind must be one of"):
        explorers.type_lengths("many-to-few", 3, 5)


@pytest.mark.parametrize("kind,x_shape,y_shape", [
    ("one-to-one", (3, 2), (2, 2)),
    ("one-to-many", (3, 2), (3, 2, 5)),     # n_y = n_x: predictions are fed back
    ("many-to-one", (3, 2, 4), (2, 2)),
    ("many-to-many", (3, 2, 4), (2, 2, 4)),
    ("encoder-decoder", (3, 2, 4), (2, 2, 5)),
])
def test_run_rnn_type_shapes(kind, x_shape, y_shape):
    run = explorers.run_rnn_type(kind, T_x=4, T_y=5, rng=1)
    assert run.x.shape == x_shape and run.y_hat.shape == y_shape
    again = explorers.run_rnn_type(kind, T_x=4, T_y=5, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(run.y_hat, again.y_hat)


def test_run_rnn_type_uses_the_library_functions():
    # replay the same draws and call the library directly
    run = explorers.run_rnn_type("many-to-one", T_x=4, rng=3)
    rng = np.random.default_rng(3)
    params = init_rnn_params(3, 5, 2, rng=rng)
    x = rng.standard_normal((3, 2, 4))
    np.testing.assert_array_equal(run.x, x)
    np.testing.assert_allclose(run.y_hat, many_to_one_forward(x, np.zeros((5, 2)), params)[0], atol=0)

    run = explorers.run_rnn_type("encoder-decoder", T_x=4, T_y=2, rng=3)
    rng = np.random.default_rng(3)
    enc = init_rnn_params(3, 5, 2, rng=rng)
    x = rng.standard_normal((3, 2, 4))
    dec = init_rnn_params(2, 5, 2, rng=rng)
    np.testing.assert_allclose(run.y_hat, encoder_decoder_forward(x, np.zeros((5, 2)), enc, dec, 2), atol=0)

    run = explorers.run_rnn_type("one-to-many", T_y=6, rng=3)
    np.testing.assert_array_equal(run.y_hat.sum(axis=0), 1.0)          # one-hot samples


def test_explore_rnn_types_controls_and_update(capsys):
    widget = explorers.explore_rnn_types()
    c = controls(widget)
    assert set(c) == {"application", "T_x", "T_y"}
    assert len(c["application"].options) == len(explorers.APPLICATIONS) + 1
    capsys.readouterr()
    c["application"].value = explorers.APPLICATIONS[2]                   # sentiment
    out = capsys.readouterr().out
    assert "type many-to-one" in out and "y_hat (2, 2)" in out


# ----------------------------------------------------------------------------- lesson 02

@pytest.mark.parametrize("t", [1, 3, 6])
def test_forward_trace_matches_rnn_forward(t):
    x, a0, params = toy()
    trace = explorers.forward_trace(x, a0, params, t)
    a, y_hat, _ = rnn_forward(x, a0, params)
    np.testing.assert_allclose(trace.a, a[:, :, :t], atol=1e-14)
    np.testing.assert_allclose(trace.y_hat, y_hat[:, :, :t], atol=1e-14)
    np.testing.assert_allclose(trace.a_next, a[:, :, t - 1], atol=1e-14)
    np.testing.assert_allclose(trace.a_prev, a0 if t == 1 else a[:, :, t - 2], atol=1e-14)
    np.testing.assert_array_equal(trace.x_t, x[:, :, t - 1])
    # the stacked pre-activation is what tanh turned into a<t>
    np.testing.assert_allclose(np.tanh(trace.z_t), trace.a_next, atol=1e-14)
    np.testing.assert_allclose(trace.y_hat_t, rnn_cell_forward(trace.x_t, trace.a_prev, params)[1], atol=1e-14)
    assert trace.t == t


def test_forward_trace_sigmoid_and_bad_step():
    x, a0, params = toy()
    trace = explorers.forward_trace(x, a0, params, 2, output="sigmoid")
    np.testing.assert_allclose(trace.y_hat, rnn_forward(x, a0, params, output="sigmoid")[1][:, :, :2])
    with pytest.raises(ValueError, match=r"forward_trace: t must be between 1 and 6, got 0"):
        explorers.forward_trace(x, a0, params, 0)
    with pytest.raises(ValueError, match=r"forward_trace: params is missing 'by'"):
        explorers.forward_trace(x, a0, {k: v for k, v in params.items() if k != "by"}, 1)


def test_forward_summary_prints_rounded_values_of_one_example():
    x, a0, params = toy()
    trace = explorers.forward_trace(x, a0, params, 3)
    text = explorers.forward_summary(trace, example=1)
    lines = text.splitlines()
    assert lines[0] == "step t = 3, example 1"
    assert lines[1].startswith("a<2>") and lines[2].startswith("x<3>") and lines[4].startswith("y_hat<3>")
    printed = np.array([float(v) for v in lines[3].split("=")[-1].strip(" []").split(",")])
    np.testing.assert_allclose(printed, trace.a_next[:, 1], atol=5e-4)
    assert f"most likely class: {int(trace.y_hat_t[:, 1].argmax())}" in lines[4]
    with pytest.raises(ValueError, match=r"forward_summary: example must be between 0 and 2, got 3"):
        explorers.forward_summary(trace, example=3)


def test_draw_forward_trace_panels():
    x, a0, params = toy()
    trace = explorers.forward_trace(x, a0, params, 2)
    ax_net, ax_heat, ax_a, ax_y = explorers.draw_forward_trace(trace, 6, example=1)
    assert sum(1 for p in ax_net.patches if p.get_alpha() == 0.3) > 0   # steps 3..6 faded
    heat = ax_heat.images[0].get_array()
    np.testing.assert_allclose(heat[:, :2], trace.a[:, 1, :])
    assert heat.mask[:, 2:].all()
    np.testing.assert_allclose([b.get_width() for b in ax_a.containers[0]], trace.a_next[:, 1])
    np.testing.assert_allclose([b.get_height() for b in ax_y.patches], trace.y_hat_t[:, 1])
    with pytest.raises(ValueError, match=r"draw_forward_trace: T_x must be between 2"):
        explorers.draw_forward_trace(trace, 1)


def test_explore_forward_controls_and_update(capsys):
    x, a0, params = toy()
    widget = explorers.explore_forward(x, a0, params)
    c = controls(widget)
    assert (c["t"].min, c["t"].max, c["t"].value) == (1, 6, 1)
    assert (c["example"].min, c["example"].max) == (0, 2)
    capsys.readouterr()
    c["t"].value = 4
    out = capsys.readouterr().out
    assert "step t = 4, example 0" in out
    with pytest.raises(ValueError, match=r"forward_trace: x must be 3-D"):
        explorers.explore_forward(x[:, :, 0], a0, params)
