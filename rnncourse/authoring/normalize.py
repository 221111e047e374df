"""Store notebooks exactly as JupyterLab writes them, so that opening one changes nothing.

``python -m rnncourse.authoring.normalize [FILES]`` rewrites each notebook (default:
every ``*.ipynb`` in ``notebooks/``, ``solutions/`` and ``assignments/``); with
``--check`` it writes nothing and exits 1 listing the notebooks that are not
normalised.

What JupyterLab does when it opens a notebook and its kernel starts: it sets
``metadata.kernelspec`` to ``{name, display_name, language}`` of the kernel spec it
started and ``metadata.language_info`` to the kernel's ``kernel_info`` reply.  A
notebook stored with anything else (``nbconvert --execute`` keeps an old display
name, for one) shows as modified the moment it opens.  :func:`kernel_metadata`
starts the kernel once and asks it, so the stored values are the kernel's own.

What a notebook should not store:

* widget state (``metadata.widgets``, written by ``nbconvert --execute``): megabytes
  of figures that only a trusted notebook shows, stale as soon as a slider moves;
* a widget's view in a cell's output: without the state, JupyterLab shows its
  ``text/plain`` fallback, ``VBox(children=(...))``.  The output keeps only a
  one-line :data:`EXPLORER_PLACEHOLDER` instead, and the cell gets the tag
  ``nbval-ignore-output``: what an explorer draws reaches nbval as the cell's own
  output (nbval does not know output widgets), so it can never match what is stored;
* per-cell execution timings (``metadata.execution``, ``metadata.ExecuteTime``);
* nbval's comments in a learner's view of the code (``# NBVAL_IGNORE_OUTPUT``,
  ``# NBVAL_SKIP``, ...): each such line becomes the equivalent cell tag
  (``nbval-ignore-output``, ``nbval-skip``, ...), which nbval reads the same way.

The JSON text is nbformat's (``nbformat.writes`` plus a final newline), which is
what JupyterLab's server writes on save.
"""

from __future__ import annotations

import argparse
import copy
import functools
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from .._fileio import write_atomic
from .errors import AuthoringError
from .notebook_files import dumps, read_notebook

__all__ = [
    "EXPLORER_PLACEHOLDER", "KernelMetadata", "NBVAL_COMMENT", "VOLATILE_CELL_METADATA",
    "WIDGET_VIEW", "default_files", "is_normalized", "kernel_metadata", "main",
    "nbval_comments_to_tags", "normalize_file", "normalize_notebook", "normalize_text",
]

#: the mime type of a widget's view in a cell output
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: what a stored explorer output shows before its cell runs
EXPLORER_PLACEHOLDER = "Run this cell (after the cells above) to get the explorer."
#: cell metadata written by executors and extensions, different at every run
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime")
#: the folders normalised when no file is named
DEFAULT_FOLDERS = ("notebooks", "solutions", "assignments")
#: a line of cell source that is only an nbval comment, e.g. "# NBVAL_IGNORE_OUTPUT"
NBVAL_COMMENT = re.compile(r"^[ \t]*#[ \t]*NBVAL_(IGNORE_OUTPUT|SKIP|CHECK_OUTPUT|RAISES_EXCEPTION)"
                           r"[ \t]*$")
#: the tag of a cell whose outputs nbval does not compare
NBVAL_IGNORE = "nbval-ignore-output"
_DEFAULT_KERNEL = "python3"


@dataclass(frozen=True)
class KernelMetadata:
    """The notebook metadata JupyterLab writes for one kernel."""

    kernelspec: dict      #: {"display_name", "language", "name"} of the kernel spec
    language_info: dict   #: the kernel's kernel_info reply, ``language_info`` part

    def as_metadata(self) -> dict:
        return {"kernelspec": copy.deepcopy(self.kernelspec),
                "language_info": copy.deepcopy(self.language_info)}


@functools.lru_cache(maxsize=None)
def kernel_metadata(name: str = _DEFAULT_KERNEL, timeout: float = 60.0) -> KernelMetadata:
    """Start kernel ``name`` once, ask for its ``kernel_info`` and stop it.

    The kernel spec is looked up as JupyterLab's server looks it up (jupyter_client's
    ``KernelSpecManager``, which finds this virtual environment's ``python3`` first).
    Raises :class:`AuthoringError` when the kernel spec does not exist or the kernel
    does not answer within ``timeout`` seconds.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    from jupyter_client.manager import start_new_kernel

    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        raise AuthoringError(f"kernel_metadata: no kernel spec named {name!r} "
                             f"(see `jupyter kernelspec list`)") from None
    # the kernel's own messages (a warning about TCP on every start) go to a file, shown
    # only when it cannot answer
    with tempfile.TemporaryFile("w+") as log:
        try:
            manager, client = start_new_kernel(kernel_name=name, startup_timeout=timeout,
                                               stdout=log, stderr=log)
        except RuntimeError as exc:
            log.seek(0)
            raise AuthoringError(f"kernel_metadata: kernel {name!r} did not start ({exc}): "
                                 f"{log.read()[-2000:]}") from None
        try:
            msg_id = client.kernel_info()
            reply = client.get_shell_msg(timeout=timeout)
            while reply["parent_header"].get("msg_id") != msg_id:
                reply = client.get_shell_msg(timeout=timeout)
            language_info = dict(reply["content"]["language_info"])
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    kernelspec = {"display_name": spec.display_name, "language": spec.language, "name": name}
    return KernelMetadata(kernelspec, language_info)


def _widget_output(output) -> bool:
    """A widget's view, or the placeholder that replaced it."""
    data = output.get("data", {})
    return output.get("output_type") in ("display_data", "execute_result") and (
        WIDGET_VIEW in data or data.get("text/plain") == EXPLORER_PLACEHOLDER)


