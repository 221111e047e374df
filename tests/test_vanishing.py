"""Vanishing gradients: gradients through time against independent computations, decay
rates against the spectral radius, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.gradcheck import gradient_check
from rnncourse.rnn import init_rnn_params, rnn_backward, rnn_forward
from rnncourse.vanishing import (gradient_norm_by_distance, gradient_reach, hidden_gradient_norms,
                                 hidden_gradients, recurrent_weights, spectral_radius)

from .conftest import perturbed


def problem(rng, n_x=3, n_a=5, m=4, T=7, dtype=np.float64):
    params = perturbed(init_rnn_params(n_x, n_a, None, rng=rng, dtype=dtype), rng)
    x = rng.standard_normal((n_x, m, T)).astype(dtype)
    a0 = rng.standard_normal((n_a, m)).astype(dtype)
    a, _, _ = rnn_forward(x, a0, params, output=None)
    da_last = rng.standard_normal((n_a, m)).astype(dtype)
    return x, a, params, da_last


def tail_gradient(x, a, params, da_last, t):
    """dL/da<t+1> (0-based t) by BPTT on the tail: restart the RNN from a<t+1> and take
    rnn_backward's da0 for a loss that only sees the last hidden state."""
    n_a, m, T = a.shape
    tail = x[:, :, t + 1:]
    if tail.shape[2] == 0:
        return da_last
    a_tail, _, caches = rnn_forward(tail, a[:, :, t], params, output=None)
    np.testing.assert_allclose(a_tail, a[:, :, t + 1:], rtol=1e-10, atol=1e-12)
    da = np.zeros((n_a, m, tail.shape[2]))
    da[:, :, -1] = da_last
    return rnn_backward(da, caches)["da0"]


# --- values ------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(3, 5, 4, 7), (2, 3, 1, 6), (4, 2, 3, 1)])
def test_hidden_gradients_match_bptt_on_the_tail(rng, shape):
    n_x, n_a, m, T = shape
    x, a, params, da_last = problem(rng, n_x, n_a, m, T)
    da = hidden_gradients(da_last, a, params["Waa"])
    assert da.shape == (n_a, m, T)
    for t in range(T):
        np.testing.assert_allclose(da[:, :, t], tail_gradient(x, a, params, da_last, t),
                                   rtol=1e-10, atol=1e-13)


def test_hidden_gradients_pass_a_finite_difference_check(rng):
    x, a, params, da_last = problem(rng, T=6)
    start = a[:, :, 1].copy()  # a<2>: perturb it and rerun steps 3 ... 6

    def loss():
        a_tail, _, _ = rnn_forward(x[:, :, 2:], start, params, output=None)
        return float((da_last * a_tail[:, :, -1]).sum())

    expected = hidden_gradients(da_last, a, params["Waa"])[:, :, 1]
    errors = gradient_check(loss, {"a_start": start}, {"da_start": expected})
    assert errors["da_start"] < 1e-8


def test_norms_are_the_norms_of_the_gradients(rng):
    x, a, params, da_last = problem(rng)
    norms = hidden_gradient_norms(da_last, a, params["Waa"])
    da = hidden_gradients(da_last, a, params["Waa"])
    assert norms.shape == (a.shape[2],)
    np.testing.assert_allclose(norms, [np.linalg.norm(da[:, :, t]) for t in range(a.shape[2])],
                               rtol=1e-12)
    assert norms[-1] == pytest.approx(np.linalg.norm(da_last), rel=1e-12)


def test_norms_of_huge_gradients_do_not_overflow(rng):
    # squaring entries of 1e200 would overflow; the norm itself is finite
    a = np.zeros((3, 2, 4))
    da_last = np.full((3, 2), 1e200)
    norms = hidden_gradient_norms(da_last, a, np.eye(3))
    np.testing.assert_allclose(norms, 1e200 * np.sqrt(6), rtol=1e-12)
    assert hidden_gradient_norms(np.zeros((3, 2)), a, np.eye(3)).tolist() == [0.0] * 4
    # once entries overflow, the norm says so: inf (and NaN after inf - inf)
    with np.errstate(over="ignore", invalid="ignore"):
        W = np.array([[1e300, -1e300, 0.0], [1e300, 1e300, 0.0], [0.0, 0.0, 1.0]])
        norms = hidden_gradient_norms(np.ones((3, 2)), a, W)
    assert norms[2] == pytest.approx(np.sqrt(8) * 1e300)      # W^T 1 = (2e300, 0, 1): finite
    assert np.isinf(norms[1]) and np.isnan(norms[0])


def test_first_hidden_state_is_not_needed(rng):
    # a<1> only enters dL/da<0>, which is not returned
    x, a, params, da_last = problem(rng)
    changed = a.copy()
    changed[:, :, 0] = 0.0
    np.testing.assert_array_equal(hidden_gradients(da_last, a, params["Waa"]),
                                  hidden_gradients(da_last, changed, params["Waa"]))


