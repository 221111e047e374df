"""Judge one call of a learner's function against the reference: the "compare" stage.

Input: the exercise, the case, the reference's output (split into named arrays),
and a :class:`CallOutcome` made of plain values only (decoded from the sandbox's
JSON, or round-tripped through :mod:`rnncourse.grading.plain` by ``check``).
Output: a :class:`Verdict` with a status and one short explanation.

The order of the checks decides which explanation a learner reads first::

    raised?  -> not_implemented / error
    inputs unchanged (a changed input explains what follows from it)
    structure (split)  -> failed: "must return (a_next, y_hat_t, cache)"
    counts: "caches[0] holds 4 cell caches, expected T_x = 5"
    per array: present, ndarray, dtype (int where the text says dtype=int), shape, finite
    gradient check (backward exercises): against the numerical gradient
    values against the reference: first differing entry
    then, for a failed answer: the known mistake it matches (``Exercise.diagnoses``)

Everything here runs in the grader's process (or the learner's kernel for
``check``) with numpy functions the submission cannot have touched.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any, Literal, Mapping

import numpy as np

from ..gradcheck import relative_error
from .exercises import Case, Exercise, StructureError
from .plain import Unsupported

__all__ = ["CallOutcome", "Verdict", "describe_shape", "judge", "named_inputs"]

#: longest message a verdict carries (the notebook and the report stay readable)
MAX_MESSAGE = 600


@dataclass(frozen=True)
class CallOutcome:
    """What one call of the learner's function did, in plain values."""

    kind: Literal["returned", "raised"]
    value: Any = None
    inputs_after: tuple | None = None
    error_type: str = ""
    error_message: str = ""


@dataclass(frozen=True)
class Verdict:
    status: Literal["passed", "failed", "error", "not_implemented"]
    message: str = ""


def _clip(text: str, limit: int = MAX_MESSAGE) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 15] + " ... (truncated)"


def _symbolic(shape: tuple, dims: Mapping[str, int]) -> tuple[str, ...]:
    by_size = {}
    for name, size in dims.items():
        by_size.setdefault(size, name)
    return tuple(by_size.get(n, str(n)) for n in shape)


def describe_shape(shape: tuple, dims: Mapping[str, int]) -> str:
    """``"(n_a, m) = (5, 3)"``; just the numbers when no size has a name."""
    numbers = "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
    names = _symbolic(shape, dims)
    if all(n.isdigit() for n in names):
        return numbers
    return "(" + ", ".join(names) + ("," if len(names) == 1 else "") + ") = " + numbers


def _kind(value) -> str:
    if value is None:
        return "None"
    if isinstance(value, Unsupported):
        return value.type_name
    return type(value).__name__


def _index(idx: tuple) -> str:
    return "[" + ", ".join(map(str, idx)) + "]"


def _check_array(ex: Exercise, case: Case, name: str, expected: np.ndarray, got) -> str | None:
    """Why ``got`` cannot be compared with ``expected``, or None when it can."""
    if isinstance(got, Unsupported) and got.type_name.startswith("ndarray of dtype"):
        dtype = got.type_name.rpartition(" ")[2]
        tip = (" (complex numbers: a log or square root of a negative number?)"
               if dtype.startswith("complex") else "")
        return f"{name} should hold floating-point numbers, got an array of dtype {dtype}{tip}"
    if type(got) is not np.ndarray:
        tip = {"list": " (wrap it with np.array(...))", "None": " (did you forget a return?)",
               "tuple": " (did you return one value too many?)"}.get(_kind(got), "")
        return f"{name} should be a numpy.ndarray, got {_kind(got)}{tip}"
    if expected.dtype.kind in "iu" and got.dtype.kind not in "iu":
        return (f"{name} should hold integers (dtype=int, as the assignment says), got dtype "
                f"{got.dtype}: create it with dtype=int or convert it with .astype(int)")
    if expected.dtype.kind == "f" and got.dtype.kind != "f":
        return (f"{name} should hold floating-point numbers, got dtype {got.dtype} "
                f"(expected {expected.dtype})")
    if got.shape != expected.shape:
        msg = (f"{name} has shape {describe_shape(got.shape, case.dims)}, expected "
               f"{describe_shape(expected.shape, case.dims)}")
        got_sym = _symbolic(got.shape, case.dims)
        hint = ex.hints.get((name, got_sym))
        if hint is None and len(got.shape) >= 2 and got.shape == expected.shape[::-1]:
            hint = "it looks transposed: did you transpose a weight (e.g. Wax) or swap a product?"
        return msg + (f". Hint: {hint}" if hint else "")
    bad = ~np.isfinite(got)
    if bad.any() and np.isfinite(expected).all():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        return (f"{name} contains {int(bad.sum())} non-finite value(s), first "
                f"{name}{_index(idx)} = {got[idx]} (expected {expected[idx]:.6g})")
    return None


