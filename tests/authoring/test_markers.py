"""Finding and replacing solution regions in one cell's source."""

from __future__ import annotations

import pytest

from rnncourse.authoring.markers import CODE, MARKDOWN, MarkerError, find_regions, replace_regions


def test_region_becomes_stub_at_the_begin_markers_indentation():
    src = ("def f(x):\n"
           "    y = 0\n"
           "    ### BEGIN SOLUTION\n"
           "    for i in range(x):\n"
           "        y += i\n"
           "    ### END SOLUTION\n"
           "    return y\n")
    new, count = replace_regions(src, CODE)
    assert count == 1
    assert new == ("def f(x):\n"
                   "    y = 0\n"
                   "    # YOUR CODE HERE\n"
                   "    raise NotImplementedError()\n"
                   "    return y\n")


def test_several_regions_and_text_around_them_are_kept_exactly():
    src = "a = 1\n### BEGIN SOLUTION\nb = 2\n### END SOLUTION\nc = 3\n\t### BEGIN SOLUTION\nd\n\t### END SOLUTION"
    new, count = replace_regions(src, CODE)
    assert count == 2
    assert new.split("\n") == ["a = 1", "# YOUR CODE HERE", "raise NotImplementedError()", "c = 3",
                               "\t# YOUR CODE HERE", "\traise NotImplementedError()"]


def test_source_without_regions_is_returned_unchanged():
    src = "x = 1  # no answer here\n"
    assert replace_regions(src, CODE) == (src, 0)


def test_markers_with_trailing_spaces_are_accepted():
    assert find_regions("### BEGIN SOLUTION   \nx\n  ### END SOLUTION\t", CODE) == [(0, 2)]


def test_markdown_region_becomes_answer_placeholder():
    src = "Explain:\n<!-- BEGIN SOLUTION -->\nBecause.\n<!-- END SOLUTION -->"
    assert replace_regions(src, MARKDOWN) == ("Explain:\nYOUR ANSWER HERE", 1)


@pytest.mark.parametrize("src, line, words", [
    ("### BEGIN SOLUTION\nx\n### BEGIN SOLUTION\ny\n### END SOLUTION", 3, "cannot nest"),
    ("x\n### END SOLUTION", 2, "without a matching"),
    ("x\n### BEGIN SOLUTION\ny", 2, "never closed"),
    ("### BEGIN SOLUTION\nx\n### END SOLUTION\n### END SOLUTION", 4, "without a matching"),
])
def test_unbalanced_or_nested_markers_name_the_line(src, line, words):
    with pytest.raises(MarkerError) as info:
        find_regions(src, CODE)
    assert info.value.line == line
    assert words in info.value.message


@pytest.mark.parametrize("typo", ["## BEGIN SOLUTION", "### begin solution", "### END SOLUTIONS",
                                  "#### BEGIN_SOLUTION", "# END SOLUTION", "### BEGIN SOLUTION: part 1"])
def test_a_marker_typo_is_an_error_not_text(typo):
    # a typo would otherwise leave the answer in the learners' notebook
    with pytest.raises(MarkerError, match="looks like a solution marker") as info:
        replace_regions(f"x = 1\n{typo}\ny = 2", CODE)
    assert info.value.line == 2


def test_marker_words_outside_comments_are_ordinary_code():
    src = 'print("BEGIN SOLUTION")\nlabel = "END SOLUTION"'
    assert replace_regions(src, CODE) == (src, 0)


def test_code_marker_in_markdown_is_flagged():
    with pytest.raises(MarkerError, match="<!-- BEGIN SOLUTION -->"):
        find_regions("### BEGIN SOLUTION\ntext\n### END SOLUTION", MARKDOWN)


def test_markdown_prose_mentioning_markers_is_allowed():
    src = "Answers sit between `### BEGIN SOLUTION` and `### END SOLUTION` in the solutions."
    assert replace_regions(src, MARKDOWN) == (src, 0)
