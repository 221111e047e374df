"""Writing files so that a reader never sees half of one.

Grading writes files that instructors open while a batch is still running (the CSV
export, per-student feedback).  :func:`write_atomic` writes into a temporary file in
the target's own folder, flushes it to disk and renames it over the target: a reader
sees the old file or the new one, and an interruption at any moment (even ``kill -9``)
leaves at worst a stray ``.*.tmp`` file beside an intact target.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomic"]


def _default_mode() -> int:
    """The permissions ``open(path, "w")`` would give a new file (0o666 minus the umask)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path, data: str | bytes, *, encoding: str = "utf-8") -> Path:
    """Replace the file at ``path`` with ``data`` in one step; return the path.

    Parameters
    ----------
    path : str or os.PathLike
        The target file.  Its folder must exist; the target itself may or may not.
    data : str or bytes
        The whole new content.  ``str`` is encoded with ``encoding`` and written as is
        (no newline translation: callers choose their line endings).
    encoding : str
        Encoding of ``str`` data.

    Notes
    -----
    An existing target keeps its permissions; a new one gets those of a plain
    ``open(path, "w")``.  The temporary file is removed when writing fails.
    """
    path = Path(path)
    if isinstance(data, str):
        data = data.encode(encoding)
    elif not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"write_atomic: data must be str or bytes, got {type(data).__name__}")
    if path.is_dir():
        raise IsADirectoryError(f"write_atomic: {path} is a directory, expected a file path")
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"write_atomic: folder {folder} does not exist (writing {path.name})")
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = _default_mode()
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    # make the rename itself durable (best effort: not every platform can fsync a folder)
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return path
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
    return path
