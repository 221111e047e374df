"""The README's course map is generated from rnncourse.course and must stay true."""

from __future__ import annotations

from pathlib import Path

from rnncourse.course import END, LESSONS, START, course_map

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
