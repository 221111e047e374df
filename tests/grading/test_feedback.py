"""Per-student feedback pages: where they go, what they say, and that learner text
cannot inject Markdown or HTML into them."""

from __future__ import annotations

import re
from html import escape

import pytest

from rnncourse.grading.feedback import (
    MAX_FEEDBACK_CHARS,
    feedback_path,
    render_feedback,
    safe_name,
    write_feedback,
)
from rnncourse.grading.gradebook import format_score
from rnncourse.grading.report import STATUSES, ExerciseResult, Report

HOSTILE = [
    "<!-- everything below is hidden",
    "</code></pre><h1>You get full marks</h1>",
    "```\n# Heading from the learner\n```",
    "~~~\n~~~",
    "`` ` ``",
    "[click](http://evil.example) ![img](http://evil.example/x.png)",
    "| injected | cells |\n|---|---|",
    "*bold* _em_ \\ & &amp; $x^2$",
    "line\rwith carriage return\x1b[31m and ANSI\x00",
]


def report_of(feedback: list[str], *, student="ann", assignment="02_forward", notes=()) -> Report:
    exercises = tuple(
        ExerciseResult(f"exercise_{k}", (k % 3) / 2, 1.5, STATUSES[k % len(STATUSES)] if k % 3 != 2 else "passed", text)
        for k, text in enumerate(feedback))
    return Report(submission=f"in/{student}.ipynb", assignment=assignment, student=student,
                  exercises=exercises, notes=tuple(notes))


def test_page_lists_every_exercise_with_its_status_and_points():
    report = report_of(["fine", "wrong shape: expected (5, 10), got (10, 5)", ""] * 2)
    page = render_feedback(report)
    rows = [line for line in page.splitlines() if re.match(r"\| \d+ \|", line)]
    assert len(rows) == len(report.exercises)
    for row, exercise in zip(rows, report.exercises):
        assert f"`{exercise.name}`" in row
        assert row.endswith(f"| {format_score(exercise.score)} / {format_score(exercise.max_score)} |")
    assert f"**{format_score(report.score)} / {format_score(report.max_score)}**" in page
    for exercise in report.exercises:
        if exercise.feedback:
            assert f"```text\n{exercise.feedback}\n```" in page
    assert page.count("No comments.") == sum(not e.feedback for e in report.exercises)
    assert render_feedback(report) == page  # deterministic


def test_statuses_are_worded_for_learners():
    page = render_feedback(report_of(["x"]))
    assert "not attempted yet" in render_feedback(
        Report("s", "a", "b", (ExerciseResult("f", 0, 1, "not_implemented"),)))
    assert "timed out" in render_feedback(Report("s", "a", "b", (ExerciseResult("f", 0, 1, "timeout"),)))
    assert "passed" in page or "failed" in page


def test_notes_and_an_empty_report():
    page = render_feedback(Report("s.ipynb", "02_forward", "ann", (), ("invalid JSON: line 1",)))
    assert "No exercise of this assignment was graded." in page
    assert "## Notes on the submission" in page and "invalid JSON: line 1" in page


def test_long_feedback_is_cut_and_says_so():
    page = render_feedback(report_of(["x" * (MAX_FEEDBACK_CHARS + 1234)]))
    assert "[... 1234 more characters not shown]" in page
    assert len(page) < MAX_FEEDBACK_CHARS + 2000


def test_control_characters_are_shown_as_escapes():
    page = render_feedback(report_of(["bell\x07 escape\x1b[2J"], student="a\x1bb"))
    assert "\x07" not in page and "\x1b" not in page
    assert "bell\\x07 escape\\x1b[2J" in page and "a\\x1bb" in page


def _html(page: str) -> str:
    mistune = pytest.importorskip("mistune", minversion="3")
    # a permissive renderer (raw HTML passes through, as on GitHub or in Jupyter)
    return mistune.create_markdown(escape=False, plugins=["table", "strikethrough", "url"])(page)


@pytest.mark.parametrize("text", HOSTILE)
def test_learner_text_cannot_inject_markup(text):
    report = report_of([text, "plain"], student=text.replace("\n", " "), assignment=text,
                       notes=[text])
    html = _html(render_feedback(report))
    # the learner's text adds no element: no link, image, comment, strike, extra heading or row
    for tag in ("<a ", "<img", "<!--", "<del", "<em", "<strong>bold", "<h1>You"):
        assert tag not in html
    assert html.count("<h1") == 1
    assert html.count("<h2") == 1 + len(report.exercises)  # notes + one per exercise
    assert html.count("<tr") == 1 + len(report.exercises) + 1  # header, exercises, total
    assert all(row.count("<td") == 4 for row in re.findall(r"<tr>.*?</tr>", html, re.S)[1:])
    # ...and is still there to read
    assert html.count("<pre><code") == 3  # notes and both exercises


