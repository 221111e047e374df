"""The grader's API: :func:`grade_submission` and :func:`grade_batch`.

The stages, in order (each is a module of this package, callable alone)::

    extract.read_submission      file -> Submission           (broken file: score 0, reason)
    cases.hidden_cases           registry + secret seed -> inputs, reference answers
    sandbox.run                  cells + inputs -> raw results from the confined worker
    compare.judge                each decoded result vs the reference -> Verdict
    this module                  Verdicts -> Report
    gradebook / feedback         (grade_batch) record the Report, write feedback

Only :class:`~rnncourse.grading.sandbox.SandboxError` (the worker cannot start),
unreadable files and unknown assignments named by the caller raise: whatever a
submission contains ends as a :class:`~rnncourse.grading.report.Report`.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Callable, Sequence

from . import plain
from .cases import HiddenCase, hidden_cases, submission_seed
from .compare import CallOutcome, Verdict, judge
from .exercises import Assignment, Exercise, get_assignment
from .extract import Submission, digest_of, read_submission
from .report import ExerciseResult, Report
from .sandbox import ExerciseRun, Limits, SandboxRun
from . import sandbox, source, standins

__all__ = ["DEFAULT_MEMORY_MB", "DEFAULT_TIMEOUT", "BatchItem", "grade_batch", "grade_submission"]

#: wall-clock seconds for the notebook's cells, and again for each exercise
DEFAULT_TIMEOUT = 10.0
DEFAULT_MEMORY_MB = 1024
_MAX_NOTES = 20


def _safe(text: str, limit: int) -> str:
    """Report text that any file, terminal or page can hold: control characters and
    lone surrogates (which only a notebook can put there) shown as escapes."""
    return sandbox.worker_text(text, limit)


def _guarded(path: str, step: Callable):
    """``(step(), None)``, or ``(None, reason)`` when grading this one submission failed.

    Whatever one submission makes the grader raise (a bug, a record nobody foresaw,
    text no file can hold) ends as that submission's error, and the batch goes on.
    Only :class:`~rnncourse.grading.sandbox.SandboxError` (the grader cannot run at
    all) and interruptions (Ctrl-C) go through.
    """
    try:
        return step(), None
    except sandbox.SandboxError:
        raise
    except UnicodeError as exc:
        return None, f"{path}: the grader could not write this submission's report ({exc.reason})"
    except ValueError as exc:
        return None, _safe(str(exc), 500)
    except OSError as exc:
        return None, _safe(f"{path}: {exc.strerror or exc}", 500)
    except Exception as exc:  # noqa: BLE001  (RecursionError, MemoryError, KeyError, ...)
        return None, _safe(f"{path}: the grader failed on this submission ({type(exc).__name__}: "
                           f"{exc}); the other submissions are graded", 500)


def _broken_report(sub: Submission, assignment: Assignment) -> Report:
    reason = f"the notebook could not be read: {sub.problem}"
    return Report(
        submission=sub.path, assignment=assignment.name, student=sub.student,
        exercises=tuple(ExerciseResult(ex.name, 0.0, float(ex.points), "error", reason)
                        for ex in assignment.exercises),
        notes=(reason,) + sub.notes)


def _decode_outcome(raw) -> CallOutcome:
    """A worker's per-case record as a CallOutcome; PlainError if it is malformed."""
    if not isinstance(raw, dict):
        raise plain.PlainError("case record is not an object")
    if raw.get("status") == "raised":   # the notebook's words: quoted, escaped
        said = raw.get("message")
        message = f'"{sandbox.worker_text(said, 500)}"' if said else ""
        if isinstance(raw.get("where"), str):
            message += f" ({sandbox.worker_text(raw['where'], 100)})"
        return CallOutcome("raised", error_type=sandbox.worker_text(raw.get("type"), 100),
                           error_message=message)
    if raw.get("status") == "returned":
        inputs_after = plain.decode(raw.get("inputs_after"), namedtuples=False)
        if type(inputs_after) is not tuple:
            raise plain.PlainError("case record's inputs are not a tuple")
        return CallOutcome("returned", value=plain.decode(raw.get("value"), namedtuples=False),
                           inputs_after=inputs_after)
    raise plain.PlainError("case record has no known status")


