"""Plain values: the only data that crosses the boundary between grader and sandbox.

Inputs go to the sandbox and results come back as JSON trees in which arrays are
tagged nodes holding raw bytes (base64), a dtype from a short allow-list and a
shape.  Nothing is pickled, and no learner object survives the trip: an ndarray
subclass, an object with a lying ``__eq__`` or ``__array__``, a generator... all
become :class:`Unsupported` markers naming their type.  Only exact built-in types
and exact ``numpy.ndarray`` / numpy scalars are encoded as values.

Tree nodes::

    null, true/false, numbers, strings      themselves
    [...]                                   a list
    {"__tuple__": [...], "type": name, "fields": [...]}   a tuple or NamedTuple
    {"__dict__": [[key, value], ...]}        a dict with string keys
    {"__ndarray__": [dtype, shape, base64]} an array
    {"__unsupported__": type name}           anything else

This module needs only the standard library and numpy: the sandbox worker imports a
copy of it (it cannot import ``rnncourse``).
"""

from __future__ import annotations

import base64
import collections
import json
import keyword
import math

import numpy as np

__all__ = ["PlainError", "Unsupported", "decode", "dumps", "encode", "loads"]

#: dtypes an array may have on the wire (little-endian, real numbers and booleans)
DTYPES = frozenset(["|b1", "|i1", "|u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8",
                    "<f2", "<f4", "<f8"])
_SCALARS = (np.bool_, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32,
            np.int64, np.uint64, np.float16, np.float32, np.float64)
MAX_DEPTH = 32
MAX_NODES = 100_000
MAX_STR = 1000


class PlainError(ValueError):
    """A tree that is not a well-formed plain value (corrupted or forged)."""


class Unsupported:
    """Stands for a value that cannot cross the boundary; ``type_name`` says what it was."""

    __slots__ = ("type_name",)

    def __init__(self, type_name: str):
        self.type_name = str(type_name)[:100]

    def __repr__(self) -> str:
        return f"<{self.type_name}>"

    def __eq__(self, other):
        return type(other) is Unsupported and other.type_name == self.type_name

    __hash__ = None


def _type_name(value) -> str:
    try:
        return type(value).__name__[:100]
    except Exception:  # a hostile metaclass
        return "object"


class _Encoder:
    def __init__(self, max_bytes: int):
        self.nodes = 0
        self.bytes_left = max_bytes

    def array(self, value: np.ndarray):
        dtype = value.dtype
        if dtype.kind not in "biuf":
            return {"__unsupported__": f"ndarray of dtype {dtype}"}
        if dtype.byteorder == ">":
            value = value.astype(dtype.newbyteorder("<"))
        if value.dtype.str not in DTYPES:
            return {"__unsupported__": f"ndarray of dtype {dtype}"}
        if value.nbytes > self.bytes_left:
            return {"__unsupported__": f"ndarray too large ({value.nbytes} bytes)"}
        self.bytes_left -= value.nbytes
        raw = np.ascontiguousarray(value).tobytes()
        return {"__ndarray__": [value.dtype.str, [int(n) for n in value.shape],
                                base64.b64encode(raw).decode("ascii")]}

    def __call__(self, value, depth: int = 0):
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            return {"__unsupported__": "value too deeply nested or too large"}
        kind = type(value)
        if value is None or kind is bool:
            return value
        if kind is int:
            return value if -2**63 <= value < 2**63 else {"__unsupported__": "int too large"}
        if kind is float:
            return value
        if kind is str:
            return value[:MAX_STR]
        if kind is np.ndarray:
            return self.array(value)
        if kind in _SCALARS:
            return self.array(np.asarray(value))
        if kind is list:
            return [self(v, depth + 1) for v in list.__iter__(value)]
        if kind is dict:
            items = list(dict.items(value))
            if not all(type(k) is str for k, _ in items):
                return {"__unsupported__": "dict with non-string keys"}
            return {"__dict__": [[k[:MAX_STR], self(v, depth + 1)] for k, v in items]}
        if isinstance(value, tuple) and (kind is tuple or _namedtuple_fields(kind) is not None):
            node = {"__tuple__": [self(v, depth + 1) for v in tuple.__iter__(value)]}
            fields = _namedtuple_fields(kind)
            if fields is not None:
                node["type"] = kind.__name__[:100]
                node["fields"] = list(fields)
            return node
        return {"__unsupported__": _type_name(value)}


