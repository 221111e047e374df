"""The ``rnncourse`` command.

A thin argparse layer over the package's API: each subcommand lives in the module
that implements it, which offers ``register(subparsers)``; the parser it adds sets
``func(args) -> int``.  User errors end as one line on stderr and exit code 2, never
a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__

__all__ = ["SUBCOMMAND_MODULES", "build_parser", "main"]

#: modules whose ``register(subparsers)`` adds subcommands, in help order
SUBCOMMAND_MODULES: tuple[str, ...] = (
    "rnncourse.authoring.cli", "rnncourse.grading.cli", "rnncourse.grading.gradebook_cli",
)


class UserError(Exception):
    """An error caused by the user's input: printed as one line, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rnncourse",
        description="Recurrent neural networks from scratch: course tools for "
                    "instructors and lesson authors.",
    )
    parser.add_argument("--version", action="version", version=f"rnncourse {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def _skip_slow_optional_imports() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` in this command's process.

    nbformat validates notebooks with jsonschema, which imports the optional
    ``rfc3987_syntax`` package when it is installed (JupyterLab's dependencies bring
    it).  That package builds its URI grammars at import time, about 1.2 s of CPU on
    every command, for a string format no notebook schema uses (jsonschema issue
    #1428).  Marking it absent makes jsonschema skip that format checker; nothing in
    the command needs it.  Only the CLI does this: importing the library changes no
    import state.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


def main(argv: list[str] | None = None) -> int:
    _skip_slow_optional_imports()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except (UserError, FileNotFoundError, PermissionError, ValueError) as exc:
        print(f"rnncourse {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"rnncourse {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
