"""The SQLite gradebook: round trips, idempotent re-grading, crash safety, concurrency,
refusal of foreign files, the "latest submission counts" rule and the CSV export.

Run as a script (``python test_gradebook.py write DB N ORDER``) this file is also the
writer process that the crash and concurrency tests start and kill.
"""

from __future__ import annotations

import csv
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from rnncourse.grading.gradebook import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    Gradebook,
    GradebookError,
    export_csv,
    format_score,
    grade_table,
)
from rnncourse.grading.report import STATUSES, ExerciseResult, Report

#: two small assignments, exercise name -> points, in the order the grader reports them
ASSIGNMENTS = {
    "02_forward": {"rnn_cell_forward": 2.0, "rnn_forward": 3.0, "rnn_step_loss": 1.0},
    "03_bptt": {"rnn_cell_backward": 3.0, "rnn_backward": 4.0, "clip_gradients": 1.0},
}
BASE_TIME = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def make_report(seed: int, *, student: str, assignment: str, submission: str,
                feedback_chars: int = 40) -> Report:
    """A random but reproducible report: statuses and half-point scores from ``seed``."""
    rng = np.random.default_rng(seed)
    exercises = []
    for name, points in ASSIGNMENTS[assignment].items():
        status = str(rng.choice(STATUSES))
        score = points if status == "passed" else (
            float(rng.integers(0, 2 * points)) / 2 if status == "failed" else 0.0)
        letters = rng.choice(list("abcdefgh =<>|`\n"), size=feedback_chars)
        exercises.append(ExerciseResult(name, score, points, status, "".join(letters)))
    notes = tuple(f"note {k} of {seed}" for k in range(int(rng.integers(0, 3))))
    return Report(submission=submission, assignment=assignment, student=student,
                  exercises=tuple(exercises), notes=notes)


def batch_report(i: int) -> Report:
    """Submission ``i`` of the batch that the writer process records."""
    student = f"student{i % 13:02d}"
    assignment = sorted(ASSIGNMENTS)[i % 2]
    return make_report(i, student=student, assignment=assignment,
                       submission=f"submissions/{student}/{assignment}-{i}.ipynb", feedback_chars=300)


def batch_digest(i: int) -> str:
    return hashlib.sha256(f"content of submission {i}".encode()).hexdigest()


def run_writer(db: Path, count: int, order: str = "forward") -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, "write", str(db), str(count), order],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _writer_main(db: str, count: int, order: str) -> None:
    """Record the batch, skipping what is already graded (what a resumed batch does).

    Prints ``committed <submission>`` after each record returns, then ``done <n>``."""
    indices = range(count) if order == "forward" else reversed(range(count))
    recorded = 0
    with Gradebook(db) as gradebook:
        for i in indices:
            report = batch_report(i)
            if not gradebook.is_graded(report.submission, batch_digest(i)):
                gradebook.record(report, digest=batch_digest(i),
                                 submitted_at=BASE_TIME + timedelta(seconds=i))
                recorded += 1
                print(f"committed {report.submission}", flush=True)
    print(f"done {recorded}", flush=True)


def row_counts(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        return (conn.execute("SELECT COUNT(*) FROM gradings").fetchone()[0],
                conn.execute("SELECT COUNT(*) FROM exercises").fetchone()[0])


def file_state(path: Path) -> tuple[bytes, list[str]]:
    """Content of ``path`` and the names of the files beside it."""
    return path.read_bytes(), sorted(p.name for p in path.parent.iterdir())


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "grades.db"


@pytest.fixture
def reports() -> list[Report]:
    return [batch_report(i) for i in range(12)]


# ---------------------------------------------------------------- writing and reading
def test_new_file_gets_the_versioned_schema_in_wal_mode(db):
    Gradebook(db).close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"gradings", "exercises", "assignments", "roster", "sqlite_sequence"}


def test_recorded_reports_read_back_equal(db, reports):
    with Gradebook(db) as gradebook:
        for i, report in enumerate(reports):
            gradebook.record(report, digest=batch_digest(i))
        for report in reports:
            assert gradebook.report(report.submission) == report
        assert gradebook.report("never/graded.ipynb") is None
        assert gradebook.assignments() == sorted({r.assignment for r in reports})
        read = {e.report.submission: e for e in gradebook.entries(include_superseded=True)}
    assert {s: e.report for s, e in read.items()} == {r.submission: r for r in reports}
    assert all(read[r.submission].digest == batch_digest(i) for i, r in enumerate(reports))
    # one row per submission and one per exercise
    assert row_counts(db) == (len(reports), sum(len(r.exercises) for r in reports))


