"""A class laid out the way LMS downloads and nbgrader lay it out, graded and exported
end to end with ``rnncourse grade`` / ``rnncourse gradebook``: renamed files, copies,
nested nbgrader folders, a late file, metadata that disagrees with the file name, a
student not on the roster and a roster student who handed in nothing."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
from datetime import datetime, timedelta, timezone

import nbformat
import pytest

from rnncourse.cli import main
from rnncourse.grading.exercises import get_assignment
from rnncourse.grading.gradebook import Gradebook, format_delay

from ..fixtures.submissions import build

F02, F03 = "02_forward_propagation", "03_backprop_through_time"
DUE = datetime(2026, 12, 10, 23, 59, tzinfo=timezone.utc)
pytestmark = pytest.mark.skipif(not (build.SOLUTIONS / f"{F02}.ipynb").exists(), reason="no solutions")


def _stamp(path, moment):
    os.utime(path, (moment.timestamp(), moment.timestamp()))


def _wrong():
    return build.swap(build.solution(F02), "rnn_forward", "rnn_forward = None")


@pytest.fixture
def course(tmp_path):
    """The class on disk; returns (root, gradebook, roster, expected) where expected maps
    student -> (assignment -> (score, late)) computed from the registry's points."""
    root = tmp_path / "submitted"
    full = get_assignment(F02).max_score
    lost = get_assignment(F02).exercises[1].points  # rnn_forward = None loses its points
    files = {
        # s22: first try wrong, corrected resubmission renamed by the browser
        "s22/02_forward_propagation.ipynb": (_wrong(), DUE - timedelta(days=2)),
        "s22/02_forward_propagation (1).ipynb": (build.solution(F02), DUE - timedelta(days=1)),
        # s23 hands in a file of the same name as s22's copy: a different student
        "s23/02_forward_propagation (1).ipynb": (_wrong(), DUE - timedelta(hours=3)),
        # nbgrader layout: submitted/<student>/<nbgrader assignment>/<notebook>
        "s24/ps2/02_forward_propagation.ipynb": (build.solution(F02), DUE - timedelta(days=9)),
        "s25/ps2/02_forward_propagation_v2.ipynb": (build.solution(F02), DUE - timedelta(hours=1)),
        # renamed freely: the metadata says which assignment
        "s26/attempt 1/homework.ipynb": (build.solution(F02), DUE - timedelta(hours=5)),
        # a file name of one assignment, metadata of another: the metadata wins, with a note
        "s27/02_forward_propagation_final.ipynb": (nbformat.read(build.ASSIGNMENTS / f"{F03}.ipynb", as_version=4), DUE),
        # not on the roster
        "zed/02_forward_propagation.ipynb": (build.solution(F02), DUE),
    }
    for rel, (nb, moment) in files.items():
        if rel.startswith("s26"):
            nb.metadata["rnncourse"] = {"assignment": F02}
        path = build.write(nb, root / rel)
        _stamp(path, moment)
    # s24's nbgrader timestamp says it came in 2 h 30 min after the due date
    (root / "s24" / "ps2" / "timestamp.txt").write_text(
        (DUE + timedelta(hours=2, minutes=30)).strftime("%Y-%m-%d %H:%M:%S.%f UTC") + "\n")
    roster = tmp_path / "roster.csv"
    names = ["s22", "s23", "s24", "s25", "s26", "s27", "s28"]
    roster.write_bytes(("\ufeffStudent ID;Name;E-mail\r\n" + "".join(
        f"{s};Student {s[1:]};{s}@uni.example\r\n" for s in names)).encode("utf-8"))
    expected = {"s22": {F02: (full, False)}, "s23": {F02: (full - lost, False)},
                "s24": {F02: (full, True)}, "s25": {F02: (full, False)},
                "s26": {F02: (full, False)}, "s27": {F03: (0.0, False)}, "s28": {}}
    return root, tmp_path / "grades.db", roster, expected


def _grade(capsys, root, book, roster, *extra):
    code = main(["grade", str(root), "--gradebook", str(book), "--roster", str(roster),
                 "--due", f"{F02}={DUE.isoformat()}", "--jobs", "2", "--timeout", "30", *extra])
    return code, *capsys.readouterr()


