"""assign(): whole folders, determinism, check mode, stale/missing/extra files."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from rnncourse.authoring import AuthoringError, assign, generate_assignment, render_assignment


@pytest.fixture
def course(tmp_path, fixture_path):
    """A course folder with two valid solution notebooks."""
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    shutil.copy(fixture_path("solution"), solutions / "02_forward_propagation.ipynb")
    shutil.copy(fixture_path("old_format"), solutions / "03_backprop_through_time.ipynb")
    return tmp_path


def test_generate_assignment_names_it_after_the_file(course):
    nb = generate_assignment(course / "solutions" / "02_forward_propagation.ipynb")
    assert nb.metadata.rnncourse.assignment == "02_forward_propagation"


def test_generated_assignment_is_a_valid_notebook_without_answers(course):
    text = render_assignment(course / "solutions" / "02_forward_propagation.ipynb")
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    assert "y = x + 1" not in text and "SOLUTION" not in text and '"instructor"' not in text
    assert "check(add_one)" in text


def test_two_runs_are_byte_identical(course):
    first = assign(course / "solutions", course / "a1")
    second = assign(course / "solutions", course / "a2")
    assert len(first.written) == len(second.written) == 2
    for p in first.written:
        assert p.read_bytes() == (course / "a2" / p.name).read_bytes()
    again = assign(course / "solutions", course / "a1")
    assert again.written == () and len(again.unchanged) == 2


def test_regenerating_from_a_re_executed_solution_changes_nothing(course):
    # a solution executed again (new outputs, counts, timings) gives the same assignment; its
    # language_info is copied (the normaliser sets it to the kernel's, see test_normalize.py)
    assign(course / "solutions", course / "assignments")
    path = course / "solutions" / "02_forward_propagation.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = (cell.execution_count or 0) + 10
            cell.metadata["execution"] = {"shell.execute_reply": "2030-01-01T00:00:00Z"}
    nbformat.write(nb, path)
    assert assign(course / "solutions", course / "assignments", check=True).ok


def test_check_mode_writes_nothing_and_lists_missing(course):
    result = assign(course / "solutions", course / "assignments", check=True)
    assert not result.ok
    assert [p.name for p in result.missing] == ["02_forward_propagation.ipynb",
                                                "03_backprop_through_time.ipynb"]
    assert not (course / "assignments").exists()


def test_check_detects_a_stale_assignment(course):
    assign(course / "solutions", course / "assignments")
    assert assign(course / "solutions", course / "assignments", check=True).ok
    path = course / "solutions" / "02_forward_propagation.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source += "\n\nA new paragraph."
    nbformat.write(nb, path)
    result = assign(course / "solutions", course / "assignments", check=True)
    assert not result.ok
    assert [p.name for p in result.stale] == ["02_forward_propagation.ipynb"]
    assert [p.name for p in result.unchanged] == ["03_backprop_through_time.ipynb"]


def test_editing_only_an_answer_leaves_the_assignment_unchanged(course):
    assign(course / "solutions", course / "assignments")
    path = course / "solutions" / "02_forward_propagation.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[2].source = nb.cells[2].source.replace("y = x + 1", "y = 1 + x")
    nbformat.write(nb, path)
    assert assign(course / "solutions", course / "assignments", check=True).ok


def test_check_detects_a_hand_edited_assignment(course):
    assign(course / "solutions", course / "assignments")
    path = course / "assignments" / "03_backprop_through_time.ipynb"
    path.write_text(path.read_text(encoding="utf-8").replace("YOUR CODE HERE", "my answer"),
                    encoding="utf-8")
    result = assign(course / "solutions", course / "assignments", check=True)
    assert [p.name for p in result.stale] == ["03_backprop_through_time.ipynb"]


def test_extra_assignments(course):
    assign(course / "solutions", course / "assignments")
    (course / "solutions" / "03_backprop_through_time.ipynb").unlink()
    foreign = course / "assignments" / "handmade.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), foreign)
    checked = assign(course / "solutions", course / "assignments", check=True)
    assert not checked.ok
    assert [p.name for p in checked.extra] == ["03_backprop_through_time.ipynb", "handmade.ipynb"]
    # writing removes the assignment we generated, leaves the foreign notebook and says so
    written = assign(course / "solutions", course / "assignments")
    assert [p.name for p in written.removed] == ["03_backprop_through_time.ipynb"]
    assert [p.name for p in written.extra] == ["handmade.ipynb"] and not written.ok
    assert foreign.exists()


def test_a_broken_solution_writes_nothing(course, fixture_path):
    assign(course / "solutions", course / "assignments")
    before = {p.name: p.read_bytes() for p in (course / "assignments").iterdir()}
    path = course / "solutions" / "02_forward_propagation.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = "changed"
    nbformat.write(nb, path)
    shutil.copy(fixture_path("nested"), course / "solutions" / "04_vanishing_gradients.ipynb")
    with pytest.raises(AuthoringError, match=r"04_vanishing_gradients\.ipynb, cell 2, line 4"):
        assign(course / "solutions", course / "assignments")
    assert {p.name: p.read_bytes() for p in (course / "assignments").iterdir()} == before


def test_missing_source_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        assign(tmp_path / "nope", tmp_path / "assignments")


def test_source_and_dest_must_differ(course):
    with pytest.raises(ValueError, match="same folder"):
        assign(course / "solutions", course / "solutions" / ".." / "solutions")
