"""No reference of an exercise reaches the learner's process before that exercise is graded.

A composite exercise (a sequence forward calling the learner's cell, BPTT calling the
cell backward) is graded with the course's cell in place of the learner's.  That cell is
Python in the learner's process: its ``__globals__`` reach its whole module, a stash in
``builtins`` outlives the exercise, a frame walk finds the worker's job.  So the
grader grades in rounds (``sandbox.stages``), each in a fresh worker, and sends the
reference modules with every other exercise of the assignment withheld
(``sandbox.withheld``) and only what the injected cells need (``sandbox.needed_only``).
Each attack below scored full marks before, or reached what would.
"""

from __future__ import annotations

import copy

import pytest

from rnncourse.grading import compare, grade_submission, sandbox
from rnncourse.grading.exercises import ASSIGNMENT_MODULES, get_assignment
from rnncourse.grading.standins import ReferenceLibrary

from .learners import a03, a05, notebook

SEED = 20261204


def _grade(module, answers, tmp_path):
    nb = notebook.build(module.ASSIGNMENT, {**module.ANSWERS, **answers})
    report = grade_submission(notebook.write(nb, tmp_path, module.ASSIGNMENT), timeout=60, seed=SEED)
    return {e.name: e for e in report.exercises}


THROUGH_GLOBALS = '''
def gru_forward(x, a0, params):
    # the injected gru_cell_forward's module holds the course's gru_forward
    return gru_cell_forward.__globals__["gru_forward"](x, a0, params)
'''

STASH_FOR_LATER = {
    # 05: gru_forward runs with the course's cell injected and stashes the backward
    "gru_forward": '''
def gru_forward(x, a0, params):
    import builtins
    builtins.__dict__["_stash"] = gru_cell_forward.__globals__["gru_cell_backward"]
    raise NotImplementedError
''',
    "gru_cell_backward": '''
def gru_cell_backward(dc_next, cache):
    import builtins
    return builtins.__dict__["_stash"](dc_next, cache)
''',
}

SOURCE_FROM_MEMORY = '''
def gru_cell_backward(dc_next, cache):
    # the worker's frames hold its job, reference sources and all; the worker's own
    # loader (on its path) builds the module from them
    import sys
    from _rnncourse_standins import ReferenceLibrary
    frame = sys._getframe()
    while frame is not None:
        job = frame.f_locals.get("job")
        if isinstance(job, dict) and "gru" in job.get("references", {}):
            library = ReferenceLibrary(job["references"], package="_stolen")
            return library.function("gru.gru_cell_backward")(dc_next, cache)
        frame = frame.f_back
    raise NotImplementedError
'''


def test_a_composite_cannot_call_its_own_reference_through_the_injected_cell(tmp_path):
    results = _grade(a05, {"gru_forward": THROUGH_GLOBALS}, tmp_path)
    assert results["gru_forward"].score == 0
    assert "KeyError" in results["gru_forward"].feedback      # not sent at all
    assert results["gru_cell_forward"].status == results["gru_cell_backward"].status == "passed"


def test_a_reference_stashed_by_one_exercise_is_not_there_for_a_later_one(tmp_path):
    results = _grade(a05, STASH_FOR_LATER, tmp_path)
    assert results["gru_cell_backward"].score == 0, results["gru_cell_backward"].feedback
    assert results["gru_cell_forward"].status == "passed"


def test_no_reference_source_is_in_the_worker_before_its_exercise_is_graded(tmp_path):
    results = _grade(a05, {"gru_cell_backward": SOURCE_FROM_MEMORY}, tmp_path)
    assert results["gru_cell_backward"].score == 0, results["gru_cell_backward"].feedback
    assert results["gru_forward"].status == "passed"      # its injected cell still works


def test_a_bptt_cannot_take_the_course_backward_from_the_injected_cell_backward(tmp_path):
    name = next(e.name for e in get_assignment(a03.ASSIGNMENT).exercises if e.uses)
    cell = get_assignment(a03.ASSIGNMENT).exercise(name).uses[0]
    args = ", ".join(get_assignment(a03.ASSIGNMENT).exercise(name).arg_names)
    cheat = f"def {name}({args}):\n    return {cell}.__globals__[{name!r}]({args})\n"
    results = _grade(a03, {name: cheat}, tmp_path)
    assert results[name].score == 0 and "KeyError" in results[name].feedback


PRIVATE_HELPER = '''
def rnn_backward(da, caches):
    # the course's module also holds a vectorised BPTT under a private name
    g = rnn_cell_backward.__globals__
    helper = g.get("_rnn_backward_stacked")
    if helper is None:
        raise LookupError("not there")
    return helper  # reaching it at all is the leak
'''