def test_stored_times_are_utc_iso(db, reports):
    before = datetime.now(timezone.utc)
    with Gradebook(db) as gradebook:
        gradebook.record(reports[0], digest="d")
        (entry,) = gradebook.entries()
    graded = datetime.fromisoformat(entry.graded_at)
    assert graded.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) <= graded <= datetime.now(timezone.utc)


def test_is_graded_matches_path_and_digest(db, reports):
    report = reports[0]
    with Gradebook(db) as gradebook:
        assert not gradebook.is_graded(report.submission, "d1")
        gradebook.record(report, digest="d1")
        assert gradebook.is_graded(report.submission, "d1")
        assert not gradebook.is_graded(report.submission, "d2")  # the file changed
        assert not gradebook.is_graded(reports[1].submission, "d1")


def test_regrading_keeps_every_version_and_the_latest_grading_counts(db, reports):
    first = reports[0]
    fewer = Report(first.submission, first.assignment, "renamed student", first.exercises[:1])
    with Gradebook(db) as gradebook:
        gradebook.record(reports[1], digest="other")
        ids = [gradebook.record(first, digest="d1"), gradebook.record(first, digest="d1", regrade=True)]
        assert ids[1] > ids[0]  # a forced regrade is a new grading, the old one is history
        assert gradebook.record(first, digest="d1") == ids[1]  # not forced: idempotent
        assert row_counts(db) == (3, 2 * len(first.exercises) + len(reports[1].exercises))
        gradebook.record(fewer, digest="d2")
        assert gradebook.report(first.submission) == fewer
        assert gradebook.is_graded(first.submission, "d2") and not gradebook.is_graded(first.submission, "d1")
        assert gradebook.report(reports[1].submission) == reports[1]  # others untouched
        history = [e for e in gradebook.entries(include_superseded=True)
                   if e.report.submission == first.submission]
        assert sorted(e.grading for e in history) == sorted(ids) + [max(ids) + 1]
        why = {e.grading: (e.current, e.why) for e in history}
        assert not why[ids[0]][0] and why[ids[0]][1].startswith("replaced")
        assert not why[ids[1]][0] and why[ids[1]][1].startswith("replaced")
        assert [e.report for e in gradebook.entries() if e.report.submission == first.submission] == [fewer]
        # the regrade moved the file to another student: the old student has nothing left
        assert [e for e in gradebook.entries(student=first.student)
                if e.report.submission == first.submission] == []
        assert gradebook.check() == []
    assert row_counts(db) == (4, 2 * len(first.exercises) + 1 + len(reports[1].exercises))


def test_a_regrade_of_the_same_content_is_marked_regraded(db, reports):
    with Gradebook(db) as gradebook:
        old = gradebook.record(reports[0], digest="d")
        new = gradebook.record(reports[0], digest="d", regrade=True)
        entries = {e.grading: e for e in gradebook.entries(include_superseded=True)}
    assert entries[new].current and entries[new].why == "the latest submission"
    assert not entries[old].current and entries[old].why.startswith("regraded on ")


class _FailingConnection:
    """A connection whose exercise insert fails, after the old rows were deleted."""

    def __init__(self, conn):
        self._conn = conn

    def executemany(self, *args):
        raise sqlite3.OperationalError("disk I/O error (simulated)")

    def __getattr__(self, name):
        return getattr(self._conn, name)


def test_a_failed_record_leaves_the_previous_grade_whole(db, reports):
    old = reports[0]
    new = Report(old.submission, old.assignment, old.student, reports[2].exercises)
    with Gradebook(db) as gradebook:
        gradebook.record(old, digest="old")
        real = gradebook._conn
        gradebook._conn = _FailingConnection(real)
        with pytest.raises(GradebookError, match="Gradebook.record: .*disk I/O error \\(simulated\\)"):
            gradebook.record(new, digest="new")
        gradebook._conn = real
        assert gradebook.report(old.submission) == old
        assert gradebook.is_graded(old.submission, "old")
        assert gradebook.check() == []


