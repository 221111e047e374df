"""Tests for rnncourse.embedding and rnncourse.seq2seq (lesson 11)."""

import itertools

import numpy as np
import pytest

from rnncourse import seq2seq as s2
from rnncourse.activations import softmax
from rnncourse.data import one_hot
from rnncourse.embedding import embedding_backward, embedding_forward
from rnncourse.gradcheck import gradient_check


def test_embedding_forward_is_the_product_with_one_hot_vectors():
    rng = np.random.default_rng(0)
    E = rng.standard_normal((3, 7))
    ids = rng.integers(0, 7, size=(4, 5))
    e = embedding_forward(ids, E)
    assert e.shape == (3, 4, 5)
    np.testing.assert_allclose(e, np.einsum("ev,vmt->emt", E, one_hot(ids, 7)))


def test_embedding_backward_adds_repeated_tokens_and_matches_finite_differences():
    rng = np.random.default_rng(1)
    E = rng.standard_normal((3, 6))
    ids = np.array([[1, 1, 2], [1, 4, 4]])                     # token 1 three times, 0/3/5 never
    W = rng.standard_normal((3, 2, 3))
    dE = embedding_backward(W, ids, 6)                          # loss = sum(W * e)
    errors = gradient_check(lambda: float((W * embedding_forward(ids, E)).sum()), {"E": E}, {"dE": dE})
    assert errors["dE"] < 1e-8
    np.testing.assert_allclose(dE[:, 1], W[:, 0, 0] + W[:, 0, 1] + W[:, 1, 0])
    assert not dE[:, [0, 3, 5]].any()


def test_embedding_bad_input_names_function_and_argument():
    with pytest.raises(TypeError, match="embedding_forward: ids must be an integer array"):
        embedding_forward(np.zeros((2, 2)), np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"embedding_forward: ids must lie in \[0, n_vocab\) = \[0, 4\)"):
        embedding_forward(np.array([[4]]), np.zeros((3, 4)))
    with pytest.raises(ValueError, match="embedding_backward: de must have shape"):
        embedding_backward(np.zeros((3, 2, 2)), np.zeros((2, 3), dtype=int), 4)


def _toy(cell, seed=0, m=3, T_x=4, T_y=3):
    rng = np.random.default_rng(seed)
    params = s2.init_seq2seq_params(6, 5, 3, 4, cell=cell, rng=rng)
    for k in params:                                             # non-zero biases too
        params[k] = params[k] + 0.3 * rng.standard_normal(params[k].shape)
    src = rng.integers(1, 6, size=(m, T_x))
    mask = np.ones((m, T_x))
    mask[0, 2:] = 0
    src[0, 2:] = 0
    tgt_in = rng.integers(0, 5, size=(m, T_y))
    tgt_out = rng.integers(0, 5, size=(m, T_y))
    tmask = np.ones((m, T_y))
    tmask[1, 2] = 0
    return params, src, mask, tgt_in, tgt_out, tmask


def _manual_forward(params, src, mask, tgt_in):
    """An independent loop over steps, plain RNN cell, the course's equations."""
    m = src.shape[0]
    a = np.zeros((params["Wy"].shape[1], m))
    for t in range(src.shape[1]):
        e = params["E_x"][:, src[:, t]]
        new = np.tanh(params["enc_Waa"] @ a + params["enc_Wax"] @ e + params["enc_ba"])
        a = np.where(mask[:, t][None] > 0, new, a)
    s = a.copy()
    ys = []
    for t in range(tgt_in.shape[1]):
        d = params["E_y"][:, tgt_in[:, t]]
        a = np.tanh(params["dec_Waa"] @ a + params["dec_Wax"] @ d + params["dec_ba"])
        ys.append(softmax(params["Wy"] @ a + params["by"]))
    return np.stack(ys, axis=2), s


def test_forward_matches_an_independent_step_loop_and_padding_keeps_the_summary():
    params, src, mask, tgt_in, _, _ = _toy("rnn")
    y_hat, s = s2.seq2seq_forward(src, tgt_in, params, mask)
    y_ref, s_ref = _manual_forward(params, src, mask, tgt_in)
    np.testing.assert_allclose(y_hat, y_ref, rtol=1e-10)
    np.testing.assert_allclose(s, s_ref, rtol=1e-10)
    # example 0 has 2 real words: its summary is the state after its second word
    y2, s2_ = s2.seq2seq_forward(src[:1, :2], tgt_in[:1], params)
    np.testing.assert_allclose(s2_[:, 0], s[:, 0])


def test_encoder_and_decoder_have_separate_weights():
    params, src, mask, tgt_in, _, _ = _toy("gru")
    y0, _ = s2.seq2seq_forward(src, tgt_in, params, mask)
    changed = dict(params, dec_Wc=params["dec_Wc"] + 0.5)
    y1, s1 = s2.seq2seq_forward(src, tgt_in, changed, mask)
    _, s0 = s2.seq2seq_forward(src, tgt_in, params, mask)
    np.testing.assert_allclose(s0, s1)                           # the encoder did not move
    assert not np.allclose(y0, y1)


@pytest.mark.parametrize("cell", ["rnn", "gru"])
def test_gradients_match_finite_differences(cell):
    params, src, mask, tgt_in, tgt_out, tmask = _toy(cell, seed=3)
    loss, grads = s2.seq2seq_loss_and_grads(src, tgt_in, tgt_out, params, mask, tmask)
    assert set(grads) == {"d" + k for k in params}
    y_hat, _ = s2.seq2seq_forward(src, tgt_in, params, mask)
    p = y_hat[tgt_out, np.arange(3)[:, None], np.arange(3)[None, :]]
    assert loss == pytest.approx(-(tmask * np.log(p)).sum() / 3)

    def f():
        return s2.seq2seq_loss_and_grads(src, tgt_in, tgt_out, params, mask, tmask)[0]

    errors = gradient_check(f, params, grads)
    assert max(errors.values()) < 1e-6, errors


