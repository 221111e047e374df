"""A batch of honest and hostile notebooks always finishes, with a report for every file,
and each honest notebook is graded exactly as if it were graded alone (issue 9)."""

from __future__ import annotations


import pytest

from rnncourse.grading import grade as grade_module
from rnncourse.grading import grade_batch, grade_submission

from ..fixtures.submissions import build
from ..helpers import within

TIMEOUT, MEMORY_MB, SEED = 2.5, 512, 20261203
F02, F03 = "02_forward_propagation", "03_backprop_through_time"
CELL, SEQ, LOSS = build.EXERCISES[F02]
CBACK, BACK, CLIP = build.EXERCISES[F03]

pytestmark = pytest.mark.skipif(not (build.SOLUTIONS / f"{F02}.ipynb").exists(),
                                reason="solution notebooks not present")

SURROGATE = "bad \\ud800 text \\x1b[2J\\x1b[31m red"      # as Python source: a lone surrogate, ANSI

# a wrapper that sends the right answers with a record the grader never expected
# (the inputs after the call are a number): it aborted the whole batch before
FORGED_RECORD = f"""
import sys, os, json, copy
import _rnncourse_plain as _plain
_real = {CLIP}
def {CLIP}(grads, max_value):
    cases = sys._getframe(1).f_locals["cases"]
    records = [{{"status": "returned", "value": _plain.encode(_real(*copy.deepcopy(args))),
                "inputs_after": 5}} for args in cases]
    os.write(int(sys.argv[2]), (json.dumps({{"event": "result", "name": "{CLIP}",
                                            "cases": records}}) + "\\n").encode())
    return _real(grads, max_value)
"""


def _hostile(tmp_path):
    """(path, assignment, statuses) of each file; statuses of the exercises not passed."""
    files = []

    def add(name, assignment, nb, statuses):
        path = build.write(nb, tmp_path / "submitted" / name / f"{assignment}.ipynb")
        files.append((str(path), assignment, statuses))

    add("honest02", F02, build.solution(F02), {})
    add("honest03", F03, build.solution(F03), {})
    add("surrogate", F02, build.swap(build.insert(build.solution(F02), 1, f"raise ValueError('{SURROGATE}')"),
                                     LOSS, f"def {LOSS}(y_hat_t, y_t):\n    raise ValueError('{SURROGATE}')\n"),
        {LOSS: "error"})
    nb = build.solution(F03)
    nb.cells.insert(build.index_of(nb, CLIP) + 1, build.nbformat.v4.new_code_cell(FORGED_RECORD))
    add("forged", F03, nb, {CLIP: "failed"})
    add("spaces", F02, build.insert(build.solution(F02), 1, "x = 1\n" + " " * 5000 + "\ny = 2\n"), {})
    add("loop", F02, build.swap(build.solution(F02), SEQ, "def rnn_forward(x, a0, params):\n"
                                                         "    while True:\n        pass\n"),
        {SEQ: "timeout"})
    add("exits", F02, build.insert(build.solution(F02), 1, "import os\nos._exit(3)"), {})
    return files


def test_a_batch_with_hostile_files_finishes_and_honest_files_are_graded_as_if_alone(tmp_path):
    files = _hostile(tmp_path)
    book = tmp_path / "grades.db"
    seen = []
    with within(150):
        reports = grade_batch([p for p, _, _ in files], jobs=2, gradebook=book, progress=False,
                              timeout=TIMEOUT, memory_mb=MEMORY_MB, seed=SEED, on_item=seen.append)
    assert [i.error for i in seen if i.error] == []
    by_path = {r.submission: r for r in reports}
    assert sorted(by_path) == sorted(p for p, _, _ in files)
    for path, assignment, statuses in files:
        report = by_path[path]
        got = {e.name: e.status for e in report.exercises if e.status != "passed"}
        details = "\n".join(f"{e.name}: {e.status}: {e.feedback}" for e in report.exercises)
        assert got == statuses, (path, details, report.notes)
        for text in [e.feedback for e in report.exercises] + list(report.notes):
            text.encode("utf-8")                             # always writable
            assert "\x1b" not in text and "\n" not in text
        page = tmp_path / "feedback" / path.split("/")[-2] / f"{assignment}.md"
        assert page.is_file(), page
    surrogate = by_path[files[2][0]]
    loss = next(e for e in surrogate.exercises if e.name == LOSS)
    assert '\\ud800 text \\x1b[2J' in loss.feedback
    assert any("\\ud800" in n for n in surrogate.notes)
    forged = next(e for e in by_path[files[3][0]].exercises if e.name == CLIP)
    assert "inputs are not a tuple" in forged.feedback
    for path, assignment, _ in files[:2]:                    # honest: exactly as if alone
        alone = grade_submission(path, timeout=TIMEOUT, memory_mb=MEMORY_MB, seed=SEED)
        assert alone.exercises == by_path[path].exercises
        assert alone.score == alone.max_score
    again = []                                                # rerun: everything recorded
    grade_batch([p for p, _, _ in files], jobs=2, gradebook=book, progress=False,
                timeout=TIMEOUT, memory_mb=MEMORY_MB, seed=SEED, on_item=again.append)
    assert all(i.skipped for i in again) and len(again) == len(files)


def test_whatever_a_step_raises_costs_only_that_submission_and_rerun_grades_it(tmp_path, monkeypatch):
    files = _hostile(tmp_path)[:2]
    bad = files[0][0]
    real = grade_module._grade

    def broken(path, **kw):
        if path == bad:
            raise RecursionError("maximum recursion depth exceeded \udcff")
        return real(path, **kw)

    monkeypatch.setattr(grade_module, "_grade", broken)
    book = tmp_path / "grades.db"
    seen = []
    grade_batch([p for p, _, _ in files], gradebook=book, progress=False, timeout=TIMEOUT,
                memory_mb=MEMORY_MB, seed=SEED, on_item=seen.append)
    errors = {i.path: i.error for i in seen if i.error}
    assert list(errors) == [bad]
    assert "RecursionError" in errors[bad] and "\\udcff" in errors[bad]
    errors[bad].encode("utf-8")
    assert [i.report.score for i in seen if i.report] == [10.0]

    from rnncourse.grading import feedback
    monkeypatch.setattr(grade_module, "_grade", real)

    def failing_page(report, directory, **context):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(feedback, "write_feedback", failing_page)
    seen = []
    grade_batch([p for p, _, _ in files], gradebook=book, progress=False, timeout=TIMEOUT,
                memory_mb=MEMORY_MB, seed=SEED, on_item=seen.append)
    assert [(i.path, i.error) for i in seen if i.error] == [(bad, f"{bad}: No space left on device")]
    assert [i.path for i in seen if i.skipped] == [files[1][0]]

    monkeypatch.undo()
    seen = []
    grade_batch([p for p, _, _ in files], gradebook=book, progress=False, timeout=TIMEOUT,
                memory_mb=MEMORY_MB, seed=SEED, on_item=seen.append)
    assert [i.path for i in seen if i.report] == [bad]          # the rerun grades it, once
    assert seen[-1].report.score == seen[-1].report.max_score