def _compare_values(ex: Exercise, name: str, expected: np.ndarray, got: np.ndarray) -> str | None:
    exp = expected.astype(np.float64)
    mine = got.astype(np.float64)
    close = np.isclose(mine, exp, rtol=ex.rtol, atol=ex.atol, equal_nan=True)
    if close.all():
        return None
    idx = tuple(int(i) for i in np.argwhere(~close)[0])
    if close.size == 1:
        return f"{name}: expected {exp[idx]:.6g} (reference), got {mine[idx]:.6g} (yours)"
    return (f"{name}{_index(idx)}: expected {exp[idx]:.6g} (reference), got {mine[idx]:.6g} "
            f"(yours); {int((~close).sum())} of {close.size} entries differ")


def named_inputs(arg_names: tuple[str, ...], args) -> dict:
    """Every array inside the arguments, named as a learner would write it.

    ``(x_t, a_prev, {"Wax": ...})`` -> ``{"x_t": ..., "a_prev": ..., "params['Wax']": ...}``.
    """
    out: dict = {}

    def walk(name, value, depth=0):
        if depth > 8:
            return
        if isinstance(value, np.ndarray):
            out[name] = value
        elif isinstance(value, Mapping):
            for k, v in value.items():
                walk(f"{name}[{k!r}]", v, depth + 1)
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                walk(f"{name}[{i}]", v, depth + 1)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[name] = value

    for arg_name, value in zip(arg_names, args):
        walk(arg_name, value)
    return out


_INDEX = re.compile(r"\[(\d+)\]")


def _counts(names) -> dict[str, int]:
    """``{prefix: number of items}`` for every list or tuple position in the names.

    ``"caches[0][3][1] (a_prev)"`` counts item 0 of ``caches`` and item 3 of
    ``caches[0]``, ...; the count of a prefix is its largest index + 1.
    """
    out: dict[str, int] = {}
    for name in names:
        for m in _INDEX.finditer(name):
            prefix = name[: m.start()]
            out[prefix] = max(out.get(prefix, 0), int(m.group(1)) + 1)
    return out


def _count_problem(expected: Mapping[str, Any], got: Mapping[str, Any],
                   dims: Mapping[str, int]) -> str | None:
    """"caches[0] holds 4 cell caches, expected T_x = 5": a sequence of the wrong length,
    said before any missing entry or value it causes."""
    want, have = _counts(expected), _counts(got)
    for prefix, n in want.items():
        if prefix in have and have[prefix] != n:
            what = "cell caches" if prefix.endswith("caches[0]") else "entries"
            named = [d for d, v in dims.items() if v == n]
            target = f"{named[0]} = {n}" if named else str(n)
            return f"{prefix} holds {have[prefix]} {what}, expected {target}"
    return None