def test_a_class_is_graded_and_exported_with_every_grade_on_the_right_student(course, capsys, tmp_path):
    root, book, roster, expected = course
    code, out, err = _grade(capsys, root, book, roster)
    assert code == 2  # zed is not on the roster: reported, not graded
    assert "student 'zed' is not on the roster: not graded" in err
    assert "no submission in this batch from 1 student of the roster: s28" in err
    # the table wraps long notes: compare the words, not the line breaks
    assert "suggests assignment '02_forward_propagation' but the notebook's metadata says" \
        in " ".join(out.split())

    with Gradebook(book) as gradebook:
        current = gradebook.entries()
        everything = gradebook.entries(include_superseded=True)
    got = {(e.report.student, e.report.assignment): (e.counted_score, e.late) for e in current}
    want = {(s, a): v for s, grades in expected.items() for a, v in grades.items()}
    assert got == want
    assert "zed" not in {e.report.student for e in everything}
    (s22_old,) = [e for e in everything if e.report.student == "s22" and not e.current]
    assert s22_old.report.submission.endswith("s22/02_forward_propagation.ipynb")
    assert s22_old.why.startswith("superseded by") and "(1).ipynb" in s22_old.why
    (s24,) = [e for e in current if e.report.student == "s24"]
    assert s24.time_source == "timestamp.txt" and s24.late_seconds == pytest.approx(9000)

    # the feedback page of s22 is about the corrected file, even if it was graded first
    page = (tmp_path / "feedback" / "s22" / f"{F02}.md").read_text(encoding="utf-8")
    assert "02_forward_propagation (1).ipynb`" in page.split("\n## ")[0].split("- Handed in")[0]
    assert "This is the submission that counts: the latest submission" in page
    assert "Other submissions of this assignment" in page
    s23 = (tmp_path / "feedback" / "s23" / f"{F02}.md").read_text(encoding="utf-8")
    assert "s23/02_forward_propagation (1).ipynb" in s23 and "s22/" not in s23
    assert f"late by {format_delay(9000)}" in (tmp_path / "feedback" / "s24" / f"{F02}.md").read_text()

    # the LMS export: one line per roster student, in roster order, s28 blank not 0
    assert main(["gradebook", "export", "--gradebook", str(book), "--csv", str(tmp_path / "g.csv")]) == 0
    header, points, *rows = list(csv.reader(io.StringIO((tmp_path / "g.csv").read_text())))
    assert header[:3] == ["student", "name", "email"] and header[-1] == "total"
    assert points[0] == "Points Possible"
    assert [r[0] for r in rows] == ["s22", "s23", "s24", "s25", "s26", "s27", "s28"]
    column = {name: k for k, name in enumerate(header)}
    assert points[column[f"{F02} total"]] == f"{get_assignment(F02).max_score:g}"
    by_student = {r[0]: r for r in rows}
    for student, grades in expected.items():
        row = by_student[student]
        for assignment in (F02, F03):
            cell = row[column[f"{assignment} total"]]
            if assignment in grades:
                assert float(cell) == grades[assignment][0]
                assert row[column[f"{assignment} late"]].startswith("late") == grades[assignment][1]
            else:
                assert cell == ""  # missing is blank, not 0
        assert row[column["total"]] == ""  # nobody handed in both: no total pretends otherwise
    assert by_student["s28"][1:3] == ["Student 28", "s28@uni.example"]

    assert main(["gradebook", "export", "--gradebook", str(book), "--csv", str(tmp_path / "z.csv"),
                 "--missing-zero"]) == 0
    zero = {r[0]: r for r in list(csv.reader(io.StringIO((tmp_path / "z.csv").read_text())))[2:]}
    assert float(zero["s28"][column["total"]]) == 0 and float(zero["s22"][column["total"]]) == expected["s22"][F02][0]

    # Canvas and Moodle: the headers those systems import
    assert main(["gradebook", "export", "--gradebook", str(book), "--csv", str(tmp_path / "c.csv"),
                 "--format", "canvas"]) == 0
    canvas = list(csv.reader(io.StringIO((tmp_path / "c.csv").read_text())))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", F02, F03]
    assert canvas[1][0].strip() == "Points Possible" and canvas[1][5] == f"{get_assignment(F02).max_score:g}"
    assert [r[3] for r in canvas[2:]] == ["s22", "s23", "s24", "s25", "s26", "s27", "s28"]
    assert main(["gradebook", "export", "--gradebook", str(book), "--csv", str(tmp_path / "m.csv"),
                 "--format", "moodle"]) == 0
    moodle = list(csv.reader(io.StringIO((tmp_path / "m.csv").read_text())))
    assert moodle[0] == ["Username", "Email address", "Full name", F02, F03]
    assert moodle[1][:3] == ["s22", "s22@uni.example", "Student 22"] and len(moodle) == 1 + 7


