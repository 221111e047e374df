"""Stand-ins: what a notebook gets, while it is graded, in place of what it may not use.

Standard library only: the grading worker imports a copy of this module
(``_rnncourse_standins``) before any learner code runs.

**Import stand-ins.**  An assignment lets learners import a few ``rnncourse`` modules
(``LEARNER_MODULES`` of its exercise module).  Any other ``rnncourse`` module, e.g.
``from rnncourse.rnn import init_rnn_params`` copied from a lesson, is *not* an import
error in the grading sandbox: it gives a stand-in module whose every name is a
:class:`StandIn`.  Importing is harmless; *using* a stand-in (calling it, indexing it,
reading an attribute, doing arithmetic) raises :class:`NotAvailableWhileGrading`, whose
message states the rule.  So one unused import costs nothing, while an answer that
relies on the reference implementation still earns no points, with that reason.

**Reference cells.**  A composite exercise (a sequence forward calling the learner's
cell, ...) is graded with the course's cell in place of the learner's own, so that a
bug in the cell costs the cell's points only.  :class:`ReferenceLibrary` builds the
library modules holding those cells from their source text, in memory, after the
notebook's cells have run, and :func:`swapped` puts a function in the learner's
namespace for the duration of one exercise.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import types
import zlib
from contextlib import contextmanager

__all__ = ["NotAvailableWhileGrading", "ReferenceLibrary", "StandIn", "StandInFinder",
           "case_seed", "import_rule", "install", "package_init", "swapped"]

PACKAGE = "rnncourse"


class NotAvailableWhileGrading(RuntimeError):
    """A notebook used a library module its assignment does not allow."""


def import_rule(allowed) -> str:
    """The sentence stating which ``rnncourse`` modules an assignment allows."""
    names = [f"{PACKAGE}.{m}" for m in allowed if m != "grading"]
    if not names:
        return f"this assignment allows no {PACKAGE} module besides {PACKAGE}.grading (check)"
    return (f"this assignment allows only {', '.join(names)} "
            f"(and {PACKAGE}.grading for check)")


def _message(what: str, module: str, allowed) -> str:
    return (f"{what} is not available while grading: {import_rule(allowed)}. "
            f"Importing {module} does no harm, but an answer that uses it earns no points; "
            f"write the code yourself")


class StandIn:
    """What a name from a disallowed module is while grading: any use raises."""

    __slots__ = ("_standin_name", "_standin_module", "_standin_allowed")

    def __init__(self, name: str, module: str, allowed):
        object.__setattr__(self, "_standin_name", name)
        object.__setattr__(self, "_standin_module", module)
        object.__setattr__(self, "_standin_allowed", tuple(allowed))

    def _fail(self, *args, **kwargs):
        name = object.__getattribute__(self, "_standin_name")
        module = object.__getattribute__(self, "_standin_module")
        allowed = object.__getattribute__(self, "_standin_allowed")
        raise NotAvailableWhileGrading(_message(name, module, allowed))

    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):   # copy, pickle, inspect probing
            raise AttributeError(attr)
        self._fail()

    def __repr__(self):
        return (f"<stand-in for {object.__getattribute__(self, '_standin_name')}: "
                f"not available while grading>")

    __call__ = __getitem__ = __setitem__ = __iter__ = __len__ = __contains__ = _fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _fail
    __matmul__ = __rmatmul__ = __truediv__ = __rtruediv__ = __pow__ = __neg__ = _fail
    __lt__ = __le__ = __gt__ = __ge__ = __bool__ = __float__ = __int__ = __index__ = _fail
    __array__ = _fail


class _StandInModule(types.ModuleType):
    """A disallowed module: importing it works, each of its names is a :class:`StandIn`."""

    def __init__(self, name: str, allowed):
        super().__init__(name, f"stand-in for {name}: not available while grading")
        self.__dict__["_standin_allowed"] = tuple(allowed)
        self.__dict__["__path__"] = []           # a package too: rnncourse.x.y imports work

    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return StandIn(f"{self.__name__}.{attr}", self.__name__, self.__dict__["_standin_allowed"])


class _NoCheckModule(types.ModuleType):
    """``rnncourse.grading.<anything>`` while grading: ``check`` does nothing."""

    def __getattr__(self, attr):
        if attr in ("check", "run_check"):
            return lambda fn=None, name=None: None
        raise AttributeError(attr)


class _Loader(importlib.abc.Loader):
    def __init__(self, allowed):
        self.allowed = allowed

    def create_module(self, spec):
        if spec.name.startswith(f"{PACKAGE}.grading."):
            module = _NoCheckModule(spec.name)
            module.__path__ = []
            return module
        return _StandInModule(spec.name, self.allowed)

    def exec_module(self, module):
        return None


class StandInFinder(importlib.abc.MetaPathFinder):
    """Last on ``sys.meta_path``: serves ``rnncourse.*`` modules the sandbox does not hold."""

    def __init__(self, allowed):
        self.allowed = tuple(allowed)

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith(PACKAGE + "."):
            return None
        return importlib.util.spec_from_loader(fullname, _Loader(self.allowed))


def install(allowed) -> StandInFinder:
    """Serve stand-ins for every ``rnncourse`` module outside ``allowed`` (idempotent)."""
    for finder in sys.meta_path:
        if isinstance(finder, StandInFinder):
            return finder
    finder = StandInFinder(allowed)
    sys.meta_path.append(finder)
    return finder


def package_init(allowed) -> str:
    """Source of the sandbox's ``rnncourse/__init__.py`` for an assignment allowing ``allowed``."""
    return (
        '"""The part of rnncourse that learners may import while their work is graded.\n\n'
        'Other modules are stand-ins (see rnncourse.grading.standins)."""\n'
        '__version__ = "grading"\n'
        'import _rnncourse_standins\n'
        f'_rnncourse_standins.install({tuple(allowed)!r})\n'
        'del _rnncourse_standins\n'
    )


