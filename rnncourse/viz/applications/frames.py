"""Figures of the frame-labelling applications: a spectrogram with its labels (speech), a
stick figure's hand (video activity)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .. import COLORS

def plot_frames(x, y_true, label_names: Sequence[str], y_pred=None, *, axes=None):
    """One utterance: its spectrogram (features by frame) above strips of frame labels.

    Parameters
    ----------
    x : ndarray of shape (n_x, T_x), the frames of one example
    y_true : ndarray of int of shape (T_x,)
    label_names : names of the labels
    y_pred : ndarray of int of shape (T_x,), optional; wrong frames are marked

    Returns
    -------
    axes : array of 2 matplotlib Axes (spectrogram, labels)
    """
    x = np.asarray(x)
    y_true = np.asarray(y_true)
    if x.ndim != 2 or y_true.shape != (x.shape[1],):
        raise ValueError(f"plot_frames: x must have shape (n_x, T_x) and y_true (T_x,), "
                         f"got {x.shape} and {y_true.shape}")
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(2, 1, figsize=(8.0, 3.6), sharex=True, layout="constrained",
                               gridspec_kw={"height_ratios": [3, 1.3]})
    ax, lab = axes
    from matplotlib.ticker import MaxNLocator

    image = ax.imshow(x, aspect="auto", origin="lower", cmap="magma")
    # one colour bar for both rows keeps the frames of the two panels aligned
    ax.figure.colorbar(image, ax=list(axes), label="feature value", shrink=0.9, pad=0.01)
    ax.set_ylabel("band")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))           # bands are whole numbers
    rows = [("true", y_true)] + ([] if y_pred is None else [("predicted", np.asarray(y_pred))])
    for r, (name, labels) in enumerate(rows):
        yy = len(rows) - 1 - r
        for t, k in enumerate(labels):
            wrong = name == "predicted" and k != y_true[t]
            lab.text(t, yy, label_names[int(k)], ha="center", va="center", fontsize=7,
                     color="red" if wrong else "black", fontweight="bold" if wrong else "normal")
    lab.set_yticks(range(len(rows)))
    lab.set_yticklabels([name for name, _ in rows][::-1], fontsize=8)
    lab.set_ylim(-0.6, len(rows) - 0.4)
    lab.set_xlabel("frame t")
    return axes


def plot_activities(x, y, label_names: Sequence[str], *, axes=None, per_class: int = 3,
                    clips: int = 30):
    """Left: the hand in every frame of ``clips`` clips per activity, pooled and coloured by
    activity (the clouds overlap).  Right: the angle of the arm over time for ``per_class``
    clips of each activity (the curves do not look alike).

    ``x`` (2, m, T_x) hand coordinates, ``y`` (m,) activity indices.  Returns the 2 axes.
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 3 or x.shape[0] != 2 or y.shape != (x.shape[1],):
        raise ValueError(f"plot_activities: x must have shape (2, m, T_x) and y (m,), "
                         f"got {x.shape} and {y.shape}")
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 2, figsize=(9.0, 3.8), layout="constrained")
    frames, angles = axes
    colors = (COLORS["x"], COLORS["y"], COLORS["a"], COLORS["loss"])
    theta = np.arctan2(x[1], x[0])                                  # (m, T_x)
    for k, name in enumerate(label_names):
        idx = np.flatnonzero(y == k)
        pooled = x[:, idx[:clips]].reshape(2, -1)                    # every frame of the clips
        frames.scatter(pooled[0], pooled[1], s=5, alpha=0.35, color=colors[k % 4], label=name)
        for j, i in enumerate(idx[:per_class]):
            angles.plot(theta[i], "-o", ms=3, color=colors[k % 4], label=name if j == 0 else None)
    frames.set_aspect("equal")
    frames.set_title("single frames, pooled: where the hand is", fontsize=9)
    frames.set_xlabel("hand x")
    frames.set_ylabel("hand y")
    frames.legend(fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3)
    angles.set_title("arm angle over the clip: how it moves", fontsize=9)
    angles.set_xlabel("frame t")
    angles.set_ylabel("angle (rad)")
    angles.legend(fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3)
    return axes
