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


@pytest.mark.parametrize("args, phrase", [
    (["--due", "2026-12-10T23:59"], "--due 2026-12-10T23:59: say which assignment"),
    (["--due", f"{F02}=next friday"], "must be an ISO 8601 time"),
    (["--due", "99_nothing=2026-12-10T23:59"], "unknown assignment '99_nothing'"),
    (["--due", f"{F02}=2026-12-10T23:59", "--penalty-per-day", "10%", "--policy", "on-time"],
     "a penalty needs policy 'latest'"),
])
def test_bad_due_dates_are_one_line_errors_and_grade_nothing(capsys, tmp_path, args, phrase):
    (tmp_path / "submitted" / "amy").mkdir(parents=True)
    shutil.copy(FIXTURES / "empty.ipynb", tmp_path / "submitted" / "amy" / f"{F02}.ipynb")
    book = tmp_path / "grades.db"
    code = main(["grade", str(tmp_path / "submitted"), "--gradebook", str(book), *args])
    out, err = capsys.readouterr()
    assert code == 2 and phrase in err and err.count("\n") == 1 and out == ""


def test_a_due_date_needs_a_gradebook_and_a_file_must_be_in_a_student_folder(capsys, tmp_path):
    (tmp_path / "submitted").mkdir()
    loose = shutil.copy(FIXTURES / "empty.ipynb", tmp_path / "submitted" / f"{F02}.ipynb")
    assert main(["grade", str(loose), "--due", f"{F02}=2026-12-10T23:59"]) == 2
    assert "pass --gradebook FILE" in capsys.readouterr().err
    assert main(["grade", str(loose)]) == 2
    assert "lies directly in the submissions root" in capsys.readouterr().err


def test_the_table_wraps_long_feedback_and_notes_without_cutting_them():
    from rnncourse.grading.cli import format_report
    from rnncourse.grading.report import ExerciseResult, Report

    long = "hidden case 1 of 3: " + " ".join(f"word{i}" for i in range(80)) + " END"
    note = "note text " * 40 + "LAST"
    report = Report(submission="s.ipynb", assignment="02_forward_propagation", student="ann",
                    exercises=(ExerciseResult("rnn_forward", 0.0, 4.0, "failed", long),),
                    notes=(note,))
    text = format_report(report)
    assert "END" in text and "LAST" in text and "..." not in text
    assert " ".join(text.split()).count(" ".join(long.split())) == 1     # every word, in order
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 100
    first = next(i for i, line in enumerate(lines) if "rnn_forward" in line)
    column = lines[first].index("hidden case")
    assert lines[first + 1].startswith(" " * column) and lines[first + 1][column] != " "


def test_names_from_the_submission_cannot_write_to_the_instructors_terminal(capsys, tmp_path):
    # the student is the folder's name and the file's name is the student's choice: an
    # escape sequence (clear screen) or a newline (a forged "score 9/9" line) in either
    # is printed as its escape, and the gradebook still keeps the real name
    student = "ann\x1b[2J\nbob  assignment 02  score 9 of 9"
    folder = tmp_path / "submitted" / student
    folder.mkdir(parents=True)
    path = shutil.copy(FIXTURES / "empty.ipynb", folder / f"{F02}\x1b[31m.ipynb")
    book = tmp_path / "book.json"
    assert main(["grade", "--assignment", F02, "--gradebook", str(book), str(path)]) == 0
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err
    assert not any(line.startswith("bob") for line in out.splitlines())
    assert "student ann\\x1b[2J\\nbob" in out
    assert main(["grade", "--assignment", F02, "--gradebook", str(book), str(path)]) == 0
    out, err = capsys.readouterr()
    assert "already in the gradebook" in out and "\x1b" not in out + err
    assert main(["gradebook", "show", "--gradebook", str(book)]) == 0
    shown = capsys.readouterr().out
    assert "\x1b" not in shown and "ann\\x1b[2J\\nbob" in shown
    from rnncourse.grading.gradebook import Gradebook

    assert [e.report.student for e in Gradebook(book).entries()] == [student]    # the real name
