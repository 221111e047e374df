"""``rnncourse gradebook``: look into the gradebook, export it, rewrite feedback pages.

::

    rnncourse gradebook show     [--gradebook grades.db] [--assignment NAME] [--all]
    rnncourse gradebook export   --csv FILE [--gradebook grades.db] [--assignment NAME]
    rnncourse gradebook feedback [--gradebook grades.db] [--assignment NAME] [--dir FOLDER]
    rnncourse gradebook check    [--gradebook grades.db]

A thin layer over :mod:`rnncourse.grading.gradebook` and
:mod:`rnncourse.grading.feedback`: every action opens the gradebook read-only in
spirit (it never creates one), and user errors end as one line and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .feedback import write_feedback
from .gradebook import DEFAULT_GRADEBOOK, Entry, Gradebook, export_csv, format_score

__all__ = ["format_entries", "register"]


def register(subparsers) -> None:
    """Add the ``gradebook`` command and its actions to the ``rnncourse`` parser."""
    parser = subparsers.add_parser(
        "gradebook", help="show, export or check the grades of graded submissions",
        description="Read the gradebook that `rnncourse grade` fills. Where a student has "
                    "several submissions of an assignment, the latest one counts (the "
                    "greatest submission time, i.e. the file's modification time when it "
                    "was graded; ties broken by path).")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--gradebook", default=DEFAULT_GRADEBOOK, metavar="FILE",
                        help=f"the gradebook file (default: {DEFAULT_GRADEBOOK})")
    one_assignment = argparse.ArgumentParser(add_help=False)
    one_assignment.add_argument("--assignment", metavar="NAME",
                                help="only this assignment (default: all of them)")

    show = actions.add_parser("show", parents=[common, one_assignment],
                              help="print a table of the submissions that count")
    show.add_argument("--all", action="store_true",
                      help="also list superseded submissions (marked 'no' under 'counts')")
    show.set_defaults(func=_show)

    export = actions.add_parser(
        "export", parents=[common, one_assignment],
        help="write one CSV line per student: a column per exercise and a total",
        description="Write one CSV line per student, a column per exercise (named "
                    "assignment/exercise when several assignments are exported) and a "
                    "total. The file is replaced atomically; text that a spreadsheet would "
                    "run as a formula is prefixed with an apostrophe.")
    export.add_argument("--csv", required=True, metavar="FILE", help="output file ('-': standard output)")
    export.set_defaults(func=_export)

    feedback = actions.add_parser(
        "feedback", parents=[common, one_assignment],
        help="rewrite the per-student feedback pages from the gradebook")
    feedback.add_argument("--dir", metavar="FOLDER",
                          help="write FOLDER/feedback/<student>/<assignment>.md "
                               "(default: the gradebook's folder)")
    feedback.set_defaults(func=_feedback)

    check = actions.add_parser("check", parents=[common],
                               help="verify the gradebook file; exit code 1 when it has problems")
    check.set_defaults(func=_check)


def _printable(text: str) -> str:
    """``text`` safe for a terminal: control characters (escape sequences) shown as escapes."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def format_entries(entries: list[Entry], *, show_counts: bool = False) -> str:
    """A compact, aligned text table of ``entries`` (one line each)."""
    header = ["student", "assignment", "score", "graded (UTC)", "submission"]
    if show_counts:
        header.append("counts")
    rows = []
    for entry in entries:
        report = entry.report
        row = [report.student, report.assignment,
               f"{format_score(report.score)}/{format_score(report.max_score)}",
               entry.graded_at[:16].replace("T", " "), report.submission]
        if show_counts:
            row.append("yes" if entry.current else "no")
        rows.append([_printable(cell) for cell in row])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    right = {2}  # scores align on the right
    lines = ["  ".join(cell.rjust(w) if i in right else cell.ljust(w)
                       for i, (cell, w) in enumerate(zip(r, widths))).rstrip()
             for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def _open(args) -> Gradebook:
    return Gradebook(args.gradebook, create=False)


def _show(args) -> int:
    with _open(args) as gradebook:
        entries = gradebook.entries(args.assignment, include_superseded=args.all)
    if not entries:
        print(f"no graded submission in {args.gradebook}"
              + (f" for assignment {args.assignment!r}" if args.assignment else ""), file=sys.stderr)
        return 0
    sys.stdout.write(format_entries(entries, show_counts=args.all))
    return 0


def _export(args) -> int:
    with _open(args) as gradebook:
        count = export_csv(gradebook, args.csv, assignment=args.assignment)
    if args.csv != "-":
        print(f"wrote {count} student{'s' if count != 1 else ''} to {args.csv}")
    return 0


def _feedback(args) -> int:
    folder = Path(args.dir) if args.dir is not None else Path(args.gradebook).parent
    with _open(args) as gradebook:
        entries = gradebook.entries(args.assignment)
    for entry in entries:
        write_feedback(entry.report, folder)
    print(f"wrote {len(entries)} feedback page{'s' if len(entries) != 1 else ''} "
          f"under {folder / 'feedback'}")
    return 0


def _check(args) -> int:
    with _open(args) as gradebook:
        problems = gradebook.check()
        count = len(gradebook.entries(include_superseded=True))
    for problem in problems:
        print(_printable(problem))
    if problems:
        return 1
    print(f"{args.gradebook}: ok ({count} submission{'s' if count != 1 else ''})")
    return 0
