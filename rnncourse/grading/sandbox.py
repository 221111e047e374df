"""Execute stage: run a notebook's code cells and call its exercises in a confined worker.

:func:`run` takes the code cells and, per exercise, the encoded inputs of its hidden
cases; it returns a :class:`SandboxRun` holding the worker's raw (untrusted) results.

The worker (:mod:`rnncourse.grading.worker`) is ``python -I -S`` in its own process
group, with stdin and stdout on ``/dev/null``, a minimal environment, ``HOME`` and
the working directory in a fresh scratch folder, and a ``sys.path`` made of the
standard library, numpy and a learner-facing ``rnncourse`` package holding only the
modules the assignment allows and a do-nothing ``check``.  Before running learner
code it confines itself:

* ``RLIMIT_AS`` (memory), ``RLIMIT_CPU``, ``RLIMIT_FSIZE``, ``RLIMIT_NOFILE``, no core
  files, ``RLIMIT_NPROC = 0`` (no new process or thread; as root, every capability is
  dropped first so that the limit applies);
* Landlock (Linux >= 5.13): read-only access to the standard library, numpy and the
  learner-facing package, read-write access to the scratch folder, nothing else (so
  the library's source, ``solutions/`` and the gradebook cannot be read or written),
  no TCP, no signals to processes outside the sandbox;
* an audit hook refusing ``subprocess``, ``os.system``, ``fork``, ``exec`` and signals
  to other processes with a clear message, and noting files opened outside the
  sandbox (reported to the instructor).

Timeouts are wall-clock: the cells together get ``timeout`` seconds, and each
exercise gets ``timeout`` seconds for all its cases.  When the worker dies or runs
out of time, the grader kills its process group and starts a new worker for what is
left: a cell that crashed or hung is skipped (after ``max_cell_failures`` such cells
the remaining exercises are not graded), an exercise that crashed or hung is
recorded as such.  Every restart removes one cell or one exercise, so a submission
costs at most ``(max_cell_failures + 1 + n_exercises)`` worker runs.

Limits of this sandbox, honestly: without Landlock (older kernels, macOS) the worker
can read and write whatever the grading user can, and only the rlimits, the audit
hook (which native code bypasses) and the scan of the source for reference imports
remain: grade untrusted work on Linux >= 5.13 or inside a container.  Landlock does
not confine connecting to named UNIX sockets on kernels before ABI 6 scoping, nor
does it limit disk usage inside the scratch folder except per file (RLIMIT_FSIZE).
"""

from __future__ import annotations

import json
import math
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

__all__ = ["CellFailure", "ExerciseRun", "Limits", "SandboxError", "SandboxRun", "run"]

_PACKAGE = Path(__file__).resolve().parent.parent          # .../rnncourse
_HERE = Path(__file__).resolve().parent                    # .../rnncourse/grading


class SandboxError(RuntimeError):
    """The grader cannot run its worker at all (not the submission's fault)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one submission's worker.

    ``timeout`` is in wall-clock seconds: once for all the cells, and again for each
    exercise (all its hidden cases together).
    """

    timeout: float = 10.0
    memory_mb: int = 1024
    file_mb: int = 16
    max_output_mb: int = 64
    max_cell_failures: int = 3
    startup_timeout: float = 60.0

    def __post_init__(self):
        if not (self.timeout > 0 and math.isfinite(self.timeout)):
            raise ValueError(f"Limits: timeout must be a positive number of seconds, got {self.timeout}")
        if not (isinstance(self.memory_mb, int) and self.memory_mb >= 128):
            raise ValueError(f"Limits: memory_mb must be an integer >= 128, got {self.memory_mb}")


@dataclass(frozen=True)
class CellFailure:
    """A code cell that raised, crashed the worker or ran out of time."""

    index: int
    kind: str            # "error" | "timeout" | "crash"
    message: str


@dataclass
class ExerciseRun:
    """What the worker reported for one exercise (raw, untrusted ``cases``)."""

    name: str
    status: str          # "returned" | "missing" | "timeout" | "crash" | "lost"
    cases: list = field(default_factory=list)
    message: str = ""


