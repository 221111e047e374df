"""The character-level language model of lesson 10: gradients, truncated BPTT, masks, errors."""

import math

import numpy as np
import pytest

from rnncourse.activations import softmax
from rnncourse.gradcheck import numerical_gradient, relative_error
from rnncourse.language_model import (bptt_gradients, bracket_probe, cache_nbytes,
                                      evaluate_perplexity, init_lm_params, init_state,
                                      lm_backward, lm_forward, lm_loss, ngram_perplexity,
                                      perplexity, sample, softmax_output_backward, text_batches,
                                      train_language_model, train_step)
from rnncourse.optim import Adam, adam_update, clip_by_norm, init_adam_state
from rnncourse.text import build_vocabulary, one_hot

CELLS = ("rnn", "gru", "lstm")
N_Y, N_A, M, T = 6, 4, 3, 5


def _data(rng, m=M, T=T, n_y=N_Y):
    ids = rng.integers(0, n_y, size=(m, T + 1))
    return ids[:, :-1], ids[:, 1:]


def _state(rng, cell, m=M):
    a0 = rng.standard_normal((N_A, m)) * 0.5
    return (a0, rng.standard_normal((N_A, m)) * 0.5) if cell == "lstm" else a0


def _output_case(rng, masked):
    a = np.tanh(rng.standard_normal((N_A, M, T)))
    Wya, by = rng.standard_normal((N_Y, N_A)), rng.standard_normal((N_Y, 1))
    y = one_hot(rng.integers(0, N_Y, size=(M, T)), N_Y)
    mask = (rng.random((M, T)) < 0.6).astype(float) if masked else None
    return a, Wya, by, y, mask


@pytest.mark.parametrize("masked", [False, True])
def test_softmax_output_backward_passes_the_gradient_check(rng, masked):
    a, Wya, by, y, mask = _output_case(rng, masked)
    z = np.einsum("ya,amt->ymt", Wya, a) + by[:, :, None]
    grads = softmax_output_backward(softmax(z), y, a, Wya, mask)
    arrays = {"z_y": z, "Wya": Wya, "by": by, "a": a}

    def from_z():
        return lm_loss(softmax(arrays["z_y"]), y, mask)

    def from_params():
        zz = np.einsum("ya,amt->ymt", arrays["Wya"], arrays["a"]) + arrays["by"][:, :, None]
        return lm_loss(softmax(zz), y, mask)

    num = numerical_gradient(from_z, {"z_y": arrays["z_y"]})
    num.update(numerical_gradient(from_params, {k: arrays[k] for k in ("Wya", "by", "a")}))
    for k in ("dz_y", "dWya", "dby", "da"):
        assert relative_error(num[k], grads[k]) < 1e-7, k
    # the closed form: (y_hat - y) * mask / m
    expected = (softmax(z) - y) / M * (1 if mask is None else mask[None])
    np.testing.assert_allclose(grads["dz_y"], expected, rtol=1e-12)


@pytest.mark.parametrize("cell", CELLS)
def test_lm_backward_passes_the_gradient_check_for_every_cell(rng, cell):
    params = init_lm_params(N_Y, N_A, rng=rng, cell=cell)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in params.items()}
    x, y = _data(rng)
    a0 = _state(rng, cell)
    _, _, cache = lm_forward(x, a0, params, cell)
    grads = lm_backward(y, cache)
    assert set(grads) == {"d" + k for k in params} | {"da0"}

    def objective():
        return lm_loss(lm_forward(x, a0, params, cell)[0], y)

    num = numerical_gradient(objective, params)
    for k, g in num.items():
        assert relative_error(g, grads[k]) < 1e-6, k


@pytest.mark.parametrize("cell", CELLS)
def test_truncated_bptt_equals_full_bptt_when_the_chunk_covers_the_sequence(rng, cell):
    params = init_lm_params(N_Y, N_A, rng=rng, cell=cell)
    x, y = _data(rng, T=12)
    a0 = _state(rng, cell)
    y_hat, _, cache = lm_forward(x, a0, params, cell)
    full = lm_backward(y, cache)
    for chunk in (12, 40):
        loss, grads = bptt_gradients(params, x, y, a0, chunk, cell)
        assert math.isclose(loss, lm_loss(y_hat, y), rel_tol=1e-12)
        for k, g in grads.items():
            np.testing.assert_allclose(g, full[k], rtol=1e-10, atol=1e-12, err_msg=k)
    # shorter chunks carry the state (same loss) but cut the gradient (different grads)
    loss4, grads4 = bptt_gradients(params, x, y, a0, 4, cell)
    assert math.isclose(loss4, lm_loss(y_hat, y), rel_tol=1e-12)
    assert relative_error(grads4["dWya"], full["dWya"]) < 1e-12   # output layer: no recurrence
    recurrent = [k for k in grads4 if k not in ("dWya", "dby")]
    assert max(relative_error(grads4[k], full[k]) for k in recurrent) > 1e-4


