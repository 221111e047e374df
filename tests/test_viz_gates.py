"""Tests for rnncourse.viz.gates: gate values out of caches, the gate explorer's pure
function, the plots it draws and the GRU / LSTM cell diagrams (lessons 05-06)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnncourse.data import agreement_task  # noqa: E402
from rnncourse.gru import gru_cell_forward, gru_forward, init_gru_params  # noqa: E402
from rnncourse.lstm import init_lstm_params, lstm_cell_forward, lstm_forward  # noqa: E402
from rnncourse.viz import gates as vg  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def gru_run(m=3, T=6, n_a=4, seed=0):
    rng = np.random.default_rng(seed)
    data = agreement_task(m, T - 2, rng=rng)
    params = init_gru_params(data.x.shape[0], n_a, None, rng=rng)
    params["bu"] = 0.5 * rng.standard_normal((n_a, 1))
    _, _, caches = gru_forward(data.x, np.zeros((n_a, m)), params, output=None)
    return data, params, caches


def toy_gates(n_a=3, m=2, T=5, peak=(3, 1)):
    """Gamma_u flat at 0.2 except one step per example; Gamma_r random."""
    rng = np.random.default_rng(1)
    u = np.full((n_a, m, T), 0.2)
    for i, t in enumerate(peak):
        u[:, i, t] = 0.9
    return {"Gamma_u": u, "Gamma_r": rng.uniform(size=(n_a, m, T))}


# ----------------------------------------------------------------------------- stack_gates

def test_stack_gates_equals_the_cell_run_step_by_step():
    data, params, caches = gru_run()
    gates = vg.stack_gates(caches)
    assert list(gates) == ["Gamma_u", "Gamma_r", "c_tilde"]   # gates first, candidate last
    c = np.zeros((4, data.x.shape[1]))
    for t in range(data.x.shape[2]):
        c, _, cache = gru_cell_forward(data.x[:, :, t], c, params, output=None)
        for name in gates:
            np.testing.assert_allclose(gates[name][:, :, t], getattr(cache, name), atol=1e-12)


def test_stack_gates_accepts_cells_lists_and_lstm_caches():
    data, params, caches = gru_run()
    from_cells = vg.stack_gates(caches.cells, names=["Gamma_u"])
    from_list = vg.stack_gates(list(caches.cells), names=["Gamma_u"])
    assert list(from_cells) == ["Gamma_u"]
    np.testing.assert_array_equal(from_cells["Gamma_u"], from_list["Gamma_u"])

    rng = np.random.default_rng(2)
    p = init_lstm_params(data.x.shape[0], 3, None, rng=rng)
    _, _, _, lcaches = lstm_forward(data.x, np.zeros((3, 3)), p, output=None)
    lgates = vg.stack_gates(lcaches)
    assert list(lgates) == ["Gamma_u", "Gamma_f", "Gamma_o", "c_tilde"]
    _, _, _, cache0 = lstm_cell_forward(data.x[:, :, 0], np.zeros((3, 3)), np.zeros((3, 3)), p,
                                        output=None)
    np.testing.assert_allclose(lgates["Gamma_f"][:, :, 0], cache0.Gamma_f, atol=1e-12)
    assert lgates["Gamma_o"].shape == (3, 3, data.x.shape[2])


def test_stack_gates_bad_input():
    _, _, caches = gru_run()
    with pytest.raises(ValueError, match="stack_gates: names must be among .*Gamma_u, Gamma_r"):
        vg.stack_gates(caches, names=["Gamma_f"])
    with pytest.raises(ValueError, match="no time step"):
        vg.stack_gates([])
    with pytest.raises(TypeError, match="GRUCellCache or LSTMCellCache, got ndarray"):
        vg.stack_gates([np.zeros(3)])
    with pytest.raises(TypeError, match="stack_gates: caches must be"):
        vg.stack_gates(3.0)


# ------------------------------------------------------------------------------- gate_view

def test_gate_view_values_mean_and_opening_step():
    gates = toy_gates(peak=(3, 1))
    tokens = [["the", "cats", "ate", "fish", ","], ["a", "dog"]]
    view = vg.gate_view(gates, 0, "Gamma_u", tokens=tokens)
    np.testing.assert_array_equal(view.values, gates["Gamma_u"][:, 0, :])
    np.testing.assert_allclose(view.mean, gates["Gamma_u"][:, 0, :].mean(axis=0))
    assert view.opens_at == 4 and view.tokens[3] == "fish"
    assert "step 4 ('fish')" in view.text and "mean 0.90" in view.text
    second = vg.gate_view(gates, 1, tokens=tokens)       # default gate: the first key
    assert second.gate == "Gamma_u" and second.opens_at == 2
    assert second.tokens == ("a", "dog", "", "", "")      # short sequences padded with ""


def test_gate_view_ties_pick_the_first_step_and_candidate_wording():
    gates = {"c_tilde": np.zeros((2, 1, 4))}
    view = vg.gate_view(gates, 0)
    assert view.opens_at == 1 and "c_tilde is largest at step 1" in view.text


def test_gate_view_bad_input():
    gates = toy_gates()
    with pytest.raises(ValueError, match=r"gate_view: example must be in \[0, 2\), got 2"):
        vg.gate_view(gates, 2)
    with pytest.raises(TypeError, match="example must be an int"):
        vg.gate_view(gates, 0.5)
    with pytest.raises(ValueError, match="gate must be one of 'Gamma_u', 'Gamma_r', got 'Gamma_o'"):
        vg.gate_view(gates, 0, "Gamma_o")
    with pytest.raises(ValueError, match="unknown gate 'z'"):
        vg.gate_view({"z": np.zeros((2, 1, 3))})
    with pytest.raises(TypeError, match="gates must be a non-empty dict"):
        vg.gate_view({})
    with pytest.raises(ValueError, match=r"gates\['Gamma_r'\] must have shape"):
        vg.gate_view({"Gamma_u": np.zeros((2, 3, 4)), "Gamma_r": np.zeros((2, 3, 5))})
    with pytest.raises(ValueError, match="tokens must hold one sequence of words per example"):
        vg.gate_view(gates, 0, tokens=[["a"]])
    with pytest.raises(ValueError, match=r"tokens\[0\] has 6 words, more than T_x = 5"):
        vg.gate_view(gates, 0, tokens=[list("abcdef"), []])


# ----------------------------------------------------------------------------------- plots

def test_plot_gate_activations_shows_each_gate_of_the_example():
    _, _, caches = gru_run()
    gates = vg.stack_gates(caches)
    axes = vg.plot_gate_activations(gates, 2, names=["Gamma_r", "c_tilde"],
                                    tokens=[["w"] * 6] * 3)
    assert len(axes) == 2
    for ax, name in zip(axes, ["Gamma_r", "c_tilde"]):
        (image,) = ax.get_images()
        np.testing.assert_array_equal(image.get_array(), gates[name][:, 2, :])
    assert axes[0].get_images()[0].get_clim() == (0.0, 1.0)
    assert axes[1].get_images()[0].get_clim() == (-1.0, 1.0)
    assert [t.get_text() for t in axes[1].get_xticklabels()][0] == "1\nw"


def test_plot_gate_activations_bad_input():
    gates = toy_gates()
    with pytest.raises(ValueError, match="names must be keys of gates"):
        vg.plot_gate_activations(gates, names=["Gamma_f"])
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="axes must hold 2 Axes"):
        vg.plot_gate_activations(gates, axes=[ax])


def test_plot_gate_means_lines_and_mark():
    gates = toy_gates(peak=(3, 1))
    ax = vg.plot_gate_means(gates, 0)
    lines = [ln for ln in ax.get_lines() if ln.get_marker() == "o"]
    assert len(lines) == 2
    np.testing.assert_allclose(lines[0].get_ydata(), gates["Gamma_u"][:, 0, :].mean(axis=0))
    np.testing.assert_allclose(lines[1].get_ydata(), gates["Gamma_r"][:, 0, :].mean(axis=0))
    marks = [ln for ln in ax.get_lines() if ln.get_linestyle() == ":"]
    assert len(marks) == 1 and marks[0].get_xdata()[0] == 3      # 0-based step of opens_at = 4
    with pytest.raises(ValueError, match="mark must be one of the gates drawn"):
        vg.plot_gate_means(gates, 0, names=["Gamma_u"], mark="Gamma_r")


def test_plot_accuracy_by_distance():
    ax = vg.plot_accuracy_by_distance([4, 8, 16], {"RNN": [1.0, 0.9, 0.5], "GRU": [1, 1, 1]})
    lines = ax.get_lines()
    np.testing.assert_array_equal(lines[0].get_ydata(), [1.0, 0.9, 0.5])
    np.testing.assert_array_equal(lines[1].get_xdata(), [4, 8, 16])
    assert lines[2].get_ydata()[0] == 0.5           # the chance line
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["RNN", "GRU", "chance"]
    with pytest.raises(ValueError, match=r"accuracies\['RNN'\] must have one value per distance"):
        vg.plot_accuracy_by_distance([4, 8], {"RNN": [1.0]})
    with pytest.raises(ValueError, match="must lie in"):
        vg.plot_accuracy_by_distance([4], {"RNN": [1.5]})
    with pytest.raises(TypeError, match="non-empty dict"):
        vg.plot_accuracy_by_distance([4], {})


# ---------------------------------------------------------------------------------- widget

def test_explore_gates_controls_and_update(monkeypatch, capsys):
    gates = toy_gates(peak=(3, 1))
    calls = []
    real = vg.gate_view

    def spy(*args, **kwargs):
        calls.append(args[1:3])
        return real(*args, **kwargs)

    monkeypatch.setattr(vg, "gate_view", spy)
    widget = vg.explore_gates(gates, captions=["first", "second"])
    row = widget.children[0]
    slider, dropdown = row.children
    assert (slider.min, slider.max, slider.value) == (0, 1, 0)
    assert list(dropdown.options) == ["Gamma_u", "Gamma_r"]
    assert calls[0] == (0, "Gamma_u")          # the explorer's own view comes first
    calls.clear()
    slider.value = 1
    assert calls[0] == (1, "Gamma_u")
    calls.clear()
    dropdown.value = "Gamma_r"
    assert calls[0] == (1, "Gamma_r")
    text = widget.children[1].value
    assert "second" in text and "example 1: Gamma_r is most open" in text
    assert "example" not in capsys.readouterr().out   # the text is not printed into the notebook


def test_explore_gates_bad_input():
    with pytest.raises(ValueError, match="explore_gates: captions must hold one string per example"):
        vg.explore_gates(toy_gates(), captions=["only one"])
    with pytest.raises(TypeError, match="explore_gates: gates must be a non-empty dict"):
        vg.explore_gates([])


# -------------------------------------------------------------------------------- diagrams

def texts(ax):
    return " ".join(t.get_text() for t in ax.texts)


def test_draw_gru_cell_full_and_simplified():
    full = vg.draw_gru_cell()
    assert "\\Gamma_r * c^" in texts(full) and "(1 - \\Gamma_u)" in texts(full)
    assert full.get_title() == "GRU"
    simple = vg.draw_gru_cell(simplified=True)
    assert "\\Gamma_r = \\sigma" in texts(full) and "\\Gamma_r = \\sigma" not in texts(simple)
    assert "\\Gamma_r = 1" in texts(simple)
    assert "simplified" in simple.get_title()
    assert len(simple.patches) < len(full.patches)    # no relevance gate, no product node


def test_draw_lstm_cell_names_every_gate():
    ax = vg.draw_lstm_cell()
    text = texts(ax)
    for symbol in ("\\Gamma_f", "\\Gamma_u", "\\Gamma_o", "\\tilde{c}", "\\Gamma_o * \\tanh"):
        assert symbol in text
    _, given = plt.subplots()
    assert vg.draw_lstm_cell(ax=given) is given


@pytest.mark.parametrize("T", [12, 66])
def test_gate_explorer_figure_lines_up_its_panels_and_has_a_colour_bar(T):
    """Lesson 06's explorer: 66 words ran into each other and the heatmap had no colour bar."""
    look = agreement_task(2, T - 2, rng=0)
    params = init_lstm_params(look.x.shape[0], 4, None, rng=0)
    _, _, _, caches = lstm_forward(look.x, np.zeros((4, 2)), params, output=None)
    tokens = [look.decode(i, with_label=False).split() for i in range(2)]
    fig = vg._gate_figure(vg.stack_gates(caches), 1, "Gamma_f", tokens)
    fig.canvas.draw()
    top, bottom = fig.axes[:2]
    a, b = top.get_window_extent(), bottom.get_window_extent()
    assert abs(a.x0 - b.x0) < 1 and abs(a.x1 - b.x1) < 1          # time steps line up
    assert bottom.images[0].colorbar is not None
    labels = [t.get_text() for t in bottom.get_xticklabels()]
    assert len(labels) == T and all(tokens[1][t] in labels[t] for t in range(T))
    rotation = {t.get_rotation() for t in bottom.get_xticklabels()}
    assert rotation == ({90.0} if T > 16 else {0.0})
    assert top.get_legend() is not None
    assert not any(t.get_visible() and t.get_text() for t in top.get_xticklabels())   # words once, below
