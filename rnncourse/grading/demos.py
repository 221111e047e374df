"""Run All through an assignment whose exercises are not written yet.

A fresh assignment's exercise functions raise ``NotImplementedError`` (the stub
``rnncourse assign`` puts in place of each answer).  Without help, Run All stops at
the first demo cell that calls one, and the ``check`` cells further down never run.
``rnncourse assign`` therefore adds a cell calling :func:`skip_unimplemented` at the
top of every assignment; from then on, in that kernel:

* a cell in which a function defined in the notebook raises ``NotImplementedError``
  stops there and prints one line, ``skipped: rnn_forward is not implemented yet
  ...``, instead of a traceback, and the cell counts as run, so Run All goes on;
* a later cell that stops on a ``NameError`` for a name that a skipped cell would
  have set prints the same kind of line, naming the exercise behind it;
* every other error (a bug in a function you wrote, a ``NotImplementedError`` from a
  library) shows its traceback and stops Run All as usual.

It works by wrapping each cell's code in ``try``/``except`` before IPython runs it
(an AST transformer): the code you see is the code that runs.  The last expression
of a cell is still displayed.  Outside IPython (the grader runs plain Python),
:func:`skip_unimplemented` does nothing.
"""

from __future__ import annotations

import ast

__all__ = ["skip_unimplemented", "SkipUnimplemented"]

#: the transformer in use in this kernel (set by :func:`skip_unimplemented`)
_ACTIVE: "SkipUnimplemented | None" = None
# how a transformed cell reaches it: through the module, so a %reset of the
# notebook's variables cannot break the cells that follow
_HOOK = '__import__("rnncourse.grading.demos", fromlist=["_ACTIVE"])._ACTIVE'
_RESULT = "_rnncourse_skip_result"
_CELL = "<cell>"   # blame for a stub at the top level of a cell


def _bound_names(tree: ast.Module) -> set[str]:
    """The global names a cell binds (not those inside its functions or classes)."""
    names: set[str] = set()

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            return
        if isinstance(node, ast.Lambda):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.comprehension):
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    for statement in tree.body:
        visit(statement)
    return names


class SkipUnimplemented(ast.NodeTransformer):
    """The AST transformer :func:`skip_unimplemented` registers with IPython.

    A cell ``body; last_expression`` becomes::

        try:
            body
            _rnncourse_skip_result = (last_expression)
        except (NotImplementedError, NameError) as _rnncourse_error:
            if not <this transformer>.skipped(_rnncourse_error, NAMES):
                raise
        <this transformer>.result()        # displays last_expression's value

    where ``NAMES`` are the names the cell binds.  Cells that cannot be wrapped
    (``from __future__`` imports, top-level ``await``/``yield``) are left alone.
    """

    def __init__(self, shell):
        super().__init__()
        self.shell = shell
        #: name -> the exercise whose skip left it unset
        self.unset: dict[str, str] = {}

    # -- run time, called from the transformed cell ---------------------------------
    def skipped(self, error: BaseException, names) -> bool:
        """Print the one-line note and return True when ``error`` means "not written yet"."""
        blame = self._blame(error)
        if blame is None:
            return False
        user_ns = self.shell.user_ns
        for name in names:
            if name not in user_ns:
                self.unset[name] = blame
        what = "an answer in a cell above" if blame == _CELL else blame
        if isinstance(error, NameError):
            print(f"skipped: this cell needs {error.name}, which a cell above could not set "
                  f"because {what} is not written yet. Write it, run its check, then run "
                  f"the cells from there again.")
        elif blame == _CELL:
            print("skipped: the answer in this cell is not written yet (it raises "
                  "NotImplementedError). Write it, then run this cell again.")
        else:
            print(f"skipped: {blame} is not implemented yet (it raises NotImplementedError). "
                  f"Write it above, run its check, then run this cell again.")
        return True

    def _blame(self, error: BaseException) -> str | None:
        if isinstance(error, NameError):
            name = getattr(error, "name", None)
            return self.unset.get(name) if name not in self.shell.user_ns else None
        if not isinstance(error, NotImplementedError):
            return None
        tb, frame = error.__traceback__, None
        while tb is not None:                      # the frame that raised it
            frame, tb = tb.tb_frame, tb.tb_next
        # only the notebook's own code counts: a function defined in it (its globals are
        # the notebook's) or a stub at the top level of a cell
        if frame is None or frame.f_globals is not self.shell.user_ns:
            return None
        return _CELL if frame.f_code.co_name == "<module>" else frame.f_code.co_name

    def result(self):
        """The value of the cell's last expression (None, shown as nothing, if skipped)."""
        return self.shell.user_ns.pop(_RESULT, None)

    # -- transformation -------------------------------------------------------------
    def visit_Module(self, node: ast.Module) -> ast.Module:
        if not node.body or not self._wrappable(node):
            return node
        body = list(node.body)
        show_last = isinstance(body[-1], ast.Expr)
        if show_last:
            body[-1] = ast.Assign(targets=[ast.Name(_RESULT, ast.Store())], value=body[-1].value)
        names = sorted(_bound_names(node))
        handler = ast.parse(
            f"try:\n    pass\n"
            f"except (NotImplementedError, NameError) as _rnncourse_error:\n"
            f"    if not {_HOOK}.skipped(_rnncourse_error, {names!r}):\n"
            f"        raise\n").body[0]
        handler.body = body
        new = [handler]
        if show_last:
            new.append(ast.parse(f"{_HOOK}.result()").body[0])
        node.body = new
        return ast.fix_missing_locations(node)

    @staticmethod
    def _wrappable(node: ast.Module) -> bool:
        for child in ast.walk(node):
            if isinstance(child, ast.ImportFrom) and child.module == "__future__":
                return False
        for statement in node.body:
            for child in ast.walk(statement):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
                                      ast.ClassDef)):
                    continue
                if isinstance(child, (ast.Await, ast.AsyncFor, ast.AsyncWith, ast.Yield,
                                      ast.YieldFrom)) and _top_level(statement, child):
                    return False
        return True


def _top_level(statement, target) -> bool:
    """Whether ``target`` inside ``statement`` is outside every function definition."""
    def walk(node):
        if node is target:
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return False
        return any(walk(child) for child in ast.iter_child_nodes(node))
    return walk(statement)


def skip_unimplemented(shell=None) -> SkipUnimplemented | None:
    """From now on, cells that need an exercise not written yet are skipped politely.

    Call it once, at the top of a notebook (``rnncourse assign`` adds that cell to
    every assignment).  Calling it again changes nothing.  Returns the transformer,
    or ``None`` outside IPython.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return None
        shell = get_ipython()
    if shell is None or not hasattr(shell, "ast_transformers"):
        return None
    global _ACTIVE
    for transformer in shell.ast_transformers:
        if isinstance(transformer, SkipUnimplemented):
            _ACTIVE = transformer
            return transformer
    transformer = SkipUnimplemented(shell)
    shell.ast_transformers.append(transformer)
    _ACTIVE = transformer
    return transformer
