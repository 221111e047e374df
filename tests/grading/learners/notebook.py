"""Build learner submissions from the real assignment notebooks, and run them in-process."""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Mistake:
    """A classic wrong answer to ``exercise`` and the phrase its feedback must contain."""

    exercise: str
    what: str
    source: str
    diagnosis: str


def variant(source: str, old: str, new: str) -> str:
    """``source`` with the one line ``old`` written as ``new`` (a classic slip in an answer)."""
    if source.count(old) != 1:
        raise ValueError(f"variant: {old!r} occurs {source.count(old)} times in the answer, not once")
    return source.replace(old, new)


def _defines(cell, name: str) -> bool:
    return cell.cell_type == "code" and re.search(rf"^def {re.escape(name)}\(", cell.source, re.M)


def build(assignment: str, answers: dict, extra_imports: str = ""):
    """``assignments/<assignment>.ipynb`` with each exercise cell replaced by its answer.

    The notebook keeps every other cell (the given code, the demos, the ``check`` calls),
    as a learner hands it in; ``extra_imports`` is appended to the first code cell.
    """
    nb = nbformat.read(REPO / "assignments" / f"{assignment}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    if extra_imports:
        code[0].source = code[0].source.rstrip("\n") + "\n" + extra_imports
    for name, source in answers.items():
        cells = [c for c in nb.cells if _defines(c, name)]
        assert len(cells) == 1, f"{assignment}: {len(cells)} cells define {name}"
        cells[0].source = source.strip("\n") + "\n"
    return nb


def write(nb, folder: Path, assignment: str) -> Path:
    path = folder / "submitted" / "learner" / f"{assignment}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def run_in_process(nb) -> dict:
    """Run the notebook's code cells in one namespace, as a kernel would; a cell that
    raises is skipped (the learner runs the next one).  Returns the namespace, with
    ``In`` holding the cells as IPython would."""
    import matplotlib

    matplotlib.use("Agg")
    namespace: dict = {"__name__": "__main__", "In": [""]}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        namespace["In"].append(cell.source)
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                exec(compile(cell.source, "<cell>", "exec"), namespace)
            except Exception:
                pass
    return namespace


def rounds(mistakes) -> list[list[Mistake]]:
    """Mistakes grouped so that each group holds at most one per exercise."""
    out: list[list[Mistake]] = []
    for m in mistakes:
        for group in out:
            if all(g.exercise != m.exercise for g in group):
                group.append(m)
                break
        else:
            out.append([m])
    return out
