"""Whose submission a file is, and which assignment: read from the layout, never the content.

Student
    The first folder under the *submissions root*: ``submitted/<student>/...`` at any
    depth and with any file name (``submitted/s22/01_rnn_types (1).ipynb``,
    nbgrader's ``submitted/s22/ps2/02_forward_propagation.ipynb``, an LMS download
    unpacked into ``submitted/s22/attempt 2/homework.ipynb``).  The root is the one
    given (``--root``, or a folder named on the command line); otherwise the nearest
    ancestor folder called ``submitted`` or ``submissions``.  A file with no root at
    all belongs to the folder it is in (``inbox/dave/x.ipynb`` -> ``dave``), and a
    report note says so.  A file directly in the root has no student: an error.
Assignment
    ``--assignment`` when given; else the notebook's metadata ``rnncourse.assignment``
    (written by ``rnncourse assign``) when it names a registered assignment; else the
    file's stem with copy suffixes stripped (``01_rnn_types (1)``, ``-2``, ``_v2``,
    ``_final``, ``_copy``, `` - Copy`` -> ``01_rnn_types``); else an
    :class:`IdentityError` naming the file.  When metadata and file name name two
    different assignments the metadata wins and the report carries a note; neither
    ever changes the student.
Roster
    :func:`read_roster` reads the optional class list (``--roster FILE.csv``): a
    student id column, optionally a name and an e-mail, with the header spellings
    LMS exports use, a UTF-8 byte-order mark, and ``,`` ``;`` or tab separators.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Mapping

__all__ = ["ROOT_NAMES", "TIMESTAMP_FILE", "Identity", "IdentityError", "RosterEntry",
           "assignment_from_name", "find_root", "identify", "parse_timestamp", "read_roster",
           "strip_copy_suffixes", "student_of", "submission_time", "unknown_students"]

#: nbgrader's record of when a submission was handed in, beside the notebook
TIMESTAMP_FILE = "timestamp.txt"

#: folder names recognised as a submissions root when none is given
ROOT_NAMES = ("submitted", "submissions")


class IdentityError(ValueError):
    """The student or the assignment of a file cannot be told from the layout."""


@dataclass(frozen=True)
class Identity:
    """Who handed in a file and for which assignment, plus notes for the report."""

    student: str
    assignment: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RosterEntry:
    """One student of the class list."""

    student: str
    name: str = ""
    email: str = ""


# ---------------------------------------------------------------- student
def find_root(path) -> Path | None:
    """The nearest ancestor of ``path`` named like a submissions root, or None."""
    for parent in Path(os.path.abspath(path)).parents:
        if parent.name in ROOT_NAMES:
            return parent
    return None


def student_of(path, root=None) -> tuple[str, tuple[str, ...]]:
    """``(student, notes)`` of the file at ``path`` (the rule is in the module docstring).

    Parameters
    ----------
    path : str or Path
        The submitted file.
    root : str or Path, optional
        The submissions root; default :func:`find_root`.

    Raises
    ------
    IdentityError
        ``path`` is not inside ``root``, or lies directly in it.
    """
    absolute = Path(os.path.abspath(path))
    if root is None:
        found = find_root(absolute)
        if found is None:
            folder = absolute.parent.name
            if not folder:
                raise IdentityError(f"{path}: cannot tell whose submission this is: put it "
                                    f"in submitted/<student>/ or pass --root FOLDER")
            return folder, (f"no submissions root (a folder 'submitted' or --root): the "
                            f"student is taken from the folder the file is in, {folder!r}",)
        root = found
    root = Path(os.path.abspath(root))
    try:
        parts = absolute.relative_to(root).parts
    except ValueError:
        raise IdentityError(f"{path}: not inside the submissions root {root}") from None
    if len(parts) < 2:
        raise IdentityError(f"{path}: lies directly in the submissions root {root}; each "
                            f"student's files go in a folder named after the student "
                            f"({root}/<student>/...)")
    return parts[0], ()


# ------------------------------------------------------------- assignment
# one copy suffix at the end of a stem: " (1)", " - Copy", "-2", "_2", "_v2", "_final", "_copy"
_COPY_SUFFIX = re.compile(
    r"(?:\s*\(\d+\)|\s+-\s+copy(?:\s*\(\d+\))?|[-_ ]v?\d+|[-_ ](?:final|copy|corrected|"
    r"resubmission|resubmit|new|late|fixed))$", re.IGNORECASE)


def strip_copy_suffixes(stem: str) -> list[str]:
    """``stem`` and what remains after removing each trailing copy suffix in turn.

    >>> strip_copy_suffixes("01_rnn_types_final (2)")
    ['01_rnn_types_final (2)', '01_rnn_types_final', '01_rnn_types']
    """
    candidates = [stem]
    while True:
        shorter = _COPY_SUFFIX.sub("", candidates[-1]).rstrip()
        if not shorter or shorter == candidates[-1]:
            return candidates
        candidates.append(shorter)


def assignment_from_name(stem: str, known: Iterable[str]) -> str | None:
    """The registered assignment a file stem names, copy suffixes allowed; else None."""
    known = list(known)
    folded = {name.casefold(): name for name in known}
    for candidate in strip_copy_suffixes(stem):
        if candidate in known:
            return candidate
        if candidate.casefold() in folded:
            return folded[candidate.casefold()]
    return None


def identify(path, *, metadata_assignment: str | None = None, assignment: str | None = None,
             root=None, known: Iterable[str] | None = None) -> Identity:
    """The :class:`Identity` of the file at ``path``.

    Parameters
    ----------
    path : str or Path
    metadata_assignment : str, optional
        What the notebook's metadata ``rnncourse.assignment`` says (None: nothing).
    assignment : str, optional
        The instructor's ``--assignment``: wins over metadata and file name.
    root : str or Path, optional
        The submissions root (see :func:`student_of`).
    known : iterable of str, optional
        Registered assignment names (default: the exercise registry).

    Raises
    ------
    IdentityError
        No student (see :func:`student_of`), or no assignment: nothing was given, the
        metadata names none that is registered and the file name does not either.
    """
    if known is None:
        from .exercises import ASSIGNMENT_MODULES
        known = ASSIGNMENT_MODULES
    known = list(known)
    student, notes = student_of(path, root)
    notes = list(notes)
    stem = Path(path).stem
    from_name = assignment_from_name(stem, known)
    meta = metadata_assignment if isinstance(metadata_assignment, str) and metadata_assignment else None
    if assignment is not None:
        chosen = assignment
        if meta is not None and meta != assignment:
            notes.append(f"the notebook's metadata says assignment {meta!r}; "
                         f"graded as {assignment!r} as requested")
    elif meta is not None and meta in known:
        chosen = meta
        if from_name is not None and from_name != meta:
            notes.append(f"the file name {Path(path).name!r} suggests assignment {from_name!r} "
                         f"but the notebook's metadata says {meta!r}: graded as {meta!r}")
    elif from_name is not None:
        chosen = from_name
        if meta is not None:
            notes.append(f"the notebook's metadata names {meta!r}, which is not an assignment "
                         f"of this course: graded as {from_name!r} from the file name")
    else:
        said = f" (its metadata says {meta!r}, not an assignment of this course)" if meta else ""
        raise IdentityError(
            f"{path}: unknown assignment {stem!r}{said}: neither the notebook's metadata nor "
            f"the file name names one of {', '.join(sorted(known))} (pass --assignment NAME)")
    return Identity(student=student, assignment=chosen, notes=tuple(notes))


# ------------------------------------------------------ submission time
_TZ_NAMES = {"UTC": timezone.utc, "GMT": timezone.utc, "Z": timezone.utc}


def parse_timestamp(text: str) -> datetime:
    """A time as nbgrader writes it in ``timestamp.txt`` (``2026-12-10 23:59:01.123456 UTC``),
    or ISO 8601; a time without a zone is UTC, as nbgrader's default.

    Raises
    ------
    ValueError
        ``text`` is not such a time.
    """
    raw = text.strip()
    zone = timezone.utc
    parts = raw.rsplit(" ", 1)
    if len(parts) == 2 and parts[1].upper() in _TZ_NAMES:
        raw, zone = parts[0], _TZ_NAMES[parts[1].upper()]
    elif raw.endswith(("Z", "z")):
        raw = raw[:-1]
    try:
        moment = datetime.fromisoformat(raw.replace(" ", "T", 1))
    except ValueError:
        raise ValueError(f"not a time: {text.strip()[:60]!r} (expected e.g. "
                         f"'2026-12-10 23:59:01.123456 UTC')") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def submission_time(path, root=None) -> tuple[datetime | None, str, tuple[str, ...]]:
    """``(time, source, notes)``: when the file at ``path`` was handed in.

    An nbgrader-style ``timestamp.txt`` in the file's folder or a folder above it
    (up to the student's folder) wins: ``source`` is then ``"timestamp.txt"``.
    Otherwise the file's modification time (``"mtime"``); None when neither can be read.
    An unreadable timestamp file is a note and the modification time is used.
    """
    absolute = Path(os.path.abspath(path))
    top = None
    if root is None:
        root = find_root(absolute)
    if root is not None:
        try:
            parts = absolute.relative_to(os.path.abspath(root)).parts
        except ValueError:
            parts = ()
        if len(parts) >= 2:
            top = Path(os.path.abspath(root)) / parts[0]
    notes: list[str] = []
    folder = absolute.parent
    while True:
        stamp = folder / TIMESTAMP_FILE
        if stamp.is_file():
            try:
                return parse_timestamp(stamp.read_text(encoding="utf-8", errors="replace")), \
                    "timestamp.txt", ()
            except (OSError, ValueError) as exc:
                notes.append(f"{stamp} is not usable ({exc}): the file's modification "
                             f"time is the submission time")
                break
        if top is None or folder == top or folder.parent == folder:
            break
        folder = folder.parent
    try:
        mtime_ns = os.stat(absolute).st_mtime_ns
    except OSError:
        return None, "graded", tuple(notes)
    moment = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=mtime_ns // 1000)
    return moment, "mtime", tuple(notes)


# ----------------------------------------------------------------- roster
_ID_HEADERS = ("student", "student id", "studentid", "student_id", "id", "login", "login id",
               "username", "user name", "user", "sis user id", "sis login id", "id number",
               "matriculation", "matriculation number", "student number", "netid", "uid")
_NAME_HEADERS = ("name", "full name", "fullname", "student name", "display name")
_FIRST_HEADERS = ("first name", "firstname", "given name")
_LAST_HEADERS = ("last name", "lastname", "surname", "family name")
_EMAIL_HEADERS = ("email", "e-mail", "email address", "e-mail address", "mail")


def _header_key(cell: str) -> str:
    return " ".join(cell.replace("\ufeff", "").replace("_", " ").strip().casefold().split())


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    keys = [_header_key(h) for h in header]
    for name in names:
        if _header_key(name) in keys:
            return keys.index(_header_key(name))
    return None


def read_roster(path) -> dict[str, RosterEntry]:
    """The class list at ``path``: student id -> :class:`RosterEntry`, in file order.

    The first line is a header naming the columns: a student id (``student``, ``id``,
    ``student id``, ``login``, ``username``, ``SIS User ID``, ...), optionally a name
    (``name``, ``full name``, or ``first name`` + ``last name``) and an e-mail
    (``email``, ``e-mail``, ``email address``).  Separators ``,`` ``;`` or tab;
    a UTF-8 byte-order mark is ignored; blank lines are skipped.  The student id is
    the folder name of the student's submissions.

    Raises
    ------
    FileNotFoundError
        No such file.
    IdentityError
        No id column, an empty id, or the same id twice (named with the line).
    """
    path = Path(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise IdentityError(f"read_roster: {path} is empty, expected a header line and one "
                            f"line per student")
    first = lines[0]
    delimiter = max((";", ",", "\t"), key=lambda d: (first.count(d), d == ","))
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    header = rows[0]
    id_col = _column(header, _ID_HEADERS)
    if id_col is None:
        raise IdentityError(f"read_roster: {path} has no student id column; its header is "
                            f"{header!r}, expected one of 'student', 'id', 'student id', "
                            f"'login', 'username' (and optionally 'name', 'email')")
    name_col, email_col = _column(header, _NAME_HEADERS), _column(header, _EMAIL_HEADERS)
    first_col, last_col = _column(header, _FIRST_HEADERS), _column(header, _LAST_HEADERS)

    def cell(row, col):
        return row[col].strip() if col is not None and col < len(row) else ""

    roster: dict[str, RosterEntry] = {}
    for number, row in enumerate(rows[1:], start=2):
        student = cell(row, id_col)
        if not student:
            raise IdentityError(f"read_roster: {path} line {number} has no student id "
                                f"(column {header[id_col]!r})")
        if student in roster:
            raise IdentityError(f"read_roster: {path} line {number}: student {student!r} "
                                f"appears twice")
        name = cell(row, name_col) or " ".join(
            part for part in (cell(row, first_col), cell(row, last_col)) if part)
        roster[student] = RosterEntry(student, name, cell(row, email_col))
    return roster


def unknown_students(students: Iterable[str], roster: Mapping[str, RosterEntry]) -> list[str]:
    """The students not on ``roster``, sorted."""
    return sorted({s for s in students if s not in roster})