def test_undecodable_file_names_and_feedback_are_stored(db):
    submission = "subs/caf\udce9.ipynb"  # a Latin-1 byte decoded with surrogateescape
    report = Report(submission, "02_forward", "stud\udcffent",
                    (ExerciseResult("rnn_forward", 1, 3, "failed", "printed \udc80 bytes"),))
    with Gradebook(db) as gradebook:
        gradebook.record(report, digest="d")
        assert gradebook.is_graded(submission, "d")
        (entry,) = gradebook.entries()
    assert entry.report.student == "stud\\udcffent"
    assert entry.report.exercises[0].feedback == "printed \\udc80 bytes"


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(report={"submission": "x"}, digest="d"), TypeError, "report must be a Report"),
    (dict(digest=""), ValueError, "digest must be a non-empty str"),
    (dict(digest=None), ValueError, "digest must be a non-empty str"),
    (dict(digest="d", submitted_at=datetime(2026, 3, 1)), ValueError, "time zone"),
    (dict(digest="d", submitted_at="yesterday"), ValueError, "ISO 8601"),
    (dict(digest="d", submitted_at=1234.5), TypeError, "submitted_at must be"),
])
def test_record_rejects_bad_arguments(db, reports, kwargs, error, match):
    kwargs = {"report": reports[0], **kwargs}
    with Gradebook(db) as gradebook:
        with pytest.raises(error, match=f"Gradebook.record: .*{match}"):
            gradebook.record(**kwargs)
    assert row_counts(db) == (0, 0)


@pytest.mark.parametrize("field", ["submission", "student", "assignment"])
def test_record_rejects_empty_identity(db, field):
    fields = dict(submission="s.ipynb", student="ann", assignment="02_forward")
    report = Report(**{**fields, field: ""})
    with Gradebook(db) as gradebook, pytest.raises(ValueError, match=f"report.{field} must be a non-empty str"):
        gradebook.record(report, digest="d")


def test_record_rejects_duplicated_exercise_names(db):
    twice = ExerciseResult("rnn_forward", 1, 3, "failed")
    report = Report("s.ipynb", "02_forward", "ann", (twice, twice))
    with Gradebook(db) as gradebook, pytest.raises(ValueError, match="'rnn_forward' appear more than once"):
        gradebook.record(report, digest="d")
    assert row_counts(db) == (0, 0)


def test_closed_gradebook_and_context_manager(db, reports):
    with Gradebook(db) as gradebook:
        pass
    gradebook.close()  # idempotent
    with pytest.raises(GradebookError, match="is closed"):
        gradebook.record(reports[0], digest="d")


# ------------------------------------------------------------- which submission counts
def test_latest_submission_per_student_and_assignment_counts(db):
    def report(name, seed):
        return make_report(seed, student="ann", assignment="02_forward", submission=name)

    early, late, other = report("a-v1.ipynb", 1), report("a-v2.ipynb", 2), report("b.ipynb", 3)
    with Gradebook(db) as gradebook:
        # recorded newest first, as a parallel batch may finish them
        gradebook.record(late, digest="2", submitted_at=BASE_TIME + timedelta(hours=1))
        gradebook.record(early, digest="1", submitted_at=BASE_TIME)
        gradebook.record(early, digest="1", submitted_at=BASE_TIME, regrade=True)  # does not make it count
        assert [e.report for e in gradebook.entries()] == [late]
        everything = gradebook.entries(include_superseded=True)
        assert [(e.report, e.current) for e in everything] == [(early, False), (early, False), (late, True)]
        assert everything[1].why == "superseded by a-v2.ipynb (handed in later)"
        # same time: the greater path wins, whatever the recording order
        gradebook.record(other, digest="3", submitted_at=(BASE_TIME + timedelta(hours=1)).isoformat())
        assert [e.report for e in gradebook.entries()] == [other]


def test_submission_time_defaults_to_the_file_modification_time(db, tmp_path):
    paths = [tmp_path / "z-first.ipynb", tmp_path / "a-second.ipynb"]
    stamps = [BASE_TIME, BASE_TIME + timedelta(minutes=5)]
    for path, stamp in zip(paths, stamps):
        path.write_text("{}")
        os.utime(path, (stamp.timestamp(), stamp.timestamp()))
    with Gradebook(db) as gradebook:
        for seed, path in reversed(list(enumerate(paths))):
            gradebook.record(make_report(seed, student="ann", assignment="03_bptt", submission=str(path)),
                             digest=str(seed))
        entries = gradebook.entries(include_superseded=True)
    assert [datetime.fromisoformat(e.submitted_at) for e in entries] == stamps
    assert [e.current for e in entries] == [False, True]


