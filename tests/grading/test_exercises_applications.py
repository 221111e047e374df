"""Assignment 09_applications: answers written the way the notebook teaches pass, typical mistakes fail clearly."""

import numpy as np

from rnncourse.grading import run_check
from rnncourse.grading.exercises import get_assignment


def test_the_assignment_registers_six_exercises():
    assignment = get_assignment("09_applications")
    assert [e.name for e in assignment.exercises] == [
        "review_classifier_forward", "sample_with_temperature", "bag_of_words",
        "exact_match_accuracy", "kmer_counts", "frame_differences"]
    assert assignment.learner_modules == ("activations",)


# ---- review_classifier_forward -----------------------------------------------------------

def _review(ids, mask, params, carry=True, last_step=False):
    from rnncourse.activations import softmax
    a = np.zeros((params["Waa"].shape[0], ids.shape[0]))
    for t in range(ids.shape[1]):
        new = np.tanh(params["Waa"] @ a + params["Wax"][:, ids[:, t]] + params["ba"])
        a = np.where(mask[:, t][None] > 0, new, a) if carry else new
    return softmax(params["Wya"] @ a + params["by"])


def test_a_loop_over_steps_keeping_the_state_on_padding_passes():
    def review_classifier_forward(ids, mask, params):
        return _review(ids, mask, params)
    assert run_check(review_classifier_forward).passed


def test_running_the_cell_on_padding_fails():
    def review_classifier_forward(ids, mask, params):
        return _review(ids, mask, params, carry=False)
    result = run_check(review_classifier_forward)
    assert result.status == "failed" and "y_hat" in result.text


def test_predicting_at_every_step_fails_with_a_many_to_one_hint():
    def review_classifier_forward(ids, mask, params):
        y = _review(ids, mask, params)
        return np.repeat(y[:, :, None], ids.shape[1], axis=2)
    result = run_check(review_classifier_forward)
    assert result.status == "failed" and "many-to-one" in result.text


# ---- sample_with_temperature -------------------------------------------------------------

def _sample(probs, temperature, rng, power=True, seed=None):
    rng = np.random.default_rng(rng if seed is None else seed)
    p = probs ** (1.0 / temperature) if power else probs ** temperature
    p = p / p.sum(axis=0, keepdims=True)
    indices = np.array([rng.choice(p.shape[0], p=p[:, i]) for i in range(p.shape[1])])
    return p, indices


def test_power_then_rng_choice_per_column_passes():
    def sample_with_temperature(probs, temperature, rng):
        return _sample(probs, temperature, rng)
    assert run_check(sample_with_temperature).passed


def test_the_logit_form_passes_too():
    def sample_with_temperature(probs, temperature, rng):
        rng = np.random.default_rng(rng)
        z = np.log(probs) / temperature
        p = np.exp(z - z.max(axis=0))
        p = p / p.sum(axis=0)
        return p, np.array([rng.choice(len(p), p=p[:, i]) for i in range(p.shape[1])])
    assert run_check(sample_with_temperature).passed


def test_multiplying_by_the_temperature_fails_on_p():
    def sample_with_temperature(probs, temperature, rng):
        return _sample(probs, temperature, rng, power=False)
    result = run_check(sample_with_temperature)
    assert result.status == "failed" and "p[" in result.text


def test_ignoring_the_seed_fails_on_the_indices():
    def sample_with_temperature(probs, temperature, rng):
        return _sample(probs, temperature, rng, seed=12345)
    result = run_check(sample_with_temperature)
    assert result.status == "failed" and "indices" in result.text


# ---- bag_of_words ----------------------------------------------------------------------------

def test_counting_with_a_loop_passes():
    def bag_of_words(ids, n_vocab):
        m, T = ids.shape
        counts = np.zeros((n_vocab, m, 1))
        for i in range(m):
            for t in range(T):
                if ids[i, t] != 0:
                    counts[ids[i, t], i, 0] += 1
        return counts
    assert run_check(bag_of_words).passed


