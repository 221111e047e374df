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
from dataclasses import dataclass

from . import plain
from .compare import CallOutcome, Verdict, judge
from .exercises import find_exercise

__all__ = ["CheckFailed", "CheckResult", "check", "run_check"]

#: the longest text ``check`` prints
MAX_OUTPUT = 800
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


def run_check(fn, name: str | None = None) -> CheckResult:
    """Judge ``fn`` on the public cases of the exercise ``name`` (default ``fn.__name__``)."""
    if not callable(fn):
        raise TypeError(f"check: expected the function you wrote (e.g. check(rnn_forward)), "
                        f"got {type(fn).__name__}")
    name = name if name is not None else getattr(fn, "__name__", None)
    if not isinstance(name, str):
        raise TypeError("check: cannot tell which exercise this is; pass name='...'")
    try:
        _, ex = find_exercise(name)
    except KeyError as exc:
        raise ValueError(f"check: {exc.args[0]} (pass name='...' if you renamed the function)") \
            from None
    cases = ex.public_cases()
    verdict = Verdict("passed")
    for k, case in enumerate(cases, start=1):
        expected = ex.split(ex.reference(*copy.deepcopy(case.args)))
        numerical = ex.numerical_gradient(case) if ex.numerical_gradient else None
        outcome = _call(fn, copy.deepcopy(case.args))
        verdict = judge(ex, case, expected, outcome, numerical)
        if verdict.status != "passed":
            break
    if verdict.status == "passed":
        text = f"{name}: passed {len(cases)} public cases. {_HIDDEN}"
    elif verdict.status == "not_implemented":
        text = f"{name}: not attempted yet (it still raises NotImplementedError)."
    else:
        sizes = ", ".join(f"{d}={n}" for d, n in case.dims.items())
        text = (f"{name}: {verdict.status} on public case {k} of {len(cases)} ({sizes}).\n"
                f"  {verdict.message}\n{_HIDDEN}")
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
