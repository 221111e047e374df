"""Tests for rnncourse.architectures: the RNN types of lesson 01."""

import numpy as np
import pytest

from rnncourse.activations import softmax
from rnncourse.architectures import (
    GeneratedSequence, encoder_decoder_forward, many_to_one_forward, one_to_many_generate,
)
from rnncourse.rnn import init_rnn_params, rnn_cell_forward, rnn_forward


def make(n_x, n_a, n_y, m, T, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    params = init_rnn_params(n_x, n_a, n_y, rng=rng, dtype=dtype)
    params["ba"] = (0.1 * rng.standard_normal((n_a, 1))).astype(dtype)
    if n_y is not None:
        params["by"] = (0.1 * rng.standard_normal((n_y, 1))).astype(dtype)
    x = rng.standard_normal((n_x, m, T)).astype(dtype)
    a0 = (0.5 * rng.standard_normal((n_a, m))).astype(dtype)
    return x, a0, params


# ----------------------------------------------------------------------------- many-to-one

@pytest.mark.parametrize("n_x,n_a,n_y,m,T", [(3, 5, 2, 4, 6), (1, 2, 1, 1, 1), (4, 3, 5, 7, 2)])
@pytest.mark.parametrize("output", ["softmax", "sigmoid", "identity"])
def test_many_to_one_equals_last_step_of_rnn_forward(n_x, n_a, n_y, m, T, output):
    x, a0, params = make(n_x, n_a, n_y, m, T)
    y_hat, a_last = many_to_one_forward(x, a0, params, output=output)
    a, y_seq, _ = rnn_forward(x, a0, params, output=output)
    assert y_hat.shape == (n_y, m) and a_last.shape == (n_a, m)
    np.testing.assert_allclose(a_last, a[:, :, -1], rtol=0, atol=1e-13)
    np.testing.assert_allclose(y_hat, y_seq[:, :, -1], rtol=0, atol=1e-13)


def test_many_to_one_uses_the_whole_sequence():
    x, a0, params = make(3, 4, 2, 5, 6)
    y_hat, _ = many_to_one_forward(x, a0, params)
    x2 = x.copy()
    x2[:, :, 0] += 1.0          # changing only the first step changes the prediction
    y_hat2, _ = many_to_one_forward(x2, a0, params)
    assert np.abs(y_hat - y_hat2).max() > 1e-6


def test_many_to_one_float32_follows_input_dtype():
    x, a0, params = make(3, 4, 2, 5, 6, dtype=np.float32)
    y_hat, a_last = many_to_one_forward(x, a0, params)
    assert y_hat.dtype == np.float32 and a_last.dtype == np.float32
    x64, a064, p64 = make(3, 4, 2, 5, 6)
    np.testing.assert_allclose(y_hat, many_to_one_forward(x64, a064, p64)[0], atol=1e-5)


def test_many_to_one_bad_inputs():
    x, a0, params = make(3, 4, 2, 5, 6)
    with pytest.raises(ValueError, match=r"many_to_one_forward: a0 must have shape \(n_a, m\) = \(4, 5\), got \(4, 6\)"):
        many_to_one_forward(x, np.zeros((4, 6)), params)
    with pytest.raises(ValueError, match=r"many_to_one_forward: x must be 3-D"):
        many_to_one_forward(x[:, :, 0], a0, params)
    with pytest.raises(ValueError, match=r"many_to_one_forward: params is missing 'Wya'"):
        many_to_one_forward(x, a0, {k: v for k, v in params.items() if k != "Wya"})
    with pytest.raises(ValueError, match=r"many_to_one_forward: output must be one of"):
        many_to_one_forward(x, a0, params, output="tanh")
    with pytest.raises(TypeError, match=r"many_to_one_forward: x must be a numpy.ndarray, got list"):
        many_to_one_forward(x.tolist(), a0, params)
    with pytest.raises(ValueError, match=r"many_to_one_forward: x has T_x = 0"):
        many_to_one_forward(np.zeros((3, 5, 0)), a0, params)
    bad = x.copy()
    bad[0, 0, 2] = np.nan
    with pytest.raises(ValueError, match=r"many_to_one_forward: x must be finite"):
        many_to_one_forward(bad, a0, params)


# ----------------------------------------------------------------------------- one-to-many

def make_generator(n_v=5, n_a=6, m=4, seed=1, dtype=np.float64):
    x, a0, params = make(n_v, n_a, n_v, m, 1, seed=seed, dtype=dtype)
    params["by"] = params["by"] * 10   # a peaked, non-uniform distribution
    return np.zeros((n_v, m), dtype), a0, params


def test_generate_shapes_and_one_hot():
    x1, a0, params = make_generator()
    out = one_to_many_generate(x1, a0, params, 7, rng=np.random.default_rng(0))
    assert isinstance(out, GeneratedSequence)
    y, idx, y_hat, a = out
    assert y.shape == (5, 4, 7) and idx.shape == (4, 7) and y_hat.shape == (5, 4, 7)
    assert a.shape == (6, 4, 7) and idx.dtype == np.int64
    np.testing.assert_array_equal(y.sum(axis=0), 1.0)
    np.testing.assert_array_equal(y.argmax(axis=0), idx)
    np.testing.assert_allclose(y_hat.sum(axis=0), 1.0, atol=1e-12)


def test_generate_feeds_each_token_back_as_next_input():
    # rerunning the tokens through rnn_forward (first input x1, then y<1..T_y-1>) must
    # reproduce the same distributions and hidden states
    x1, a0, params = make_generator()
    y, _, y_hat, a = one_to_many_generate(x1, a0, params, 6, rng=7)
    inputs = np.concatenate([x1[:, :, None], y[:, :, :-1]], axis=2)   # (n_x, m, T_y)
    a_ref, y_hat_ref, _ = rnn_forward(inputs, a0, params)
    np.testing.assert_allclose(a, a_ref, atol=1e-13)
    np.testing.assert_allclose(y_hat, y_hat_ref, atol=1e-13)


def test_generate_sampling_matches_rng_choice_loop():
    x1, a0, params = make_generator(m=3)
    T_y = 8
    y, idx, y_hat, _ = one_to_many_generate(x1, a0, params, T_y, rng=np.random.default_rng(42))
    rng = np.random.default_rng(42)
    a, x_t = a0, x1
    for t in range(T_y):
        a, probs, _ = rnn_cell_forward(x_t, a, params)
        k = [rng.choice(5, p=probs[:, i]) for i in range(3)]
        np.testing.assert_array_equal(idx[:, t], k)
        x_t = np.eye(5)[:, k]


def test_generate_is_deterministic_for_a_seed_and_varies_across_seeds():
    x1, a0, params = make_generator(m=8)
    first = one_to_many_generate(x1, a0, params, 10, rng=np.random.default_rng(3)).indices
    again = one_to_many_generate(x1, a0, params, 10, rng=3).indices
    other = one_to_many_generate(x1, a0, params, 10, rng=4).indices
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_generate_greedy_takes_argmax_and_needs_no_rng():
    x1, a0, params = make_generator()
    _, idx, y_hat, _ = one_to_many_generate(x1, a0, params, 5, greedy=True)
    np.testing.assert_array_equal(idx, y_hat.argmax(axis=0))


def test_generate_temperature_rescales_logits():
    x1, a0, params = make_generator()
    _, idx, y_hat_cold, a = one_to_many_generate(x1, a0, params, 4, rng=0, temperature=0.5)
    inputs = np.concatenate([x1[:, :, None], np.eye(5)[:, idx[:, :-1]]], axis=2)
    _, logits, _ = rnn_forward(inputs, a0, params, output="identity")
    np.testing.assert_allclose(y_hat_cold, softmax(logits / 0.5), atol=1e-13)
    # colder -> more peaked than the plain softmax of the same logits
    assert (y_hat_cold.max(axis=0) >= softmax(logits).max(axis=0) - 1e-15).all()
    # a tiny temperature still gives finite distributions and equals greedy decoding
    sharp = one_to_many_generate(x1, a0, params, 4, rng=0, temperature=1e-3)
    assert np.isfinite(sharp.y_hat).all()
    np.testing.assert_array_equal(sharp.indices, one_to_many_generate(x1, a0, params, 4, greedy=True).indices)


def test_generate_T_y_one_and_float32():
    x1, a0, params = make_generator(dtype=np.float32)
    out = one_to_many_generate(x1, a0, params, 1, rng=0)
    assert out.y.shape == (5, 4, 1)
    assert out.y.dtype == np.float32 and out.y_hat.dtype == np.float32 and out.a.dtype == np.float32


def test_generate_bad_inputs():
    x1, a0, params = make_generator()
    with pytest.raises(TypeError, match=r"one_to_many_generate: sampling needs rng"):
        one_to_many_generate(x1, a0, params, 3)
    with pytest.raises(TypeError, match=r"one_to_many_generate: rng must be a numpy.random.Generator"):
        one_to_many_generate(x1, a0, params, 3, rng=np.random.RandomState(0))
    with pytest.raises(ValueError, match=r"one_to_many_generate: T_y must be at least 1, got 0"):
        one_to_many_generate(x1, a0, params, 0, rng=0)
    with pytest.raises(TypeError, match=r"one_to_many_generate: T_y must be an int, got float"):
        one_to_many_generate(x1, a0, params, 3.0, rng=0)
    with pytest.raises(ValueError, match=r"temperature must be a finite number > 0, got 0"):
        one_to_many_generate(x1, a0, params, 3, rng=0, temperature=0)
    _, _, p3 = make(5, 6, 3, 4, 1)
    with pytest.raises(ValueError, match=r"n_y must equal n_x = 5 \(set by x1\), got n_y = 3"):
        one_to_many_generate(x1, a0, p3, 3, rng=0)
    with pytest.raises(ValueError, match=r"one_to_many_generate: a0 must have shape \(n_a, m\) = \(6, 4\), got \(6, 2\)"):
        one_to_many_generate(x1, a0[:, :2], params, 3, rng=0)


# ----------------------------------------------------------------------------- encoder-decoder

def make_translation(n_x=4, n_a=5, n_y=3, m=2, T_x=6, seed=2, dtype=np.float64):
    x, a0, enc = make(n_x, n_a, None, m, T_x, seed=seed, dtype=dtype)
    _, _, dec = make(n_y, n_a, n_y, m, 1, seed=seed + 1, dtype=dtype)
    return x, a0, enc, dec


@pytest.mark.parametrize("T_x,T_y", [(6, 3), (2, 5), (1, 1), (4, 4)])
def test_encoder_decoder_equals_two_rnn_forwards(T_x, T_y):
    x, a0, enc, dec = make_translation(T_x=T_x)
    y_hat = encoder_decoder_forward(x, a0, enc, dec, T_y)
    assert y_hat.shape == (3, 2, T_y)
    e, _, _ = rnn_forward(x, a0, enc, output=None)
    x_dec = np.concatenate([np.zeros((3, 2, 1)), y_hat[:, :, :-1]], axis=2)  # [0, y_hat<1..T_y-1>]
    _, y_ref, _ = rnn_forward(x_dec, e[:, :, -1], dec)
    np.testing.assert_allclose(y_hat, y_ref, atol=1e-13)


def test_encoder_decoder_output_depends_on_every_input_step():
    x, a0, enc, dec = make_translation()
    y_hat = encoder_decoder_forward(x, a0, enc, dec, 3)
    for t in range(x.shape[2]):
        x2 = x.copy()
        x2[:, :, t] += 1.0
        assert np.abs(encoder_decoder_forward(x2, a0, enc, dec, 3) - y_hat).max() > 1e-8


def test_encoder_decoder_float32_and_sigmoid():
    x, a0, enc, dec = make_translation(dtype=np.float32)
    y_hat = encoder_decoder_forward(x, a0, enc, dec, 4, output="sigmoid")
    assert y_hat.dtype == np.float32
    assert ((y_hat > 0) & (y_hat < 1)).all()


def test_encoder_decoder_bad_inputs():
    x, a0, enc, dec = make_translation()
    with pytest.raises(ValueError, match=r"encoder_decoder_forward: dec_params\['Wax'\] must have shape "
                                         r"\(n_a, n_y\) = \(5, 3\), got \(5, 4\) \(n_y = 3 was set by dec_params\['Wya'\]\)"):
        encoder_decoder_forward(x, a0, enc, {**dec, "Wax": np.zeros((5, 4))}, 3)
    with pytest.raises(ValueError, match=r"encoder_decoder_forward: dec_params\['Waa'\] must have shape \(n_a, n_a\) = \(5, 5\)"):
        encoder_decoder_forward(x, a0, enc, {**dec, "Waa": np.zeros((4, 4))}, 3)
    with pytest.raises(ValueError, match=r"encoder_decoder_forward: enc_params is missing 'Waa'"):
        encoder_decoder_forward(x, a0, {k: v for k, v in enc.items() if k != "Waa"}, dec, 3)
    with pytest.raises(ValueError, match=r"encoder_decoder_forward: dec_params is missing 'Wya'"):
        encoder_decoder_forward(x, a0, enc, {k: v for k, v in dec.items() if k != "Wya"}, 3)
    with pytest.raises(TypeError, match=r"encoder_decoder_forward: dec_params must be a dict"):
        encoder_decoder_forward(x, a0, enc, None, 3)
    with pytest.raises(ValueError, match=r"encoder_decoder_forward: T_y must be at least 1"):
        encoder_decoder_forward(x, a0, enc, dec, -2)
    with pytest.raises(ValueError, match=r"encoder_decoder_forward: output must be one of"):
        encoder_decoder_forward(x, a0, enc, dec, 3, output=None)
