"""Tests of rnncourse.data: shapes, determinism, and that every label follows its stated rule.

Each rule is re-derived here from the decoded words (plain Python over strings), not
from the generator's own arrays, so a generator bug cannot confirm itself.
"""

from collections import defaultdict

import numpy as np
import pytest

from rnncourse import data


def words_of(d, i):
    return [d.vocab[k] for k in d.ids[i, : d.lengths[i]]]


def check_encoding(d):
    """x is the one-hot of ids on real steps and zero on padding; mask agrees with lengths."""
    n_x, m, T = d.x.shape
    assert n_x == len(d.vocab) and d.ids.shape == (m, T) and d.lengths.shape == (m,)
    real = np.arange(T)[None, :] < d.lengths[:, None]
    np.testing.assert_array_equal(d.x.sum(axis=0), real)
    np.testing.assert_array_equal(d.x.argmax(axis=0)[real], d.ids[real])
    assert (d.ids[~real] == 0).all()
    if real.all():
        assert d.mask is None
    else:
        np.testing.assert_array_equal(d.mask, real)


# --- one_hot / decode ---------------------------------------------------------------------

def test_one_hot_places_ones_at_ids():
    ids = np.array([[0, 2, 1], [1, 1, 0]])
    x = data.one_hot(ids, 3)
    assert x.shape == (3, 2, 3) and x.dtype == np.float64
    for i in range(2):
        for t in range(3):
            expected = np.zeros(3)
            expected[ids[i, t]] = 1
            np.testing.assert_array_equal(x[:, i, t], expected)
    assert data.one_hot(ids, 3, np.float32).dtype == np.float32


@pytest.mark.parametrize("ids, n, err, match", [
    (np.array([[0, 3]]), 3, ValueError, r"one_hot: ids must lie in \[0, n\) = \[0, 3\)"),
    (np.array([0, 1]), 3, TypeError, r"one_hot: ids must be a 2-D integer array"),
    (np.array([[0.0, 1.0]]), 3, TypeError, r"got dtype float64"),
])
def test_one_hot_bad_input(ids, n, err, match):
    with pytest.raises(err, match=match):
        data.one_hot(ids, n)


# --- agreement ----------------------------------------------------------------------------

@pytest.mark.parametrize("distance", [0, 1, 3, 4, 10])
def test_agreement_shapes_and_rule(distance):
    d = data.agreement_task(200, distance, rng=0)
    assert d.x.shape == (len(data.AGREEMENT_VOCAB), 200, distance + 2)
    assert d.y.shape == (200,) and d.mask is None
    check_encoding(d)
    T = distance + 2
    for i in range(200):
        words = words_of(d, i)
        # the subject is the only noun of either number, `distance` steps before the last step
        nouns = [t for t, w in enumerate(words)
                 if w in data.AGREEMENT_SINGULAR or w in data.AGREEMENT_PLURAL]
        assert nouns == [T - 1 - distance]
        plural = words[nouns[0]] in data.AGREEMENT_PLURAL
        assert d.y[i] == int(plural)
        assert d.decode(i).split(" ")[-1] == ("were" if plural else "was")
    assert 0.35 < d.y.mean() < 0.65


def test_agreement_reads_as_a_sentence():
    d = data.agreement_task(3, 5, rng=1)
    text = d.decode(0)
    words = text.split(" ")
    assert words[0] == "the" and words[2:4] == [",", "which"] and words[-2] == ","
    assert words[-1] in ("was", "were") and len(words) == 5 + 3
    assert d.decode(0, with_label=False) == " ".join(words[:-1])


def test_agreement_deterministic_and_seed_sensitive():
    a = data.agreement_task(50, 6, rng=np.random.default_rng(7))
    b = data.agreement_task(50, 6, rng=7)
    c = data.agreement_task(50, 6, rng=8)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.ids, c.ids)


def test_agreement_dtype():
    assert data.agreement_task(4, 2, rng=0, dtype=np.float32).x.dtype == np.float32


@pytest.mark.parametrize("kwargs, err, match", [
    ({"m": 0, "distance": 2}, ValueError, "agreement_task: m must be at least 1, got 0"),
    ({"m": 4, "distance": -1}, ValueError, "agreement_task: distance must be at least 0, got -1"),
    ({"m": 4, "distance": 2.5}, TypeError, "agreement_task: distance must be an int, got float"),
])
def test_agreement_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        data.agreement_task(**kwargs, rng=0)


