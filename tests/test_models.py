"""Sequential model: gradients, training on an order-dependent task, determinism, NaN, sampling."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter, defaultdict

import numpy as np
import pytest

from rnncourse import data
from rnncourse.cells import CELLS
from rnncourse.gradcheck import gradient_check
from rnncourse.layers import Bidirectional, Dense, Embedding, OneHot, Recurrent
from rnncourse.models import History, Sequential, sample
from rnncourse.optim import SGD, Adam, global_norm

ALL_CELLS = sorted(CELLS)


def order_model(cell="rnn", n_a=16, seed=0, dtype=np.float64):
    return Sequential([OneHot(len(data.ORDER_VOCAB)), Recurrent(cell, n_a, return_sequences=False),
                       Dense(2, "softmax")], rng=seed, dtype=dtype)


def bag_of_words_ceiling(d) -> float:
    """Accuracy of the best function of the token counts, chosen with the labels of ``d`` itself.

    Any bag-of-words classifier maps equal counts to equal predictions, so none can beat
    this on ``d`` (it is an upper bound, fitted on the very data it is scored on).
    """
    votes = defaultdict(Counter)
    for i in range(d.y.size):
        bag = tuple(np.bincount(d.ids[i, : d.lengths[i]], minlength=len(d.vocab)))
        votes[bag][int(d.y[i])] += 1
    return sum(max(c.values()) for c in votes.values()) / d.y.size


# --- gradients of the whole model ---------------------------------------------------------

def model_gradient_check(model, x, y, mask=None):
    def loss():
        return model._batch_loss(model.forward(x, mask), model._check_y("t", y, *_dims(model, x)), mask)

    L, dy = loss()
    model.backward(dy)
    errors = gradient_check(lambda: loss()[0], model.parameters(), model.gradients())
    worst = max(errors, key=errors.get)
    assert errors[worst] < 1e-6, (worst, errors[worst])


def _dims(model, x):
    m, T = model._batch_dims(x)
    return m, T if model.returns_sequences else 1


@pytest.mark.parametrize("cell", ALL_CELLS)
def test_gradient_check_sequence_tagger(rng, cell):
    """Embedding -> bidirectional -> recurrent -> dense relu -> softmax, per-step labels, masked."""
    model = Sequential([Embedding(5, 3), Bidirectional(cell, 2), Recurrent(cell, 3),
                        Dense(4, "tanh"), Dense(3, "softmax")], rng=rng)
    ids = rng.integers(0, 5, size=(2, 4))
    y = rng.integers(0, 3, size=(2, 4))
    mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0]], dtype=float)
    model_gradient_check(model, ids, y, mask)


@pytest.mark.parametrize("cell", ALL_CELLS)
def test_gradient_check_many_to_one_bce(rng, cell):
    model = Sequential([Recurrent(cell, 3), Bidirectional(cell, 2, return_sequences=False),
                        Dense(2, "sigmoid")], loss="bce", n_x=3, rng=rng)
    x = rng.standard_normal((3, 3, 4))
    y = rng.integers(0, 2, size=(2, 3, 1)).astype(float)
    model_gradient_check(model, x, y, np.array([[1, 1, 1, 1], [1, 1, 1, 0], [1, 0, 0, 0]], float))


# --- training --------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", ALL_CELLS)
def test_fit_learns_order_beyond_bag_of_words(cell):
    train = data.order_task(512, 8, rng=0)
    test = data.order_task(2000, 8, rng=1)
    model = order_model(cell)
    before = model.evaluate(test.ids, test.y)
    history = model.fit(train.ids, train.y, epochs=15, batch_size=32, learning_rate=0.02,
                        rng=1, progress=False)
    after = model.evaluate(test.ids, test.y)
    assert isinstance(history, History) and len(history.loss) == 15 == len(history.accuracy)
    assert history.loss[-1] < 0.3 * history.loss[0]
    assert after["loss"] < 0.3 * before["loss"]
    ceiling = bag_of_words_ceiling(test)
    assert ceiling < 0.75
    assert after["accuracy"] > max(0.9, ceiling + 0.2), (after, ceiling)


def test_fit_with_padding_ignores_padded_steps():
    train = data.order_task(512, (3, 9), rng=2)
    test = data.order_task(256, (3, 9), rng=3)
    model = order_model("rnn")
    model.fit(train.ids, train.y, mask=train.mask, epochs=15, learning_rate=0.02, rng=4, progress=False)
    assert model.evaluate(test.ids, test.y, mask=test.mask)["accuracy"] > 0.9
    junk = np.where(test.mask == 1, test.ids, 5)           # change every padded token
    np.testing.assert_array_equal(model.predict(junk, test.mask), model.predict(test.ids, test.mask))


def test_bidirectional_tagger_uses_the_future():
    """Name tagging: a word's tag depends on the next word, which only a BRNN sees in time."""
    train = data.name_tagging_task(512, 10, rng=0)
    test = data.name_tagging_task(512, 10, rng=1)
    ambiguous = (test.ids >= 1) & (test.ids <= len(data.TAGGING_AMBIGUOUS))
    acc = {}
    for name, layer in (("uni", Recurrent("rnn", 12)), ("bi", Bidirectional("rnn", 12))):
        model = Sequential([OneHot(len(test.vocab)), layer, Dense(2, "softmax")], rng=0)
        model.fit(train.ids, train.y, epochs=12, learning_rate=0.02, rng=1, progress=False)
        acc[name] = (model.predict(test.ids).argmax(axis=0) == test.y)[ambiguous].mean()
    assert acc["bi"] > 0.97 and acc["uni"] < 0.8, acc


