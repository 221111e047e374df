"""grade_submission / grade_batch: the CI checks on solutions/ and assignments/, batches,
the gradebook and determinism of the hidden cases."""

import json
import shutil

import pytest

from rnncourse.grading import grade_batch, grade_submission
from rnncourse.grading.cases import hidden_cases, submission_seed
from rnncourse.grading.exercises import ASSIGNMENT_MODULES, get_assignment

from ..fixtures.submissions import build

SOLUTIONS = sorted(p for p in build.SOLUTIONS.glob("*.ipynb") if p.stem in ASSIGNMENT_MODULES)
ASSIGNMENTS = sorted(p for p in build.ASSIGNMENTS.glob("*.ipynb") if p.stem in ASSIGNMENT_MODULES)
FIXTURES = build.broken_files()  # broken submissions, written at test time
F02 = "02_forward_propagation"
needs_solutions = pytest.mark.skipif(not (build.SOLUTIONS / f"{F02}.ipynb").exists(),
                                     reason="solution notebooks not present")


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_every_solution_notebook_grades_full_marks(path):
    report = grade_submission(path, timeout=60)
    assert report.assignment == path.stem
    assert report.score == report.max_score == get_assignment(path.stem).max_score, report
    assert all(e.status == "passed" for e in report.exercises)


@pytest.mark.parametrize("path", ASSIGNMENTS, ids=lambda p: p.stem)
def test_every_untouched_assignment_grades_zero_not_implemented(path):
    report = grade_submission(path, timeout=60)
    assert report.assignment == path.stem       # from the notebook's metadata
    assert report.score == 0 and report.max_score == get_assignment(path.stem).max_score
    assert [e.status for e in report.exercises] == ["not_implemented"] * len(report.exercises), report
    assert all("not attempted yet" in e.feedback for e in report.exercises)


def test_solutions_and_assignments_are_all_checked():
    assert {p.stem for p in SOLUTIONS} >= {F02, "03_backprop_through_time"}
    assert {p.stem for p in ASSIGNMENTS} == {p.stem for p in SOLUTIONS}


