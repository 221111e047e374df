"""Solution markers: find the answer regions in a cell's source and replace them.

Code cells use nbgrader's markers, each alone on its line (indentation allowed)::

    def rnn_cell_forward(x_t, a_prev, params):
        ### BEGIN SOLUTION
        z = params["Waa"] @ a_prev + params["Wax"] @ x_t + params["ba"]
        ...
        ### END SOLUTION

and the region becomes the nbgrader stub at the indentation of the BEGIN line::

    def rnn_cell_forward(x_t, a_prev, params):
        # YOUR CODE HERE
        raise NotImplementedError()

Markdown cells (a written answer) use HTML comments, which stay invisible when the
solution notebook is rendered: ``<!-- BEGIN SOLUTION -->`` / ``<!-- END SOLUTION -->``;
the region becomes ``YOUR ANSWER HERE``.

Regions may not nest and must be closed in the same cell.  A line that looks like a
marker but is not one (``## BEGIN SOLUTION``, ``### begin solution``,
``### END SOLUTIONS``, a markdown marker in a code cell) is an error rather than
text, because a typo in a marker would otherwise publish the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CODE", "MARKDOWN", "MarkerError", "MarkerSyntax", "find_regions", "replace_regions"]


@dataclass(frozen=True)
class MarkerSyntax:
    """The markers and the stub of one cell type."""

    cell_type: str
    begin: str
    end: str
    stub: tuple[str, ...]
    #: a stripped line starting with one of these may be a marker (checked for typos)
    comment_prefixes: tuple[str, ...]


CODE = MarkerSyntax(
    cell_type="code",
    begin="### BEGIN SOLUTION",
    end="### END SOLUTION",
    stub=("# YOUR CODE HERE", "raise NotImplementedError()"),
    comment_prefixes=("#",),
)
MARKDOWN = MarkerSyntax(
    cell_type="markdown",
    begin="<!-- BEGIN SOLUTION -->",
    end="<!-- END SOLUTION -->",
    stub=("YOUR ANSWER HERE",),
    comment_prefixes=("#", "<!--"),
)

# "BEGIN SOLUTION", "end solutions", "BEGIN_SOLUTION": anything an author may have meant as a marker
_LOOKS_LIKE_MARKER = re.compile(r"\b(BEGIN|END)[\s_]*SOLUTIONS?\b", re.IGNORECASE)


class MarkerError(Exception):
    """A marker problem at ``line`` (1-based) of one cell's source."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def _classify(line: str, syntax: MarkerSyntax) -> str | None:
    """``"begin"``, ``"end"`` or ``None`` for an ordinary line; raise on a malformed marker."""
    text = line.strip()
    if text == syntax.begin:
        return "begin"
    if text == syntax.end:
        return "end"
    if text.startswith(syntax.comment_prefixes) and _LOOKS_LIKE_MARKER.search(text):
        raise MarkerError(0, f"{text!r} looks like a solution marker but is not one; in a "
                             f"{syntax.cell_type} cell write {syntax.begin!r} and "
                             f"{syntax.end!r}, each alone on its line")
    return None


def find_regions(source: str, syntax: MarkerSyntax) -> list[tuple[int, int]]:
    """The solution regions of ``source`` as ``(begin, end)`` 0-based line indices.

    Raises
    ------
    MarkerError
        On a nested BEGIN, an END without BEGIN, a BEGIN never closed, or a
        malformed marker; ``.line`` is the 1-based line of the offending marker.
    """
    regions = []
    opened: int | None = None
    for i, line in enumerate(source.split("\n")):
        try:
            kind = _classify(line, syntax)
        except MarkerError as exc:
            raise MarkerError(i + 1, exc.message) from None
        if kind == "begin":
            if opened is not None:
                raise MarkerError(i + 1, f"{syntax.begin!r} inside the solution region opened "
                                         f"on line {opened + 1}: regions cannot nest; close it "
                                         f"with {syntax.end!r} first")
            opened = i
        elif kind == "end":
            if opened is None:
                raise MarkerError(i + 1, f"{syntax.end!r} without a matching {syntax.begin!r} "
                                         f"before it in the same cell")
            regions.append((opened, i))
            opened = None
    if opened is not None:
        raise MarkerError(opened + 1, f"{syntax.begin!r} is never closed: add {syntax.end!r} "
                                      f"in the same cell")
    return regions


def replace_regions(source: str, syntax: MarkerSyntax) -> tuple[str, int]:
    """Replace every solution region of ``source`` by the stub of ``syntax``.

    Lines outside the regions are kept exactly.  The stub takes the indentation of
    the region's BEGIN line, so a region inside a function body stays inside it.

    Returns
    -------
    source : str
        The source with stubs in place of the regions.
    n_regions : int
        How many regions were replaced (0 leaves ``source`` unchanged).
    """
    regions = find_regions(source, syntax)
    if not regions:
        return source, 0
    lines = source.split("\n")
    out: list[str] = []
    start = 0
    for begin, end in regions:
        out.extend(lines[start:begin])
        indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
        out.extend(indent + stub_line for stub_line in syntax.stub)
        start = end + 1
    out.extend(lines[start:])
    return "\n".join(out), len(regions)