# ----------------------------------------------------------------- crash safety
def _assert_consistent(db: Path, expected: dict[str, Report]) -> set[str]:
    """Every recorded submission is whole and equal to what was recorded; return them."""
    with Gradebook(db) as gradebook:
        assert gradebook.check() == []
        entries = gradebook.entries(include_superseded=True)
    recorded = {e.report.submission for e in entries}
    assert len(recorded) == len(entries)
    for entry in entries:
        assert entry.report == expected[entry.report.submission]
    assert row_counts(db) == (len(entries), sum(len(e.report.exercises) for e in entries))
    return recorded


def test_batch_killed_at_random_moments_resumes_without_loss_or_duplicates(db):
    count = 200
    expected = {batch_report(i).submission: batch_report(i) for i in range(count)}
    rng = np.random.default_rng(7)
    recorded: set[str] = set()
    for _ in range(6):
        # kill -9 once the writer has committed a random number of new submissions,
        # plus a random sliver of time: it dies between records or inside one
        writer = run_writer(db, count)
        committed = set()
        for _ in range(int(rng.integers(1, 20))):
            line = writer.stdout.readline()
            if not line.startswith("committed "):
                writer.kill()
                pytest.fail(f"the writer stopped early: {line!r} {writer.communicate()[1]}")
            committed.add(line.split(" ", 1)[1].strip())
        time.sleep(float(rng.uniform(0.0, 0.002)))
        writer.send_signal(signal.SIGKILL)
        writer.communicate()
        assert writer.returncode == -signal.SIGKILL
        now = _assert_consistent(db, expected)
        assert recorded | committed <= now  # nothing committed was lost
        assert len(now) < count  # the batch really was interrupted halfway
        recorded = now
    writer = run_writer(db, count)
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    # the rerun graded exactly what was missing, and the set is complete
    assert out.splitlines()[-1] == f"done {count - len(recorded)}"
    assert _assert_consistent(db, expected) == set(expected)


def test_two_writers_at_once_record_everything_once(db):
    count = 120
    writers = [run_writer(db, count, order) for order in ("forward", "reverse")]
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    expected = {batch_report(i).submission: batch_report(i) for i in range(count)}
    assert _assert_consistent(db, expected) == set(expected)


# ------------------------------------------------------- files that are not ours
def _other_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
        conn.execute("INSERT INTO recipes VALUES ('soup')")
    conn.close()


def _text_file(path: Path) -> None:
    path.write_text("student,score\nann,3\n")


def _gradebook_with_version(version: int):
    def make(path: Path) -> None:
        Gradebook(path).close()
        conn = sqlite3.connect(path)
        conn.execute(f"PRAGMA user_version = {version}")
        conn.close()
    return make


def _damaged_gradebook(path: Path) -> None:
    with Gradebook(path) as gradebook:
        for i in range(60):
            gradebook.record(batch_report(i), digest=batch_digest(i))
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 4 * page
    data[2 * page:len(data) - page] = np.random.default_rng(0).integers(
        0, 256, len(data) - 3 * page, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))


def _truncated_gradebook(path: Path) -> None:
    with Gradebook(path) as gradebook:
        for i in range(60):
            gradebook.record(batch_report(i), digest=batch_digest(i))
    path.write_bytes(path.read_bytes()[:5000])


@pytest.mark.parametrize("make, match", [
    (_text_file, "is not an SQLite file"),
    (_other_sqlite, "database of another application .*tables: recipes"),
    (_gradebook_with_version(SCHEMA_VERSION + 1), "newer than the version 2 .*upgrade rnncourse"),
    (_gradebook_with_version(0), "unknown schema version 0"),
    (_damaged_gradebook, "damaged|not a readable gradebook"),
    (_truncated_gradebook, "damaged|not a readable gradebook"),
], ids=["text", "other-sqlite", "newer-version", "unknown-version", "damaged", "truncated"])
def test_foreign_or_damaged_files_are_refused_and_left_untouched(db, make, match):
    make(db)
    before = file_state(db)
    for create in (True, False):
        with pytest.raises(GradebookError, match=match):
            Gradebook(db, create=create)
    assert file_state(db) == before


