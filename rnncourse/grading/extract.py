"""First grading stage: a notebook file -> :class:`Submission` (code cells and identity).

Nothing here raises for a broken file: invalid JSON, non-UTF-8 bytes, an unknown
nbformat, an empty or oversized file all give a Submission whose ``problem`` says
what is wrong, and the grader turns it into a graded submission with score 0.

Which assignment
    ``--assignment`` when the instructor gives it; otherwise the notebook metadata
    ``rnncourse.assignment`` (set by ``rnncourse assign``); otherwise the file name
    without ``.ipynb``.
Which student
    In nbgrader's layout ``submitted/<student>/<assignment>/<notebook>.ipynb`` and in
    ``<student>/<assignment>.ipynb`` it is the folder named after the student (the
    parent of the assignment folder, or the parent of a file named after the
    assignment); otherwise the file name without ``.ipynb`` (``alice.ipynb`` ->
    ``alice``).
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["MAX_NOTEBOOK_BYTES", "Submission", "digest_of", "file_digest", "read_submission",
           "student_of"]

#: notebooks larger than this are not parsed (a graded submission with score 0)
MAX_NOTEBOOK_BYTES = 64 * 2**20


@dataclass(frozen=True)
class Submission:
    """A submission as the later stages need it.

    ``cells`` are the sources of the code cells in notebook order (outputs and
    markdown dropped).  ``problem`` is set when the file could not be read as a
    notebook; ``cells`` is then empty.
    """

    path: str
    digest: str
    assignment: str
    student: str
    cells: tuple[str, ...] = ()
    problem: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def file_digest(data: bytes) -> str:
    """The content digest the gradebook keys resumption on."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    with open(path, "rb") as f:
        return f.read(max_bytes + 1)


def digest_of(path, *, max_bytes: int = MAX_NOTEBOOK_BYTES) -> str:
    """The digest :func:`read_submission` gives the file (without parsing it)."""
    return file_digest(_read_bytes(Path(path), max_bytes))


def student_of(path: Path, assignment: str) -> str:
    """The student a submission belongs to (the rule is in the module docstring)."""
    if path.parent.name == assignment and path.parent.parent.name:
        return path.parent.parent.name
    if path.stem == assignment and path.parent.name not in ("", "."):
        return path.resolve().parent.name
    return path.stem


def _read_notebook(data: bytes):
    import nbformat  # the grader's dependency; learners' kernels never import it here

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"the file is not UTF-8 text (byte {exc.start})"
    if not text.strip():
        return None, "the file is empty"
    try:
        with warnings.catch_warnings():  # a learner's duplicate cell ids are not our concern
            warnings.simplefilter("ignore")
            nb = nbformat.reads(text, as_version=4)
    except nbformat.reader.NotJSONError:
        return None, "the file is not valid notebook JSON"
    except Exception as exc:  # unknown nbformat, missing keys, ...
        return None, f"the file is not a readable notebook ({type(exc).__name__}: {str(exc)[:200]})"
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        return None, "the notebook has no list of cells"
    return nb, None


def read_submission(path, *, assignment: str | None = None,
                    max_bytes: int = MAX_NOTEBOOK_BYTES, data: bytes | None = None) -> Submission:
    """Read ``path`` into a :class:`Submission` (never raises for bad content).

    Parameters
    ----------
    path : str or Path
    assignment : str, optional
        Overrides the notebook's metadata and the file name.
    max_bytes : int
        Larger files are not parsed.
    data : bytes, optional
        The file's content, already read (a Dask worker receives it from the client);
        ``path`` then only names the submission.

    Raises
    ------
    FileNotFoundError, PermissionError, IsADirectoryError
        When the file cannot be opened at all (an error of the command, not of the
        submission).
    """
    path = Path(path)
    data = _read_bytes(path, max_bytes) if data is None else data[:max_bytes + 1]
    digest = file_digest(data)
    notes: list[str] = []
    nb, problem = (None, f"the file is larger than {max_bytes // 2**20} MB") \
        if len(data) > max_bytes else _read_notebook(data)
    meta_name = None
    if nb is not None:
        meta = nb.get("metadata", {}).get("rnncourse", {})
        meta_name = meta.get("assignment") if isinstance(meta, dict) else None
        if not isinstance(meta_name, str):
            meta_name = None
    name = assignment or meta_name or path.stem
    if assignment and meta_name and meta_name != assignment:
        notes.append(f"the notebook's metadata says assignment {meta_name!r}; "
                     f"graded as {assignment!r} as requested")
    cells: tuple[str, ...] = ()
    if nb is not None:
        sources = []
        for cell in nb["cells"]:
            if isinstance(cell, dict) and cell.get("cell_type") == "code":
                source = cell.get("source", "")
                if isinstance(source, list):
                    source = "".join(s for s in source if isinstance(s, str))
                sources.append(source if isinstance(source, str) else "")
        cells = tuple(sources)
    return Submission(path=str(path), digest=digest, assignment=name,
                      student=student_of(path, name), cells=cells, problem=problem,
                      notes=tuple(notes))
