"""Video activity recognition (many-to-one): a stick figure's hand, frame by frame.

"""

from __future__ import annotations

import numpy as np

from .._validate import as_rng, check_int
from .frames import FrameData



ACTIVITY_LABELS = ("waving", "raising arm", "lowering arm")


def activity_task(m: int, T_x: int = 16, *, rng, noise: float = 0.05,
                  dtype=np.float64) -> FrameData:
    """Synthetic "video": the hand of a stick figure, frame by frame; name the activity.

    The arm pivots at the shoulder; frame t shows the hand at
    ``(cos theta<t>, sin theta<t>)`` plus Gaussian noise of std ``noise``.  The
    activities differ only in how the angle *moves*:

    * ``waving``: ``theta<t> = c + A sin(w t + phi)``, a fast oscillation;
    * ``raising arm``: ``theta`` climbs steadily, ``theta<t> = c + v (t - (T_x-1)/2)``;
    * ``lowering arm``: the same, going down.

    Centres ``c``, phases and speeds are random, in ranges chosen so that the angles
    of single frames look alike in every class: raising and lowering are each other
    played backwards (identical frames, in the opposite order), and waving sweeps
    the same range.  One frame cannot tell the activities apart; the motion can.

    Returns
    -------
    FrameData
        ``x`` (2, m, T_x) hand coordinates, ``y`` (m,) activity index.
    """
    fn = "activity_task"
    m = check_int(fn, "m", m, 1)
    T_x = check_int(fn, "T_x", T_x, 2)
    if not (isinstance(noise, (int, float)) and noise >= 0):
        raise ValueError(f"{fn}: noise must be a number >= 0, got {noise!r}")
    rng = as_rng(fn, rng)
    y = rng.integers(0, len(ACTIVITY_LABELS), size=m)
    t = np.arange(T_x)[None, :] - (T_x - 1) / 2                     # (1, T_x), centred time
    c = rng.uniform(0.4, 1.2, size=(m, 1))                          # (m, 1) centre angle
    amp = rng.uniform(0.35, 0.5, size=(m, 1))                       # half the sweep
    omega = rng.uniform(1.2, 2.0, size=(m, 1))                      # radians per frame
    phi = rng.uniform(0, 2 * np.pi, size=(m, 1))
    wave = c + amp * np.sin(omega * t + phi)
    ramp = c + (2 * amp / (T_x - 1)) * t                            # sweeps c - amp .. c + amp
    theta = np.where((y == 0)[:, None], wave, np.where((y == 1)[:, None], ramp, 2 * c - ramp))
    x = np.stack([np.cos(theta), np.sin(theta)])                    # (2, m, T_x)
    x = x + noise * rng.standard_normal(x.shape)
    return FrameData(x.astype(dtype), y.astype(np.int64), ACTIVITY_LABELS, ("hand x", "hand y"))