@dataclass
class SandboxRun:
    exercises: dict
    cell_failures: dict
    callables: list
    flags: list
    confinement: dict
    workers: int
    seconds: float


# ---- the worker's site folder -------------------------------------------------------

_RELATIVE_IMPORT = re.compile(r"^[ \t]*from\s+\.(\w*)\s+import\s+(\([^)]*\)|[^\n#;]+)", re.M)

_SHIM_INIT = '''"""The part of rnncourse that learners may import while their work is graded."""
__version__ = "grading"
'''
_SHIM_CHECK = '''"""While grading, check() does nothing: the grader runs its own hidden cases."""


def check(fn, name=None):
    return None


def run_check(fn, name=None):
    return None


def skip_unimplemented(shell=None):
    """While grading there is no IPython: cells run as plain Python (see grading/demos.py)."""
    return None
'''


def learner_module_files(modules: Sequence[str]) -> list[Path]:
    """Source files of ``modules`` (in ``rnncourse``) and of the modules they import."""
    todo, seen = list(modules), []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        path = _PACKAGE / f"{name}.py"
        if not path.is_file():
            raise SandboxError(f"learner module rnncourse.{name} does not exist")
        seen.append(name)
        for m in _RELATIVE_IMPORT.finditer(path.read_text(encoding="utf-8")):
            if m.group(1):
                todo.append(m.group(1))
            else:
                items = m.group(2).strip().strip("()").split(",")   # "a, b as c"
                todo.extend(item.split()[0] for item in items if item.strip())
    return [_PACKAGE / f"{n}.py" for n in sorted(seen)]


def build_site(root: Path, learner_modules: Sequence[str]) -> Path:
    """The folder the worker imports from: its own code, numpy, the learner's package."""
    import numpy

    site = root / "site"
    site.mkdir()
    for module, target in (("worker", "_rnncourse_worker"), ("plain", "_rnncourse_plain"),
                           ("source", "_rnncourse_source")):
        shutil.copyfile(_HERE / f"{module}.py", site / f"{target}.py")
    numpy_dir = Path(numpy.__file__).resolve().parent
    for entry in numpy_dir.parent.iterdir():      # numpy and its bundled libraries
        if entry.name == "numpy" or (entry.name.startswith("numpy") and entry.name.endswith(".libs")):
            (site / entry.name).symlink_to(entry, target_is_directory=True)
    package = site / "rnncourse"
    (package / "grading").mkdir(parents=True)
    (package / "__init__.py").write_text(_SHIM_INIT, encoding="utf-8")
    (package / "grading" / "__init__.py").write_text(_SHIM_CHECK, encoding="utf-8")
    for path in learner_module_files(learner_modules):
        shutil.copyfile(path, package / path.name)
    return site


# ---- one worker run -----------------------------------------------------------------

@dataclass
class _Attempt:
    outcome: str = "startup"      # "done" | "timeout" | "died" | "flood" | "channel"
    phase: str = "startup"        # "startup" | "cells" | "exercises"
    cell: int | None = None
    exercise: str | None = None
    returncode: int | None = None
    confinement: dict = field(default_factory=dict)
    cell_errors: dict = field(default_factory=dict)
    results: dict = field(default_factory=dict)
    callables: list = field(default_factory=list)
    flags: list = field(default_factory=list)


def _environment(scratch: Path) -> dict:
    return {
        "PATH": "/usr/bin:/bin", "HOME": str(scratch), "TMPDIR": str(scratch),
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    }


def _describe(attempt: _Attempt, limits: Limits) -> tuple[str, str]:
    """``(kind, sentence)`` for a worker that did not finish."""
    if attempt.outcome == "timeout":
        return "timeout", f"ran for more than {limits.timeout:g} s"
    if attempt.outcome == "flood":
        return "crash", f"sent more than {limits.max_output_mb} MB of results"
    if attempt.outcome == "channel":
        return "crash", "closed the grader's result channel"
    code = attempt.returncode
    if code is None:
        return "crash", "the process ended unexpectedly"
    if code < 0:
        sig = -code
        reasons = {
            signal.SIGSEGV: "crashed Python with a segmentation fault",
            signal.SIGKILL: "was killed (SIGKILL): it killed its own process, or used too much memory",
            signal.SIGXCPU: "used more CPU time than allowed",
            signal.SIGXFSZ: f"wrote a file larger than {limits.file_mb} MB",
            signal.SIGABRT: "aborted the Python process",
        }
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        return "crash", reasons.get(sig, f"killed the Python process (signal {name})")
    return "crash", f"ended the Python process (exit code {code}, e.g. os._exit)"