def _brute_force_best(params, src, T_y, go, eos):
    """Score every sequence of T_y tokens (padding after eos) by teacher forcing."""
    n_y = params["E_y"].shape[1]
    best, best_seq = -np.inf, None
    for seq in itertools.product(range(n_y), repeat=T_y):
        seq = list(seq)
        if eos in seq:
            k = seq.index(eos)
            if any(seq[k + 1:]):
                continue                                     # only padding after eos
            seq_len = k + 1
        else:
            seq_len = T_y
        tgt_in = np.array([[go] + seq[: seq_len - 1]])
        y_hat, _ = s2.seq2seq_forward(src[None], tgt_in, params)
        score = float(np.log(y_hat[seq[:seq_len], 0, np.arange(seq_len)]).sum())
        if score > best + 1e-12:
            best, best_seq = score, seq
    return best_seq, best


def test_wide_beam_finds_the_most_likely_sequence_and_width_one_is_greedy():
    params, src, mask, _, _, _ = _toy("gru", seed=5)
    src = src[1:]
    go, eos = 1, 2
    greedy = s2.greedy_decode(src, params, 3, go, eos=eos)
    one, _ = s2.beam_search(src, params, 1, 3, go, eos)
    np.testing.assert_array_equal(one, greedy)
    wide, scores = s2.beam_search(src, params, 125, 3, go, eos)
    for i in range(src.shape[0]):
        seq, score = _brute_force_best(params, src[i], 3, go, eos)
        np.testing.assert_array_equal(wide[i], seq)
        assert scores[i] == pytest.approx(score)
    # a beam never scores worse than greedy
    _, s1 = s2.beam_search(src, params, 1, 3, go, eos)
    _, s3 = s2.beam_search(src, params, 3, 3, go, eos)
    assert (s3 >= s1 - 1e-12).all()


def test_training_lowers_the_loss():
    params, src, mask, tgt_in, tgt_out, tmask = _toy("gru", m=3)
    before = s2.seq2seq_loss_and_grads(src, tgt_in, tgt_out, params, mask, tmask)[0]
    h = s2.train_seq2seq(params, src, tgt_in, tgt_out, epochs=30, learning_rate=0.05,
                         src_mask=mask, tgt_mask=tmask, rng=0)
    assert h.loss[-1] < 0.5 * before


def test_seq2seq_bad_input():
    params, src, mask, tgt_in, _, _ = _toy("rnn")
    with pytest.raises(ValueError, match="seq2seq_forward: params must hold enc_"):
        s2.seq2seq_forward(src, tgt_in, {"E_x": params["E_x"]})
    with pytest.raises(ValueError, match="seq2seq_forward: tgt_in must have m = 3 rows"):
        s2.seq2seq_forward(src, tgt_in[:2], params)
    with pytest.raises(ValueError, match="beam_search: beam_width must be at least 1"):
        s2.beam_search(src, params, 0, 3, 1, 2)
    with pytest.raises(ValueError, match="init_seq2seq_params: cell must be one of"):
        s2.init_seq2seq_params(3, 3, 2, 2, cell="lstm", rng=0)


@pytest.mark.parametrize("cell", ["rnn", "gru"])
def test_attention_gradients_match_finite_differences_and_weights_skip_padding(cell):
    rng = np.random.default_rng(7)
    params = s2.init_attention_params(6, 5, 3, 4, cell=cell, rng=rng)
    for k in params:
        params[k] = params[k] + 0.3 * rng.standard_normal(params[k].shape)
    _, src, mask, tgt_in, tgt_out, tmask = _toy(cell, seed=8)
    y_hat, alpha = s2.attention_forward(src, tgt_in, params, mask)
    np.testing.assert_allclose(alpha.sum(axis=2), 1.0)
    assert not alpha[0][:, 2:].any()                              # example 0's padded steps
    np.testing.assert_allclose(y_hat.sum(axis=0), 1.0)
    loss, grads = s2.attention_loss_and_grads(src, tgt_in, tgt_out, params, mask, tmask)

    def f():
        return s2.attention_loss_and_grads(src, tgt_in, tgt_out, params, mask, tmask)[0]

    errors = gradient_check(f, params, grads)
    assert max(errors.values()) < 1e-6, errors


def test_attention_greedy_decode_agrees_with_teacher_forcing_on_its_own_output():
    rng = np.random.default_rng(9)
    params = s2.init_attention_params(6, 5, 3, 4, rng=rng)
    _, src, mask, _, _, _ = _toy("gru", seed=10)
    out, alpha = s2.attention_greedy_decode(src, params, 3, 1, src_mask=mask)
    tgt_in = np.concatenate([np.ones((3, 1), dtype=int), out[:, :-1]], axis=1)
    y_hat, alpha_forced = s2.attention_forward(src, tgt_in, params, mask)
    np.testing.assert_array_equal(y_hat.argmax(axis=0), out)
    np.testing.assert_allclose(alpha, alpha_forced)
    with pytest.raises(ValueError, match=r"attention_forward: params\['Wy'\] must have shape"):
        s2.attention_forward(src, tgt_in, s2.init_seq2seq_params(6, 5, 3, 4, rng=0), mask)
