"""nbgrader cell metadata in the solution notebooks, kept in sync by ``rnncourse assign``.

nbgrader (https://nbgrader.readthedocs.io) releases an assignment from a *source*
notebook whose cells carry ``metadata.nbgrader``.  :func:`nbgrader_metadata` writes
it from what a solution notebook already says:

* a code cell with ``### BEGIN SOLUTION`` is a **solution cell** (nbgrader replaces the
  region by its stub on release, exactly as ``rnncourse assign`` does);
* a code cell that is exactly ``check(fn)`` for an exercise ``fn`` of the assignment
  is a **grade cell** worth the exercise's points, rewritten ``check(fn, strict=True)``
  so that a wrong answer raises :class:`~rnncourse.grading.check.CheckFailed` and
  loses the points under ``nbgrader autograde``;
* every other cell is **locked** (read-only, restored by autograde);
* a cell tagged ``instructor`` gets no nbgrader metadata: the preprocessor
  :class:`DropInstructorCells`, enabled by ``docs/nbgrader_config.py``, deletes it
  on release.

nbgrader runs these grade cells in the learner's own kernel on the public cases, so
a learner can defeat them (redefine ``check``); ``rnncourse grade`` runs hidden cases
in a sandbox and remains the trustworthy grade.  See ``docs/nbgrader.md``.
"""

from __future__ import annotations

import copy
import re

from nbformat import NotebookNode

from .markers import CODE, MARKDOWN, MarkerError, find_regions

__all__ = ["CHECK_CELL", "DropInstructorCells", "nbgrader_metadata"]

#: a grade cell's source: one ``check(name)`` call, optionally already strict
CHECK_CELL = re.compile(r"^\s*check\(\s*([A-Za-z_]\w*)\s*(?:,\s*strict\s*=\s*True\s*)?\)\s*$")
_SCHEMA_VERSION = 3
_INSTRUCTOR_TAG = "instructor"


def _meta(grade_id: str, *, solution=False, grade=False, locked=False, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked,
            "schema_version": _SCHEMA_VERSION, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def _has_solution(source: str, syntax) -> bool:
    try:
        return bool(find_regions(source, syntax))
    except MarkerError:  # reported by rnncourse assign's own pipeline, with the cell
        return False


def _defined(source: str) -> str | None:
    match = re.search(r"^def ([A-Za-z_]\w*)\(", source, re.M)
    return match.group(1) if match else None


def nbgrader_metadata(nb: NotebookNode, name: str, points: dict[str, float]) -> NotebookNode:
    """A copy of the solution notebook ``nb`` of assignment ``name`` with nbgrader metadata.

    Parameters
    ----------
    nb : NotebookNode
        The solution notebook (not modified).
    name : str
        The assignment name (prefix of every ``grade_id``).
    points : dict of str -> float
        Exercise name -> points, from the exercise registry.

    The result is deterministic and idempotent: applied to its own output it changes
    nothing.
    """
    nb = copy.deepcopy(nb)
    used: set[str] = set()

    def unique(grade_id: str) -> str:
        base, k = grade_id, 2
        while grade_id in used:
            grade_id, k = f"{base}-{k}", k + 1
        used.add(grade_id)
        return grade_id

    for index, cell in enumerate(nb.cells):
        meta = cell.setdefault("metadata", {})
        meta.pop("nbgrader", None)
        if _INSTRUCTOR_TAG in meta.get("tags", []):
            continue
        if cell.cell_type == "code":
            match = CHECK_CELL.match(cell.source)
            if match and match.group(1) in points:
                fn = match.group(1)
                cell.source = f"check({fn}, strict=True)"
                meta["nbgrader"] = _meta(unique(f"check-{fn}"), grade=True, locked=True,
                                         points=float(points[fn]))
                continue
            if _has_solution(cell.source, CODE):
                fn = _defined(cell.source) or f"cell-{index}"
                meta["nbgrader"] = _meta(unique(f"{fn}-solution"), solution=True)
                continue
        elif cell.cell_type == "markdown" and _has_solution(cell.source, MARKDOWN):
            # a written answer: nbgrader wants a manually graded cell; it is worth 0
            # here (the course grades code), but its text is the learner's to edit
            meta["nbgrader"] = _meta(unique(f"answer-{index}"), solution=True, grade=True,
                                     points=0.0)
            continue
        meta["nbgrader"] = _meta(unique(f"{name}-cell-{index}"), locked=True)
    return nb


def _preprocessor_base():
    try:
        from nbconvert.preprocessors import Preprocessor
    except ImportError:  # nbgrader brings nbconvert; without it the class is inert
        return object
    return Preprocessor


class DropInstructorCells(_preprocessor_base()):
    """nbconvert preprocessor for ``nbgrader generate_assignment``: delete the cells
    tagged ``instructor`` (listed first in ``docs/nbgrader_config.py``)."""

    def preprocess(self, nb, resources):
        nb.cells = [c for c in nb.cells
                    if _INSTRUCTOR_TAG not in c.get("metadata", {}).get("tags", [])]
        return nb, resources
