"""First grading stage: a notebook file -> :class:`Submission` (code cells and identity).

Nothing here raises for a broken file: invalid JSON, non-UTF-8 bytes, an unknown
nbformat, an empty or oversized file all give a Submission whose ``problem`` says
what is wrong, and the grader turns it into a graded submission with score 0.

Which student and which assignment
    Decided by :mod:`rnncourse.grading.identity` from the layout: the student is the
    first folder under the submissions root, the assignment is ``--assignment``, else
    the notebook metadata ``rnncourse.assignment``, else the file name with copy
    suffixes stripped.  The content of a notebook never changes whose it is.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from .identity import identify

__all__ = ["MAX_NOTEBOOK_BYTES", "Submission", "digest_of", "file_digest", "read_submission"]

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
    #: per code cell, how the learner sees it: ``"cell 7, In [5]"`` (position among all
    #: cells, execution count when stored)
    cell_labels: tuple[str, ...] = ()

    def label(self, index: int) -> str:
        """The learner's name of code cell ``index`` (0-based among code cells)."""
        if 0 <= index < len(self.cell_labels):
            return self.cell_labels[index]
        return f"code cell {index + 1}"


def file_digest(data: bytes) -> str:
    """The content digest the gradebook keys resumption on."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    with open(path, "rb") as f:
        return f.read(max_bytes + 1)


def digest_of(path, *, max_bytes: int = MAX_NOTEBOOK_BYTES) -> str:
    """The digest :func:`read_submission` gives the file (without parsing it)."""
    return file_digest(_read_bytes(Path(path), max_bytes))


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


def read_submission(path, *, assignment: str | None = None, root=None,
                    max_bytes: int = MAX_NOTEBOOK_BYTES, data: bytes | None = None) -> Submission:
    """Read ``path`` into a :class:`Submission` (never raises for bad content).

    Parameters
    ----------
    path : str or Path
    assignment : str, optional
        Overrides the notebook's metadata and the file name.
    root : str or Path, optional
        The submissions root (default: the nearest folder named ``submitted``; see
        :func:`rnncourse.grading.identity.student_of`).
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
    rnncourse.grading.identity.IdentityError
        When the layout does not tell the student or the assignment.
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
    who = identify(path, metadata_assignment=meta_name, assignment=assignment, root=root)
    notes.extend(who.notes)
    cells: tuple[str, ...] = ()
    labels: list[str] = []
    if nb is not None:
        sources = []
        for position, cell in enumerate(nb["cells"], start=1):
            if isinstance(cell, dict) and cell.get("cell_type") == "code":
                source = cell.get("source", "")
                if isinstance(source, list):
                    source = "".join(s for s in source if isinstance(s, str))
                sources.append(source if isinstance(source, str) else "")
                count = cell.get("execution_count")
                labels.append(f"cell {position}, In [{count}]" if type(count) is int
                              else f"cell {position}")
        cells = tuple(sources)
    return Submission(path=str(path), digest=digest, assignment=who.assignment,
                      student=who.student, cells=cells, problem=problem,
                      notes=tuple(notes), cell_labels=tuple(labels))