def test_the_mask_drops_padded_steps_from_loss_gradient_and_perplexity(rng):
    a, Wya, by, y, _ = _output_case(rng, False)
    z = np.einsum("ya,amt->ymt", Wya, a) + by[:, :, None]
    y_hat = softmax(z)
    mask = np.ones((M, T))
    mask[0, 3:] = 0
    mask[2, 1:] = 0
    changed = y.copy()
    changed[:, 0, 3:] = np.roll(changed[:, 0, 3:], 1, axis=0)     # other targets where padded
    assert lm_loss(y_hat, y, mask) == lm_loss(y_hat, changed, mask)
    assert lm_loss(y_hat, y, mask) != lm_loss(y_hat, changed)
    g = softmax_output_backward(y_hat, y, a, Wya, mask)
    assert np.all(g["dz_y"][:, 0, 3:] == 0) and np.all(g["dz_y"][:, 2, 1:] == 0)
    # perplexity averages over the real characters only
    logp = np.log((y_hat * y).sum(axis=0))
    assert math.isclose(perplexity(y_hat, y, mask), math.exp(-(logp * mask).sum() / mask.sum()),
                        rel_tol=1e-12)
    assert math.isclose(lm_loss(y_hat, y, mask), -(logp * mask).sum() / M, rel_tol=1e-12)
    # integer targets give the same numbers as one-hot ones
    ids = y.argmax(axis=0)
    assert lm_loss(y_hat, ids, mask) == lm_loss(y_hat, y, mask)


def test_uniform_predictions_have_perplexity_n_y():
    y_hat = np.full((N_Y, M, T), 1.0 / N_Y)
    y = np.zeros((M, T), dtype=np.int64)
    assert math.isclose(perplexity(y_hat, y), N_Y, rel_tol=1e-12)
    assert math.isclose(lm_loss(y_hat, y), T * math.log(N_Y), rel_tol=1e-12)


def test_bad_inputs_are_named():
    y_hat = np.full((N_Y, M, T), 1.0 / N_Y)
    with pytest.raises(ValueError, match=r"lm_loss: mask must have shape \(m, T_x\) = \(3, 5\)"):
        lm_loss(y_hat, np.zeros((M, T), dtype=int), np.ones((T, M)))
    with pytest.raises(ValueError, match="lm_loss: y must be one-hot"):
        lm_loss(y_hat, np.full((N_Y, M, T), 0.5))
    with pytest.raises(ValueError, match=r"lm_loss: integer targets y must have shape \(m, T_y\)"):
        lm_loss(y_hat, np.zeros((M, T + 1), dtype=int))
    with pytest.raises(ValueError, match="perplexity: the mask leaves no character"):
        perplexity(y_hat, np.zeros((M, T), dtype=int), np.zeros((M, T)))
    with pytest.raises(ValueError, match=r"softmax_output_backward: a must have shape"):
        softmax_output_backward(y_hat, np.zeros((M, T), dtype=int), np.zeros((N_A, M, T + 1)),
                                np.zeros((N_Y, N_A)))
    params = init_lm_params(N_Y, N_A, rng=0)
    with pytest.raises(ValueError, match=r"lm_forward: x must lie in \[0, n_y\) = \[0, 6\)"):
        lm_forward(np.array([[6]]), np.zeros((N_A, 1)), params)
    with pytest.raises(TypeError, match=r"lm_forward: x must be a numpy.ndarray, got list"):
        lm_forward([[1]], np.zeros((N_A, 1)), params)
    with pytest.raises(TypeError, match=r"train_step: y must be an integer array of token ids of "
                                        r"shape \(m, T\), got dtype float64 and shape \(1, 2\)"):
        train_step(params, init_adam_state(params), np.array([[1, 2]]), np.array([[1.0, 2.0]]),
                   np.zeros((N_A, 1)), 0.01, 5.0)
    with pytest.raises(ValueError,
                       match=r"lm_forward: x must have m >= 1 and T >= 1, got shape \(1, 0\)"):
        lm_forward(np.zeros((1, 0), dtype=int), np.zeros((N_A, 1)), params)
    with pytest.raises(ValueError, match=r"train_step: y must lie in \[0, n_y\) = \[0, 6\), "
                                         r"got values in \[-1, 1\]"):
        train_step(params, init_adam_state(params), np.array([[1, 2]]), np.array([[1, -1]]),
                   np.zeros((N_A, 1)), 0.01, 5.0)
    with pytest.raises(ValueError, match=r"lm_forward: a0 must have shape \(n_a, m\)"):
        lm_forward(np.array([[1, 2]]), np.zeros((N_A, 2)), params)
    with pytest.raises(TypeError, match=r"LSTM's state a0 must be the pair \(a0, c0\)"):
        lm_forward(np.array([[1]]), np.zeros((N_A, 1)), init_lm_params(N_Y, N_A, rng=0,
                                                                       cell="lstm"), "lstm")
    with pytest.raises(ValueError, match="cell must be one of"):
        lm_forward(np.array([[1]]), np.zeros((N_A, 1)), params, "transformer")
    with pytest.raises(ValueError, match="sample: temperature must be a positive"):
        sample(params, 0, 0.0)
    with pytest.raises(TypeError, match="sample: rng must be"):
        sample(params, None)
    with pytest.raises(ValueError, match="text_batches: 10 characters cannot fill m = 4"):
        next(text_batches(np.arange(10), 4, 3))


