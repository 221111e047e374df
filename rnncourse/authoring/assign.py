"""``solutions/`` -> ``assignments/``: the programmatic API behind ``rnncourse assign``.

:func:`generate_assignment` runs the pipeline of :mod:`rnncourse.authoring.steps`
on one solution notebook; :func:`assign` does it for a whole folder and either
writes the results or, with ``check=True``, only compares them with what is on disk.
Both return data and print nothing; the CLI formats it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from nbformat import NotebookNode

from .errors import AuthoringError
from .._fileio import write_atomic
from .notebook_files import dumps, read_notebook
from .steps import PIPELINE, Source, run_pipeline

__all__ = ["AssignResult", "assign", "generate_assignment", "render_assignment", "render_solution"]


def _render_text(text: str, path: Path) -> str:
    """:func:`render_assignment` of a solution notebook given as its JSON ``text``."""
    import nbformat

    return dumps(run_pipeline(nbformat.reads(text, as_version=4),
                              Source(name=path.stem, path=str(path)), PIPELINE))


def render_solution(path: str | os.PathLike) -> str:
    """The solution notebook at ``path`` with its nbgrader cell metadata in sync
    (:mod:`rnncourse.authoring.nbgrader`), serialised as :func:`assign` writes it."""
    from ..grading.exercises import ASSIGNMENT_MODULES, get_assignment
    from .nbgrader import nbgrader_metadata

    path = Path(path)
    points = ({ex.name: ex.points for ex in get_assignment(path.stem).exercises}
              if path.stem in ASSIGNMENT_MODULES else {})
    return dumps(nbgrader_metadata(read_notebook(path), path.stem, points))


def generate_assignment(path: str | os.PathLike) -> NotebookNode:
    """The assignment notebook generated from the solution notebook at ``path``.

    The assignment name is the file stem (``solutions/02_forward_propagation.ipynb``
    -> ``"02_forward_propagation"``).  Raises :class:`AuthoringError` naming the
    notebook (and the cell) when it cannot be converted.
    """
    path = Path(path)
    return run_pipeline(read_notebook(path), Source(name=path.stem, path=str(path)), PIPELINE)


def render_assignment(path: str | os.PathLike) -> str:
    """:func:`generate_assignment` serialised exactly as :func:`assign` writes it."""
    try:
        return dumps(generate_assignment(path))
    except AuthoringError as exc:
        if exc.notebook is None:
            raise AuthoringError(exc.reason, notebook=str(path)) from None
        raise


@dataclass(frozen=True)
class AssignResult:
    """What :func:`assign` found and did; paths are inside ``dest``.

    In check mode nothing is written: ``stale`` and ``missing`` list what a run
    without ``check`` would write, ``extra`` the assignments without a solution.
    Otherwise ``written`` lists the files (re)written, ``removed`` the assignments
    whose solution notebook is gone, and ``extra`` the notebooks in ``dest`` that
    ``rnncourse assign`` did not generate (left alone).
    """

    source: Path
    dest: Path
    check: bool
    unchanged: tuple[Path, ...] = ()
    stale: tuple[Path, ...] = ()
    missing: tuple[Path, ...] = ()
    extra: tuple[Path, ...] = ()
    written: tuple[Path, ...] = ()
    removed: tuple[Path, ...] = ()
    #: solution notebooks whose nbgrader cell metadata was (check mode: would be) rewritten
    solutions: tuple[Path, ...] = ()

    @property
    def ok(self) -> bool:
        """Check mode: ``dest`` is up to date.  Write mode: nothing was left unexplained."""
        if self.check:
            return not (self.stale or self.missing or self.extra or self.solutions)
        return not self.extra


def _notebooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.ipynb") if p.is_file())


def _generated_by_us(path: Path) -> bool:
    """Whether ``path`` is an assignment that ``rnncourse assign`` wrote (its metadata says so)."""
    try:
        nb = read_notebook(path)
    except AuthoringError:
        return False
    return nb.metadata.get("rnncourse", {}).get("assignment") == path.stem


def assign(source: str | os.PathLike = "solutions", dest: str | os.PathLike = "assignments",
           *, check: bool = False) -> AssignResult:
    """Generate ``dest/NAME.ipynb`` for every ``source/NAME.ipynb``.

    Parameters
    ----------
    source : path, default "solutions"
        Folder of solution notebooks (not searched recursively).
    dest : path, default "assignments"
        Folder of generated assignments; created when missing (write mode).
    check : bool, keyword-only
        Compare only: write nothing and report what is out of date.

    Returns
    -------
    AssignResult

    Raises
    ------
    FileNotFoundError
        ``source`` is not a folder.
    AuthoringError
        A solution notebook cannot be converted.  Every notebook is generated in
        memory before anything is written, so a broken one leaves ``dest`` as it was.
    """
    source, dest = Path(source), Path(dest)
    if not source.is_dir():
        raise FileNotFoundError(f"solutions folder {str(source)!r} does not exist")
    if dest.resolve() == source.resolve():
        raise ValueError(f"source and dest are the same folder ({str(source)!r}): "
                         f"generating would overwrite the solutions")
    # every assignment is rendered (from its solution with nbgrader metadata in sync)
    # before anything is written: a broken solution leaves both folders as they were
    solutions = {}
    wanted = {}
    for p in _notebooks(source):
        wanted[dest / p.name] = render_assignment(p)  # the author's errors, named
        solutions[p] = render_solution(p)
        wanted[dest / p.name] = _render_text(solutions[p], p)
    stale_solutions = [p for p, text in solutions.items() if p.read_bytes() != text.encode("utf-8")]
    if not check:
        for p in stale_solutions:
            write_atomic(p, solutions[p])
    existing = _notebooks(dest) if dest.is_dir() else []

    unchanged, stale, missing = [], [], []
    for target, text in wanted.items():
        if not target.exists():
            missing.append(target)
        elif target.read_bytes() == text.encode("utf-8"):
            unchanged.append(target)
        else:
            stale.append(target)
    orphans = [p for p in existing if p not in wanted]

    if check:
        return AssignResult(source, dest, True, unchanged=tuple(unchanged), stale=tuple(stale),
                            missing=tuple(missing), extra=tuple(orphans),
                            solutions=tuple(stale_solutions))

    dest.mkdir(parents=True, exist_ok=True)
    written = sorted(stale + missing)
    for target in written:
        write_atomic(target, wanted[target])
    removed = [p for p in orphans if _generated_by_us(p)]
    for p in removed:
        p.unlink()
    return AssignResult(source, dest, False, unchanged=tuple(unchanged),
                        extra=tuple(p for p in orphans if p not in removed),
                        written=tuple(written), removed=tuple(removed),
                        solutions=tuple(stale_solutions))
