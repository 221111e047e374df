"""Exercises and the autograder.

For learners: ``from rnncourse.grading import check`` and call ``check(my_function)``
after each exercise (an assignment also calls :func:`skip_unimplemented` at the top, so
that Run All goes past exercises not written yet).  For instructors: :func:`grade_submission` and
:func:`grade_batch` (also the ``rnncourse grade`` command).

The grading pipeline, one module per stage (each callable alone)::

    extract   notebook file -> Submission (code cells, digest, assignment, student)
    cases     exercise registry + secret seed -> hidden cases and reference answers
    sandbox   code cells + case inputs -> plain results from a confined worker process
    compare   plain results vs reference -> Verdict per case
    grade     Verdicts -> Report (then gradebook.record and feedback.write_feedback)

``import rnncourse.grading`` stays light (numpy and the registry's core, no nbformat):
the grader's modules load on first use of :func:`grade_submission` / :func:`grade_batch`.
"""

from __future__ import annotations

import importlib

# imported eagerly so that the function, not the submodule of the same name, is
# ``rnncourse.grading.check``
from .check import check, run_check
from .demos import skip_unimplemented

__all__ = ["check", "grade_batch", "grade_submission", "run_check", "skip_unimplemented"]

_LAZY = {"grade_submission": "grade", "grade_batch": "grade"}


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(f"{__name__}.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))
