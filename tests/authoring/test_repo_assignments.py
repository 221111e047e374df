"""The repository's assignments/ is exactly what `rnncourse assign` makes of solutions/."""

from __future__ import annotations

from pathlib import Path

from rnncourse.authoring import assign
from rnncourse.cli import main

ROOT = Path(__file__).resolve().parent.parent.parent


def test_assignments_are_up_to_date(capsys):
    code = main(["assign", "--check", "--source", str(ROOT / "solutions"),
                 "--dest", str(ROOT / "assignments")])
    assert code == 0, ("assignments/ is out of date; run `rnncourse assign` at the repository "
                       "root and commit the result:\n" + capsys.readouterr().out)


def test_every_solution_notebook_has_its_assignment():
    result = assign(ROOT / "solutions", ROOT / "assignments", check=True)
    solutions = sorted(p.name for p in (ROOT / "solutions").glob("*.ipynb"))
    assert sorted(p.name for p in result.unchanged) == solutions
