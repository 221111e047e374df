"""Typed results of grading: what every stage after "compare" passes along.

A :class:`Report` is one graded submission; an :class:`ExerciseResult` is one
exercise in it.  They are plain data: JSON in and out (``to_dict`` / ``from_dict``),
so that reports cross process boundaries, land in the gradebook and in ``--json``
output without pickle.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

__all__ = ["STATUSES", "ExerciseResult", "Report", "Status", "printable"]

Status = Literal["passed", "failed", "error", "timeout", "not_implemented", "missing"]
#: every status an exercise can end with
STATUSES: tuple[str, ...] = ("passed", "failed", "error", "timeout", "not_implemented", "missing")


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: every character that is not printable (ANSI
    escape sequences, newlines, lone surrogates of undecodable file names) shown as its
    escape.  Student names and file names come from whoever handed the file in."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


@dataclass(frozen=True)
class ExerciseResult:
    """One exercise of one submission."""

    name: str
    score: float
    max_score: float
    status: Status
    feedback: str = ""

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"ExerciseResult: status must be one of {STATUSES}, got {self.status!r}")
        if not 0 <= self.score <= self.max_score:
            raise ValueError(f"ExerciseResult: score must lie in [0, {self.max_score}], got {self.score}")


@dataclass(frozen=True)
class Report:
    """One graded submission: the JSON object that ``rnncourse grade --json`` prints."""

    submission: str
    assignment: str
    student: str
    exercises: tuple[ExerciseResult, ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = field(default_factory=tuple)  # submission-level messages

    @property
    def score(self) -> float:
        return float(sum(e.score for e in self.exercises))

    @property
    def max_score(self) -> float:
        return float(sum(e.max_score for e in self.exercises))

    def to_dict(self) -> dict:
        return {
            "submission": self.submission,
            "assignment": self.assignment,
            "student": self.student,
            "score": self.score,
            "max_score": self.max_score,
            "exercises": [asdict(e) for e in self.exercises],
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Report":
        return cls(
            submission=data["submission"],
            assignment=data["assignment"],
            student=data["student"],
            exercises=tuple(ExerciseResult(**e) for e in data["exercises"]),
            notes=tuple(data.get("notes", ())),
        )