def test_missing_files_and_folders(db, tmp_path):
    with pytest.raises(FileNotFoundError, match="no gradebook at"):
        Gradebook(db, create=False)
    assert not db.exists()
    with pytest.raises(FileNotFoundError, match="does not exist"):
        Gradebook(tmp_path / "nowhere" / "grades.db")
    with pytest.raises(GradebookError, match="is a folder"):
        Gradebook(tmp_path)
    with pytest.raises(TypeError, match="path must be a str or os.PathLike"):
        Gradebook(3)


def test_an_empty_file_becomes_a_gradebook(db, reports):
    db.touch()
    with Gradebook(db) as gradebook:
        gradebook.record(reports[0], digest="d")
    with Gradebook(db, create=False) as gradebook:
        assert gradebook.report(reports[0].submission) == reports[0]


# ------------------------------------------------------------------------ export
def _expected_grades(recorded: list[tuple[Report, datetime]]) -> dict[str, dict[tuple[str, str], float]]:
    """student -> {(assignment, exercise): score} from the latest report of each
    (student, assignment), computed independently of the gradebook."""
    latest: dict[tuple[str, str], tuple[datetime, str, Report]] = {}
    for report, stamp in recorded:
        key = (report.student, report.assignment)
        latest[key] = max(latest.get(key, (stamp, "", report)), (stamp, report.submission, report),
                          key=lambda t: t[:2])
    grades: dict[str, dict[tuple[str, str], float]] = {}
    for (student, assignment), (_, _, report) in latest.items():
        for exercise in report.exercises:
            grades.setdefault(student, {})[(assignment, exercise.name)] = exercise.score
    return grades


def _read_csv(path: Path) -> tuple[list[str], dict[str, list[str]]]:
    with open(path, newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    return header, {row[0]: row[1:] for row in rows}


@pytest.fixture
def class_batch(db) -> list[tuple[Report, datetime]]:
    """A class of 9 students, both assignments, some resubmitted; recorded in the gradebook."""
    rng = np.random.default_rng(11)
    recorded = []
    for i in range(30):
        student = f"s{int(rng.integers(0, 9))}"
        assignment = sorted(ASSIGNMENTS)[int(rng.integers(0, 2))]
        report = make_report(100 + i, student=student, assignment=assignment,
                             submission=f"in/{student}/{assignment}-{i}.ipynb")
        recorded.append((report, BASE_TIME + timedelta(minutes=int(rng.integers(0, 20)))))
    with Gradebook(db) as gradebook:
        for report, stamp in recorded:
            gradebook.record(report, digest=report.submission, submitted_at=stamp)
    return recorded


def _points(assignment: str) -> list[float]:
    return list(ASSIGNMENTS[assignment].values())


def test_export_has_a_line_per_student_a_column_per_exercise_and_totals(db, tmp_path, class_batch):
    out = tmp_path / "grades.csv"
    with Gradebook(db, create=False) as gradebook:
        table = export_csv(gradebook, out)
    grades = _expected_grades(class_batch)
    header, rows = _read_csv(out)
    expected_header = ["student"]
    for a in sorted(ASSIGNMENTS):
        expected_header += [f"{a}/{name}" for name in ASSIGNMENTS[a]] + [f"{a} total", f"{a} late"]
    assert header == expected_header + ["total"]
    assert list(rows) == ["Points Possible", *sorted(grades)] and table.students == len(grades)
    points = []
    for a in sorted(ASSIGNMENTS):
        points += [format_score(p) for p in _points(a)] + [format_score(sum(_points(a))), ""]
    assert rows["Points Possible"] == points + [format_score(sum(sum(_points(a)) for a in ASSIGNMENTS))]
    some_missing = False
    for student in sorted(grades):
        cells, expected = rows[student], []
        for a in sorted(ASSIGNMENTS):
            scores = [grades[student].get((a, n)) for n in ASSIGNMENTS[a]]
            handed_in = scores[0] is not None
            expected += scores + [sum(scores) if handed_in else None, None]
        complete = all(grades[student].get((a, next(iter(ASSIGNMENTS[a])))) is not None for a in ASSIGNMENTS)
        some_missing |= not complete
        expected.append(sum(grades[student].values()) if complete else None)
        got = [None if c == "" else float(c) for c in cells]
        assert got == pytest.approx(expected, nan_ok=False) if complete else got[:-1] == pytest.approx(expected[:-1])
        assert complete or cells[-1] == ""  # a missing assignment is not a 0 in the total
    assert some_missing  # the class has a student with an assignment missing


def test_export_missing_counts_as_zero_on_request(db, tmp_path, class_batch):
    out = tmp_path / "grades.csv"
    with Gradebook(db) as gradebook:
        export_csv(gradebook, out, missing_zero=True)
    grades = _expected_grades(class_batch)
    _, rows = _read_csv(out)
    for student in grades:
        cells = rows[student]
        assert "" not in [c for k, c in enumerate(cells) if not header_is_late(k)]
        assert float(cells[-1]) == pytest.approx(sum(grades[student].values()))


def header_is_late(k: int) -> bool:
    """Whether data column ``k`` (after ``student``) of the two-assignment export is a late flag."""
    per = [len(ASSIGNMENTS[a]) + 2 for a in sorted(ASSIGNMENTS)]
    ends = np.cumsum(per) - 1
    return k in set(ends.tolist())


def test_export_of_one_assignment(db, tmp_path, class_batch):
    out = tmp_path / "forward.csv"
    with Gradebook(db) as gradebook:
        export_csv(gradebook, out, assignment="02_forward")
    grades = _expected_grades([(r, t) for r, t in class_batch if r.assignment == "02_forward"])
    header, rows = _read_csv(out)
    assert header == ["student", *ASSIGNMENTS["02_forward"], "02_forward total", "02_forward late", "total"]
    rows.pop("Points Possible")
    assert {s: [float(c) for c in cells if c != ""] for s, cells in rows.items()} == {
        s: [g[("02_forward", n)] for n in ASSIGNMENTS["02_forward"]] + [sum(g.values())] * 2
        for s, g in grades.items()}


def test_export_is_deterministic_whatever_the_recording_order(tmp_path, class_batch, db):
    other_db = tmp_path / "other.db"
    with Gradebook(other_db) as gradebook:
        for report, stamp in reversed(class_batch):
            gradebook.record(report, digest="x", submitted_at=stamp)
    texts = []
    for path in (db, other_db, db):
        with Gradebook(path) as gradebook:
            export_csv(gradebook, tmp_path / "out.csv")
        texts.append((tmp_path / "out.csv").read_bytes())
    assert texts[0] == texts[1] == texts[2]


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://evil\",\"x\")", "+1+2", "-3", "@SUM(A1)",
                                  "  =1+1", "\t=cmd", "\uff1d1+1"])