def _namedtuple_fields(kind) -> tuple[str, ...] | None:
    """The fields of a NamedTuple class, or None (checked without trusting the class)."""
    try:
        fields = type.__getattribute__(kind, "_fields")
    except Exception:
        return None
    if type(fields) is tuple and all(type(f) is str and f.isidentifier() for f in fields):
        return fields
    return None


def encode(value, *, max_bytes: int = 64 * 2**20):
    """A JSON-able tree for ``value``; arrays beyond ``max_bytes`` in total are refused."""
    return _Encoder(max_bytes)(value)


def dumps(value, **kwargs) -> str:
    """``json.dumps(encode(value))`` on one line."""
    return json.dumps(encode(value, **kwargs), separators=(",", ":"))


_TUPLE_TYPES: dict = {}


def _tuple_type(name: str, fields: list):
    key = (name, tuple(fields))
    if key not in _TUPLE_TYPES:
        if not (isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)):
            raise PlainError(f"bad tuple type name {name!r}")
        if not all(isinstance(f, str) and f.isidentifier() and not keyword.iskeyword(f)
                   and not f.startswith("_") for f in fields):
            raise PlainError(f"bad tuple fields {fields!r}")
        _TUPLE_TYPES[key] = collections.namedtuple(name, fields)
    return _TUPLE_TYPES[key]


def _decode_array(spec) -> np.ndarray:
    if not (isinstance(spec, list) and len(spec) == 3):
        raise PlainError("malformed array node")
    dtype, shape, data = spec
    if dtype not in DTYPES:
        raise PlainError(f"array dtype {dtype!r} is not allowed")
    if not (isinstance(shape, list) and len(shape) <= 32
            and all(type(n) is int and 0 <= n < 2**31 for n in shape)):
        raise PlainError(f"bad array shape {shape!r}")
    if not isinstance(data, str):
        raise PlainError("array data must be base64 text")
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise PlainError(f"array data is not base64: {exc}") from None
    dt = np.dtype(dtype)
    if len(raw) != math.prod(shape) * dt.itemsize:
        raise PlainError(f"array of shape {shape} and dtype {dtype} cannot hold {len(raw)} bytes")
    return np.frombuffer(raw, dtype=dt).reshape(shape).copy()


def decode(tree, *, namedtuples: bool = True, _depth: int = 0):
    """The value a tree stands for; :class:`PlainError` if the tree is malformed.

    With ``namedtuples`` a tuple node carrying ``type``/``fields`` becomes a
    NamedTuple of those fields (the sandbox rebuilds caches that way); otherwise
    every tuple node becomes a plain tuple.
    """
    if _depth > MAX_DEPTH + 1:
        raise PlainError("tree too deep")
    if tree is None or type(tree) in (bool, int, float, str):
        return tree
    if type(tree) is list:
        return [decode(v, namedtuples=namedtuples, _depth=_depth + 1) for v in tree]
    if type(tree) is not dict or len(tree) == 0:
        raise PlainError(f"unexpected node of type {type(tree).__name__}")
    if "__ndarray__" in tree and len(tree) == 1:
        return _decode_array(tree["__ndarray__"])
    if "__unsupported__" in tree and len(tree) == 1:
        return Unsupported(tree["__unsupported__"])
    if "__dict__" in tree and len(tree) == 1:
        pairs = tree["__dict__"]
        if not (isinstance(pairs, list) and all(isinstance(p, list) and len(p) == 2
                                                and isinstance(p[0], str) for p in pairs)):
            raise PlainError("malformed dict node")
        return {k: decode(v, namedtuples=namedtuples, _depth=_depth + 1) for k, v in pairs}
    if "__tuple__" in tree and set(tree) <= {"__tuple__", "type", "fields"}:
        items = tree["__tuple__"]
        if not isinstance(items, list):
            raise PlainError("malformed tuple node")
        values = [decode(v, namedtuples=namedtuples, _depth=_depth + 1) for v in items]
        if namedtuples and "type" in tree:
            fields = tree.get("fields")
            if not isinstance(fields, list) or len(fields) != len(values):
                raise PlainError("tuple fields do not match its items")
            return _tuple_type(tree["type"], fields)(*values)
        return tuple(values)
    raise PlainError(f"unknown node with keys {sorted(tree)[:5]}")


def loads(text: str, *, namedtuples: bool = True):
    """``decode(json.loads(text))``."""
    try:
        tree = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise PlainError(f"not JSON: {exc}") from None
    return decode(tree, namedtuples=namedtuples)
