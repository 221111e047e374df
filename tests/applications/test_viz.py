"""Tests for rnncourse.viz.applications: lesson 09's summary table, melody sampling
statistics, the piano roll, spectrogram and activity figures, and the temperature widget."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnncourse import applications as ap  # noqa: E402
from rnncourse.data import char_dataset  # noqa: E402
from rnncourse.layers import Dense, OneHot, Recurrent  # noqa: E402
from rnncourse.models import Sequential  # noqa: E402
from rnncourse.viz import applications as va  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


RESULTS = [
    va.ApplicationResult("sentiment", "many-to-one", "x -> y", "accuracy", 0.987, 0.6351, "bag of words"),
    va.ApplicationResult("music", "one-to-many", "a0 -> y", "rules followed", 0.9, None),
]


def test_results_table_is_narrow_rounds_and_marks_missing_baselines():
    text = va.results_table(RESULTS + [va.ApplicationResult(
        "speech recognition", "many-to-many (T_x = T_y)", "x -> y", "phoneme error rate", 0.171,
        0.33, "window of 5 frames", lower_is_better=True)])
    lines = text.splitlines()
    assert len(lines) == 9 and max(map(len, lines)) <= 72
    assert lines[0] == "sentiment (many-to-one)" and lines[1].strip() == "accuracy"
    assert lines[2].strip() == "RNN 0.99  vs  bag of words 0.64"
    assert lines[5].endswith("no baseline")
    assert "(lower is better)" in lines[7] and "RNN 0.17" in lines[8]
    assert "0.987" in va.results_table(RESULTS, digits=3)
    with pytest.raises(TypeError, match="results_table: results must be a non-empty list"):
        va.results_table([])
    with pytest.raises(ValueError, match="results_table: a line is wider than 72"):
        va.results_table([va.ApplicationResult("x" * 80, "t", "s", "m", 1.0)])


def _legend_clear_of(ax, fig):
    """The legend's box in display coordinates overlaps none of the axes' data area."""
    fig.canvas.draw()
    box = ax.get_legend().get_window_extent()
    return not box.overlaps(ax.get_window_extent())


def test_plot_results_draws_a_bar_per_score_with_the_legend_off_the_bars():
    ax = va.plot_results(RESULTS)
    widths = sorted(round(p.get_width(), 4) for p in ax.patches)
    assert widths == [0.6351, 0.9, 0.987]
    assert len(ax.get_yticklabels()) == 2
    assert _legend_clear_of(ax, ax.figure)
    # an error rate above 1 still fits inside the axes
    big = va.ApplicationResult("speech", "t", "s", "PER", 0.2, 1.4, "frames", lower_is_better=True)
    ax = va.plot_results([big])
    assert ax.get_xlim()[1] > 1.4 + 0.3
    assert "lower is better" in ax.get_yticklabels()[0].get_text()


@pytest.fixture(scope="module")
def tune_model():
    tunes = ap.melodies(40, rng=0)
    cd = char_dataset(tunes)
    n = len(cd.vocab)
    model = Sequential([OneHot(n), Recurrent("gru", 8), Dense(n, "softmax")], rng=0)
    model.fit(cd.ids, cd.y, mask=cd.mask, epochs=2, rng=0, progress=False)
    return model, cd.vocab, tunes


def test_melody_samples_are_reproducible_and_judged_by_the_rules(tune_model):
    model, vocab, tunes = tune_model
    a = va.melody_samples(model, vocab, 1.0, 6, rng=3, training=tunes)
    b = va.melody_samples(model, vocab, 1.0, 6, rng=3, training=tunes)
    assert a == b and len(a.tunes) == 6
    for rule in ap.MELODY_RULES + ("all",):
        assert a.rule_rates[rule] == np.mean([ap.melody_rules(t)[rule] for t in a.tunes])
    assert a.distinct == len(set(a.tunes)) / 6
    assert a.new == np.mean([t not in set(tunes) for t in a.tunes])
    greedy = va.melody_samples(model, vocab, 0.0, 4, rng=0)
    assert greedy.distinct == 0.25 and greedy.new == 1.0   # temperature 0: one tune, every time


def test_melody_samples_bad_n(tune_model):
    model, vocab, _ = tune_model
    with pytest.raises(ValueError, match="melody_samples: n must be an int >= 1"):
        va.melody_samples(model, vocab, 1.0, 0, rng=0)


def test_plot_melodies_one_line_per_tune():
    tunes = ap.melodies(3, rng=1) + ["cdx|c"]
    ax = va.plot_melodies(tunes)
    lines = [ln for ln in ax.get_lines() if ln.get_linestyle() == "-"]
    assert len(lines) == 4
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("follows the grammar") == 3 and "breaks: form, steps, repeat, cadence" in texts
    with pytest.raises(TypeError, match="plot_melodies: tunes must be"):
        va.plot_melodies([])


def test_plot_frames_marks_wrong_frames():
    d = ap.speech_task(2, 10, rng=0)
    pred = d.y[0].copy()
    pred[3] = (pred[3] + 1) % len(ap.PHONEMES)
    ax, lab = va.plot_frames(d.x[:, 0], d.y[0], d.label_names, pred)
    assert ax.images[0].get_array().shape == (ap.SPEECH_BANDS, 10)
    red = [t for t in lab.texts if t.get_color() == "red"]
    assert len(lab.texts) == 20 and len(red) == 1
    ax.figure.canvas.draw()
    ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
    assert all(float(t).is_integer() for t in ticks)                # bands, not 2.5
    with pytest.raises(ValueError, match="plot_frames: x must have shape"):
        va.plot_frames(d.x[:, 0], d.y[0, :5], d.label_names)


def test_plot_activities_one_scatter_per_class():
    d = ap.activity_task(30, 8, rng=0)
    frames, angles = va.plot_activities(d.x, d.y, d.label_names, per_class=2)
    assert len(frames.collections) == 3
    assert len(angles.get_lines()) == 6
    assert _legend_clear_of(frames, frames.figure) and _legend_clear_of(angles, angles.figure)
    with pytest.raises(ValueError, match="plot_activities: x must have shape"):
        va.plot_activities(d.x[:1], d.y, d.label_names)


def test_explore_temperature_builds_a_widget(tune_model):
    pytest.importorskip("ipywidgets")
    model, vocab, tunes = tune_model
    w = va.explore_temperature(model, vocab, n=3, training=tunes)
    slider = w.children[0].children[0]
    assert slider.description == "temperature τ"
    assert slider.style.description_width == "initial"       # the label is never cut
    slider.value = 0.5            # re-renders without error


def test_plot_piano_roll_one_bar_per_note_at_its_pitch_and_time():
    ax = va.plot_piano_roll([72, 74, 76, 72], [1.0, 0.5, 0.5, 2.0])
    bars = ax.patches
    assert [b.get_y() + b.get_height() / 2 for b in bars] == [72, 74, 76, 72]
    assert [b.get_x() for b in bars] == [0.0, 1.0, 1.5, 2.0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["C5", "E5"]
    with pytest.raises(ValueError, match="plot_piano_roll: pitches and durations"):
        va.plot_piano_roll([72, 74], [1.0])