def test_inputs_are_not_mutated(rng):
    x, a, params, da_last = problem(rng)
    copies = [v.copy() for v in (da_last, a, params["Waa"])]
    hidden_gradient_norms(da_last, a, params["Waa"])
    gradient_reach(np.stack([da_last] * a.shape[2], axis=2), a, params["Waa"])
    for before, after in zip(copies, (da_last, a, params["Waa"])):
        np.testing.assert_array_equal(before, after)


def test_float32_in_float32_out(rng):
    x, a, params, da_last = problem(rng, dtype=np.float32)
    norms = hidden_gradient_norms(da_last, a, params["Waa"])
    assert norms.dtype == np.float32
    norms64 = hidden_gradient_norms(*(v.astype(np.float64) for v in (da_last, a, params["Waa"])))
    np.testing.assert_allclose(norms, norms64, rtol=1e-5)
    assert gradient_norm_by_distance(0.8, 10, rng=0, dtype=np.float32).dtype == np.float32


def test_reach_rows_match_bptt_of_each_step_loss(rng):
    x, a, params, _ = problem(rng, T=6)
    n_a, m, T = a.shape
    da = rng.standard_normal((n_a, m, T))  # step t's own loss gradient dL<t>/da<t>
    reach = gradient_reach(da, a, params["Waa"])
    assert reach.shape == (T, T)
    np.testing.assert_array_equal(reach[np.triu_indices(T, 1)], 0.0)
    np.testing.assert_allclose(np.diag(reach), np.linalg.norm(da, axis=(0, 1)), rtol=1e-12)
    for t in range(T):
        for s in range(t + 1):  # ||dL<t>/da<s>|| from BPTT restarted at a<s>
            g = tail_gradient(x[:, :, : t + 1], a[:, :, : t + 1], params, da[:, :, t], s)
            assert reach[t, s] == pytest.approx(np.linalg.norm(g), rel=1e-10)


def test_reach_sums_to_what_rnn_backward_accumulates(rng):
    # the gradients (not norms) of all step losses add up to rnn_backward's dL/da<1>
    x, a, params, _ = problem(rng, T=5)
    n_a, m, T = a.shape
    da = rng.standard_normal((n_a, m, T))
    total = sum(hidden_gradients(da[:, :, t], a[:, :, : t + 1], params["Waa"])[:, :, 0]
                for t in range(T))
    a_tail, _, caches = rnn_forward(x[:, :, 1:], a[:, :, 0], params, output=None)
    from_bptt = rnn_backward(da[:, :, 1:], caches)["da0"] + da[:, :, 0]
    np.testing.assert_allclose(total, from_bptt, rtol=1e-10, atol=1e-13)


# --- decay and growth ----------------------------------------------------------------------

@pytest.mark.parametrize("rho", [0.3, 0.5, 0.9])
def test_orthogonal_weights_below_one_decay_at_least_geometrically(rho):
    # ||W^T s*g|| = rho ||s*g|| <= rho ||g|| because tanh' <= 1: every step shrinks by rho or more
    ratio = gradient_norm_by_distance(rho, 30, rng=5, input_scale=1.0)
    assert ratio[0] == 1.0
    steps = ratio[1:] / ratio[:-1]
    assert np.all(steps <= rho * (1 + 1e-12))
    assert np.all(np.diff(ratio) < 0)


@pytest.mark.parametrize("rho", [1.1, 1.3, 1.6])
def test_orthogonal_weights_above_one_grow_in_the_linear_regime(rho):
    # tiny inputs keep tanh' ~ 1, so each step scales the gradient by rho
    T = 25
    ratio = gradient_norm_by_distance(rho, T, rng=6, input_scale=1e-8)
    assert np.all(np.diff(ratio) > 0)
    np.testing.assert_allclose(ratio, rho ** np.arange(T), rtol=1e-4)


def test_saturation_can_stop_the_growth():
    # with large inputs tanh saturates, (1 - a^2) ~ 0, and even rho > 1 lets gradients fade
    ratio = gradient_norm_by_distance(1.5, 40, rng=7, input_scale=5.0, kind="gaussian")
    assert ratio[-1] < 1e-2


def test_norm_by_distance_is_reproducible():
    a = gradient_norm_by_distance(0.9, 12, rng=np.random.default_rng(3))
    b = gradient_norm_by_distance(0.9, 12, rng=3)
    np.testing.assert_array_equal(a, b)


# --- recurrent weights ---------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["orthogonal", "gaussian"])
@pytest.mark.parametrize("rho", [0.0, 0.5, 1.0, 2.5])
def test_recurrent_weights_have_the_requested_spectral_radius(kind, rho):
    W = recurrent_weights(6, rho, rng=11, kind=kind)
    assert W.shape == (6, 6) and W.dtype == np.float64
    assert spectral_radius(W) == pytest.approx(rho, abs=1e-12, rel=1e-10)


