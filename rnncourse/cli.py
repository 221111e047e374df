"""The ``rnncourse`` command.

A thin argparse layer over the package's API: user errors end as one line on
stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from . import __version__

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rnncourse",
        description="Recurrent neural networks from scratch: course tools for "
                    "instructors and lesson authors.",
    )
    parser.add_argument("--version", action="version", version=f"rnncourse {__version__}")
    parser.add_subparsers(dest="command", metavar="COMMAND")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