def _mutated(ex: Exercise, case: Case, after) -> str | None:
    if after is None:
        return None
    before = named_inputs(ex.arg_names, case.args)
    later = named_inputs(ex.arg_names, after)
    for name, value in before.items():
        new = later.get(name)
        same = (type(new) is np.ndarray and new.shape == np.shape(value)
                and np.array_equal(new, value, equal_nan=True)) if isinstance(value, np.ndarray) \
            else new == value
        if not same:
            root = re.split(r"[\[(]", name, maxsplit=1)[0]
            tip = ("np.clip(g, lo, hi) without out=" if "clip" in ex.name
                   else f"work on a copy, e.g. {root}.copy(), or on new arrays")
            return (f"{ex.name} changed its input {name} in place: leave the inputs as they "
                    f"were ({tip})")
    return None


def _matches(ex: Exercise, variant: Mapping[str, Any], got: Mapping[str, Any]) -> bool:
    """Whether the learner's named outputs equal a variant's on every array it names."""
    compared = 0
    for name, value in variant.items():
        if not isinstance(value, np.ndarray):
            continue
        mine = got.get(name)
        if type(mine) is not np.ndarray or mine.shape != value.shape or mine.dtype.kind not in "fiub":
            return False
        if not np.allclose(mine.astype(np.float64), value.astype(np.float64), rtol=ex.rtol,
                           atol=ex.atol, equal_nan=True):
            return False
        compared += 1
    return compared > 0


def diagnose(ex: Exercise, case: Case, got: Mapping[str, Any],
             expected: Mapping[str, Any] | None = None) -> str | None:
    """The name of the first known mistake (``ex.diagnoses``) the learner's output matches.

    Each diagnosis is a wrong variant of the reference, run here on the same inputs;
    a variant that raises, returns something ``split`` refuses, or agrees with the
    reference on this case (``expected``) is skipped.
    """
    for name, variant in ex.diagnoses:
        try:
            with np.errstate(all="ignore"):
                value = ex.split(variant(*copy.deepcopy(case.args)))
        except Exception:  # a variant that cannot run on this case says nothing
            continue
        if expected is not None and _matches(ex, value, expected):
            continue       # on these inputs the mistake makes no difference
        if _matches(ex, value, got):
            return name
    return None


def judge(ex: Exercise, case: Case, expected: Mapping[str, Any], outcome: CallOutcome,
          numerical: Mapping[str, np.ndarray] | None = None) -> Verdict:
    """The verdict on one call, naming a known mistake when the answer matches one.

    See :func:`_judge` for the order of the checks; a failed verdict on a readable
    answer then goes through :func:`diagnose`.
    """
    verdict, got = _judge(ex, case, expected, outcome, numerical)
    if verdict.status == "failed" and got is not None:
        mistake = diagnose(ex, case, got, expected) if ex.diagnoses else None
        if mistake:
            return Verdict("failed", _clip(f"{verdict.message}. This is what {ex.name} gives "
                                           f"when it {mistake}"))
        prop = _property_problem(expected, got)
        if prop:
            return Verdict("failed", _clip(f"{verdict.message}. {prop}"))
    return verdict


#: outputs that are probability distributions, one per column, when the reference's are
_DISTRIBUTIONS = ("y_hat_t", "y_hat", "p")


def _property_problem(expected: Mapping[str, Any], got: Mapping[str, Any]) -> str | None:
    """A cheap property the reference's output has and the learner's lacks."""
    for name in _DISTRIBUTIONS:
        exp, mine = expected.get(name), got.get(name)
        if not (isinstance(exp, np.ndarray) and type(mine) is np.ndarray
                and exp.shape == mine.shape and exp.ndim >= 2 and mine.dtype.kind == "f"):
            continue
        if np.allclose(exp.sum(axis=0), 1.0) and not np.allclose(mine.sum(axis=0), 1.0):
            return (f"The columns of {name} do not sum to 1: each column must be a probability "
                    f"distribution over the classes (softmax over axis 0)")
    return _unreached_steps(expected, got)


