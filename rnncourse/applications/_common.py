"""Small helpers shared by the application modules (argument checks)."""

from __future__ import annotations

import numpy as np


def _check_prob(fn: str, name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise TypeError(f"{fn}: {name} must be a number in [0, 1], got {type(value).__name__}")
    if not 0 <= value <= 1:
        raise ValueError(f"{fn}: {name} must be in [0, 1], got {value}")
    return float(value)
