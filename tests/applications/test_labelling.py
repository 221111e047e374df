"""Tests for lesson 12's pieces: synthetic audio and FFT frames, run collapsing, phoneme
error rate, BIO entities and entity F1, window and k-mer features."""

import numpy as np
import pytest

from rnncourse.applications import ner, speech, windows


# ---- speech -----------------------------------------------------------------------------------

def test_synthesized_phonemes_put_their_energy_where_their_formants_are():
    labels = np.repeat([speech.PHONEMES.index(p) for p in ("sil", "a", "i", "s")], 6)
    audio = speech.synthesize_speech(labels, rng=0, noise=0.0)
    assert audio.shape == (24 * speech.HOP,)
    x = speech.spectrogram_frames(audio, n_bands=16)              # bands of 250 Hz
    assert x.shape == (16, 24)
    mid = lambda k: x[:, 6 * k + 3]                                # noqa: E731  a frame inside each phoneme
    assert mid(0).max() < mid(1).max() - 5                         # silence is quiet
    assert np.argmax(mid(1)) in (2, 3)                              # a: 700 Hz
    assert np.argmax(mid(2)) == 1                                   # i: 300 Hz (band 250-500)
    assert mid(2)[9] > mid(1)[9] + 2                                # i has a formant near 2300 Hz
    assert mid(3)[10:].mean() > mid(3)[:8].mean() + 3               # s: energy above 2.5 kHz


def test_spectrogram_frames_of_a_pure_tone_peak_in_its_band():
    t = np.arange(40 * speech.HOP) / speech.SAMPLE_RATE
    x = speech.spectrogram_frames(np.sin(2 * np.pi * 1125.0 * t), n_bands=16)
    assert (x.argmax(axis=0)[2:-2] == 4).all()                     # 1000-1250 Hz
    with pytest.raises(ValueError, match="spectrogram_frames: audio must be 1-D"):
        speech.spectrogram_frames(np.zeros(81))


def test_speech_audio_task_shapes_and_labels():
    d = speech.speech_audio_task(5, 20, rng=1)
    assert d.x.shape == (16, 5, 20) and d.y.shape == (5, 20) and d.audio.shape == (5, 20 * speech.HOP)
    runs = [np.diff(np.flatnonzero(np.r_[True, r[1:] != r[:-1], True])) for r in d.y]
    assert all((r[:-1] >= 3).all() and (r[:-1] <= 7).all() for r in runs)
    assert "->" in d.decode(0)


def test_collapse_runs_and_phoneme_error_rate():
    np.testing.assert_array_equal(speech.collapse_runs(np.array([0, 0, 3, 3, 3, 1, 0, 0])), [0, 3, 1, 0])
    assert speech.collapse_runs(np.array([], dtype=int)).size == 0
    y_true = np.array([[0, 0, 1, 1, 2, 2], [3, 3, 3, 3, 3, 3]])
    assert speech.phoneme_error_rate(y_true, y_true) == 0.0
    # one substitution in sequence 0 (1 -> 4), one insertion in sequence 1: 2 errors / 4 phonemes
    y_pred = np.array([[0, 0, 4, 4, 2, 2], [3, 3, 5, 3, 3, 3]])
    assert speech.phoneme_error_rate(y_pred, y_true) == pytest.approx(3 / 4)
    assert speech.edit_distance([3], [3, 5, 3]) == 2
    # a flickering prediction is mostly right frame by frame and far above 1 in PER
    flicker = np.array([[0, 1, 0, 1, 0, 1]])
    assert speech.phoneme_error_rate(flicker, np.zeros((1, 6), dtype=int)) == 5.0
    with pytest.raises(ValueError, match="collapse_runs: labels must be a 1-D array"):
        speech.collapse_runs(np.zeros((2, 2), dtype=int))
    with pytest.raises(ValueError, match="phoneme_error_rate: y_pred and y_true must both"):
        speech.phoneme_error_rate(y_true[:1], y_true)


# ---- NER ---------------------------------------------------------------------------------------

