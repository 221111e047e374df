"""The steps that turn a solution notebook into an assignment notebook.

Each step is a function ``step(nb, source) -> nb`` that returns a new notebook and
leaves its argument untouched, so it can be called and tested alone.  ``source``
says which notebook is being processed (its assignment name and its path, for
error messages).  :data:`PIPELINE` runs them in order; the constraints on that
order are written beside it.

Conventions a solution notebook follows (docs/authoring.md explains them):

* answers sit between solution markers (see :mod:`rnncourse.authoring.markers`);
* a cell tagged ``instructor`` (cell tag, View > Cell toolbar > Tags in Jupyter) is
  for the solution notebook only, e.g. a cell that shows the reference at work or
  asserts something about it; it does not reach the assignment.
"""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass
from typing import Callable

import nbformat
from nbformat import NotebookNode

from .errors import AuthoringError
from .markers import CODE, MARKDOWN, MarkerError, replace_regions

__all__ = [
    "CELL_METADATA_KEPT", "DEFAULT_KERNELSPEC", "INSTRUCTOR_TAG", "PIPELINE", "SKIP_CELL_ID",
    "SKIP_CELL_SOURCE", "Source", "Step", "add_skip_cell", "assign_cell_ids", "clear_outputs",
    "drop_instructor_cells", "replace_solutions",
    "run_pipeline", "set_assignment_metadata", "strip_volatile_metadata",
]

#: cells with this tag are dropped from the assignment
INSTRUCTOR_TAG = "instructor"
#: cell metadata that reaches the assignment; everything else (execution timings,
#: collapsed/scrolled state, editor extensions' keys) is volatile and dropped
CELL_METADATA_KEPT = ("tags", "editable", "deletable")
#: notebook metadata that reaches the assignment (plus ``rnncourse``, set below)
_KERNELSPEC_KEYS = ("display_name", "language", "name")
#: the kernel an assignment asks for when its solution notebook names none
DEFAULT_KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
#: the cell :func:`add_skip_cell` puts after an assignment's first code cell
SKIP_CELL_SOURCE = (
    "# Run All goes through the whole notebook even before every exercise is written: a cell\n"
    "# that needs a function you have not written yet prints \"skipped: ...\" and Run All\n"
    "# moves on, so every check below still reports.\n"
    "from rnncourse.grading import skip_unimplemented\n"
    "skip_unimplemented()"
)
SKIP_CELL_ID = "rnncourse-skip-unimplemented"


@dataclass(frozen=True)
class Source:
    """The solution notebook a step works on."""

    name: str   #: the assignment name: the file stem, e.g. "02_forward_propagation"
    path: str   #: the path shown in error messages


Step = Callable[[NotebookNode, Source], NotebookNode]


def _tags(cell) -> list:
    return list(cell.get("metadata", {}).get("tags", []))


def _compiles(code: str) -> bool:
    """Whether ``code`` is valid Python once IPython magics and shell escapes are blanked."""
    lines = []
    for line in code.split("\n"):
        stripped = line.lstrip()
        # %magic, %%cell magic, !shell: replaced by a statement at the same indentation
        lines.append(line[: len(line) - len(stripped)] + "pass" if stripped.startswith(("%", "!")) else line)
    try:
        compile("\n".join(lines), "<cell>", "exec")
    except (SyntaxError, ValueError):
        return False
    return True


def replace_solutions(nb: NotebookNode, source: Source) -> NotebookNode:
    """Replace every solution region by its stub (code and markdown cells).

    Raises :class:`AuthoringError` naming the notebook, the cell and the line for
    unbalanced, nested or malformed markers; when the notebook has no solution
    region at all (the assignment would have nothing to fill in); and when a stub
    breaks a code cell that compiled before (a BEGIN marker at the wrong
    indentation, e.g. a region that ends in the middle of a block).
    """
    nb = copy.deepcopy(nb)
    total = 0
    for number, cell in enumerate(nb.cells, start=1):
        syntax = {"code": CODE, "markdown": MARKDOWN}.get(cell.cell_type)
        if syntax is None:
            continue
        try:
            new, count = replace_regions(cell.source, syntax)
        except MarkerError as exc:
            raise AuthoringError(exc.message, notebook=source.path, cell=number,
                                 line=exc.line) from None
        if count and cell.cell_type == "code" and _compiles(cell.source) and not _compiles(new):
            raise AuthoringError(
                "replacing the solution by the stub leaves invalid Python; put "
                f"{CODE.begin!r} and {CODE.end!r} around whole statements, with the BEGIN "
                "marker at the indentation the stub should have",
                notebook=source.path, cell=number)
        cell.source = new
        total += count
    if total == 0:
        raise AuthoringError(f"no solution region: mark each answer with {CODE.begin!r} / "
                             f"{CODE.end!r} so the assignment has something to fill in",
                             notebook=source.path)
    return nb


def drop_instructor_cells(nb: NotebookNode, source: Source) -> NotebookNode:
    """Remove the cells tagged :data:`INSTRUCTOR_TAG`."""
    nb = copy.deepcopy(nb)
    nb.cells = [cell for cell in nb.cells if INSTRUCTOR_TAG not in _tags(cell)]
    return nb


def add_skip_cell(nb: NotebookNode, source: Source) -> NotebookNode:
    """Insert :data:`SKIP_CELL_SOURCE` after the first code cell (see rnncourse.grading.demos).

    Without it, Run All on a fresh assignment stops at the first demo cell that calls
    a stub, and the ``check`` cells after it never run.  Nothing is added when the
    notebook has no code stub, or when it already calls ``skip_unimplemented``.
    """
    code = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    has_stub = any(CODE.stub[-1] in nb.cells[i].source for i in code)
    if not has_stub or any("skip_unimplemented(" in nb.cells[i].source for i in code):
        return nb
    nb = copy.deepcopy(nb)
    cell = nbformat.v4.new_code_cell(SKIP_CELL_SOURCE)
    cell.id = SKIP_CELL_ID
    nb.cells.insert(code[0] + 1, cell)
    return nb