def test_force_regrades_keeps_history_and_rewrites_the_page(course, capsys, tmp_path):
    root, book, roster, _ = course
    _, _, first_err = _grade(capsys, root, book, roster)
    page = tmp_path / "feedback" / "s25" / f"{F02}.md"
    first = page.read_text()
    code, out, err = _grade(capsys, root, book, roster)
    assert out.count("already in the gradebook with the same content, skipped") == 7, first_err + err
    code, out, _ = _grade(capsys, root, book, roster, "--force")
    assert "skipped" not in out
    with Gradebook(book) as gradebook:
        history = gradebook.entries(F02, include_superseded=True, student="s25")
    assert len(history) == 2 and [e.current for e in history].count(True) == 1
    (old,) = [e for e in history if not e.current]
    assert old.why.startswith("regraded on")
    assert page.read_text() != first and "regraded on" in page.read_text()


def test_on_time_policy_refuses_late_work_and_penalties_apply(course, capsys, tmp_path):
    root, book, roster, expected = course
    _grade(capsys, root, book, roster, "--policy", "on-time")
    with Gradebook(book) as gradebook:
        current = {e.report.student for e in gradebook.entries(F02)}
        assert "s24" not in current and "s22" in current
        gradebook.set_due(F02, DUE, policy="latest", penalty_per_day=0.25)
        (s24,) = gradebook.entries(F02, student="s24")
    assert s24.penalty == 0.25 and s24.counted_score == pytest.approx(0.75 * expected["s24"][F02][0])
    page = (tmp_path / "feedback" / "s24" / f"{F02}.md").read_text()
    assert "No submission of yours counts" in page
    # the plain export flags refused late work; the counted penalty shows in show
    main(["gradebook", "export", "--gradebook", str(book), "--csv", str(tmp_path / "p.csv")])
    assert main(["gradebook", "show", "--gradebook", str(book), "--assignment", F02]) == 0
    out = capsys.readouterr().out
    (line,) = [l for l in out.splitlines() if l.startswith("s24 ")]
    assert "-25%=" in line and format_delay(9000) in line and "timestamp.txt" in line


def test_a_version_1_gradebook_is_migrated_with_a_backup(tmp_path):
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.executescript(f"""
        CREATE TABLE submissions (submission TEXT PRIMARY KEY, student TEXT NOT NULL,
            assignment TEXT NOT NULL, digest TEXT NOT NULL, submitted_at TEXT NOT NULL,
            graded_at TEXT NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL, notes TEXT NOT NULL);
        CREATE TABLE exercises (submission TEXT NOT NULL REFERENCES submissions (submission)
            ON DELETE CASCADE, position INTEGER NOT NULL, name TEXT NOT NULL, score REAL NOT NULL,
            max_score REAL NOT NULL, status TEXT NOT NULL, feedback TEXT NOT NULL,
            PRIMARY KEY (submission, name));
        INSERT INTO submissions VALUES ('a/s1/x.ipynb', 's1', '{F02}', 'd1',
            '2026-01-01T00:00:00.000000+00:00', '2026-01-02T00:00:00.000000+00:00', 2, 3, '["n"]');
        INSERT INTO submissions VALUES ('a/s1/y.ipynb', 's1', '{F02}', 'd2',
            '2026-01-03T00:00:00.000000+00:00', '2026-01-04T00:00:00.000000+00:00', 3, 3, '[]');
        INSERT INTO exercises VALUES ('a/s1/x.ipynb', 0, 'rnn_forward', 2, 3, 'failed', 'f');
        INSERT INTO exercises VALUES ('a/s1/y.ipynb', 0, 'rnn_forward', 3, 3, 'passed', 'ok');
        PRAGMA application_id = {int.from_bytes(b"RNNC", "big")};
        PRAGMA user_version = 1;
    """)
    conn.close()
    with Gradebook(db) as gradebook:
        entries = gradebook.entries(include_superseded=True)
        assert gradebook.check() == []
    assert [(e.report.submission, e.report.score, e.current, e.time_source) for e in entries] == [
        ("a/s1/x.ipynb", 2.0, False, "recorded"), ("a/s1/y.ipynb", 3.0, True, "recorded")]
    assert entries[0].report.notes == ("n",) and entries[1].report.exercises[0].feedback == "ok"
    backup = sqlite3.connect(tmp_path / "old.db.v1.bak")
    assert backup.execute("PRAGMA user_version").fetchone()[0] == 1
    assert backup.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 2
    backup.close()


