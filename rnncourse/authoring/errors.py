"""The one error the authoring pipeline raises."""

from __future__ import annotations

__all__ = ["AuthoringError"]


class AuthoringError(ValueError):
    """A solution notebook cannot be turned into an assignment.

    The message names the notebook and, when one is to blame, the cell (1-based, as
    counted from the top of the solution notebook) and the line inside it, so the
    author can go straight to the mistake.  It is a ``ValueError`` so that the
    ``rnncourse`` command prints it as one line and exits with code 2.
    """

    def __init__(self, message: str, *, notebook: str | None = None,
                 cell: int | None = None, line: int | None = None):
        self.notebook = notebook
        self.cell = cell
        self.line = line
        self.reason = message
        where = []
        if notebook is not None:
            where.append(notebook)
        if cell is not None:
            where.append(f"cell {cell}")
        if line is not None:
            where.append(f"line {line}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