def test_fit_is_deterministic():
    d = data.order_task(128, 6, rng=5)
    runs = []
    for _ in range(2):
        model = order_model("rnn", n_a=8, seed=3)
        h = model.fit(d.ids, d.y, epochs=3, batch_size=16, rng=7, progress=False)
        runs.append((h, {k: v.copy() for k, v in model.parameters().items()}))
    assert runs[0][0] == runs[1][0]
    for k, v in runs[0][1].items():
        np.testing.assert_array_equal(v, runs[1][1][k])
    other = order_model("rnn", n_a=8, seed=3).fit(d.ids, d.y, epochs=3, batch_size=16, rng=8,
                                                   progress=False)
    assert other.loss != runs[0][0].loss                     # the shuffle seed matters


def test_fit_float32():
    d = data.order_task(128, 6, rng=5)
    model = order_model("rnn", n_a=8, dtype=np.float32)
    h = model.fit(d.ids, d.y, epochs=3, rng=0, progress=False)
    assert all(p.dtype == np.float32 for p in model.parameters().values())
    assert model.predict(d.ids).dtype == np.float32
    assert h.loss[-1] < h.loss[0]


def test_fit_with_sgd_and_optimizer_instance():
    d = data.order_task(64, 6, rng=5)
    model = order_model("rnn", n_a=8)
    h = model.fit(d.ids, d.y, epochs=2, optimizer="sgd", learning_rate=0.5, rng=0, progress=False)
    assert np.isfinite(h.loss).all()
    adam = Adam(0.01)
    model.fit(d.ids, d.y, epochs=1, optimizer=adam, rng=0, progress=False)
    model.fit(d.ids, d.y, epochs=1, optimizer=adam, rng=0, progress=False)
    assert adam.t == 2 * 2                                   # state kept across calls (2 batches each)
    with pytest.raises(ValueError, match="learning_rate is set on the optimizer instance"):
        model.fit(d.ids, d.y, epochs=1, optimizer=adam, learning_rate=0.1, rng=0, progress=False)
    with pytest.raises(ValueError, match="optimizer must be 'adam', 'sgd'"):
        model.fit(d.ids, d.y, epochs=1, optimizer="rmsprop", rng=0, progress=False)


@pytest.mark.parametrize("clip", ["clip_norm", "clip_value"])
def test_fit_clips_each_update(clip):
    """With SGD, one full-batch step moves the parameters by lr times the clipped gradient."""
    d = data.order_task(64, 6, rng=6)
    model = order_model("rnn", n_a=8)
    before = {k: v.copy() for k, v in model.parameters().items()}
    model.fit(d.ids, d.y, epochs=1, batch_size=64, optimizer="sgd", learning_rate=1.0,
              rng=0, progress=False, **{clip: 1e-3})
    step = {"d" + k: before[k] - v for k, v in model.parameters().items()}
    if clip == "clip_norm":
        assert global_norm(step) == pytest.approx(1e-3, rel=1e-6)  # the raw norm is far larger
    else:
        assert max(np.abs(s).max() for s in step.values()) == pytest.approx(1e-3, rel=1e-9)


class BrokenSGD(SGD):
    """An optimizer whose update overflows on the third step."""

    calls = 0

    def step(self, params, grads):
        super().step(params, grads)
        self.calls += 1
        if self.calls == 3:
            params["2.b"][1, 0] = np.inf


def test_nan_stops_training_with_epoch_and_step():
    d = data.order_task(64, 6, rng=5)
    model = order_model("rnn", n_a=8)
    with pytest.raises(FloatingPointError, match=r"Sequential.fit: parameter 2.b became inf at epoch 2, "
                                                 r"step 1 of 2; training stopped"):
        model.fit(d.ids, d.y, epochs=3, optimizer=BrokenSGD(0.1), rng=0, progress=False)
    # a huge Adam step overflows the next forward pass (numpy's overflow warnings are
    # replaced by this one error)
    with pytest.raises(FloatingPointError, match=r"the predictions y_hat became nan at epoch 1, step 2 of 2"):
        order_model("rnn", n_a=8).fit(d.ids, d.y, epochs=3, learning_rate=1e308, rng=0, progress=False)
    model = order_model("rnn", n_a=8)
    model.parameters()["1.Waa"][0, 0] = np.nan     # broken before training: the layer refuses it
    with pytest.raises(ValueError, match=r"rnn_forward: params\['Waa'\] must be finite"):
        model.fit(d.ids, d.y, epochs=1, rng=0, progress=False)