_CODE_CELL = re.compile(r"code cell (\d+)")


def _relabel(text: str, sub: Submission) -> str:
    """The worker's "code cell N" (N from 1 among code cells) as the learner sees it."""
    return _CODE_CELL.sub(lambda m: sub.label(int(m.group(1)) - 1), text)


def _missing_feedback(ex: Exercise, sub: Submission, run: SandboxRun, why: str,
                      exercises: Sequence[str] = ()) -> str:
    text = f"{ex.name} is {why}"
    for index in source.defining_cells(list(sub.cells), ex.name):
        failure = run.cell_failures.get(index)
        if failure is not None:   # the right function in a broken cell: say that, only that
            verb = {"error": "raised", "timeout": "was stopped: it",
                    "crash": "was skipped: it"}[failure.kind]
            text += (f": the cell that defines it ({sub.label(index)}) {verb} "
                     f"{_relabel(failure.message, sub)}")
            return text + f". Expected {ex.signature}."
    others = [n for n in run.callables if n not in exercises]   # other exercises are not typos
    similar = difflib.get_close_matches(ex.name, others, n=2, cutoff=0.6)
    if similar:
        text += f" (found {', '.join(similar)}: the function must be called {ex.name})"
    return text + f". Expected {ex.signature}."


def _judge_exercise(ex: Exercise, cases: list[HiddenCase], raw: ExerciseRun,
                    sub: Submission, run: SandboxRun) -> tuple[str, str]:
    """``(status, feedback)`` of one exercise."""
    if raw.status == "missing":
        why = "not defined" if raw.message == "not defined" else raw.message
        return "missing", _missing_feedback(ex, sub, run, why,
                                            [e.name for e in get_assignment(sub.assignment).exercises]
                                            if sub.assignment else ())
    if raw.status == "timeout":
        return "timeout", f"{ex.name} {raw.message} on the hidden cases (stopped)"
    if raw.status in ("crash", "lost"):
        return "error", f"{ex.name} {raw.message}" if raw.status == "crash" else raw.message
    if len(raw.cases) != len(cases):
        return "error", f"{ex.name}: the grader received {len(raw.cases)} results for {len(cases)} cases"
    for k, (hidden, record) in enumerate(zip(cases, raw.cases), start=1):
        try:
            outcome = _decode_outcome(record)
        except plain.PlainError as exc:
            verdict = Verdict("failed", f"the result could not be read ({exc})")
        else:
            try:
                verdict = judge(ex, hidden.case, hidden.expected, outcome, hidden.numerical)
            except Exception as exc:  # noqa: BLE001  a forged record nobody foresaw
                verdict = Verdict("failed", f"the result could not be judged "
                                            f"({type(exc).__name__}: {_safe(str(exc), 200)})")
        if verdict.status == "not_implemented":
            return "not_implemented", f"{ex.name} is not attempted yet (it raises NotImplementedError)"
        if verdict.status != "passed":
            sizes = ", ".join(f"{d}={n}" for d, n in hidden.case.dims.items())
            return verdict.status, _relabel(f"hidden case {k} of {len(cases)} ({sizes}): "
                                            f"{verdict.message}", sub)
    return "passed", f"passed {len(cases)} hidden cases"


def fix_first_note(ex: Exercise, statuses: dict) -> str:
    """The sentence a composite's feedback ends with when a cell it uses failed.

    A composite exercise is graded with the reference in place of each cell it uses
    (:attr:`Exercise.uses`), so the cell's bug costs the cell's points only; the
    learner still has to learn that their composite will not work with their cell.
    """
    failing = [c for c in ex.uses if statuses.get(c, "passed") != "passed"]
    if not failing:
        return ""
    cells = " and ".join(failing)
    return (f". Note: your {cells} fail{'s' * (len(failing) == 1)} {'its' if len(failing) == 1 else 'their'}"
            f" cases: fix it first. {ex.name} was graded with the course's {cells} in place of "
            f"yours, so that one mistake costs one exercise")


