"""Each step of the assign pipeline, alone, on the fixture notebooks."""

from __future__ import annotations

import copy

import nbformat

import pytest

from rnncourse.authoring import AuthoringError
from rnncourse.authoring.notebook_files import read_notebook
from rnncourse.authoring.steps import (
    add_skip_cell,
    relax_grade_cells,
    CELL_METADATA_KEPT, DEFAULT_KERNELSPEC, INSTRUCTOR_TAG, PIPELINE, Source, assign_cell_ids,
    clear_outputs, drop_instructor_cells, replace_solutions, run_pipeline,
    set_assignment_metadata, strip_volatile_metadata,
)


def _all_source(nb) -> str:
    return "\n".join(cell.source for cell in nb.cells)


@pytest.mark.parametrize("step", PIPELINE)
def test_every_step_leaves_its_input_untouched(step, solution_nb, source):
    before = copy.deepcopy(solution_nb)
    step(solution_nb, source)
    assert solution_nb == before


def test_pipeline_order_is_the_documented_one():
    assert [s.__name__ for s in PIPELINE] == [
        "replace_solutions", "drop_instructor_cells", "add_skip_cell", "relax_grade_cells",
        "clear_outputs",
        "strip_volatile_metadata", "set_assignment_metadata", "assign_cell_ids"]


# replace_solutions ------------------------------------------------------------------

def test_replace_solutions_removes_every_answer(solution_nb, source):
    nb = replace_solutions(solution_nb, source)
    text = _all_source(nb)
    for answer in ("y = x + 1", "return 2 * x", "answer = 42", "one plus one"):
        assert answer in _all_source(solution_nb)
        assert answer not in text
    assert "SOLUTION" not in text
    assert text.count("raise NotImplementedError()") == 3
    assert "YOUR ANSWER HERE" in text
    # code outside the regions survives, e.g. the validation before the second region
    assert "        raise ValueError('x')\n    # YOUR CODE HERE" in text


def test_replace_solutions_keeps_cell_count_and_order(solution_nb, source):
    nb = replace_solutions(solution_nb, source)
    assert [c.id for c in nb.cells] == [c.id for c in solution_nb.cells]


@pytest.mark.parametrize("name, where, words", [
    ("nested", "nested.ipynb, cell 2, line 4:", "cannot nest"),
    ("unclosed", "unclosed.ipynb, cell 3, line 2:", "never closed"),
    ("stray_end", "stray_end.ipynb, cell 1, line 3:", "without a matching"),
    ("typo_marker", "typo_marker.ipynb, cell 1, line 2:", "looks like a solution marker"),
    ("stub_breaks_syntax", "stub_breaks_syntax.ipynb, cell 1:", "invalid Python"),
    ("no_solution", "no_solution.ipynb:", "no solution region"),
])
def test_replace_solutions_errors_name_notebook_and_cell(fixture_path, name, where, words):
    path = fixture_path(name)
    with pytest.raises(AuthoringError) as info:
        replace_solutions(read_notebook(path), Source(name=name, path=str(path)))
    message = str(info.value)
    assert where in message and words in message
    assert isinstance(info.value, ValueError)  # the CLI prints it as one line


def test_stub_check_ignores_magics_that_python_cannot_compile(source):
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell(
        "%matplotlib inline\n!ls\ndef f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION")])
    out = replace_solutions(nb, source)
    assert out.cells[0].source.startswith("%matplotlib inline\n!ls\ndef f():\n    # YOUR CODE HERE")


# drop_instructor_cells --------------------------------------------------------------

def test_drop_instructor_cells(solution_nb, source):
    tagged = [c.id for c in solution_nb.cells if INSTRUCTOR_TAG in c.metadata.get("tags", [])]
    assert len(tagged) == 2  # one code, one markdown cell in the fixture
    nb = drop_instructor_cells(solution_nb, source)
    assert [c.id for c in nb.cells] == [c.id for c in solution_nb.cells if c.id not in tagged]


def test_other_tags_do_not_drop_cells(solution_nb, source):
    nb = drop_instructor_cells(solution_nb, source)
    assert any("exercise" in c.metadata.get("tags", []) for c in nb.cells)


# clear_outputs ----------------------------------------------------------------------

def test_clear_outputs(solution_nb, source):
    assert any(c.get("outputs") for c in solution_nb.cells)
    nb = clear_outputs(solution_nb, source)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
        else:
            assert "outputs" not in cell


# strip_volatile_metadata ------------------------------------------------------------

