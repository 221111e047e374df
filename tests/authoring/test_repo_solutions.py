"""solutions/ and the exercise registry agree: every registered exercise is answered and checked."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from rnncourse.authoring.markers import CODE, find_regions
from rnncourse.grading.exercises import ASSIGNMENT_MODULES, get_assignment

ROOT = Path(__file__).resolve().parent.parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


def _code_cells(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


def test_every_solution_notebook_is_a_registered_assignment_and_back():
    assert {p.stem for p in SOLUTIONS} == set(ASSIGNMENT_MODULES)


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_every_exercise_is_answered_between_markers_then_checked(path):
    cells = _code_cells(path)
    for ex in get_assignment(path.stem).exercises:
        define = re.compile(rf"^def {ex.name}\(", re.M)
        defining = [i for i, src in enumerate(cells) if define.search(src)]
        assert len(defining) == 1, f"{path.name}: {ex.name} must be defined in exactly one cell"
        i = defining[0]
        assert find_regions(cells[i], CODE), f"{path.name}: {ex.name} has no solution region"
        checks = [j for j, src in enumerate(cells)
                  if src.strip() in (f"check({ex.name})", f"check({ex.name}, strict=True)")]
        assert checks and checks[0] > i, f"{path.name}: no check({ex.name}) cell after its definition"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_imports_only_what_learners_may_use(path):
    # the grading sandbox exposes only the assignment's learner modules (and check)
    allowed = set(get_assignment(path.stem).learner_modules) | {"grading"}
    used = set()
    for src in _code_cells(path):
        used |= set(re.findall(r"^\s*from rnncourse\.(\w+)", src, re.M))
        used |= set(re.findall(r"^\s*import rnncourse\.(\w+)", src, re.M))
    assert used <= allowed, f"{path.name} imports rnncourse.{sorted(used - allowed)}"
