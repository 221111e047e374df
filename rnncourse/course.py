"""The course catalogue: one list of lessons that the README's course map is built from.

``python -m rnncourse.course`` prints the course map as a Markdown table with each
lesson's status read from the files that exist; ``--update-readme`` rewrites the
table between the ``course-map`` markers in README.md (tests/test_course.py fails
when the README is out of date).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NamedTuple

__all__ = ["LESSONS", "Lesson", "course_map", "update_readme"]

START, END = "<!-- course-map:start -->", "<!-- course-map:end -->"


class Lesson(NamedTuple):
    """One lesson: its file stem (``notebooks/<stem>.ipynb``) and what it teaches."""

    stem: str
    title: str
    graded: bool = True   # whether it has a graded notebook in solutions/ and assignments/


LESSONS: tuple[Lesson, ...] = (
    Lesson("00_welcome", "Welcome: course map, shape conventions, a first RNN", graded=False),
    Lesson("01_rnn_types", "Sequence data and the RNN types"),
    Lesson("02_forward_propagation", "Forward propagation and the loss"),
    Lesson("03_backprop_through_time", "Backpropagation through time"),
    Lesson("04_vanishing_gradients", "Vanishing and exploding gradients, clipping"),
    Lesson("05_gru", "Gated recurrent unit (GRU)"),
    Lesson("06_lstm", "Long short-term memory (LSTM)"),
    Lesson("07_bidirectional_rnn", "Bidirectional RNN"),
    Lesson("08_deep_rnn", "Deep RNN"),
    Lesson("09_applications", "Applications: sentiment, music, DNA, translation, speech, video, NER"),
    Lesson("10_language_model", "Capstone: a character-level language model, trained and sampled"),
    Lesson("11_seq2seq", "Sequence to sequence: embeddings, encoder-decoder, beam search"),
    Lesson("12_labelling_sequences", "Labelling sequences: speech frames, named entities, DNA"),
    Lesson("13_music", "Music generation with real notes: Bach chorale melodies"),
)


def _status(root: Path, lesson: Lesson) -> str:
    has_lesson = (root / "notebooks" / f"{lesson.stem}.ipynb").exists()
    has_assignment = (root / "assignments" / f"{lesson.stem}.ipynb").exists()
    if has_lesson and (has_assignment or not lesson.graded):
        return "ready"
    if has_lesson:
        return "lesson ready, assignment planned"
    if has_assignment:
        return "assignment ready, lesson planned"
    return "planned"


def course_map(root: Path | str = ".", link_base: str = "") -> str:
    """The course map as a Markdown table, with links to the files that exist.

    ``link_base`` is prefixed to every link: ``""`` for a page at the repository root
    (README.md), ``".."`` for a notebook in ``notebooks/``.
    """
    root = Path(root)
    prefix = f"{link_base.rstrip('/')}/" if link_base else ""
    rows = ["| # | Lesson | Notebook | Assignment | Status |", "|---|---|---|---|---|"]
    for lesson in LESSONS:
        number = lesson.stem[:2]
        nb = f"notebooks/{lesson.stem}.ipynb"
        asg = f"assignments/{lesson.stem}.ipynb"
        nb_cell = f"[{nb}]({prefix}{nb})" if (root / nb).exists() else f"`{nb}` (planned)"
        if not lesson.graded:
            asg_cell = "—"
        else:
            asg_cell = f"[{asg}]({prefix}{asg})" if (root / asg).exists() else f"`{asg}` (planned)"
        rows.append(f"| {number} | {lesson.title} | {nb_cell} | {asg_cell} | {_status(root, lesson)} |")
    return "\n".join(rows)


def update_readme(root: Path | str = ".") -> bool:
    """Rewrite the course map in ``root/README.md``; return whether it changed."""
    path = Path(root) / "README.md"
    text = path.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise ValueError(f"{path} has no {START} ... {END} markers")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{course_map(root)}\n{END}{tail}"
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnncourse.course", description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=".", help="repository root (default: .)")
    parser.add_argument("--update-readme", action="store_true", help="rewrite README.md's course map")
    args = parser.parse_args(argv)
    if args.update_readme:
        print("README.md updated" if update_readme(args.root) else "README.md already up to date")
    else:
        print(course_map(args.root))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
