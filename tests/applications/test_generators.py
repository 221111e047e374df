"""Tests for rnncourse.applications: the synthetic data of lesson 09 and its helpers."""

import re

import numpy as np
import pytest

from rnncourse import applications as ap
from rnncourse.activations import softmax
from rnncourse.data import one_hot


# ---- sentiment ------------------------------------------------------------------------------

def _label_from_words(text: str) -> int:
    """An independent reading of the rule: the last clause's adjective, flipped by 'not'."""
    clause = text.split(" but ")[-1].split()
    positive = clause[-1] in ap.SENTIMENT_POSITIVE
    return int(positive != ("not" in clause))


def test_sentiment_labels_follow_the_last_clause_and_its_negation():
    s = ap.sentiment_task(300, rng=0)
    d = s.data
    assert d.x.shape == (len(ap.SENTIMENT_VOCAB), 300, d.ids.shape[1]) and d.y.shape == (300,)
    for i in range(300):
        text = d.decode(i, with_label=False)
        assert d.y[i] == _label_from_words(text)
        assert s.contrast[i] == (" but " in text)
        assert s.negated[i] == ("not" in text.split(" but ")[-1].split())
    # both rules are exercised, and the knobs move their rates
    assert 0.15 < s.negated.mean() < 0.45 and 0.15 < s.contrast.mean() < 0.45
    assert not ap.sentiment_task(50, rng=0, p_not=0.0).negated.any()
    assert ap.sentiment_task(50, rng=0, p_but=1.0).contrast.all()


def test_sentiment_is_reproducible_and_padded_with_a_mask():
    a, b = ap.sentiment_task(40, rng=3), ap.sentiment_task(40, rng=3)
    np.testing.assert_array_equal(a.data.ids, b.data.ids)
    d = a.data
    np.testing.assert_array_equal(d.mask.sum(axis=1), d.lengths)
    assert (d.ids[d.mask == 0] == 0).all()


def test_sentiment_float32_and_bad_input():
    assert ap.sentiment_task(5, rng=0, dtype=np.float32).data.x.dtype == np.float32
    with pytest.raises(ValueError, match="sentiment_task: p_not must be in"):
        ap.sentiment_task(5, rng=0, p_not=1.5)
    with pytest.raises(TypeError, match="sentiment_task: rng"):
        ap.sentiment_task(5, rng=None)


def test_bag_of_words_is_the_sum_of_the_one_hot_inputs_over_time():
    d = ap.sentiment_task(30, rng=1).data
    n = len(d.vocab)
    counts = ap.bag_of_words(d.ids, n)
    assert counts.shape == (n, 30, 1)
    expected = (one_hot(d.ids, n) * d.mask[None]).sum(axis=2)
    expected[0] = 0
    np.testing.assert_array_equal(counts[:, :, 0], expected)


def test_a_bag_of_words_cannot_tell_which_clause_is_negated():
    index = {w: i for i, w in enumerate(ap.SENTIMENT_VOCAB)}
    a = "the acting was not bad but the plot was boring"
    b = "the acting was bad but the plot was not boring"
    ids = np.array([[index[w] for w in a.split()], [index[w] for w in b.split()]])
    counts = ap.bag_of_words(ids, len(index))
    np.testing.assert_array_equal(counts[:, 0], counts[:, 1])
    assert _label_from_words(a) != _label_from_words(b)


def test_bag_of_words_bad_input():
    with pytest.raises(TypeError, match="bag_of_words: ids must be an integer array"):
        ap.bag_of_words(np.zeros((2, 3)), 4)
    with pytest.raises(ValueError, match=r"bag_of_words: ids must lie in \[0, n_vocab\)"):
        ap.bag_of_words(np.array([[0, 5]]), 4)


def test_kmer_counts_bad_input():
    # a symbol id past n_symbols used to index a k-mer row of the wrong k-mer (or past the end)
    with pytest.raises(ValueError, match=r"kmer_counts: ids \(0 for padding.*\[0, n_symbols \+ 1\) = \[0, 5\), "
                                         r"got values in \[1, 9\]"):
        ap.kmer_counts(np.array([[1, 2, 9]]), 2, 4)
    with pytest.raises(TypeError, match=r"kmer_counts: ids must be an integer array .* got list"):
        ap.kmer_counts([[1, 2]], 2, 4)
    assert ap.kmer_counts(np.array([[1, 2, 4]]), 2, 4).shape == (16, 1, 1)     # the largest id is fine


# ---- music ------------------------------------------------------------------------------------

