"""Figures and the sampling widget of lesson 10."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnncourse.language_model import BracketProbe, init_lm_params, sample  # noqa: E402
from rnncourse.text import build_vocabulary  # noqa: E402
from rnncourse.viz import language_model as vlm  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_loss_plot_draws_the_baselines_at_their_log_perplexity():
    losses = np.linspace(4.0, 2.0, 50)
    base = {"uniform": 69.0, "bigram": 12.0}
    ax = vlm.plot_lm_loss(losses, base, eval_steps=[25, 50], eval_perplexity=np.array([10.0, 8.0]))
    flat = sorted(round(line.get_ydata()[0], 6) for line in ax.get_lines()
                  if len(set(np.ravel(line.get_ydata()))) == 1 and len(line.get_ydata()) == 2)
    assert flat == [round(np.log(12.0), 6), round(np.log(69.0), 6)]
    held = [line for line in ax.get_lines() if line.get_marker() == "o"][0]
    np.testing.assert_allclose(held.get_ydata(), np.log([10.0, 8.0]))
    assert "perplexity 8.0 at the end" in " ".join(t.get_text() for t in ax.get_legend().get_texts())
    with pytest.raises(ValueError, match="plot_lm_loss: losses must be a non-empty 1-D array"):
        vlm.plot_lm_loss(np.zeros((2, 2)), base)


def test_smoothing_is_a_running_mean():
    np.testing.assert_allclose(vlm._smooth(np.array([1.0, 3.0, 5.0, 7.0]), 2), [1, 2, 4, 6])


def test_cache_plot_uses_mebibytes_and_checks_lengths():
    ax = vlm.plot_cache_bytes([10, 20], [2**20, 2**21])
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [1.0, 2.0])
    with pytest.raises(ValueError, match="same length >= 2"):
        vlm.plot_cache_bytes([10, 20], [1])


def test_bracket_probe_plot_skips_rare_distances():
    probe = BracketProbe("(", ")", np.arange(1, 4), np.array([0.5, 0.2, 0.9]), np.array([10, 9, 2]), 0.01)
    ax = vlm.plot_bracket_probe([probe])
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [0.5, 0.2])
    with pytest.raises(ValueError, match="non-empty list"):
        vlm.plot_bracket_probe([])


def test_cell_comparison_draws_one_line_per_cell_and_the_baseline():
    ax = vlm.plot_cell_comparison({"rnn": ([1, 2], np.array([9.0, 8.0])),
                                   "gru": ([1, 2], np.array([7.0, 6.0]))}, {"bigram": 12.0})
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["RNN (final 8.0)", "GRU (final 6.0)", "bigram (12.0)"]


def test_sample_text_and_the_widget_show_the_library_sample(capsys):
    vocab = build_vocabulary(["abc de"])
    params = init_lm_params(len(vocab), 8, rng=0)
    params["by"][0] = -5.0                                # EOS rare: a long sample
    text = vlm.sample_text(params, vocab, 0.8, n_chars=30, seed=3, prime="ab")
    ids = sample(params, 3, 0.8, 30, prime=vocab.encode("ab"))
    assert text == "ab" + vocab.decode(ids)
    widget = vlm.explore_sampling(params, vocab, n_chars=30, seed=3, prime="ab")
    assert len(text) > 10
    slider = widget.children[0].children[0]
    assert slider.value == 0.7
    printed = capsys.readouterr().out         # outside a kernel the Output prints here
    assert "temperature 0.70:" in printed
    assert vlm.sample_text(params, vocab, 0.7, n_chars=30, seed=3, prime="ab") in printed
    widget.children[0].children[1].value = True          # greedy
    printed = capsys.readouterr().out
    assert "greedy (argmax)" in printed
    assert vlm.sample_text(params, vocab, 0.7, n_chars=30, greedy=True, prime="ab") in printed
