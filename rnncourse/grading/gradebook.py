"""The gradebook: every graded version of every submission, in one SQLite file.

Last stage of grading (extract → execute in sandbox → compare → report → **gradebook**).
It keeps each :class:`~rnncourse.grading.report.Report` in an embedded SQLite database
(stdlib :mod:`sqlite3`, no server), so that a batch can be stopped and resumed, two
grader processes can write at once, regrades keep their history, and grades can be
exported (:mod:`rnncourse.grading.export`, ``rnncourse gradebook export``).

Schema (version 2, stored in ``PRAGMA user_version``; ``PRAGMA application_id`` marks
the file as an rnncourse gradebook)::

    gradings     one row per grading of a submission file (a regrade adds a row)
        id INTEGER PRIMARY KEY        increasing: a later grading has a greater id
        submission TEXT               path of the notebook, as the grader was given it
        student, assignment TEXT      who and what (from the layout: identity.py)
        digest TEXT                   content digest of the file that was graded
        submitted_at TEXT             UTC ISO 8601: when the file was handed in
        time_source TEXT              where submitted_at came from: "mtime",
                                      "timestamp.txt", "given", "graded", "recorded"
        graded_at TEXT                UTC ISO 8601: when this grade was recorded
        score, max_score REAL         totals (the sums of its exercises' rows)
        notes TEXT                    JSON list of submission-level messages
    exercises    one row per graded exercise of a grading
        grading INTEGER → gradings ON DELETE CASCADE, position INTEGER, name TEXT,
        score, max_score REAL, status TEXT, feedback TEXT; PRIMARY KEY (grading, name)
    assignments  due date and late policy of an assignment (optional)
        assignment TEXT PRIMARY KEY, due TEXT (UTC ISO 8601 or NULL), policy TEXT,
        penalty_per_day REAL
    roster       the class list (optional): student TEXT PRIMARY KEY, position, name, email

A version-1 file (one row per submission, before regrades kept their history) is
migrated in place the first time it is opened, in one transaction, after a copy of it
was saved as ``<file>.v1.bak``; each of its submissions becomes one grading.

Guarantees
----------
* **All-or-nothing writes.**  :meth:`Gradebook.record` adds a grading and its
  exercises inside one ``BEGIN IMMEDIATE`` transaction.  SQLite's write-ahead log
  makes it atomic even if the process is killed (``kill -9``) halfway: a grading is
  recorded whole or not at all, so a batch resumed with :meth:`Gradebook.is_graded`
  neither loses nor duplicates rows.
* **Several writers.**  WAL mode with a busy timeout: ``rnncourse grade --jobs 2`` can
  record from two processes; readers never block them.  Open one :class:`Gradebook`
  per process (a connection must not cross ``fork``).
* **Foreign or damaged files are refused, not repaired.**  A file that is not SQLite,
  an SQLite database of another application, a gradebook with an unknown schema
  version, or a damaged one raises :class:`GradebookError` before anything is written.

Which grading counts
--------------------
1. Of the gradings of one submission file, the latest (greatest id) is the file's
   grade; earlier ones stay as history, marked "regraded" (same content) or
   "replaced" (the file's content had changed).
2. Of the files of one (student, assignment), the assignment's policy decides
   (:data:`POLICIES`).  Without a due date the latest submission counts (greatest
   ``submitted_at``, ties broken by the greater path).  With one, ``latest`` lets the
   latest count and flags it late when it came after the due date, optionally with a
   ``penalty_per_day`` (a fraction of the score per started day late, at most all of
   it); ``on-time`` lets the latest submission before the due date count and late
   ones never (a student with only late work has nothing that counts).
``submitted_at`` is what the caller passes to :meth:`Gradebook.record`, by default the
file's modification time (``rnncourse grade`` prefers an nbgrader ``timestamp.txt``).
The rule depends only on the files and the due dates, not on the order in which a
parallel batch finished them, and every :class:`Entry` says why it counts or not.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, Mapping

from .report import ExerciseResult, Report

__all__ = [
    "APPLICATION_ID",
    "DEFAULT_GRADEBOOK",
    "POLICIES",
    "SCHEMA_VERSION",
    "Due",
    "Entry",
    "Gradebook",
    "GradebookError",
    "export_csv",
    "format_score",
    "grade_table",
    "parse_time",
    "render_csv",
]

#: where ``rnncourse grade`` and ``rnncourse gradebook`` look when ``--gradebook`` is not given
DEFAULT_GRADEBOOK = "grades.db"
#: version of the schema this module reads and writes (``PRAGMA user_version``)
SCHEMA_VERSION = 2
#: ``PRAGMA application_id`` of every rnncourse gradebook: the bytes "RNNC"
APPLICATION_ID = int.from_bytes(b"RNNC", "big")
#: late policies: ``latest`` (the latest counts, flagged late, optional penalty) and
#: ``on-time`` (the latest submission before the due date counts, late work never)
POLICIES = ("latest", "on-time")

_SQLITE_MAGIC = b"SQLite format 3\x00"
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

_TABLES = """
CREATE TABLE gradings (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    submission   TEXT NOT NULL,
    student      TEXT NOT NULL,
    assignment   TEXT NOT NULL,
    digest       TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    time_source  TEXT NOT NULL,
    graded_at    TEXT NOT NULL,
    score        REAL NOT NULL,
    max_score    REAL NOT NULL,
    notes        TEXT NOT NULL
);
CREATE INDEX gradings_by_submission ON gradings (submission);
CREATE INDEX gradings_by_student ON gradings (student, assignment);
CREATE TABLE {exercises} (
    grading    INTEGER NOT NULL REFERENCES gradings (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    score      REAL NOT NULL,
    max_score  REAL NOT NULL,
    status     TEXT NOT NULL,
    feedback   TEXT NOT NULL,
    PRIMARY KEY (grading, name)
);
CREATE TABLE assignments (
    assignment      TEXT PRIMARY KEY,
    due             TEXT,
    policy          TEXT NOT NULL,
    penalty_per_day REAL NOT NULL
);
CREATE TABLE roster (
    student  TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    name     TEXT NOT NULL,
    email    TEXT NOT NULL
)
"""
_SCHEMA = _TABLES.format(exercises="exercises") + f""";
PRAGMA application_id = {APPLICATION_ID};
PRAGMA user_version = {SCHEMA_VERSION};
"""
# version 1 -> 2: every submission row becomes its one grading
_MIGRATE_1 = _TABLES.format(exercises="exercises_v2") + f""";
INSERT INTO gradings (submission, student, assignment, digest, submitted_at, time_source,
                      graded_at, score, max_score, notes)
    SELECT submission, student, assignment, digest, submitted_at, 'recorded', graded_at,
           score, max_score, notes FROM submissions ORDER BY graded_at, submission;
INSERT INTO exercises_v2 (grading, position, name, score, max_score, status, feedback)
    SELECT g.id, e.position, e.name, e.score, e.max_score, e.status, e.feedback
    FROM exercises AS e JOIN gradings AS g ON g.submission = e.submission;
DROP TABLE exercises;
DROP TABLE submissions;
ALTER TABLE exercises_v2 RENAME TO exercises;
PRAGMA user_version = {SCHEMA_VERSION}
"""


class GradebookError(ValueError):
    """The gradebook file cannot be used (foreign, damaged, newer, locked too long)."""


@dataclass(frozen=True)
class Due:
    """The due date and late policy of an assignment (``due`` is UTC ISO 8601 or None)."""

    assignment: str
    due: str | None
    policy: str = "latest"
    penalty_per_day: float = 0.0


@dataclass(frozen=True)
class Entry:
    """One recorded grading, as read back from the gradebook.

    ``current`` is True for the grading that counts for its (student, assignment);
    ``why`` says why it counts or not.  ``late_seconds`` is how long after the due
    date the file was handed in (None: no due date, or on time); ``penalty`` the
    fraction of the score taken off for it; ``counted_score`` what counts.
    """

    report: Report
    digest: str
    submitted_at: str  # UTC ISO 8601
    graded_at: str  # UTC ISO 8601
    current: bool
    grading: int = 0
    time_source: str = "given"
    why: str = ""
    late_seconds: float | None = None
    penalty: float = 0.0
    due: str | None = None

    @property
    def late(self) -> bool:
        return self.late_seconds is not None

    @property
    def counted_score(self) -> float:
        return round(self.report.score * (1.0 - self.penalty), 6)


def _text(value: str) -> str:
    """``value`` made storable: lone surrogates (undecodable file names, learner output)
    become visible ``\\\\udcxx`` escapes instead of failing the UTF-8 encoding."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def parse_time(value, *, what: str = "time", local_ok: bool = False) -> str:
    """``value`` (a datetime or an ISO 8601 string) as a UTC ISO 8601 string.

    A time without a zone is refused unless ``local_ok``: it is then read as the
    grading machine's local time (how an instructor types a due date).
    """
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{what} must be an ISO 8601 time such as 2026-12-10T23:59 "
                             f"or 2026-12-10T23:59+01:00, got {value!r}") from None
    if not isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime, an ISO 8601 string or None, "
                        f"got {type(value).__name__}")
    if value.tzinfo is None:
        if not local_ok:
            raise ValueError(f"{what} must carry a time zone, got the naive time {value.isoformat()}")
        value = value.astimezone()  # local time of this machine
    return _utc_iso(value)