def test_strip_volatile_cell_metadata(solution_nb, source):
    nb = strip_volatile_metadata(solution_nb, source)
    for cell in nb.cells:
        assert set(cell.metadata) <= set(CELL_METADATA_KEPT)
        assert cell.metadata.get("tags", ["nonempty"]) != []
    by_id = {c.id: c for c in nb.cells}
    assert by_id["fixture-2"].metadata == {"tags": ["exercise"]}      # execution timings gone
    assert by_id["fixture-8"].metadata == {"editable": False, "deletable": False}


def test_strip_volatile_notebook_metadata(solution_nb, source):
    assert solution_nb.metadata.language_info.version == "3.12.3"
    nb = strip_volatile_metadata(solution_nb, source)
    assert nb.metadata == {
        "kernelspec": dict(solution_nb.metadata.kernelspec),
        # copied whole: JupyterLab fills in the kernel's language_info when it opens a
        # notebook, so a partial one would make every assignment open as modified
        "language_info": dict(solution_nb.metadata.language_info),
        "rnncourse": {"lesson": 99},
    }


def test_missing_kernelspec_gets_the_default(fixture_path):
    nb = strip_volatile_metadata(read_notebook(fixture_path("old_format")),
                                 Source("old_format", "old_format.ipynb"))
    assert nb.metadata.kernelspec == DEFAULT_KERNELSPEC


# set_assignment_metadata ------------------------------------------------------------

def test_set_assignment_metadata_keeps_other_rnncourse_keys(solution_nb):
    nb = set_assignment_metadata(solution_nb, Source("02_forward_propagation", "x.ipynb"))
    assert nb.metadata.rnncourse == {"lesson": 99, "assignment": "02_forward_propagation"}


@pytest.mark.parametrize("bad", ["", "-x", "has space", "dots.in.name", ".hidden"])
def test_assignment_name_must_be_a_plain_stem(solution_nb, bad):
    with pytest.raises(AuthoringError, match="assignment name"):
        set_assignment_metadata(solution_nb, Source(bad, f"{bad}.ipynb"))


# assign_cell_ids --------------------------------------------------------------------

def test_cell_ids_are_kept_when_present(solution_nb, source):
    nb = assign_cell_ids(solution_nb, source)
    assert [c.id for c in nb.cells] == [c.id for c in solution_nb.cells]
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)


def test_missing_ids_are_derived_not_random(fixture_path):
    nb = read_notebook(fixture_path("old_format"))
    assert not any("id" in c for c in nb.cells)
    first = assign_cell_ids(nb, Source("old_format", "old_format.ipynb"))
    second = assign_cell_ids(nb, Source("old_format", "old_format.ipynb"))
    ids = [c.id for c in first.cells]
    assert ids == [c.id for c in second.cells]
    assert len(set(ids)) == len(ids) and all(ids)
    other = assign_cell_ids(nb, Source("other_name", "other_name.ipynb"))
    assert [c.id for c in other.cells] != ids


def test_duplicate_ids_are_made_unique(solution_nb, source):
    nb = copy.deepcopy(solution_nb)
    nb.cells[1].id = nb.cells[0].id
    ids = [c.id for c in assign_cell_ids(nb, source).cells]
    assert ids[0] == solution_nb.cells[0].id
    assert len(set(ids)) == len(ids)


# the whole pipeline -----------------------------------------------------------------

def test_run_pipeline_applies_steps_in_order(solution_nb, source):
    nb = run_pipeline(solution_nb, source)
    assert nb == assign_cell_ids(set_assignment_metadata(strip_volatile_metadata(clear_outputs(
        add_skip_cell(drop_instructor_cells(replace_solutions(solution_nb, source), source),
                      source), source), source), source), source)
    assert nb.metadata.rnncourse.assignment == "solution"


# relax_grade_cells ------------------------------------------------------------------

def test_relax_grade_cells_makes_only_strict_check_cells_plain():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("check(rnn_forward, strict=True)"),
        nbformat.v4.new_code_cell("check( gru_cell_forward ,strict = True )"),
        nbformat.v4.new_code_cell("x = check(f, strict=True)  # not a grade cell"),
        nbformat.v4.new_markdown_cell("check(rnn_forward, strict=True)"),
    ])
    out = relax_grade_cells(nb, None)
    assert [c.source for c in out.cells] == [
        "check(rnn_forward)", "check(gru_cell_forward)",
        "x = check(f, strict=True)  # not a grade cell", "check(rnn_forward, strict=True)"]
    assert nb.cells[0].source == "check(rnn_forward, strict=True)"  # input untouched