def test_no_helper_of_the_reference_module_beyond_what_the_cell_needs_is_sent(tmp_path):
    results = _grade(a03, {"rnn_backward": PRIVATE_HELPER}, tmp_path)
    assert "not there" in results["rnn_backward"].feedback, results["rnn_backward"].feedback


# ---------------------------------------------------------------- every assignment, statically

def _rounds(asg):
    names = [e.name for e in asg.exercises]
    return names, sandbox.stages(names, asg.injections)


#: text of a reference module that would compute these exercises under another name
_COMPUTES = {
    "_rnn_backward_stacked": ("rnn_backward", "rnn_cell_backward"),
    "_lstm_backward_stacked": ("lstm_backward", "lstm_cell_backward"),
    "_gru_backward_stacked": ("gru_cell_backward",),
    "def rnn_forward": ("rnn_forward",), "def lstm_forward": ("lstm_forward",),
    "def gru_forward": ("gru_forward",),
}


@pytest.mark.parametrize("assignment", sorted(ASSIGNMENT_MODULES))
def test_every_round_holds_no_working_reference_of_an_exercise_it_grades(assignment):
    asg = get_assignment(assignment)
    names, rounds = _rounds(asg)
    assert sorted(n for r in rounds for n in r) == sorted(names)
    for k, graded in enumerate(rounds):
        inject = {n: asg.injections[n] for n in graded if n in asg.injections}
        for n in graded:   # a composite comes after every exercise it is graded with
            assert all(c not in graded and any(c in r for r in rounds[:k]) for c in inject.get(n, {}))
        ungraded = [n for later in rounds[k:] for n in later]     # as sandbox.run sends
        job = sandbox._injections(inject, ungraded)
        if not job:
            continue
        library = ReferenceLibrary(job["references"], package=f"_reference_test_{assignment}_{k}")
        for cells in inject.values():        # the injected cells load, are the real ones, and work
            for cell, path in cells.items():
                fn = library.function(path)
                assert fn.__name__ == cell
                ex = asg.exercise(cell)
                case = ex.public_cases()[0]
                got = ex.split(fn(*copy.deepcopy(case.args)))
                want = ex.split(ex.reference(*copy.deepcopy(case.args)))
                assert compare._matches(ex, got, want), (assignment, cell)
        for module in list(library._modules.values()):
            for name in ungraded:
                fn = getattr(module, name, None)
                if fn is None or any(name in cells for cells in inject.values()):
                    continue
                with pytest.raises(PermissionError, match="withheld while grading"):
                    fn()
        # nothing that computes an exercise still to be graded: no sequence function or
        # vectorised backward of one (the cells may need them for other exercises' sake:
        # assignment 10's train_step runs any cell's backward, none of them graded there)
        for text in job["references"].values():
            for helper, exercises in _COMPUTES.items():
                if set(exercises) & set(ungraded):
                    assert helper not in text, (assignment, k, helper)


def test_withheld_replaces_functions_and_assignments_and_keeps_the_rest():
    source = ("import math\n\ndef keep(x):\n    return hide(x) if x else 1\n\n"
              "def hide(x):\n    return 2\n\nalias = hide\nother = lambda: 3\n")
    space: dict = {}
    exec(sandbox.withheld(source, {"hide", "other"}), space)
    assert space["math"].pi > 3 and space["keep"](0) == 1
    for name in ("hide", "other"):
        with pytest.raises(PermissionError, match=f"course's {name} is withheld"):
            space[name]()
    assert sandbox.withheld(source, set()) == source


def test_stages_order_composites_after_what_they_use():
    inject = {"b": {"a": "m.a"}, "c": {"b": "m.b"}, "d": {"a": "m.a"}}
    assert sandbox.stages(["a", "b", "c", "d", "e"], inject) == [["a", "e"], ["b", "d"], ["c"]]
    assert sandbox.stages(["b"], {"b": {"x": "m.x"}}) == [["b"]]   # x not graded here


