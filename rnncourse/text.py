"""Real English text for the character-level language model of lesson 10.

The text is the prose of the Python documentation's help topics, which every CPython
installation ships in the standard library module ``pydoc_data.topics`` (the pages
``help("if")``, ``help("class")``... print; about 465 k characters in 79 topics).  It is
read at run time, never downloaded and never copied into this repository; it is part
of CPython and distributed under the Python Software Foundation License.  Its exact
content changes a little from one Python version to the next, so the numbers a
lesson prints depend (slightly) on the Python that runs it.

What this module does, in order:

1. :func:`load_documents` reads the topics, sorted by name, and cleans each one with
   :func:`clean_text` (lower case, typographic punctuation folded to ASCII, runs of
   spaces and of ruler characters shortened), so the vocabulary stays small;
2. :func:`build_vocabulary` makes a :class:`Vocabulary`: the end-of-sequence token
   ``EOS`` at index 0, then every character in sorted order;
3. :func:`load_corpus` encodes every document followed by ``EOS`` and splits the
   documents deterministically into training and held-out text (every
   ``held_out_every``-th topic is held out, so the model is judged on whole pages it
   never saw).

:func:`one_hot` turns integer ids ``(m, T)`` into the course's column convention
``(n_x, m, T)``.  Only the standard library and numpy are needed.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Sequence

import numpy as np

from ._validate import check_int

__all__ = ["EOS", "Corpus", "Vocabulary", "build_vocabulary", "clean_text", "load_corpus",
           "load_documents", "one_hot"]

#: the end-of-sequence token: index 0 of every vocabulary, printed as this symbol
EOS = "\u00b6"   # the pilcrow, a character the cleaned text never contains

#: typographic characters folded to their ASCII look-alikes
_FOLD = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
         "\u2014": "-", "\u2026": "...", "\u00a0": " "}
_RULERS = re.compile(r"([-*=~^+#_|])\1{3,}")    # ------, ******, ====== ... -> 3 of them
_SPACES = re.compile(r" {2,}")
_TRAILING = re.compile(r" +\n")


def clean_text(text: str) -> str:
    """The text as the model sees it.

    Lower case; typographic quotes and dashes folded to ASCII; any other non-ASCII
    character dropped; runs of 4+ identical ruler characters (``-*=~^+#_|``) cut to 3;
    runs of spaces cut to one; no space before a newline; at most one blank line.
    """
    if not isinstance(text, str):
        raise TypeError(f"clean_text: text must be a str, got {type(text).__name__}")
    text = "".join(_FOLD.get(ch, ch) for ch in text.lower())
    text = "".join(ch for ch in text if ch == "\n" or (" " <= ch <= "~"))
    text = _RULERS.sub(r"\1\1\1", text)
    text = _SPACES.sub(" ", text)
    text = _TRAILING.sub("\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n ")


def load_documents() -> list[tuple[str, str]]:
    """The cleaned help topics of this Python, as ``(topic name, text)`` sorted by name."""
    try:
        from pydoc_data import topics   # standard library, shipped with CPython
    except ImportError as exc:          # some Linux distributions package it separately
        raise RuntimeError("load_documents: this Python has no pydoc_data.topics (the help "
                           "pages of the standard library), which lesson 10 reads; install "
                           "your distribution's full Python standard library") from exc
    return [(name, clean_text(topics.topics[name])) for name in sorted(topics.topics)]


class Vocabulary(NamedTuple):
    """Characters and their integer ids; ``chars[0]`` is :data:`EOS`.

    ``encode("abc")`` gives an int64 array of ids, ``decode(ids)`` the string back
    (EOS printed as the pilcrow).  ``len(vocab)`` is ``n_x = n_y``.
    """

    chars: tuple[str, ...]

    @property
    def index(self) -> dict[str, int]:
        return {ch: i for i, ch in enumerate(self.chars)}

    def __len__(self) -> int:    # NamedTuple's len would be 1
        return len(self.chars)

    @property
    def eos(self) -> int:
        return 0

    def encode(self, text: str) -> np.ndarray:
        """int64 ids of shape (len(text),); ``ValueError`` naming an unknown character."""
        if not isinstance(text, str):
            raise TypeError(f"Vocabulary.encode: text must be a str, got {type(text).__name__}")
        index = self.index
        try:
            return np.fromiter((index[ch] for ch in text), dtype=np.int64, count=len(text))
        except KeyError as exc:
            raise ValueError(f"Vocabulary.encode: character {exc.args[0]!r} is not in the "
                             f"vocabulary of {len(self)} symbols (run the text through "
                             f"clean_text first)") from None

    def decode(self, ids) -> str:
        """The string of the ids ``(T,)``; ``ValueError`` for an id outside [0, n)."""
        ids = np.asarray(ids)
        if ids.dtype.kind not in "iu" or ids.ndim != 1:
            raise ValueError(f"Vocabulary.decode: ids must be a 1-D integer array, got "
                             f"dtype {ids.dtype} and shape {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"Vocabulary.decode: ids must lie in [0, {len(self)}), got "
                             f"values in [{ids.min()}, {ids.max()}]")
        return "".join(self.chars[i] for i in ids)


def build_vocabulary(texts: Sequence[str]) -> Vocabulary:
    """:data:`EOS` followed by every character of ``texts`` in sorted order."""
    if isinstance(texts, str):
        raise TypeError("build_vocabulary: texts must be a list of strings, got one str")
    chars = sorted(set("".join(texts)))
    if EOS in chars:
        raise ValueError(f"build_vocabulary: the texts contain the EOS symbol {EOS!r}")
    return Vocabulary((EOS, *chars))


class Corpus(NamedTuple):
    """The encoded text: every document followed by EOS, split by whole documents."""

    vocab: Vocabulary
    train_ids: np.ndarray      #: (N_train,) int64
    held_out_ids: np.ndarray   #: (N_held,) int64
    train_topics: tuple        #: names of the training documents
    held_out_topics: tuple     #: names of the held-out documents


def load_corpus(held_out_every: int = 10) -> Corpus:
    """The help topics, encoded; every ``held_out_every``-th topic (by name) held out.

    The vocabulary is built from all documents (it is only the character set, which
    the held-out pages share), so every held-out character has an id.
    """
    held_out_every = check_int("load_corpus", "held_out_every", held_out_every, low=2)
    docs = load_documents()
    vocab = build_vocabulary([text for _, text in docs])
    train, held, train_names, held_names = [], [], [], []
    for k, (name, text) in enumerate(docs):
        ids = np.append(vocab.encode(text), vocab.eos)
        if k % held_out_every == held_out_every // 2:
            held.append(ids)
            held_names.append(name)
        else:
            train.append(ids)
            train_names.append(name)
    return Corpus(vocab, np.concatenate(train), np.concatenate(held), tuple(train_names),
                  tuple(held_names))


def one_hot(ids, n: int, dtype=np.float64) -> np.ndarray:
    """One-hot columns of integer ids.

    Parameters
    ----------
    ids : int ndarray of shape (m, T) (or (m,) for one step)
    n : int, vocabulary size

    Returns
    -------
    x : ndarray of shape (n, m, T) (or (n, m)); ``x[ids[i, t], i, t] = 1``, zeros elsewhere.
    """
    fn = "one_hot"
    n = check_int(fn, "n", n)
    if not isinstance(ids, np.ndarray):
        raise TypeError(f"{fn}: ids must be a numpy.ndarray of integers, got {type(ids).__name__}")
    if ids.dtype.kind not in "iu" or ids.ndim not in (1, 2):
        raise ValueError(f"{fn}: ids must be an integer array of shape (m, T) or (m,), got "
                         f"dtype {ids.dtype} and shape {ids.shape}")
    if ids.size and (ids.min() < 0 or ids.max() >= n):
        raise ValueError(f"{fn}: ids must lie in [0, n) = [0, {n}), got values in "
                         f"[{ids.min()}, {ids.max()}]")
    x = np.zeros((n, *ids.shape), dtype=dtype)
    np.put_along_axis(x, ids[None], 1.0, axis=0)
    return x
