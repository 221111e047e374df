"""Reading solution notebooks and serialising assignments."""

from __future__ import annotations

import json

import nbformat
import pytest

from rnncourse.authoring import AuthoringError
from rnncourse.authoring.notebook_files import dumps, read_notebook


def test_dumps_is_stable_sorted_indented_with_trailing_newline(solution_nb):
    text = dumps(solution_nb)
    assert text == dumps(nbformat.reads(text, as_version=4))  # a fixed point
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text.startswith('{\n "cells": [\n  {\n')            # indent=1
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert list(data["metadata"]) == sorted(data["metadata"])


def test_dumps_refuses_an_invalid_notebook(solution_nb):
    solution_nb.cells[0]["cell_type"] = "not-a-type"
    with pytest.raises(AuthoringError, match="not valid nbformat"):
        dumps(solution_nb)


def test_read_rejects_invalid_json(tmp_path):
    path = tmp_path / "not_json.ipynb"
    path.write_bytes(b'{"cells": [')  # cut short: not valid JSON
    with pytest.raises(AuthoringError, match=r"not_json\.ipynb: not a notebook: invalid JSON"):
        read_notebook(path)


def test_read_rejects_non_utf8(tmp_path):
    path = tmp_path / "latin1.ipynb"
    path.write_bytes(b'{"cells": "\xe9"}')
    with pytest.raises(AuthoringError, match="not UTF-8"):
        read_notebook(path)


def test_read_rejects_json_that_is_not_a_notebook(tmp_path):
    path = tmp_path / "wrong.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": [{"cell_type": "code"}],
                                "metadata": {}}), encoding="utf-8")
    with pytest.raises(AuthoringError, match="not a valid nbformat 4 notebook"):
        read_notebook(path)