def nbval_comments_to_tags(source: str, tags: list) -> tuple[str, list]:
    """``source`` without its nbval comment lines, and ``tags`` with their cell tags added."""
    tags = list(tags)
    kept = []
    for line in source.split("\n"):
        match = NBVAL_COMMENT.match(line)
        if match is None:
            kept.append(line)
            continue
        tag = "nbval-" + match.group(1).lower().replace("_", "-")
        if tag not in tags:
            tags.append(tag)
    return "\n".join(kept), tags


def normalize_notebook(nb: NotebookNode, kernel: KernelMetadata | None = None) -> NotebookNode:
    """A normalised copy of ``nb`` (the argument is not modified).

    ``kernel`` gives the kernelspec and language_info to store; ``None`` keeps the
    notebook's own.  Other notebook and cell metadata
    (tags, ``rnncourse``, ``nbgrader``, ...) are kept.
    """
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    if kernel is not None:
        nb.metadata.update(nbformat.from_dict(kernel.as_metadata()))
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type != "code":
            continue
        source, tags = nbval_comments_to_tags(cell.source, cell.metadata.get("tags", []))
        if tags:
            cell.source, cell.metadata["tags"] = source, tags
        for output in cell.outputs:
            if _widget_output(output):
                output.data = nbformat.from_dict({"text/plain": EXPLORER_PLACEHOLDER})
                output.metadata = nbformat.from_dict({})
                tags = cell.metadata.setdefault("tags", [])
                if NBVAL_IGNORE not in tags:
                    tags.append(NBVAL_IGNORE)
    return nb


def normalize_text(text: str, kernel: KernelMetadata | None = None) -> str:
    """The normalised JSON text of the notebook ``text``."""
    nb = nbformat.reads(text, as_version=4)
    return dumps(normalize_notebook(nb, kernel))


def _kernel_for(nb: NotebookNode) -> KernelMetadata:
    return kernel_metadata(nb.metadata.get("kernelspec", {}).get("name") or _DEFAULT_KERNEL)


def is_normalized(path: str | os.PathLike) -> bool:
    """Whether the file at ``path`` is byte for byte its normalised self."""
    path = Path(path)
    nb = read_notebook(path)
    return path.read_bytes() == dumps(normalize_notebook(nb, _kernel_for(nb))).encode("utf-8")


def normalize_file(path: str | os.PathLike, *, check: bool = False) -> bool:
    """Normalise the notebook at ``path`` in place; return whether it changed.

    With ``check=True`` nothing is written (the return value says whether it would be).
    """
    path = Path(path)
    nb = read_notebook(path)
    text = dumps(normalize_notebook(nb, _kernel_for(nb)))
    changed = path.read_bytes() != text.encode("utf-8")
    if changed and not check:
        write_atomic(path, text)
    return changed


def default_files(root: str | os.PathLike = ".") -> list[Path]:
    """Every notebook of :data:`DEFAULT_FOLDERS` under ``root``, sorted."""
    root = Path(root)
    return sorted(p for folder in DEFAULT_FOLDERS for p in (root / folder).glob("*.ipynb")
                  if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rnncourse.authoring.normalize",
        description="Store notebooks as JupyterLab writes them: the kernel's own kernelspec "
                    "and language_info, no widget state, a one-line placeholder instead of "
                    "a widget's text, no execution timings.")
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="notebooks to normalise (default: every notebook in "
                             + ", ".join(f"{f}/" for f in DEFAULT_FOLDERS) + ")")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 listing the notebooks not normalised")
    args = parser.parse_args(argv)
    files = [Path(f) for f in args.files] or default_files()
    if not files:
        print("no notebooks found", file=sys.stderr)
        return 1
    changed = []
    for path in files:
        try:
            if normalize_file(path, check=args.check):
                changed.append(path)
        except (AuthoringError, OSError) as exc:
            print(f"normalize: {exc}", file=sys.stderr)
            return 1
    for path in changed:
        print(f"{'not normalised' if args.check else 'normalised'}: {path}")
    if args.check and changed:
        print("run `python -m rnncourse.authoring.normalize` to fix them")
        return 1
    print(f"{len(files)} notebooks: {len(changed)} rewritten, "
          f"{len(files) - len(changed)} already normalised")
    return 0

if __name__ == "__main__":
    sys.exit(main())