def test_agreement_needs_explicit_rng():
    with pytest.raises(TypeError, match="agreement_task: rng must be a numpy.random.Generator"):
        data.agreement_task(4, 2, rng=None)


# --- order task ---------------------------------------------------------------------------

def first_a_before_first_b(words):
    return int(words.index("a") < words.index("b"))


@pytest.mark.parametrize("length", [2, 8, (3, 9)])
def test_order_rule(length):
    d = data.order_task(300, length, rng=3)
    check_encoding(d)
    assert d.y.shape == (300,)
    for i in range(300):
        words = words_of(d, i)
        assert "a" in words and "b" in words
        assert d.y[i] == first_a_before_first_b(words)
        assert d.decode(i).endswith(" -> " + d.label_names[d.y[i]])
    assert 0.4 < d.y.mean() < 0.6
    if isinstance(length, tuple):
        # (min, max) is inclusive at both ends: 300 draws hit each of the 7 lengths
        assert set(d.lengths.tolist()) == set(range(3, 10)) and d.mask is not None
        assert d.x.shape[2] == 9
    else:
        assert (d.lengths == length).all() and d.x.shape[2] == length and d.mask is None


def test_order_bag_of_words_is_blind():
    """Swapping the first a with the first b keeps the bag of words and flips the label,
    and in a sample the same bags really occur with both labels."""
    d = data.order_task(2000, 5, rng=4)
    by_bag = defaultdict(set)
    for i in range(d.y.size):
        words = words_of(d, i)
        swapped = list(words)
        ia, ib = words.index("a"), words.index("b")
        swapped[ia], swapped[ib] = "b", "a"
        assert sorted(swapped) == sorted(words)
        assert first_a_before_first_b(swapped) != d.y[i]
        by_bag[tuple(sorted(words))].add(int(d.y[i]))
    # most examples (by count) sit in bags seen with both labels
    mixed = sum(1 for i in range(d.y.size) if len(by_bag[tuple(sorted(words_of(d, i)))]) == 2)
    assert mixed / d.y.size > 0.9
    # the best any function of the counts can do on this sample is close to chance
    counts = defaultdict(lambda: [0, 0])
    for i in range(d.y.size):
        counts[tuple(sorted(words_of(d, i)))][d.y[i]] += 1
    best = sum(max(c) for c in counts.values()) / d.y.size
    assert best < 0.7


def test_order_deterministic():
    a, b = data.order_task(20, (2, 6), rng=5), data.order_task(20, (2, 6), rng=5)
    np.testing.assert_array_equal(a.ids, b.ids)
    np.testing.assert_array_equal(a.mask, b.mask)


@pytest.mark.parametrize("length, match", [
    (1, "order_task: length must be at least 2, got 1"),
    ((5, 3), r"order_task: length = \(5, 3\) has max < min"),
    ((2, 3, 4), "order_task: length must be an int or a"),
])
def test_order_bad_length(length, match):
    with pytest.raises(ValueError, match=match):
        data.order_task(5, length, rng=0)


# --- name tagging -------------------------------------------------------------------------

@pytest.mark.parametrize("length", [10, (4, 12)])
def test_name_tagging_rule_depends_on_next_word(length):
    d = data.name_tagging_task(300, length, rng=6)
    check_encoding(d)
    m, T = d.ids.shape
    assert d.y.shape == (m, T)
    for i in range(m):
        words = words_of(d, i)
        for t, w in enumerate(words):
            follows = t + 1 < len(words) and words[t + 1] in data.TAGGING_SPEECH
            assert d.y[i, t] == int(w in data.TAGGING_AMBIGUOUS and follows)
        assert (d.y[i, len(words):] == 0).all()
    # the same word occurs both as a name and not, so the word alone does not decide
    real = d.ids > 0
    for k in range(1, 1 + len(data.TAGGING_AMBIGUOUS)):
        labels = set(d.y[(d.ids == k) & real].tolist())
        assert labels == {0, 1}


def test_name_tagging_decode_marks_names():
    d = data.name_tagging_task(50, 10, rng=8)
    i, t = map(int, np.argwhere(d.y == 1)[0])
    words = d.decode(i).split(" ")
    assert words[t] == d.vocab[d.ids[i, t]] + "/PER"
    assert words[t + 1] in data.TAGGING_SPEECH