# ---- reference cells for composite exercises ---------------------------------------

class ReferenceLibrary:
    """Library modules built in memory from their source, under a private package name.

    Parameters
    ----------
    sources : dict
        ``{"rnn": source text of rnncourse/rnn.py, "_validate": ..., ...}``: a module
        and every library module it imports (relative imports are resolved among them).
    """

    def __init__(self, sources: dict, package: str = "_rnncourse_reference"):
        self.sources = dict(sources)
        self.package = package
        self._modules: dict = {}

    def _load(self, name: str):
        if name in self._modules:
            return self._modules[name]
        if name not in self.sources:
            raise ImportError(f"reference module {name} was not sent to the grading worker")
        saved = {k: v for k, v in sys.modules.items() if k == self.package
                 or k.startswith(self.package + ".")}
        root = types.ModuleType(self.package)
        root.__path__ = []
        library = self

        class Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
            def find_spec(self, fullname, path=None, target=None):
                prefix = library.package + "."
                if fullname.startswith(prefix) and fullname[len(prefix):] in library.sources:
                    return importlib.util.spec_from_loader(fullname, self)
                return None

            def create_module(self, spec):
                return None

            def exec_module(self, module):
                sub = module.__name__[len(library.package) + 1:]
                code = compile(library.sources[sub], f"<reference {sub}>", "exec")
                exec(code, module.__dict__)

        finder = Finder()
        sys.meta_path.insert(0, finder)
        sys.modules[self.package] = root
        try:
            module = importlib.import_module(f"{self.package}.{name}")
            for key in [k for k in sys.modules if k.startswith(self.package + ".")]:
                self._modules.setdefault(key[len(self.package) + 1:], sys.modules[key])
        finally:
            sys.meta_path.remove(finder)
            # not left importable: the notebook's later exercises must not find them
            for key in [k for k in sys.modules if k == self.package
                        or k.startswith(self.package + ".")]:
                del sys.modules[key]
            sys.modules.update(saved)
        return module

    def function(self, path: str):
        """The function ``"module.name"`` (e.g. ``"rnn.rnn_cell_forward"``)."""
        module, _, name = path.rpartition(".")
        return getattr(self._load(module), name)


def case_seed(exercise: str, k: int) -> int:
    """The seed of the global ``np.random`` before case ``k`` (from 1) of ``exercise``.

    ``check`` and the grader both seed it, so an answer that (wrongly) draws from
    ``np.random`` gets the same feedback every time it is graded.
    """
    return zlib.crc32(f"{exercise}:{k}".encode())


@contextmanager
def swapped(namespace: dict, replacements: dict):
    """Put ``replacements`` into ``namespace`` for the duration of the block, then restore."""
    missing = object()
    saved = {k: namespace.get(k, missing) for k in replacements}
    namespace.update(replacements)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is missing:
                namespace.pop(k, None)
            else:
                namespace[k] = v
