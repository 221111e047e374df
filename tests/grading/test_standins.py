"""Stand-ins: a disallowed import is harmless until used; reference cells load in memory."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from rnncourse.grading import standins
from rnncourse.grading.sandbox import learner_module_files
from rnncourse.rnn import rnn_cell_forward


def _run(code: str) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter where ``rnncourse`` is only the sandbox's package."""
    return subprocess.run([sys.executable, "-I", "-S", "-c", code], capture_output=True, text=True)


def test_stand_in_fails_only_when_used_and_names_the_rule():
    s = standins.StandIn("rnncourse.rnn.init_rnn_params", "rnncourse.rnn", ("activations",))
    assert "not available while grading" in repr(s)
    for use in (lambda: s(3), lambda: s["Wax"], lambda: s.shape, lambda: s + 1,
                lambda: np.asarray(s), lambda: list(s), lambda: bool(s)):
        with pytest.raises(standins.NotAvailableWhileGrading,
                           match=r"rnncourse.rnn.init_rnn_params is not available while grading: "
                                 r"this assignment allows only rnncourse.activations"):
            use()


def test_sandbox_package_serves_stand_ins_for_every_form_of_import(tmp_path):
    package = tmp_path / "rnncourse"
    package.mkdir()
    (package / "__init__.py").write_text(standins.package_init(("activations",)))
    (package / "activations.py").write_text("def softmax(z):\n    return z\n")
    (tmp_path / "_rnncourse_standins.py").write_text(open(standins.__file__).read())
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        from rnncourse.activations import softmax          # allowed: the real module
        from rnncourse.rnn import init_rnn_params          # disallowed: a stand-in
        import rnncourse.gru as g
        from rnncourse import lstm
        from rnncourse.grading.check import check          # check does nothing
        print(softmax(7), check(None), type(init_rnn_params).__name__)
        for use in (lambda: init_rnn_params(3, 4, 5), lambda: g.gru_forward(1), lambda: lstm.x[0]):
            try:
                use()
            except Exception as exc:
                print(type(exc).__name__, str(exc).split(':')[0])
    """)
    out = _run(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "7 None StandIn",
        "NotAvailableWhileGrading rnncourse.rnn.init_rnn_params is not available while grading",
        "NotAvailableWhileGrading rnncourse.gru.gru_forward is not available while grading",
        "NotAvailableWhileGrading rnncourse.lstm.x is not available while grading"]


def test_reference_library_builds_the_cell_in_memory_and_leaves_nothing_importable():
    sources = {p.stem: p.read_text() for p in learner_module_files(["rnn"])}
    library = standins.ReferenceLibrary(sources)
    cell = library.function("rnn.rnn_cell_forward")
    assert cell is not rnn_cell_forward and cell.__module__ == "_rnncourse_reference.rnn"
    rng = np.random.default_rng(0)
    params = {"Wax": rng.standard_normal((4, 3)), "Waa": rng.standard_normal((4, 4)),
              "ba": rng.standard_normal((4, 1)), "Wya": rng.standard_normal((2, 4)),
              "by": rng.standard_normal((2, 1))}
    x_t, a_prev = rng.standard_normal((3, 5)), rng.standard_normal((4, 5))
    mine, theirs = cell(x_t, a_prev, params), rnn_cell_forward(x_t, a_prev, params)
    np.testing.assert_array_equal(mine[0], theirs[0])
    np.testing.assert_array_equal(mine[1], theirs[1])
    assert not [m for m in sys.modules if m.startswith("_rnncourse_reference")]
    with pytest.raises(ImportError, match="was not sent"):
        library.function("gru.gru_cell_forward")


def test_swapped_restores_the_namespace():
    ns = {"a": 1}
    with standins.swapped(ns, {"a": 2, "b": 3}):
        assert ns == {"a": 2, "b": 3}
    assert ns == {"a": 1}
    with pytest.raises(KeyError):
        with standins.swapped(ns, {"a": 5}):
            raise KeyError("x")
    assert ns == {"a": 1}


def test_case_seed_is_stable_and_differs_per_case():
    assert standins.case_seed("rnn_forward", 1) == standins.case_seed("rnn_forward", 1)
    assert len({standins.case_seed(n, k) for n in ("a", "b") for k in (1, 2)}) == 4
