import warnings

import numpy as np
import pytest

from rnncourse.activations import (ACTIVATIONS, relu, sigmoid, sigmoid_derivative, softmax,
                                   softmax_backward, tanh, tanh_derivative)
from rnncourse.gradcheck import numerical_gradient, relative_error


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_inputs_do_not_overflow(dtype):
    z = np.array([-1e4, -50.0, 0.0, 50.0, 1e4], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid(z)
        y = softmax(np.stack([z, -z]))
        t = tanh(z)
    for out in (s, y, t):
        assert out.dtype == dtype
        assert np.isfinite(out).all()
    assert s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    np.testing.assert_allclose(y.sum(axis=0), 1.0, rtol=1e-6)


def test_sigmoid_matches_definition_in_safe_range(rng):
    z = rng.uniform(-20, 20, size=(4, 7))
    np.testing.assert_allclose(sigmoid(z), 1.0 / (1.0 + np.exp(-z)), rtol=1e-13)


def test_softmax_contract(rng):
    z = rng.standard_normal((5, 3, 4)) * 10
    y = softmax(z)
    assert y.shape == z.shape
    np.testing.assert_allclose(y.sum(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(softmax(z + 1000.0), y, rtol=1e-12)  # shift invariance
    e = np.exp(z)  # |z| stays well below exp's overflow here: the definition is safe
    np.testing.assert_allclose(y, e / e.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(softmax(z, axis=2), np.exp(z) / np.exp(z).sum(axis=2, keepdims=True),
                               rtol=1e-12)


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_elementwise_derivatives_from_outputs(name, rng):
    f, df = ACTIVATIONS[name]
    z = rng.standard_normal((3, 4))
    numeric = numerical_gradient(lambda: float(f(z).sum()), {"z": z})["dz"]
    assert relative_error(numeric, df(f(z))) < 1e-8


def test_relu_derivative():
    r = relu(np.array([-2.0, 0.0, 3.0]))
    np.testing.assert_array_equal(r, [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(ACTIVATIONS["relu"][1](r), [0.0, 0.0, 1.0])


def test_softmax_backward_is_vector_jacobian_product(rng):
    z = rng.standard_normal((4, 3))
    dy = rng.standard_normal((4, 3))
    numeric = numerical_gradient(lambda: float((softmax(z) * dy).sum()), {"z": z})["dz"]
    assert relative_error(numeric, softmax_backward(dy, softmax(z))) < 1e-8


def test_derivative_helpers_named_for_outputs():
    assert sigmoid_derivative(np.array(0.5)) == 0.25
    assert tanh_derivative(np.array(0.0)) == 1.0
