"""nbgrader interop: the cell metadata ``rnncourse assign`` writes into the solutions,
``check(fn, strict=True)``, and (opt-in: RNNCOURSE_NBGRADER_TEST=1) a real nbgrader
releasing and autograding a solution notebook in its own virtual environment."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import venv
from pathlib import Path

import nbformat
import pytest

from rnncourse.authoring.assign import assign, render_solution
from rnncourse.authoring.nbgrader import DropInstructorCells, nbgrader_metadata
from rnncourse.grading.check import CheckFailed, check
from rnncourse.grading.exercises import get_assignment

REPO = Path(__file__).resolve().parents[2]
F02 = "02_forward_propagation"


def _meta(nb):
    return [c.metadata.get("nbgrader") for c in nb.cells]


def test_repo_solutions_carry_metadata_in_sync_with_the_registry():
    for path in sorted((REPO / "solutions").glob("*.ipynb")):
        assert render_solution(path) == path.read_text(encoding="utf-8"), \
            f"{path.name}: run `rnncourse assign` (nbgrader metadata out of date)"
        nb = nbformat.read(path, as_version=4)
        grades = {m["grade_id"]: m["points"] for m in _meta(nb) if m and m["grade"]}
        registry = get_assignment(path.stem)
        assert grades == {f"check-{e.name}": float(e.points) for e in registry.exercises}
        ids = [m["grade_id"] for m in _meta(nb) if m]
        assert len(ids) == len(set(ids))


def test_cell_kinds():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# title"),
        nbformat.v4.new_code_cell("import numpy as np"),
        nbformat.v4.new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION"),
        nbformat.v4.new_code_cell("check(f)"),
        nbformat.v4.new_code_cell("check(g)"),  # not an exercise of this assignment: locked
        nbformat.v4.new_code_cell("f(3)", metadata={"tags": ["instructor"]}),
    ]
    out = nbgrader_metadata(nb, "hw", {"f": 4})
    meta = _meta(out)
    assert [m and (m["solution"], m["grade"], m["locked"]) for m in meta] == [
        (False, False, True), (False, False, True), (True, False, False), (False, True, True),
        (False, False, True), None]
    assert meta[3]["points"] == 4.0 and out.cells[3].source == "check(f, strict=True)"
    assert meta[2]["grade_id"] == "f-solution"
    assert nbgrader_metadata(out, "hw", {"f": 4}) == out  # idempotent
    assert nb.cells[3].source == "check(f)"  # the input is untouched
    released, _ = DropInstructorCells().preprocess(out, {})
    assert len(released.cells) == 5


def test_assign_check_reports_stale_metadata_and_writes_it(tmp_path):
    shutil.copy(REPO / "solutions" / f"{F02}.ipynb", tmp_path / f"{F02}.ipynb")
    nb = nbformat.read(tmp_path / f"{F02}.ipynb", as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    nbformat.write(nb, str(tmp_path / f"{F02}.ipynb"))
    result = assign(tmp_path, tmp_path / "out", check=True)
    assert not result.ok and result.solutions == (tmp_path / f"{F02}.ipynb",)
    result = assign(tmp_path, tmp_path / "out")
    assert result.solutions == (tmp_path / f"{F02}.ipynb",)
    assert (tmp_path / f"{F02}.ipynb").read_text() == (REPO / "solutions" / f"{F02}.ipynb").read_text()
    assert assign(tmp_path, tmp_path / "out", check=True).ok


def test_strict_check_raises_only_when_the_answer_fails(capsys):
    from rnncourse.rnn import rnn_cell_forward

    check(rnn_cell_forward, strict=True)  # the reference passes: nothing raised
    assert "passed" in capsys.readouterr().out

    def rnn_cell_forward(x_t, a_prev, params):  # noqa: F811
        raise NotImplementedError()

    with pytest.raises(CheckFailed, match="not attempted yet"):
        check(rnn_cell_forward, strict=True)
    check(rnn_cell_forward)  # not strict: prints, does not raise
    assert isinstance(CheckFailed("x"), AssertionError)


# ------------------------------------------------------------- a real nbgrader
def _nbgrader_env(tmp_path: Path) -> Path:
    """A virtual environment with nbgrader and this rnncourse, or pytest.skip
    (RNNCOURSE_NBGRADER_VENV names one made earlier, to skip the install)."""
    given = os.environ.get("RNNCOURSE_NBGRADER_VENV")
    if given:
        python = Path(given) / "bin" / "python"
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall",
                        str(REPO)], check=True, capture_output=True, timeout=900)
        return python
    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env)
    python = env / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", "nbgrader", str(REPO)],
                             capture_output=True, text=True, timeout=900)
    if install.returncode != 0:
        pytest.skip(f"nbgrader could not be installed: {install.stderr.strip()[-300:]}")
    return python


@pytest.mark.skipif(os.environ.get("RNNCOURSE_NBGRADER_TEST") != "1",
                    reason="installs nbgrader from PyPI into a temporary venv (minutes): "
                           "set RNNCOURSE_NBGRADER_TEST=1 to run it")
def test_nbgrader_releases_and_autogrades_a_solution(tmp_path):
    python = _nbgrader_env(tmp_path)
    course = tmp_path / "course"
    (course / "source" / "ps2").mkdir(parents=True)
    shutil.copy(REPO / "docs" / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copy(REPO / "solutions" / f"{F02}.ipynb", course / "source" / "ps2" / f"{F02}.ipynb")
    nbgrader = [str(python), "-m", "nbgrader"]
    # nbgrader runs the `alembic` command of its own environment
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1",
           "PATH": f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}"}

    def run(*args):
        done = subprocess.run([*nbgrader, *args], cwd=course, capture_output=True, text=True,
                              timeout=600, env=env)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]

    run("db", "student", "add", "untouched")
    run("db", "student", "add", "solved")
    run("generate_assignment", "ps2", "--force")
    released = nbformat.read(course / "release" / "ps2" / f"{F02}.ipynb", as_version=4)
    text = "\n".join(c.source for c in released.cells)
    assert "### BEGIN SOLUTION" not in text and "raise NotImplementedError()" in text
    assert not any("instructor" in c.metadata.get("tags", []) for c in released.cells)
    for student, notebook in (("untouched", course / "release" / "ps2" / f"{F02}.ipynb"),
                              ("solved", course / "source" / "ps2" / f"{F02}.ipynb")):
        (course / "submitted" / student / "ps2").mkdir(parents=True)
        shutil.copy(notebook, course / "submitted" / student / "ps2" / f"{F02}.ipynb")
    run("autograde", "ps2", "--force")
    with sqlite3.connect(course / "gradebook.db") as conn:
        rows = conn.execute(
            "SELECT submitted_assignment.student_id, SUM(grade.auto_score), SUM(grade_cells.max_score) "
            "FROM grade JOIN grade_cells ON grade.cell_id = grade_cells.id "
            "JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
            "JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id "
            "GROUP BY submitted_assignment.student_id").fetchall()
    scores = {student: (score, total) for student, score, total in rows}
    full = float(get_assignment(F02).max_score)
    assert scores == {"untouched": (0.0, full), "solved": (full, full)}