def test_every_generated_tune_follows_every_rule():
    tunes = ap.melodies(200, rng=0)
    assert all(len(t) == 19 for t in tunes)
    assert all(ap.melody_rules(t)["all"] for t in tunes)
    assert len(set(tunes)) > 150                      # a grammar, not a handful of tunes
    assert ap.melodies(5, rng=4) == ap.melodies(5, rng=4)


@pytest.mark.parametrize("broken, rule", [
    ("cded|cded|efge|ffdc", "steps"),      # a repeated note
    ("cded|cded|efge|fCdc", "steps"),      # a leap
    ("cded|cdef|efge|fedc", "repeat"),
    ("cded|cded|efge|fede", "cadence"),
    ("cded|cded|efge|dcde", "cadence"),    # passes by c, but does not end on it
    ("cded|cded|efge|fed", "form"),
    ("cded|cded|efge|fedx", "form"),
])
def test_melody_rules_catch_each_broken_rule(broken, rule):
    assert ap.melody_rules("cded|cded|efge|fedc")["all"]
    rules = ap.melody_rules(broken)
    assert not rules[rule] and not rules["all"]
    if rule != "form":                     # the other rules still hold
        assert all(rules[r] for r in ap.MELODY_RULES if r != rule)


def test_sample_with_temperature_reshapes_then_draws_like_rng_choice():
    rng = np.random.default_rng(0)
    probs = softmax(rng.standard_normal((5, 7)))
    for temperature in (0.3, 1.0, 2.5):
        p, idx = ap.sample_with_temperature(probs, temperature, 11)
        np.testing.assert_allclose(p, softmax(np.log(probs) / temperature), rtol=1e-12)
        np.testing.assert_allclose(p.sum(axis=0), 1.0)
        g = np.random.default_rng(11)
        np.testing.assert_array_equal(idx, [g.choice(5, p=p[:, i]) for i in range(7)])
    np.testing.assert_allclose(ap.sample_with_temperature(probs, 1.0, 0)[0], probs, rtol=1e-12)


def test_temperature_sharpens_and_flattens():
    probs = softmax(np.random.default_rng(1).standard_normal((6, 4)))
    cold = ap.sample_with_temperature(probs, 0.05, 0)[0]
    hot = ap.sample_with_temperature(probs, 50.0, 0)[0]
    np.testing.assert_allclose(cold.max(axis=0), 1.0, atol=1e-3)
    np.testing.assert_array_equal(cold.argmax(axis=0), probs.argmax(axis=0))
    np.testing.assert_allclose(hot, 1 / 6, atol=0.01)


def test_sampled_frequencies_match_the_reshaped_distribution():
    probs = np.tile(np.array([[0.6], [0.3], [0.1]]), (1, 20000))
    p, idx = ap.sample_with_temperature(probs, 2.0, 5)
    freq = np.bincount(idx, minlength=3) / idx.size
    np.testing.assert_allclose(freq, p[:, 0], atol=0.015)


def test_sample_with_temperature_zero_probabilities_and_bad_input():
    probs = np.array([[0.0, 0.5], [1.0, 0.5]])
    p, idx = ap.sample_with_temperature(probs, 0.5, 0)
    assert p[0, 0] == 0 and idx[0] == 1
    with pytest.raises(ValueError, match="sample_with_temperature: temperature must be"):
        ap.sample_with_temperature(probs, 0.0, 0)
    with pytest.raises(ValueError, match="sample_with_temperature: every column of probs"):
        ap.sample_with_temperature(np.array([[0.5], [0.2]]), 1.0, 0)
    with pytest.raises(ValueError, match=r"sample_with_temperature: probs must be 2-D"):
        ap.sample_with_temperature(np.ones(3) / 3, 1.0, 0)


# ---- DNA --------------------------------------------------------------------------------------

def test_dna_labels_say_whether_the_motif_occurs():
    d = ap.dna_motif_task(300, 20, rng=0)
    assert d.x.shape == (5, 300, 20) and d.mask is None
    texts = [d.decode(i, with_label=False).replace(" ", "") for i in range(300)]
    np.testing.assert_array_equal(d.y, [int("TATA" in t) for t in texts])
    assert 0.4 < d.y.mean() < 0.6
    assert ap.dna_motif_task(20, rng=0, p_motif=0.0).y.sum() == 0