@pytest.mark.parametrize("kwargs, match", [
    ({"p_name": 1.5}, "name_tagging_task: p_name must be in"),
    ({"p_name": 0.6, "p_speech": 0.6}, "p_name \\+ p_speech must be at most 1"),
])
def test_name_tagging_bad_probabilities(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.name_tagging_task(5, 4, rng=0, **kwargs)


# --- characters ---------------------------------------------------------------------------

def test_char_names_deterministic_and_lowercase():
    a = data.char_names(40, rng=9)
    assert a == data.char_names(40, rng=9)
    assert a != data.char_names(40, rng=10)
    assert all(w.isalpha() and w.islower() and len(w) >= 2 for w in a)


def test_char_dataset_targets_are_next_characters():
    words = ["ab", "bca", "c"]
    d = data.char_dataset(words)
    assert d.vocab == ("\n", "a", "b", "c")
    assert d.x.shape == (4, 3, 4) and d.y.shape == (3, 4) and d.mask.shape == (3, 4)
    for i, w in enumerate(words):
        n = len(w) + 1
        np.testing.assert_array_equal(d.mask[i], np.arange(4) < n)
        assert d.decode(d.ids[i, :n]) == "\n" + w
        assert d.decode(d.y[i, :n]) == w + "\n"
        np.testing.assert_array_equal(d.x[:, i, :n].argmax(axis=0), d.ids[i, :n])
        assert (d.x[:, i, n:] == 0).all()
    assert d.encode("cab") == [3, 1, 2]
    with pytest.raises(ValueError, match=r"CharData.encode: characters \['z'\]"):
        d.encode("z")


@pytest.mark.parametrize("words, err", [("abc", TypeError), ([], ValueError),
                                        (["a\nb"], ValueError), ([""], ValueError)])
def test_char_dataset_bad_input(words, err):
    with pytest.raises(err, match="char_dataset: words must be"):
        data.char_dataset(words)


#: English nouns whose singular and plural are the same word: as fillers they would muddy the
#: singular/plural contrast the agreement task teaches ("the cat ... fish ... was / were")
NUMBER_INVARIANT_NOUNS = ("fish", "sheep", "deer", "moose", "salmon", "trout", "bison", "swine",
                          "series", "species", "aircraft", "offspring")


def test_agreement_filler_nouns_have_an_unambiguous_number():
    vocab = set(data.AGREEMENT_VOCAB)
    assert not vocab & set(NUMBER_INVARIANT_NOUNS), sorted(vocab & set(NUMBER_INVARIANT_NOUNS))
    assert set(data.AGREEMENT_OBJECTS) <= set(data.AGREEMENT_FILLERS)
    subjects = set(data.AGREEMENT_SINGULAR) | set(data.AGREEMENT_PLURAL)
    for noun in data.AGREEMENT_OBJECTS:
        assert noun not in subjects and noun + "s" not in vocab   # singular objects only
    # no filler is a form of a subject noun either
    assert not set(data.AGREEMENT_FILLERS) & subjects


def _vocabularies():
    from rnncourse import applications as ap

    yield "agreement_task", data.agreement_task(50, 6, rng=0).vocab
    yield "order_task", data.order_task(50, rng=0).vocab
    yield "name_tagging_task", data.name_tagging_task(50, rng=0).vocab
    yield "sentiment_task", ap.sentiment_task(50, rng=0).data.vocab
    yield "ner_task", ap.ner_task(50, rng=0).vocab
    yield "dna_motif_task", ap.dna_motif_task(50, rng=0).vocab
    units = ap.units_first_task(list(range(60)))
    yield "units_first_task (source)", units.src_vocab
    yield "units_first_task (target)", units.tgt_vocab


@pytest.mark.parametrize("name, vocab", list(_vocabularies()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_vocabulary_lists_each_token_once(name, vocab):
    # AGREEMENT_VOCAB listed "the" twice: row 1 of the one-hot input was never used
    vocab = list(vocab)
    repeated = sorted({w for w in vocab if vocab.count(w) > 1})
    assert not repeated, f"{name}: {repeated} listed more than once"


def test_agreement_sentences_open_with_the_one_the():
    d = data.agreement_task(20, 6, rng=1)
    assert set(d.ids.ravel()) <= set(range(len(d.vocab)))
    assert d.vocab[d.ids[0, 0]] == "the" and d.ids[0, 0] == list(d.vocab).index("the")
