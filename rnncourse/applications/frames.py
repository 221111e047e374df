"""Sequences of real-valued frames (speech spectra, video features): :class:`FrameData`.

"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np



class FrameData(NamedTuple):
    """Sequences of real-valued frames (audio spectra, joint positions) with labels.

    Attributes
    ----------
    x : ndarray of shape (n_x, m, T_x)
        One feature vector per frame.
    y : ndarray of int
        (m, T_x) one label per frame, or (m,) one per sequence.
    label_names : tuple of str
    feature_names : tuple of str
        Names of the n_x features.
    """

    x: np.ndarray
    y: np.ndarray
    label_names: tuple
    feature_names: tuple

    def decode(self, i: int, labels=None) -> str:
        """The labels of example ``i`` as text (``labels`` overrides ``y[i]``).

        Per-frame labels read as the frames' labels then the segments they form:
        ``"sil sil a a a s s -> sil a s"``.
        """
        lab = self.y[i] if labels is None else np.asarray(labels)
        if lab.ndim == 0:
            return self.label_names[int(lab)]
        names = [self.label_names[int(k)] for k in lab]
        segments = [w for j, w in enumerate(names) if j == 0 or w != names[j - 1]]
        return " ".join(names) + " -> " + " ".join(segments)
