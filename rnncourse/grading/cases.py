"""Hidden cases: inputs the learner never saw, and the reference's answers to them.

The seed of a submission's cases is derived from a secret that never enters the
notebook's process and from the submission's content digest, so

* a learner cannot know the cases in advance (outputs cannot be hard-coded), and
* re-grading the same file gives the same cases, hence the same grade.

The secret is ``$RNNCOURSE_GRADING_SECRET`` when set, otherwise a random key kept in
``$XDG_CONFIG_HOME/rnncourse/grading-secret`` (``~/.config/...``), created on first
use with permissions 0600.  Instructors who grade on several machines can share it
through the environment variable.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import os
import secrets
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import plain
from .exercises import Assignment, Case, Exercise

__all__ = ["HiddenCase", "grading_secret", "hidden_cases", "submission_seed"]


@dataclass(frozen=True)
class HiddenCase:
    """One hidden case: its inputs, the reference's named outputs and, for backward
    exercises, the numerical gradient of the forward pass."""

    case: Case
    expected: dict
    numerical: dict | None

    def encoded_args(self):
        """The inputs as a plain tree, for the sandbox."""
        return plain.encode(self.case.args)


def grading_secret() -> bytes:
    """The instructor's secret key (see the module docstring)."""
    env = os.environ.get("RNNCOURSE_GRADING_SECRET")
    if env:
        return env.encode("utf-8")
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    path = base / "rnncourse" / "grading-secret"
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32).encode("ascii")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another grader process created it first
            return path.read_bytes().strip()
        with os.fdopen(fd, "wb") as f:
            f.write(key)
        return key


def submission_seed(assignment: str, digest: str, secret: bytes | None = None) -> int:
    """A 63-bit seed from the secret, the assignment and the submission's digest."""
    secret = grading_secret() if secret is None else secret
    mac = hmac.new(secret, f"{assignment}\0{digest}".encode(), hashlib.sha256).digest()
    return int.from_bytes(mac[:8], "big") >> 1


_RECENT: dict = {}
_LOCK = threading.Lock()
_RECENT_MAX = 64


def _cases_for(ex: Exercise, seed: int) -> list[HiddenCase]:
    """The hidden cases of ``ex`` for ``seed``; the last few are kept, so re-grading with
    a fixed seed skips the numerical gradients (seconds for the larger exercises)."""
    key = (ex.name, seed)
    with _LOCK:                       # grade_batch grades in threads
        if key in _RECENT:
            return list(_RECENT[key])
    cases = _draw_cases(ex, seed)
    with _LOCK:
        while len(_RECENT) >= _RECENT_MAX:
            _RECENT.pop(next(iter(_RECENT)))
        _RECENT[key] = cases
    return list(cases)


def _draw_cases(ex: Exercise, seed: int) -> list[HiddenCase]:
    rng = np.random.default_rng([seed, zlib.crc32(ex.name.encode())])
    out = []
    for _ in range(ex.hidden_cases):
        case = ex.make_case(rng)
        expected = ex.split(ex.reference(*copy.deepcopy(case.args)))
        numerical = ex.numerical_gradient(case) if ex.numerical_gradient else None
        out.append(HiddenCase(case, expected, numerical))
    return out


def hidden_cases(assignment: Assignment, seed: int) -> dict[str, list[HiddenCase]]:
    """The hidden cases of every exercise of ``assignment`` for ``seed``."""
    return {ex.name: _cases_for(ex, seed) for ex in assignment.exercises}