def _notes(sub: Submission, assignment: Assignment, run: SandboxRun,
           reference: list[str]) -> list[str]:
    notes = list(sub.notes)
    if reference:
        notes.append(f"uses {', '.join(reference)}: the reference implementation is not "
                     f"available while grading ({standins.import_rule(assignment.learner_modules)}"
                     f"); importing it does no harm, but answers relying on it earn no points")
    for index, cell in enumerate(sub.cells):
        for refused in source.find_magics(cell):
            notes.append(f"{sub.label(index)}, {refused}: IPython magic or shell command, "
                         f"not run by the grader")
    for index, failure in sorted(run.cell_failures.items()):
        where = sub.label(index) if index >= 0 else "the notebook"
        verb = "raised" if failure.kind == "error" else "was skipped: it"
        notes.append(f"{where} {verb} {_relabel(failure.message, sub)}")
    for flag in run.flags:      # sent by the worker, so the notebook's words
        notes.append(f"sandbox: the worker reported \"{flag}\"")
    landlock = run.confinement.get("landlock", "")
    if not landlock.startswith("landlock"):
        notes.append(f"warning: filesystem confinement {landlock or 'unknown'}: the notebook "
                     f"could read and write the grading user's files")
    seccomp = run.confinement.get("seccomp", "")
    if seccomp != "seccomp allow-list on":
        notes.append(f"warning: {seccomp or 'seccomp unknown'}: the notebook could open "
                     f"sockets, use IPC and, if the grader runs as root, start processes")
    spaces = run.confinement.get("namespaces", "")
    if not spaces.startswith("net, ipc, mount"):
        notes.append(f"warning: network, IPC and mount namespaces {spaces or 'unknown'}: "
                     f"the scratch folder was on the grader's disk")
    if len(notes) > _MAX_NOTES:
        notes = notes[:_MAX_NOTES] + [f"... and {len(notes) - _MAX_NOTES} more notes"]
    return notes


def grade_submission(path, *, assignment: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                     memory_mb: int = DEFAULT_MEMORY_MB, seed: int | None = None,
                     root=None) -> Report:
    """Grade one notebook.

    Parameters
    ----------
    path : str or Path
        The submitted ``.ipynb``.
    assignment : str, optional
        Grade as this assignment (default: notebook metadata, then the file name).
    timeout : float
        Wall-clock seconds for the notebook's cells, and again for each exercise.
    memory_mb : int
        Address-space limit of the worker process.
    seed : int, optional
        Seed of the hidden cases; default derived from the grading secret and the
        file's content (see :mod:`rnncourse.grading.cases`).
    root : str or Path, optional
        The submissions root: the student is the first folder under it (default: the
        nearest folder named ``submitted``; see :mod:`rnncourse.grading.identity`).

    Returns
    -------
    Report

    Raises
    ------
    ValueError
        When the assignment is not a registered one (the file name or metadata did not
        name one and ``assignment`` was not given), or the layout names no student
        (:class:`~rnncourse.grading.identity.IdentityError`).
    FileNotFoundError, PermissionError
        When the file cannot be opened.
    rnncourse.grading.sandbox.SandboxError
        When the grading worker cannot start.
    """
    return _grade(path, assignment=assignment, timeout=timeout, memory_mb=memory_mb, seed=seed,
                  root=root)[0]


