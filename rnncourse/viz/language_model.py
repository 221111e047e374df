"""Figures and the sampling widget of lesson 10 (the character-level language model).

* :func:`plot_lm_loss` -- the training loss per character against the uniform,
  unigram and bigram baselines, with the held-out loss;
* :func:`plot_cache_bytes` -- memory of the caches against the chunk length of
  truncated BPTT;
* :func:`plot_bracket_probe` -- the probability of a closing bracket or quote, by
  distance from the opening one;
* :func:`plot_cell_comparison` -- held-out perplexity of several cells trained alike;
* :func:`explore_sampling` -- a temperature slider (and greedy switch) over samples.

Losses are in nats per character (``log`` of the perplexity), so the baselines are
straight lines at ``log(perplexity)``.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from . import COLORS, get_axes

__all__ = ["explore_sampling", "plot_bracket_probe", "plot_cache_bytes", "plot_cell_comparison",
           "plot_lm_loss", "sample_text"]

_BASELINE_STYLE = {"uniform": ":", "unigram": "-.", "bigram": "--"}
_CELL_COLORS = {"rnn": COLORS["a"], "gru": COLORS["x"], "lstm": COLORS["y"]}


def _smooth(values: np.ndarray, window: int) -> np.ndarray:
    """Running mean over ``window`` steps (shorter at the start)."""
    c = np.cumsum(np.insert(values, 0, 0.0))
    k = np.arange(1, values.size + 1)
    lo = np.maximum(0, k - window)
    return (c[k] - c[lo]) / (k - lo)


def plot_lm_loss(losses, baselines: Mapping[str, float], *, eval_steps=None, eval_perplexity=None,
                 window: int = 25, ax=None):
    """Training loss per character, baselines as horizontal lines, held-out loss as dots.

    Parameters
    ----------
    losses : ndarray (n_steps,), nats per character of each chunk
    baselines : dict name -> held-out perplexity (drawn at ``log`` of it)
    eval_steps, eval_perplexity : arrays, optional; the model's held-out perplexity
    window : int, the running mean drawn over the raw losses
    """
    losses = np.asarray(losses, dtype=float)
    if losses.ndim != 1 or losses.size == 0:
        raise ValueError(f"plot_lm_loss: losses must be a non-empty 1-D array, got shape "
                         f"{losses.shape}")
    ax = get_axes(ax, figsize=(7.0, 3.6))
    steps = np.arange(1, losses.size + 1)
    ax.plot(steps, losses, color=COLORS["loss"], alpha=0.25, lw=0.8)
    ax.plot(steps, _smooth(losses, window), color=COLORS["loss"], lw=1.8,
            label=f"training loss (mean of {window} steps)")
    for name, ppl in baselines.items():
        ax.axhline(np.log(ppl), color="#555555", lw=1.1, ls=_BASELINE_STYLE.get(name, "--"),
                   label=f"{name} baseline (held-out perplexity {ppl:.1f})")
    if eval_steps is not None and len(eval_steps):
        ax.plot(eval_steps, np.log(eval_perplexity), "o-", color=COLORS["y"], ms=5,
                label=f"held-out loss (perplexity {eval_perplexity[-1]:.1f} at the end)")
    ax.set_xlabel("update")
    ax.set_ylabel("cross-entropy (nats per character)")
    ax.set_xlim(1, losses.size)
    # below the axes: the curves and the baselines span the whole width
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_cache_bytes(chunk_lengths: Sequence[int], nbytes: Sequence[int], *, ax=None):
    """Bytes kept for backprop against the chunk length of truncated BPTT (log-log)."""
    T = np.asarray(chunk_lengths, dtype=float)
    b = np.asarray(nbytes, dtype=float)
    if T.shape != b.shape or T.ndim != 1 or T.size < 2:
        raise ValueError("plot_cache_bytes: chunk_lengths and nbytes must be 1-D arrays of the "
                         f"same length >= 2, got shapes {T.shape} and {b.shape}")
    ax = get_axes(ax, figsize=(5.0, 3.2))
    ax.loglog(T, b / 2**20, "o-", color=COLORS["grad"])
    for t, v in zip(T, b):
        ax.annotate(f"{v / 2**20:.1f} MiB", (t, v / 2**20), textcoords="offset points",
                    xytext=(4, -10), fontsize=8)
    ax.margins(x=0.12, y=0.15)
    ax.set_xlabel("chunk length T (steps kept for backprop)")
    ax.set_ylabel("cache size (MiB)")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_bracket_probe(probes, *, ax=None):
    """Probability of each closing symbol next, by distance since the opening one.

    ``probes`` is the list returned by :func:`rnncourse.language_model.bracket_probe`;
    the dashed line of the same colour is the probability where nothing is open.
    """
    if not probes:
        raise ValueError("plot_bracket_probe: probes must be a non-empty list of BracketProbe")
    ax = get_axes(ax, figsize=(6.5, 4.0))
    colors = [COLORS["x"], COLORS["y"], COLORS["a"], COLORS["grad"]]
    for probe, color in zip(probes, colors):
        ok = probe.counts >= 5
        ax.plot(probe.distances[ok], probe.p_inside[ok], "o-", ms=3.5, color=color,
                label=f"p({probe.close!r} next) after an open {probe.open!r}")
        ax.axhline(probe.p_outside, color=color, ls="--", lw=1.0,
                   label=f"p({probe.close!r} next) when nothing is open")
    ax.set_yscale("log")
    ax.set_xlabel("characters since the opening symbol")
    ax.set_ylabel("probability (log scale)")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_cell_comparison(results: Mapping[str, tuple], baselines: Mapping[str, float], *, ax=None):
    """Held-out perplexity against updates for each cell.

    ``results`` maps a cell name to ``(eval_steps, eval_perplexity)``; ``baselines``
    maps a baseline name to its perplexity (horizontal lines).
    """
    if not results:
        raise ValueError("plot_cell_comparison: results must name at least one cell")
    ax = get_axes(ax, figsize=(6.0, 3.4))
    for cell, (steps, ppl) in results.items():
        ax.plot(steps, ppl, "o-", ms=4, color=_CELL_COLORS.get(cell),
                label=f"{cell.upper()} (final {ppl[-1]:.1f})")
    for name, ppl in baselines.items():
        ax.axhline(ppl, color="#555555", lw=1.0, ls=_BASELINE_STYLE.get(name, "--"),
                   label=f"{name} ({ppl:.1f})")
    ax.set_xlabel("update")
    ax.set_ylabel("held-out perplexity")
    ax.legend(fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def sample_text(params, vocab, temperature: float, *, n_chars: int = 200, seed: int = 0,
                greedy: bool = False, cell: str = "rnn", prime: str = "") -> str:
    """The text of :func:`rnncourse.language_model.sample` (the prime included)."""
    from ..language_model import sample

    prime_ids = vocab.encode(prime) if prime else None
    ids = sample(params, seed, temperature, n_chars, cell=cell, prime=prime_ids, greedy=greedy)
    return prime + vocab.decode(ids)


def explore_sampling(params, vocab, *, cell: str = "rnn", n_chars: int = 240, seed: int = 0,
                     prime: str = "the "):
    """Widget of lesson 10: temperature slider and greedy switch over one sample."""
    import ipywidgets as widgets

    from . import _wire

    def render(temperature, greedy):
        text = sample_text(params, vocab, temperature, n_chars=n_chars, seed=seed,
                           greedy=greedy, cell=cell, prime=prime)
        how = "greedy (argmax)" if greedy else f"temperature {temperature:.2f}"
        print(f"{how}:\n{text}")

    return _wire(render, {
        "temperature": widgets.FloatSlider(value=0.7, min=0.1, max=2.0, step=0.1,
                                           description="temperature", continuous_update=False),
        "greedy": widgets.Checkbox(value=False, description="greedy"),
    })