@needs_solutions
def test_hidden_cases_depend_on_the_secret_and_the_content(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNCOURSE_GRADING_SECRET", "one")
    a = submission_seed(F02, "sha256:aa")
    assert a == submission_seed(F02, "sha256:aa")
    assert a != submission_seed(F02, "sha256:ab")
    monkeypatch.setenv("RNNCOURSE_GRADING_SECRET", "two")
    assert a != submission_seed(F02, "sha256:aa")
    # a wrong answer's feedback quotes hidden sizes: same file, same grade, same words
    nb = build.swap(build.solution(F02), "bce_step_loss",
                    "import numpy as np\ndef bce_step_loss(y_hat_t, y_t):\n    return np.zeros(y_t.shape)\n")
    path = build.write(nb, tmp_path / f"{F02}.ipynb")
    first, second = grade_submission(path, timeout=30), grade_submission(path, timeout=30)
    assert first == second and first.exercises[2].status == "failed"


def test_unknown_assignment_is_the_callers_error(tmp_path):
    path = shutil.copy(FIXTURES / "empty.ipynb", tmp_path / "homework.ipynb")
    with pytest.raises(ValueError, match="unknown assignment 'homework'.*--assignment"):
        grade_submission(path)


@needs_solutions
def test_batch_grades_everything_records_once_and_resumes(tmp_path):
    good = build.write(build.solution(F02), tmp_path / "submitted" / "ann" / f"{F02}.ipynb")
    broken = shutil.copy(FIXTURES / "invalid_json.ipynb", tmp_path / "submitted" / "ann" / "x.ipynb")
    wrong = build.write(build.swap(build.solution(F02), "rnn_forward", "rnn_forward = None"),
                        tmp_path / "submitted" / "ben" / f"{F02}.ipynb")
    book = tmp_path / "grades.db"
    seen = []
    reports = grade_batch([good, broken, wrong], jobs=2, gradebook=book, progress=False,
                          assignment=F02, timeout=30, on_item=seen.append)
    assert [r.student for r in reports] == ["ann", "ann", "ben"]  # the folder, not the file name
    assert [r.score for r in reports] == [9.0, 0.0, 5.0]
    assert len(seen) == 3 and not any(i.error or i.skipped for i in seen)
    assert (tmp_path / "feedback").is_dir() and any((tmp_path / "feedback").rglob("*.md"))

    from rnncourse.grading.gradebook import Gradebook
    with Gradebook(book) as gb:
        assert gb.report(str(good)) == reports[0]
    # rerun: nothing changed, nothing graded again
    seen.clear()
    assert grade_batch([good, broken, wrong], gradebook=book, progress=False, assignment=F02,
                       on_item=seen.append) == []
    assert [i.skipped for i in seen] == [True, True, True]
    # a changed file is graded again
    build.write(build.solution(F02), wrong)
    again = grade_batch([good, wrong], gradebook=book, progress=False, assignment=F02, timeout=30)
    assert [r.score for r in again] == [9.0]


def test_batch_reports_missing_files_and_goes_on(tmp_path):
    seen = []
    reports = grade_batch([tmp_path / "nope.ipynb", FIXTURES / "empty.ipynb"], progress=False,
                          assignment=F02, on_item=seen.append)
    assert [r.score for r in reports] == [0.0]
    assert any(i.error and "nope.ipynb" in i.error for i in seen)


def test_report_json_has_the_documented_keys():
    report = grade_submission(FIXTURES / "empty.ipynb", assignment=F02)
    data = json.loads(json.dumps(report.to_dict()))
    assert {"submission", "assignment", "student", "score", "max_score", "exercises"} <= set(data)
    assert set(data["exercises"][0]) == {"name", "score", "max_score", "status", "feedback"}


@needs_solutions
def test_every_hidden_case_is_judged_not_only_the_first(tmp_path):
    # an answer wrong only at the sizes of a later hidden case fails, and says which case
    seed = 1
    cases = hidden_cases(get_assignment(F02), seed)["bce_step_loss"]
    shapes = [c.case.args[1].shape for c in cases]
    k = shapes.index(shapes[-1]) + 1
    assert k > 1, shapes
    nb = build.swap(build.solution(F02), "bce_step_loss",
                    "import numpy as np\n"
                    "def bce_step_loss(y_hat_t, y_t):\n"
                    "    L = -np.sum(y_t * np.log(y_hat_t) + (1 - y_t) * np.log(1 - y_hat_t), axis=0)\n"
                    f"    return L + 1.0 if y_t.shape == {shapes[-1]!r} else L\n")
    report = grade_submission(build.write(nb, tmp_path / f"{F02}.ipynb"), timeout=30, seed=seed)
    result = next(e for e in report.exercises if e.name == "bce_step_loss")
    assert result.status == "failed" and result.score == 0, result
    assert result.feedback.startswith(f"hidden case {k} of {len(cases)} "), result.feedback


def test_a_broken_cell_is_named_as_the_learner_sees_it_and_no_other_exercise_is_suggested(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 02"),
                nbformat.v4.new_code_cell("import numpy as np"),
                nbformat.v4.new_code_cell("def rnn_cell_forward(x_t, a_prev, params):\n    return 1\n"),
                nbformat.v4.new_markdown_cell("next"),
                nbformat.v4.new_code_cell("def rnn_forward(x, a0, params):\n  a = 1\n    return a\n")]
    nb.cells[4].execution_count = 12
    path = tmp_path / "02_forward_propagation.ipynb"
    nbformat.write(nb, str(path))
    report = grade_submission(path, timeout=30)
    seq = next(e for e in report.exercises if e.name == "rnn_forward")
    assert seq.status == "missing"
    assert "the cell that defines it (cell 5, In [12]) raised IndentationError" in seq.feedback
    assert "found rnn_cell_forward" not in seq.feedback
    assert any(n.startswith("cell 5, In [12] raised IndentationError") for n in report.notes), \
        report.notes


def test_feedback_is_the_same_on_every_regrade_even_for_an_answer_using_np_random(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import numpy as np\n"
        "def bce_step_loss(y_hat_t, y_t):\n"
        "    return np.random.standard_normal(y_t.shape[1])\n")]
    path = tmp_path / "02_forward_propagation.ipynb"
    nbformat.write(nb, str(path))
    first, second = (grade_submission(path, timeout=30, seed=5) for _ in range(2))
    loss = [next(e for e in r.exercises if e.name == "bce_step_loss") for r in (first, second)]
    assert loss[0].status == "failed" and loss[0].feedback == loss[1].feedback, loss
