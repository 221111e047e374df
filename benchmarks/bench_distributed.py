"""Grading a class on Dask (``--scheduler local:N``) next to local grading (``--jobs N``).

Run from the repository root (results and the machine are in benchmarks/README.md)::

    .venv/bin/python benchmarks/bench_distributed.py              # 200 submissions
    .venv/bin/python benchmarks/bench_distributed.py --count 40   # quicker

What is timed, in one process, on the same files (half solutions, half untouched
assignments of ``02_forward_propagation``, each in its own student folder, so every file
has its own hidden cases), each into a fresh gradebook:

* **local**: ``grade_batch(paths, jobs=N)``: N threads, each waiting on a sandboxed
  worker process;
* **dask**: ``grade_batch(paths, scheduler="local:N")``: a ``LocalCluster`` of N worker
  processes, each submission one task; the cluster's start-up is timed separately;
* **per-task overhead of Dask**: N trivial tasks' round trip, and the dask batch's wall
  time minus the local one, divided by the number of submissions.

The two gradebooks are compared: the grades must be identical.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rnncourse.grading import grade_batch  # noqa: E402
from tests.fixtures.submissions import build  # noqa: E402

F02 = "02_forward_propagation"


def cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def make_class(folder: Path, count: int) -> list[Path]:
    solution = build.solution(F02)
    untouched = (build.ASSIGNMENTS / f"{F02}.ipynb").read_bytes()
    paths = []
    for k in range(count):
        path = folder / "submitted" / f"s{k:04d}" / f"{F02}.ipynb"
        if k % 2:
            path.parent.mkdir(parents=True)
            path.write_bytes(untouched)
        else:
            build.write(solution, path)
        paths.append(path)
    return paths


def grades(book_path: Path) -> list[str]:
    from rnncourse.grading.gradebook import Gradebook

    book = Gradebook(book_path)
    try:
        return sorted(json.dumps(e.report.to_dict(), sort_keys=True) for e in book.entries())
    finally:
        book.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("RNNCOURSE_GRADING_SECRET", "benchmark")
    n = args.workers
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        paths = make_class(tmp, args.count)
        (tmp / "local").mkdir()
        (tmp / "dask").mkdir()
        start = time.perf_counter()
        grade_batch(paths, jobs=n, gradebook=tmp / "local" / "gb.sqlite", progress=False)
        local = time.perf_counter() - start

        from distributed import Client, LocalCluster

        start = time.perf_counter()
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address="127.0.0.1:0", host="127.0.0.1", silence_logs=50)
        client = Client(cluster)
        startup = time.perf_counter() - start
        trips = []
        for _ in range(20):
            t = time.perf_counter()
            client.gather(client.map(abs, range(n), pure=False))
            trips.append((time.perf_counter() - t) / n)
        start = time.perf_counter()
        grade_batch(paths, gradebook=tmp / "dask" / "gb.sqlite", progress=False,
                    scheduler=cluster.scheduler_address)
        dask = time.perf_counter() - start
        client.close()
        cluster.close()
        same = grades(tmp / "local" / "gb.sqlite") == grades(tmp / "dask" / "gb.sqlite")
    print(f"CPU: {cpu_model()}, {os.cpu_count()} cores; {args.count} submissions, {n} workers")
    print(f"local --jobs {n}:            {local:7.1f} s  ({local / args.count * 1000:6.0f} ms per submission)")
    print(f"dask  --scheduler local:{n}: {dask:7.1f} s  ({dask / args.count * 1000:6.0f} ms per submission)"
          f"  + {startup:.1f} s cluster start")
    print(f"dask / local wall time:      {dask / local:7.2f}")
    print(f"trivial task round trip:     {statistics.median(trips) * 1000:7.1f} ms per task (median of 20)")
    print(f"dask overhead per submission:{(dask - local) / args.count * 1000:7.0f} ms")
    print(f"same grades in both gradebooks: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