def _grade(path, *, assignment, timeout, memory_mb, seed, root=None, data: bytes | None = None,
           secret: bytes | None = None) -> tuple[Report, str]:
    """:func:`grade_submission`, also returning the digest of the content graded.

    ``data`` is the file's content when the caller has read it (a Dask worker gets it
    from the client); ``secret`` the grading secret the cases' seed derives from
    (default: this machine's, see :mod:`rnncourse.grading.cases`); ``root`` the
    submissions root, or a mapping path -> root."""
    if isinstance(root, dict):
        root = root.get(os.path.normpath(str(path)))
    limits = Limits(timeout=timeout, memory_mb=memory_mb)
    sub = read_submission(path, assignment=assignment, root=root, data=data)
    try:
        asg = get_assignment(sub.assignment)
    except ValueError as exc:
        raise ValueError(f"{sub.path}: {exc} (pass --assignment NAME)") from None
    if sub.problem is not None:
        return _broken_report(sub, asg), sub.digest
    seed = submission_seed(asg.name, sub.digest, secret) if seed is None else seed
    cases = hidden_cases(asg, seed)
    run = sandbox.run(sub.cells, [(name, [c.encoded_args() for c in cs]) for name, cs in cases.items()],
                      learner_modules=asg.learner_modules, limits=limits,
                      inject=asg.injections)
    reference = []
    for cell in sub.cells:
        reference += [m for m in source.reference_uses(cell, asg.learner_modules) if m not in reference]
    results = []
    statuses: dict[str, str] = {}
    for ex in asg.exercises:
        status, feedback = _judge_exercise(ex, cases[ex.name], run.exercises[ex.name], sub, run)
        statuses[ex.name] = status
        feedback += fix_first_note(ex, statuses)
        if status == "missing" and reference:
            feedback += f" (the notebook uses {', '.join(reference)}, which is not available while grading)"
        results.append(ExerciseResult(ex.name, float(ex.points) if status == "passed" else 0.0,
                                      float(ex.points), status, _safe(feedback, 1000)))
    report = Report(submission=sub.path, assignment=asg.name, student=sub.student,
                    exercises=tuple(results),
                    notes=tuple(_safe(n, 1000) for n in _notes(sub, asg, run, reference)))
    return report, sub.digest


class _ThreadPool:
    """Local grading: ``jobs`` submissions at once, each in its own worker process
    (the threads only wait on their workers).  :class:`~.distributed.DaskPool` is the
    same interface on a Dask cluster."""

    def __init__(self, jobs: int):
        self.executor = ThreadPoolExecutor(max_workers=jobs)

    def __enter__(self) -> "_ThreadPool":
        return self

    def __exit__(self, *exc_info) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    def run(self, paths, kwargs_of: Callable[[str], dict]):
        """Yield ``(path, (Report, digest))`` or ``(path, error message)`` as each ends;
        ``kwargs_of(path)`` are the keyword arguments of :func:`_grade` for that file."""
        futures = {self.executor.submit(_guarded, p, lambda p=p: _grade(p, **kwargs_of(p))): p
                   for p in paths}
        for future in as_completed(futures):
            graded, error = future.result()
            yield futures[future], (graded if error is None else error)


def _unlisted(path: str, root, roster) -> str | None:
    """Why ``path`` is not graded because its student is not on ``roster`` (or None)."""
    if roster is None:
        return None
    from .identity import IdentityError, student_of

    try:
        student, _ = student_of(path, root)
    except IdentityError as exc:
        return str(exc)
    if student not in roster:
        return (f"{path}: student {student!r} is not on the roster: not graded (add the "
                f"student to the roster, or move the file into the right student's folder)")
    return None


class BatchItem:
    """The outcome of one file of a batch: a report, a skip, or an error message."""

    __slots__ = ("path", "report", "skipped", "error")

    def __init__(self, path: str, report: Report | None = None, skipped: bool = False,
                 error: str | None = None):
        self.path, self.report, self.skipped, self.error = path, report, skipped, error