def test_dna_per_base_tags_cover_exactly_the_motif_copies():
    d = ap.dna_motif_task(200, 16, rng=1, motif="GAT", per_base=True)
    assert d.y.shape == (200, 16)
    for i in range(200):
        text = d.decode(i, with_label=False).replace(" ", "")
        tags = np.zeros(16, dtype=int)
        for s in range(16 - 2):
            if text[s:s + 3] == "GAT":
                tags[s:s + 3] = 1
        np.testing.assert_array_equal(d.y[i], tags)


def test_dna_bad_input():
    with pytest.raises(ValueError, match="dna_motif_task: motif must be"):
        ap.dna_motif_task(5, rng=0, motif="TAXA")
    with pytest.raises(ValueError, match="dna_motif_task: length must be at least 4"):
        ap.dna_motif_task(5, 3, rng=0)


# ---- translation ------------------------------------------------------------------------------

@pytest.mark.parametrize("k, words", [
    (0, "zero"), (7, "seven"), (15, "fifteen"), (40, "forty"), (42, "forty two"),
    (300, "three hundred"), (305, "three hundred five"), (310, "three hundred ten"),
    (999, "nine hundred ninety nine"),
])
def test_number_words(k, words):
    assert ap.number_words(k) == words


def test_number_words_are_distinct_and_bounded():
    assert len({ap.number_words(k) for k in range(1000)}) == 1000
    with pytest.raises(ValueError, match="number_words: k must be an int in"):
        ap.number_words(1000)


def test_translation_rows_read_source_go_target_and_predict_the_next_token():
    numbers = [5, 42, 305, 999, 17]
    d = ap.translation_task(numbers)
    assert d.targets == tuple(str(k) for k in numbers)
    go = d.vocab.index(ap.GO)
    assert (d.ids[:, d.go_step] == go).all()
    for i in range(len(numbers)):
        real = d.mask[i] > 0
        inputs = [d.vocab[k] for k in d.ids[i, real]]
        assert " ".join(inputs[: inputs.index(ap.GO)]) == d.sources[i]
        assert "".join(inputs[inputs.index(ap.GO) + 1:]) == d.targets[i]       # <eos> is never read
        nxt = [d.vocab[k] for k in d.y[i, real]]
        assert nxt[inputs.index(ap.GO):] == list(d.targets[i]) + [ap.EOS]
        np.testing.assert_array_equal(d.ids[i, real][1:], d.y[i, real][:-1])
    assert (d.ids[d.mask == 0] == 0).all() and (d.y[d.mask == 0] == 0).all()


class _Oracle:
    """A stand-in model: predicts the true next token of each row's prefix, after checking
    that it reads the source up to ``<go>`` (with its mask) followed by exactly the tokens
    it predicted before, all marked real."""

    def __init__(self, data):
        self.data = data
        self.emitted = []   # (m,) token ids predicted by the earlier calls

    def predict(self, ids, mask):
        d = self.data
        g = d.go_step + 1
        assert ids.shape == mask.shape == (d.ids.shape[0], g + len(self.emitted))
        np.testing.assert_array_equal(ids[:, :g], d.ids[:, :g])
        np.testing.assert_array_equal(mask[:, :g], d.mask[:, :g])
        if self.emitted:
            np.testing.assert_array_equal(ids[:, g:], np.stack(self.emitted, axis=1))
            assert (mask[:, g:] == 1).all()
        n = len(d.vocab)
        out = np.zeros((n, ids.shape[0], ids.shape[1]))
        t = ids.shape[1] - 1
        for i in range(ids.shape[0]):
            k = d.y[i, t] if t < d.y.shape[1] and d.mask[i, t] else d.vocab.index(ap.EOS)
            out[k, i, t] = 1.0
        self.emitted.append(out[:, :, t].argmax(axis=0))
        return out


def test_greedy_translate_writes_what_the_model_predicts_until_eos():
    d = ap.translation_task([3, 70, 118, 640])
    assert ap.greedy_translate(_Oracle(d), d) == list(d.targets)
    assert ap.greedy_translate(_Oracle(d), d, max_len=1) == [t[0] for t in d.targets]


def test_exact_match_accuracy_ignores_padding_only():
    y_true = np.array([[1, 2, 0], [3, 4, 5], [1, 1, 1]])
    mask = np.array([[1, 1, 0], [1, 1, 1], [1, 1, 1]])
    y_pred = np.array([[1, 2, 9], [3, 4, 6], [1, 1, 1]])
    assert ap.exact_match_accuracy(y_pred, y_true, mask) == pytest.approx(2 / 3)
    assert ap.exact_match_accuracy(y_true, y_true, np.ones((3, 3))) == 1.0
    with pytest.raises(ValueError, match=r"exact_match_accuracy: mask must have shape \(m, T_y\)"):
        ap.exact_match_accuracy(y_pred, y_true, mask[:2])
    with pytest.raises(ValueError, match="exact_match_accuracy: mask must hold only 0"):
        ap.exact_match_accuracy(y_pred, y_true, 2 * mask)


