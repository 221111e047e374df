"""Plain values: JSON trees that carry arrays but never learner objects."""

import json
from collections import namedtuple

import numpy as np
import pytest

from rnncourse.grading import plain
from rnncourse.grading.plain import PlainError, Unsupported


def roundtrip(value, **kw):
    return plain.decode(json.loads(plain.dumps(value)), **kw)


def test_arrays_dicts_tuples_and_namedtuples_survive():
    Cache = namedtuple("Cache", ["a_next", "params"])
    value = (np.arange(6.0).reshape(2, 3), {"W": np.ones((1, 2), np.float32)}, [1, 2.5, None, "s"],
             Cache(np.zeros(2), {"b": np.int64(3)}), float("nan"))
    back = roundtrip(value)
    np.testing.assert_array_equal(back[0], value[0])
    assert back[1]["W"].dtype == np.float32
    assert back[2] == [1, 2.5, None, "s"]
    assert back[3]._fields == ("a_next", "params") and back[3].a_next.shape == (2,)
    assert back[3].params["b"].shape == () and back[3].params["b"] == 3
    assert np.isnan(back[4])
    assert type(roundtrip(value, namedtuples=False)[3]) is tuple


def test_learner_objects_become_unsupported_markers():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    class ArrayLike:
        def __array__(self, dtype=None, copy=None):
            return np.zeros(3)

    back = roundtrip([np.zeros(3).view(Liar), ArrayLike(), np.array(["a"]), np.ma.masked_array([1.0]),
                      {1: 2}, 10**30, (x for x in ())])
    assert back == [Unsupported("Liar"), Unsupported("ArrayLike"), Unsupported("ndarray of dtype <U1"),
                    Unsupported("MaskedArray"), Unsupported("dict with non-string keys"),
                    Unsupported("int too large"), Unsupported("generator")]


def test_big_and_deep_values_are_refused():
    assert plain.encode(np.zeros(10), max_bytes=40) == {"__unsupported__": "ndarray too large (80 bytes)"}
    deep = []
    for _ in range(100):
        deep = [deep]
    assert "too deeply nested" in json.dumps(plain.encode(deep))


@pytest.mark.parametrize("tree, reason", [
    ({"__ndarray__": ["|O", [1], ""]}, "array dtype '|O' is not allowed"),
    ({"__ndarray__": ["<f8", [2], "AAAA"]}, "cannot hold 3 bytes"),
    ({"__ndarray__": ["<f8", [-1], ""]}, "bad array shape [-1]"),
    ({"__tuple__": [1], "type": "os.system", "fields": ["a"]}, "bad tuple type name 'os.system'"),
    ({"__tuple__": [1], "type": "T", "fields": ["__class__"]}, "bad tuple fields ['__class__']"),
    ({"__dict__": [[1, 2]]}, "malformed dict node"),
    ({"__pickle__": "x"}, "unknown node with keys ['__pickle__']"),
    ({}, "unexpected node of type dict"),
])
def test_forged_trees_are_rejected(tree, reason):
    # each for its own reason, not by a failure further on
    with pytest.raises(PlainError) as info:
        plain.decode(tree)
    assert reason in str(info.value)


def test_loads_rejects_non_json():
    with pytest.raises(PlainError, match="not JSON"):
        plain.loads("{not json")
