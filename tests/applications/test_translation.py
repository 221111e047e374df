"""Tests for the lesson-11 translation task: units-first number words to digits."""

import numpy as np
import pytest

from rnncourse.applications import translation as tr


def _read_units_first(text: str) -> int:
    """An independent parser of the units-first language."""
    value = {w: i for i, w in enumerate(tr._UNITS)}
    value.update({w: 10 + i for i, w in enumerate(tr._TEENS)})
    value.update({w: 10 * i for i, w in enumerate(tr._TENS) if w})
    words = text.split()
    total = 0
    if "hundred" in words:
        total = 100 * value[words[0]]
        words = words[2:]
    if "and" in words:
        total += value[words[0]] + value[words[2]]
    elif words:
        total += sum(value[w] for w in words)
    return total


def test_units_first_words_read_back_to_every_number():
    for k in range(1000):
        words = tr.number_words_units_first(k)
        assert _read_units_first(words) == k
        assert ("and" in words) == (k % 100 >= 21 and k % 10 != 0)
    assert tr.number_words_units_first(325) == "three hundred five and twenty"


def test_task_layout_teacher_forcing_and_masks():
    d = tr.units_first_task([325, 7, 40])
    assert d.src_ids.shape == (3, 5) and d.tgt_out.shape == (3, 4)
    assert d.decode_target(d.tgt_out[0]) == "325"
    go, eos = d.tgt_vocab.index(tr.GO), d.tgt_vocab.index(tr.EOS)
    np.testing.assert_array_equal(d.tgt_in[:, 0], go)
    real = d.tgt_mask > 0
    # the decoder input is the target shifted right by one step
    np.testing.assert_array_equal(d.tgt_in[:, 1:][real[:, 1:]], d.tgt_out[:, :-1][real[:, 1:]])
    assert [row[m > 0][-1] for row, m in zip(d.tgt_out, d.tgt_mask)] == [eos] * 3
    np.testing.assert_array_equal(d.src_mask.sum(axis=1), [5, 1, 1])
    assert (d.src_ids[d.src_mask == 0] == 0).all()


def test_word_by_word_fails_exactly_where_reordering_or_zeros_are_needed():
    assert tr.word_by_word("forty two") == "42"
    assert tr.word_by_word("two and forty") == "24"
    assert tr.word_by_word("three hundred five") == "35"
    right = [k for k in range(1000) if tr.word_by_word(tr.number_words_units_first(k)) == str(k)]
    # right only with nothing to reorder (or equal digits) and no zero to invent
    rests = list(range(10, 20)) + [11 * d for d in range(2, 10)]
    assert right == list(range(20)) + [11 * d for d in range(2, 10)] + [
        h * 100 + r for h in range(1, 10) for r in sorted(rests)]
    with pytest.raises(ValueError, match="word_by_word: unknown words"):
        tr.word_by_word("forty zwei")


def test_token_accuracy_counts_real_steps_only():
    y_true = np.array([[3, 2, 5, 0], [1, 0, 0, 0]])
    y_pred = np.array([[3, 5, 2, 9], [1, 4, 4, 4]])
    mask = np.array([[1, 1, 1, 0], [1, 0, 0, 0]])
    assert tr.token_accuracy(y_pred, y_true, mask) == pytest.approx(2 / 4)
    with pytest.raises(ValueError, match="token_accuracy: mask has no real step"):
        tr.token_accuracy(y_pred, y_true, 0 * mask)
