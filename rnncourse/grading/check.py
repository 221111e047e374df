"""``check(fn)``: instant feedback on an exercise, in the learner's own kernel.

Runs the exercise's public cases (fixed seeds, the same for everyone) and prints
one short verdict.  The answer is judged by :func:`rnncourse.grading.compare.judge`,
the very rules the grader applies to its hidden cases; the learner's return value
first makes the same round trip through plain values the grader's sandbox imposes,
so an answer that passes here cannot fail in the grader for a type reason alone.
The output is capped at a few lines: a notebook never floods.
"""

from __future__ import annotations

import copy
import types
from dataclasses import dataclass

import numpy as np

from . import plain, standins
from .compare import CallOutcome, Verdict, judge
from .exercises import find_exercise

__all__ = ["CheckFailed", "CheckResult", "check", "run_check"]

#: the longest text ``check`` prints
MAX_OUTPUT = 1200
_HIDDEN = "The grader also runs hidden cases, so passing here does not promise full marks."


class CheckFailed(AssertionError):
    """Raised by ``check(fn, strict=True)`` when ``fn`` does not pass (nbgrader's grade
    cells use it: a cell that raises loses its points)."""


@dataclass(frozen=True)
class CheckResult:
    """What :func:`run_check` found: ``passed`` and the text ``check`` prints."""

    name: str
    status: str
    passed: bool
    text: str


def _call(fn, args) -> CallOutcome:
    try:
        value = fn(*args)
    except Exception as exc:  # the learner's bug, reported as feedback
        return CallOutcome("raised", error_type=type(exc).__name__,
                           error_message=str(exc)[:300])
    # the same round trip as in the grader: only plain values are judged
    return CallOutcome("returned", value=plain.decode(plain.encode(value)),
                       inputs_after=plain.decode(plain.encode(tuple(args))))


def _disallowed_imports(fn, allowed) -> list[str]:
    """Library modules outside ``allowed`` that the learner's namespace imported.

    Looks at the names of ``fn``'s globals (a function or module taken from
    ``rnncourse.rnn`` says where it comes from) and, in IPython, at the cells run
    so far (``In``), with the grader's own source scan.
    """
    from . import source

    ok = set(allowed) | {"grading"}
    found: list[str] = []
    namespace = getattr(fn, "__globals__", None) or {}
    for value in list(namespace.values()):
        if isinstance(value, types.ModuleType):
            module = value.__name__
        elif isinstance(value, (types.FunctionType, types.BuiltinFunctionType, type)):
            module = getattr(value, "__module__", None)   # imported, not values it made
        else:
            continue
        if isinstance(module, str) and module.startswith("rnncourse."):
            sub = module.split(".")[1]
            if sub not in ok and f"rnncourse.{sub}" not in found:
                found.append(f"rnncourse.{sub}")
    history = namespace.get("In")
    if isinstance(history, list):
        for cell in history:
            if isinstance(cell, str):
                found += [m for m in source.reference_uses(cell, tuple(allowed)) if m not in found]
    return found


def _import_warning(fn, assignment) -> str:
    found = _disallowed_imports(fn, assignment.learner_modules)
    if not found:
        return ""
    return (f"Warning: your notebook imports {', '.join(found)}; "
            f"{standins.import_rule(assignment.learner_modules)}. While grading, "
            f"{'it is a stand-in' if len(found) == 1 else 'they are stand-ins'}: importing does "
            f"no harm, but an answer that uses {'it' if len(found) == 1 else 'them'} earns no points.\n")


def _fix_first(fn, ex, assignment) -> str:
    """"your X fails its public cases: fix it first", for each cell ``ex`` uses that fails."""
    namespace = getattr(fn, "__globals__", None) or {}
    failing = []
    for cell in ex.uses:
        own = namespace.get(cell)
        if not callable(own) or not _judge_cases(own, assignment.exercise(cell), {})[0] == "passed":
            failing.append(cell)
    if not failing:
        return ""
    cells = " and ".join(failing)
    return (f"  Note: your {cells} fail{'s' * (len(failing) == 1)} "
            f"{'its' if len(failing) == 1 else 'their'} public cases: fix it first. {ex.name} "
            f"was checked with the course's {cells} in place of yours, as the grader does.\n")


