"""Grading on Dask (``--scheduler``): the same gradebook as local grading, one writer,
workers that die mid-batch lose nothing, and Dask is never imported without the flag.

The cluster is a ``LocalCluster`` of two worker processes on loopback, started once for
the module.  Skipped with a message when the ``distributed`` extra is not installed.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest

from rnncourse.grading import grade_batch
from rnncourse.grading.distributed import parse_scheduler

from ..fixtures.submissions import build

F02, F03 = "02_forward_propagation", "03_backprop_through_time"
CELL, SEQ, LOSS = build.EXERCISES[F02]
pytestmark = pytest.mark.skipif(not (build.SOLUTIONS / f"{F02}.ipynb").exists(),
                                reason="solution notebooks not present")
TIMEOUT = 8.0


def _dask():
    try:
        import distributed  # noqa: F401
    except ImportError:
        pytest.skip("the 'distributed' extra is not installed: pip install 'rnncourse[distributed]'")


def _class(root):
    """A small class: right, wrong, untouched, broken and slow files of two assignments."""
    paths = []
    for student in ("ada", "bob"):
        paths.append(build.write(build.solution(F02), root / student / f"{F02}.ipynb"))
    wrong = build.swap(build.solution(F02), LOSS,
                       "import numpy as np\ndef bce_step_loss(y_hat_t, y_t):\n"
                       "    return np.zeros(y_t.shape)\n")
    paths.append(build.write(wrong, root / "cyd" / f"{F02}.ipynb"))
    paths.append(build.write(build.solution(F03), root / "ada" / f"{F03}.ipynb"))
    untouched = build.ASSIGNMENTS / f"{F03}.ipynb"
    (root / "dee").mkdir(parents=True)
    (root / "dee" / f"{F03}.ipynb").write_bytes(untouched.read_bytes())
    paths.append(root / "dee" / f"{F03}.ipynb")
    (root / "eve").mkdir()
    (root / "eve" / f"{F02}.ipynb").write_text("{ not json", encoding="utf-8")
    paths.append(root / "eve" / f"{F02}.ipynb")
    looping = build.insert(build.solution(F02), 1, "while True:\n    pass\n")
    paths.append(build.write(looping, root / "fay" / f"{F02}.ipynb"))
    return paths


def _rows(gradebook):
    """What the gradebook says: every grading (report, digest, submission time, which
    counts and why), read through its API; only when it was graded may differ."""
    from rnncourse.grading.gradebook import Gradebook

    book = Gradebook(gradebook)
    try:
        return sorted(json.dumps({"report": e.report.to_dict(), "digest": e.digest,
                                  "submitted_at": e.submitted_at, "current": e.current,
                                  "why": e.why, "late": e.late_seconds, "penalty": e.penalty},
                                 sort_keys=True)
                      for e in book.entries(include_superseded=True))
    finally:
        book.close()


@pytest.fixture(scope="module")
def cluster():
    _dask()
    from distributed import Client, LocalCluster
    import dask

    from rnncourse.grading.distributed import spawnable_main

    spawnable_main()
    with dask.config.set({"distributed.scheduler.allowed-failures": 2}):
        lc = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address="127.0.0.1:0", host="127.0.0.1", silence_logs=50)
    client = Client(lc)
    yield lc, client
    client.close()
    lc.close()


def test_parse_scheduler_accepts_the_documented_forms_and_names_the_rest():
    assert parse_scheduler("local:3") == ("local", 3)
    assert parse_scheduler("tcp://10.0.0.1:8786") == ("address", "tcp://10.0.0.1:8786")
    for bad, phrase in [("local:0", "N >= 1"), ("local:x", "local:N"), ("10.0.0.1:8786", "tcp://"),
                        ("", "tcp://HOST:PORT")]:
        with pytest.raises(ValueError, match="--scheduler") as info:
            parse_scheduler(bad)
        assert phrase in str(info.value)


def test_without_the_flag_nothing_imports_dask(tmp_path):
    path = build.write(build.solution(F02), tmp_path / "ada" / f"{F02}.ipynb")
    code = ("import sys\nfrom rnncourse.grading import grade_batch\n"
            f"grade_batch([{str(path)!r}], gradebook={str(tmp_path / 'gb.sqlite')!r}, progress=False)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_a_malformed_scheduler_fails_before_grading_anything(tmp_path):
    path = build.write(build.solution(F02), tmp_path / "ada" / f"{F02}.ipynb")
    with pytest.raises(ValueError, match="--scheduler"):
        grade_batch([path], gradebook=tmp_path / "gb.sqlite", progress=False, scheduler="nowhere")
    assert not (tmp_path / "gb.sqlite").exists() or _rows(tmp_path / "gb.sqlite")


def test_dask_gradebook_equals_the_local_one(tmp_path, cluster, monkeypatch):
    monkeypatch.setenv("RNNCOURSE_GRADING_SECRET", "same secret on every worker")
    lc, _client = cluster
    monkeypatch.chdir(tmp_path)   # relative paths: a worker's current folder is not ours
    paths = [p.relative_to(tmp_path) for p in _class(tmp_path / "submitted")]
    (tmp_path / "local").mkdir()
    (tmp_path / "dask").mkdir()
    local = grade_batch(paths, jobs=2, gradebook=tmp_path / "local" / "gb.sqlite",
                        progress=False, timeout=TIMEOUT)
    # the workers were started without the secret: the client sends its own
    dask = grade_batch(paths, gradebook=tmp_path / "dask" / "gb.sqlite", progress=False,
                       timeout=TIMEOUT, scheduler=lc.scheduler_address)
    assert [r.to_dict() for r in dask] == [r.to_dict() for r in local]
    assert _rows(tmp_path / "dask" / "gb.sqlite") == _rows(tmp_path / "local" / "gb.sqlite")
    scores = {(r.student, r.assignment): r.score for r in dask}
    assert scores[("ada", F02)] == scores[("bob", F02)] > scores[("cyd", F02)] > 0
    assert scores[("dee", F03)] == scores[("eve", F02)] == 0
    pages = {}
    for kind in ("local", "dask"):
        pages[kind] = {p.relative_to(tmp_path / kind): re.sub(  # when graded: differs
                           r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?( UTC|Z)?", "<when>",
                           p.read_text(encoding="utf-8"))
                       for p in (tmp_path / kind).rglob("*")
                       if p.is_file() and "sqlite" not in p.name}
    assert pages["dask"] and pages["dask"] == pages["local"]
    # rerun: everything recorded is skipped, nothing is graded again
    seen = []
    again = grade_batch(paths, gradebook=tmp_path / "dask" / "gb.sqlite", progress=False,
                        timeout=TIMEOUT, scheduler=lc.scheduler_address, on_item=seen.append)
    assert again == [] and all(item.skipped for item in seen) and len(seen) == len(paths)


def _children(pid: int) -> list[int]:
    """The sandbox workers that ``pid`` started."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if fields[1] == str(pid):
                    with open(f"/proc/{entry}/cmdline", "rb") as f:
                        if b"_rnncourse_worker" in f.read():
                            out.append(int(entry))
            except OSError:
                continue
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _kill_worker_running(client, wanted: str, times: int, stop: threading.Event, killed: list,
                         orphans: list):
    """SIGKILL the Dask worker whose current task grades ``wanted``, ``times`` times, once
    that task has started its sandbox worker; the sandbox workers still alive a second
    after the kill go to ``orphans``."""
    seen: dict[int, float] = {}
    while len(killed) < times and not stop.is_set():
        try:
            pids = client.run(os.getpid)
            running = client.run(lambda dask_worker: [
                str(ts.run_spec.args[0]) if getattr(ts, "run_spec", None) else ""
                for ts in dask_worker.state.tasks.values() if ts.state == "executing"])
        except Exception:
            time.sleep(0.05)
            continue
        for address, tasks in running.items():
            if any(wanted in path for path in tasks) and address in pids:
                started = _children(pids[address])
                for pid in started:
                    seen.setdefault(pid, time.monotonic())
                # kill once the sandbox worker is well into the sleeping cell (a worker
                # still starting up would die anyway, writing to its closed channel)
                if not started or time.monotonic() - seen[started[0]] < 2.0:
                    break
                os.kill(pids[address], signal.SIGKILL)
                killed.append(pids[address])
                time.sleep(1.0)  # the sandbox worker sleeps for seconds yet
                orphans.extend(pid for pid in started if _alive(pid))
                break
        time.sleep(0.05)


