"""Honest work gets the grade it deserves, and each classic mistake costs its exercise only.

For every assignment: an answer written from the assignment text alone (``aNN.ANSWERS``)
gets full marks from the real grader and passes ``check``; each classic mistake
(``aNN.MISTAKES``) costs its own exercise only, in the grader and in ``check`` alike,
and the feedback names it.
"""

import importlib
from pathlib import Path

import pytest

from rnncourse.grading import grade_submission, run_check
from rnncourse.grading.exercises import get_assignment

from . import notebook

MODULES = [importlib.import_module(f"{__package__}.{p.stem}")
           for p in sorted(Path(__file__).parent.glob("a[0-9][0-9].py"))]


#: one seed for every submission of the tests: the grader's hidden cases are drawn once
SEED = 20261203


def _grade(nb, tmp_path, assignment):
    report = grade_submission(notebook.write(nb, tmp_path, assignment), timeout=60, seed=SEED)
    return {e.name: e for e in report.exercises}, report


@pytest.mark.parametrize("mod", MODULES, ids=lambda m: m.ASSIGNMENT)
def test_an_answer_written_from_the_text_gets_full_marks(mod, tmp_path):
    asg = get_assignment(mod.ASSIGNMENT)
    assert set(mod.ANSWERS) == {e.name for e in asg.exercises}
    extra = getattr(mod, "EXTRA_IMPORTS", "")
    nb = notebook.build(mod.ASSIGNMENT, mod.ANSWERS, extra)
    results, report = _grade(nb, tmp_path, mod.ASSIGNMENT)
    assert report.score == asg.max_score, "\n".join(
        [f"{e.name}: {e.status}: {e.feedback}" for e in report.exercises] + list(report.notes))
    namespace = notebook.run_in_process(nb)
    for name in mod.ANSWERS:
        result = run_check(namespace[name])
        assert result.passed, result.text
        assert ("Warning: your notebook imports" in result.text) == bool(extra), result.text


@pytest.mark.parametrize("mod", [m for m in MODULES if m.MISTAKES], ids=lambda m: m.ASSIGNMENT)
def test_each_classic_mistake_costs_its_exercise_only_and_is_named(mod, tmp_path):
    for k, group in enumerate(notebook.rounds(mod.MISTAKES)):
        wrong = {m.exercise: m for m in group}
        nb = notebook.build(mod.ASSIGNMENT, {**mod.ANSWERS, **{e: m.source for e, m in wrong.items()}})
        results, report = _grade(nb, tmp_path / str(k), mod.ASSIGNMENT)
        namespace = notebook.run_in_process(nb)
        for name, result in results.items():
            if name not in wrong:
                assert result.status == "passed", (name, result.feedback)
                continue
            m = wrong[name]
            assert result.status != "passed", (m.what, result.feedback)
            assert m.diagnosis in result.feedback, (m.what, result.feedback)
            checked = run_check(namespace[name])
            assert checked.status == result.status, (m.what, checked.text, result.feedback)
            assert m.diagnosis in checked.text, (m.what, checked.text)
