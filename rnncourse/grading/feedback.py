"""Per-student feedback files: one Markdown page per graded submission.

``rnncourse grade`` writes ``<folder>/feedback/<student>/<assignment>.md`` next to the
gradebook for every submission it grades (:func:`write_feedback`), and
``rnncourse gradebook feedback`` rewrites them from the gradebook.  A page holds a
score table, the grader's notes on the submission, and each exercise's status and
feedback.

Much of that text comes from the learner (names in notebook metadata, exception
messages, printed output), so none of it is trusted as Markdown: names are shown as
code spans, free text inside fenced code blocks whose fence is longer than any
backtick run in the text.  Nothing a learner writes can add a heading, a link, an
image, HTML (a ``<!--`` comment that hides the rest of the page, say) or break the
table; control characters are shown as escapes.  Feedback longer than
:data:`MAX_FEEDBACK_CHARS` is cut, saying how much was left out.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .._fileio import write_atomic
from .gradebook import format_score
from .report import Report

__all__ = ["MAX_FEEDBACK_CHARS", "feedback_path", "render_feedback", "safe_name", "write_feedback"]

#: longest feedback (in characters) shown for one exercise or the notes of a submission
MAX_FEEDBACK_CHARS = 20_000

_STATUS_LABELS = {
    "passed": "passed",
    "failed": "failed",
    "error": "error",
    "timeout": "timed out",
    "not_implemented": "not attempted yet",
    "missing": "missing",
}
# C0/C1 control characters except tab and newline, plus line/paragraph separators
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_UNSAFE_FILE_CHARS = re.compile(r"[^\w.\-]")


def safe_name(name: str) -> str:
    """A file name for ``name`` that stays inside its folder and is unique.

    Letters, digits, ``_ . -`` are kept; anything else (``/``, spaces, ``..``-tricks)
    becomes ``_``, and when something had to change, 8 hex digits of the name's
    SHA-256 are appended so that two different names never share a file.
    """
    if not isinstance(name, str):
        raise TypeError(f"safe_name: name must be a str, got {type(name).__name__}")
    cleaned = _UNSAFE_FILE_CHARS.sub("_", name).strip(".")[:80] or "_"
    if cleaned != name:
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        cleaned = f"{cleaned}-{digest}"
    return cleaned


def feedback_path(report: Report, directory) -> Path:
    """Where :func:`write_feedback` puts the page of ``report``:
    ``directory/feedback/<student>/<assignment>.md`` (names made safe by :func:`safe_name`)."""
    return Path(directory) / "feedback" / safe_name(report.student) / f"{safe_name(report.assignment)}.md"


def _show_controls(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)


def _code_span(text: str, *, in_table: bool = False) -> str:
    """``text`` as an inline code span: nothing in it is interpreted as Markdown."""
    text = " ".join(_show_controls(text.replace("\r\n", "\n")).split("\n")) or " "
    runs = [len(run) for run in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or text.strip(" ") == "" else ""
    span = f"{fence}{pad}{text}{pad}{fence}"
    # GFM splits table cells on every unescaped pipe, even inside code spans
    return span.replace("|", "\\|") if in_table else span


def _code_block(text: str) -> str:
    """``text`` as a fenced code block that no line of it can close early."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_FEEDBACK_CHARS:
        cut = len(text) - MAX_FEEDBACK_CHARS
        text = f"{text[:MAX_FEEDBACK_CHARS]}\n[... {cut} more characters not shown]"
    text = _show_controls(text).rstrip("\n")
    runs = [len(run) for run in re.findall(r"`+", text)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return f"{fence}text\n{text}\n{fence}"


def _status(status: str, *, in_table: bool = False) -> str:
    label = _STATUS_LABELS.get(status)
    return label if label is not None else _code_span(status, in_table=in_table)


def _points(score: float, max_score: float) -> str:
    return f"{format_score(score)} / {format_score(max_score)}"


def _when(stamp: str) -> str:
    return stamp[:19].replace("T", " ") + " UTC"


def render_feedback(report: Report, *, entry=None, history=()) -> str:
    """The Markdown page of ``report`` (deterministic: the same input gives the same text).

    ``entry`` (a :class:`~rnncourse.grading.gradebook.Entry` of ``report``) adds when it
    was handed in, whether it was late and why it counts; ``history`` (the student's
    other gradings of the assignment) adds a table of the other versions.
    """
    if not isinstance(report, Report):
        raise TypeError(f"render_feedback: report must be a Report, got {type(report).__name__}")
    lines = [
        f"# Feedback on {_code_span(report.assignment)}",
        "",
        f"- Student: {_code_span(report.student)}",
        f"- Submission: {_code_span(report.submission)}",
    ]
    if entry is not None:
        source = {"timestamp.txt": "from timestamp.txt", "mtime": "the file's modification time"}
        lines.append(f"- Handed in: {_when(entry.submitted_at)} "
                     f"({source.get(entry.time_source, entry.time_source)})")
        if entry.due is not None:
            lines.append(f"- Due: {_when(entry.due)}")
        if entry.current:
            lines.append(f"- This is the submission that counts: {entry.why}")
        elif entry.why.startswith("late"):
            lines.append("- **No submission of yours counts for this assignment**: work "
                         "handed in after the due date is not accepted (this page shows "
                         "your latest submission)")
    if entry is not None and entry.penalty:
        lines.append(f"- Score: {_points(report.score, report.max_score)}, late penalty "
                     f"{format_score(100 * entry.penalty)}%: "
                     f"**{_points(entry.counted_score, report.max_score)}**")
    else:
        lines.append(f"- Score: **{_points(report.score, report.max_score)}**")
    lines.append("")
    if report.exercises:
        lines += ["| # | Exercise | Status | Points |", "|--:|:--|:--|--:|"]
        for number, exercise in enumerate(report.exercises, 1):
            lines.append(f"| {number} | {_code_span(exercise.name, in_table=True)} | "
                         f"{_status(exercise.status, in_table=True)} | "
                         f"{_points(exercise.score, exercise.max_score)} |")
        lines += [f"| | **Total** | | **{_points(report.score, report.max_score)}** |", ""]
    else:
        lines += ["No exercise of this assignment was graded.", ""]
    if report.notes:
        lines += ["## Notes on the submission", "", _code_block("\n".join(report.notes)), ""]
    for number, exercise in enumerate(report.exercises, 1):
        lines += [f"## {number}. {_code_span(exercise.name)}: {_status(exercise.status)}, "
                  f"{_points(exercise.score, exercise.max_score)}", ""]
        lines += [_code_block(exercise.feedback) if exercise.feedback.strip() else "No comments.", ""]
    tail: list[str] = []
    others = [h for h in history if entry is None or h.grading != entry.grading]
    if others:
        tail += ["## Other submissions of this assignment", "",
                  "| Submission | Handed in | Graded | Score | Why it does not count |",
                  "|:--|:--|:--|--:|:--|"]
        for other in others:
            tail.append(f"| {_code_span(other.report.submission, in_table=True)} | "
                         f"{_when(other.submitted_at)} | {_when(other.graded_at)} | "
                         f"{_points(other.report.score, other.report.max_score)} | "
                         f"{_code_span(other.why, in_table=True)} |")
        tail.append("")
    return "\n".join(lines + tail)


def write_feedback(report: Report, directory, *, entry=None, history=()) -> Path:
    """Write the feedback page of ``report`` under ``directory``; return its path.

    Parameters
    ----------
    report : Report
        The graded submission.
    directory : str or os.PathLike
        The folder of the gradebook: the page goes to
        ``directory/feedback/<student>/<assignment>.md`` (see :func:`feedback_path`),
        replacing the previous page of that student and assignment atomically.
    entry, history
        As for :func:`render_feedback` (:mod:`rnncourse.grading.pages` passes them).
    """
    if not isinstance(report, Report):
        raise TypeError(f"write_feedback: report must be a Report, got {type(report).__name__}")
    path = feedback_path(report, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, render_feedback(report, entry=entry, history=history))
