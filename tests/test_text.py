"""The text of lesson 10: cleaning, vocabulary, corpus split, one-hot."""

import numpy as np
import pytest

from rnncourse.text import (EOS, build_vocabulary, clean_text, load_corpus,
                            load_documents, one_hot)


def test_clean_text_folds_lowercases_and_shortens_runs():
    raw = "The \u201cIF\u201d   statement\u2014really\u2026  \n\n\n\n-------- x\u00e9 "
    assert clean_text(raw) == 'the "if" statement-really...\n\n--- x'
    with pytest.raises(TypeError, match="clean_text: text must be a str, got bytes"):
        clean_text(b"abc")


def test_vocabulary_starts_with_eos_and_round_trips():
    vocab = build_vocabulary(["hello", "world\n"])
    assert vocab.chars[0] == EOS and len(vocab) == len(set("helloworld\n")) + 1
    assert list(vocab.chars[1:]) == sorted(vocab.chars[1:])
    ids = vocab.encode("hello\nworld")
    assert ids.dtype == np.int64 and 0 not in ids
    assert vocab.decode(ids) == "hello\nworld"
    with pytest.raises(ValueError, match=r"character 'z' is not in the vocabulary"):
        vocab.encode("zoo")
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 9\)"):
        vocab.decode(np.array([1, 9]))
    with pytest.raises(ValueError, match="contain the EOS symbol"):
        build_vocabulary(["a" + EOS])


def test_corpus_is_real_text_split_by_whole_documents_deterministically():
    docs = load_documents()
    assert len(docs) > 50 and sum(len(t) for _, t in docs) > 300_000
    a, b = load_corpus(), load_corpus()
    np.testing.assert_array_equal(a.held_out_ids, b.held_out_ids)
    assert not set(a.train_topics) & set(a.held_out_topics)
    assert set(a.train_topics) | set(a.held_out_topics) == {n for n, _ in docs}
    assert 0.05 < a.held_out_ids.size / (a.train_ids.size + a.held_out_ids.size) < 0.15
    # every document ends with EOS: as many EOS as documents
    assert (a.train_ids == 0).sum() == len(a.train_topics)
    assert (a.held_out_ids == 0).sum() == len(a.held_out_topics)
    text = a.vocab.decode(a.held_out_ids)
    first = dict(docs)[a.held_out_topics[0]]
    assert text.startswith(first + EOS)


def test_one_hot_puts_one_one_per_column_and_names_bad_ids():
    ids = np.array([[0, 2, 1], [3, 3, 0]])
    x = one_hot(ids, 4)
    assert x.shape == (4, 2, 3)
    np.testing.assert_array_equal(x.sum(axis=0), np.ones((2, 3)))
    np.testing.assert_array_equal(x.argmax(axis=0), ids)
    with pytest.raises(ValueError, match=r"one_hot: ids must lie in \[0, n\) = \[0, 3\)"):
        one_hot(ids, 3)
    with pytest.raises(ValueError, match="integer array"):
        one_hot(ids.astype(float), 4)
    with pytest.raises(TypeError, match="numpy.ndarray"):
        one_hot([[0, 1]], 4)


def test_a_python_without_the_help_pages_is_told_what_is_missing(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pydoc_data.topics", None)   # makes the import fail
    monkeypatch.delitem(sys.modules, "pydoc_data", raising=False)
    with pytest.raises(RuntimeError, match="load_documents: this Python has no pydoc_data.topics"):
        load_documents()