def _slow(root, student, seconds=7):
    """A correct notebook whose first cell sleeps: long enough to be killed during it."""
    nb = build.insert(build.solution(F02), 1, f"import time\ntime.sleep({seconds})\n")
    return build.write(nb, root / student / f"{F02}.ipynb")


def _correct(root, students) -> list:
    """A correct notebook of assignment 02 for each of ``students``."""
    return [build.write(build.solution(F02), root / student / f"{F02}.ipynb") for student in students]


def _grade_while_killing(paths, kills: int, timeout: float, workers: int = 2,
                         window: int | None = None, scheduler: str | None = None):
    """Grade ``paths`` on a fresh ``local:<workers>`` pool (or on ``scheduler``) while the
    worker grading the first file ("zed") is SIGKILLed ``kills`` times;
    ``(outcomes by path, killed, orphans)``."""
    from distributed import Client

    from rnncourse.grading.distributed import DaskPool

    with DaskPool(scheduler or f"local:{workers}", window=window) as pool:
        client = Client(pool.client.scheduler.address)
        stop, killed, orphans = threading.Event(), [], []
        killer = threading.Thread(target=_kill_worker_running,
                                  args=(client, "zed", kills, stop, killed, orphans), daemon=True)
        killer.start()
        try:
            out = dict(pool.run([str(p) for p in paths],
                                lambda p: dict(assignment=None, timeout=timeout,
                                               memory_mb=1024, seed=None)))
        finally:
            stop.set()
            killer.join(10)
            client.close()
    return out, killed, orphans