_PUBLIC: dict = {}


def _public(ex) -> list:
    """``[(case, expected, numerical)]`` of ``ex``'s public cases, computed once per kernel
    (the numerical gradients of the larger exercises take seconds)."""
    if ex.name not in _PUBLIC:
        out = []
        for case in ex.public_cases():
            expected = ex.split(ex.reference(*copy.deepcopy(case.args)))
            numerical = ex.numerical_gradient(case) if ex.numerical_gradient else None
            out.append((case, expected, numerical))
        _PUBLIC[ex.name] = out
    return _PUBLIC[ex.name]


def _judge_cases(fn, ex, swaps) -> tuple[str, Verdict, int, object]:
    """Run ``fn`` on ``ex``'s public cases with ``swaps`` in its globals; first failure."""
    public = _public(ex)
    namespace = getattr(fn, "__globals__", None)
    verdict, k, case = Verdict("passed"), 0, None
    saved = {}
    if swaps and isinstance(namespace, dict):
        saved = {c: namespace.get(c, _MISSING) for c in swaps}
        namespace.update(swaps)
    state = np.random.get_state()
    try:
        for k, (case, expected, numerical) in enumerate(public, start=1):
            np.random.seed(standins.case_seed(ex.name, k))
            outcome = _call(fn, copy.deepcopy(case.args))
            verdict = judge(ex, case, expected, outcome, numerical)
            if verdict.status != "passed":
                break
    finally:
        np.random.set_state(state)
        for c, v in saved.items():
            if v is _MISSING:
                namespace.pop(c, None)
            else:
                namespace[c] = v
    return verdict.status, verdict, k, case


_MISSING = object()


def run_check(fn, name: str | None = None) -> CheckResult:
    """Judge ``fn`` on the public cases of the exercise ``name`` (default ``fn.__name__``)."""
    if not callable(fn):
        raise TypeError(f"check: expected the function you wrote (e.g. check(rnn_forward)), "
                        f"got {type(fn).__name__}")
    name = name if name is not None else getattr(fn, "__name__", None)
    if not isinstance(name, str):
        raise TypeError("check: cannot tell which exercise this is; pass name='...'")
    try:
        assignment, ex = find_exercise(name)
    except KeyError as exc:
        raise ValueError(f"check: {exc.args[0]} (pass name='...' if you renamed the function)") \
            from None
    n_cases = len(ex.public_seeds)
    # a composite runs with the course's cells in place of the learner's, as in the grader
    swaps = {cell: assignment.exercise(cell).reference for cell in ex.uses}
    _, verdict, k, case = _judge_cases(fn, ex, swaps)
    if verdict.status == "passed":
        text = f"{name}: passed {n_cases} public cases. {_HIDDEN}"
    elif verdict.status == "not_implemented":
        text = f"{name}: not attempted yet (it still raises NotImplementedError)."
    else:
        sizes = ", ".join(f"{d}={n}" for d, n in case.dims.items())
        text = (f"{name}: {verdict.status} on public case {k} of {n_cases} ({sizes}).\n"
                f"  {verdict.message}\n{_HIDDEN}")
    if verdict.status != "not_implemented":
        text = _import_warning(fn, assignment) + text + (
            "\n" + _fix_first(fn, ex, assignment).rstrip() if ex.uses else "")
    text = text.rstrip()
    if len(text) > MAX_OUTPUT:
        text = text[: MAX_OUTPUT - 16] + " ... (truncated)"
    return CheckResult(name, verdict.status, verdict.status == "passed", text)


def check(fn, name: str | None = None, *, strict: bool = False) -> None:
    """Check ``fn`` on the public cases of its exercise and print a short verdict.

    Parameters
    ----------
    fn : callable
        Your function, e.g. ``check(rnn_cell_forward)``.
    name : str, optional
        The exercise's name, when your function is called differently.
    strict : bool
        Raise :class:`CheckFailed` (an ``AssertionError``) unless ``fn`` passes; the
        grade cells of the nbgrader version use it, so a wrong answer loses its points.
    """
    result = run_check(fn, name)
    print(result.text)
    if strict and not result.passed:
        raise CheckFailed(result.text)
