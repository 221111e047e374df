"""Caches: what a forward pass keeps for its backward pass.

A cell's forward returns a ``NamedTuple`` cache (``RNNCellCache``, ``GRUCellCache``,
``LSTMCellCache``) whose fields come in the course's order, so a notebook may unpack
it positionally (``a_next, a_prev, x_t, params, *_ = cache``).  A sequence forward
returns a :class:`SequenceCache` ``(cells, x)``: ``cells[t]`` is the cache of step
``t``.

The library's own sequence functions compute all steps on stacked arrays (that is
what makes them fast) and hand back :class:`StepCaches`, which behaves like the list
a learner builds in a loop but creates each step's cache only when it is asked for.
A sequence backward recognises it and works on the stacked arrays directly; given a
plain list of cell caches it loops over the cell backward instead.  Both give the
same gradients.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Callable, NamedTuple

__all__ = ["SequenceCache", "StepCaches"]


class SequenceCache(NamedTuple):
    """Cache of a sequence forward: per-step caches and the input ``x`` (n_x, m, T_x)."""

    cells: Sequence
    x: Any


class StepCaches(Sequence):
    """Per-step caches of a sequence forward, built on demand from stacked arrays.

    Parameters
    ----------
    kind : str
        The model that made them ("rnn", "gru", "lstm"); a backward uses its fast
        path only for caches of its own kind.
    T : int
        Number of time steps.
    make_step : callable
        ``make_step(t)`` returns the cell cache of step ``t``.
    **stacked
        The arrays the fast backward reads (time-major, ``stacked["name"][t]``).
    """

    def __init__(self, kind: str, T: int, make_step: Callable[[int], tuple], **stacked):
        self.kind = kind
        self._T = T
        self._make_step = make_step
        self.stacked = stacked

    def __len__(self) -> int:
        return self._T

    def __getitem__(self, t):
        if isinstance(t, slice):
            return [self[i] for i in range(*t.indices(self._T))]
        t = int(t)
        if t < 0:
            t += self._T
        if not 0 <= t < self._T:
            raise IndexError(f"time step {t} out of range for T_x = {self._T}")
        return self._make_step(t)

    def __repr__(self) -> str:
        return f"StepCaches(kind={self.kind!r}, T={self._T})"
