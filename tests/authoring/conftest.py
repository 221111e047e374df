"""Fixture notebooks of the authoring tests (tests/fixtures/authoring/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rnncourse.authoring.notebook_files import read_notebook
from rnncourse.authoring.steps import Source

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "authoring"


@pytest.fixture
def fixture_path():
    """``fixture_path("solution")`` -> the path of tests/fixtures/authoring/solution.ipynb."""
    return lambda name: FIXTURES / f"{name}.ipynb"


@pytest.fixture
def solution_nb():
    """The happy-path solution notebook, read with nbformat."""
    return read_notebook(FIXTURES / "solution.ipynb")


@pytest.fixture
def source():
    return Source(name="solution", path="tests/fixtures/authoring/solution.ipynb")
