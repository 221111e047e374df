"""``rnncourse gradebook show | export | feedback | check``: the thin CLI over the gradebook."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import timedelta

import pytest

from rnncourse.cli import main
from rnncourse.grading.feedback import feedback_path, render_feedback
from rnncourse.grading.gradebook import Gradebook, export_csv, format_score
from rnncourse.grading.report import Report

from .test_gradebook import ASSIGNMENTS, BASE_TIME, make_report


@pytest.fixture
def recorded(tmp_path) -> list[tuple[Report, bool]]:
    """Three students, two assignments, one resubmission; (report, counts) in the gradebook."""
    plan = [("ann", "02_forward", 0), ("ann", "02_forward", 1), ("bob", "02_forward", 2),
            ("bob", "03_bptt", 3), ("cy\x1b[2J", "03_bptt", 4)]
    reports = [make_report(seed, student=s, assignment=a, submission=f"in/{s}-{a}-{seed}.ipynb")
               for s, a, seed in plan]
    with Gradebook(tmp_path / "grades.db") as gradebook:
        for seed, report in enumerate(reports):
            gradebook.record(report, digest=str(seed), submitted_at=BASE_TIME + timedelta(minutes=seed))
    return [(r, k != 0) for k, r in enumerate(reports)]


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(["gradebook", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_export_writes_the_csv_of_the_api(tmp_path, capsys, recorded):
    db, out = tmp_path / "grades.db", tmp_path / "grades.csv"
    code, stdout, _ = run(capsys, "export", "--csv", out, "--gradebook", db)
    students = {r.student for r, _ in recorded}
    assert code == 0 and stdout == f"wrote {len(students)} students to {out}\n"
    with Gradebook(db) as gradebook:
        export_csv(gradebook, tmp_path / "api.csv")
    assert out.read_bytes() == (tmp_path / "api.csv").read_bytes()
    code, stdout, _ = run(capsys, "export", "--csv", "-", "--gradebook", db, "--assignment", "03_bptt")
    header = stdout.splitlines()[0].split(",")
    assert code == 0 and header == ["student", *ASSIGNMENTS["03_bptt"], "03_bptt total", "03_bptt late", "total"]
    # the header, the points line, one line per student
    assert len(stdout.splitlines()) == 2 + len({r.student for r, _ in recorded if r.assignment == "03_bptt"})


def test_show_lists_the_submissions_that_count(tmp_path, capsys, recorded):
    code, stdout, _ = run(capsys, "show", "--gradebook", tmp_path / "grades.db")
    lines = stdout.splitlines()
    assert code == 0 and lines[0].split() == ["student", "assignment", "score", "handed", "in", "(UTC)",
                                              "from", "late", "graded", "(UTC)", "submission"]
    counted = [r for r, counts in recorded if counts]
    assert len(lines) == 2 + len(counted)
    for report in counted:
        (line,) = [line for line in lines if report.submission.replace("\x1b", "\\x1b") in line]
        assert f"{format_score(report.score)}/{format_score(report.max_score)}" in line
    assert "\x1b" not in stdout and "cy\\x1b[2J" in stdout  # no terminal escapes from names

    code, stdout, _ = run(capsys, "show", "--all", "--gradebook", tmp_path / "grades.db")
    lines = stdout.splitlines()
    assert len(lines) == 2 + len(recorded)
    for report, counts in recorded:
        (line,) = [line for line in lines if f"  {report.submission.replace(chr(27), '[ESC]')}  "
                   in line.replace("\\x1b", "[ESC]")]
        assert line.rstrip().endswith("the latest submission" if counts else "(handed in later)")
        assert f"  {'yes' if counts else 'no'}  " in line


def test_feedback_rewrites_the_pages_of_the_submissions_that_count(tmp_path, capsys, recorded):
    code, stdout, _ = run(capsys, "feedback", "--gradebook", tmp_path / "grades.db")
    counted = [r for r, counts in recorded if counts]
    assert code == 0 and stdout.startswith(f"wrote {len(counted)} feedback pages")
    with Gradebook(tmp_path / "grades.db") as gradebook:
        for report in counted:
            history = gradebook.entries(report.assignment, include_superseded=True, student=report.student)
            (entry,) = [e for e in history if e.current]
            assert entry.report == report
            assert feedback_path(report, tmp_path).read_text(encoding="utf-8") == \
                render_feedback(report, entry=entry, history=history)
    code, _, _ = run(capsys, "feedback", "--gradebook", tmp_path / "grades.db", "--dir", tmp_path / "out",
                     "--assignment", "03_bptt")
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "out" / "feedback").rglob("*.md")) == ["03_bptt.md"] * 2


def test_check_reports_problems(tmp_path, capsys, recorded):
    db = tmp_path / "grades.db"
    code, stdout, _ = run(capsys, "check", "--gradebook", db)
    assert (code, stdout) == (0, f"{db}: ok ({len(recorded)} submissions)\n")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE gradings SET score = 99 WHERE submission = ?", (recorded[0][0].submission,))
    conn.close()
    code, stdout, _ = run(capsys, "check", "--gradebook", db)
    assert code == 1 and f"{recorded[0][0].submission} (grading 1): stored total 99.0/" in stdout


def test_user_errors_are_one_line_and_touch_nothing(tmp_path, capsys, recorded):
    missing = tmp_path / "missing.db"
    code, _, err = run(capsys, "show", "--gradebook", missing)
    assert code == 2 and err.startswith("rnncourse gradebook: error: Gradebook: no gradebook at")
    assert err.count("\n") == 1 and not missing.exists()

    text = tmp_path / "notes.txt"
    text.write_text("not a gradebook\n")
    code, _, err = run(capsys, "export", "--csv", tmp_path / "x.csv", "--gradebook", text)
    assert code == 2 and "is not an SQLite file" in err and err.count("\n") == 1
    assert text.read_text() == "not a gradebook\n" and not (tmp_path / "x.csv").exists()

    code, _, err = run(capsys, "export", "--csv", tmp_path / "x.csv", "--gradebook", tmp_path / "grades.db",
                       "--assignment", "99_nothing")
    assert code == 2 and "no submission of assignment '99_nothing'" in err

    code, _, err = run(capsys, "export", "--csv", tmp_path / "no" / "x.csv", "--gradebook", tmp_path / "grades.db")
    assert code == 2 and "does not exist" in err


@pytest.mark.parametrize("args", [[], ["export", "--gradebook", "g.db"], ["remove"]])
def test_usage_errors_exit_2(capsys, args):
    with pytest.raises(SystemExit) as exc:
        main(["gradebook", *args])
    assert exc.value.code == 2


def test_the_installed_command_runs(tmp_path, recorded):
    result = subprocess.run([sys.executable, "-m", "rnncourse", "gradebook", "export", "--csv", "out.csv"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").startswith("student,")
