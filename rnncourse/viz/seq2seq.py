"""Figures and the widget of lesson 11 (sequence to sequence).

Pure function (tested without a display)
    :func:`embedding_projection` (the 2-D principal-component projection of an
    embedding table) and :func:`accuracy_by_length` (exact match grouped by source length).
Drawings
    :func:`plot_embedding_2d` (the learned word vectors, projected to 2-D and labelled)
    and :func:`plot_accuracy_by_length` (exact match against source length, with counts).
Widget builder (ipywidgets imported inside)
    :func:`explore_beam_width` (a beam-width slider over one translation's best hypotheses).

Every drawing takes ``ax=None``, draws on a new figure when it is None, returns the axes
and leaves matplotlib's global state alone.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from . import COLORS, get_axes

__all__ = ["LengthAccuracy", "accuracy_by_length", "embedding_projection", "explore_beam_width",
           "plot_attention",
           "plot_accuracy_by_length", "plot_embedding_2d"]


def embedding_projection(E) -> np.ndarray:
    """The columns of ``E`` (n_e, n_vocab) projected on their two principal directions.

    Returns
    -------
    xy : ndarray of shape (2, n_vocab)
        Coordinates of each token's vector after centring the columns, along the two
        leading left singular vectors (the directions of largest spread).
    """
    E = np.asarray(E, dtype=np.float64)
    if E.ndim != 2 or E.shape[0] < 2:
        raise ValueError(f"embedding_projection: E must have shape (n_e, n_vocab) with n_e >= 2, "
                         f"got {E.shape}")
    centred = E - E.mean(axis=1, keepdims=True)
    U, _, _ = np.linalg.svd(centred, full_matrices=False)
    U = U[:, :2] * np.sign(U[np.abs(U[:, :2]).argmax(axis=0), [0, 1]])   # a fixed sign per axis
    return U.T @ centred                                                  # (2, n_vocab)


def plot_embedding_2d(E, vocab: Sequence[str], *, skip: Sequence[str] = ("<pad>",), groups=None,
                      ax=None):
    """Scatter of the learned vectors, one labelled dot per token (``skip`` left out).

    ``groups`` (optional) maps a token to a group name; each group gets one colour and a
    legend entry, placed outside the axes.
    """
    vocab = list(vocab)
    E = np.asarray(E)
    if E.ndim != 2 or E.shape[1] != len(vocab):
        raise ValueError(f"plot_embedding_2d: E must have one column per token of vocab "
                         f"({len(vocab)}), got shape {E.shape}")
    keep = [k for k, w in enumerate(vocab) if w not in skip]
    xy = embedding_projection(E[:, keep])
    ax = get_axes(ax, figsize=(6.5, 4.8))
    palette = (COLORS["x"], COLORS["y"], COLORS["a"], COLORS["loss"], COLORS["grad"], "#777777")
    names = [(groups or {}).get(vocab[k], "") for k in keep]
    for g, name in enumerate(dict.fromkeys(names)):
        idx = [j for j, n in enumerate(names) if n == name]
        ax.scatter(xy[0, idx], xy[1, idx], s=18, color=palette[g % len(palette)], label=name or None)
    for j, k in enumerate(keep):
        ax.annotate(vocab[k], (xy[0, j], xy[1, j]), fontsize=7, xytext=(3, 2), textcoords="offset points")
    ax.set_xlabel("first principal direction")
    ax.set_ylabel("second principal direction")
    if groups:
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.spines[["top", "right"]].set_visible(False)
    return ax


class LengthAccuracy(NamedTuple):
    """What :func:`accuracy_by_length` returns (one entry per source length present)."""

    lengths: np.ndarray     #: source lengths, increasing
    accuracy: np.ndarray    #: exact-match accuracy of the sources of that length
    counts: np.ndarray      #: how many sources have that length


def accuracy_by_length(correct, lengths) -> LengthAccuracy:
    """Group per-example results (``correct`` (m,) of bool) by source length ((m,) of int)."""
    correct, lengths = np.asarray(correct, dtype=bool), np.asarray(lengths).astype(int)
    if correct.ndim != 1 or correct.shape != lengths.shape:
        raise ValueError(f"accuracy_by_length: correct and lengths must both have shape (m,), "
                         f"got {correct.shape} and {lengths.shape}")
    values = np.unique(lengths)
    return LengthAccuracy(values, np.array([correct[lengths == v].mean() for v in values]),
                          np.array([(lengths == v).sum() for v in values]))


def plot_accuracy_by_length(result: LengthAccuracy, *, label: str = "encoder-decoder", ax=None):
    """Exact match against source length, the number of test sources under each point."""
    if not isinstance(result, LengthAccuracy):
        raise TypeError("plot_accuracy_by_length: result must be a LengthAccuracy (from accuracy_by_length)")
    ax = get_axes(ax, figsize=(6.0, 3.2))
    ax.plot(result.lengths, result.accuracy, "-o", color=COLORS["a"], label=label)
    for x, y, n in zip(result.lengths, result.accuracy, result.counts):
        ax.annotate(f"n={n}", (x, y), fontsize=7, xytext=(0, -12), textcoords="offset points", ha="center")
    ax.set_ylim(-0.12, 1.08)
    ax.set_xlabel("source length T_x (words)")
    ax.set_ylabel("exact match")
    ax.set_xticks(result.lengths)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def explore_beam_width(params, data, *, go: int, eos: int, examples: Sequence[int] = (0, 1, 2, 3),
                       max_width: int = 6):
    """Widget of lesson 11: beam width and example sliders over :func:`rnncourse.seq2seq.beam_search`.

    Shows, for the chosen source of ``data`` (a :class:`rnncourse.applications.translation.Seq2SeqData`),
    the translation found at that beam width, its log-probability and whether it is right.
    """
    import ipywidgets as widgets

    from ..seq2seq import beam_search
    from . import _wire

    examples = list(examples)

    def render(beam_width, example):
        i = examples[example]
        ids, log_p = beam_search(data.src_ids[i: i + 1], params, beam_width, data.tgt_out.shape[1],
                                 go, eos, src_mask=data.src_mask[i: i + 1])
        text = data.decode_target(ids[0])
        verdict = "right" if text == data.targets[i] else f"wrong (the answer is {data.targets[i]})"
        print(f"beam width {beam_width} (the {beam_width} most probable partial translations "
              f"kept at every step):")
        print(f"{data.sources[i]!r} -> {text!r}  log p = {log_p[0]:.3f}  {verdict}")

    return _wire(render, {
        "beam_width": widgets.IntSlider(value=1, min=1, max=max_width, description="beam width",
                                        style={"description_width": "initial"}, continuous_update=False),
        "example": widgets.IntSlider(value=0, min=0, max=len(examples) - 1, description="example",
                                     style={"description_width": "initial"}, continuous_update=False),
    })


def plot_attention(alpha, source_words: Sequence[str], target_words: Sequence[str], *, ax=None):
    """Attention weights of one example as a heatmap: output steps (rows) against source
    words (columns), with a colour bar; ``alpha`` (T_y, T_x), cut to the given words."""
    alpha = np.asarray(alpha, dtype=float)
    source_words, target_words = list(source_words), list(target_words)
    if alpha.ndim != 2 or alpha.shape[0] < len(target_words) or alpha.shape[1] < len(source_words):
        raise ValueError(f"plot_attention: alpha must have shape (T_y, T_x) covering "
                         f"{len(target_words)} outputs and {len(source_words)} words, got {alpha.shape}")
    a = alpha[: len(target_words), : len(source_words)]
    ax = get_axes(ax, figsize=(0.6 * len(source_words) + 2.0, 0.45 * len(target_words) + 1.2))
    image = ax.imshow(a, cmap="Greens", vmin=0.0, vmax=1.0, aspect="auto")
    ax.figure.colorbar(image, ax=ax, label="attention weight")
    ax.set_xticks(range(len(source_words)))
    ax.set_xticklabels(source_words, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(target_words)))
    ax.set_yticklabels(target_words, fontsize=8)
    ax.set_xlabel("source word")
    ax.set_ylabel("output step")
    return ax
