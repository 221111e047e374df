"""Lint of the lesson and solution notebooks' text: what is used is taught first, notation is one.

These read the notebooks only (no kernel), so they are cheap.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))


def _cells(path: Path):
    return nbformat.read(path, as_version=4).cells


def _first_use(cells, call: str) -> int | None:
    pattern = re.compile(rf"\b{re.escape(call)}\(")
    for i, cell in enumerate(cells):
        if cell.cell_type == "code" and pattern.search(cell.source):
            return i
    return None


def test_softmax_cross_entropy_is_taught_with_its_gradient_before_its_first_use():
    # the first lesson that calls softmax_cross_entropy must, in the text before that call,
    # define the loss and derive dz = y_hat - y, and confirm it with a gradient check no
    # later than the cell of that first call
    users = [(p, _first_use(_cells(p), "softmax_cross_entropy")) for p in LESSONS]
    users = [(p, i) for p, i in users if i is not None]
    assert users, "no lesson uses softmax_cross_entropy any more: update this test"
    path, first = users[0]
    cells = _cells(path)
    text = "\n".join(c.source for c in cells[:first] if c.cell_type == "markdown")
    code = "\n".join(c.source for c in cells[:first + 1] if c.cell_type == "code")
    assert re.search(r"softmax cross-entropy", text, re.I), f"{path.name}: the loss is not introduced"
    assert re.search(r"-\\sum_\{?k", text), f"{path.name}: the formula -sum_k y_k log y_hat_k is missing"
    assert re.search(r"dz\s*=\s*\\hat\{y\}\s*-\s*y", text), f"{path.name}: dz = y_hat - y is not derived"
    assert re.search(r"gradient_check\([^\n]*softmax_cross_entropy", code), (
        f"{path.name}: no gradient check of softmax_cross_entropy before its first use")


def test_the_lesson_with_the_soft_decoder_says_how_decoders_are_trained_and_used():
    # encoder_decoder_forward feeds back the softmax vector; the lesson that shows it must say
    # (and show, in code) that training uses teacher forcing and generation feeds back a token
    path = next(p for p in LESSONS if _first_use(_cells(p), "encoder_decoder_forward") is not None)
    cells = _cells(path)
    text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in cells if c.cell_type == "code")
    assert re.search(r"teacher forcing", text, re.I), f"{path.name}: teacher forcing is not stated"
    assert re.search(r"argmax", text) and re.search(r"sampled", text), (
        f"{path.name}: generation feeding back an argmax or sampled token is not stated")
    assert re.search(r"one_to_many_generate\([^\n]*e_last", code), (
        f"{path.name}: no generation from the encoder's summary is shown")
    assert re.search(r"rnn_forward\(x_teacher", code), f"{path.name}: no teacher-forced decoder run is shown"


def _outputs_text(cells) -> str:
    parts = []
    for cell in cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            parts.append(out.get("text", "") if out.get("output_type") == "stream"
                         else out.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def test_lesson_08_states_the_parameter_ratios_it_prints():
    # "far more than a dense layer" was a claim without a number: every "N.N times" / "N.N for a"
    # ratio in the text must be one the notebook computes and prints
    cells = _cells(ROOT / "notebooks" / "08_deep_rnn.ipynb")
    text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    printed = _outputs_text(cells)
    assert "far more" not in text
    ratios = re.findall(r"(\d+\.\d) (?:times|for a)", text.replace("**", ""))
    assert ratios, "lesson 08 no longer states the recurrent-to-dense parameter ratios"
    for r in ratios:
        assert f"{r} times the" in printed, f"lesson 08 states a ratio of {r} that no output prints"


def test_lesson_08_compares_a_deep_and_a_shallow_model_on_held_out_data():
    cells = _cells(ROOT / "notebooks" / "08_deep_rnn.ipynb")
    code = "\n".join(c.source for c in cells if c.cell_type == "code")
    printed = _outputs_text(cells)
    assert re.search(r"\.evaluate\(held_out", code), "no evaluation on held-out data"
    assert "majority class" in printed and "depth clearly helps here" in printed
    verdict = re.search(r"depth clearly helps here \(gap larger than the spread\): (True|False)", printed)
    assert verdict, "the deep-vs-shallow verdict is not printed"
    text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    # the text's reading of the verdict must match the stored output
    says_no = "do not clearly beat one" in text
    assert says_no == (verdict.group(1) == "False")
    # the timings are noisy and not linear at every size: the text claims linear growth only
    # for what is counted (parameters, multiply-adds), never for the measured time
    assert not re.search(r"(time|work)s? grows? linearly", text)
    assert not re.search(r"and work grow", text)
