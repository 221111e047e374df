"""What the grader reads in a learner's source without running it.

* :func:`transform_magics` turns IPython-only lines (``%magic``, ``!shell``,
  ``x = !cmd``, ``obj?``, ``%%cell_magic``) into inert Python, so that nothing a
  notebook asks IPython or the shell to do is ever done.  The sandbox worker applies
  it to a cell only when the cell does not compile as plain Python (so a ``%``
  operator at the start of a continuation line is left alone).
* :func:`find_magics` lists those lines, for the report (the grader's own scan).
* :func:`reference_uses` finds imports of library modules the assignment does not
  allow (the reference implementation): they fail in the sandbox, and the report
  says why.
* :func:`defining_cells` finds the cells that define a function, to explain why an
  exercise is missing (its cell raised, crashed or timed out).

Standard library only: the sandbox worker imports a copy of this module.
"""

from __future__ import annotations

import re

__all__ = ["defining_cells", "find_magics", "reference_uses", "transform_magics"]

#: cell magics whose body is Python: the magic line is dropped, the body runs
PYTHON_BODY_CELL_MAGICS = ("time", "timeit", "capture", "prun")

_CELL_MAGIC = re.compile(r"%%(\w+)")
_TARGET_PUNCTUATION = frozenset("_.[]'\", ")


def _indent(line: str) -> str:
    return line[:len(line) - len(line.lstrip())]


def _line_magic(line: str) -> tuple[str, str] | None:
    """``(indent, magic)`` for ``%magic`` / ``!cmd`` lines."""
    rest = line.lstrip()
    if rest[:1] in ("%", "!") and rest:
        return _indent(line), rest
    return None


def _assigned_magic(line: str) -> tuple[str, str] | None:
    """``(target =, magic)`` for ``x = !cmd`` / ``x = %magic`` lines (one pass, no regex)."""
    equals = line.find("=")
    if equals <= 0:
        return None
    target = line[:equals].strip()
    after = line[equals + 1:]
    value = after.lstrip()
    if value[:1] not in ("%", "!") or not value:
        return None
    if not target and " " not in line[:equals]:
        return None
    if not all(c.isalnum() or c in _TARGET_PUNCTUATION for c in target):
        return None
    return line[:equals + 1] + after[:len(after) - len(value)], value


def _help(line: str) -> tuple[str, str] | None:
    """``(indent, obj?)`` for ``obj?`` / ``?obj`` / ``obj??`` lines."""
    word = line.strip()
    core = word[1:] if word.startswith("?") else word
    if not core.endswith("?"):
        return None
    core = core[:-2] if core.endswith("??") else core[:-1]
    if core and all(c.isalnum() or c in "_." for c in core):
        return _indent(line), word
    return None


def _first_code_line(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        if line.strip() and not line.lstrip().startswith("#"):
            return i
    return None


def transform_magics(source: str) -> tuple[str, list[str]]:
    """Replace IPython syntax by inert Python; return the code and what was refused.

    Line numbers are kept (each refused line becomes one line), so a traceback in
    the transformed cell points at the learner's line.
    """
    lines = source.split("\n")
    refused: list[str] = []
    first = _first_code_line(lines)
    if first is not None:
        match = _CELL_MAGIC.match(lines[first].lstrip())
        if match:
            if match.group(1) not in PYTHON_BODY_CELL_MAGICS:
                refused.append(f"line {first + 1}: cell magic %%{match.group(1)} (cell not run)")
                return "\n".join("" for _ in lines), refused
            refused.append(f"line {first + 1}: cell magic %%{match.group(1)} (body run as Python)")
            lines[first] = ""
    out = []
    for i, line in enumerate(lines, start=1):   # linear in the length of each line
        m = None if line.lstrip().startswith(("%", "!")) else _assigned_magic(line)
        if m:
            refused.append(f"line {i}: {m[1].strip()[:80]}")
            out.append(f"{m[0]}None")
            continue
        m = _line_magic(line) or _help(line)
        if m:
            refused.append(f"line {i}: {m[1].strip()[:80]}")
            out.append(f"{m[0]}pass")
            continue
        out.append(line)
    return "\n".join(out), refused


def find_magics(source: str) -> list[str]:
    """The IPython-only lines of ``source`` (as :func:`transform_magics` would refuse them)."""
    return transform_magics(source)[1]


# every repetition below stops at a character the next one needs, and "(...)" stops at
# the next "(": no input makes these patterns backtrack more than linearly
_IMPORT_FROM = re.compile(r"^[ \t]*from[ \t]+rnncourse((?:\.\w+)*)[ \t]+import[ \t]+"
                          r"(\([^()]*\)|[^\n#;]+)", re.M)
_IMPORT = re.compile(r"^[ \t]*import\s+([^\n#;]+)", re.M)
_ANY = re.compile(r"rnncourse[./\\](\w+)")


def reference_uses(source: str, allowed: tuple[str, ...]) -> list[str]:
    """Library modules ``source`` refers to that learners may not use.

    ``allowed`` names the submodules the assignment exposes (``"activations"``);
    ``rnncourse.grading`` (for ``check``) is always allowed.  Imports in any form
    (``from rnncourse import rnn``, ``import rnncourse.rnn``, a path such as
    ``".../rnncourse/rnn.py"`` or a string ``"rnncourse.rnn"``) are found.
    """
    ok = set(allowed) | {"grading"}
    found: list[str] = []

    def add(module: str):
        name = f"rnncourse.{module}"
        if module and module not in ok and name not in found:
            found.append(name)

    for m in _IMPORT_FROM.finditer(source):
        sub = m.group(1).lstrip(".")
        if sub:
            add(sub.split(".")[0])
        else:  # from rnncourse import rnn, losses
            for name in re.split(r"[\s,()]+", m.group(2)):
                if name and name.isidentifier():
                    add(name)
    for m in _IMPORT.finditer(source):
        for part in m.group(1).split(","):
            words = part.split()
            if words and words[0].startswith("rnncourse."):
                add(words[0].split(".")[1])
    for m in _ANY.finditer(source):
        add(m.group(1))
    return found


def defining_cells(sources: list[str], name: str) -> list[int]:
    """Indices of the cells that contain ``def name(``."""
    pattern = re.compile(rf"^[ \t]*def[ \t]+{re.escape(name)}[ \t]*\(", re.M)
    return [i for i, src in enumerate(sources) if pattern.search(src)]