@pytest.mark.parametrize("cell", CELLS)
def test_train_step_is_forward_backward_clip_adam_and_leaves_its_inputs(rng, cell):
    params = init_lm_params(N_Y, N_A, rng=rng, cell=cell)
    before = {k: v.copy() for k, v in params.items()}
    adam = init_adam_state(params)
    x, y = _data(rng)
    a0 = _state(rng, cell)
    new, adam1, loss, a_last = train_step(params, adam, x, y, a0, 0.05, 0.5, cell)
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
    assert adam["t"] == 0 and adam1["t"] == 1
    y_hat, last, cache = lm_forward(x, a0, params, cell)
    assert loss == lm_loss(y_hat, y)
    for got, want in zip(a_last if cell == "lstm" else [a_last], last if cell == "lstm" else [last]):
        np.testing.assert_array_equal(got, want)
    grads = lm_backward(y, cache)
    del grads["da0"]
    want, _ = adam_update(params, clip_by_norm(grads, 0.5), adam, 0.05)
    for k in params:
        np.testing.assert_allclose(new[k], want[k], rtol=1e-12)
    # repeated steps on one chunk drive its loss down
    state = adam1
    for _ in range(30):
        new, state, last_loss, _ = train_step(new, state, x, y, a0, 0.05, 0.5, cell)
    assert last_loss < 0.5 * loss


def test_adam_update_matches_the_adam_class_and_copies(rng):
    params = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal((3, 1))}
    inplace = {k: v.copy() for k, v in params.items()}
    opt = Adam(0.01)
    state = init_adam_state(params)
    for _ in range(3):
        grads = {"dW": rng.standard_normal((3, 2)), "db": rng.standard_normal((3, 1))}
        keep = {k: v.copy() for k, v in params.items()}
        params, state = adam_update(params, grads, state, 0.01)
        opt.step(inplace, grads)
        assert not np.array_equal(keep["W"], params["W"])
    assert state["t"] == 3
    for k in params:
        np.testing.assert_allclose(params[k], inplace[k], rtol=1e-13)
        np.testing.assert_allclose(state["m"][k], opt.m[k], rtol=1e-13)
    with pytest.raises(ValueError, match=r"adam_update: grads\['dW'\] must have the shape"):
        adam_update(params, {"dW": np.zeros((2, 3)), "db": np.zeros((3, 1))}, state, 0.01)
    with pytest.raises(ValueError, match="missing"):
        adam_update(params, {"dW": np.zeros((3, 2))}, state, 0.01)
    with pytest.raises(TypeError, match="adam_update: state must be the dict"):
        adam_update(params, {"dW": np.zeros((3, 2)), "db": np.zeros((3, 1))}, {}, 0.01)


def test_text_batches_shift_targets_by_one_and_restart_epochs():
    ids = np.arange(50)
    batches = text_batches(ids, 2, 4)
    x, y, first = next(batches)
    assert first and x.shape == (2, 4)
    np.testing.assert_array_equal(x, [[0, 1, 2, 3], [25, 26, 27, 28]])
    np.testing.assert_array_equal(y, x + 1)
    flags = [next(batches)[2] for _ in range(6)]   # (25 - 1) // 4 = 6 chunks per epoch
    assert flags == [False] * 5 + [True]


