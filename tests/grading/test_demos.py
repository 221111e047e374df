"""rnncourse.grading.demos: Run All goes past exercises that are not written yet."""

from __future__ import annotations

import pytest

pytest.importorskip("IPython")
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from rnncourse.grading import demos  # noqa: E402

STUB = "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n    return x"


@pytest.fixture
def shell():
    sh = InteractiveShell.instance()
    sh.reset(new_session=False)
    sh.ast_transformers[:] = [t for t in sh.ast_transformers
                              if not isinstance(t, demos.SkipUnimplemented)]
    yield sh
    sh.ast_transformers[:] = [t for t in sh.ast_transformers
                              if not isinstance(t, demos.SkipUnimplemented)]
    sh.reset(new_session=False)


def run(shell, code, capsys):
    result = shell.run_cell(code, store_history=True)
    return result, capsys.readouterr().out


def test_without_it_a_stub_stops_the_cell_with_an_error(shell, capsys):
    run(shell, STUB, capsys)
    result, _ = run(shell, "y = f(1)", capsys)
    assert not result.success and isinstance(result.error_in_exec, NotImplementedError)


def test_a_cell_calling_a_stub_is_skipped_with_one_line(shell, capsys):
    demos.skip_unimplemented(shell)
    run(shell, STUB, capsys)
    run(shell, "def g(x):\n    return f(x) + 1", capsys)
    result, out = run(shell, "a = 1\nb = g(2)\nprint('after')", capsys)
    assert result.success
    assert out == ("skipped: f is not implemented yet (it raises NotImplementedError). "
                   "Write it above, run its check, then run this cell again.\n")
    assert shell.user_ns["a"] == 1 and "b" not in shell.user_ns


def test_a_later_cell_needing_what_a_skipped_cell_sets_is_skipped_too(shell, capsys):
    demos.skip_unimplemented(shell)
    run(shell, STUB, capsys)
    run(shell, "b = f(2)", capsys)
    result, out = run(shell, "print(b + 1)", capsys)
    assert result.success
    assert out.startswith("skipped: this cell needs b, which a cell above could not set "
                          "because f is not written yet.")
    assert out.count("\n") == 1


def test_a_stub_at_the_top_level_of_a_cell_is_skipped(shell, capsys):
    demos.skip_unimplemented(shell)
    result, out = run(shell, "# YOUR CODE HERE\nraise NotImplementedError()\nanswer = 1", capsys)
    assert result.success and out.startswith("skipped: the answer in this cell is not written yet")
    result, out = run(shell, "print(answer)", capsys)
    assert result.success and "needs answer" in out


@pytest.mark.parametrize("code, error", [
    ("def h():\n    raise ValueError('bug')\nh()", ValueError),       # a real bug
    ("print(never_defined)", NameError),                                 # a typo
    ("{}['missing']", KeyError),
])
def test_other_errors_still_stop_run_all(shell, capsys, code, error):
    demos.skip_unimplemented(shell)
    result, out = run(shell, code, capsys)
    assert not result.success and isinstance(result.error_in_exec, error)
    assert "skipped" not in out


def test_a_library_not_implemented_error_is_not_blamed_on_the_learner(shell, capsys):
    demos.skip_unimplemented(shell)
    result, out = run(shell, "import rnncourse.layers as L\nL.Layer().forward(None)", capsys)
    assert not result.success and isinstance(result.error_in_exec, NotImplementedError)
    assert "skipped" not in out


def test_the_last_expression_is_still_displayed(shell, capsys):
    demos.skip_unimplemented(shell)
    result, _ = run(shell, "x = 20\nx + 22", capsys)
    assert result.success and result.result == 42
    result, _ = run(shell, STUB + "\nf(1)", capsys)
    assert result.success and result.result is None


def test_a_defined_name_is_not_blamed_after_it_is_set(shell, capsys):
    demos.skip_unimplemented(shell)
    run(shell, STUB, capsys)
    run(shell, "b = f(2)", capsys)
    run(shell, "b = 5", capsys)
    result, out = run(shell, "print(b)", capsys)
    assert result.success and out == "5\n"


def test_installing_twice_keeps_one_transformer(shell):
    first = demos.skip_unimplemented(shell)
    assert demos.skip_unimplemented(shell) is first
    assert sum(isinstance(t, demos.SkipUnimplemented) for t in shell.ast_transformers) == 1


def test_outside_ipython_it_does_nothing():
    assert demos.skip_unimplemented(object()) is None


def test_future_imports_are_left_alone(shell, capsys):
    demos.skip_unimplemented(shell)
    result, _ = run(shell, "from __future__ import annotations\nz = 1", capsys)
    assert result.success and shell.user_ns["z"] == 1


def test_bound_names_are_the_cells_globals_only():
    import ast
    tree = ast.parse("a, (b, c) = 1, (2, 3)\nimport os.path\nfrom m import n as k\n"
                     "def f():\n    inner = 1\nfor i in []:\n    j = i\nwith o as w:\n    pass\n"
                     "class C:\n    attr = 1\n[q for q in ()]\n")
    assert demos._bound_names(tree) == {"a", "b", "c", "os", "k", "f", "i", "j", "w", "C"}
