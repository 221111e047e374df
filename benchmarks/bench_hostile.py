"""The grader's worst case: a batch in which a quarter of the submissions are hostile.

Run from the repository root (results and the machine are in benchmarks/README.md)::

    .venv/bin/python benchmarks/bench_hostile.py              # 40 files, 10 hostile, --jobs 2
    .venv/bin/python benchmarks/bench_hostile.py --quick      # 12 files, 4 hostile

The honest submissions are solutions of lessons 02 and 03 (a different student each);
the hostile ones loop forever (in a cell, in an exercise), flood their output, try a fork
bomb, allocate without end, send a 60 MB line of nested lists on the grader's channel,
replay forged messages to re-arm the deadline, hide 5000 spaces on a line, leave a
folder 1000 deep, or crash with ``os._exit``.  The batch is graded with
``grade_batch(..., jobs=2)`` in this process.  Printed:

* wall time of the batch and of each submission (hostile ones against their budget,
  ``Limits.budget``);
* the grader's peak resident memory (``ru_maxrss`` of this process: the workers are
  child processes, with their own limits);
* the median grading time of the honest submissions in the batch, next to the same
  submissions graded alone one after the other (ratio batch / alone; with 2 jobs on 2
  cores the ratio cannot be below 1: the point is that hostile neighbours add nothing
  beyond sharing the CPU);
* a verdict per goal of issue 9: every file has a report, no hostile submission went
  over its budget, every honest one got full marks and the same grade as alone, grader
  memory under 300 MB.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rnncourse.grading import grade as grade_module  # noqa: E402
from rnncourse.grading import grade_batch, grade_submission  # noqa: E402
from rnncourse.grading.exercises import get_assignment  # noqa: E402
from rnncourse.grading import sandbox  # noqa: E402
from rnncourse.grading.sandbox import Limits  # noqa: E402
from tests.fixtures.submissions import build  # noqa: E402

F02, F03 = "02_forward_propagation", "03_backprop_through_time"
SEQ = build.EXERCISES[F02][1]
SEED = 20261203

HOSTILE = {
    "loop_in_cell": lambda nb: build.insert(nb, 1, "while True:\n    pass\n"),
    "loop_in_exercise": lambda nb: build.swap(nb, SEQ, "def rnn_forward(x, a0, params):\n"
                                                       "    while True:\n        pass\n"),
    "output_flood": lambda nb: build.insert(nb, 1, "import os\nblock = b'x' * 10**7\n"
                                                   "for _ in range(50):\n    os.write(1, block)\n"
                                                   "    print(block)\n"),
    "fork_bomb": lambda nb: build.insert(nb, 1, "import os, ctypes\nlibc = ctypes.CDLL(None)\n"
                                                "for _ in range(1000):\n    libc.fork()\n"
                                                "    try:\n        os.fork()\n"
                                                "    except OSError:\n        pass\n"),
    "memory_bomb": lambda nb: build.insert(nb, 1, "keep = []\nwhile True:\n"
                                                  "    keep.append(bytearray(10**7))\n"),
    "sixty_mb_line": lambda nb: build.insert(nb, 1, "import os, sys\nfd = int(sys.argv[2])\n"
                                                    "os.write(fd, b'[' + b'[],' * (20 * 2**20) + b'[]]')\n"
                                                    "os.write(fd, b'\\n')\n"),
    "rearm_deadline": lambda nb: build.swap(nb, SEQ, "import os, sys, time\n"
                                                     "def rnn_forward(x, a0, params):\n"
                                                     "    while True:\n"
                                                     "        os.write(int(sys.argv[2]), b'{\"event\": "
                                                     "\"exercise\", \"name\": \"rnn_forward\"}\\n')\n"
                                                     "        time.sleep(0.05)\n"),
    "five_thousand_spaces": lambda nb: build.insert(nb, 1, "x = 1\n" + " " * 5000 + "\ny = 2\n"),
    "deep_folder": lambda nb: build.insert(nb, 1, "import os\nfor _ in range(1000):\n"
                                                  "    os.mkdir('d')\n    os.chdir('d')\n"),
    "os_exit_everywhere": lambda nb: build.insert(nb, 1, "import os\nos._exit(1)\n"),
}


def make_batch(root: Path, n: int, n_hostile: int) -> tuple[list[str], set[str]]:
    paths, hostile = [], set()
    kinds = list(HOSTILE)
    for i in range(n):
        assignment = F02 if i % 2 == 0 else F03
        nb = build.solution(assignment)
        if i % (n // n_hostile) == 0 and len(hostile) < n_hostile:
            kind = kinds[len(hostile) % len(kinds)]
            nb = HOSTILE[kind](build.solution(F02))
            assignment = F02
            name = f"h{len(hostile):02d}_{kind}"
        else:
            name = f"s{i:02d}"
        path = str(build.write(nb, root / "submitted" / name / f"{assignment}.ipynb"))
        paths.append(path)
        if name.startswith("h"):
            hostile.add(path)
    return paths, hostile


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()
    n, n_hostile = (12, 4) if args.quick else (40, 10)
    cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = next((line.split(":", 1)[1].strip() for line in cpu.splitlines()
                  if line.startswith("Model name")), platform.processor())
    print(f"CPU: {model}, {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    times: dict[str, float] = {}
    real = grade_module._grade

    def timed(path, **kw):
        start = time.monotonic()
        try:
            return real(path, **kw)
        finally:
            times[path] = time.monotonic() - start

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths, hostile = make_batch(root, n, n_hostile)
        honest = [p for p in paths if p not in hostile]
        items = []
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        grade_module._grade = timed
        start = time.monotonic()
        try:
            reports = grade_batch(paths, jobs=args.jobs, gradebook=root / "grades.db",
                                  progress=False, timeout=args.timeout, seed=SEED,
                                  on_item=items.append)
        finally:
            grade_module._grade = real
        wall = time.monotonic() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        in_batch = {p: times[p] for p in honest}
        by_path = {r.submission: r for r in reports}
        alone, same = {}, True
        for p in honest:
            t = time.monotonic()
            r = grade_submission(p, timeout=args.timeout, seed=SEED)
            alone[p] = time.monotonic() - t
            same &= r.exercises == by_path[p].exercises and r.score == r.max_score

    limits = Limits(timeout=args.timeout)
    print(f"\nbatch of {n} ({n_hostile} hostile), --jobs {args.jobs}, timeout {args.timeout:g} s: "
          f"{wall:.1f} s wall, {wall / n:.2f} s per submission")
    print(f"grader peak RSS: {peak:.0f} MB (before the batch {rss_before:.0f} MB)")
    print(f"\n{'hostile submission':<34} {'seconds':>8} {'budget':>7}  score")
    over = []
    for p in sorted(hostile):
        asg = get_assignment(F02)
        budget = limits.budget(len(asg.exercises),
                               len(sandbox.stages([e.name for e in asg.exercises], asg.injections)))
        r = by_path.get(p)
        print(f"{Path(p).parent.name:<34} {times[p]:>8.1f} {budget:>7.0f}  "
              f"{r.score:g}/{r.max_score:g}" if r else "  no report")
        if times[p] > budget:
            over.append(p)
    med_batch, med_alone = statistics.median(in_batch.values()), statistics.median(alone.values())
    print(f"\nhonest submissions ({len(honest)}): median {med_batch:.2f} s in the batch, "
          f"{med_alone:.2f} s alone (ratio {med_batch / med_alone:.2f}); "
          f"slowest in the batch {max(in_batch.values()):.2f} s")
    verdicts = {
        "every file has a report": len(reports) == n and not any(i.error for i in items),
        "no hostile submission over its budget": not over,
        "honest ones full marks, same grade as alone": same,
        "grader peak memory under 300 MB": peak < 300,
    }
    for goal, ok in verdicts.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {goal}")
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
