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


# --- notation -------------------------------------------------------------------------------
# The loss is \mathcal{L} (rendered 𝓛) everywhere; L alone is the number of layers of lesson 08.
# A gradient such as da_prev is typeset da_{\text{prev}}; a transpose goes outside the
# superscript of a time step, (x^{<t>})^T, never x^{<t> T} (which reads as a step "t T").

_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)
_BAD_NOTATION = {
    "a bare L for the loss (write \\mathcal{L})": re.compile(
        r"\\partial L(?![A-Za-z])|(?<![A-Za-z\\{])L\^\{\\langle|(?<![A-Za-z\\{])L\(\\hat|^\s*L\s*&="),
    "J for the loss (write \\mathcal{L})": re.compile(
        r"(?<![A-Za-z\\{_^])J(?![A-Za-z_])"),
    "da_{prev} without \\text (write d*_{\\text{prev}})": re.compile(r"\bd[a-z]_\{(prev|next)\}"),
    "a transpose inside a time-step superscript (write (x^{<t>})^T)": re.compile(
        r"\\rangle\s*(\\,|\\;)?\s*T\s*\}"),
}
_LOSS_WORDS = re.compile(r"loss(es)?\s+\$(L|J)\$")


def _markdown_math(path: Path) -> list[str]:
    spans = []
    for cell in _cells(path):
        if cell.cell_type == "markdown":
            spans += [m.group(1) or m.group(2) for m in _MATH.finditer(cell.source)]
    return spans


def _notation_problems(path: Path) -> list[str]:
    problems = []
    for span in _markdown_math(path):
        for what, pattern in _BAD_NOTATION.items():
            if pattern.search(span):
                problems.append(f"{what}: ${span.strip()[:80]}$")
    for cell in _cells(path):
        if cell.cell_type == "markdown" and _LOSS_WORDS.search(cell.source):
            problems.append(f"the loss written as a bare letter: {_LOSS_WORDS.search(cell.source).group(0)}")
    return problems


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_one_notation_for_the_loss_gradients_and_transposes(path):
    problems = _notation_problems(path)
    assert not problems, f"{path.parent.name}/{path.name}:\n  " + "\n  ".join(problems[:10])


@pytest.mark.parametrize("text, bad", [
    ("$$ \\frac{\\partial L}{\\partial a} $$", True),
    ("the per-step loss $L^{\\langle t \\rangle}$", True),
    ("$J = \\sum da \\odot a$", True),
    ("$da_{prev} = W_{aa}^T dz$", True),
    ("$dz\\, x^{\\langle t \\rangle T}$", True),
    ("$dz\\; a^{\\langle t-1 \\rangle\\,T}$", True),
    ("the loss $L$ at the last step", True),
    ("$\\partial \\mathcal{L} / \\partial a^{\\langle t \\rangle}$ and $da_{\\text{prev}}$", False),
    ("$dz\\, \\left(x^{\\langle t \\rangle}\\right)^{T}$ with $L = 3$ layers, $W_{aa}^T$", False),
    ("$\\mathcal{L}(\\hat{y}, y) = \\sum_t \\mathcal{L}^{\\langle t \\rangle}$", False),
])
def test_the_notation_lint_catches_what_it_names(tmp_path, text, bad):
    import nbformat.v4 as v4
    path = tmp_path / "nb.ipynb"
    nbformat.write(v4.new_notebook(cells=[v4.new_markdown_cell(text)]), path)
    assert bool(_notation_problems(path)) == bad


def test_the_syllabus_comma_is_said_to_stack_vertically_before_it_is_used():
    comma = re.compile(r"\[\s*(\\Gamma_r \* )?[ac]\^\{[^\]]*\\rangle\},\s*[ax]\^")
    users = [p for p in LESSONS if any(comma.search(s) for s in _markdown_math(p))]
    assert users, "no lesson quotes the syllabus's [a, x] any more: update this test"
    explained = [p for p in LESSONS
                 if re.search(r"comma[^.]*vertical stacking", "\n".join(
                     c.source for c in _cells(p) if c.cell_type == "markdown"), re.S)]
    assert explained and explained[0].name <= users[0].name, (explained, users[0].name)


def test_figures_label_the_loss_with_the_lessons_symbol():
    # the viz helpers draw the loss in figures: the same \mathcal{L} as the text
    for path in sorted((ROOT / "rnncourse" / "viz").glob("*.py")):
        source = path.read_text()
        assert not re.search(r"\\\\partial L\b|\$L\^|\"\$L\$\"", source), path.name


#: phrases of instructor remarks about the course's own test suite (issue 12, item 17)
_TEST_REMARKS = re.compile(r"not compared by the|in the tests\b|the notebook tests|\bnbval\b|"
                           r"NBVAL_", re.IGNORECASE)


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=lambda p: p.stem)
def test_learner_facing_text_says_nothing_about_the_test_suite(path):
    remarks = [m.group(0) for cell in nbformat.read(path, as_version=4).cells
               if cell.cell_type == "markdown" for m in _TEST_REMARKS.finditer(cell.source)]
    assert not remarks, f"{path.name}: remarks about the tests in its text: {remarks}"


def test_the_remark_lint_catches_what_it_names():
    for text in ["(its output is not compared by the tests)", "checked in the tests.",
                 "hence `NBVAL_IGNORE_OUTPUT`", "the notebook tests skip it"]:
        assert _TEST_REMARKS.search(text), text
    assert not _TEST_REMARKS.search("test the model on held-out data")
