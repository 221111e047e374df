"""The exercise registry: every graded exercise, registered once, per assignment.

``check(fn)`` in a learner's notebook and ``rnncourse grade`` both read this registry,
so a public case that passes in the notebook is judged by exactly the same rules as
the hidden cases of the grader.

Each assignment has one module here (``forward_propagation.py`` for
``02_forward_propagation``, ...) holding a tuple ``EXERCISES`` of :class:`Exercise`
and a tuple ``LEARNER_MODULES`` naming the ``rnncourse`` modules a learner may import
in that assignment (they are the only library code the grading sandbox exposes).

Recipe: adding an exercise
--------------------------
1. Write the reference in the numeric core (``rnncourse/<module>.py``) under the
   exercise's name; it is the function the learner re-implements.
2. In the assignment's module here, write ``_cases_<name>(rng) -> Case``: draw sizes
   with :func:`draw_dims` (distinct sizes, so feedback can name them) and inputs
   from ``rng`` only.  Inputs are plain arrays, dicts, lists, tuples and NamedTuple
   caches: they are sent to the grading sandbox as JSON.
3. Write ``_split_<name>(value) -> dict`` naming every array the grade depends on
   (``{"a_next": ..., "cache[1]": ...}``); raise :class:`StructureError` with a
   sentence when ``value`` is not shaped like the contract (a tuple of 3, a dict...).
   Keys must follow the reference's output, because the reference goes through the
   same function.
4. Append ``Exercise(name=..., points=..., reference=..., make_case=...,
   split=..., signature="name(arg, ...)", arg_names=(...), dims_of=...)`` to
   ``EXERCISES``.  For a backward exercise also give ``numerical_gradient``: a
   function of the case returning the centred-difference gradients of the forward
   pass (computed with :mod:`rnncourse.gradcheck`), keyed like ``split``'s output.
   Optional: ``hints`` for typical wrong shapes, ``rtol``/``atol``.
5. A new assignment: a new module with ``ASSIGNMENT``, ``EXERCISES`` and
   ``LEARNER_MODULES``, listed in :data:`ASSIGNMENT_MODULES` below.
6. Run ``pytest tests/grading/test_exercises.py``: it checks that every reference
   passes its own exercise, that every output is named, and that cases are
   reproducible from a seed.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from collections.abc import Mapping, Sequence
from typing import Any, Callable

import numpy as np

from ..plain import Unsupported

__all__ = [
    "ASSIGNMENT_MODULES", "Assignment", "Case", "Exercise", "StructureError",
    "all_assignments", "draw_dims", "expect_dict", "expect_sequence", "find_exercise",
    "one_number",
    "get_assignment", "integer_array", "RNN_CACHE_FIELDS", "documented_cache",
    "split_cell_cache",
]

#: assignment name -> module of this package registering its exercises
ASSIGNMENT_MODULES: dict[str, str] = {
    "01_rnn_types": "rnn_types",
    "02_forward_propagation": "forward_propagation",
    "03_backprop_through_time": "backprop_through_time",
    "04_vanishing_gradients": "vanishing_gradients",
    "05_gru": "gru",
    "06_lstm": "lstm",
    "07_bidirectional_rnn": "bidirectional_rnn",
    "08_deep_rnn": "deep_rnn",
    "09_applications": "applications",
    "10_language_model": "language_model",
    "11_seq2seq": "seq2seq",
    "12_labelling_sequences": "labelling",
    "13_music": "music",
}


class StructureError(ValueError):
    """A learner's return value does not have the structure the exercise asks for."""