def test_ngram_baselines_are_exact_counts():
    tr = np.array([1, 2, 1, 2, 1, 3])
    ev = np.array([1, 2])
    alpha = 0.5
    p1 = (np.array([0, 3, 2, 1]) + alpha) / (6 + 4 * alpha)
    assert math.isclose(ngram_perplexity(tr, ev, 4, 1, alpha),
                        math.exp(-(math.log(p1[1]) + math.log(p1[2])) / 2), rel_tol=1e-12)
    # bigram: p(1 | EOS) has no count; p(2 | 1) = (2 + a) / (3 + 4a)
    p_eos = alpha / (0 + 4 * alpha)
    p21 = (2 + alpha) / (3 + 4 * alpha)
    assert math.isclose(ngram_perplexity(tr, ev, 4, 2, alpha),
                        math.exp(-(math.log(p_eos) + math.log(p21)) / 2), rel_tol=1e-12)
    assert ngram_perplexity(tr, ev, 4, 0) == 4.0


def test_sample_is_reproducible_stops_at_eos_and_greedy_is_argmax(rng):
    params = init_lm_params(N_Y, N_A, rng=rng)
    params["Wya"] = params["Wya"] * 30
    a = sample(params, 5, 1.0, 40)
    np.testing.assert_array_equal(a, sample(params, np.random.default_rng(5), 1.0, 40))
    assert a.dtype == np.int64 and a.size <= 40 and 0 not in a
    # with EOS made impossible, the length is max_len
    no_eos = dict(params, by=params["by"] - np.eye(N_Y, 1) * 100)
    assert sample(no_eos, 1, 1.0, 17).size == 17
    # greedy is the argmax path, whatever the rng; a tiny temperature approaches it
    g = sample(no_eos, 0, 1.0, 10, greedy=True)
    np.testing.assert_array_equal(g, sample(no_eos, 99, 1.0, 10, greedy=True))
    np.testing.assert_array_equal(g, sample(no_eos, 3, 1e-4, 10))
    state, x, path = init_state(N_A, 1), np.array([[0]]), []
    for _ in range(10):
        y_hat, state, _ = lm_forward(x, state, no_eos)
        path.append(int(y_hat[:, 0, -1].argmax()))
        x = np.array([[path[-1]]])
    assert g.tolist() == path


def test_training_beats_the_bigram_on_a_learnable_text():
    # a text whose next character is fixed by the one two steps back (a bigram cannot see it)
    vocab = build_vocabulary(["abcd"])
    rng = np.random.default_rng(0)
    ids = list(rng.integers(1, 5, size=2))
    for _ in range(1798):
        ids.append(ids[-2] % 4 + 1 if rng.random() < 0.9 else int(rng.integers(1, 5)))
    ids = np.array(ids)
    result = train_language_model(ids[:1200], len(vocab), 16, 120, seed=0, m=4, T=12,
                                  learning_rate=0.03, eval_ids=ids[1200:], eval_every=60)
    bigram = ngram_perplexity(ids[:1200], ids[1200:], len(vocab), 2)
    assert result.eval_perplexity[-1] < 0.8 * bigram
    assert result.losses[-10:].mean() < result.losses[:10].mean()
    assert math.isclose(evaluate_perplexity(result.params, ids[1200:]), result.eval_perplexity[-1])


def test_bracket_probe_finds_a_remembered_bracket():
    vocab = build_vocabulary(["(x)"])
    rng = np.random.default_rng(0)
    text = "".join("(" + "x" * int(rng.integers(1, 6)) + ")" + "x" * int(rng.integers(1, 6))
                   for _ in range(300))
    ids = vocab.encode(text)
    params = train_language_model(ids, len(vocab), 16, 150, m=8, T=20, learning_rate=0.03).params
    probe, = bracket_probe(params, ids, vocab, pairs=(("(", ")"),), max_distance=5)
    assert probe.counts[0] == 300 and np.all(probe.counts > 0)
    assert np.nanmean(probe.p_inside[1:]) > 5 * probe.p_outside


def test_cache_bytes_grow_linearly_with_the_chunk_length(rng):
    params = init_lm_params(N_Y, N_A, rng=rng)
    sizes = []
    for T_ in (10, 20, 40):
        x, _ = _data(rng, T=T_)
        sizes.append(cache_nbytes(lm_forward(x, init_state(N_A, M), params)[2]))
    assert sizes[2] - sizes[1] == 2 * (sizes[1] - sizes[0]) > 0


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_gated_models_sample_and_evaluate_with_their_own_state(rng, cell):
    params = init_lm_params(N_Y, N_A, rng=rng, cell=cell)
    ids = sample(params, 0, 1.0, 12, cell=cell, prime=np.array([1, 2]))
    assert ids.size <= 12 and 0 not in ids
    text = rng.integers(1, N_Y, size=200)
    # evaluation in chunks carries the state: the same number as one long chunk
    assert math.isclose(evaluate_perplexity(params, text, cell, m=4, T=7),
                        evaluate_perplexity(params, text, cell, m=4, T=100), rel_tol=1e-10)
