"""The gradebook: every graded submission and each of its exercises, in one SQLite file.

Last stage of grading (extract → execute in sandbox → compare → report → **gradebook**).
It takes the :class:`~rnncourse.grading.report.Report` of a submission and keeps it in
an embedded SQLite database (stdlib :mod:`sqlite3`, no server), so that a batch can be
stopped and resumed, two grader processes can write at once, and grades can be
exported (:func:`export_csv`, ``rnncourse gradebook export``).

Schema (version 1, stored in ``PRAGMA user_version``; ``PRAGMA application_id`` marks
the file as an rnncourse gradebook)::

    submissions  one row per graded submission file
        submission TEXT PRIMARY KEY   path of the notebook, as the grader was given it
        student, assignment TEXT      who and what
        digest TEXT                   content digest of the file that was graded
        submitted_at TEXT             UTC ISO 8601: when the file was handed in (see below)
        graded_at TEXT                UTC ISO 8601: when this grade was recorded
        score, max_score REAL         totals (the sums of its exercises' rows)
        notes TEXT                    JSON list of submission-level messages
    exercises    one row per graded exercise of a submission
        submission TEXT → submissions ON DELETE CASCADE, position INTEGER, name TEXT,
        score, max_score REAL, status TEXT, feedback TEXT; PRIMARY KEY (submission, name)

Guarantees
----------
* **Idempotent, all-or-nothing writes.**  :meth:`Gradebook.record` replaces every row
  of a submission inside one ``BEGIN IMMEDIATE`` transaction.  SQLite's write-ahead
  log makes that transaction atomic even if the process is killed (``kill -9``)
  halfway: a submission is either recorded whole or not at all, so a batch resumed
  with :meth:`Gradebook.is_graded` neither loses nor duplicates rows.
* **Several writers.**  The file is in WAL mode with a busy timeout, so
  ``rnncourse grade --jobs 2`` can record from two processes; readers never block them.
  Open one :class:`Gradebook` per process (a connection must not cross ``fork``).
* **Foreign or damaged files are refused, not repaired.**  A file that is not SQLite,
  an SQLite database of another application, a gradebook with an unknown schema
  version, or a damaged one raises :class:`GradebookError` before anything is written
  to it.

Which submission counts
-----------------------
A student may have several graded files for one assignment (resubmissions kept under
different names).  Exports and ``gradebook show`` use the *latest submission* of each
(student, assignment): the one with the greatest ``submitted_at``, ties broken by the
greater submission path.  ``submitted_at`` is what the caller passes to
:meth:`Gradebook.record`; by default it is the modification time of the submission
file when it exists (otherwise the time of grading).  The rule depends only on the
files, not on the order in which a parallel batch happened to finish them, and
re-grading an older file does not make it count.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, Sequence

from .._fileio import write_atomic
from .report import ExerciseResult, Report

__all__ = [
    "APPLICATION_ID",
    "DEFAULT_GRADEBOOK",
    "SCHEMA_VERSION",
    "Entry",
    "Gradebook",
    "GradebookError",
    "export_csv",
    "format_score",
    "grade_table",
    "render_csv",
]

#: where ``rnncourse grade`` and ``rnncourse gradebook`` look when ``--gradebook`` is not given
DEFAULT_GRADEBOOK = "grades.db"
#: version of the schema this module reads and writes (``PRAGMA user_version``)
SCHEMA_VERSION = 1
#: ``PRAGMA application_id`` of every rnncourse gradebook: the bytes "RNNC"
APPLICATION_ID = int.from_bytes(b"RNNC", "big")

_SQLITE_MAGIC = b"SQLite format 3\x00"
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

_SCHEMA = f"""
CREATE TABLE submissions (
    submission   TEXT PRIMARY KEY,
    student      TEXT NOT NULL,
    assignment   TEXT NOT NULL,
    digest       TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    graded_at    TEXT NOT NULL,
    score        REAL NOT NULL,
    max_score    REAL NOT NULL,
    notes        TEXT NOT NULL
);
CREATE INDEX submissions_by_student ON submissions (student, assignment);
CREATE TABLE exercises (
    submission TEXT NOT NULL REFERENCES submissions (submission) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    score      REAL NOT NULL,
    max_score  REAL NOT NULL,
    status     TEXT NOT NULL,
    feedback   TEXT NOT NULL,
    PRIMARY KEY (submission, name)
);
PRAGMA application_id = {APPLICATION_ID};
PRAGMA user_version = {SCHEMA_VERSION};
"""


class GradebookError(ValueError):
    """The gradebook file cannot be used (foreign, damaged, newer, locked too long)."""


@dataclass(frozen=True)
class Entry:
    """One recorded submission, as read back from the gradebook."""

    report: Report
    digest: str
    submitted_at: str  # UTC ISO 8601
    graded_at: str  # UTC ISO 8601
    current: bool  # True when this is the submission that counts for (student, assignment)


def _text(value: str) -> str:
    """``value`` made storable: lone surrogates (undecodable file names, learner output)
    become visible ``\\udcxx`` escapes instead of failing the UTF-8 encoding."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _submitted_at(submission: str, given) -> str | None:
    """The ``submitted_at`` stamp for a record, or None to use the grading time."""
    if given is None:
        try:
            mtime_ns = os.stat(submission).st_mtime_ns
        except (OSError, ValueError):
            return None
        return _utc_iso(_EPOCH + timedelta(microseconds=mtime_ns // 1000))
    if isinstance(given, str):
        try:
            given = datetime.fromisoformat(given)
        except ValueError:
            raise ValueError(f"Gradebook.record: submitted_at must be an ISO 8601 time, "
                             f"got {given!r}") from None
    if not isinstance(given, datetime):
        raise TypeError(f"Gradebook.record: submitted_at must be a datetime, an ISO 8601 "
                        f"string or None, got {type(given).__name__}")
    if given.tzinfo is None:
        raise ValueError(f"Gradebook.record: submitted_at must carry a time zone, "
                         f"got the naive time {given.isoformat()}")
    return _utc_iso(given)


class Gradebook:
    """An open gradebook file.

    Parameters
    ----------
    path : str or os.PathLike
        The SQLite file.  Created with the current schema when missing (or empty),
        unless ``create`` is False.  Its folder must exist.
    create : bool
        False for readers (export, show): a missing file is then an error instead of
        a new empty gradebook.
    timeout : float
        Seconds to wait for another process's write before giving up.

    Raises
    ------
    FileNotFoundError
        The file (with ``create=False``) or its folder does not exist.
    GradebookError
        The file is not an rnncourse gradebook this version can read; it is left as
        it was.

    Examples
    --------
    >>> with Gradebook("grades.db") as gradebook:          # doctest: +SKIP
    ...     if not gradebook.is_graded(path, digest):
    ...         gradebook.record(grade_submission(path), digest=digest)
    """

    def __init__(self, path, *, create: bool = True, timeout: float = 60.0):
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"Gradebook: path must be a str or os.PathLike, got {type(path).__name__}")
        if not isinstance(timeout, (int, float)) or timeout < 0:
            raise ValueError(f"Gradebook: timeout must be a number of seconds >= 0, got {timeout!r}")
        self.path = Path(path)
        self._lock = threading.RLock()
        self._pid = os.getpid()
        self._conn: sqlite3.Connection | None = None
        if self.path.is_dir():
            raise GradebookError(f"Gradebook: {self.path} is a folder, expected a gradebook file")
        if self.path.exists():
            self._check_header()
        elif not create:
            raise FileNotFoundError(f"Gradebook: no gradebook at {self.path} "
                                    f"(grade submissions with `rnncourse grade` first)")
        elif not self.path.parent.is_dir():
            raise FileNotFoundError(f"Gradebook: folder {self.path.parent} does not exist "
                                    f"(creating gradebook {self.path.name})")
        try:
            conn = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.Error as exc:
            raise GradebookError(f"Gradebook: cannot open {self.path}: {exc}") from exc
        try:
            self._open(conn, create, timeout)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise GradebookError(f"Gradebook: {self.path} is not a readable gradebook ({exc}); "
                                 f"the file was left as it was") from exc
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    # ---------------------------------------------------------------- opening
    def _check_header(self) -> None:
        """Refuse a non-SQLite file before SQLite gets a chance to touch it."""
        try:
            with open(self.path, "rb") as handle:
                head = handle.read(len(_SQLITE_MAGIC))
        except OSError as exc:
            raise GradebookError(f"Gradebook: cannot read {self.path}: {exc}") from exc
        if head and head != _SQLITE_MAGIC:
            raise GradebookError(
                f"Gradebook: {self.path} is not an SQLite file (it starts with {head[:16]!r}), "
                f"so it cannot be a gradebook; the file was left as it was")

    def _open(self, conn: sqlite3.Connection, create: bool, timeout: float) -> None:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        # Inspect read-only first: nothing is written to a file that is not ours.
        state = self._inspect(conn)
        if state == "empty":
            if not create:
                raise GradebookError(f"Gradebook: {self.path} is empty, not a gradebook")
            conn.execute("PRAGMA journal_mode = WAL")  # persistent, set once per file
            conn.execute("BEGIN IMMEDIATE")
            try:
                if self._inspect(conn) == "empty":  # another process may have won the race
                    # statement by statement: executescript() would commit the transaction
                    for statement in filter(None, (s.strip() for s in _SCHEMA.split(";"))):
                        conn.execute(statement)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        else:
            problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise GradebookError(f"Gradebook: {self.path} is damaged (SQLite quick_check: "
                                     f"{'; '.join(problems[:3])}); the file was left as it was")
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: a killed process loses nothing committed
        conn.execute("PRAGMA foreign_keys = ON")

    def _inspect(self, conn: sqlite3.Connection) -> str:
        """"empty" for a file to initialise, "ok" for a current gradebook; raise otherwise."""
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = sorted(row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"))
        if app_id == 0 and version == 0 and not tables:
            return "empty"
        if app_id != APPLICATION_ID:
            listed = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
            raise GradebookError(
                f"Gradebook: {self.path} is an SQLite database of another application "
                f"(application_id {app_id}, tables: {listed or 'none'}), not an rnncourse "
                f"gradebook; the file was left as it was")
        if version > SCHEMA_VERSION:
            raise GradebookError(
                f"Gradebook: {self.path} has schema version {version}, newer than the "
                f"version {SCHEMA_VERSION} this rnncourse reads; upgrade rnncourse to use it")
        if version != SCHEMA_VERSION:
            raise GradebookError(
                f"Gradebook: {self.path} has unknown schema version {version} "
                f"(this rnncourse reads version {SCHEMA_VERSION}); the file was left as it was")
        return "ok"

    # ----------------------------------------------------------- life cycle
    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> "Gradebook":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else "open"
        return f"Gradebook({str(self.path)!r}, {state})"

    @contextmanager
    def _transaction(self, begin: str, action: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._conn is None:
                raise GradebookError(f"Gradebook.{action}: the gradebook {self.path} is closed")
            if os.getpid() != self._pid:
                raise GradebookError(f"Gradebook.{action}: this connection was opened in another "
                                     f"process; open one Gradebook per process")
            conn = self._conn
            try:
                conn.execute(begin)
            except sqlite3.OperationalError as exc:
                raise GradebookError(f"Gradebook.{action}: cannot use {self.path}: {exc} "
                                     f"(another process may hold it)") from exc
            try:
                yield conn
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise GradebookError(f"Gradebook.{action}: {self.path}: {exc}") from exc
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise GradebookError(f"Gradebook.{action}: could not commit to {self.path}: {exc}") from exc

    # --------------------------------------------------------------- writing
    def is_graded(self, submission: str, digest: str) -> bool:
        """True when ``submission`` with content ``digest`` is already recorded."""
        if not isinstance(submission, str) or not isinstance(digest, str):
            raise TypeError(f"Gradebook.is_graded: submission and digest must be str, got "
                            f"{type(submission).__name__} and {type(digest).__name__}")
        with self._transaction("BEGIN", "is_graded") as conn:
            row = conn.execute("SELECT 1 FROM submissions WHERE submission = ? AND digest = ?",
                               (_text(submission), _text(digest))).fetchone()
        return row is not None

    def record(self, report: Report, *, digest: str, submitted_at=None) -> None:
        """Store ``report``, replacing every earlier row of the same submission.

        One transaction: after a crash the submission is recorded whole or not at all.

        Parameters
        ----------
        report : Report
            The graded submission.  Its exercise names must be distinct.
        digest : str
            Content digest of the graded file (what :meth:`is_graded` compares).
        submitted_at : datetime, str or None
            When the file was handed in (time-zone aware, or an ISO 8601 string with
            an offset).  None: the file's modification time when ``report.submission``
            exists, else now.  Decides which submission counts (module docstring).
        """
        if not isinstance(report, Report):
            raise TypeError(f"Gradebook.record: report must be a Report, got {type(report).__name__}")
        if not isinstance(digest, str) or not digest:
            raise ValueError(f"Gradebook.record: digest must be a non-empty str, got {digest!r}")
        for field in ("submission", "student", "assignment"):
            value = getattr(report, field)
            if not isinstance(value, str) or not value:
                raise ValueError(f"Gradebook.record: report.{field} must be a non-empty str, got {value!r}")
        names = [e.name for e in report.exercises]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"Gradebook.record: exercise names must be distinct in one report, "
                             f"{', '.join(map(repr, duplicated))} appear more than once "
                             f"(submission {report.submission})")
        graded_at = _utc_iso(datetime.now(timezone.utc))
        submitted = _submitted_at(report.submission, submitted_at) or graded_at
        submission = _text(report.submission)
        exercise_rows = [
            (submission, position, _text(e.name), float(e.score), float(e.max_score),
             e.status, _text(e.feedback))
            for position, e in enumerate(report.exercises)
        ]
        with self._transaction("BEGIN IMMEDIATE", "record") as conn:
            conn.execute("DELETE FROM exercises WHERE submission = ?", (submission,))
            conn.execute("DELETE FROM submissions WHERE submission = ?", (submission,))
            conn.execute(
                "INSERT INTO submissions (submission, student, assignment, digest, submitted_at, "
                "graded_at, score, max_score, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (submission, _text(report.student), _text(report.assignment), _text(digest),
                 submitted, graded_at, report.score, report.max_score,
                 json.dumps([_text(n) for n in report.notes])))
            conn.executemany(
                "INSERT INTO exercises (submission, position, name, score, max_score, status, "
                "feedback) VALUES (?, ?, ?, ?, ?, ?, ?)", exercise_rows)

    def remove(self, submission: str) -> bool:
        """Delete every row of ``submission``; True when there was something to delete."""
        if not isinstance(submission, str):
            raise TypeError(f"Gradebook.remove: submission must be a str, got {type(submission).__name__}")
        with self._transaction("BEGIN IMMEDIATE", "remove") as conn:
            conn.execute("DELETE FROM exercises WHERE submission = ?", (_text(submission),))
            deleted = conn.execute("DELETE FROM submissions WHERE submission = ?",
                                   (_text(submission),)).rowcount
        return deleted > 0

    # --------------------------------------------------------------- reading
    def assignments(self) -> list[str]:
        """Names of the assignments with at least one recorded submission, sorted."""
        with self._transaction("BEGIN", "assignments") as conn:
            return [row[0] for row in conn.execute(
                "SELECT DISTINCT assignment FROM submissions ORDER BY assignment")]

    def report(self, submission: str) -> Report | None:
        """The recorded report of ``submission``, or None."""
        for entry in self._read(submission=submission):
            return entry.report
        return None

    def entries(self, assignment: str | None = None, *, include_superseded: bool = False) -> list[Entry]:
        """Recorded submissions, ordered by student, assignment, then submission time.

        Parameters
        ----------
        assignment : str or None
            Only this assignment (None: all of them).
        include_superseded : bool
            Also return the submissions that do not count (``Entry.current`` False).
        """
        if assignment is not None and not isinstance(assignment, str):
            raise TypeError(f"Gradebook.entries: assignment must be a str or None, "
                            f"got {type(assignment).__name__}")
        entries = self._read(assignment=assignment)
        return entries if include_superseded else [e for e in entries if e.current]

    def _read(self, *, assignment: str | None = None, submission: str | None = None) -> list[Entry]:
        where, params = "", ()
        if submission is not None:
            where, params = "WHERE s.submission = ?", (_text(submission),)
        elif assignment is not None:
            where, params = "WHERE s.assignment = ?", (_text(assignment),)
        with self._transaction("BEGIN", "read") as conn:  # one snapshot for both queries
            heads = conn.execute(
                "SELECT submission, student, assignment, digest, submitted_at, graded_at, notes "
                f"FROM submissions AS s {where}", params).fetchall()
            exercises: dict[str, list[ExerciseResult]] = {head[0]: [] for head in heads}
            for sub, name, score, max_score, status, feedback in conn.execute(
                    "SELECT e.submission, e.name, e.score, e.max_score, e.status, e.feedback "
                    f"FROM exercises AS e JOIN submissions AS s USING (submission) {where} "
                    "ORDER BY e.submission, e.position", params):
                exercises[sub].append(ExerciseResult(name=name, score=score, max_score=max_score,
                                                     status=status, feedback=feedback))
        # the latest (submitted_at, submission) of each (student, assignment) counts;
        # a read of one submission does not see the others, so marks nothing current
        latest: dict[tuple[str, str], tuple[str, str]] = {}
        for sub, student, assign, _, submitted, _, _ in heads if submission is None else ():
            key = (student, assign)
            latest[key] = max(latest.get(key, ("", "")), (submitted, sub))
        entries = []
        for sub, student, assign, digest, submitted, graded, notes in heads:
            report = Report(submission=sub, assignment=assign, student=student,
                            exercises=tuple(exercises[sub]), notes=tuple(json.loads(notes)))
            current = latest.get((student, assign)) == (submitted, sub)
            entries.append(Entry(report, digest, submitted, graded, current))
        entries.sort(key=lambda e: (e.report.student.casefold(), e.report.student,
                                    e.report.assignment, e.submitted_at, e.report.submission))
        return entries

    def check(self) -> list[str]:
        """Problems found in the file (empty when sound): SQLite's integrity check,
        exercise rows without their submission, totals that differ from their rows."""
        with self._transaction("BEGIN", "check") as conn:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            problems = [] if problems == ["ok"] else [f"integrity_check: {p}" for p in problems]
            for (sub,) in conn.execute(
                    "SELECT DISTINCT submission FROM exercises "
                    "WHERE submission NOT IN (SELECT submission FROM submissions)"):
                problems.append(f"exercise rows without a submission row: {sub}")
            for sub, score, max_score, total, max_total in conn.execute(
                    "SELECT s.submission, s.score, s.max_score, "
                    "COALESCE(SUM(e.score), 0), COALESCE(SUM(e.max_score), 0) "
                    "FROM submissions AS s LEFT JOIN exercises AS e USING (submission) "
                    "GROUP BY s.submission"):
                if abs(score - total) > 1e-9 or abs(max_score - max_total) > 1e-9:
                    problems.append(f"{sub}: stored total {score}/{max_score} but its exercises "
                                    f"add up to {total}/{max_total}")
        return problems


# ------------------------------------------------------------------ export
def format_score(value: float) -> str:
    """A score as a spreadsheet reads it: ``2`` rather than ``2.0``, at most 6 decimals."""
    value = round(float(value), 6)
    return str(int(value)) if value.is_integer() else repr(value)


def grade_table(entries: Sequence[Entry]) -> tuple[list[str], list[list]]:
    """The export table of the current entries: one row per student.

    Columns: ``student``, one per exercise (``assignment/exercise`` when the entries
    span several assignments; assignments sorted by name, exercises in the order the
    grader reported them), then ``total``.  A row holds floats, or None where the
    student has no result for that exercise.  Rows are sorted by student name
    (case-insensitively, then exactly).  Superseded entries are ignored.
    """
    entries = [e for e in entries if e.current]
    assignments = sorted({e.report.assignment for e in entries})
    several = len(assignments) > 1
    columns: list[tuple[str, str]] = []
    for assignment in assignments:
        first_position: dict[str, int] = {}
        for entry in entries:
            if entry.report.assignment == assignment:
                for position, exercise in enumerate(entry.report.exercises):
                    first_position[exercise.name] = min(position, first_position.get(exercise.name, position))
        columns += [(assignment, name) for name in sorted(first_position, key=lambda n: (first_position[n], n))]
    header = ["student", *(f"{a}/{n}" if several else n for a, n in columns), "total"]
    by_student: dict[str, dict[tuple[str, str], float]] = {}
    for entry in entries:
        scores = by_student.setdefault(entry.report.student, {})
        for exercise in entry.report.exercises:
            scores[(entry.report.assignment, exercise.name)] = exercise.score
    rows = []
    for student in sorted(by_student, key=lambda s: (s.casefold(), s)):
        scores = by_student[student]
        cells = [scores.get(column) for column in columns]
        rows.append([student, *cells, sum(scores.values())])
    return header, rows


_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet shows as text: a leading ``'`` defuses formula triggers
    (``= + - @``, tab, CR, also after leading spaces), as OWASP advises for CSV."""
    if text.lstrip(" ").startswith(_FORMULA_TRIGGERS):
        return "'" + text
    return text


def render_csv(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    """CSV text of a :func:`grade_table` (RFC 4180: comma, CRLF, quotes as needed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_spreadsheet_safe(h) for h in header])
    for row in rows:
        writer.writerow(["" if cell is None else
                         _spreadsheet_safe(cell) if isinstance(cell, str) else format_score(cell)
                         for cell in row])
    return buffer.getvalue()


def export_csv(gradebook: Gradebook, path, *, assignment: str | None = None) -> int:
    """Write the grades of ``gradebook`` as CSV to ``path`` (``"-"``: stdout); return the
    number of student rows.

    One line per student, a column per exercise and a total (:func:`grade_table`),
    written atomically: an interrupted export leaves the previous file intact.

    Raises
    ------
    GradebookError
        Nothing to export (an empty gradebook, or no submission of ``assignment``).
    """
    if not isinstance(gradebook, Gradebook):
        raise TypeError(f"export_csv: gradebook must be a Gradebook, got {type(gradebook).__name__}")
    entries = gradebook.entries(assignment)
    if not entries:
        known = gradebook.assignments()
        if assignment is None:
            raise GradebookError(f"export_csv: {gradebook.path} holds no graded submission yet")
        raise GradebookError(f"export_csv: {gradebook.path} holds no submission of assignment "
                             f"{assignment!r} (it has: {', '.join(known) or 'none'})")
    header, rows = grade_table(entries)
    text = render_csv(header, rows)
    if str(path) == "-":
        sys.stdout.write(text)
    else:
        write_atomic(path, text)
    return len(rows)