@dataclass(frozen=True)
class Case:
    """One set of inputs for an exercise.

    ``args`` are passed positionally; ``dims`` are the sizes they were built with
    (``{"n_a": 5, "m": 3, ...}``), used to name shapes in feedback.
    """

    args: tuple
    dims: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Exercise:
    """A graded exercise: what to call, on what, and how to judge the answer.

    Attributes
    ----------
    name : str
        The function name the learner defines (and the reference's name).
    points : float
    reference : callable
        The library function computing the right answer.
    make_case : callable (np.random.Generator) -> Case
    split : callable (returned value) -> dict of name -> value
        Names the arrays the grade compares; raises :class:`StructureError`.
    signature : str
        The call the learner implements, shown in feedback.
    arg_names : tuple of str
        Names of the positional arguments, used to name a mutated input.
    numerical_gradient : callable (Case) -> dict, optional
        Backward exercises only: the centred-difference gradient of the forward pass
        for the case, keyed like ``split``'s output.  The learner's gradients are
        checked against it on their own terms, besides the comparison with the
        reference.
    hints : dict, optional
        ``(output name, symbolic shape got) -> hint`` for typical wrong shapes.
    rtol, atol : float
        Tolerance of the comparison with the reference (float64 cases).
    grad_tol : float
        Largest relative error accepted by the gradient check.
    public_seeds : tuple of int
        Seeds of the cases ``check`` runs in the notebook.
    hidden_cases : int
        How many cases the grader draws from its secret seed.
    uses : tuple of str
        Other exercises of the same assignment that the learner's function calls (a
        sequence forward calls the learner's cell).  They are graded with the
        *reference* in place of the learner's own (one cause, one loss), and the
        feedback says "fix it first" when the learner's own fails.
    diagnoses : tuple of (str, callable)
        Known wrong variants of the reference, ``(what the mistake is, function with
        the reference's signature)``: when a wrong answer matches one, the feedback
        names the mistake.
    """

    name: str
    points: float
    reference: Callable[..., Any]
    make_case: Callable[[np.random.Generator], Case]
    split: Callable[[Any], dict]
    signature: str
    arg_names: tuple[str, ...]
    numerical_gradient: Callable[[Case], dict] | None = None
    hints: Mapping[tuple[str, tuple[str, ...]], str] = field(default_factory=dict)
    rtol: float = 1e-5
    atol: float = 1e-7
    grad_tol: float = 1e-5
    public_seeds: tuple[int, ...] = (0, 1)
    hidden_cases: int = 3
    uses: tuple[str, ...] = ()
    diagnoses: tuple[tuple[str, Callable[..., Any]], ...] = ()

    def public_cases(self) -> list[Case]:
        """The cases ``check`` runs: fixed seeds, the same for every learner."""
        return [self.make_case(np.random.default_rng(seed)) for seed in self.public_seeds]


@dataclass(frozen=True)
class Assignment:
    """An assignment: its exercises and the library modules its learners may import."""

    name: str
    exercises: tuple[Exercise, ...]
    learner_modules: tuple[str, ...] = ()

    @property
    def max_score(self) -> float:
        return float(sum(e.points for e in self.exercises))

    def exercise(self, name: str) -> Exercise:
        for ex in self.exercises:
            if ex.name == name:
                return ex
        raise KeyError(name)

    @property
    def injections(self) -> dict[str, dict[str, str]]:
        """``{composite: {cell: "module.function"}}``: the reference cells each composite
        exercise is graded with, in place of the learner's (see :attr:`Exercise.uses`)."""
        out = {}
        for ex in self.exercises:
            if ex.uses:
                out[ex.name] = {}
                for cell in ex.uses:
                    ref = self.exercise(cell).reference
                    out[ex.name][cell] = f"{ref.__module__.rpartition('.')[2]}.{ref.__name__}"
        return out


def get_assignment(name: str) -> Assignment:
    """The registered assignment ``name``; ``ValueError`` listing the known ones otherwise."""
    if name not in ASSIGNMENT_MODULES:
        raise ValueError(f"unknown assignment {name!r}; known assignments: "
                         f"{', '.join(sorted(ASSIGNMENT_MODULES))}")
    module = importlib.import_module(f"{__name__}.{ASSIGNMENT_MODULES[name]}")
    if module.ASSIGNMENT != name:  # a registry typo would grade the wrong exercises
        raise RuntimeError(f"{module.__name__} registers {module.ASSIGNMENT!r}, listed as {name!r}")
    exercises = tuple(module.EXERCISES)
    names = [e.name for e in exercises]
    for ex in exercises:   # a composite is graded after the cells it uses
        for cell in ex.uses:
            if cell not in names or names.index(cell) >= names.index(ex.name):
                raise RuntimeError(f"{module.__name__}: {ex.name} uses {cell!r}, which must be "
                                   f"an earlier exercise of {name}")
    return Assignment(name, exercises, tuple(module.LEARNER_MODULES))


def all_assignments() -> list[Assignment]:
    return [get_assignment(name) for name in sorted(ASSIGNMENT_MODULES)]


def find_exercise(name: str) -> tuple[Assignment, Exercise]:
    """The exercise called ``name`` in any assignment (exercise names are unique)."""
    for assignment in all_assignments():
        for ex in assignment.exercises:
            if ex.name == name:
                return assignment, ex
    known = sorted(e.name for a in all_assignments() for e in a.exercises)
    raise KeyError(f"no exercise named {name!r}; exercises: {', '.join(known)}")


def draw_dims(rng: np.random.Generator, names: tuple[str, ...], low: int = 2,
              high: int = 9) -> dict[str, int]:
    """Distinct sizes in ``[low, high]`` for ``names``, so a shape can be read back as names.

    With ``n_x = 3, n_a = 5, m = 4`` a wrong shape ``(3, 4)`` is unambiguously
    ``(n_x, m)``; feedback relies on it.
    """
    if high - low + 1 < len(names):
        raise ValueError(f"draw_dims: cannot draw {len(names)} distinct sizes in [{low}, {high}]")
    sizes = rng.choice(np.arange(low, high + 1), size=len(names), replace=False)
    return {name: int(s) for name, s in zip(names, sizes)}


