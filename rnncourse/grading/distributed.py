"""Grading on a Dask cluster: each submission's sandboxed grading is one Dask task.

``rnncourse grade ... --scheduler tcp://HOST:PORT`` (an existing ``dask.distributed``
scheduler) or ``--scheduler local:N`` (a :class:`distributed.LocalCluster` of ``N``
worker processes on this machine) hands every submission to :func:`grade_task` on a
Dask worker.  What stays the same as local grading, by construction:

* **One writer.**  The client reads each file, sends its bytes (workers need no access
  to the submissions folder) and receives a plain report (``Report.to_dict()``, a
  JSON-safe dict) and the digest of the bytes graded.  Only the client writes the
  SQLite gradebook and the feedback pages, as results arrive, so a batch resumes
  exactly as a local one: recorded files are skipped, a killed client loses nothing
  already recorded.
* **Same cases.**  The seed of the hidden cases is derived from the *client's*
  grading secret (:func:`rnncourse.grading.cases.grading_secret`), sent with the task:
  a worker on another machine grades with the cases the local grader would use, so
  the grades are identical.
* **Same sandbox.**  The task runs :mod:`rnncourse.grading.sandbox` inside the Dask
  worker process: the confined grading worker is a child of the Dask worker, with the
  same limits; it dies with its parent (``PR_SET_PDEATHSIG``).

Faults: a Dask worker that dies during a task (killed, out of memory) has the task
retried on another worker; a submission that was *running* in ``retries + 1`` (default
3) workers that died is reported as an error, for that submission only.  Dask itself
charges a death to every task assigned to the dying worker, running or merely queued
behind the one that ran (its ``KilledWorker`` after ``allowed-failures`` charges), so
a correct submission queued behind a crashing one could be failed with it.  The client
therefore counts deaths itself: :func:`grade_task` logs an event when it starts
(``Worker.log_event``, one topic per submission), and a ``KilledWorker`` for a
submission that started fewer than ``retries + 1`` times is submitted again, up to
:data:`MAX_RESUBMITS` times.  This holds on any scheduler, whatever its
``allowed-failures`` (``local:N`` sets it to ``retries``).
Ctrl-C cancels the tasks not yet finished and closes the client.

Only this module imports Dask, and only when a scheduler is asked for: install it
with ``pip install 'rnncourse[distributed]'``.
"""

from __future__ import annotations

import os
from typing import Iterable, Iterator

__all__ = ["DEFAULT_RETRIES", "DaskPool", "grade_task", "parse_scheduler", "spawnable_main"]

#: retries of a submission whose Dask worker died, before it is reported as an error
DEFAULT_RETRIES = 2

#: times the client submits again a submission that Dask failed with ``KilledWorker``
#: although it had not run in ``retries + 1`` dying workers (it waited behind others)
MAX_RESUBMITS = 3

#: prefix of the event topic on which :func:`grade_task` logs that it started
STARTED_TOPIC = "rnncourse-started-"


