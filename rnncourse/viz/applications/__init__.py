"""Figures and widgets of the applications (lessons 09, 11, 12), cut like
:mod:`rnncourse.applications`: one module per application.

:mod:`.summary`
    :class:`ApplicationResult`, :func:`results_table` (application -> RNN type ->
    measured result, as narrow text) and :func:`plot_results` (model against baseline).
:mod:`.music`
    :func:`melody_samples` (tunes sampled at one temperature, judged by the grammar),
    :func:`plot_melodies` (a piano roll) and :func:`explore_temperature` (a slider).
:mod:`.frames`
    :func:`plot_frames` (a spectrogram with true and predicted labels) and
    :func:`plot_activities` (single frames of each activity, and the angle over time).

Every drawing takes ``ax=None`` (or ``axes=None``), draws on a new figure when it is
None, returns what it drew on and leaves matplotlib's global state alone.
"""

from __future__ import annotations

from .frames import plot_activities, plot_frames
from .music import (MelodySamples, explore_temperature, melody_samples, plot_melodies,
                    plot_piano_roll)
from .summary import ApplicationResult, plot_results, results_table

__all__ = [
    "ApplicationResult", "MelodySamples", "explore_temperature", "melody_samples",
    "plot_activities", "plot_frames", "plot_melodies", "plot_piano_roll", "plot_results",
    "results_table",
]
