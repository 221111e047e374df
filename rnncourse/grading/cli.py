"""``rnncourse grade``: grade submitted notebooks (a thin layer over :func:`grade_batch`).

Exit codes: 0 when every submission was graded, whatever the scores (a broken
notebook is a graded submission with score 0); 2 when some file could not be
graded because of the command (missing file, unknown assignment, a student not on
the roster, a file outside any student's folder); 1 when the grader itself cannot
work (its worker does not start).

Reports go to standard output, errors and the progress bar to standard error (the
bar is cleared while a report is written, so on a terminal they never garble).

A course config file (``--config course.toml``) may hold what would otherwise be
repeated on every run::

    [grading]
    root = "submitted"          # the submissions root (relative to the file)
    roster = "roster.csv"
    policy = "latest"           # or "on-time"
    penalty_per_day = 0.1       # policy latest: 10% per started day late

    [due]
    01_rnn_types = "2026-12-10T23:59"
    02_forward_propagation = "2026-12-17T23:59+01:00"

Command-line options win over the file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .report import printable

__all__ = ["register"]


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text}")
    return value


def _int_at_least(low: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"expected an integer >= {low}, got {value}")
        return value
    return parse


def register(subparsers) -> None:
    """Add the ``grade`` command to the ``rnncourse`` parser."""
    from .grade import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT

    parser = subparsers.add_parser(
        "grade", help="grade submitted notebooks in a sandbox",
        description="Run each submitted notebook in a confined worker process, call its "
                    "exercises on hidden cases and print a table per submission. The "
                    "assignment comes from --assignment, else the notebook's metadata, else "
                    "the file name with copy suffixes such as ' (1)', '-2', '_v2', '_final' "
                    "removed. The student is the first folder under the submissions root, "
                    "at any depth and whatever the file is called: submitted/<student>/..., "
                    "nbgrader's submitted/<student>/<assignment>/<notebook>.ipynb, or an LMS "
                    "download unpacked into one folder per student. The root is --root, "
                    "else a folder given as SUBMISSION, else the nearest folder named "
                    "'submitted' or 'submissions'.")
    parser.add_argument("submissions", nargs="+", metavar="SUBMISSION",
                        help="notebooks, or folders searched for notebooks (a folder given "
                             "here is the submissions root unless it lies in one)")
    parser.add_argument("--assignment", metavar="NAME",
                        help="grade every file as this assignment")
    parser.add_argument("--root", metavar="FOLDER",
                        help="the submissions root: its subfolders are the students")
    parser.add_argument("--roster", metavar="FILE.csv",
                        help="the class list (a student id column, optionally name and "
                             "e-mail); files of students not on it are reported and not "
                             "graded, and it is stored in the gradebook for the export")
    parser.add_argument("--gradebook", metavar="FILE",
                        help="record grades in this SQLite gradebook (files already recorded "
                             "with the same content are skipped) and write feedback pages "
                             "under feedback/ next to it")
    parser.add_argument("--force", action="store_true",
                        help="regrade files already in the gradebook (after raising --timeout "
                             "or fixing an exercise); every earlier grading is kept")
    parser.add_argument("--due", action="append", default=[], metavar="[NAME=]DATE",
                        help="due date of an assignment (ISO 8601, e.g. 2026-12-10T23:59, local "
                             "time without a zone); DATE alone applies to --assignment; "
                             "repeat for several assignments. Stored in the gradebook")
    parser.add_argument("--config", metavar="FILE.toml",
                        help="course config file: root, roster, due dates, late policy "
                             "(see `python -m pydoc rnncourse.grading.cli`)")
    parser.add_argument("--jobs", type=_int_at_least(1), default=1, metavar="N",
                        help="submissions graded at once (default: 1)")
    parser.add_argument("--timeout", type=_positive_float, default=DEFAULT_TIMEOUT, metavar="S",
                        help=f"wall-clock seconds for the notebook's cells, and again for "
                             f"each exercise (default: {DEFAULT_TIMEOUT:g}); whatever the "
                             f"notebook does, restarts included, one submission costs at most "
                             f"2 * (rounds + exercises) * timeout + 10 seconds (rounds: 1, "
                             f"plus 1 for each level of exercises graded with the course's "
                             f"own version of an earlier one; the cells run once per round)")
    parser.add_argument("--memory-mb", type=_int_at_least(128), default=DEFAULT_MEMORY_MB,
                        metavar="M", help=f"memory limit of the worker in MB "
                                          f"(default: {DEFAULT_MEMORY_MB})")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="grade on Dask: tcp://HOST:PORT of a running dask.distributed "
                             "scheduler, or local:N for a local cluster of N worker processes "
                             "(needs pip install 'rnncourse[distributed]'; --jobs is then "
                             "ignored; only this machine writes the gradebook)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object per submission per line instead of tables")
    from .gradebook_cli import _late_options

    _late_options(parser)
    parser.set_defaults(func=_grade)


def format_report(report) -> str:
    """The table ``rnncourse grade`` prints for one submission."""
    width = max([len(printable(e.name)) for e in report.exercises] + [8])
    lines = [f"{printable(report.submission)}  student {printable(report.student)}  "
             f"assignment {printable(report.assignment)}  "
             f"score {report.score:g}/{report.max_score:g}"]
    import textwrap

    for e in report.exercises:
        head = f"  {printable(e.name):<{width}}  {e.score:>4g}/{e.max_score:<4g} {e.status:<15} "
        # wrapped under its column, never cut: a hint cut in half helps nobody
        body = textwrap.wrap(printable(e.feedback), width=max(40, 100 - len(head)), break_on_hyphens=False)
        lines.append(head + (body[0] if body else ""))
        lines.extend(" " * len(head) + more for more in body[1:])
    for note in report.notes[:8]:
        body = textwrap.wrap(printable(note), width=92, break_on_hyphens=False) or [""]
        lines.append(f"  note: {body[0]}")
        lines.extend(f"        {more}" for more in body[1:])
    if len(report.notes) > 8:
        lines.append(f"  ({len(report.notes) - 8} more notes in --json and the feedback file)")
    return "\n".join(lines)


def _config(path) -> dict:
    import tomllib

    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"--config {path}: not a valid TOML file ({exc})") from None
    unknown = sorted(set(data) - {"grading", "due"})
    if unknown:
        raise ValueError(f"--config {path}: unknown table(s) {', '.join(unknown)} "
                         f"(expected [grading] and [due])")
    grading, due = data.get("grading", {}), data.get("due", {})
    keys = sorted(set(grading) - {"root", "roster", "policy", "penalty_per_day"})
    if keys:
        raise ValueError(f"--config {path}: unknown key(s) {', '.join(keys)} in [grading] "
                         f"(expected root, roster, policy, penalty_per_day)")
    base = Path(path).parent
    for key in ("root", "roster"):
        if key in grading:
            grading[key] = str(base / grading[key])
    return {**grading, "due": {str(k): str(v) for k, v in due.items()}}


def _collect(args) -> tuple[list[str], dict[str, str | None]]:
    """The notebooks to grade and the submissions root of each."""
    from .identity import find_root

    paths, roots = [], {}
    for given in args.submissions:
        if os.path.isdir(given):
            found = sorted(str(p) for p in Path(given).rglob("*.ipynb")
                           if not any(part.startswith(".") for part in p.relative_to(given).parts))
            for p in found:
                roots[os.path.normpath(p)] = args.root or find_root(p) or given
            paths += found
        else:
            paths.append(given)
            roots[os.path.normpath(given)] = args.root
    return paths, roots


def _dues(args, config: dict) -> dict[str, str]:
    dues = dict(config.get("due", {}))
    for text in args.due:
        name, sep, date = text.partition("=")
        if not sep:
            if args.assignment is None:
                raise ValueError(f"--due {text}: say which assignment (--due NAME=DATE), or "
                                 f"grade one with --assignment")
            name, date = args.assignment, text
        dues[name.strip()] = date.strip()
    return dues


def _grade(args) -> int:
    from .grade import grade_batch
    from .identity import read_roster
    from .sandbox import SandboxError

    config = _config(args.config) if args.config else {}
    args.root = args.root or config.get("root")
    roster = read_roster(args.roster or config["roster"]) if (args.roster or config.get("roster")) else None
    dues = _dues(args, config)
    policy = args.policy or config.get("policy")  # None: keep what the gradebook has
    penalty = args.penalty_per_day if args.penalty_per_day is not None else config.get("penalty_per_day")
    if dues and not args.gradebook:
        raise ValueError("due dates (--due, or [due] in --config) are kept in the gradebook: "
                         "pass --gradebook FILE")
    if args.gradebook and (dues or roster):
        from .exercises import get_assignment
        from .gradebook import Gradebook

        for name in dues:
            get_assignment(name)  # an unknown assignment is the command's error
        with Gradebook(args.gradebook) as book:
            before = book.due_dates()
            for name, date in dues.items():
                kept = before.get(name)
                chosen = policy or (kept.policy if kept else "latest")
                rate = penalty if penalty is not None else (
                    kept.penalty_per_day if kept and chosen == "latest" else 0.0)
                book.set_due(name, date, policy=chosen, penalty_per_day=rate)
            if roster:
                book.set_roster(roster)
    paths, roots = _collect(args)
    if not paths:
        raise ValueError(f"no notebook found in {', '.join(args.submissions)}")

    failures = []

    def show(item):
        if item.error:
            failures.append(item.error)
            print(f"rnncourse grade: error: {printable(item.error)}", file=sys.stderr)
        elif item.skipped:
            if not args.json:
                print(f"{printable(item.path)}: already in the gradebook with the same content, skipped")
        elif args.json:
            print(json.dumps(item.report.to_dict()), flush=True)
        else:
            print(format_report(item.report) + "\n", flush=True)

    try:
        grade_batch(paths, jobs=args.jobs, gradebook=args.gradebook,
                    progress=sys.stderr.isatty(), assignment=args.assignment,
                    timeout=args.timeout, memory_mb=args.memory_mb,
                    on_item=show, scheduler=args.scheduler,
                    root=roots, force=args.force, roster=set(roster) if roster else None)
    except SandboxError as exc:
        print(f"rnncourse grade: the grader cannot run: {exc}", file=sys.stderr)
        return 1
    except RuntimeError as exc:  # --scheduler: Dask missing, or the scheduler unreachable
        print(f"rnncourse grade: {exc}", file=sys.stderr)
        return 2
    if roster:
        from .identity import IdentityError, student_of

        seen = set()
        for p in paths:
            try:
                seen.add(student_of(p, roots.get(os.path.normpath(p)))[0])
            except IdentityError:
                pass
        nothing = [s for s in roster if s not in seen]
        if nothing:
            print(f"rnncourse grade: no submission in this batch from {len(nothing)} student"
                  f"{'s' if len(nothing) != 1 else ''} of the roster: {', '.join(map(printable, nothing))}",
                  file=sys.stderr)
    return 2 if failures else 0