# ---- speech ---------------------------------------------------------------------------------

def test_speech_frames_are_segments_of_phonemes():
    d = ap.speech_task(50, 30, rng=0, min_frames=2, max_frames=4)
    assert d.x.shape == (ap.SPEECH_BANDS, 50, 30) and d.y.shape == (50, 30)
    for row in d.y:
        change = np.flatnonzero(np.diff(row)) + 1
        bounds = np.concatenate([[0], change, [30]])
        durations = np.diff(bounds)
        assert (durations[:-1] >= 2).all() and (durations <= 4).all()   # the last may be cut
    assert "->" in d.decode(0)


def test_noise_free_speech_frames_are_scaled_templates():
    d = ap.speech_task(10, 12, rng=2, noise=0.0)
    templates = ap.phoneme_templates()
    for i in range(10):
        for t in range(12):
            col, tpl = d.x[:, i, t], templates[:, d.y[i, t]]
            if not tpl.any():
                assert not col.any()
            else:
                scale = col @ tpl / (tpl @ tpl)
                assert 0.7 <= scale <= 1.3
                np.testing.assert_allclose(col, scale * tpl, atol=1e-12)


def test_templates_are_distinct():
    t = ap.phoneme_templates()
    assert t.shape == (ap.SPEECH_BANDS, len(ap.PHONEMES))
    assert len({tuple(np.round(c, 6)) for c in t.T}) == len(ap.PHONEMES)


# ---- video ----------------------------------------------------------------------------------

def test_activities_differ_in_motion_only():
    d = ap.activity_task(600, 16, rng=0, noise=0.0)
    assert d.x.shape == (2, 600, 16) and d.y.shape == (600,)
    np.testing.assert_allclose((d.x ** 2).sum(axis=0), 1.0)            # the hand is on a circle
    theta = np.arctan2(d.x[1], d.x[0])                                # (m, T)
    step = np.diff(theta, axis=1)
    assert (step[d.y == 1] > 0).all() and (step[d.y == 2] < 0).all()
    assert ((step[d.y == 0] > 0).any(axis=1) & (step[d.y == 0] < 0).any(axis=1)).all()
    # single frames: the angles of every class cover the same range with similar spread
    for k in range(3):
        assert abs(theta[d.y == k].mean() - theta.mean()) < 0.05
        assert abs(theta[d.y == k].std() - theta.std()) < 0.1


def test_activity_float32_and_bad_input():
    assert ap.activity_task(4, rng=0, dtype=np.float32).x.dtype == np.float32
    with pytest.raises(ValueError, match="activity_task: T_x must be at least 2"):
        ap.activity_task(4, 1, rng=0)
    with pytest.raises(ValueError, match="speech_task: noise must be"):
        ap.speech_task(4, rng=0, noise=-1.0)


def test_frame_differences_are_the_motion_between_frames_and_zero_at_the_first():
    d = ap.activity_task(50, 12, rng=3, noise=0.0)
    f = ap.frame_differences(d.x)
    assert f.shape == (4, 50, 12)
    np.testing.assert_array_equal(f[:2], d.x)
    np.testing.assert_array_equal(f[2:, :, 0], 0.0)                    # no frame before the first
    np.testing.assert_allclose(np.cumsum(f[2:], axis=2) + d.x[:, :, :1], d.x, atol=1e-12)
    # raising and lowering: the same frames backwards, so opposite vertical motion
    up = ap.frame_differences(d.x[:, d.y == 1])[3, :, 1:]
    down = ap.frame_differences(d.x[:, d.y == 2])[3, :, 1:]
    assert (up > 0).all() and (down < 0).all()
    assert ap.frame_differences(np.float32(d.x)).dtype == np.float32
    assert ap.frame_differences(np.arange(6).reshape(1, 2, 3)).dtype == np.float64
    x = d.x.copy()
    ap.frame_differences(x)
    np.testing.assert_array_equal(x, d.x)                              # input untouched


@pytest.mark.parametrize("bad, got", [(np.zeros((2, 3)), "shape (2, 3)"), ([[[1.0]]], "got list"),
                                      (np.zeros((1, 1, 2), dtype=bool), "dtype bool")])
