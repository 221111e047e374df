"""``rnncourse assign`` on the command line: output, exit codes, one-line errors."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from rnncourse.cli import main


@pytest.fixture
def course(tmp_path, fixture_path, monkeypatch):
    (tmp_path / "solutions").mkdir()
    shutil.copy(fixture_path("solution"), tmp_path / "solutions" / "02_forward_propagation.ipynb")
    monkeypatch.chdir(tmp_path)  # the defaults are relative: solutions/ and assignments/
    return tmp_path


def test_assign_then_check(course, capsys):
    assert main(["assign", "--check"]) == 1
    out = capsys.readouterr().out
    assert "missing: assignments/02_forward_propagation.ipynb" in out
    assert "run `rnncourse assign" in out

    assert main(["assign"]) == 0
    out = capsys.readouterr().out
    assert "wrote assignments/02_forward_propagation.ipynb" in out
    assert "1 written, 0 unchanged, 0 removed" in out

    assert main(["assign", "--check"]) == 0
    assert capsys.readouterr().out.strip() == "assignments/ is up to date (1 notebooks)"


def test_check_fails_on_a_stale_assignment(course, capsys):
    assert main(["assign"]) == 0
    path = course / "solutions" / "02_forward_propagation.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[2].source = nb.cells[2].source.replace("Return x + 1.", "Return x plus one.")
    nbformat.write(nb, path)
    capsys.readouterr()
    assert main(["assign", "--check"]) == 1
    assert "out of date: assignments/02_forward_propagation.ipynb" in capsys.readouterr().out


def test_custom_folders(course, capsys):
    (course / "solutions").rename(course / "src")
    assert main(["assign", "--source", "src", "--dest", "out"]) == 0
    assert (course / "out" / "02_forward_propagation.ipynb").is_file()
    assert main(["assign", "--source", "src", "--dest", "out", "--check"]) == 0


def test_author_mistakes_are_one_line_errors(course, fixture_path, capsys):
    shutil.copy(fixture_path("unclosed"), course / "solutions" / "05_gru.ipynb")
    assert main(["assign"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("rnncourse assign: error: solutions/05_gru.ipynb, cell 3, line 2: ")
    assert not (course / "assignments").exists()


def test_missing_source_folder_is_a_one_line_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["assign"]) == 2
    assert capsys.readouterr().err == ("rnncourse assign: error: solutions folder 'solutions' "
                                       "does not exist\n")