def _handle(message, attempt: _Attempt, pending: Sequence[str], limits: Limits) -> float | None:
    """Apply one message; return a new deadline when the message starts a timed phase."""
    if not isinstance(message, dict):
        return None
    event = message.get("event")
    now = time.monotonic()
    if event == "ready" and attempt.phase == "startup":
        attempt.phase = "cells"
        attempt.confinement = {k: str(v)[:200] for k, v in message.items() if k != "event"}
        return now + limits.timeout
    if event == "cell" and isinstance(message.get("index"), int):
        attempt.cell = message["index"]
    elif event == "cell_error" and isinstance(message.get("index"), int):
        text = f"{str(message.get('type'))[:100]}: {str(message.get('message'))[:300]}".rstrip(": ")
        where = message.get("where")
        if isinstance(where, str):
            text += f" ({where[:100]})"
        attempt.cell_errors[message["index"]] = text
    elif event == "cells_done" and attempt.phase == "cells":
        attempt.phase = "exercises"
        names = message.get("callables")
        if isinstance(names, list):
            attempt.callables = [str(n)[:100] for n in names[:200]]
    elif event == "exercise" and message.get("name") in pending and attempt.phase == "exercises":
        attempt.exercise = message["name"]
        return now + limits.timeout
    elif event == "result" and message.get("name") == attempt.exercise:
        attempt.results[attempt.exercise] = message
    elif event == "done" and attempt.phase == "exercises":
        flags = message.get("flags")
        if isinstance(flags, list):
            attempt.flags = [str(f)[:300] for f in flags[:50]]
        attempt.outcome = "done"
    return None