# ---- helpers for ``split`` functions ------------------------------------------------

def _kind(value) -> str:
    if value is None:
        return "None"
    return value.type_name if isinstance(value, Unsupported) else type(value).__name__


def expect_sequence(value, length: int, what: str, *, at_least: bool = False) -> Sequence:
    """``value`` as a sequence of ``length`` items (or more, with ``at_least``).

    ``what`` names the contract in the error, e.g. ``"rnn_cell_forward must return
    (a_next, y_hat_t, cache)"``.
    """
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        raise StructureError(f"{what}, got {_kind(value)}")
    n = len(value)
    if n < length or (n != length and not at_least):
        raise StructureError(f"{what}, got a {_kind(value)} of {n} item{'s' * (n != 1)}")
    return value


def expect_dict(value, what: str) -> Mapping:
    """``value`` as a dict; :class:`StructureError` naming ``what`` otherwise."""
    if not isinstance(value, Mapping):
        raise StructureError(f"{what}, got {_kind(value)}")
    return value


def integer_array(value, name: str, shape: str):
    """``value`` as floats for the comparison, when it is the integer array the text asks for.

    A float array (``np.zeros(m)`` filled with token numbers) is refused with the
    requirement: the notebooks index with these numbers, so floats crash them.
    Values that are not arrays are left to the judge (it names their type).
    """
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iu":
            return value.astype(np.float64)     # exact for small ints
        if value.dtype.kind == "f":
            raise StructureError(
                f"{name} must be an integer array of shape {shape} (dtype=int, as the assignment "
                f"says), got dtype {value.dtype}: create it with dtype=int or use .astype(int)")
        raise StructureError(f"{name} must be an integer array of shape {shape}, "
                             f"got dtype {value.dtype}")
    return value


def one_number(value, what: str) -> np.ndarray:
    """``value`` as a 1-entry float array, when it is one number (a size-1 array counts);
    otherwise :class:`StructureError` with ``what`` ("lm_loss must return the loss (a
    float)") and the kind of value found."""
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(())[()]
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        kind = (f"an array of shape {value.shape}" if isinstance(value, np.ndarray)
                else type(value).__name__)
        raise StructureError(f"{what}, got {kind}")
    return np.array([float(value)])


#: the entries every plain-RNN cell cache starts with
RNN_CACHE_FIELDS = ("a_next", "a_prev", "x_t", "params")


_DOCUMENTED_TYPES: dict = {}


def documented_cache(cache, fields: tuple[str, ...], type_name: str):
    """``cache`` cut to exactly the entries an assignment documents, as a NamedTuple.

    The library's cell caches carry more than an assignment asks learners to build
    (the prediction and its activation come last); a case handed to a learner's
    function must hold what the assignment text promises and nothing else, so that
    ``c_next, c_prev, x_t, params, c_tilde, Gamma_u, Gamma_r = cache`` works.  The
    result also keeps attribute access (``cache.x_t``); the references accept it.

    Parameters
    ----------
    cache : tuple
        A cell cache whose first ``len(fields)`` entries are ``fields``, in order.
    fields : tuple of str
        The documented entries.
    type_name : str
        The NamedTuple's name (shown by ``type(cache)`` in the learner's notebook).
    """
    if not (isinstance(cache, tuple) and len(cache) >= len(fields)):
        raise ValueError(f"documented_cache: expected a tuple of at least {len(fields)} "
                         f"entries ({', '.join(fields)}), got {type(cache).__name__}")
    key = (type_name, tuple(fields))
    kind = _DOCUMENTED_TYPES.get(key)
    if kind is None:
        import collections

        kind = _DOCUMENTED_TYPES[key] = collections.namedtuple(type_name, fields)
        kind.__module__ = __name__
    return kind(*cache[: len(fields)])


def split_cell_cache(cache, prefix: str, fields: tuple[str, ...] = RNN_CACHE_FIELDS) -> dict:
    """Name the graded entries of a cell cache: ``fields`` in order, the parameter dict
    (the field called ``"params"``) key by key; entries after ``fields`` are not graded."""
    c = expect_sequence(cache, len(fields), f"{prefix} must be the tuple ({', '.join(fields)}, ...)",
                        at_least=True)
    out = {}
    for i, entry in enumerate(fields):
        if entry == "params":
            params = expect_dict(c[i], f"{prefix}[{i}] must be the parameter dict")
            out.update({f"{prefix}[{i}]['{k}']": v for k, v in params.items()})
        else:
            out[f"{prefix}[{i}] ({entry})"] = c[i]
    return out
