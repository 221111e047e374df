"""Helpers shared by the gated models (:mod:`rnncourse.gru`, :mod:`rnncourse.lstm`).

Private: learners never call these.  They hold what the GRU and the LSTM would
otherwise each repeat: checking gate matrices that act on a stacked ``[a_prev; x_t]``,
the in-place sigmoid of the fast sequence paths, and the transpose of their
time-major results.  The prediction layer's backward over a sequence, which the plain
RNN shares too, is :func:`rnncourse.output.sequence_output_backward`.
"""

from __future__ import annotations

import numpy as np

from ._validate import Dims

#: symbolic shapes of the prediction layer of the gated models
OUTPUT_SHAPES = {"Wy": ("n_y", "n_a"), "by": ("n_y", 1)}
#: the symbolic size of a stacked [a_prev; x_t]
STACKED = "n_a + n_x"


def bind_stacked(d: Dims, state: str, inp: str) -> None:
    """Record ``n_a + n_x`` in ``d`` once ``n_a`` and ``n_x`` are bound.

    Gate matrices have shape ``(n_a, n_a + n_x)``; after this call ``d.bind`` checks
    them like any other symbolic shape, and a mismatch names the arguments that set
    the two sizes.
    """
    d.sizes[STACKED] = d["n_a"] + d["n_x"]
    d.source[STACKED] = f"{state} and {inp}"


def sigmoid_of_negated(z: np.ndarray) -> np.ndarray:
    """In place: ``z <- 1 / (1 + exp(z))``, the sigmoid of ``-z``.

    The fast sequence paths negate the sigmoid gates' weights and biases once per
    call, so the pre-activation they compute is already ``-z`` and the sigmoid costs
    three in-place passes.  ``exp`` may overflow to ``inf`` for ``z`` > 709 (float64),
    which correctly gives 0; callers silence that warning with ``np.errstate``.
    """
    np.exp(z, out=z)
    np.add(z, 1.0, out=z)
    np.reciprocal(z, out=z)
    return z


def from_time_major(A: np.ndarray) -> np.ndarray:
    """``A`` of shape (T, m, n) (time-major, as the fast paths compute) as a new
    contiguous array of shape (n, m, T) (the course's layout).

    Same as ``np.ascontiguousarray(A.transpose(2, 1, 0))``, copied a few time steps at
    a time: each block then stays in cache while it is scattered, which halves the
    time of the copy for the benchmark's larger shapes.
    """
    T, m, n = A.shape
    out = np.empty((n, m, T), A.dtype)
    for t0 in range(0, T, 8):
        out[:, :, t0:t0 + 8] = A[t0:t0 + 8].transpose(2, 1, 0)
    return out

