"""Whose submission a file is (identity.py): the layout decides, never the content;
copy suffixes, metadata disagreements, rosters in LMS spellings, nbgrader timestamps."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from rnncourse.grading.exercises import ASSIGNMENT_MODULES
from rnncourse.grading.identity import (
    IdentityError,
    assignment_from_name,
    identify,
    parse_timestamp,
    read_roster,
    student_of,
    submission_time,
)

F01, F02 = "01_rnn_types", "02_forward_propagation"


@pytest.mark.parametrize("stem, expected", [
    (F01, F01), (f"{F01} (1)", F01), (f"{F01} (12)", F01), (f"{F01}-2", F01), (f"{F02}_v2", F02),
    (f"{F02}_final", F02), (f"{F02}_FINAL (2)", F02), (f"{F01} - Copy", F01), (f"{F01}_copy", F01),
    (f"{F01}_final_v3", F01), (F01.upper(), F01), ("homework", None), (f"x{F01}", None),
    ("01_rnn", None),
])
def test_copy_suffixes_are_stripped_down_to_a_registered_name(stem, expected):
    assert assignment_from_name(stem, ASSIGNMENT_MODULES) == expected


@pytest.mark.parametrize("rel, root, student", [
    ("submitted/s22/01_rnn_types (1).ipynb", None, "s22"),
    ("submitted/s22/ps2/02_forward_propagation.ipynb", None, "s22"),
    ("course/submitted/s23/a/b/c/whatever.ipynb", None, "s23"),
    ("submissions/s24/01_rnn_types.ipynb", None, "s24"),
    ("lms/s25/attempt 2/hw.ipynb", "lms", "s25"),
    ("submitted/s26/submitted/x.ipynb", None, "s26"),  # the nearest root wins
])
def test_the_student_is_the_first_folder_under_the_root(tmp_path, rel, root, student):
    path = tmp_path / rel
    if rel.startswith("submitted/s26/submitted"):
        # the nearest folder called submitted is the inner one: x.ipynb lies directly in it
        with pytest.raises(IdentityError, match="directly in the submissions root"):
            student_of(path)
        assert student_of(path, tmp_path / "submitted")[0] == "s26"
        return
    assert student_of(path, tmp_path / root if root else None) == (student, ())


def test_no_root_falls_back_to_the_folder_with_a_note(tmp_path):
    student, notes = student_of(tmp_path / "inbox" / "dave" / "01_rnn_types.ipynb")
    assert student == "dave" and "no submissions root" in notes[0]


def test_a_file_outside_or_directly_in_the_root_is_an_error(tmp_path):
    with pytest.raises(IdentityError, match="directly in the submissions root"):
        student_of(tmp_path / "submitted" / "01_rnn_types.ipynb")
    with pytest.raises(IdentityError, match="not inside the submissions root"):
        student_of(tmp_path / "elsewhere" / "s1" / "x.ipynb", tmp_path / "submitted")


def test_assignment_precedence_and_notes(tmp_path):
    path = tmp_path / "submitted" / "s22" / f"{F01} (1).ipynb"
    assert identify(path) == identify(path, metadata_assignment=F01)
    assert identify(path).assignment == F01 and identify(path).student == "s22"
    moved = identify(path, metadata_assignment=F02)  # metadata wins over the file name, with a note
    assert (moved.student, moved.assignment) == ("s22", F02)
    assert "suggests assignment '01_rnn_types'" in moved.notes[0]
    forced = identify(path, metadata_assignment=F02, assignment=F01)
    assert forced.assignment == F01 and "graded as '01_rnn_types' as requested" in forced.notes[0]
    foreign = identify(path, metadata_assignment="ps2")
    assert foreign.assignment == F01 and "not an assignment of this course" in foreign.notes[0]
    with pytest.raises(IdentityError, match=r"homework\.ipynb: unknown assignment 'homework'.*--assignment"):
        identify(tmp_path / "submitted" / "s22" / "homework.ipynb")


@pytest.mark.parametrize("text", [
    "student,name,email\ns1,Ann One,ann@x.org\ns2,Bo Two,bo@x.org\n",
    "\ufeffStudent ID;Full Name;E-mail\r\ns1;Ann One;ann@x.org\r\ns2;Bo Two;bo@x.org\r\n",
    "SIS User ID\tFirst Name\tLast Name\tEmail Address\ns1\tAnn\tOne\tann@x.org\n\ns2\tBo\tTwo\tbo@x.org\n",
    'login,"name, full",mail\ns1,"Ann One",ann@x.org\ns2,"Bo Two",bo@x.org\n',
])
def test_roster_header_variants(tmp_path, text):
    path = tmp_path / "roster.csv"
    path.write_bytes(text.encode("utf-8"))
    roster = read_roster(path)
    assert list(roster) == ["s1", "s2"]
    assert roster["s2"].email == "bo@x.org"
    if "name, full" not in text:
        assert roster["s1"].name == "Ann One"


@pytest.mark.parametrize("text, match", [
    ("", "is empty"), ("name,email\nAnn,a@x\n", "no student id column"),
    ("id,name\ns1,A\ns1,B\n", "line 3: student 's1' appears twice"), ("id,name\n,A\n", "line 2 has no student id"),
])
def test_bad_rosters_are_named_errors(tmp_path, text, match):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    with pytest.raises(IdentityError, match=match):
        read_roster(path)


def test_nbgrader_timestamp_wins_over_the_modification_time(tmp_path):
    folder = tmp_path / "submitted" / "s1" / "ps2"
    folder.mkdir(parents=True)
    nb = folder / f"{F02}.ipynb"
    nb.write_text("{}")
    mtime = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc)
    os.utime(nb, (mtime.timestamp(), mtime.timestamp()))
    assert submission_time(nb) == (mtime, "mtime", ())
    (folder / "timestamp.txt").write_text("2026-12-10 23:59:01.500000 UTC\n")
    moment, source, notes = submission_time(nb)
    assert source == "timestamp.txt" and moment == datetime(2026, 12, 10, 23, 59, 1, 500000, tzinfo=timezone.utc)
    (folder / "timestamp.txt").write_text("sometime last week")
    moment, source, notes = submission_time(nb)
    assert (moment, source) == (mtime, "mtime") and "not usable" in notes[0]
    # a timestamp above the student's folder is someone else's
    (folder / "timestamp.txt").unlink()
    (tmp_path / "submitted" / "timestamp.txt").write_text("2020-01-01 00:00:00 UTC")
    assert submission_time(nb)[1] == "mtime"


@pytest.mark.parametrize("text, expected", [
    ("2026-12-10 23:59:01.123456 UTC", datetime(2026, 12, 10, 23, 59, 1, 123456, tzinfo=timezone.utc)),
    ("2026-12-10 23:59:01", datetime(2026, 12, 10, 23, 59, 1, tzinfo=timezone.utc)),
    ("2026-12-10T23:59:01+01:00", datetime(2026, 12, 10, 22, 59, 1, tzinfo=timezone.utc)),
    ("2026-12-10T23:59Z", datetime(2026, 12, 10, 23, 59, tzinfo=timezone.utc)),
])
def test_timestamp_formats(text, expected):
    assert parse_timestamp(text) == expected
    assert parse_timestamp(text).utcoffset() is not None
