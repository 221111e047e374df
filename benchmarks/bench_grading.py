"""Speed of ``rnncourse grade`` next to nbgrader's ``autograde`` on the same notebook.

Run from the repository root (results and the machine are in benchmarks/README.md)::

    .venv/bin/python benchmarks/bench_grading.py            # full run, a few minutes
    .venv/bin/python benchmarks/bench_grading.py --quick    # 3 repeats, a batch of 10
    .venv/bin/python benchmarks/bench_grading.py --no-nbgrader

What is timed (median of ``--repeat`` runs, ours and nbgrader's alternating so that
load from elsewhere hits both alike; wall clock, and CPU time of the command with every
process it waited for, which is the steadier number on a shared machine):

* **one process per submission** -- ``rnncourse grade SUB --gradebook G`` exactly as an
  instructor types it (interpreter start, imports, sandboxed worker, hidden cases,
  comparison, gradebook transaction, feedback page), against ``nbgrader autograde
  ASSIGNMENT --student S`` (kernel start, execution, grading, its own gradebook).
  Both on the *untouched* assignment, whose exercises raise ``NotImplementedError``
  at once (so the time is pure grading overhead), and on the *solution*, whose
  exercises do their work (the total).
* **the learner's own compute** -- executing the solution's code cells and calling its
  three exercises on the hidden cases in a warm interpreter, no sandbox: subtracted
  from the solution's total, it gives a second estimate of the overhead.
* **in-process API** -- ``grade_submission(path)`` in a warm interpreter: the overhead
  without interpreter start-up, the cost per notebook that a long batch pays.
* **the same without one import** -- ``rnncourse grade`` started with jsonschema's
  optional ``rfc3987_syntax`` module blocked (``sys.modules['rfc3987_syntax'] = None``).
  ``import nbformat`` imports jsonschema, whose format checkers import that module if
  it is installed (jupyterlab's ``jupyter-events`` installs it), and it builds dozens
  of Lark parsers at import time (jsonschema issue #1428); notebook schemas use none of
  them.  A what-if, to show where the one-process time goes.
* **start-up** -- a bare interpreter, ``rnncourse --help`` and ``import nbformat``,
  which explain most of the one-process-per-submission cost.
* **a batch** of ``--batch`` different students' submissions (half solutions, half
  untouched): ``rnncourse grade ... --jobs 2`` against one ``nbgrader autograde
  ASSIGNMENT`` over the same students (nbgrader grades one notebook at a time).

The nbgrader version of the notebook is generated from ``solutions/`` here: answer
cells become nbgrader solution cells, and each ``check(fn)`` cell becomes a locked
autograder test cell worth the exercise's points, which calls the learner's function
on the same number of cases from the same registry and compares every output with the
reference (``np.allclose`` with the exercise's tolerances).  That is the work our
grader does, minus the sandbox, the gradient checks and the feedback.

nbgrader is optional and never a dependency of the course: ``pip install nbgrader``
into the virtual environment to compare; without it only our timings are printed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "02_forward_propagation"
SOLUTION = ROOT / "solutions" / f"{ASSIGNMENT}.ipynb"
UNTOUCHED = ROOT / "assignments" / f"{ASSIGNMENT}.ipynb"
BIN = Path(sys.executable).parent

_CHECK_CELL = re.compile(r"^\s*check\((\w+)\)\s*$")
_TEST_CELL = """\
from rnncourse.grading.exercises import find_exercise as _find_exercise
_, _exercise = _find_exercise({name!r})
for _k in range(_exercise.hidden_cases):
    _got = _exercise.split({name}(*_exercise.make_case(np.random.default_rng(1000 + _k)).args))
    _want = _exercise.split(_exercise.reference(*_exercise.make_case(np.random.default_rng(1000 + _k)).args))
    for _key, _value in _want.items():
        assert np.shape(_got[_key]) == np.shape(_value), _key
        assert np.allclose(_got[_key], _value, rtol=_exercise.rtol, atol=_exercise.atol), _key
"""


# --------------------------------------------------------------------------- helpers
def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"load average {load}; Python {platform.python_version()}, numpy {np.__version__}")


class Timing(NamedTuple):
    wall: float  # seconds on the clock
    cpu: float  # user + system seconds of the command and every process it waited for


def run(command: list[str], cwd: Path) -> Timing:
    """Time ``command``, run as in the activated virtual environment (nbgrader calls
    ``alembic`` from PATH); fail loudly if it fails.

    CPU time is counted too: on a machine shared with other work it is the steadier
    measure, since wall time there depends on what else runs."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"bench_grading: {' '.join(command)} failed ({result.returncode}):\n"
                         f"{result.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu)


