"""The grader's reading of learner source: magics, reference imports, defining cells."""

from rnncourse.grading.source import defining_cells, find_magics, reference_uses, transform_magics


def test_line_magics_and_shell_escapes_become_inert_with_lines_kept():
    src = "%matplotlib inline\nx = 1\n!rm -rf /\nif x:\n    files = !ls\n    %time f()\nlen?\n"
    code, refused = transform_magics(src)
    assert code.split("\n") == ["pass", "x = 1", "pass", "if x:", "    files = None", "    pass",
                                "pass", ""]
    assert [r.split(":")[0] for r in refused] == ["line 1", "line 3", "line 5", "line 6", "line 7"]
    compile(code, "<test>", "exec")


def test_cell_magics_run_python_bodies_and_refuse_others():
    code, refused = transform_magics("%%time\ny = 2\n")
    assert code == "\ny = 2\n" and "body run as Python" in refused[0]
    code, refused = transform_magics("# comment\n%%bash\nrm -rf ~\n")
    assert code.strip() == "" and "cell magic %%bash (cell not run)" in refused[0]


def test_plain_python_has_no_magics():
    assert find_magics("a = 5 % 3\nb = [1,\n     2]\n") == []


def test_reference_uses_finds_every_form_and_allows_learner_modules():
    src = ("from rnncourse.rnn import rnn_forward\nimport rnncourse.losses as L\n"
           "from rnncourse import optim, activations\nfrom rnncourse.grading import check\n"
           "p = '/x/rnncourse/gru.py'\nimportlib.import_module('rnncourse.lstm')\n")
    assert reference_uses(src, ("activations",)) == [
        "rnncourse.rnn", "rnncourse.optim", "rnncourse.losses", "rnncourse.gru", "rnncourse.lstm"]
    assert reference_uses("from rnncourse.activations import softmax", ("activations",)) == []


def test_defining_cells():
    cells = ["import numpy", "def rnn_forward(x):\n    pass", "x = rnn_forward(1)",
             "  def rnn_forward (x): pass"]
    assert defining_cells(cells, "rnn_forward") == [1, 3]
