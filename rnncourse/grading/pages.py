"""Feedback pages kept in step with the gradebook: each describes the grading that counts.

A student may hand in several files for one assignment, and a file may be graded
several times (``rnncourse grade --force``).  ``feedback/<student>/<assignment>.md``
is always rendered from the gradebook (:func:`refresh`): the grading that counts,
when it was handed in, whether it was late and why it counts, then the other
versions and why they do not.  It is rewritten after every recorded grading that
touches its (student, assignment), so a regrade regenerates it and a file graded
last but handed in earlier never overwrites it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from . import feedback
from .feedback import feedback_path
from .report import Report

__all__ = ["page_path", "record_grading", "refresh", "refresh_all"]


def record_grading(gradebook, report: Report, digest: str, root=None, *, regrade: bool = False
                   ) -> tuple[Report, set[tuple[str, str]], int]:
    """Record ``report`` in ``gradebook`` with its submission time; return the report as
    recorded (with any note about the time), the (student, assignment) pages to
    rewrite (its own and, when a regrade moved the file, the one it left) and the id
    of the new grading (None when this content was already graded: nothing added).

    The submission time is an nbgrader-style ``timestamp.txt`` beside the file (up to
    the student's folder), else the file's modification time
    (:func:`rnncourse.grading.identity.submission_time`).
    """
    from dataclasses import replace

    from .identity import submission_time

    moment, source, notes = submission_time(report.submission, root)
    if notes:
        report = replace(report, notes=report.notes + notes)
    previous = gradebook.report(report.submission)
    known = not regrade and gradebook.is_graded(report.submission, digest)
    grading = gradebook.record(report, digest=digest, submitted_at=moment, time_source=source,
                               regrade=regrade)
    keys = {(report.student, report.assignment)}
    if previous is not None:
        keys.add((previous.student, previous.assignment))
    return report, keys, None if known else grading


def page_path(student: str, assignment: str, directory) -> Path:
    """Where the page of (``student``, ``assignment``) goes under ``directory``."""
    return feedback_path(Report(submission="", assignment=assignment, student=student), directory)


def refresh(gradebook, keys: Iterable[tuple[str, str]], directory) -> list[Path]:
    """Rewrite the pages of the (student, assignment) ``keys`` from ``gradebook``.

    A key whose only work was late under policy ``on-time`` gets a page saying that
    nothing counts; a key with nothing that counts otherwise (its file was regraded
    as another student's) loses its page.  Returns the pages written.
    """
    written = []
    for student, assignment in sorted(set(keys)):
        every = gradebook.entries(assignment, include_superseded=True)
        latest_of: dict[str, object] = {}
        for e in every:
            if e.grading > getattr(latest_of.get(e.report.submission), "grading", -1):
                latest_of[e.report.submission] = e
        own = {f for f, e in latest_of.items() if e.report.student == student}
        # the student's gradings, and earlier gradings of the files now theirs
        history = [e for e in every if e.report.student == student or e.report.submission in own]
        path = page_path(student, assignment, directory)
        counted = [e for e in history if e.current]
        if counted:
            shown = counted[0]
        elif any(e.why.startswith("late") for e in history):
            # only late work under policy on-time: the page says nothing counts
            shown = max(history, key=lambda e: (e.submitted_at, e.grading))
        else:
            if path.exists():
                path.unlink()
            continue
        # looked up at call time: one function writes every page
        written.append(feedback.write_feedback(shown.report, directory, entry=shown,
                                               history=history))
    return written


def refresh_all(gradebook, directory, *, assignment: str | None = None) -> list[Path]:
    """Rewrite every page (of ``assignment``, or all) from ``gradebook``."""
    keys = {(e.report.student, e.report.assignment)
            for e in gradebook.entries(assignment, include_superseded=True)}
    return refresh(gradebook, keys, directory)