def test_progress_bar_reports_epochs(capsys):
    d = data.order_task(32, 4, rng=0)
    order_model("rnn", n_a=4).fit(d.ids, d.y, epochs=2, rng=0, progress=True)
    err = capsys.readouterr().err
    assert "fit" in err and "2/2" in err and "loss=" in err


def test_models_do_not_import_tqdm_or_plotting():
    code = ("import sys, rnncourse.models, rnncourse.layers, rnncourse.deep, "
            "rnncourse.bidirectional, rnncourse.data; "
            "print(sorted({'tqdm', 'matplotlib', 'ipywidgets', 'nbformat'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- predict, evaluate, errors ---------------------------------------------------------------

def test_predict_shapes_and_evaluate():
    d = data.name_tagging_task(6, (3, 7), rng=0)
    model = Sequential([OneHot(len(d.vocab)), Recurrent("rnn", 4), Dense(2, "softmax")], rng=0)
    y_hat = model.predict(d.ids, d.mask)
    assert y_hat.shape == (2, 6, d.ids.shape[1])
    result = model.evaluate(d.ids, d.y, d.mask)
    assert set(result) == {"loss", "accuracy"} and 0 <= result["accuracy"] <= 1
    real = d.mask == 1
    expected = (y_hat.argmax(axis=0) == d.y)[real].mean()
    assert result["accuracy"] == pytest.approx(expected)
    assert "Sequential(loss='softmax_cross_entropy'" in repr(model)
    assert model.n_params() == sum(p.size for p in model.parameters().values())


def test_model_bad_input():
    with pytest.raises(ValueError, match="Sequential: loss='softmax_cross_entropy' needs a last layer "
                                         "Dense\\(n_y, activation='softmax'\\)"):
        Sequential([OneHot(3), Recurrent("rnn", 2), Dense(2, "sigmoid")], rng=0)
    with pytest.raises(ValueError, match="Sequential: loss must be one of"):
        Sequential([OneHot(3), Dense(2, "softmax")], loss="mse", rng=0)
    with pytest.raises(ValueError, match="needs the input size n_x"):
        Sequential([Recurrent("rnn", 2), Dense(2, "softmax")], rng=0)
    model = order_model("rnn", n_a=4)
    ids = np.zeros((4, 5), dtype=int)
    with pytest.raises(TypeError, match=r"Sequential.forward: x must be integer token ids of shape \(m, T_x\)"):
        model.predict(np.zeros((6, 4, 5)))
    with pytest.raises(ValueError, match=r"Sequential.fit: integer labels y must have shape \(m, T_y\) = \(4, 1\) "
                                         r"or \(m,\) = \(4,\), got \(3,\)"):
        model.fit(ids, np.zeros(3, dtype=int), epochs=1, rng=0, progress=False)
    with pytest.raises(ValueError, match=r"Sequential.fit: labels y must lie in \[0, n_y\) = \[0, 2\)"):
        model.fit(ids, np.full(4, 2), epochs=1, rng=0, progress=False)
    with pytest.raises(ValueError, match=r"Sequential.fit: mask must have shape \(m, T_x\) = \(4, 5\)"):
        model.fit(ids, np.zeros(4, dtype=int), mask=np.ones((4, 4)), epochs=1, rng=0, progress=False)
    with pytest.raises(ValueError, match="Sequential.fit: epochs must be at least 1, got 0"):
        model.fit(ids, np.zeros(4, dtype=int), epochs=0, rng=0, progress=False)
    with pytest.raises(ValueError, match="Sequential.fit: clip_norm must be a positive number or None, got -1"):
        model.fit(ids, np.zeros(4, dtype=int), epochs=1, clip_norm=-1, rng=0, progress=False)
    with pytest.raises(TypeError, match="Sequential.fit: rng must be a numpy.random.Generator"):
        model.fit(ids, np.zeros(4, dtype=int), epochs=1, rng=None, progress=False)
    float_model = Sequential([Recurrent("rnn", 2), Dense(1, "sigmoid")], loss="bce", n_x=3, rng=0)
    with pytest.raises(ValueError, match=r"Sequential.evaluate: x must have shape \(n_x, m, T_x\) with n_x = 3"):
        float_model.evaluate(np.zeros((2, 4, 5)), np.zeros((4, 5)))
    assert float_model.evaluate(np.zeros((3, 4, 5)), np.zeros((4, 5)))["accuracy"] == 1.0


# --- sampling ------------------------------------------------------------------------------

def fixed_distribution_model(p):
    """A model whose next-token distribution is ``p`` whatever the input (W = 0, b = log p)."""
    model = Sequential([OneHot(len(p)), Recurrent("rnn", 2), Dense(len(p), "softmax")], rng=0)
    model.layers[-1].params["W"][...] = 0
    model.layers[-1].params["b"][:, 0] = np.log(p)
    return model


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0])
def test_sample_follows_tempered_distribution(temperature):
    p = np.array([0.6, 0.3, 0.1])
    model = fixed_distribution_model(p)
    rng = np.random.default_rng(11)
    n = 3000
    draws = [sample(model, [0], 1, temperature=temperature, rng=rng)[0] for _ in range(n)]
    q = p ** (1 / temperature)
    q /= q.sum()
    freq = np.bincount(draws, minlength=3) / n
    assert np.all(np.abs(freq - q) < 4 * np.sqrt(q * (1 - q) / n) + 1e-12), (freq, q)


