"""Grades out of the gradebook, as CSV files a learning-management system imports.

``rnncourse gradebook export --csv FILE [--format plain|canvas|moodle]`` (see
``docs/grade-export.md`` for what each system expects and how to import the file).

Every format has one line per student: every student of the roster (stored by
``rnncourse grade --roster`` or given to the export) in roster order, including the
ones who handed in nothing; without a roster, every student with a recorded
submission, sorted.  Graded students who are not on the roster are left out and
listed in :attr:`Table.left_out`, never silently added.  A missing submission is a
blank cell, never a 0, unless ``missing_zero`` asks for zeros.

``plain``
    ``student`` [, ``name``, ``email``], then for each assignment its exercises
    (``assignment/exercise`` when several assignments are exported), ``<assignment>
    total`` (after any late penalty) and ``<assignment> late``; then ``total``.  The
    second line, ``Points Possible``, holds the maximum of every score column.  The
    overall total is blank when an assignment is missing (a blank is not a 0).
``canvas``
    Canvas's gradebook import: ``Student, ID, SIS User ID, SIS Login ID, Section``
    then one column per assignment (its total), a ``Points Possible`` line first.
    The student id goes in ``SIS Login ID``.
``moodle``
    Moodle's CSV grade import: ``Username, Email address, Full name`` then one column
    per assignment; no points line (Moodle reads every line as a user).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from .._fileio import write_atomic
from .gradebook import Entry, Gradebook, GradebookError, format_delay, render_csv

__all__ = ["FORMATS", "Table", "build_table", "export_csv", "grade_table"]

#: export formats (``--format``)
FORMATS = ("plain", "canvas", "moodle")
_POINTS_POSSIBLE = {"plain": "Points Possible", "canvas": "    Points Possible"}


@dataclass(frozen=True)
class Table:
    """An export: ``header``, then ``rows`` (the points line first when the format has
    one); cells are str, float, or None for a blank."""

    header: list[str]
    rows: list[list]
    students: int
    left_out: tuple[str, ...] = field(default_factory=tuple)


def _columns(entries: Sequence[Entry]) -> dict[str, list[tuple[str, float]]]:
    """assignment -> [(exercise, max points)], assignments sorted, exercises in the order
    the grader reported them."""
    out = {}
    for assignment in sorted({e.report.assignment for e in entries}):
        first: dict[str, int] = {}
        points: dict[str, float] = {}
        for entry in entries:
            if entry.report.assignment == assignment:
                for position, exercise in enumerate(entry.report.exercises):
                    first[exercise.name] = min(position, first.get(exercise.name, position))
                    points[exercise.name] = max(points.get(exercise.name, 0.0), exercise.max_score)
        out[assignment] = [(n, points[n]) for n in sorted(first, key=lambda n: (first[n], n))]
    return out


def _late_text(entry: Entry | None, refused: Entry | None) -> str:
    if entry is not None:
        return f"late {format_delay(entry.late_seconds)}" if entry.late else ""
    if refused is not None:
        return f"late {format_delay(refused.late_seconds)}, not accepted"
    return ""


def build_table(entries: Sequence[Entry], *, roster: Mapping | None = None,
                missing_zero: bool = False, format: str = "plain") -> Table:
    """The export of ``entries`` (every grading, superseded ones included, is fine).

    Parameters
    ----------
    entries : sequence of Entry
        From :meth:`Gradebook.entries` (``include_superseded=True`` lets a student whose
        only work was late and refused be flagged).
    roster : mapping of student id -> RosterEntry, optional
        The class list: one line per roster student, in its order.
    missing_zero : bool
        Write 0 for a missing submission instead of a blank.
    format : {"plain", "canvas", "moodle"}
    """
    if format not in FORMATS:
        raise ValueError(f"build_table: format must be one of {', '.join(FORMATS)}, got {format!r}")
    columns = _columns(entries)
    counted: dict[tuple[str, str], Entry] = {}
    refused: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        key = (entry.report.student, entry.report.assignment)
        if entry.current:
            counted[key] = entry
        elif entry.late and entry.why.startswith("late"):
            refused[key] = max(entry, refused.get(key, entry), key=lambda e: e.submitted_at)
    graded = {e.report.student for e in entries}
    if roster:
        students = list(roster)
        left_out = tuple(sorted(graded - set(roster), key=lambda s: (s.casefold(), s)))
    else:
        students, left_out = sorted(graded, key=lambda s: (s.casefold(), s)), ()
    several = len(columns) > 1
    blank = 0.0 if missing_zero else None
    with_contacts = bool(roster) and any(r.name or r.email for r in roster.values())

    if format == "plain":
        header = ["student", *(["name", "email"] if with_contacts else [])]
        points = ["Points Possible", *([None, None] if with_contacts else [])]
        for assignment, exercises in columns.items():
            header += [f"{assignment}/{name}" if several else name for name, _ in exercises]
            header += [f"{assignment} total", f"{assignment} late"]
            points += [p for _, p in exercises] + [sum(p for _, p in exercises), None]
        header.append("total")
        points.append(sum(p for exercises in columns.values() for _, p in exercises))
        rows = [points]
        for student in students:
            who = roster.get(student) if roster else None
            row = [student, *([who.name, who.email] if with_contacts else [])]
            total, complete = 0.0, True
            for assignment, exercises in columns.items():
                entry = counted.get((student, assignment))
                if entry is None:
                    row += [blank] * len(exercises) + [blank]
                    complete = complete and missing_zero
                else:
                    scores = {e.name: e.score for e in entry.report.exercises}
                    row += [scores.get(name, 0.0) for name, _ in exercises] + [entry.counted_score]
                    total += entry.counted_score
                row.append(_late_text(entry, refused.get((student, assignment))))
            row.append(total if complete else None)
            rows.append(row)
        return Table(header, rows, len(students), left_out)

    if format == "canvas":
        header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *columns]
        rows = [[_POINTS_POSSIBLE["canvas"], None, None, None, None,
                 *(sum(p for _, p in exercises) for exercises in columns.values())]]
    else:
        header = ["Username", "Email address", "Full name", *columns]
        rows = []
    for student in students:
        who = roster.get(student) if roster else None
        name, email = (who.name, who.email) if who is not None else ("", "")
        cells = []
        for assignment in columns:
            entry = counted.get((student, assignment))
            cells.append(blank if entry is None else entry.counted_score)
        if format == "canvas":
            rows.append([name or student, None, None, student, None, *cells])
        else:
            rows.append([student, email, name, *cells])
    return Table(header, rows, len(students), left_out)


def grade_table(entries: Sequence[Entry], **options) -> tuple[list[str], list[list]]:
    """``(header, rows)`` of :func:`build_table` in the plain format."""
    table = build_table(entries, **options)
    return table.header, table.rows


def export_csv(gradebook: Gradebook, path, *, assignment: str | None = None,
               roster: Mapping | None = None, missing_zero: bool = False,
               format: str = "plain") -> Table:
    """Write the grades of ``gradebook`` as CSV to ``path`` (``"-"``: stdout).

    Written atomically: an interrupted export leaves the previous file intact.
    ``roster`` defaults to the one stored in the gradebook; the other options are
    those of :func:`build_table`.  Returns the :class:`Table` written.

    Raises
    ------
    GradebookError
        Nothing to export (an empty gradebook, or no submission of ``assignment``).
    """
    if not isinstance(gradebook, Gradebook):
        raise TypeError(f"export_csv: gradebook must be a Gradebook, got {type(gradebook).__name__}")
    if format not in FORMATS:
        raise ValueError(f"export_csv: format must be one of {', '.join(FORMATS)}, got {format!r}")
    entries = gradebook.entries(assignment, include_superseded=True)
    if not entries:
        known = gradebook.assignments()
        if assignment is None:
            raise GradebookError(f"export_csv: {gradebook.path} holds no graded submission yet")
        raise GradebookError(f"export_csv: {gradebook.path} holds no submission of assignment "
                             f"{assignment!r} (it has: {', '.join(known) or 'none'})")
    if roster is None:
        roster = gradebook.roster() or None
    table = build_table(entries, roster=roster, missing_zero=missing_zero, format=format)
    text = render_csv(table.header, table.rows)
    if str(path) == "-":
        sys.stdout.write(text)
    else:
        write_atomic(path, text)
    return table