def test_a_worker_killed_mid_task_loses_nothing(tmp_path, monkeypatch):
    _dask()
    monkeypatch.setenv("RNNCOURSE_GRADING_SECRET", "k")
    paths = [_slow(tmp_path / "submitted", "zed")] + _class(tmp_path / "submitted")[:4]
    out, killed, orphans = _grade_while_killing(paths, 1, TIMEOUT)
    assert len(killed) == 1, ("the test did not manage to kill the worker mid-task", out)
    assert set(out) == {str(p) for p in paths}
    report, _ = out[str(paths[0])]
    assert report.student == "zed" and report.score == report.max_score
    assert all(not isinstance(o, str) for o in out.values()), [o for o in out.values() if isinstance(o, str)]
    # the sandboxed worker died with its Dask worker (PR_SET_PDEATHSIG), not orphaned
    assert not orphans, f"sandbox workers {orphans} outlived their Dask worker by a second"


def test_a_submission_whose_worker_dies_three_times_is_an_error_for_it_only(tmp_path, monkeypatch):
    _dask()
    monkeypatch.setenv("RNNCOURSE_GRADING_SECRET", "k")
    # it sleeps longer than the test lasts: only the kills can end it
    # one worker and two tasks in flight, so one waits behind zed where no other worker
    # can steal it: Dask charges a death to every task assigned to the dying worker, and
    # failed the waiting one with zed (KilledWorker) until the client counted the starts
    root = tmp_path / "submitted"
    paths = [_slow(root, "zed", seconds=60)] + _correct(root, ("ada", "bob"))
    out, killed, _ = _grade_while_killing(paths, 3, 90, workers=1, window=2)
    assert len(killed) == 3, (killed, out)
    assert isinstance(out[str(paths[0])], str) and "died 3 times" in out[str(paths[0])]
    for p in paths[1:]:
        assert not isinstance(out[str(p)], str), out[str(p)]
        report, _ = out[str(p)]
        assert report.score == report.max_score, out


def test_the_death_count_is_the_clients_whatever_the_schedulers_allowed_failures(tmp_path,
                                                                                 monkeypatch):
    # a remote scheduler that fails a task at its first death (allowed-failures 0): the
    # client submits zed again until it ran in 3 dying workers, and the files queued
    # behind it are graded
    _dask()
    monkeypatch.setenv("RNNCOURSE_GRADING_SECRET", "k")
    import dask
    from distributed import LocalCluster

    from rnncourse.grading.distributed import spawnable_main

    root = tmp_path / "submitted"
    paths = [_slow(root, "zed", seconds=60)] + _correct(root, ("ada", "bob"))
    spawnable_main()
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        lc = LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                          dashboard_address="127.0.0.1:0", host="127.0.0.1", silence_logs=50)
    try:
        out, killed, _ = _grade_while_killing(paths, 3, 90, window=2, scheduler=lc.scheduler_address)
    finally:
        lc.close()
    assert len(killed) == 3, (killed, out)
    assert isinstance(out[str(paths[0])], str) and "died 3 times" in out[str(paths[0])], out
    for p in paths[1:]:
        assert not isinstance(out[str(p)], str), out[str(p)]
        assert out[str(p)][0].score == out[str(p)][0].max_score


def test_cli_grades_on_a_local_cluster(tmp_path, monkeypatch):
    _dask()
    monkeypatch.setenv("RNNCOURSE_GRADING_SECRET", "k")
    paths = _class(tmp_path / "submitted")[:3]
    out = subprocess.run([sys.executable, "-m", "rnncourse", "grade", *map(str, paths), "--json",
                          "--scheduler", "local:2", "--gradebook", str(tmp_path / "gb.sqlite")],
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    reports = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert sorted(r["student"] for r in reports) == ["ada", "bob", "cyd"]
    bad = subprocess.run([sys.executable, "-m", "rnncourse", "grade", str(paths[0]),
                          "--scheduler", "local:0"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "local:N needs N >= 1" in bad.stderr


def test_a_local_cluster_starts_even_when_main_has_no_spec(monkeypatch):
    # an embedded IPython shell (or a test runner) may replace __main__ by an object
    # without __spec__; multiprocessing's spawn then cannot start the workers
    _dask()

    class DummyMain:
        pass

    monkeypatch.setitem(sys.modules, "__main__", DummyMain())
    from rnncourse.grading.distributed import DaskPool

    with DaskPool("local:1") as pool:
        assert pool.client.submit(abs, -3).result(timeout=60) == 3


def test_the_death_message_says_how_often_the_file_ran_and_waited():
    from rnncourse.grading.distributed import _died_message

    exc = RuntimeError("boom")
    assert _died_message("a.ipynb", 3, 3, exc).startswith(
        "a.ipynb: the Dask worker grading it died 3 times; not graded (RuntimeError: boom)")
    assert "died 1 time (and 2 more while it waited to run)" in _died_message("a", 1, 3, exc)
    assert ("the Dask workers it waited on died 4 times before it could run"
            in _died_message("a", 0, 4, exc))
