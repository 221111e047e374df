"""The README's course map is generated from rnncourse.course and must stay true."""

from __future__ import annotations

from pathlib import Path

import pytest

from rnncourse.course import END, LESSONS, START, course_map, update_readme

ROOT = Path(__file__).resolve().parent.parent


def test_readme_course_map_is_current():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == course_map(ROOT), "run: python -m rnncourse.course --update-readme"


def test_every_notebook_on_disk_is_in_the_catalogue():
    stems = {lesson.stem for lesson in LESSONS}
    for folder in ("notebooks", "solutions", "assignments"):
        for nb in (ROOT / folder).glob("*.ipynb"):
            assert nb.stem in stems, f"{folder}/{nb.name} is not listed in rnncourse.course.LESSONS"


def test_graded_lessons_come_in_pairs():
    for lesson in LESSONS:
        solution = (ROOT / "solutions" / f"{lesson.stem}.ipynb").exists()
        assignment = (ROOT / "assignments" / f"{lesson.stem}.ipynb").exists()
        assert solution == assignment, f"{lesson.stem}: solutions/ and assignments/ disagree"


def test_links_can_start_from_a_subfolder():
    table = course_map(ROOT, link_base="..")
    for lesson in LESSONS:
        if (ROOT / "notebooks" / f"{lesson.stem}.ipynb").exists():
            assert f"](../notebooks/{lesson.stem}.ipynb)" in table


def test_every_lesson_is_complete_and_links_its_assignment():
    from rnncourse.grading.exercises import ASSIGNMENT_MODULES

    for lesson in LESSONS:
        notebook = ROOT / "notebooks" / f"{lesson.stem}.ipynb"
        assert notebook.exists(), f"{lesson.stem}: no lesson notebook"
        if not lesson.graded:
            continue
        for folder in ("solutions", "assignments"):
            assert (ROOT / folder / f"{lesson.stem}.ipynb").exists(), f"{lesson.stem}: nothing in {folder}/"
        assert lesson.stem in ASSIGNMENT_MODULES, f"{lesson.stem}: exercises not registered"
        link = f"](../assignments/{lesson.stem}.ipynb)"
        assert link in notebook.read_text(encoding="utf-8"), f"{lesson.stem}: lesson does not link {link}"


def _touch(root: Path, *relative: str) -> None:
    for rel in relative:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("{}", encoding="utf-8")


def _status_of(table: str, stem: str) -> str:
    row = next(line for line in table.splitlines() if f"{stem}.ipynb" in line)
    return row.rstrip(" |").rsplit("|", 1)[1].strip()


def test_status_follows_the_files_that_exist(tmp_path):
    _touch(tmp_path, "notebooks/00_welcome.ipynb",                                  # ungraded
           "notebooks/01_rnn_types.ipynb", "assignments/01_rnn_types.ipynb",
           "notebooks/02_forward_propagation.ipynb",
           "assignments/03_backprop_through_time.ipynb")
    table = course_map(tmp_path)
    assert _status_of(table, "00_welcome") == "ready"
    assert _status_of(table, "01_rnn_types") == "ready"
    assert _status_of(table, "02_forward_propagation") == "lesson ready, assignment planned"
    assert _status_of(table, "03_backprop_through_time") == "assignment ready, lesson planned"
    assert _status_of(table, "04_vanishing_gradients") == "planned"
    assert "`notebooks/04_vanishing_gradients.ipynb` (planned)" in table
    assert "[assignments/01_rnn_types.ipynb](assignments/01_rnn_types.ipynb)" in table


def test_update_readme_rewrites_only_between_the_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# title\n\n{START}\nold table\n{END}\n\nafter\n", encoding="utf-8")
    assert update_readme(tmp_path) is True
    assert readme.read_text(encoding="utf-8") == \
        f"# title\n\n{START}\n{course_map(tmp_path)}\n{END}\n\nafter\n"
    assert update_readme(tmp_path) is False                 # already current
    readme.write_text("# no markers\n", encoding="utf-8")
    with pytest.raises(ValueError, match="README.md has no <!-- course-map:start -->"):
        update_readme(tmp_path)
    assert readme.read_text(encoding="utf-8") == "# no markers\n"
