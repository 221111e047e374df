"""rnncourse: recurrent neural networks from scratch in numpy, and a course that grades them.

The numeric core (``activations``, ``rnn``, ``losses``, ``optim``, ``gradcheck``, ...)
needs numpy only; plotting, widgets and grading live in their own modules and import
their dependencies when used.
"""

from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("rnncourse")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