def test_a_course_config_file_sets_root_roster_and_due_dates(course, capsys, tmp_path):
    root, book, roster, expected = course
    config = tmp_path / "course.toml"
    config.write_text(f'[grading]\nroot = "submitted"\nroster = "roster.csv"\npolicy = "on-time"\n\n'
                      f'[due]\n{F02} = "{DUE.isoformat()}"\n')
    files = [str(p) for p in sorted(root.rglob("*.ipynb")) if "s2" in p.parts[-2] or "s2" in p.parts[-3]]
    code = main(["grade", *files, "--config", str(config), "--gradebook", str(book), "--timeout", "30",
                 "--jobs", "2"])
    capsys.readouterr()
    assert code == 0  # zed's file was not given
    with Gradebook(book) as gradebook:
        assert gradebook.due_dates()[F02].policy == "on-time"
        assert list(gradebook.roster()) == ["s22", "s23", "s24", "s25", "s26", "s27", "s28"]
        assert "s24" not in {e.report.student for e in gradebook.entries(F02)}  # late, refused
    # the due date can move without a regrade: s24 is then on time
    assert main(["gradebook", "due", F02, (DUE + timedelta(days=1)).isoformat(), "--gradebook", str(book)]) == 0
    assert "policy on-time" in capsys.readouterr().out  # the policy given before is kept
    with Gradebook(book) as gradebook:
        (s24,) = gradebook.entries(F02, student="s24")
    assert not s24.late and s24.counted_score == expected["s24"][F02][0]
    bad = tmp_path / "bad.toml"
    bad.write_text("[grading]\ndue_date = 3\n")
    assert main(["grade", files[0], "--config", str(bad)]) == 2
    assert "unknown key(s) due_date in [grading]" in capsys.readouterr().err


def test_a_regrade_that_moves_a_file_moves_its_page(tmp_path):
    from rnncourse.grading.pages import page_path, record_grading, refresh
    from rnncourse.grading.report import ExerciseResult, Report

    sub = str(tmp_path / "submitted" / "ann" / "x.ipynb")
    first = Report(sub, F02, "wrong-name", (ExerciseResult("rnn_forward", 1, 4, "failed", "f"),))
    second = Report(sub, F02, "ann", (ExerciseResult("rnn_forward", 4, 4, "passed", "ok"),))
    with Gradebook(tmp_path / "g.db") as gradebook:
        _, keys, _ = record_grading(gradebook, first, "d")
        refresh(gradebook, keys, tmp_path)
        assert page_path("wrong-name", F02, tmp_path).exists()
        _, keys, _ = record_grading(gradebook, second, "d", regrade=True)
        assert keys == {("ann", F02), ("wrong-name", F02)}
        refresh(gradebook, keys, tmp_path)
    assert not page_path("wrong-name", F02, tmp_path).exists()
    page = page_path("ann", F02, tmp_path).read_text()
    assert "**4 / 4**" in page and "Other submissions" in page  # the earlier grading is history