def test_bio_entities_follow_the_conventions():
    T = ner.NER_TAGS
    tags = lambda *names: np.array([T.index(n) for n in names])    # noqa: E731
    assert ner.bio_entities(tags("O", "B-PER", "I-PER", "O", "B-LOC"), T) == [("PER", 1, 3), ("LOC", 4, 5)]
    assert ner.bio_entities(tags("B-PER", "B-PER"), T) == [("PER", 0, 1), ("PER", 1, 2)]
    assert ner.bio_entities(tags("O", "I-ORG", "I-ORG"), T) == [("ORG", 1, 3)]
    assert ner.bio_entities(tags("B-PER", "I-LOC"), T) == [("PER", 0, 1), ("LOC", 1, 2)]
    assert ner.bio_entities(tags("O", "O"), T) == []
    with pytest.raises(ValueError, match="bio_entities: tags must be a 1-D int array"):
        ner.bio_entities(np.array([9]), T)


def test_entity_f1_counts_whole_entities_only():
    T = ner.NER_TAGS
    y_true = np.array([[T.index("B-PER"), T.index("I-PER"), 0, T.index("B-LOC")]])
    assert ner.entity_f1(y_true, y_true, T) == (1.0, 1.0, 1.0)
    half = np.array([[T.index("B-PER"), 0, 0, T.index("B-LOC")]])       # PER cut short
    p, r, f = ner.entity_f1(half, y_true, T)
    assert (p, r) == (0.5, 0.5) and f == pytest.approx(0.5)
    assert ner.entity_f1(np.zeros_like(y_true), y_true, T) == (0.0, 0.0, 0.0)
    # padding is cut off before entities are read
    mask = np.array([[1, 1, 1, 0]])
    assert ner.entity_f1(y_true[:, [0, 1, 2, 2]], y_true, T, mask) == (1.0, 1.0, 1.0)


def test_ner_task_tags_read_back_from_the_words():
    d = ner.ner_task(200, rng=3)
    names = np.array(ner.NER_TAGS)
    words = np.array(d.vocab)
    for i in range(200):
        n = int(d.mask[i].sum())
        w, t = list(words[d.ids[i, :n]]), list(names[d.y[i, :n]])
        for j, word in enumerate(w):
            if word in ner._AMBIGUOUS and t[j] == "B-PER":
                rest = [x for x in w[j + 1:] if x not in ner._ADVERBS + ner._SURNAMES]
                assert rest[0] in ner._SPEECH                       # decided by the verb later on
            if t[j] == "B-LOC":
                assert w[j - 1] in ("in",)
    amb = np.isin(words[d.ids], ner._AMBIGUOUS) & (d.mask > 0)
    frac_per = (d.y[amb] > 0).mean()
    assert 0.2 < frac_per < 0.8                                     # ambiguous both ways


# ---- windows -----------------------------------------------------------------------------------

def test_window_features_stack_neighbours_with_zero_padding():
    x = np.arange(2 * 1 * 4, dtype=float).reshape(2, 1, 4) + 1
    w = windows.window_features(x, 1)
    assert w.shape == (6, 1, 4)
    np.testing.assert_array_equal(w[0:2, 0, 1], x[:, 0, 0])          # block 0 is t - 1
    np.testing.assert_array_equal(w[2:4], x)
    np.testing.assert_array_equal(w[4:6, 0, 2], x[:, 0, 3])
    assert not w[0:2, 0, 0].any() and not w[4:6, 0, 3].any()


def test_kmer_counts_count_every_window_and_skip_padding():
    ids = np.array([[1, 2, 1, 2, 0]])
    c = windows.kmer_counts(ids, 2, 4)[:, 0, 0]
    assert c.sum() == 3
    assert c[(1 - 1) * 4 + (2 - 1)] == 2 and c[(2 - 1) * 4 + (1 - 1)] == 1
    np.testing.assert_array_equal(windows.kmer_counts(ids, 1, 4)[:, 0, 0], [2, 2, 0, 0])
