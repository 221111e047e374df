"""Reading solution notebooks and serialising assignments byte for byte reproducibly."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from .errors import AuthoringError

__all__ = ["dumps", "read_notebook"]


def read_notebook(path: str | os.PathLike) -> NotebookNode:
    """Read and validate a notebook (nbformat 4), or raise :class:`AuthoringError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise AuthoringError(f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                             notebook=str(path)) from None
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except (json.JSONDecodeError, nbformat.reader.NotJSONError) as exc:
        raise AuthoringError(f"not a notebook: invalid JSON ({exc})", notebook=str(path)) from None
    except nbformat.ValidationError as exc:
        raise AuthoringError(f"not a valid nbformat 4 notebook: {exc.message}",
                             notebook=str(path)) from None
    return nb


def dumps(nb: NotebookNode) -> str:
    """The notebook as the JSON text that is written to disk.

    nbformat's writer sorts keys and indents by one space; a trailing newline is
    added (as ``nbformat.write`` does).  The same notebook always gives the same
    text, which is what makes ``rnncourse assign --check`` a plain comparison.
    """
    problem: dict = {}
    text = nbformat.writes(nb, capture_validation_error=problem)
    if "ValidationError" in problem:
        raise AuthoringError(f"the generated notebook is not valid nbformat: "
                             f"{problem['ValidationError'].message}")
    return text if text.endswith("\n") else text + "\n"