def parse_scheduler(text: str) -> tuple[str, object]:
    """``("local", N)`` for ``"local:N"``, ``("address", text)`` for a scheduler address.

    Raises
    ------
    ValueError
        When ``text`` is neither (the message names the forms accepted).
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"--scheduler: expected tcp://HOST:PORT or local:N, got {text!r}")
    text = text.strip()
    if text.startswith("local:") or text == "local":
        count = text.partition(":")[2]
        try:
            n = int(count)
        except ValueError:
            raise ValueError(f"--scheduler: expected local:N with N a number of workers, "
                             f"got {text!r}") from None
        if n < 1:
            raise ValueError(f"--scheduler: local:N needs N >= 1 workers, got {n}")
        return "local", n
    if "://" not in text:
        raise ValueError(f"--scheduler: expected tcp://HOST:PORT (or tls://, ws://, inproc://) "
                         f"or local:N, got {text!r}")
    return "address", text


def grade_task(path: str, data: bytes, secret: bytes, kwargs: dict,
               shown: str | None = None, topic: str | None = None) -> tuple[dict | None, str]:
    """What a Dask worker runs for one submission.

    Parameters
    ----------
    path : str
        The submission's absolute path on the client (the student is read from it, as
        locally; the worker never opens it).
    data : bytes
        The file's content, read by the client.
    secret : bytes
        The client's grading secret (the hidden cases' seed is derived from it).
    kwargs : dict
        The keyword arguments of the local grader (``assignment``, ``timeout``, ``root``
        made absolute by the client, ...).
    shown : str, optional
        The path as the instructor gave it, for the report (default ``path``).
    topic : str, optional
        The Dask event topic on which the start of this run is logged, so that the
        client counts the deaths this submission was running in (see the module).

    Returns
    -------
    (dict, str) or (None, str)
        ``Report.to_dict()`` and the digest of ``data``; or no report and the reason
        this submission could not be graded (what :func:`~.grade._guarded` says).
    """
    import sys

    if topic is not None:
        from distributed import get_worker
        get_worker().log_event(topic, os.getpid())
    # as the CLI does (rnncourse.cli._skip_slow_optional_imports): jsonschema's optional
    # rfc3987_syntax builds its grammars at import, and in a Dask worker thread on
    # CPython 3.11 that import failed ("AST constructor recursion depth mismatch")
    sys.modules.setdefault("rfc3987_syntax", None)
    from .grade import _grade, _guarded

    graded, error = _guarded(path, lambda: _grade(path, data=data, secret=secret, **kwargs))
    if error is not None:   # this submission's failure only, as in local grading
        return None, error
    report, digest = graded
    if shown is not None:
        from dataclasses import replace
        report = replace(report, submission=shown)
    return report.to_dict(), digest


def _died_message(path: str, started: int, charged: int, exc: BaseException) -> str:
    def times(n: int) -> str:
        return f"{n} {'time' if n == 1 else 'times'}"

    waited = charged - started
    if started == 0:
        what = f"the Dask workers it waited on died {times(waited)} before it could run"
    else:
        what = f"the Dask worker grading it died {times(started)}" + (
            f" (and {waited} more while it waited to run)" if waited > 0 else "")
    return f"{path}: {what}; not graded ({type(exc).__name__}: {str(exc)[:200]})"


def spawnable_main() -> None:
    """Give ``sys.modules["__main__"]`` the ``__spec__`` that multiprocessing reads.

    A ``LocalCluster`` starts its workers with multiprocessing's spawn, which reads
    ``sys.modules["__main__"].__spec__``; a host that replaced the main module by an
    object without it (IPython's ``DummyMod`` in an embedded shell, a test runner) makes
    every worker fail to start ("Nanny failed to start").  ``None`` is what a script's
    main module has: the workers then import nothing from it.
    """
    import sys

    main = sys.modules.get("__main__")
    if main is not None and not hasattr(main, "__spec__"):
        try:
            main.__spec__ = None
        except (AttributeError, TypeError):  # an object that takes no attributes
            pass


class DaskPool:
    """Submissions graded as Dask tasks, results yielded as they finish.

    Parameters
    ----------
    scheduler : str
        ``tcp://HOST:PORT`` or ``local:N`` (see :func:`parse_scheduler`).
    retries : int
        Retries of a submission whose worker died (``local:N`` only; see the module).
    window : int, optional
        Tasks in flight at once (default: 4 per worker thread); files are read only when
        their task is submitted, so the client never holds the whole class in memory.
    """

    def __init__(self, scheduler: str, *, retries: int = DEFAULT_RETRIES,
                 window: int | None = None):
        self.kind, self.target = parse_scheduler(scheduler)
        self.retries = retries
        self.window = window
        self.client = None
        self.cluster = None

    def __enter__(self) -> "DaskPool":
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise RuntimeError(
                f"--scheduler needs Dask: pip install 'rnncourse[distributed]' ({exc})") from None
        if self.kind == "local":
            spawnable_main()
            with dask.config.set({"distributed.scheduler.allowed-failures": self.retries}):
                self.cluster = LocalCluster(n_workers=self.target, threads_per_worker=1,
                                            processes=True, dashboard_address="127.0.0.1:0",
                                            host="127.0.0.1", silence_logs=40)
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(self.target, timeout="20s")
            except OSError as exc:
                raise RuntimeError(f"--scheduler: cannot reach {self.target}: {exc}") from None
        return self

    def __exit__(self, *exc_info) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def _threads(self) -> int:
        info = self.client.scheduler_info().get("workers", {})
        return max(1, sum(int(w.get("nthreads", 1)) for w in info.values()))

    def run(self, paths: Iterable[str], kwargs_of) -> Iterator[tuple[str, object]]:
        """Yield ``(path, (Report, digest))`` or ``(path, error message)`` per file, as
        tasks finish; ``kwargs_of(path)`` are the grader's keyword arguments for that
        file.  Exceptions of the grader itself (``SandboxError``) propagate.

        Paths (and the submissions root) are made absolute here, on the client: a
        worker's current folder is not the client's, and the student is read from the
        absolute path exactly as the local grader reads it."""
        from distributed import KilledWorker, as_completed

        from .cases import grading_secret
        from .report import Report
        from .sandbox import SandboxError

        secret = grading_secret()
        todo = list(paths)
        window = self.window or 4 * self._threads()
        running = as_completed()
        owner: dict[str, _Task] = {}
        position = 0
        batch = os.urandom(6).hex()

        def submit(task: "_Task") -> None:
            future = self.client.submit(
                grade_task, os.path.abspath(task.path), task.data, secret, task.kwargs,
                os.path.normpath(task.path), task.topic,
                key=f"rnncourse-grade-{task.position}-{os.urandom(6).hex()}", pure=False)
            task.future = future
            owner[future.key] = task
            running.add(future)

        def submit_next() -> Iterator[tuple[str, object]]:
            nonlocal position
            while position < len(todo) and running.count() < window:
                p = todo[position]
                position += 1
                try:
                    with open(p, "rb") as f:
                        data = f.read()
                except OSError as exc:
                    yield p, f"{p}: {exc.strerror or exc}"
                    continue
                kwargs = dict(kwargs_of(p))
                if kwargs.get("root") is not None:
                    kwargs["root"] = os.path.abspath(kwargs["root"])
                submit(_Task(p, data, kwargs, position, f"{STARTED_TOPIC}{batch}-{position}"))

        try:
            yield from submit_next()
            while running.count() or position < len(todo):
                future = next(running)
                task = owner.pop(future.key)
                p = task.path
                try:
                    payload, digest = future.result()
                except KilledWorker as exc:
                    task.charged += getattr(exc, "allowed_failures", 0) + 1
                    started = self._starts(task.topic)
                    if started <= self.retries and task.resubmits < MAX_RESUBMITS:
                        task.resubmits += 1   # it waited behind a crashing task: again
                        future.release()
                        submit(task)
                        continue
                    yield p, _died_message(p, started, max(task.charged, started), exc)
                except SandboxError:
                    raise   # the grader cannot run at all: as locally
                except Exception as exc:  # noqa: BLE001  (the task's or Dask's own failure)
                    yield p, f"{p}: grading on Dask failed ({type(exc).__name__}: {str(exc)[:300]})"
                else:
                    yield p, (digest if payload is None else (Report.from_dict(payload), digest))
                finally:
                    future.release()
                yield from submit_next()
        except BaseException:  # Ctrl-C, or the grader's own error: stop the rest cleanly
            if owner:
                self.client.cancel([task.future for task in owner.values()])
            raise

    def _starts(self, topic: str) -> int:
        """How many times a submission's task started (its events on ``topic``).

        A worker's events travel on its stream to the scheduler, ahead of the stream's
        end that tells the scheduler the worker is gone: they are counted before the
        ``KilledWorker`` they explain reaches the client."""
        return len(self.client.get_events(topic))


class _Task:
    """One submission in flight: what is needed to submit it again, and its deaths."""

    __slots__ = ("path", "data", "kwargs", "position", "topic", "future", "charged",
                 "resubmits")

    def __init__(self, path: str, data: bytes, kwargs: dict, position: int, topic: str):
        self.path, self.data, self.kwargs = path, data, kwargs
        self.position, self.topic = position, topic
        self.future = None
        self.charged = 0     # deaths Dask charged it with (running or queued)
        self.resubmits = 0
