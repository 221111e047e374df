"""Input validation shared by the numeric core.

Every public function of the numeric core checks what a learner hands it before
doing any arithmetic, so that a wrong shape ends as one readable message instead of
a broadcasting surprise or a traceback from deep inside numpy.  Messages always name
the function, the argument, the expected shape (symbolically and in numbers) and the
actual one, e.g.::

    rnn_cell_forward: a_prev must have shape (n_a, m) = (5, 10), got (5, 9)
    (m = 10 was set by x_t)

The helpers here raise ``TypeError`` for a value of the wrong kind (a list, an
object array, an integer where a float array is needed) and ``ValueError`` for a
value of the right kind but the wrong shape or content (NaN, inf, missing key).
They never use ``assert``, which disappears under ``python -O``.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np

__all__ = ["Dims", "as_array", "as_rng", "check_finite", "check_int", "check_mask", "float_dtype",
           "require_keys"]


def as_array(fn: str, name: str, value) -> np.ndarray:
    """Return ``value`` as a floating ndarray or raise ``TypeError``.

    Integer and boolean arrays are accepted and converted to float64 (one-hot inputs
    are often built as integers); lists, scalars, ``None`` and object or complex
    arrays are rejected, because silently converting them hides mistakes.
    """
    if not isinstance(value, np.ndarray):
        raise TypeError(
            f"{fn}: {name} must be a numpy.ndarray, got {type(value).__name__}"
            + (" (wrap it with np.array(...))" if isinstance(value, (list, tuple)) else "")
        )
    kind = value.dtype.kind
    if kind == "f":
        return value
    if kind in "iub":
        return value.astype(np.float64)
    raise TypeError(f"{fn}: {name} must hold real numbers, got dtype {value.dtype}")


def float_dtype(*arrays: np.ndarray) -> np.dtype:
    """The floating dtype a computation on ``arrays`` should run in (numpy promotion)."""
    dtype = np.result_type(*arrays)
    return dtype if dtype.kind == "f" else np.dtype(np.float64)


def check_int(fn: str, name: str, value, low: int = 1, high: int | None = None) -> int:
    """Return ``value`` as an ``int`` in ``[low, high]`` (``high=None``: no upper bound).

    A Python or numpy integer is accepted, a ``bool`` is not (``True`` is no count).
    Raises ``TypeError`` for any other kind and ``ValueError`` outside the range,
    e.g. ``T_y must be at least 1, got 0`` or ``T_x must be between 1 and 10, got 12``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{fn}: {name} must be an int, got {type(value).__name__}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{fn}: {name} must be {bounds}, got {value}")
    return int(value)


def check_finite(fn: str, name: str, value: np.ndarray) -> None:
    """Raise ``ValueError`` when ``value`` holds NaN or infinity, naming the first one."""
    finite = np.isfinite(value)
    if not finite.all():
        index = tuple(int(i) for i in np.argwhere(~finite)[0])
        raise ValueError(
            f"{fn}: {name} must be finite, but {name}[{', '.join(map(str, index))}] = {value[index]}"
        )


def require_keys(fn: str, name: str, mapping, keys: Iterable[str]) -> None:
    """Raise when ``mapping`` is not a dict holding every key in ``keys``."""
    keys = list(keys)
    if not isinstance(mapping, Mapping):
        raise TypeError(f"{fn}: {name} must be a dict with keys {', '.join(keys)}, "
                        f"got {type(mapping).__name__}")
    missing = [k for k in keys if k not in mapping]
    if missing:
        raise ValueError(f"{fn}: {name} is missing {', '.join(repr(k) for k in missing)} "
                         f"(expected keys {', '.join(keys)})")


def check_mask(fn: str, mask, m: int, T: int, *, name: str = "mask") -> np.ndarray | None:
    """Validate a padding mask of shape ``(m, T)`` holding only 0 and 1; return it as float.

    ``None`` means "no padding" and is passed through; ``name`` is the argument's name
    in the messages.
    """
    if mask is None:
        return None
    mask = as_array(fn, name, mask)
    if mask.shape != (m, T):
        raise ValueError(f"{fn}: {name} must have shape (m, T_x) = ({m}, {T}), got {mask.shape}")
    if not np.isin(mask, (0, 1)).all():
        raise ValueError(f"{fn}: {name} must hold only 0 (padding) and 1 (real step)")
    return mask


