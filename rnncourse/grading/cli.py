"""``rnncourse grade``: grade submitted notebooks (a thin layer over :func:`grade_batch`).

Exit codes: 0 when every submission was graded, whatever the scores (a broken
notebook is a graded submission with score 0); 2 when some file could not be
graded because of the command (missing file, unknown assignment); 1 when the grader
itself cannot work (its worker does not start).
"""

from __future__ import annotations

import argparse
import json
import sys

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
                    "the file name; the student from the folder in "
                    "submitted/<student>/<assignment>.ipynb (nbgrader's layout works too), "
                    "else the file name.")
    parser.add_argument("submissions", nargs="+", metavar="SUBMISSION.ipynb")
    parser.add_argument("--assignment", metavar="NAME",
                        help="grade every file as this assignment")
    parser.add_argument("--gradebook", metavar="FILE",
                        help="record grades in this SQLite gradebook (files already recorded "
                             "with the same content are skipped) and write feedback pages "
                             "under feedback/ next to it")
    parser.add_argument("--jobs", type=_int_at_least(1), default=1, metavar="N",
                        help="submissions graded at once (default: 1)")
    parser.add_argument("--timeout", type=_positive_float, default=DEFAULT_TIMEOUT, metavar="S",
                        help=f"wall-clock seconds for the notebook's cells, and again for "
                             f"each exercise (default: {DEFAULT_TIMEOUT:g}); whatever the "
                             f"notebook does, restarts included, one submission costs at most "
                             f"2 * (1 + exercises) * timeout + 10 seconds")
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
    parser.set_defaults(func=_grade)


def format_report(report) -> str:
    """The table ``rnncourse grade`` prints for one submission."""
    width = max([len(e.name) for e in report.exercises] + [8])
    lines = [f"{report.submission}  student {report.student}  assignment {report.assignment}  "
             f"score {report.score:g}/{report.max_score:g}"]
    for e in report.exercises:
        feedback = e.feedback if len(e.feedback) <= 160 else e.feedback[:157] + "..."
        lines.append(f"  {e.name:<{width}}  {e.score:>4g}/{e.max_score:<4g} {e.status:<15} {feedback}")
    for note in report.notes[:8]:
        lines.append(f"  note: {note if len(note) <= 160 else note[:157] + '...'}")
    if len(report.notes) > 8:
        lines.append(f"  ({len(report.notes) - 8} more notes in --json and the feedback file)")
    return "\n".join(lines)


def _grade(args) -> int:
    from .grade import grade_batch
    from .sandbox import SandboxError

    failures = []

    def show(item):
        if item.error:
            failures.append(item.error)
            print(f"rnncourse grade: error: {item.error}", file=sys.stderr)
        elif item.skipped:
            if not args.json:
                print(f"{item.path}: already in the gradebook with the same content, skipped")
        elif args.json:
            print(json.dumps(item.report.to_dict()), flush=True)
        else:
            print(format_report(item.report) + "\n", flush=True)

    try:
        grade_batch(args.submissions, jobs=args.jobs, gradebook=args.gradebook,
                    progress=sys.stderr.isatty(), assignment=args.assignment,
                    timeout=args.timeout, memory_mb=args.memory_mb, on_item=show,
                    scheduler=args.scheduler)
    except SandboxError as exc:
        print(f"rnncourse grade: the grader cannot run: {exc}", file=sys.stderr)
        return 1
    except RuntimeError as exc:  # --scheduler: Dask missing, or the scheduler unreachable
        print(f"rnncourse grade: {exc}", file=sys.stderr)
        return 2
    return 2 if failures else 0