def test_orthogonal_weights_scale_every_direction_equally():
    W = recurrent_weights(7, 0.8, rng=2)
    np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), 0.8, rtol=1e-12)
    np.testing.assert_allclose(W.T @ W, 0.64 * np.eye(7), atol=1e-12)


def test_orthogonal_weights_are_the_q_of_a_qr_with_positive_diagonal():
    """Q of G = QR with diag(R) > 0, G the Gaussian matrix drawn first from the seed: the
    sign convention that makes Q uniform over the orthogonal group (LAPACK's own QR
    leaves Q[0, 0] <= 0 every time)."""
    G = np.random.default_rng(2).standard_normal((7, 7))
    Q = recurrent_weights(7, 0.8, rng=2) / 0.8
    R = Q.T @ G
    np.testing.assert_allclose(np.tril(R, -1), 0.0, atol=1e-12)
    assert (np.diag(R) > 0).all(), np.diag(R)
    first = [recurrent_weights(5, 1.0, rng=seed)[0, 0] for seed in range(20)]
    assert min(first) < 0 < max(first)


def test_recurrent_weights_dtype_and_seed():
    W32 = recurrent_weights(4, 0.9, rng=1, dtype=np.float32)
    assert W32.dtype == np.float32
    np.testing.assert_array_equal(recurrent_weights(4, 0.9, rng=1), recurrent_weights(4, 0.9, rng=1))
    assert not np.array_equal(recurrent_weights(4, 0.9, rng=1), recurrent_weights(4, 0.9, rng=2))


def test_spectral_radius_of_a_known_matrix():
    # rotation by 90 degrees scaled by 3: eigenvalues +-3i
    assert spectral_radius(np.array([[0.0, -3.0], [3.0, 0.0]])) == pytest.approx(3.0)


# --- bad input -------------------------------------------------------------------------------

def test_bad_shapes_name_function_argument_and_shapes(rng):
    x, a, params, da_last = problem(rng, n_a=5, m=4)
    with pytest.raises(ValueError, match=r"hidden_gradient_norms: da_last must have shape "
                                         r"\(n_a, m\) = \(5, 4\), got \(5, 3\)"):
        hidden_gradient_norms(da_last[:, :3], a, params["Waa"])
    with pytest.raises(ValueError, match=r"hidden_gradients: Waa must have shape \(n_a, n_a\)"):
        hidden_gradients(da_last, a, params["Waa"][:4])
    with pytest.raises(ValueError, match=r"hidden_gradients: a must be 3-D"):
        hidden_gradients(da_last, a[:, :, 0], params["Waa"])
    with pytest.raises(ValueError, match=r"gradient_reach: da must have shape"):
        gradient_reach(a[:, :, :2], a, params["Waa"])


def test_bad_values(rng):
    x, a, params, da_last = problem(rng)
    with pytest.raises(TypeError, match=r"hidden_gradient_norms: da_last must be a numpy.ndarray"):
        hidden_gradient_norms(da_last.tolist(), a, params["Waa"])
    bad = da_last.copy()
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"da_last must be finite"):
        hidden_gradient_norms(bad, a, params["Waa"])
    with pytest.raises(ValueError, match=r"a must hold tanh outputs in \[-1, 1\]"):
        hidden_gradient_norms(da_last, 3.0 * a, params["Waa"])
    with pytest.raises(ValueError, match=r"T_x = 0"):
        hidden_gradient_norms(da_last, a[:, :, :0], params["Waa"])


@pytest.mark.parametrize("kwargs, error, message", [
    ({"n_a": 0, "spectral_radius": 1.0}, ValueError, "n_a must be a positive int"),
    ({"n_a": 3, "spectral_radius": -1.0}, ValueError, "spectral_radius must be a finite number >= 0"),
    ({"n_a": 3, "spectral_radius": float("nan")}, ValueError, "spectral_radius must be"),
    ({"n_a": 3, "spectral_radius": "big"}, TypeError, "spectral_radius must be a number"),
    ({"n_a": 3, "spectral_radius": 1.0, "kind": "uniform"}, ValueError, "kind must be one of"),
    ({"n_a": 3, "spectral_radius": 1.0, "rng": None}, TypeError, "rng must be a numpy.random.Generator"),
])
def test_recurrent_weights_bad_input(kwargs, error, message):
    kwargs = {"rng": 0, **kwargs}
    with pytest.raises(error, match=f"recurrent_weights: {message}"):
        recurrent_weights(**kwargs)


def test_norm_by_distance_bad_input():
    with pytest.raises(ValueError, match="gradient_norm_by_distance: T_x must be a positive int"):
        gradient_norm_by_distance(0.5, 0, rng=0)
    with pytest.raises(ValueError, match="gradient_norm_by_distance: input_scale"):
        gradient_norm_by_distance(0.5, 5, rng=0, input_scale=-1.0)
    with pytest.raises(ValueError, match="spectral_radius: Waa must have shape"):
        spectral_radius(np.zeros((2, 3)))