def relax_grade_cells(nb: NotebookNode, source: Source) -> NotebookNode:
    """``check(fn, strict=True)`` becomes ``check(fn)`` in what learners receive.

    The solutions' grade cells are strict for nbgrader (``nbgrader generate_assignment``
    releases them from the solutions, and a wrong answer must raise there to lose its
    points).  In ``assignments/`` a strict check would stop Run All at the first
    exercise not yet written; the learner's ``check`` prints its verdict instead, and
    ``rnncourse grade`` grades on hidden cases whatever the cell says.
    """
    from .nbgrader import CHECK_CELL

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            match = CHECK_CELL.match(cell.source)
            if match and "strict" in cell.source:
                cell.source = f"check({match.group(1)})"
    return nb


def clear_outputs(nb: NotebookNode, source: Source) -> NotebookNode:
    """Empty the outputs and execution counts of code cells."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def strip_volatile_metadata(nb: NotebookNode, source: Source) -> NotebookNode:
    """Keep only stable metadata.

    Cells keep :data:`CELL_METADATA_KEPT` (an empty tag list is dropped).  The
    notebook keeps its kernelspec (:data:`DEFAULT_KERNELSPEC` when it has none, so
    Jupyter opens the assignment without asking for a kernel), its ``language_info``
    and ``rnncourse``; widget state and everything else is dropped.  A solution
    notebook stored by :mod:`rnncourse.authoring.normalize` thus gives an assignment
    that JupyterLab opens without marking it modified.
    """
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        meta = {k: v for k, v in cell.get("metadata", {}).items() if k in CELL_METADATA_KEPT}
        if not meta.get("tags", True):
            del meta["tags"]
        cell.metadata = NotebookNode(meta)
    old = nb.metadata
    kernelspec = old.get("kernelspec") or DEFAULT_KERNELSPEC
    meta = {"kernelspec": {k: kernelspec[k] for k in _KERNELSPEC_KEYS if k in kernelspec}}
    if old.get("language_info"):
        # as the solution stores it (normalised: the kernel's kernel_info reply), so that
        # JupyterLab, filling it in when the kernel starts, finds nothing to change
        meta["language_info"] = copy.deepcopy(old.language_info)
    if "rnncourse" in old:
        meta["rnncourse"] = copy.deepcopy(old.rnncourse)
    nb.metadata = NotebookNode(meta)
    return nb


def set_assignment_metadata(nb: NotebookNode, source: Source) -> NotebookNode:
    """Set ``metadata.rnncourse.assignment`` to the assignment name.

    The grader reads it to know which exercises a submission holds, whatever the
    learner renamed the file to.
    """
    if not _NAME.match(source.name):
        raise AuthoringError(f"the assignment name {source.name!r} (the file name without "
                             f".ipynb) must start with a letter or digit and hold only "
                             f"letters, digits, '_' and '-'", notebook=source.path)
    nb = copy.deepcopy(nb)
    rnncourse = dict(nb.metadata.get("rnncourse", {}))
    rnncourse["assignment"] = source.name
    nb.metadata["rnncourse"] = NotebookNode(rnncourse)
    return nb


def assign_cell_ids(nb: NotebookNode, source: Source) -> NotebookNode:
    """Give every cell a stable id (nbformat 4.5).

    A cell keeps the id it has in the solution notebook, so an assignment cell can
    be traced back to its solution cell; a cell without one (an nbformat 4.4
    notebook) or with a duplicate gets an id derived from the assignment name and
    its position, never a random one, so regeneration is byte-identical.
    """
    nb = copy.deepcopy(nb)
    nb.nbformat, nb.nbformat_minor = 4, max(5, nb.get("nbformat_minor", 5))
    seen = set()
    for index, cell in enumerate(nb.cells):
        cell_id = cell.get("id")
        salt = 0
        while not cell_id or cell_id in seen:
            digest = hashlib.sha1(f"{source.name}:{index}:{salt}".encode()).hexdigest()
            cell_id, salt = digest[:8], salt + 1
        cell.id = cell_id
        seen.add(cell_id)
    return nb


#: The pipeline, in order.  Constraints:
#: * replace_solutions comes first, so the cell numbers in its errors are those the
#:   author sees in the solution notebook (no cell has been dropped yet);
#: * set_assignment_metadata comes after strip_volatile_metadata, which rebuilds the
#:   notebook metadata;
#: * add_skip_cell comes after replace_solutions (it looks for stubs) and after
#:   drop_instructor_cells (the first code cell must be one the learner gets);
#: * relax_grade_cells: any time (it rewrites only ``check(fn, strict=True)`` cells);
#: * assign_cell_ids comes last: it numbers the cells that remain.
PIPELINE: tuple[Step, ...] = (
    replace_solutions,
    drop_instructor_cells,
    add_skip_cell,
    relax_grade_cells,
    clear_outputs,
    strip_volatile_metadata,
    set_assignment_metadata,
    assign_cell_ids,
)


def run_pipeline(nb: NotebookNode, source: Source,
                 steps: tuple[Step, ...] = PIPELINE) -> NotebookNode:
    """Apply ``steps`` in order; the input notebook is not modified."""
    for step in steps:
        nb = step(nb, source)
    return nb