def test_counting_the_padding_fails():
    def bag_of_words(ids, n_vocab):
        counts = np.stack([np.bincount(row, minlength=n_vocab) for row in ids], axis=1)
        return counts[:, :, None].astype(float)
    result = run_check(bag_of_words)
    assert result.status == "failed" and "counts[0" in result.text


def test_forgetting_the_time_axis_gets_the_hint():
    def bag_of_words(ids, n_vocab):
        counts = np.stack([np.bincount(row, minlength=n_vocab) for row in ids], axis=1).astype(float)
        counts[0] = 0
        return counts
    text = run_check(bag_of_words).text
    assert "(n_vocab, m, 1)" in text


# ---- exact_match_accuracy ---------------------------------------------------------------------

def test_exact_match_over_real_steps_passes():
    def exact_match_accuracy(y_pred, y_true, mask):
        wrong = (y_pred != y_true) & (mask == 1)
        return float(np.mean(~wrong.any(axis=1)))
    assert run_check(exact_match_accuracy).passed


def test_counting_padded_steps_fails():
    def exact_match_accuracy(y_pred, y_true, mask):
        return float(np.mean((y_pred == y_true).all(axis=1)))
    assert run_check(exact_match_accuracy).status == "failed"


def test_token_accuracy_is_not_exact_match():
    def exact_match_accuracy(y_pred, y_true, mask):
        return float(((y_pred == y_true) * mask).sum() / mask.sum())
    assert run_check(exact_match_accuracy).status == "failed"


def test_returning_an_array_per_sequence_is_explained():
    def exact_match_accuracy(y_pred, y_true, mask):
        return ~((y_pred != y_true) & (mask == 1)).any(axis=1)
    result = run_check(exact_match_accuracy)
    assert result.status == "failed" and "one number" in result.text


# ---- kmer_counts -------------------------------------------------------------------------

def test_a_vectorised_kmer_count_with_integer_counts_passes():
    def kmer_counts(ids, k, n_symbols):
        m, T_x = ids.shape
        counts = np.zeros((n_symbols ** k, m, 1), dtype=int)        # ints: exact, accepted
        if T_x < k:
            return counts
        win = np.lib.stride_tricks.sliding_window_view(ids, k, axis=1)      # (m, T-k+1, k)
        code = (win - 1) @ (n_symbols ** np.arange(k - 1, -1, -1))
        for i, t in zip(*np.nonzero((win > 0).all(axis=2))):
            counts[code[i, t], i, 0] += 1
        return counts
    assert run_check(kmer_counts).passed


def test_kmer_cases_cover_padding_repeats_and_every_k():
    from rnncourse.grading.exercises.applications import _cases_kmer_counts
    cases = [_cases_kmer_counts(np.random.default_rng(s)) for s in range(40)]
    assert {c.args[1] for c in cases} == {1, 2, 3, 4}
    assert all((c.args[0] == 0).any() for c in cases)                       # padding in every case
    from rnncourse.applications import kmer_counts
    assert any(c.args[1] > 1 and kmer_counts(*c.args).max() > 1 for c in cases)   # counted twice
    for c in cases:                                                          # sizes read back as names
        assert len({c.dims["m"], c.dims["T_x"], c.dims["n_kmers"]}) == 3


# ---- frame_differences -------------------------------------------------------------------

def test_np_diff_with_the_first_frame_prepended_passes():
    def frame_differences(x):
        return np.vstack([x, np.diff(x, axis=2, prepend=x[:, :, :1])])
    assert run_check(frame_differences).passed


def test_returning_the_differences_alone_names_the_stacking():
    def frame_differences(x):
        return np.diff(x, axis=2, prepend=x[:, :, :1])
    result = run_check(frame_differences)
    assert result.status == "failed" and "2 n_x rows" in result.text