def _unreached_steps(expected: Mapping[str, Any], got: Mapping[str, Any]) -> str | None:
    """Time steps a loop never wrote: an (n, m, T) output whose slice ``[:, :, t]`` is
    all zeros where the reference's is not, while other steps are filled (an off-by-one
    ``range``, such as ``range(T_x - 1, 0, -1)`` in a backward pass, skipping t = 0)."""
    for name, exp in expected.items():
        mine = got.get(name)
        if not (isinstance(exp, np.ndarray) and type(mine) is np.ndarray and exp.ndim == 3
                and exp.shape == mine.shape and exp.shape[2] >= 2 and mine.dtype.kind == "f"):
            continue
        zero = ~np.any(mine != 0, axis=(0, 1))            # (T,) steps left at zero
        filled = np.any(exp != 0, axis=(0, 1))
        skipped = np.flatnonzero(zero & filled)
        if skipped.size and not zero.all():
            steps = ", ".join(str(t) for t in skipped[:4]) + (", ..." if skipped.size > 4 else "")
            return (f"{name}[:, :, t] is still all zeros at t = {steps}: the loop over time "
                    f"never wrote {'that step' if skipped.size == 1 else 'those steps'} "
                    f"(check the range: t runs over 0 ... T_x - 1)")
    return None


def _judge(ex: Exercise, case: Case, expected: Mapping[str, Any], outcome: CallOutcome,
           numerical: Mapping[str, np.ndarray] | None = None) -> tuple[Verdict, dict | None]:
    """The verdict on one call.

    Parameters
    ----------
    ex : Exercise
    case : Case
        The inputs the call received (before it ran).
    expected : dict
        ``ex.split(reference output)``.
    outcome : CallOutcome
    numerical : dict, optional
        ``ex.numerical_gradient(case)`` for backward exercises.
    """
    if outcome.kind == "raised":
        if outcome.error_type == "NotImplementedError":
            return Verdict("not_implemented", "not attempted yet (it raises NotImplementedError)"), None
        msg = f"raised {outcome.error_type}: {outcome.error_message}".rstrip(": ")
        if outcome.error_type == "TypeError" and "argument" in outcome.error_message:
            msg += f" -- expected the signature {ex.signature}"
        elif outcome.error_type == "ValueError" and ("matmul" in outcome.error_message
                                                     or "not aligned" in outcome.error_message):
            msg += (" -- a matrix product got mismatched shapes: did you transpose a weight "
                    "(e.g. Wax) or multiply in the wrong order?")
        return Verdict("error", _clip(msg)), None
    # a changed input first: it also explains wrong values that follow from it
    problem = _mutated(ex, case, outcome.inputs_after)
    if problem:
        return Verdict("failed", _clip(problem)), None
    try:
        got = ex.split(outcome.value)
    except StructureError as exc:
        return Verdict("failed", _clip(str(exc))), None
    problem = _count_problem(expected, got, case.dims)
    if problem:
        return Verdict("failed", _clip(problem)), got
    for name, exp in expected.items():
        if name not in got:
            return Verdict("failed", _clip(f"missing {name} in what {ex.name} returned")), got
        if isinstance(exp, np.ndarray):
            problem = _check_array(ex, case, name, exp, got[name])
        elif exp is None:
            problem = None if got[name] is None else f"{name} should be None, got {_kind(got[name])}"
        else:
            problem = None if type(got[name]) is type(exp) and got[name] == exp else \
                f"{name} should be {exp!r}, got {_kind(got[name])}"
        if problem:
            return Verdict("failed", _clip(problem)), got
    for name, grad in (numerical or {}).items():
        err = relative_error(grad, got[name])
        if not err <= ex.grad_tol:
            return Verdict("failed", _clip(
                f"{name} fails the gradient check: relative error {err:.2e} against the "
                f"centred-difference gradient of the forward pass (at most {ex.grad_tol:.0e})")), got
    for name, exp in expected.items():
        if isinstance(exp, np.ndarray):
            problem = _compare_values(ex, name, exp, got[name])
            if problem:
                return Verdict("failed", _clip(problem)), got
    return Verdict("passed"), got