def test_sample_greedy_deterministic_and_stops():
    model = fixed_distribution_model(np.array([0.2, 0.5, 0.3]))
    assert sample(model, [0], 5, temperature=0, rng=0) == [1] * 5
    assert sample(model, [0], 5, temperature=0, rng=0, stop=1) == []
    a = sample(model, [2, 0], 30, temperature=1.0, rng=3)
    assert a == sample(model, [2, 0], 30, temperature=1.0, rng=3) and len(a) == 30
    assert sample(model, "a", 3, temperature=0, rng=0, vocab=("a", "b", "c")) == "bbb"


def test_trained_character_model_writes_its_word():
    words = ["abcd", "abce"] * 16
    c = data.char_dataset(words)
    model = Sequential([OneHot(len(c.vocab)), Recurrent("rnn", 12), Dense(len(c.vocab), "softmax")], rng=0)
    model.fit(c.ids, c.y, mask=c.mask, epochs=40, batch_size=8, learning_rate=0.03, rng=0, progress=False)
    names = {sample(model, "\n", 10, temperature=1.0, rng=i, stop=0, vocab=c.vocab) for i in range(20)}
    assert names == {"abcd", "abce"}
    assert sample(model, "\nabc", 10, temperature=0, rng=0, stop=0, vocab=c.vocab) in ("d", "e")


def test_sample_bad_input():
    model = fixed_distribution_model(np.array([0.5, 0.5]))
    with pytest.raises(ValueError, match="sample: temperature must be a finite number >= 0, got -1"):
        sample(model, [0], 3, temperature=-1, rng=0)
    with pytest.raises(ValueError, match=r"sample: start must be a non-empty sequence of ids in \[0, 2\)"):
        sample(model, [2], 3, rng=0)
    with pytest.raises(TypeError, match="sample: start is a str, so pass vocab="):
        sample(model, "a", 3, rng=0)
    with pytest.raises(ValueError, match="sample: model must read token ids"):
        sample(order_model("rnn", n_a=2), [0], 3, rng=0)
    with pytest.raises(TypeError, match="sample: rng must be"):
        sample(model, [0], 3, rng=None)


class FrozenSGD(SGD):
    """Records each minibatch's gradients and leaves the parameters where they are."""

    def __init__(self):
        super().__init__(1.0)
        self.grads = []

    def step(self, params, grads):
        self.grads.append({k: g.copy() for k, g in grads.items()})


def test_an_epoch_sees_every_example_once_and_averages_over_examples():
    """With the parameters frozen, an epoch of uneven minibatches (32, 32, 32, 4) must report
    the full-batch loss and accuracy, and its batch gradients, each weighted by its batch
    size, must add up to m times the full-batch gradient."""
    d = data.order_task(100, 6, rng=5)
    model = order_model("rnn", n_a=8)
    opt = FrozenSGD()
    history = model.fit(d.ids, d.y, epochs=1, batch_size=32, optimizer=opt, rng=0, progress=False)
    full = model.evaluate(d.ids, d.y)
    assert history.loss[0] == pytest.approx(full["loss"], rel=1e-12)
    assert history.accuracy[0] == pytest.approx(full["accuracy"], rel=1e-12)
    assert len(opt.grads) == 4
    _, dy = model._batch_loss(model.forward(d.ids), model._check_y("t", d.y, 100, 1), None)
    model.backward(dy)
    sizes = [32, 32, 32, 4]
    for k, g in model.gradients().items():
        weighted = sum(n * batch[k] for n, batch in zip(sizes, opt.grads))
        np.testing.assert_allclose(weighted, 100 * g, rtol=1e-10, atol=1e-12, err_msg=k)