def median(values: list) -> float | Timing:
    """The median of numbers, or of each field of Timings."""
    if values and isinstance(values[0], Timing):
        return Timing(*(statistics.median(v) for v in zip(*values)))
    return statistics.median(values)


def place(notebook: Path, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(notebook, path)
    return path


# ----------------------------------------------------------------------- our grader
#: ``rnncourse`` with jsonschema's optional ``rfc3987_syntax`` import blocked: that module
#: compiles dozens of Lark grammars when imported (jsonschema issue #1428), which
#: ``import nbformat`` pays although no notebook schema checks the IRI formats it serves
_WITHOUT_RFC3987_SYNTAX = ("import sys; sys.modules['rfc3987_syntax'] = None; "
                           "from rnncourse.cli import main; sys.exit(main())")


def grade_command(paths: list[Path], gradebook: Path, jobs: int = 1, *,
                  block_rfc3987_syntax: bool = False) -> list[str]:
    start = ["-c", _WITHOUT_RFC3987_SYNTAX] if block_rfc3987_syntax else ["-m", "rnncourse"]
    return [sys.executable, *start, "grade", *map(str, paths),
            "--gradebook", str(gradebook), "--jobs", str(jobs)]


def check_our_scores(gradebook: Path, expected: dict[str, float]) -> None:
    """The timed runs graded what they should: full marks / zero."""
    from rnncourse.grading.gradebook import Gradebook

    with Gradebook(gradebook, create=False) as book:
        for entry in book.entries():
            want = expected[Path(entry.report.submission).parent.name]
            if entry.report.score != want * entry.report.max_score:
                raise SystemExit(f"bench_grading: {entry.report.submission} scored "
                                 f"{entry.report.score}/{entry.report.max_score}")


def learner_compute(repeat: int) -> float:
    """Seconds to run the solution's cells and its exercises on the hidden cases, unsandboxed."""
    from rnncourse.grading.exercises import get_assignment

    nb = nbformat.read(SOLUTION, as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    exercises = get_assignment(ASSIGNMENT).exercises
    times = []
    for _ in range(repeat + 1):
        start = time.perf_counter()
        namespace: dict = {}
        with contextlib.redirect_stdout(io.StringIO()):  # what the cells print
            for source in cells:
                exec(compile(source, "<cell>", "exec"), namespace)  # noqa: S102 - our own solution notebook
                namespace["check"] = lambda fn: None
        for exercise in exercises:
            for k in range(exercise.hidden_cases):
                namespace[exercise.name](*exercise.make_case(np.random.default_rng(k)).args)
        times.append(time.perf_counter() - start)
    return median(times[1:])  # the first run pays the imports


def api_overhead(path: Path, repeat: int) -> float:
    from rnncourse.grading import grade_submission

    grade_submission(path)  # warm-up: imports
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        grade_submission(path)
        times.append(time.perf_counter() - start)
    return median(times)


# ------------------------------------------------------------------------- nbgrader
def nbgrader_available() -> str | None:
    try:
        import nbgrader
    except ImportError:
        return None
    return nbgrader.__version__


def nbgrader_source() -> nbformat.NotebookNode:
    """The solution notebook with nbgrader's cell metadata and autograder tests."""
    from rnncourse.grading.exercises import get_assignment

    points = {e.name: e.points for e in get_assignment(ASSIGNMENT).exercises}
    nb = nbformat.read(SOLUTION, as_version=4)
    nb.metadata.pop("rnncourse", None)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        cell.outputs, cell.execution_count = [], None
        match = _CHECK_CELL.match(cell.source)
        if match:
            name = match.group(1)
            cell.source = _TEST_CELL.format(name=name)
            cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                         "points": points[name], "grade_id": f"test_{name}",
                                         "schema_version": 3}
        elif "### BEGIN SOLUTION" in cell.source:
            cell.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False,
                                         "grade_id": f"answer_{index}", "schema_version": 3}
    return nb


