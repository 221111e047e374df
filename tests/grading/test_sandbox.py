"""Execute stage: the worker's path, environment and confinement; restarts."""

import os
import sys

import pytest

from rnncourse.grading import plain
from rnncourse.grading.exercises import all_assignments
from rnncourse.grading.sandbox import Limits, build_site, learner_module_files, run

LIMITS = Limits(timeout=5.0, memory_mb=512)


def call(cells, names, **kw):
    """Run ``cells`` and call each function in ``names`` once without arguments."""
    return run(cells, [(n, [plain.encode(())]) for n in names], limits=kw.pop("limits", LIMITS), **kw)


def value(result, name):
    case = result.exercises[name].cases[0]
    assert case["status"] == "returned", case
    return plain.decode(case["value"])


def test_learner_package_holds_no_reference_implementation(tmp_path):
    for a in all_assignments():
        references = {ex.reference.__module__.split(".")[-1] for ex in a.exercises}
        shipped = {p.stem for p in learner_module_files(a.learner_modules)}
        assert not shipped & references, (a.name, shipped & references)
    site = build_site(tmp_path, ("activations", "gradcheck"))
    assert sorted(p.name for p in (site / "rnncourse").iterdir()) == [
        "__init__.py", "_validate.py", "activations.py", "gradcheck.py", "grading"]


def test_path_environment_and_scratch_folder():
    cells = ["import os, sys\n"
             "def probe():\n"
             "    return [sys.flags.isolated, sys.flags.no_site, os.getcwd() == os.environ['HOME'],\n"
             "            sorted(os.environ), sys.stdin.read(), any('site-packages' in p for p in sys.path)]\n"]
    got = value(call(cells, ["probe"]), "probe")
    assert got[:3] == [1, 1, True]
    assert got[3] == sorted(["HOME", "LANG", "LC_ALL", "MKL_NUM_THREADS", "OMP_NUM_THREADS",
                             "OPENBLAS_NUM_THREADS", "PATH", "TMPDIR"])
    assert got[4] == "" and got[5] is False


def test_allowed_imports_work_and_the_reference_does_not():
    cells = ["from rnncourse.activations import softmax\nfrom rnncourse.grading import check\n"
             "import numpy as np\n"
             "def ok():\n    return float(softmax(np.zeros((2, 1))).sum()), check(ok)\n"
             "import rnncourse.rnn\n"   # a stand-in: importing is harmless, using it is not
             "def ref():\n    return rnncourse.rnn.rnn_forward()\n"]
    result = run(cells, [("ok", [plain.encode(())]), ("ref", [plain.encode(())])],
                 learner_modules=("activations",), limits=LIMITS)
    assert value(result, "ok") == (1.0, None)
    refused = result.exercises["ref"].cases[0]
    assert refused["type"] == "NotAvailableWhileGrading", refused
    assert "rnncourse.rnn.rnn_forward is not available while grading" in refused["message"]
    assert "allows only rnncourse.activations" in refused["message"]


@pytest.mark.skipif(sys.platform != "linux", reason="Landlock is Linux only")
def test_files_outside_the_sandbox_cannot_be_read_or_written(tmp_path):
    from rnncourse.grading import worker
    if worker._landlock_abi() < 1:
        pytest.skip("Landlock not available on this kernel")
    secret = tmp_path / "secret.txt"
    secret.write_text("answers")
    cells = [f"def peek():\n    return open({str(secret)!r}).read()\n"
             f"def scribble():\n    open({str(tmp_path / 'new.txt')!r}, 'w').write('x')\n"
             "def own():\n    open('mine.txt', 'w').write('ok')\n    return open('mine.txt').read()\n"]
    result = call(cells, ["peek", "scribble", "own"])
    assert result.exercises["peek"].cases[0]["type"] == "PermissionError"
    assert result.exercises["scribble"].cases[0]["type"] == "PermissionError"
    assert value(result, "own") == "ok"
    assert not (tmp_path / "new.txt").exists()
    assert result.confinement["landlock"].startswith("landlock ABI")
    assert any(str(secret) in flag for flag in result.flags)


def test_files_are_limited_in_size_and_in_number():
    # RLIMIT_FSIZE from Limits.file_mb, and RLIMIT_NOFILE (64 descriptors)
    cells = ["def big():\n    with open('big.bin', 'wb') as f:\n        f.write(b'0' * (2 * 2**20))\n",
             "def small():\n    with open('small.bin', 'wb') as f:\n        return f.write(b'0' * 2**19)\n",
             "def many():\n    return [open(f'f{i}.txt', 'w') for i in range(100)]\n"]
    result = call(cells, ["big", "small", "many"],
                  limits=Limits(timeout=5.0, memory_mb=512, file_mb=1))
    big, many = result.exercises["big"].cases[0], result.exercises["many"].cases[0]
    assert (big["type"], big["message"]) == ("OSError", "[Errno 27] File too large"), big
    assert value(result, "small") == 2**19
    assert many["type"] == "OSError" and "Too many open files" in many["message"], many


def test_a_flood_of_results_costs_one_exercise():
    cells = ["import numpy as np\n"
             "def flood():\n    return np.zeros(300_000)\n"      # 2.4 MB, more once encoded
             "def fine():\n    return np.zeros(3_000)\n"]
    result = call(cells, ["flood", "fine"], limits=Limits(timeout=5.0, memory_mb=512, max_output_mb=1))
    flood = result.exercises["flood"]
    assert (flood.status, flood.message) == ("crash", "sent more than 1 MB of results")
    assert value(result, "fine").shape == (3_000,)


def test_a_crash_costs_one_exercise_and_restarts_the_worker():
    cells = ["import os\ndef crash():\n    os._exit(7)\ndef fine():\n    return 42\n"]
    result = call(cells, ["crash", "fine"])
    assert result.exercises["crash"].status == "crash" and "exit code 7" in result.exercises["crash"].message
    assert value(result, "fine") == 42
    assert result.workers == 2


def test_hung_cells_are_skipped_until_the_limit():
    limits = Limits(timeout=1.0, memory_mb=512, max_cell_failures=2)
    cells = ["while True: pass", "def f():\n    return 1\n", "while True: pass", "x = 1"]
    result = call(cells, ["f"], limits=limits)
    assert {i: f.kind for i, f in result.cell_failures.items()} == {0: "timeout", 2: "timeout"}
    assert result.exercises["f"].status == "lost"
    limits = Limits(timeout=1.0, memory_mb=512, max_cell_failures=3)
    result = call(cells, ["f"], limits=limits)
    assert value(result, "f") == 1 and result.workers == 3


def test_forged_and_garbage_messages_on_the_channel_are_ignored():
    forged = (b'not json\n{"event": "done"}\n{"event": "result", "name": "f", "cases": []}\n'
              b'{"event": "exercise", "name": "f"}\n')
    cells = [f"import os, sys\nos.write(int(sys.argv[2]), {forged!r})\n"
             "def f():\n    return 5\n"]
    assert value(call(cells, ["f"]), "f") == 5


def test_limits_are_validated():
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        Limits(timeout=0)
    with pytest.raises(ValueError, match="memory_mb must be an integer >= 128"):
        Limits(memory_mb=10)


def test_no_temporary_folder_is_left_behind(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)
    call(["def f():\n    open('junk', 'w').write('x' * 1000)\n"], ["f"])
    assert os.listdir(tmp_path) == []