def test_frame_differences_bad_input(bad, got):
    with pytest.raises(ValueError, match=rf"frame_differences: x must be a numeric array of shape "
                                         rf"\(n_x, m, T_x\), .*{re.escape(got)}"):
        ap.frame_differences(bad)


# ---- the music ceiling ----------------------------------------------------------------------

def test_grammar_next_note_probabilities_match_the_generator_and_sum_to_one():
    tunes = ap.melodies(3000, rng=5)
    from collections import Counter
    for prefix in ("", "e", "cd", "cdcd|cdcd|c", "cdce|cdce|d"):
        probs = ap.music.melody_next_note_probs(prefix)
        assert sum(probs.values()) == pytest.approx(1.0)
        follow = Counter(t[len(prefix)] for t in tunes if t.startswith(prefix))
        n = sum(follow.values())
        assert n > 40
        for c, p in probs.items():                                 # within 4 standard errors
            assert abs(follow[c] / n - p) < 4 * np.sqrt(p * (1 - p) / n) + 1e-9, (prefix, c)
        assert set(follow) <= set(probs)
    assert ap.music.melody_next_note_probs("cdcd|c") == {"d": 1.0}      # bar 2 repeats bar 1
    assert ap.music.melody_next_note_probs("cdcd") == {"|": 1.0}
    with pytest.raises(ValueError, match="melody_next_note_probs: 'cx' is not the beginning"):
        ap.music.melody_next_note_probs("cx")


def test_bayes_accuracy_is_a_ceiling_that_a_perfect_memoriser_beats_on_its_own_tunes():
    tunes = ap.melodies(200, rng=6)
    ceiling = ap.music.bayes_next_note_accuracy(tunes)
    assert 0.6 < ceiling < 0.8
    # the per-position maxima are probabilities: deterministic positions (bars, repeats) give 1
    assert ap.music.bayes_next_note_accuracy(["cded|cded|efge|fedc"]) > 8 / 20


def test_review_classifier_forward_matches_the_library_rnn_and_ignores_padding():
    from rnncourse.rnn import rnn_forward
    rng = np.random.default_rng(4)
    n_v, n_a, m, T = 7, 5, 3, 6
    params = {"Wax": rng.standard_normal((n_a, n_v)), "Waa": 0.5 * rng.standard_normal((n_a, n_a)),
              "ba": rng.standard_normal((n_a, 1)), "Wya": rng.standard_normal((2, n_a)),
              "by": rng.standard_normal((2, 1))}
    ids = rng.integers(1, n_v, size=(m, T))
    mask = np.ones((m, T))
    mask[0, 4:] = 0
    y_hat = ap.review_classifier_forward(ids, mask, params)
    assert y_hat.shape == (2, m)
    a, _, _ = rnn_forward(one_hot(ids, n_v), np.zeros((n_a, m)), params, output=None, mask=mask)
    np.testing.assert_allclose(y_hat, softmax(params["Wya"] @ a[:, :, -1] + params["by"]))
    short = ap.review_classifier_forward(ids[:1, :4], mask[:1, :4], params)
    np.testing.assert_allclose(short[:, 0], y_hat[:, 0])
    with pytest.raises(ValueError, match="review_classifier_forward: mask must have the shape"):
        ap.review_classifier_forward(ids, mask[:, :3], params)


def test_grammar_log_likelihood_is_the_sum_of_the_conditionals_and_rejects_broken_tunes():
    tune = ap.melodies(1, rng=9)[0]
    ll = ap.grammar_log_likelihood(tune)
    by_hand = sum(np.log(ap.melody_next_note_probs(tune[:i])[c]) for i, c in enumerate(tune + "\n"))
    assert ll == pytest.approx(by_hand) and ll < 0
    assert ap.grammar_log_likelihood("cccc|cccc|cccc|cccc") == float("-inf")     # repeated notes
    assert ap.grammar_log_likelihood("cd") == float("-inf")                       # not a whole tune


def test_tune_audio_plays_each_note_at_its_pitch():
    audio = ap.tune_audio("g", sample_rate=8000, note_seconds=0.5)
    assert audio.shape == (4000,) and np.abs(audio).max() <= 1.0
    spectrum = np.abs(np.fft.rfft(audio))
    peak_hz = np.argmax(spectrum) * 8000 / audio.size
    assert abs(peak_hz - ap.NOTE_HZ["g"]) < 3                        # G4 = 392 Hz
    assert ap.tune_audio("cd|e").size == 3 * 2000 + 500              # bar line: a quarter-note rest
