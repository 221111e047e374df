"""``rnncourse grade``: tables, --json lines, exit codes."""

import json
import shutil

import pytest

from rnncourse.cli import main

from ..fixtures.submissions import build

FIXTURES = build.broken_files()  # broken submissions, written at test time
F02 = "02_forward_propagation"


def test_json_lines_and_exit_code_zero_for_broken_submissions(capsys, tmp_path):
    files = []
    for student, name in (("amy", "empty.ipynb"), ("bo", "non_utf8.ipynb")):
        (tmp_path / "submitted" / student).mkdir(parents=True)
        files.append(str(shutil.copy(FIXTURES / name, tmp_path / "submitted" / student / name)))
    code = main(["grade", "--json", "--assignment", F02, *files])
    out = capsys.readouterr().out.strip().split("\n")
    assert code == 0
    rows = [json.loads(line) for line in out]
    assert sorted(r["student"] for r in rows) == ["amy", "bo"]
    assert all(r["score"] == 0 and r["max_score"] == 9 for r in rows)
    assert {e["status"] for r in rows for e in r["exercises"]} == {"error"}


@pytest.mark.skipif(not (build.SOLUTIONS / f"{F02}.ipynb").exists(), reason="no solutions")
def test_table_for_a_solution(capsys, tmp_path):
    path = build.write(build.solution(F02), tmp_path / "submitted" / "zoe" / f"{F02}.ipynb")
    assert main(["grade", str(path), "--timeout", "30", "--jobs", "2"]) == 0
    out = capsys.readouterr().out
    assert f"student zoe  assignment {F02}  score 9/9" in out
    assert "rnn_forward" in out and "passed 3 hidden cases" in out


def test_missing_file_and_unknown_assignment_exit_two(capsys, tmp_path):
    shutil.copy(FIXTURES / "empty.ipynb", tmp_path / "homework.ipynb")
    assert main(["grade", str(tmp_path / "nope.ipynb"), str(tmp_path / "homework.ipynb")]) == 2
    err = capsys.readouterr().err
    assert "nope.ipynb: No such file" in err and "unknown assignment 'homework'" in err
    assert main(["grade", "--assignment", "nope", str(tmp_path / "homework.ipynb")]) == 2
    assert "unknown assignment 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize("option, value, phrase", [
    ("--timeout", "0", "positive number of seconds"), ("--jobs", "0", "integer >= 1"),
    ("--memory-mb", "64", "integer >= 128"),
])
def test_bad_options_are_one_line_errors(capsys, option, value, phrase):
    with pytest.raises(SystemExit) as exc:
        main(["grade", option, value, "x.ipynb"])
    assert exc.value.code == 2 and phrase in capsys.readouterr().err


def test_a_grader_that_cannot_run_exits_one(capsys, monkeypatch):
    # exit 1 (the grader's environment) is told apart from 2 (the submissions' problems)
    from rnncourse.grading import grade, sandbox

    def no_worker(*args, **kwargs):
        raise sandbox.SandboxError("the grading worker did not start")

    monkeypatch.setattr(grade, "grade_batch", no_worker)
    assert main(["grade", "--assignment", F02, str(FIXTURES / "empty.ipynb")]) == 1
    assert capsys.readouterr().err.strip() == \
        "rnncourse grade: the grader cannot run: the grading worker did not start"


def test_progress_bar_and_reports_never_share_a_line(tmp_path, monkeypatch):
    # on a terminal stdout and stderr are one stream: every report line must start on
    # a line of its own (the bar is cleared first), never glued after the bar's text
    import io
    import sys

    from rnncourse.grading import grade_batch
    from rnncourse.grading.cli import format_report

    terminal = io.StringIO()
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.setattr(sys, "stderr", terminal)
    files = []
    for k, name in enumerate(["empty.ipynb", "non_utf8.ipynb", "invalid_json.ipynb", "wrong_nbformat.ipynb"]):
        (tmp_path / "submitted" / f"s{k}").mkdir(parents=True)
        files.append(shutil.copy(FIXTURES / name, tmp_path / "submitted" / f"s{k}" / name))
    printed = []

    def show(item):
        printed.append(format_report(item.report))
        print(printed[-1])

    grade_batch(files, progress=True, assignment=F02, on_item=show)
    text = terminal.getvalue()
    assert "notebook" in text  # the bar was drawn
    for report in printed:
        for line in report.split("\n"):
            at = text.index(line)
            assert at == 0 or text[at - 1] in "\r\n", repr(text[max(0, at - 60):at + 20])