def test_needed_only_keeps_the_closure_across_relative_imports():
    sources = {
        "a": "from .b import used, other\nimport math\n\ndef cell(x):\n    return used(x) + math.pi\n\n"
             "def sequence(x):\n    return [cell(v) for v in x]\n\ndef _fast(x):\n    return x\n",
        "b": "def used(x):\n    return helper(x)\n\ndef helper(x):\n    return x\n\n"
             "def other():\n    return 1\n\ndef unused():\n    return 2\n",
        "c": "def never():\n    return 3\n",
    }
    out = sandbox.needed_only(sources, ["a.cell"])
    assert sorted(out) == ["a", "b"]                       # c is not sent
    assert "def sequence" not in out["a"] and "_fast" not in out["a"] and "def cell" in out["a"]
    assert "def unused" not in out["b"] and "def helper" in out["b"] and "def other" in out["b"]
    library = ReferenceLibrary(out, package="_needed_only_test")
    assert library.function("a.cell")(1.0) > 4


def test_the_references_are_parsed_once_per_set_of_injections_under_a_lock():
    # CPython 3.11's AST constructor is not thread-safe: two Dask threads grading at once
    # failed one file with "AST constructor recursion depth mismatch"
    import threading

    asg = get_assignment("06_lstm")
    names = [e.name for e in asg.exercises]
    inject = {"lstm_backward": asg.injections["lstm_backward"]}
    sandbox._reference_sources.cache_clear()
    results, errors = [], []

    def grade_one():
        try:
            results.append(sandbox._injections(inject, names))
        except Exception as exc:  # pragma: no cover - the failure this test is for
            errors.append(exc)

    threads = [threading.Thread(target=grade_one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 8
    assert sandbox._reference_sources.cache_info().misses == 1
    assert all(r == results[0] for r in results)
    results[0]["references"].clear()                       # a caller's copy, not the cache's
    assert sandbox._injections(inject, names)["references"]


def test_a_parse_broken_by_another_threads_parse_is_parsed_again():
    # the lock covers the grader's threads only: in a Dask worker the event loop thread
    # parses too (3.11's tracebacks place their carets with ast.parse), and a finalizer
    # run mid-parse lets it in; the interrupted parse fails once, then parses
    import ast

    asg = get_assignment("06_lstm")
    args = (tuple(sorted(asg.injections["lstm_backward"].values())),
            tuple(sorted(e.name for e in asg.exercises)))
    expected = sandbox._reference_sources.__wrapped__(*args)
    real, calls = ast.parse, []

    def flaky(source, *a, **k):
        calls.append(source)
        if len(calls) % 2:
            raise SystemError("AST constructor recursion depth mismatch (before=66, after=65)")
        return real(source, *a, **k)

    def raising(message):
        def parse(*a, **k):
            raise SystemError(message)
        return parse

    outcomes = []
    # ast.parse is patched only around the calls: pytest itself parses to show failures
    for patched in (flaky, raising("other"),
                    raising("AST constructor recursion depth mismatch (before=1, after=2)")):
        ast.parse = patched
        try:
            outcomes.append(sandbox._reference_sources.__wrapped__(*args))
        except SystemError as exc:
            outcomes.append(exc)
        finally:
            ast.parse = real
    assert outcomes[0] == expected and len(calls) >= 4
    # any other SystemError, and a mismatch that does not go away, are the grader's errors
    assert isinstance(outcomes[1], SystemError) and str(outcomes[1]) == "other"
    assert isinstance(outcomes[2], SystemError) and "mismatch" in str(outcomes[2])


def test_the_references_parse_while_another_thread_parses_with_finalizers_running():
    # the race itself, as in a Dask worker: a thread at another stack depth parsing
    # while garbage with finalizers is collected
    import ast
    import sys
    import threading

    asg = get_assignment("06_lstm")
    paths = tuple(sorted(asg.injections["lstm_backward"].values()))
    graded = tuple(sorted(e.name for e in asg.exercises))
    source = (sandbox.learner_module_files(["lstm"])[0]).read_text(encoding="utf-8")
    stop, errors = threading.Event(), []

    class Junk:
        def __init__(self):
            self.me = self            # a cycle: only the collector frees it

        def __del__(self):
            sum(range(500))

    def deep(depth, f):
        return f() if depth == 0 else deep(depth - 1, f)

    def other():
        while not stop.is_set():
            for _ in range(20):
                Junk()
            try:
                deep(25, lambda: ast.parse(source))
            except SystemError:
                pass                      # not the grader's parse

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    thread = threading.Thread(target=other, daemon=True)
    thread.start()
    try:
        for _ in range(40):
            for _ in range(20):
                Junk()
            try:
                sandbox._reference_sources.__wrapped__(paths, graded)
            except SystemError as exc:   # pragma: no cover - the failure this test is for
                errors.append(exc)
    finally:
        stop.set()
        thread.join(10)
        sys.setswitchinterval(interval)
    assert not errors, errors
