"""Assignment 01_rnn_types: answers written the way the notebook teaches pass, typical mistakes fail clearly."""

import numpy as np

from rnncourse.grading import run_check
from rnncourse.grading.exercises import find_exercise, get_assignment
from rnncourse.rnn import rnn_cell_forward


def test_the_assignment_registers_three_exercises_on_the_cell():
    assignment = get_assignment("01_rnn_types")
    assert [e.name for e in assignment.exercises] == [
        "many_to_one_forward", "one_to_many_generate", "encoder_decoder_forward"]
    assert assignment.learner_modules == ("activations", "rnn")


def many_to_one_forward(x, a0, params):
    a = a0
    for t in range(x.shape[2]):
        a, y_hat_t, _ = rnn_cell_forward(x[:, :, t], a, params)
    return y_hat_t, a


def test_many_to_one_from_the_cell_passes():
    assert run_check(many_to_one_forward).passed


def test_many_to_one_returning_every_step_gets_the_hint():
    def many_to_one_forward(x, a0, params):
        a, ys = a0, []
        for t in range(x.shape[2]):
            a, y_hat_t, _ = rnn_cell_forward(x[:, :, t], a, params)
            ys.append(y_hat_t)
        return np.stack(ys, axis=2), a
    text = run_check(many_to_one_forward).text
    assert "shape (n_y, m, T_x)" in text and "predicts once" in text


def _generate(x1, a0, params, T_y, rng, feed_back=True):
    """The notebook's generator: rng.choice per example, in order, each step."""
    rng = np.random.default_rng(rng)
    n_x, m = x1.shape
    y = np.zeros((n_x, m, T_y))
    indices = np.zeros((m, T_y), dtype=int)
    y_hat = np.zeros((n_x, m, T_y))
    a = np.zeros((a0.shape[0], m, T_y))
    x_t, a_t = x1, a0
    for t in range(T_y):
        a_t, y_hat_t, _ = rnn_cell_forward(x_t, a_t, params)
        x_next = np.zeros((n_x, m))
        for i in range(m):
            k = rng.choice(n_x, p=y_hat_t[:, i])
            x_next[k, i] = 1.0
            indices[i, t] = k
        y[:, :, t], y_hat[:, :, t], a[:, :, t] = x_next, y_hat_t, a_t
        if feed_back:
            x_t = x_next
    return y, indices, y_hat, a


def test_generator_with_rng_choice_reproduces_the_reference_samples():
    def one_to_many_generate(x1, a0, params, T_y, rng):
        return _generate(x1, a0, params, T_y, rng)
    assert run_check(one_to_many_generate).passed


def test_generator_that_does_not_feed_back_fails():
    def one_to_many_generate(x1, a0, params, T_y, rng):
        return _generate(x1, a0, params, T_y, rng, feed_back=False)
    result = run_check(one_to_many_generate)
    assert result.status == "failed" and "(reference)" in result.text


def test_generator_with_its_own_seed_fails():
    # ignoring the rng it is given: the samples cannot match, whatever the code
    def one_to_many_generate(x1, a0, params, T_y, rng):
        return _generate(x1, a0, params, T_y, 12345)
    assert run_check(one_to_many_generate).status == "failed"


def test_generator_indices_must_be_integers_or_floats():
    _, ex = find_exercise("one_to_many_generate")
    y = np.zeros((2, 3, 4))
    split = ex.split((y, np.zeros((3, 4), dtype=np.int64), y, y))
    assert split["indices"].dtype == np.float64
    assert run_check(lambda *args: (y, np.zeros((3, 4), dtype=complex), y, y),
                     name="one_to_many_generate").status == "failed"


def _encoder_decoder(x, a0, enc_params, dec_params, T_y, steps=None):
    e = a0
    for t in range(x.shape[2]):
        e, _, _ = rnn_cell_forward(x[:, :, t], e, enc_params, output=None)
    n_y, m = dec_params["Wya"].shape[0], x.shape[1]
    steps = T_y if steps is None else steps(x)
    y_hat = np.zeros((n_y, m, steps))
    d, x_dec = e, np.zeros((n_y, m))
    for t in range(steps):
        d, y_hat_t, _ = rnn_cell_forward(x_dec, d, dec_params)
        y_hat[:, :, t] = y_hat_t
        x_dec = y_hat_t
    return y_hat


def test_encoder_decoder_from_the_cell_passes():
    def encoder_decoder_forward(x, a0, enc_params, dec_params, T_y):
        return _encoder_decoder(x, a0, enc_params, dec_params, T_y)
    assert run_check(encoder_decoder_forward).passed


def test_decoder_running_T_x_steps_gets_the_hint():
    def encoder_decoder_forward(x, a0, enc_params, dec_params, T_y):
        return _encoder_decoder(x, a0, enc_params, dec_params, T_y, steps=lambda x: x.shape[2])
    assert "loop T_y times" in run_check(encoder_decoder_forward).text
