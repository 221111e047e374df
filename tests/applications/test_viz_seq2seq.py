"""Tests for rnncourse.viz.seq2seq (lesson 11's figures and widget)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnncourse import seq2seq as s2  # noqa: E402
from rnncourse.applications import translation as tr  # noqa: E402
from rnncourse.viz import seq2seq as vs  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_embedding_projection_keeps_the_largest_spread():
    rng = np.random.default_rng(0)
    # vectors spread along one direction mostly: the first coordinate carries that spread
    E = np.outer([3.0, 0.0, 0.0], rng.standard_normal(20)) + 0.1 * rng.standard_normal((3, 20))
    xy = vs.embedding_projection(E)
    assert xy.shape == (2, 20)
    assert xy[0].var() > 50 * xy[1].var()
    np.testing.assert_allclose(np.abs(xy[0]), np.abs(E[0] - E[0].mean()), rtol=0.05, atol=0.05)
    with pytest.raises(ValueError, match="embedding_projection: E must have shape"):
        vs.embedding_projection(np.zeros(3))


def test_plot_embedding_labels_every_kept_token_and_keeps_the_legend_outside():
    vocab = ["<pad>", "one", "two", "ten", "and"]
    E = np.random.default_rng(1).standard_normal((4, 5))
    ax = vs.plot_embedding_2d(E, vocab, groups={"one": "units", "two": "units", "ten": "teens"})
    assert sorted(t.get_text() for t in ax.texts) == ["and", "one", "ten", "two"]
    ax.figure.canvas.draw()
    assert not ax.get_legend().get_window_extent().overlaps(ax.get_window_extent())


def test_accuracy_by_length_groups_and_counts():
    res = vs.accuracy_by_length([True, False, True, True], [2, 2, 5, 3])
    np.testing.assert_array_equal(res.lengths, [2, 3, 5])
    np.testing.assert_allclose(res.accuracy, [0.5, 1.0, 1.0])
    np.testing.assert_array_equal(res.counts, [2, 1, 1])
    ax = vs.plot_accuracy_by_length(res)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [0.5, 1.0, 1.0])
    lo, hi = ax.get_ylim()
    assert lo < 0 and hi > 1                                       # 0 and 1 stay visible


def test_explore_beam_width_builds_and_rerenders(capsys):
    pytest.importorskip("ipywidgets")
    d = tr.units_first_task([325, 7, 40])
    params = s2.init_seq2seq_params(len(d.src_vocab), len(d.tgt_vocab), 3, 4, rng=0)
    w = vs.explore_beam_width(params, d, go=1, eos=2, examples=(0, 1))
    slider = w.children[0].children[0]
    assert slider.description == "beam width" and slider.style.description_width == "initial"
    capsys.readouterr()
    slider.value = 3
    # what the learner sees changes with the width, even when the best answer does not
    assert "beam width 3 (the 3 most probable" in capsys.readouterr().out


def test_plot_attention_shows_the_weights_of_the_given_words_with_a_colour_bar():
    alpha = np.array([[0.9, 0.1, 0.0], [0.2, 0.8, 0.0], [0.5, 0.5, 0.0]])
    ax = vs.plot_attention(alpha, ["three", "one"], ["3", "1"])
    np.testing.assert_allclose(ax.images[0].get_array(), alpha[:2, :2])
    assert len(ax.figure.axes) == 2                                  # the colour bar
    assert [t.get_text() for t in ax.get_xticklabels()] == ["three", "one"]
    with pytest.raises(ValueError, match="plot_attention: alpha must have shape"):
        vs.plot_attention(alpha[:1], ["a"], ["x", "y"])
