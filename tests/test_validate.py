"""rnncourse._validate: the shared argument checks (most are exercised through their callers)."""

import numpy as np
import pytest

from rnncourse._validate import check_int


@pytest.mark.parametrize("value", [3, np.int64(3), np.uint8(3)])
def test_check_int_accepts_python_and_numpy_ints(value):
    out = check_int("f", "n", value)
    assert out == 3 and type(out) is int


@pytest.mark.parametrize("value, kind, message", [
    (True, TypeError, "f: n must be an int, got bool"),
    (3.0, TypeError, "f: n must be an int, got float"),
    ("3", TypeError, "f: n must be an int, got str"),
    (0, ValueError, "f: n must be at least 1, got 0"),
])
def test_check_int_refuses_with_a_named_message(value, kind, message):
    with pytest.raises(kind, match=f"^{message}$"):
        check_int("f", "n", value)


def test_check_int_bounds():
    assert check_int("f", "n", 0, low=0) == 0
    assert check_int("f", "n", 10, 1, 10) == 10
    with pytest.raises(ValueError, match=r"^f: n must be between 1 and 10, got 11$"):
        check_int("f", "n", 11, 1, 10)
    with pytest.raises(ValueError, match=r"^f: n must be between 2 and 10, got 1$"):
        check_int("f", "n", 1, 2, 10)
