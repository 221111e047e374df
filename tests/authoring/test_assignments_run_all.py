"""Run All on a fresh assignment goes from top to bottom, and every check still reports."""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from rnncourse.authoring.steps import SKIP_CELL_ID

ROOT = Path(__file__).resolve().parent.parent.parent
ASSIGNMENTS = sorted((ROOT / "assignments").glob("*.ipynb"))


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def _is_check(cell) -> bool:
    return cell.cell_type == "code" and cell.source.lstrip().startswith("check(")


@pytest.mark.parametrize("path", ASSIGNMENTS, ids=lambda p: p.name)
def test_a_fresh_assignment_runs_all_without_an_error(path):
    nb = nbformat.read(path, as_version=4)
    assert any(c.get("id") == SKIP_CELL_ID for c in nb.cells), "run `rnncourse assign`"
    start = time.perf_counter()
    # every cell runs (allow_errors) so that the errors can be told apart below
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    elapsed = time.perf_counter() - start
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "every code cell ran"
    # No cell may raise: demo cells skip politely (skip_unimplemented), and the check
    # cells learners receive are not strict (the solutions' strict grade cells are for
    # nbgrader's own release), so Run All reaches every check.
    for cell in code:
        for out in cell.outputs:
            assert out.output_type != "error", (cell.source, out.ename, out.evalue)
        assert "strict=True" not in cell.source, cell.source
    checks = [c for c in code if _is_check(c)]
    assert checks, f"{path.name} has no check cell"
    for cell in checks:
        # the check cells still run and report that the exercise is not attempted yet
        text = _text(cell)
        assert "not attempted yet" in text and "passed" not in text, (cell.source, text)
    assert any(_text(c).startswith("skipped: ") for c in code), \
        "no demo cell was skipped: does a demo call an exercise?"
    assert elapsed < 90, f"{path.name} took {elapsed:.0f} s to run all"