def _attempt(site: Path, root: Path, number: int, cells: list, exercises: list,
             limits: Limits) -> _Attempt:
    scratch = root / f"scratch-{number}"
    scratch.mkdir()
    job = {
        "cells": cells,
        "exercises": [{"name": n, "cases": c} for n, c in exercises],
        "limits": {"memory_mb": limits.memory_mb, "file_mb": limits.file_mb,
                   "cpu_seconds": int(limits.timeout * (2 + len(exercises)) + 10)},
    }
    job_path = scratch / "job.json"
    job_path.write_text(json.dumps(job), encoding="utf-8")
    pending = [n for n, _ in exercises]
    attempt = _Attempt()
    read_fd, write_fd = os.pipe()
    with open(root / f"worker-{number}.log", "wb") as log:
        try:
            proc = subprocess.Popen(
                [sys.executable, "-I", "-S", str(site / "_rnncourse_worker.py"), str(job_path),
                 str(write_fd)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                cwd=scratch, env=_environment(scratch), pass_fds=(write_fd,),
                start_new_session=True)
        except OSError as exc:
            os.close(read_fd)
            raise SandboxError(f"cannot start the grading worker: {exc}") from exc
        finally:
            os.close(write_fd)
    selector = selectors.DefaultSelector()
    selector.register(read_fd, selectors.EVENT_READ)
    deadline = time.monotonic() + limits.startup_timeout
    buffer = bytearray()
    received = 0
    try:
        while attempt.outcome != "done":
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                attempt.outcome = "timeout"
                break
            if not selector.select(remaining):
                continue
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                try:  # the channel closed: did the process end, or only close it?
                    proc.wait(timeout=1.0)
                    attempt.outcome = "died"
                except subprocess.TimeoutExpired:
                    attempt.outcome = "channel"
                break
            received += len(chunk)
            if received > limits.max_output_mb * 2**20:
                attempt.outcome = "flood"
                break
            buffer += chunk
            while attempt.outcome != "done":
                end = buffer.find(b"\n")
                if end < 0:
                    break
                line = bytes(buffer[:end])
                del buffer[:end + 1]
                try:
                    message = json.loads(line)
                except (ValueError, RecursionError):
                    continue  # garbage on the channel: whatever it was, it earns nothing
                new_deadline = _handle(message, attempt, pending, limits)
                if new_deadline is not None:
                    deadline = new_deadline
    finally:
        selector.close()
        os.close(read_fd)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
    attempt.returncode = proc.returncode
    if attempt.phase == "startup" and attempt.outcome != "done":
        log_text = (root / f"worker-{number}.log").read_text(errors="replace")[-2000:]
        raise SandboxError(f"the grading worker failed before running any learner code "
                           f"({attempt.outcome}, exit {proc.returncode}):\n{log_text}")
    shutil.rmtree(scratch, ignore_errors=True)
    return attempt


def run(cells: Sequence[str], exercises: Sequence[tuple[str, list]], *,
        learner_modules: Sequence[str] = (), limits: Limits = Limits()) -> SandboxRun:
    """Run the cells, then call each exercise on its cases, restarting after failures.

    Parameters
    ----------
    cells : sequence of str
        Source of the code cells, in notebook order.
    exercises : sequence of (name, list of encoded argument tuples)
        The inputs, as :func:`rnncourse.grading.plain.encode` trees.
    learner_modules : sequence of str
        ``rnncourse`` modules the learner may import.
    limits : Limits

    Returns
    -------
    SandboxRun
        Raw results; :mod:`rnncourse.grading.grade` validates them.

    Raises
    ------
    SandboxError
        When the worker cannot start at all.
    """
    start = time.monotonic()
    inputs = dict(exercises)
    names = [n for n, _ in exercises]
    root = Path(tempfile.mkdtemp(prefix="rnncourse-grade-"))
    results: dict[str, ExerciseRun] = {}
    cell_failures: dict[int, CellFailure] = {}
    skipped: set[int] = set()
    callables: list = []
    flags: list = []
    confinement: dict = {}
    workers = 0
    try:
        site = build_site(root, learner_modules)
        while True:
            pending = [n for n in names if n not in results]
            if not pending:
                break
            workers += 1
            todo = [[i, src] for i, src in enumerate(cells) if i not in skipped]
            attempt = _attempt(site, root, workers, todo, [(n, inputs[n]) for n in pending], limits)
            confinement = attempt.confinement or confinement
            flags.extend(f for f in attempt.flags if f not in flags)
            callables = attempt.callables or callables
            for index, text in attempt.cell_errors.items():
                cell_failures[index] = CellFailure(index, "error", text)
            for name, message in attempt.results.items():
                if "missing" in message:
                    results[name] = ExerciseRun(name, "missing", message=str(message["missing"])[:200])
                elif isinstance(message.get("cases"), list):
                    results[name] = ExerciseRun(name, "returned", cases=message["cases"])
                else:
                    results[name] = ExerciseRun(name, "crash", message="sent no readable result")
            if attempt.outcome == "done":
                for name in pending:
                    results.setdefault(name, ExerciseRun(name, "crash", message="sent no result"))
                break
            kind, sentence = _describe(attempt, limits)
            if attempt.phase == "cells":
                index = attempt.cell if attempt.cell is not None else -1
                cell_failures[index] = CellFailure(index, kind, sentence)
                skipped.add(index)
                if index < 0 or sum(f.kind != "error" for f in cell_failures.values()) \
                        >= limits.max_cell_failures:
                    for name in names:
                        results.setdefault(name, ExerciseRun(
                            name, "lost", message=f"not graded: {limits.max_cell_failures} cells "
                                                  f"of the notebook crashed or ran out of time"))
            else:
                name = attempt.exercise or next(n for n in pending if n not in attempt.results)
                results[name] = ExerciseRun(name, kind, message=sentence)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return SandboxRun(exercises=results, cell_failures=cell_failures, callables=callables,
                      flags=flags, confinement=confinement, workers=workers,
                      seconds=time.monotonic() - start)