def test_export_defuses_spreadsheet_formulas(db, tmp_path, name):
    report = make_report(1, student=name, assignment="02_forward", submission="x.ipynb")
    with Gradebook(db) as gradebook:
        gradebook.record(report, digest="d")
        export_csv(gradebook, tmp_path / "out.csv")
    _, rows = _read_csv(tmp_path / "out.csv")
    assert list(rows) == ["Points Possible", "'" + name]


def test_export_numbers_are_plain():
    assert [format_score(x) for x in (2.0, 0.5, 1 / 3, 0)] == ["2", "0.5", "0.333333", "0"]


def test_interrupted_export_keeps_the_previous_file(db, tmp_path, class_batch, monkeypatch):
    out = tmp_path / "grades.csv"
    out.write_text("previous export\n")

    def crash(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr("rnncourse._fileio.os.replace", crash)
    with Gradebook(db) as gradebook, pytest.raises(KeyboardInterrupt):
        export_csv(gradebook, out)
    assert out.read_text() == "previous export\n"
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_export_with_nothing_to_export(db, tmp_path, class_batch):
    with Gradebook(tmp_path / "empty.db") as gradebook, pytest.raises(GradebookError, match="no graded submission"):
        export_csv(gradebook, tmp_path / "out.csv")
    with Gradebook(db) as gradebook, pytest.raises(GradebookError, match="'04_lstm' .*has: 02_forward, 03_bptt"):
        export_csv(gradebook, tmp_path / "out.csv", assignment="04_lstm")
    assert not (tmp_path / "out.csv").exists()


def test_grade_table_ignores_superseded_entries(db, class_batch):
    with Gradebook(db) as gradebook:
        everything = gradebook.entries(include_superseded=True)
        current = gradebook.entries()
    assert len(everything) > len(current)
    assert grade_table(everything) == grade_table(current)


if __name__ == "__main__":
    if sys.argv[1:2] == ["write"]:
        _writer_main(sys.argv[2], int(sys.argv[3]), sys.argv[4])
