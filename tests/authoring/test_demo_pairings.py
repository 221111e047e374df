"""The demo cells of the solution notebooks pair each loss with the output it belongs to.

Binary cross-entropy scores every output unit as its own yes/no question, so it goes with
a sigmoid output (lessons 02-03); a softmax output, whose units compete and sum to one,
goes with the softmax cross-entropy.  Assignment 02 defines ``bce_step_loss`` itself, so
this test runs the notebook's code cells with that function wrapped and looks at every
prediction it is handed.
"""

from __future__ import annotations

import functools
from pathlib import Path

import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent


def _run_recording(path: Path, name: str) -> list[np.ndarray]:
    """Execute the code cells of ``path``, recording the first argument of every call of ``name``."""
    nb = nbformat.read(path, as_version=4)
    seen: list[np.ndarray] = []
    ns: dict = {"__name__": "__main__"}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        exec(compile(cell.source, f"{path.name}", "exec"), ns)
        ns["check"] = lambda fn: None          # the public cases are not the demo's inputs
        fn = ns.get(name)
        if fn is not None and not getattr(fn, "_recorded", False):
            @functools.wraps(fn)
            def recording(y_hat_t, *args, _fn=fn, **kwargs):
                seen.append(np.array(y_hat_t, dtype=float, copy=True))
                return _fn(y_hat_t, *args, **kwargs)
            recording._recorded = True
            ns[name] = recording
    return seen


def _softmax_like(p: np.ndarray) -> bool:
    # n_y > 1 units, every entry a real probability (not a clipped 0/1 target), and columns
    # that all sum to one: the output of a softmax, not independent sigmoids
    interior = bool(np.all((p > 1e-3) & (p < 1 - 1e-3)))
    return p.shape[0] > 1 and interior and bool(np.allclose(p.sum(axis=0), 1.0))


def test_assignment_02_applies_bce_to_sigmoid_outputs_only():
    seen = _run_recording(ROOT / "solutions" / "02_forward_propagation.ipynb", "bce_step_loss")
    multi_unit = [p for p in seen if p.shape[0] > 1 and not np.all(p == 0.5)]
    assert multi_unit, "the demo no longer computes a sequence loss with bce_step_loss"
    paired_with_softmax = [p.shape for p in multi_unit if _softmax_like(p)]
    assert not paired_with_softmax, (
        f"bce_step_loss was called on {len(paired_with_softmax)} softmax outputs "
        f"(columns summing to 1, shapes {paired_with_softmax[:3]}): use a sigmoid output with BCE")


def test_the_pairing_rule_recognises_softmax_and_sigmoid_outputs():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((3, 4))
    assert _softmax_like(np.exp(z) / np.exp(z).sum(axis=0))
    assert not _softmax_like(1 / (1 + np.exp(-z)))
    assert not _softmax_like(np.ones((1, 4)))        # one unit: nothing to compete with
    assert not _softmax_like(np.clip(np.eye(2)[:, [0, 1, 1, 0]], 1e-6, 1 - 1e-6))   # near-0/1 targets