class Dims:
    """Symbolic dimensions bound from the arguments of one call.

    ``bind`` checks an array against a symbolic shape such as ``("n_a", "m")``:
    a name seen for the first time takes its size from the array, a name seen
    before must match.  The error names the argument that first fixed the size.

    >>> d = Dims("rnn_cell_forward")
    >>> _ = d.bind("x_t", np.zeros((3, 10)), ("n_x", "m"))
    >>> d["m"]
    10
    """

    def __init__(self, fn: str, **known: int):
        self.fn = fn
        self.sizes: dict[str, int] = dict(known)
        self.source: dict[str, str] = {k: "the call" for k in known}

    def __getitem__(self, name: str) -> int:
        return self.sizes[name]

    def bind(self, name: str, value, shape: tuple, *, finite: bool = True) -> np.ndarray:
        """Check ``value`` (argument ``name``) against the symbolic ``shape``; return it as array."""
        value = as_array(self.fn, name, value)
        symbolic = "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
        if value.ndim != len(shape):
            raise ValueError(f"{self.fn}: {name} must be {len(shape)}-D with shape {symbolic}, "
                             f"got {value.ndim}-D shape {value.shape}")
        new = {}
        for dim, size in zip(shape, value.shape):
            if isinstance(dim, int) or dim in self.sizes or dim in new:
                continue
            new[dim] = size
        expected = tuple(d if isinstance(d, int) else self.sizes.get(d, new.get(d)) for d in shape)
        if value.shape != expected:
            culprits = [d for d, want, got in zip(shape, expected, value.shape)
                        if want != got and not isinstance(d, int) and d in self.source]
            why = "".join(f" ({d} = {self.sizes[d]} was set by {self.source[d]})" for d in culprits)
            raise ValueError(f"{self.fn}: {name} must have shape {symbolic} = {expected}, "
                             f"got {value.shape}{why}")
        for dim, size in new.items():
            if size == 0:
                raise ValueError(f"{self.fn}: {name} has {dim} = 0 in shape {value.shape}; "
                                 f"{dim} must be at least 1")
            self.sizes[dim] = size
            self.source[dim] = name
        if finite:
            check_finite(self.fn, name, value)
        return value

    def bind_params(self, params, shapes: Mapping[str, tuple], *, name: str = "params") -> dict:
        """Check every ``params[key]`` against ``shapes[key]``; return a plain dict of arrays."""
        require_keys(self.fn, name, params, shapes)
        return {key: self.bind(f"{name}['{key}']", params[key], shape)
                for key, shape in shapes.items()}


def as_rng(fn: str, rng) -> np.random.Generator:
    """Return ``rng`` as a ``np.random.Generator``; an int is taken as a seed.

    ``None`` and the legacy ``np.random.RandomState`` are refused: every random
    draw in the course must be reproducible from an explicit generator.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(f"{fn}: rng must be a numpy.random.Generator (np.random.default_rng(seed)) "
                    f"or an int seed, got {type(rng).__name__}")


def check_token_ids(fn: str, ids, n_vocab: int, *, name: str = "ids",
                    shape: str = "(m, T)", values: str | None = None,
                    bound: str = "n_vocab") -> np.ndarray:
    """``ids`` unchanged if it is a 2-D integer array of token ids in [0, n_vocab)
    (``bound`` is how the message names ``n_vocab``).

    Raises
    ------
    TypeError
        Not an integer array of two dimensions (the message names ``fn``, ``name`` and
        ``shape``).
    ValueError
        An id outside [0, n_vocab) (the message calls them ``values``, default ``name``).
    """
    if not isinstance(ids, np.ndarray) or ids.dtype.kind not in "iu" or ids.ndim != 2:
        got = (f"dtype {ids.dtype} and shape {ids.shape}" if isinstance(ids, np.ndarray)
               else type(ids).__name__)
        raise TypeError(f"{fn}: {name} must be an integer array of token ids of shape {shape}, "
                        f"got {got}")
    if ids.size and (ids.min() < 0 or ids.max() >= n_vocab):
        raise ValueError(f"{fn}: {values or name} must lie in [0, {bound}) = [0, {n_vocab}), "
                         f"got values in [{ids.min()}, {ids.max()}]")
    return ids