def nbgrader_course(root: Path) -> tuple[Path, Path]:
    """A course folder with the assignment generated; returns (solution, release) notebooks."""
    root.mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.CourseDirectory.course_id = 'rnnbench'\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        "c.ExecutePreprocessor.timeout = 120\n")
    source = root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    source.parent.mkdir(parents=True)
    nbformat.write(nbgrader_source(), source)
    run([str(BIN / "nbgrader"), "generate_assignment", ASSIGNMENT, "--force"], cwd=root)
    return source, root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def nbgrader_submit(root: Path, student: str, notebook: Path) -> None:
    place(notebook, root / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")


def autograde_command(student: str | None = None) -> list[str]:
    command = [str(BIN / "nbgrader"), "autograde", ASSIGNMENT, "--force"]
    return command + ([f"--student={student}"] if student else [])


def check_nbgrader_scores(root: Path, expected: dict[str, float]) -> None:
    from nbgrader.api import Gradebook as NbGradebook

    with NbGradebook(f"sqlite:///{root / 'gradebook.db'}") as book:
        for student, fraction in expected.items():
            submission = book.find_submission(ASSIGNMENT, student)
            if submission.score != fraction * submission.max_score:
                raise SystemExit(f"bench_grading: nbgrader gave {student} "
                                 f"{submission.score}/{submission.max_score}")


# ----------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per timing (median reported)")
    parser.add_argument("--batch", type=int, default=40, help="submissions in the batch")
    parser.add_argument("--jobs", type=int, default=2, help="--jobs of the batch")
    parser.add_argument("--quick", action="store_true", help="3 repeats and a batch of 10")
    parser.add_argument("--no-nbgrader", action="store_true", help="time our grader only")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat, args.batch = 3, 10
    nbgrader = None if args.no_nbgrader else nbgrader_available()

    print(f"machine: {machine()}")
    print(f"nbgrader: {nbgrader or 'not compared'}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}\n")
    work = Path(tempfile.mkdtemp(prefix="bench_grading_"))
    try:
        return _bench(work, args, nbgrader)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _bench(work: Path, args, nbgrader: str | None) -> int:
    ours = work / "ours"
    kinds = {"untouched": (UNTOUCHED, 0.0), "solution": (SOLUTION, 1.0)}
    if nbgrader:
        nb_single = work / "nbgrader-single"
        nb_source, nb_release = nbgrader_course(nb_single)
        nb_notebooks = {"untouched": nb_release, "solution": nb_source}

    # one process per submission, alternating ours and nbgrader's
    single: dict[tuple[str, str], list[float]] = {}
    for k in range(args.repeat):
        for kind, (notebook, fraction) in kinds.items():
            student = f"{kind}{k:02d}"
            path = place(notebook, ours / student / f"{ASSIGNMENT}.ipynb")
            gradebook = ours / f"single-{student}.db"
            single.setdefault(("ours", kind), []).append(run(grade_command([path], gradebook), cwd=ours))
            check_our_scores(gradebook, {student: fraction})
            gradebook = ours / f"single-{student}-blocked.db"
            single.setdefault(("blocked", kind), []).append(
                run(grade_command([path], gradebook, block_rfc3987_syntax=True), cwd=ours))
            check_our_scores(gradebook, {student: fraction})
            if nbgrader:
                nbgrader_submit(nb_single, student, nb_notebooks[kind])
                single.setdefault(("nbgrader", kind), []).append(
                    run(autograde_command(student), cwd=nb_single))
    if nbgrader:
        check_nbgrader_scores(nb_single, {f"{kind}{k:02d}": fraction for kind, (_, fraction) in kinds.items()
                                          for k in range(args.repeat)})

    compute = learner_compute(args.repeat)
    api = {kind: api_overhead(ours / f"{kind}00" / f"{ASSIGNMENT}.ipynb", args.repeat) for kind in kinds}

    # the batch: half solutions, half untouched, different students
    batch_kinds = {f"student{i:02d}": ("solution" if i % 2 == 0 else "untouched") for i in range(args.batch)}
    paths = [place(kinds[kind][0], ours / "batch" / s / f"{ASSIGNMENT}.ipynb") for s, kind in batch_kinds.items()]
    batch_ours = run(grade_command(paths, ours / "batch.db", jobs=args.jobs), cwd=ours)
    check_our_scores(ours / "batch.db", {s: kinds[k][1] for s, k in batch_kinds.items()})
    if nbgrader:
        nb_batch = work / "nbgrader-batch"
        nb_batch_source, nb_batch_release = nbgrader_course(nb_batch)
        for student, kind in batch_kinds.items():
            nbgrader_submit(nb_batch, student, nb_batch_source if kind == "solution" else nb_batch_release)
        batch_nbgrader = run(autograde_command(), cwd=nb_batch)
        check_nbgrader_scores(nb_batch, {s: kinds[k][1] for s, k in batch_kinds.items()})

    # start-up cost, to explain the per-process numbers
    startup = median([run([sys.executable, "-m", "rnncourse", "--help"], cwd=work) for _ in range(args.repeat)])
    nbformat_import = median([run([sys.executable, "-c", "import nbformat"], cwd=work)
                              for _ in range(args.repeat)])
    bare = median([run([sys.executable, "-c", "pass"], cwd=work) for _ in range(args.repeat)])

    # ---- report
    def pair(t: Timing) -> str:
        return f"{t.wall:7.3f} {t.cpu:7.3f}"

    results = {"machine": machine(), "nbgrader": nbgrader, "repeat": args.repeat, "batch_size": args.batch,
               "jobs": args.jobs, "learner_compute_s": compute, "api_s": api,
               "startup": {"python": bare._asdict(), "rnncourse --help": startup._asdict(),
                           "import nbformat": nbformat_import._asdict()}}
    print(f"one process per submission, median of {args.repeat} (seconds: wall, CPU)")
    print(f"  {'notebook':<11}{'rnncourse grade':>17}{'nbgrader autograde':>19}   ratio wall, CPU")
    ratios = {}
    for kind in kinds:
        mine = median(single[("ours", kind)])
        results[f"single_{kind}"] = mine._asdict()
        line = f"  {kind:<11}   {pair(mine)}"
        if nbgrader:
            theirs = median(single[("nbgrader", kind)])
            results[f"single_{kind}_nbgrader"] = theirs._asdict()
            ratios[kind] = Timing(mine.wall / theirs.wall, mine.cpu / theirs.cpu)
            line += f"   {pair(theirs)}   {ratios[kind].wall:.2f}, {ratios[kind].cpu:.2f}"
        print(line)
    print("  same, with jsonschema's rfc3987_syntax import blocked (a what-if, see the docstring):")
    for kind in kinds:
        blocked = median(single[("blocked", kind)])
        results[f"single_{kind}_rfc3987_syntax_blocked"] = blocked._asdict()
        line = f"  {kind:<11}   {pair(blocked)}"
        if nbgrader:
            theirs = median(single[("nbgrader", kind)])
            line += f"{'':20}   {blocked.wall / theirs.wall:.2f}, {blocked.cpu / theirs.cpu:.2f}"
        print(line)
    overhead = median(single[("ours", "untouched")])
    solution = median(single[("ours", "solution")])
    print(f"\nlearner's own compute (solution cells + exercises, warm, unsandboxed): {compute:.3f} s")
    print(f"overhead, one process per submission: untouched {overhead.wall:.3f} s wall "
          f"({overhead.cpu:.3f} s CPU); solution minus learner compute {solution.wall - compute:.3f} s wall")
    print(f"overhead, in-process grade_submission (warm): untouched {api['untouched']:.3f} s, "
          f"solution {api['solution']:.3f} s")
    print(f"start-up alone (wall, CPU): python {pair(bare)}; rnncourse --help {pair(startup)}; "
          f"python -c 'import nbformat' {pair(nbformat_import)}")

    per_ours = Timing(batch_ours.wall / args.batch, batch_ours.cpu / args.batch)
    print(f"\nbatch of {args.batch} (half solutions, half untouched), per submission (wall, CPU)")
    print(f"  rnncourse grade --jobs {args.jobs}:     {pair(per_ours)}   (whole batch {batch_ours.wall:.2f} s)")
    results.update(batch=batch_ours._asdict(), batch_per_submission=per_ours._asdict())
    if nbgrader:
        per_nb = Timing(batch_nbgrader.wall / args.batch, batch_nbgrader.cpu / args.batch)
        print(f"  nbgrader autograde, one process: {pair(per_nb)}   (whole batch {batch_nbgrader.wall:.2f} s)")
        print(f"  ratio rnncourse / nbgrader: wall {per_ours.wall / per_nb.wall:.2f}, "
              f"CPU {per_ours.cpu / per_nb.cpu:.2f}")
        results.update(batch_nbgrader=batch_nbgrader._asdict(),
                       batch_nbgrader_per_submission=per_nb._asdict())

    print("\ntargets")
    print(f"  median overhead per submission under 1 s: one process {overhead.wall:.3f} s -> "
          f"{'met' if overhead.wall < 1 else 'MISSED'}; in a batch {per_ours.wall:.3f} s -> "
          f"{'met' if per_ours.wall < 1 else 'MISSED'}")
    if nbgrader:
        print(f"  at most half of nbgrader's time per submission: one process, wall ratio "
              f"{ratios['solution'].wall:.2f} -> {'met' if ratios['solution'].wall <= 0.5 else 'MISSED'}; "
              f"in a batch {per_ours.wall / per_nb.wall:.2f} -> "
              f"{'met' if per_ours.wall / per_nb.wall <= 0.5 else 'MISSED'}")
    print("\n" + json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
