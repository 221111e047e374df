from __future__ import annotations

import numpy as np
import pytest

from rnncourse.gradcheck import gradient_check, numerical_gradient, relative_error


def test_numerical_gradient_of_a_known_function(rng):
    A = rng.standard_normal((3, 3))
    x = rng.standard_normal((3, 1))
    grad = numerical_gradient(lambda: (x.T @ A @ x).item(), {"x": x})["dx"]
    np.testing.assert_allclose(grad, (A + A.T) @ x, rtol=1e-8)


def test_restores_every_entry_even_when_f_raises(rng):
    x = rng.standard_normal((2, 3))
    original = x.copy()
    numerical_gradient(lambda: float((x ** 3).sum()), {"x": x})
    np.testing.assert_array_equal(x, original)
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("boom")
        return float(x.sum())

    with pytest.raises(RuntimeError):
        numerical_gradient(flaky, {"x": x})
    np.testing.assert_array_equal(x, original)


def test_gradient_check_detects_a_wrong_gradient(rng):
    x = rng.standard_normal(5)
    good = gradient_check(lambda: float((x ** 2).sum()), {"x": x}, {"dx": 2 * x})
    bad = gradient_check(lambda: float((x ** 2).sum()), {"x": x}, {"dx": 2.1 * x})
    assert good["dx"] < 1e-9 and bad["dx"] > 1e-2


def test_relative_error_edge_cases():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.ones(2), -np.ones(2)) == 1.0
    with pytest.raises(ValueError, match="shapes differ"):
        relative_error(np.ones(2), np.ones(3))


def test_works_on_strided_views_and_refuses_read_only(rng):
    base = rng.standard_normal((4, 4))
    view = base[::2, 1:3]  # perturbing the view perturbs the array f reads
    grad = numerical_gradient(lambda: float((base ** 2).sum()), {"view": view})["dview"]
    np.testing.assert_allclose(grad, 2 * view, rtol=1e-8)
    frozen = base.copy()
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        numerical_gradient(lambda: 0.0, {"frozen": frozen})
