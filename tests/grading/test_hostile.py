"""Hostile and broken submissions: right score, clear feedback, grader unharmed, time bounded.

Every fixture is a solution notebook (tests/fixtures/submissions/build.py) with one
thing done to it.  Each test asserts the status of every exercise (so the score),
a phrase of the feedback or notes, that the grader process has no child left
behind, and that grading took a bounded time.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Callable

import pytest

from rnncourse.grading import grade_submission
from rnncourse.grading.exercises import get_assignment

from ..fixtures.submissions import build

TIMEOUT = 2.5       # seconds per phase: small, so the suite stays quick
MEMORY_MB = 512
FIXTURES = build.broken_files()  # broken submissions, written at test time
F02, F03 = "02_forward_propagation", "03_backprop_through_time"
CELL, SEQ, LOSS = build.EXERCISES[F02]
CBACK, BACK, CLIP = build.EXERCISES[F03]

pytestmark = pytest.mark.skipif(not (build.SOLUTIONS / f"{F02}.ipynb").exists(),
                                reason="solution notebooks not present")


def children() -> set[int]:
    """Live child processes of this process."""
    me, out = str(os.getpid()), set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == me and fields[0] != "Z":
                out.add(int(entry))
    return out


def seccomp_available() -> bool:
    import platform
    import sys

    from rnncourse.grading import worker
    from rnncourse.grading import sandbox
    return sys.platform.startswith("linux") and sandbox.seccomp_program(platform.machine()) is not None


def grade(path, assignment=None, **kw):
    before = children()
    start = time.monotonic()
    report = grade_submission(path, assignment=assignment, timeout=TIMEOUT, memory_mb=MEMORY_MB,
                              seed=20261127, **kw)
    elapsed = time.monotonic() - start
    assert children() <= before, "the grader left processes behind"
    return report, elapsed


@dataclass
class Hostile:
    """A fixture: what is done to the solution, and what the grade must be."""

    assignment: str
    make: Callable
    statuses: dict                       # exercise -> status (others: passed)
    feedback: dict = field(default_factory=dict)   # exercise -> phrase in its feedback
    notes: tuple = ()                    # phrases in the report's notes
    timeouts: int = 0                    # phases expected to run out of time
    extra: Callable | None = None        # further assertions (report, tmp_path)


def swap(name, source):
    return lambda nb, tmp: build.swap(nb, name, source)


def first(source):
    return lambda nb, tmp: build.insert(nb, 1, source)


def body(name, args, code):
    """A function ``name(args)`` whose body is ``code`` (one line per statement)."""
    lines = "\n".join("    " + line for line in code.split("\n"))
    return f"import os, sys, signal, ctypes\nimport numpy as np\n\ndef {name}({args}):\n{lines}\n"


CELL_ARGS, SEQ_ARGS, LOSS_ARGS = "x_t, a_prev, params", "x, a0, params", "y_hat_t, y_t"


def _delete(name):
    def make(nb, tmp):
        del nb.cells[build.index_of(nb, name)]
        return nb
    return make


def _duplicate(name, then=None):
    def make(nb, tmp):
        i = build.index_of(nb, name)
        nb.cells.insert(i + 1, build.nbformat.v4.new_code_cell(nb.cells[i].source))
        if then:
            nb.cells.insert(i + 2, build.nbformat.v4.new_code_cell(then))
        return nb
    return make


def _reverse(nb, tmp):
    nb.cells = nb.cells[::-1]          # definitions first, the imports last
    return nb


def _touch_outside(nb, tmp):
    target = tmp / "pwned"
    return build.insert(nb, 1, f"%matplotlib inline\n!touch {target}\nfiles = !ls {tmp}\n"
                               f"get_ipython().system('touch {target}')\nlen?\n")


def _bash_cell(nb, tmp):
    return build.insert(nb, 1, f"%%bash\ntouch {tmp / 'pwned'}\n")


def _no_pwned(report, tmp):
    assert not (tmp / "pwned").exists()


def _grades_file(nb, tmp):
    (tmp / "grades.db").write_bytes(b"precious")
    return build.insert(nb, 1, f"open({str(tmp / 'grades.db')!r}, 'wb').write(b'hacked')\n"
                               f"secret = open({str(build.SOLUTIONS / (F02 + '.ipynb'))!r}).read()\n")


def _grades_unchanged(report, tmp):
    assert (tmp / "grades.db").read_bytes() == b"precious"


def _no_grader_kill(nb, tmp):
    return build.insert(nb, 1, "import os, ctypes, signal\n"
                               "ctypes.CDLL(None).kill(os.getppid(), signal.SIGKILL)\n"
                               "os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)\n")


HOSTILE = {
    # -- time, exits, crashes --------------------------------------------------------
    "loop_in_exercise": Hostile(F02, swap(SEQ, body(SEQ, SEQ_ARGS, "while True:\n    pass")),
                                {SEQ: "timeout"}, {SEQ: "ran for more than 2.5 s"}, timeouts=1),
    "loop_at_top_level": Hostile(F02, first("while True:\n    pass"), {},
                                 notes=("cell 2 was skipped: it ran for more than 2.5 s",),
                                 timeouts=1),
    "sys_exit_at_top_level": Hostile(F02, first("import sys\nsys.exit(0)"), {},
                                     notes=("cell 2 raised SystemExit",)),
    "sys_exit_in_exercise": Hostile(F02, swap(SEQ, body(SEQ, SEQ_ARGS, "sys.exit(3)")),
                                    {SEQ: "error"}, {SEQ: 'raised SystemExit: "3"'}),
    "os_exit": Hostile(F02, swap(LOSS, body(LOSS, LOSS_ARGS, "os._exit(0)")),
                       {LOSS: "error"}, {LOSS: "ended the Python process (exit code 0"}),
    "keyboard_interrupt": Hostile(F02, swap(SEQ, body(SEQ, SEQ_ARGS, "raise KeyboardInterrupt")),
                                  {SEQ: "error"}, {SEQ: "raised KeyboardInterrupt"}),
    "keyboard_interrupt_at_top_level": Hostile(F02, first("raise KeyboardInterrupt"), {},
                                               notes=("raised KeyboardInterrupt",)),
    "kills_its_own_process": Hostile(
        F02, swap(LOSS, body(LOSS, LOSS_ARGS, "os.kill(os.getpid(), signal.SIGKILL)")),
        {LOSS: "error"}, {LOSS: "was killed (SIGKILL)"}),
    "segfault": Hostile(F02, swap(LOSS, body(LOSS, LOSS_ARGS, "ctypes.string_at(0)")),
                        {LOSS: "error"}, {LOSS: "segmentation fault"}),
    "segfault_at_top_level": Hostile(F02, first("import ctypes\nctypes.string_at(0)"), {},
                                     notes=("cell 2 was skipped: it crashed Python with a "
                                            "segmentation fault",)),
    "huge_allocation": Hostile(F02, swap(SEQ, body(SEQ, SEQ_ARGS, "return np.ones((1 << 34,))")),
                               {SEQ: "error"}, {SEQ: "MemoryError"}),
    "growing_allocation": Hostile(
        F02, swap(SEQ, body(SEQ, SEQ_ARGS, "keep = []\nwhile True:\n    keep.append(np.empty(10**7))")),
        {SEQ: "error"}, {SEQ: f"out of memory: the limit is {MEMORY_MB} MB"}),
    "prints_hundreds_of_mb": Hostile(
        F02, first("import os\nblock = 'x' * 10**7\nfor _ in range(30):\n    print(block)\n"
                   "    os.write(1, block.encode())\n    os.write(2, block.encode())"), {}),
    "spawns_processes": Hostile(
        F02, first("import subprocess, os, ctypes\n"
                   "try:\n    subprocess.Popen(['sleep', '60'])\nexcept Exception as e:\n    print(e)\n"
                   "pid = ctypes.CDLL(None).fork()\n"
                   "if pid == 0:\n    import time\n    time.sleep(60)\n"
                   "assert pid == -1, 'fork should fail'\n"
                   "os.system('sleep 60')"), {},
        notes=("sandbox: the worker reported \"blocked subprocess.Popen\"",
               "sandbox: the worker reported \"blocked os.system\"")),
    # -- tampering ------------------------------------------------------------------
    "monkeypatches_numpy": Hostile(
        F02, swap(CELL, "import numpy as np\n"
                        "np.allclose = lambda *a, **k: True\n"
                        "np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), bool)\n"
                        "np.testing.assert_allclose = lambda *a, **k: None\n"
                        "np.array_equal = lambda *a, **k: True\n"
                        "def rnn_cell_forward(x_t, a_prev, params):\n"
                        "    a = np.zeros((params['Waa'].shape[0], x_t.shape[1]))\n"
                        "    y = np.zeros((params['Wya'].shape[0], x_t.shape[1]))\n"
                        "    return a, y, (a, a_prev, x_t, params)\n"),
        {CELL: "failed"}, {CELL: "(reference), got 0 (yours)", SEQ: "fix it first"}),
    "monkeypatches_builtins_and_exec": Hostile(
        F02, first("import builtins\n"
                   "builtins.exec = lambda *a, **k: None\n"
                   "builtins.compile = lambda *a, **k: None\n"
                   "builtins.print = lambda *a, **k: None\n"
                   "builtins.isinstance = lambda *a: True\n"), {}),
    "monkeypatches_check_and_registry": Hostile(
        F02, swap(LOSS, "import rnncourse.grading as g\n"
                        "g.check = lambda *a, **k: print('passed')\n"
                        "try:\n"
                        "    from rnncourse.grading.exercises import forward_propagation as fp\n"
                        "    fp.EXERCISES = ()\n"
                        "except ImportError:\n"
                        "    pass\n"
                        "import numpy as np\n"
                        "def bce_step_loss(y_hat_t, y_t):\n"
                        "    return np.zeros(y_t.shape[1])\n"),
        {LOSS: "failed"}, {LOSS: "L_t[0]: expected"}),
    "input_transformer_blanks_cells": Hostile(
        F02, first("ip = get_ipython()\n"
                   "ip.input_transformers_cleanup.append(lambda lines: [])\n"
                   "ip.input_transformers_post.append(lambda lines: [])\n"
                   "ip.run_line_magic('autocall', '2')"),
        {}, notes=("was not run by the grader",)),
    # -- cells moved around -----------------------------------------------------------
    "deleted_cell": Hostile(F02, _delete(SEQ), {SEQ: "missing"}, {SEQ: "rnn_forward is not defined"}),
    "duplicated_cell": Hostile(F02, _duplicate(CELL), {}),
    "duplicated_then_overwritten": Hostile(
        F02, _duplicate(LOSS, then="def bce_step_loss(y_hat_t, y_t):\n    return None\n"),
        {LOSS: "failed"}, {LOSS: "got None"}),
    "reordered_cells": Hostile(F02, _reverse, {}),
    # -- the reference implementation --------------------------------------------------
    "imports_the_reference": Hostile(
        F02, swap(SEQ, "from rnncourse.rnn import rnn_forward"),
        {SEQ: "error"}, {SEQ: "rnncourse.rnn.rnn_forward is not available while grading"},
        notes=("uses rnncourse.rnn: the reference implementation is not available",)),
    "reference_via_sys_modules": Hostile(
        F02, swap(CELL, "import sys, importlib\n"
                        "def rnn_cell_forward(x_t, a_prev, params):\n"
                        "    mod = sys.modules.get('rnncourse.rnn') or importlib.import_module("
                        "'rnncourse' + '.rnn')\n"
                        "    return mod.rnn_cell_forward(x_t, a_prev, params)\n"),
        {CELL: "error"}, {CELL: "rnncourse.rnn.rnn_cell_forward is not available while grading",
                          SEQ: "fix it first"}),
    "reference_read_from_disk": Hostile(
        F02, swap(LOSS, "import numpy as np\n"
                        f"src = open({str(build.REPO / 'rnncourse' / 'losses.py')!r}).read()\n"
                        "ns = {}\nexec(src.replace('from ._validate', '#'), ns)\n"
                        "bce_step_loss = ns['bce_step_loss']\n"),
        {LOSS: "missing"}, {LOSS: "uses rnncourse.losses"},
        notes=("sandbox: the worker reported \"opened " + str(build.REPO / "rnncourse" / "losses.py"),)),
    # -- answers that are not what they pretend ----------------------------------------------
    "lying_eq_and_array": Hostile(
        F02, swap(LOSS, "import numpy as np\n"
                        "class Liar:\n"
                        "    shape = property(lambda self: self.s)\n"
                        "    def __init__(self, s): self.s = s\n"
                        "    def __eq__(self, other): return True\n"
                        "    def __array__(self, dtype=None, copy=None): return np.zeros(self.s)\n"
                        "def bce_step_loss(y_hat_t, y_t):\n"
                        "    return Liar((y_t.shape[1],))\n"),
        {LOSS: "failed"}, {LOSS: "should be a numpy.ndarray, got Liar"}),
    "ndarray_subclass": Hostile(
        F02, swap(CELL, "import numpy as np\n"
                        "class Always(np.ndarray):\n"
                        "    def __eq__(self, other): return np.ones(self.shape, bool)\n"
                        "def rnn_cell_forward(x_t, a_prev, params):\n"
                        "    a = np.zeros((params['Waa'].shape[0], x_t.shape[1])).view(Always)\n"
                        "    return a, a, (a, a_prev, x_t, params)\n"),
        {CELL: "failed"}, {CELL: "got Always", SEQ: "fix it first"}),
    "reads_solutions_writes_gradebook": Hostile(
        F02, _grades_file, {}, notes=("cell 2 raised PermissionError",), extra=_grades_unchanged),
    # -- wrong answers --------------------------------------------------------------------
    "returns_nan": Hostile(F02, swap(LOSS, body(LOSS, LOSS_ARGS, "return np.full(y_t.shape[1], np.nan)")),
                           {LOSS: "failed"}, {LOSS: "non-finite"}),
    "wrong_shape": Hostile(F02, swap(LOSS, body(LOSS, LOSS_ARGS, "return np.zeros(y_t.shape)")),
                           {LOSS: "failed"}, {LOSS: "L_t has shape (n_y, m)"}),
    "wrong_dtype": Hostile(F02, swap(LOSS, body(LOSS, LOSS_ARGS, "return np.zeros(y_t.shape[1], int)")),
                           {LOSS: "failed"}, {LOSS: "dtype int64"}),
    "returns_list": Hostile(F02, swap(LOSS, body(LOSS, LOSS_ARGS, "return [0.0] * y_t.shape[1]")),
                            {LOSS: "failed"}, {LOSS: "got list"}),
    "returns_none": Hostile(F02, swap(CELL, body(CELL, CELL_ARGS, "return None")),
                            {CELL: "failed"},
                            {CELL: "must return the tuple (a_next, y_hat_t, cache), got None",
                             SEQ: "fix it first"}),
    "renamed_function": Hostile(F02, swap(SEQ, body("rnn_forwrd", SEQ_ARGS, "return None")),
                                {SEQ: "missing"}, {SEQ: "found rnn_forwrd"}),
    "wrong_signature": Hostile(F02, swap(SEQ, body(SEQ, "x, a0", "return None")),
                               {SEQ: "error"}, {SEQ: "expected the signature rnn_forward(x, a0, params)"}),
    "syntax_error": Hostile(F02, swap(SEQ, "def rnn_forward(x, a0, params)\n    return x\n"),
                            {SEQ: "missing"}, {SEQ: "raised SyntaxError"}),
    "not_a_function": Hostile(F02, swap(LOSS, "bce_step_loss = 3"),
                              {LOSS: "missing"}, {LOSS: "defined as int, not a function"}),
    "magics_and_shell_escapes": Hostile(F02, _touch_outside, {},
                                        notes=("IPython magic or shell command, not run",),
                                        extra=_no_pwned),
    "cell_magic_bash": Hostile(F02, _bash_cell, {}, notes=("cell magic %%bash (cell not run)",),
                               extra=_no_pwned),
    # -- backward exercises -----------------------------------------------------------------
    "backward_mutates_cache": Hostile(
        F03, swap(CLIP, body(CLIP, "grads, max_value",
                             "for g in grads.values():\n    np.clip(g, -max_value, max_value, out=g)\n"
                             "return grads")),
        {CLIP: "failed"}, {CLIP: "changed its input grads["}),
    "backward_wrong_gradient": Hostile(
        F03, swap(CBACK, body(CBACK, "da_next, cache",
                              "a_next, a_prev, x_t, p = cache[:4]\ndz = da_next * (1 - a_next ** 2)\n"
                              "return {'dx_t': p['Wax'].T @ dz, 'da_prev': p['Waa'].T @ dz,\n"
                              "        'dWax': dz @ x_t.T, 'dWaa': (dz @ a_prev.T).T, "
                              "'dba': dz.sum(axis=1, keepdims=True)}")),
        {CBACK: "failed"}, {CBACK: "dWaa fails the gradient check", BACK: "fix it first"}),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_submission(name, tmp_path):
    spec = HOSTILE[name]
    nb = spec.make(build.solution(spec.assignment), tmp_path)
    path = build.write(nb, tmp_path / "submitted" / "mallory" / f"{spec.assignment}.ipynb")
    report, elapsed = grade(path)
    assignment = get_assignment(spec.assignment)
    statuses = {e.name: e.status for e in report.exercises}
    expected = {ex.name: spec.statuses.get(ex.name, "passed") for ex in assignment.exercises}
    details = "\n".join([f"{e.name}: {e.status}: {e.feedback}" for e in report.exercises]
                        + list(report.notes))
    assert statuses == expected, details
    assert report.score == sum(ex.points for ex in assignment.exercises
                               if expected[ex.name] == "passed")
    assert report.student == "mallory" and report.assignment == spec.assignment
    for exercise, phrase in spec.feedback.items():
        feedback = next(e.feedback for e in report.exercises if e.name == exercise)
        assert phrase in feedback, details
    for phrase in spec.notes:
        assert any(phrase in note for note in report.notes), details
    if spec.extra:
        spec.extra(report, tmp_path)
    assert elapsed < TIMEOUT * (spec.timeouts + 1) + 20, f"took {elapsed:.1f} s"


@pytest.mark.skipif(not seccomp_available(), reason="the worker's seccomp filter is Linux x86_64/aarch64 only")
def test_cannot_kill_the_grader_even_through_ctypes(tmp_path):
    nb = _no_grader_kill(build.solution(F02), tmp_path)
    report, _ = grade(build.write(nb, tmp_path / f"{F02}.ipynb"))
    assert report.score == report.max_score          # and this test process is still alive
    assert any("cell 2 raised PermissionError" in n for n in report.notes)


@pytest.mark.parametrize("fixture, reason", [
    ("invalid_json.ipynb", "not valid notebook JSON"),
    ("empty.ipynb", "the file is empty"),
    ("wrong_nbformat.ipynb", "not a readable notebook"),
    ("non_utf8.ipynb", "not UTF-8 text"),
    ("not_a_notebook.ipynb", "not a readable notebook"),
])
def test_broken_file_is_a_graded_submission_with_score_zero(fixture, reason):
    report, elapsed = grade(FIXTURES / fixture, assignment=F02)
    assert report.score == 0 and report.max_score == get_assignment(F02).max_score
    assert all(e.status == "error" and reason in e.feedback for e in report.exercises), report
    assert any(reason in note for note in report.notes)
    assert elapsed < 5


def test_twenty_megabyte_notebook_is_graded(tmp_path):
    nb = build.solution(F02)
    big = build.nbformat.v4.new_output("stream", name="stdout", text="0123456789" * (2 * 10**6))
    nb.cells[0].outputs = [big]
    path = build.write(nb, tmp_path / f"{F02}.ipynb")
    assert path.stat().st_size > 20 * 10**6
    report, elapsed = grade(path)
    assert report.score == report.max_score
    assert elapsed < 30
