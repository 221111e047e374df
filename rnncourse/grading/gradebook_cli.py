"""``rnncourse gradebook``: look into the gradebook, export it, rewrite feedback pages.

::

    rnncourse gradebook show     [--gradebook grades.db] [--assignment NAME] [--all]
    rnncourse gradebook export   --csv FILE [--format plain|canvas|moodle] [--roster FILE.csv]
                                 [--missing-zero] [--gradebook grades.db] [--assignment NAME]
    rnncourse gradebook feedback [--gradebook grades.db] [--assignment NAME] [--dir FOLDER]
    rnncourse gradebook due      ASSIGNMENT DATE|none [--policy latest|on-time] [--penalty-per-day P]
    rnncourse gradebook check    [--gradebook grades.db]

A thin layer over :mod:`rnncourse.grading.gradebook` and
:mod:`rnncourse.grading.feedback`: every action opens the gradebook read-only in
spirit (it never creates one), and user errors end as one line and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .export import FORMATS, export_csv
from .gradebook import DEFAULT_GRADEBOOK, POLICIES, Entry, Gradebook, format_delay, format_score
from .pages import refresh_all
from .report import printable

__all__ = ["format_entries", "register"]


def register(subparsers) -> None:
    """Add the ``gradebook`` command and its actions to the ``rnncourse`` parser."""
    parser = subparsers.add_parser(
        "gradebook", help="show, export or check the grades of graded submissions",
        description="Read the gradebook that `rnncourse grade` fills. Every grading is "
                    "kept; of a file's gradings the latest is its grade, and of a student's "
                    "files for an assignment the latest handed in counts (the submission "
                    "time is nbgrader's timestamp.txt, else the file's modification time; "
                    "ties broken by path), unless a due date with policy 'on-time' refuses "
                    "late work. `show --all` says why each grading counts or not.")
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
                      help="also list the gradings that do not count (earlier gradings, "
                           "other files), with why")
    show.set_defaults(func=_show)

    export = actions.add_parser(
        "export", parents=[common, one_assignment],
        help="write a CSV an LMS imports: one line per student, totals, points possible",
        description="Write one CSV line per student of the roster (or per graded student "
                    "without one). plain: a column per exercise (assignment/exercise when "
                    "several are exported), per assignment its total after any late "
                    "penalty and a late flag, an overall total, and a 'Points Possible' "
                    "line. canvas / moodle: the columns those systems import (see "
                    "docs/grade-export.md). A missing submission is blank, not 0, unless "
                    "--missing-zero. The file is replaced atomically; text that a "
                    "spreadsheet would run as a formula is prefixed with an apostrophe.")
    export.add_argument("--csv", required=True, metavar="FILE", help="output file ('-': standard output)")
    export.add_argument("--format", choices=FORMATS, default="plain",
                        help="column layout (default: plain)")
    export.add_argument("--roster", metavar="FILE.csv",
                        help="class list: one line per student on it (default: the roster "
                             "stored by `rnncourse grade --roster`, if any)")
    export.add_argument("--missing-zero", action="store_true",
                        help="a missing submission counts as 0 instead of a blank cell")
    export.set_defaults(func=_export)

    feedback = actions.add_parser(
        "feedback", parents=[common, one_assignment],
        help="rewrite the per-student feedback pages from the gradebook")
    feedback.add_argument("--dir", metavar="FOLDER",
                          help="write FOLDER/feedback/<student>/<assignment>.md "
                               "(default: the gradebook's folder)")
    feedback.set_defaults(func=_feedback)

    due = actions.add_parser(
        "due", parents=[common], help="set or clear the due date and late policy of an assignment",
        description="Set the due date of ASSIGNMENT (ISO 8601, e.g. 2026-12-10T23:59; "
                    "without a zone it is this machine's local time), or 'none' to clear it. "
                    "Which submission counts is recomputed from it at once, no regrade needed.")
    due.add_argument("assignment", metavar="ASSIGNMENT")
    due.add_argument("due", metavar="DATE|none")
    _late_options(due)
    due.set_defaults(func=_due)

    check = actions.add_parser("check", parents=[common],
                               help="verify the gradebook file; exit code 1 when it has problems")
    check.set_defaults(func=_check)


def _fraction(text: str) -> float:
    try:
        value = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a fraction such as 0.1 or 10%, got {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a fraction in [0, 1] (or 0% to 100%), got {text}")
    return value


def _late_options(parser) -> None:
    """``--policy`` and ``--penalty-per-day`` (shared with ``rnncourse grade``)."""
    parser.add_argument("--policy", choices=POLICIES, default=None,
                        help="latest: the latest submission counts, flagged late after the due "
                             "date (default); on-time: the latest before the due date counts, "
                             "late work never")
    parser.add_argument("--penalty-per-day", type=_fraction, default=None, metavar="P",
                        help="policy latest: fraction of the score taken off per started day "
                             "late (0.1 or 10%%; default 0)")


def format_entries(entries: list[Entry], *, show_counts: bool = False) -> str:
    """A compact, aligned text table of ``entries`` (one line each)."""
    header = ["student", "assignment", "score", "handed in (UTC)", "from", "late",
              "graded (UTC)", "submission"]
    if show_counts:
        header += ["counts", "why"]
    rows = []
    for entry in entries:
        report = entry.report
        score = f"{format_score(entry.counted_score)}/{format_score(report.max_score)}"
        if entry.penalty:
            score = f"{format_score(report.score)}-{format_score(100 * entry.penalty)}%={score}"
        row = [report.student, report.assignment, score,
               entry.submitted_at[:16].replace("T", " "), entry.time_source,
               format_delay(entry.late_seconds) if entry.late else "-",
               entry.graded_at[:16].replace("T", " "), report.submission]
        if show_counts:
            row += ["yes" if entry.current else "no", entry.why]
        rows.append([printable(cell) for cell in row])
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
    from .identity import read_roster

    roster = read_roster(args.roster) if args.roster else None
    with _open(args) as gradebook:
        table = export_csv(gradebook, args.csv, assignment=args.assignment, roster=roster,
                           missing_zero=args.missing_zero, format=args.format)
    for student in table.left_out:
        print(f"rnncourse gradebook: warning: {printable(student)} has grades but is not on "
              f"the roster: left out of the export", file=sys.stderr)
    if args.csv != "-":
        count = table.students
        print(f"wrote {count} student{'s' if count != 1 else ''} to {args.csv}")
    return 0


def _feedback(args) -> int:
    folder = Path(args.dir) if args.dir is not None else Path(args.gradebook).parent
    with _open(args) as gradebook:
        written = refresh_all(gradebook, folder, assignment=args.assignment)
    print(f"wrote {len(written)} feedback page{'s' if len(written) != 1 else ''} "
          f"under {folder / 'feedback'}")
    return 0


def _due(args) -> int:
    due = None if args.due.strip().lower() == "none" else args.due
    with Gradebook(args.gradebook) as gradebook:
        before = gradebook.due_dates().get(args.assignment)  # options not given are kept
        policy = args.policy or (before.policy if before else "latest")
        penalty = args.penalty_per_day if args.penalty_per_day is not None else (
            before.penalty_per_day if before and policy == "latest" else 0.0)
        set_due = gradebook.set_due(args.assignment, due, policy=policy, penalty_per_day=penalty)
    if set_due.due is None:
        print(f"{args.assignment}: no due date")
    else:
        print(f"{args.assignment}: due {set_due.due[:16].replace('T', ' ')} UTC, policy "
              f"{set_due.policy}, penalty {format_score(100 * set_due.penalty_per_day)}% per day")
    return 0


def _check(args) -> int:
    with _open(args) as gradebook:
        problems = gradebook.check()
        count = len(gradebook.entries(include_superseded=True))
    for problem in problems:
        print(printable(problem))
    if problems:
        return 1
    print(f"{args.gradebook}: ok ({count} submission{'s' if count != 1 else ''})")
    return 0
