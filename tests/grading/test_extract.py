"""Extract stage: a file -> Submission; broken files never raise."""

import json
from pathlib import Path

import nbformat
import pytest

from rnncourse.grading.extract import digest_of, read_submission
from rnncourse.grading.identity import student_of

from ..fixtures.submissions import build

FIXTURES = build.broken_files()  # broken submissions, written at test time


def write(path, cells, metadata=None):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# title")] + [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata.update(metadata or {})
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


@pytest.mark.parametrize("rel, student", [
    ("submitted/alice/02_forward_propagation.ipynb", "alice"),
    ("submitted/bob/02_forward_propagation/02_forward_propagation.ipynb", "bob"),
    ("submitted/carol/02_forward_propagation/my_work.ipynb", "carol"),
    ("x/submitted/dan/ps2/deep/er/02_forward_propagation (1).ipynb", "dan"),
    ("inbox/dave/anything.ipynb", "dave"),
])
def test_student_rule(rel, student):
    assert student_of(Path(rel))[0] == student


def test_code_cells_in_order_and_assignment_precedence(tmp_path):
    path = write(tmp_path / "eve" / "homework.ipynb", ["a = 1", "b = 2"],
                 {"rnncourse": {"assignment": "03_backprop_through_time"}})
    sub = read_submission(path)
    assert sub.cells == ("a = 1", "b = 2") and sub.problem is None
    assert sub.assignment == "03_backprop_through_time" and sub.student == "eve"
    forced = read_submission(path, assignment="02_forward_propagation")
    assert forced.assignment == "02_forward_propagation"
    assert any("metadata says assignment '03_backprop_through_time'" in n for n in forced.notes)
    assert read_submission(write(tmp_path / "x" / "02_forward_propagation.ipynb", [])).assignment \
        == "02_forward_propagation"
    assert sub.digest == digest_of(path) and sub.digest.startswith("sha256:")


def test_a_source_stored_as_a_list_is_joined_as_is(tmp_path):
    # nbformat's multi-line strings: the pieces concatenate with nothing in between, and
    # need not end at line ends
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("")]
    nb.metadata["rnncourse"] = {"assignment": "02_forward_propagation"}
    path = tmp_path / "ann.ipynb"
    nbformat.write(nb, str(path))
    raw = json.loads(path.read_text())
    raw["cells"][0]["source"] = ["def f(x):\n", "    return x", " + 1\n"]
    path.write_text(json.dumps(raw))
    assert read_submission(path).cells == ("def f(x):\n    return x + 1\n",)


@pytest.mark.parametrize("name, phrase", [
    ("invalid_json.ipynb", "not valid notebook JSON"), ("empty.ipynb", "empty"),
    ("wrong_nbformat.ipynb", "not a readable notebook"), ("non_utf8.ipynb", "not UTF-8"),
    ("not_a_notebook.ipynb", "not a readable notebook"),
])
def test_broken_files_give_a_problem_not_an_exception(name, phrase):
    sub = read_submission(FIXTURES / name, assignment="02_forward_propagation")
    assert phrase in sub.problem and sub.cells == ()


def test_oversized_file_is_not_parsed(tmp_path):
    path = tmp_path / "big.ipynb"
    path.write_bytes(b" " * 2048)
    assert "larger than" in read_submission(path, max_bytes=1024, assignment="02_forward_propagation").problem


def test_missing_file_is_the_callers_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_submission(tmp_path / "nope.ipynb")


def test_cells_are_labelled_as_the_learner_sees_them(tmp_path):
    import nbformat
    from rnncourse.grading.extract import read_submission

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# intro"), nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_markdown_cell("text"), nbformat.v4.new_code_cell("y = 2")]
    nb.cells[3].execution_count = 7
    path = tmp_path / "02_forward_propagation.ipynb"
    nbformat.write(nb, str(path))
    sub = read_submission(path)
    assert sub.cell_labels == ("cell 2", "cell 4, In [7]")
    assert sub.label(1) == "cell 4, In [7]" and sub.label(5) == "code cell 6"