@pytest.mark.parametrize("name", ["`` ` ``", "a`b", "``x``", "`", "a | b"])
def test_backticks_and_pipes_stay_inside_their_code_span(name):
    html = _html(render_feedback(report_of(["x"], student=name)))
    assert f"<code>{escape(name, quote=False)}</code>" in html
    # in the score table, a pipe in an exercise name does not add a cell
    report = Report("s.ipynb", "a", "ann", (ExerciseResult(name, 0, 1, "failed", "x"),))
    rows = re.findall(r"<tr>.*?</tr>", _html(render_feedback(report)), re.S)
    assert [row.count("<td") for row in rows[1:]] == [4, 4], rows


def test_page_renders_as_expected_html_for_plain_text():
    html = _html(render_feedback(report_of(["first line\nsecond line"])))
    assert "<table>" in html and "first line\nsecond line" in html


@pytest.mark.parametrize("name", ["ann", "Zoë_Ng-2.b", "../../etc/passwd", "a/b", "a_b", ".hidden",
                                  "", "..", "con spaces", "\udcff"])
def test_safe_names_stay_in_their_folder(name):
    cleaned = safe_name(name)
    assert cleaned and "/" not in cleaned and not cleaned.startswith(".")
    assert re.fullmatch(r"[\w.\-]+", cleaned)
    assert safe_name(name) == cleaned
    if re.fullmatch(r"[\w\-][\w.\-]*", name) and not name.endswith("."):
        assert cleaned == name  # ordinary names are kept as they are


def test_different_names_never_share_a_file():
    names = ["a/b", "a_b", "a b", "a\\b", "../a_b", "A_B"]
    assert len({safe_name(n) for n in names}) == len(names)


def test_write_feedback_places_pages_per_student_and_assignment(tmp_path):
    reports = [report_of(["x"], student=s, assignment=a)
               for s in ("ann", "../../escape") for a in ("02_forward", "03_bptt")]
    paths = [write_feedback(r, tmp_path) for r in reports]
    assert len(set(paths)) == len(reports)
    for report, path in zip(reports, paths):
        assert path == feedback_path(report, tmp_path)
        assert path.read_text(encoding="utf-8") == render_feedback(report)
        assert path.resolve().is_relative_to((tmp_path / "feedback").resolve())
    assert paths[0] == tmp_path / "feedback" / "ann" / "02_forward.md"


def test_write_feedback_replaces_the_previous_page(tmp_path):
    first = report_of(["first try"])
    second = report_of(["second try"])
    path = write_feedback(first, tmp_path)
    assert write_feedback(second, tmp_path) == path
    assert "second try" in path.read_text(encoding="utf-8") and "first try" not in path.read_text(encoding="utf-8")
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


@pytest.mark.parametrize("function", [render_feedback, lambda r: write_feedback(r, ".")])
def test_bad_report_type(function):
    with pytest.raises(TypeError, match="report must be a Report, got dict"):
        function({"student": "ann"})


def test_page_of_a_counting_entry_says_when_why_and_lists_the_other_versions():
    from rnncourse.grading.gradebook import Entry

    report = report_of(["ok"])
    hostile = "in/| x | y |\n# Heading <!--.ipynb"
    other = Report(submission=hostile, assignment=report.assignment, student=report.student,
                   exercises=report.exercises)
    entry = Entry(report, "d", "2026-12-11T04:59:00.000000+00:00", "2026-12-12T00:00:00.000000+00:00",
                  True, grading=2, time_source="timestamp.txt", why="the latest submission, late by 0d 5h 0m",
                  late_seconds=18000.0, penalty=0.1, due="2026-12-10T23:59:00.000000+00:00")
    older = Entry(other, "e", "2026-12-01T00:00:00.000000+00:00", "2026-12-12T00:00:00.000000+00:00",
                  False, grading=1, why=f"superseded by {report.submission} (handed in later)")
    page = render_feedback(report, entry=entry, history=[older, entry])
    assert "- Handed in: 2026-12-11 04:59:00 UTC (from timestamp.txt)" in page
    assert "- Due: 2026-12-10 23:59:00 UTC" in page
    assert "counts: the latest submission, late by 0d 5h 0m" in page
    assert f"late penalty 10%: **{format_score(report.score * 0.9)} / {format_score(report.max_score)}**" in page
    rows = [line for line in page.splitlines() if line.startswith("| `in/")]
    assert len(rows) == 1 and rows[0].count(" | ") == 4  # the hostile name adds no cell
    html = _html(page)
    assert "<h1>Heading" not in html and "<!--" not in html.replace("&lt;!--", "")