def grade_batch(paths: Sequence, *, jobs: int = 1, gradebook=None, progress: bool = True,
                assignment: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                memory_mb: int = DEFAULT_MEMORY_MB, seed: int | None = None,
                feedback_dir=None, on_item: Callable[[BatchItem], None] | None = None,
                root=None, force: bool = False, roster=None,
                scheduler: str | None = None) -> list[Report]:
    """Grade many notebooks, ``jobs`` at a time; record them in ``gradebook``.

    Parameters
    ----------
    paths : sequence of str or Path
    jobs : int
        Submissions graded at once (each in its own worker process).
    gradebook : str or Path, optional
        SQLite gradebook.  Submissions whose content is already recorded are skipped
        (a batch interrupted at any point resumes where it stopped) unless ``force``;
        each new grading is recorded in one transaction (earlier ones stay as
        history), and the feedback page of its (student, assignment) is rewritten
        under ``feedback/`` next to the gradebook (or under ``feedback_dir/feedback/``)
        to describe the grading that counts (:mod:`rnncourse.grading.pages`).
    progress : bool
        Show a progress bar on stderr; ``on_item`` output is written with the bar
        cleared, so the two never garble each other.
    on_item : callable, optional
        Called in order of completion with each :class:`BatchItem` (reports, skips and
        errors), e.g. to print a table as results arrive.
    root : str, Path or mapping, optional
        The submissions root (the student is the first folder under it), or a mapping
        path -> root; default: the nearest folder named ``submitted``.
    force : bool
        Grade again files already recorded with the same content (a regrade).
    roster : collection of str, optional
        Student ids of the class: files of other students are not graded, they end
        as errors naming the student.
    scheduler : str, optional
        Grade on Dask instead of local threads: ``tcp://HOST:PORT`` of a running
        scheduler or ``local:N`` for a local cluster of N worker processes (``jobs`` is
        then ignored); see :mod:`rnncourse.grading.distributed`.

    Returns
    -------
    list of Report
        The reports graded in this call, in the order of ``paths``.

    Raises
    ------
    rnncourse.grading.sandbox.SandboxError
        When the grading worker cannot start (nothing can be graded).
    """
    if jobs < 1:
        raise ValueError(f"grade_batch: jobs must be at least 1, got {jobs}")
    if assignment is not None:
        get_assignment(assignment)  # an unknown name is the caller's error: fail before grading
    if scheduler is not None:
        from .distributed import parse_scheduler
        parse_scheduler(scheduler)  # a malformed address too (Dask is imported only later)
    from tqdm.auto import tqdm

    book = None
    if gradebook is not None:
        from .gradebook import Gradebook
        from .pages import record_grading, refresh

        book = Gradebook(gradebook)
        feedback_dir = Path(feedback_dir) if feedback_dir else Path(gradebook).resolve().parent
    roots = root if isinstance(root, dict) else None
    paths = [os.path.normpath(str(p)) for p in paths]
    if roots is not None:
        roots = {os.path.normpath(str(p)): r for p, r in roots.items()}
    root_of = (lambda p: roots.get(p)) if roots is not None else (lambda p: root)
    todo = []
    items: dict[str, BatchItem] = {}
    touched: set[tuple[str, str]] = set()  # (student, assignment) pages to rewrite
    try:
        for p in paths:
            problem = _unlisted(p, root_of(p), roster)
            if problem:
                items[p] = BatchItem(p, error=problem)
                continue
            if book is not None:
                graded, error = _guarded(p, lambda: book.is_graded(p, digest_of(p)))
                if error is not None:
                    items[p] = BatchItem(p, error=error)
                    continue
                if graded and not force:
                    items[p] = BatchItem(p, skipped=True)
                    previous = book.report(p)
                    touched.add((previous.student, previous.assignment))
                    continue
            todo.append(p)
        bar = tqdm(total=len(todo), unit="notebook", disable=not progress or not todo,
                   file=sys.stderr, dynamic_ncols=True)

        def tell(item):
            if on_item:
                with tqdm.external_write_mode(file=sys.stdout):
                    on_item(item)
                    sys.stdout.flush()

        for item in items.values():
            tell(item)
        kwargs = dict(assignment=assignment, timeout=timeout, memory_mb=memory_mb, seed=seed)
        if scheduler is None:
            pool = _ThreadPool(jobs)
        else:
            from .distributed import DaskPool
            pool = DaskPool(scheduler)
        with pool:
            for p, outcome in pool.run(todo, lambda p: dict(kwargs, root=root_of(p))):
                error = outcome if isinstance(outcome, str) else None
                report = outcome[0] if error is None else None
                if error is None and book is not None:
                    recorded, error = _guarded(p, lambda: record_grading(
                        book, outcome[0], outcome[1], root_of(p), regrade=force))
                    if error is None:
                        report, keys, grading = recorded
                        _, error = _guarded(p, lambda: refresh(book, keys, feedback_dir))
                        if error is not None and grading is not None:
                            # no page, no grade: the rerun grades it again
                            _guarded(p, lambda: book.remove_grading(grading))
                        touched |= keys
                item = BatchItem(p, error=error) if error is not None else BatchItem(p, report=report)
                items[p] = item
                bar.update(1)
                tell(item)
        bar.close()
        if book is not None:  # pages of skipped files too: a batch killed mid-way heals
            _guarded("feedback pages", lambda: refresh(book, touched, feedback_dir))
    finally:
        if book is not None:
            book.close()
    return [items[p].report for p in paths if p in items and items[p].report is not None]