def _submitted_at(submission: str, given) -> tuple[str | None, str]:
    """``(stamp, source)`` for a record; stamp None to use the grading time."""
    if given is None:
        try:
            mtime_ns = os.stat(submission).st_mtime_ns
        except (OSError, ValueError):
            return None, "graded"
        return _utc_iso(_EPOCH + timedelta(microseconds=mtime_ns // 1000)), "mtime"
    try:
        return parse_time(given, what="Gradebook.record: submitted_at"), "given"
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    except TypeError as exc:
        raise TypeError(str(exc)) from None


def _late(submitted_at: str, due: Due | None) -> tuple[float | None, float]:
    """``(late_seconds, penalty)`` of a submission under ``due``."""
    if due is None or due.due is None:
        return None, 0.0
    seconds = (datetime.fromisoformat(submitted_at) - datetime.fromisoformat(due.due)).total_seconds()
    if seconds <= 0:
        return None, 0.0
    days = math.ceil(seconds / 86400)
    return seconds, min(1.0, days * due.penalty_per_day) if due.policy == "latest" else 0.0


def format_delay(seconds: float) -> str:
    """``93784`` -> ``"1d 2h 3m"`` (minutes rounded up: one second late is ``0d 0h 1m``)."""
    minutes = math.ceil(seconds / 60)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    return f"{days}d {hours}h {minutes}m"


class Gradebook:
    """An open gradebook file.

    Parameters
    ----------
    path : str or os.PathLike
        The SQLite file.  Created with the current schema when missing (or empty),
        unless ``create`` is False.  Its folder must exist.  A version-1 file is
        migrated (module docstring).
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

    @staticmethod
    def _run_script(conn: sqlite3.Connection, script: str) -> None:
        # statement by statement: executescript() would commit the transaction
        for statement in filter(None, (s.strip() for s in script.split(";"))):
            conn.execute(statement)

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
                    self._run_script(conn, _SCHEMA)
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
            if state == "version 1":
                self._migrate_from_1(conn)
        conn.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: a killed process loses nothing committed
        conn.execute("PRAGMA foreign_keys = ON")

    def _migrate_from_1(self, conn: sqlite3.Connection) -> None:
        """Version 1 -> 2 in one transaction, after saving a copy as ``<file>.v1.bak``."""
        backup_path = self.path.with_name(self.path.name + ".v1.bak")
        if not backup_path.exists():
            backup = sqlite3.connect(str(backup_path))
            try:
                conn.backup(backup)
            finally:
                backup.close()
        conn.execute("BEGIN IMMEDIATE")
        try:
            if self._inspect(conn) == "version 1":  # another process may have migrated it
                self._run_script(conn, _MIGRATE_1)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _inspect(self, conn: sqlite3.Connection) -> str:
        """"empty" for a file to initialise, "version 1" for one to migrate, "ok" for a
        current gradebook; raise otherwise."""
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = sorted(row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
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
        if version == 1 and tables == ["exercises", "submissions"]:
            return "version 1"
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
        """True when the latest grading of ``submission`` graded content ``digest``."""
        if not isinstance(submission, str) or not isinstance(digest, str):
            raise TypeError(f"Gradebook.is_graded: submission and digest must be str, got "
                            f"{type(submission).__name__} and {type(digest).__name__}")
        with self._transaction("BEGIN", "is_graded") as conn:
            row = conn.execute("SELECT digest FROM gradings WHERE submission = ? "
                               "ORDER BY id DESC LIMIT 1", (_text(submission),)).fetchone()
        return row is not None and row[0] == _text(digest)

    def record(self, report: Report, *, digest: str, submitted_at=None,
               time_source: str | None = None, regrade: bool = False) -> int:
        """Add a grading of ``report``'s submission; earlier gradings stay as history.

        One transaction: after a crash the grading is recorded whole or not at all.
        Unless ``regrade``, recording content whose latest grading already has
        ``digest`` changes nothing (two processes grading the same file at once
        record it once); with ``regrade`` every call adds a grading.

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
        time_source : str, optional
            Where ``submitted_at`` came from, shown by ``gradebook show`` (default
            ``"given"``, or ``"mtime"`` / ``"graded"`` when ``submitted_at`` is None).

        regrade : bool
            Add a grading even when this content is already graded (``--force``).

        Returns
        -------
        int
            The id of the new grading (or of the existing one it left alone).
        """
        if not isinstance(report, Report):
            raise TypeError(f"Gradebook.record: report must be a Report, got {type(report).__name__}")
        if not isinstance(digest, str) or not digest:
            raise ValueError(f"Gradebook.record: digest must be a non-empty str, got {digest!r}")
        for field in ("submission", "student", "assignment"):
            value = getattr(report, field)
            if not isinstance(value, str) or not value:
                raise ValueError(f"Gradebook.record: report.{field} must be a non-empty str, got {value!r}")
        if time_source is not None and (not isinstance(time_source, str) or not time_source):
            raise ValueError(f"Gradebook.record: time_source must be a non-empty str, got {time_source!r}")
        names = [e.name for e in report.exercises]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"Gradebook.record: exercise names must be distinct in one report, "
                             f"{', '.join(map(repr, duplicated))} appear more than once "
                             f"(submission {report.submission})")
        graded_at = _utc_iso(datetime.now(timezone.utc))
        submitted, source = _submitted_at(report.submission, submitted_at)
        submitted = submitted or graded_at
        source = time_source or source
        submission = _text(report.submission)
        with self._transaction("BEGIN IMMEDIATE", "record") as conn:
            if not regrade:
                row = conn.execute("SELECT id, digest FROM gradings WHERE submission = ? "
                                   "ORDER BY id DESC LIMIT 1", (submission,)).fetchone()
                if row is not None and row[1] == _text(digest):
                    return row[0]
            grading = conn.execute(
                "INSERT INTO gradings (submission, student, assignment, digest, submitted_at, "
                "time_source, graded_at, score, max_score, notes) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (submission, _text(report.student), _text(report.assignment), _text(digest),
                 submitted, source, graded_at, report.score, report.max_score,
                 json.dumps([_text(n) for n in report.notes]))).lastrowid
            conn.executemany(
                "INSERT INTO exercises (grading, position, name, score, max_score, status, "
                "feedback) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(grading, position, _text(e.name), float(e.score), float(e.max_score),
                  e.status, _text(e.feedback)) for position, e in enumerate(report.exercises)])
        return grading

    def remove(self, submission: str) -> bool:
        """Delete every grading of ``submission``; True when there was something to delete."""
        if not isinstance(submission, str):
            raise TypeError(f"Gradebook.remove: submission must be a str, got {type(submission).__name__}")
        with self._transaction("BEGIN IMMEDIATE", "remove") as conn:
            deleted = conn.execute("DELETE FROM gradings WHERE submission = ?",
                                   (_text(submission),)).rowcount
        return deleted > 0

    def remove_grading(self, grading: int) -> bool:
        """Delete one grading (by id) and its exercises; True when it existed."""
        if not isinstance(grading, int):
            raise TypeError(f"Gradebook.remove_grading: grading must be an int, got {type(grading).__name__}")
        with self._transaction("BEGIN IMMEDIATE", "remove_grading") as conn:
            return conn.execute("DELETE FROM gradings WHERE id = ?", (grading,)).rowcount > 0

    def set_due(self, assignment: str, due=None, *, policy: str = "latest",
                penalty_per_day: float = 0.0) -> Due:
        """Set (or with ``due=None`` clear) the due date and late policy of ``assignment``.

        Parameters
        ----------
        assignment : str
        due : datetime, str or None
            ISO 8601; a time without a zone is the grading machine's local time.
        policy : {"latest", "on-time"}
            See the module docstring.
        penalty_per_day : float
            Fraction of the score taken off per started day late, in [0, 1]
            (policy ``latest`` only).
        """
        if not isinstance(assignment, str) or not assignment:
            raise ValueError(f"Gradebook.set_due: assignment must be a non-empty str, got {assignment!r}")
        if policy not in POLICIES:
            raise ValueError(f"Gradebook.set_due: policy must be one of {', '.join(POLICIES)}, "
                             f"got {policy!r}")
        if not isinstance(penalty_per_day, (int, float)) or not 0 <= penalty_per_day <= 1:
            raise ValueError(f"Gradebook.set_due: penalty_per_day must be a fraction in [0, 1], "
                             f"got {penalty_per_day!r}")
        if penalty_per_day and policy != "latest":
            raise ValueError(f"Gradebook.set_due: a penalty needs policy 'latest' (late work "
                             f"does not count under {policy!r})")
        stamp = None if due is None else parse_time(due, what="Gradebook.set_due: due", local_ok=True)
        with self._transaction("BEGIN IMMEDIATE", "set_due") as conn:
            conn.execute("INSERT OR REPLACE INTO assignments (assignment, due, policy, penalty_per_day) "
                         "VALUES (?, ?, ?, ?)", (_text(assignment), stamp, policy, float(penalty_per_day)))
        return Due(assignment, stamp, policy, float(penalty_per_day))

    def due_dates(self) -> dict[str, Due]:
        """Assignment -> :class:`Due`, for the assignments that have one set."""
        with self._transaction("BEGIN", "due_dates") as conn:
            return {a: Due(a, d, p, r) for a, d, p, r in conn.execute(
                "SELECT assignment, due, policy, penalty_per_day FROM assignments ORDER BY assignment")}

    def set_roster(self, roster: Mapping) -> None:
        """Replace the class list: student id -> entry with ``name`` and ``email``
        (a :class:`~rnncourse.grading.identity.RosterEntry`), in the order given."""
        rows = []
        for position, (student, entry) in enumerate(roster.items()):
            if not isinstance(student, str) or not student:
                raise ValueError(f"Gradebook.set_roster: student ids must be non-empty str, got {student!r}")
            rows.append((_text(student), position, _text(getattr(entry, "name", "") or ""),
                         _text(getattr(entry, "email", "") or "")))
        with self._transaction("BEGIN IMMEDIATE", "set_roster") as conn:
            conn.execute("DELETE FROM roster")
            conn.executemany("INSERT INTO roster (student, position, name, email) VALUES (?, ?, ?, ?)", rows)

    def roster(self) -> dict:
        """The stored class list (empty when none was given): id -> RosterEntry."""
        from .identity import RosterEntry

        with self._transaction("BEGIN", "roster") as conn:
            return {s: RosterEntry(s, n, e) for s, n, e in conn.execute(
                "SELECT student, name, email FROM roster ORDER BY position")}

    # --------------------------------------------------------------- reading
    def assignments(self) -> list[str]:
        """Names of the assignments with at least one recorded submission, sorted."""
        with self._transaction("BEGIN", "assignments") as conn:
            return [row[0] for row in conn.execute(
                "SELECT DISTINCT assignment FROM gradings ORDER BY assignment")]

    def report(self, submission: str) -> Report | None:
        """The report of the latest grading of ``submission``, or None."""
        entries = self._read(submission=submission)
        return max(entries, key=lambda e: e.grading).report if entries else None

    def entries(self, assignment: str | None = None, *, include_superseded: bool = False,
                student: str | None = None) -> list[Entry]:
        """Recorded gradings, ordered by student, assignment, submission time, grading.

        Parameters
        ----------
        assignment : str or None
            Only this assignment (None: all of them).
        include_superseded : bool
            Also return the gradings that do not count (``Entry.current`` False):
            earlier gradings of a file, and other files of the same student.
        student : str or None
            Only this student.
        """
        for name, value in (("assignment", assignment), ("student", student)):
            if value is not None and not isinstance(value, str):
                raise TypeError(f"Gradebook.entries: {name} must be a str or None, "
                                f"got {type(value).__name__}")
        entries = self._read(assignment=assignment)
        if student is not None:
            entries = [e for e in entries if e.report.student == student]
        return entries if include_superseded else [e for e in entries if e.current]

    def _read(self, *, assignment: str | None = None, submission: str | None = None) -> list[Entry]:
        where, params = "", ()
        if submission is not None:
            where, params = "WHERE g.submission = ?", (_text(submission),)
        elif assignment is not None:
            # every grading of the files of this assignment (a regrade may have moved one)
            where = ("WHERE g.submission IN (SELECT submission FROM gradings WHERE assignment = ?)")
            params = (_text(assignment),)
        with self._transaction("BEGIN", "read") as conn:  # one snapshot for every query
            heads = conn.execute(
                "SELECT id, submission, student, assignment, digest, submitted_at, time_source, "
                f"graded_at, notes FROM gradings AS g {where}", params).fetchall()
            exercises: dict[int, list[ExerciseResult]] = {head[0]: [] for head in heads}
            for grading, name, score, max_score, status, feedback in conn.execute(
                    "SELECT e.grading, e.name, e.score, e.max_score, e.status, e.feedback "
                    f"FROM exercises AS e JOIN gradings AS g ON g.id = e.grading {where} "
                    "ORDER BY e.grading, e.position", params):
                exercises[grading].append(ExerciseResult(name=name, score=score, max_score=max_score,
                                                         status=status, feedback=feedback))
            dues = {a: Due(a, d, p, r) for a, d, p, r in conn.execute(
                "SELECT assignment, due, policy, penalty_per_day FROM assignments")}
        entries = _judge(heads, exercises, dues, whole=submission is None)
        if assignment is not None:
            entries = [e for e in entries if e.report.assignment == assignment]
        return entries

    def check(self) -> list[str]:
        """Problems found in the file (empty when sound): SQLite's integrity check,
        exercise rows without their grading, totals that differ from their rows."""
        with self._transaction("BEGIN", "check") as conn:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            problems = [] if problems == ["ok"] else [f"integrity_check: {p}" for p in problems]
            for (grading,) in conn.execute(
                    "SELECT DISTINCT grading FROM exercises "
                    "WHERE grading NOT IN (SELECT id FROM gradings)"):
                problems.append(f"exercise rows without a grading row: grading {grading}")
            for sub, grading, score, max_score, total, max_total in conn.execute(
                    "SELECT g.submission, g.id, g.score, g.max_score, "
                    "COALESCE(SUM(e.score), 0), COALESCE(SUM(e.max_score), 0) "
                    "FROM gradings AS g LEFT JOIN exercises AS e ON e.grading = g.id "
                    "GROUP BY g.id"):
                if abs(score - total) > 1e-9 or abs(max_score - max_total) > 1e-9:
                    problems.append(f"{sub} (grading {grading}): stored total {score}/{max_score} "
                                    f"but its exercises add up to {total}/{max_total}")
        return problems


def _judge(heads, exercises, dues: dict[str, Due], *, whole: bool) -> list[Entry]:
    """Entries of the rows ``heads``, each with whether it counts and why."""
    by_file: dict[str, list] = {}
    for head in heads:
        by_file.setdefault(head[1], []).append(head)
    status: dict[int, tuple[bool, str]] = {}
    live = []  # the latest grading of each file
    for rows in by_file.values():
        rows.sort(key=lambda r: r[0])
        last = rows[-1]
        for row in rows[:-1]:
            verb = "regraded" if row[4] == last[4] else "replaced: the file changed and was graded again"
            status[row[0]] = (False, f"{verb} on {last[7][:16].replace('T', ' ')} UTC")
        live.append(last)
    groups: dict[tuple[str, str], list] = {}
    for row in live:
        groups.setdefault((row[2], row[3]), []).append(row)
    for (student, assignment), rows in groups.items():
        due = dues.get(assignment)
        if not whole:  # a read of one file does not see its other files
            for row in rows:
                status[row[0]] = (False, "")
            continue
        ranked = sorted(rows, key=lambda r: (r[5], r[1]))
        if due is not None and due.due is not None and due.policy == "on-time":
            on_time = [r for r in ranked if r[5] <= due.due]
            winner = on_time[-1] if on_time else None
            reason = "the latest submission before the due date"
        else:
            winner = ranked[-1]
            reason = "the latest submission"
        for row in ranked:
            if row is winner:
                status[row[0]] = (True, reason)
            elif due is not None and due.due is not None and due.policy == "on-time" and row[5] > due.due:
                status[row[0]] = (False, "late: handed in after the due date, which policy "
                                         "'on-time' does not accept")
            else:
                status[row[0]] = (False, f"superseded by {winner[1]} (handed in later)")
    entries = []
    for grading, sub, student, assign, digest, submitted, source, graded, notes in heads:
        report = Report(submission=sub, assignment=assign, student=student,
                        exercises=tuple(exercises[grading]), notes=tuple(json.loads(notes)))
        due = dues.get(assign)
        late_seconds, penalty = _late(submitted, due)
        current, why = status[grading]
        if current and late_seconds is not None:
            why += f", late by {format_delay(late_seconds)}"
            if penalty:
                why += f" (penalty {format_score(100 * penalty)}% of the score)"
        entries.append(Entry(report, digest, submitted, graded, current, grading, source, why,
                             late_seconds, penalty, due.due if due else None))
    entries.sort(key=lambda e: (e.report.student.casefold(), e.report.student,
                                e.report.assignment, e.submitted_at, e.report.submission, e.grading))
    return entries


# ------------------------------------------------------------------ export
def format_score(value: float) -> str:
    """A score as a spreadsheet reads it: ``2`` rather than ``2.0``, at most 6 decimals."""
    value = round(float(value), 6)
    return str(int(value)) if value.is_integer() else repr(value)


_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet shows as text: a leading ``'`` defuses formula triggers
    (``= + - @``, tab, CR, also after leading spaces), as OWASP advises for CSV."""
    if text.lstrip(" ").startswith(_FORMULA_TRIGGERS):
        return "'" + text
    return text


def render_csv(header, rows) -> str:
    """CSV text of a table (RFC 4180: comma, CRLF, quotes as needed); None is a blank
    cell, numbers are written by :func:`format_score`, text is defused."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_spreadsheet_safe(h) for h in header])
    for row in rows:
        writer.writerow(["" if cell is None else
                         _spreadsheet_safe(cell) if isinstance(cell, str) else format_score(cell)
                         for cell in row])
    return buffer.getvalue()


def grade_table(entries, **options):
    """See :func:`rnncourse.grading.export.grade_table` (kept here for old callers)."""
    from .export import grade_table as table

    return table(entries, **options)


def export_csv(gradebook, path, **options):
    """See :func:`rnncourse.grading.export.export_csv` (kept here for old callers)."""
    from .export import export_csv as export

    return export(gradebook, path, **options)
