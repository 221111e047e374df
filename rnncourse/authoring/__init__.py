"""Authoring: solution notebooks in, learners' assignment notebooks out.

``rnncourse assign`` (see :mod:`rnncourse.authoring.cli`) calls :func:`assign`,
which runs the ordered steps of :mod:`rnncourse.authoring.steps` on each notebook
of ``solutions/`` and writes ``assignments/`` byte-for-byte reproducibly.
docs/authoring.md is the recipe for lesson authors.
"""

from .assign import AssignResult, assign, generate_assignment, render_assignment
from .errors import AuthoringError
from .steps import INSTRUCTOR_TAG, PIPELINE

__all__ = [
    "AssignResult", "AuthoringError", "INSTRUCTOR_TAG", "PIPELINE", "assign",
    "generate_assignment", "render_assignment",
]
