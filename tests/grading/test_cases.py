"""The grading secret behind the hidden cases: where it comes from and who may read it."""

import stat

import pytest

from rnncourse.grading.cases import grading_secret, submission_seed


@pytest.fixture
def config_home(tmp_path, monkeypatch):
    monkeypatch.delenv("RNNCOURSE_GRADING_SECRET", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    return tmp_path


def test_the_environment_variable_wins(config_home, monkeypatch):
    monkeypatch.setenv("RNNCOURSE_GRADING_SECRET", "shared by the instructors")
    assert grading_secret() == b"shared by the instructors"
    assert not (config_home / "rnncourse").exists()


def test_a_random_key_is_created_once_readable_by_its_owner_only(config_home, monkeypatch):
    key = grading_secret()
    path = config_home / "rnncourse" / "grading-secret"
    assert path.read_bytes() == key and len(key) == 64 and int(key, 16) >= 0  # 32 random bytes, hex
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert grading_secret() == key                       # kept, not drawn again
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home / "elsewhere"))
    assert grading_secret() != key                       # another machine, another key


def test_a_key_written_by_hand_is_read_without_its_newline(config_home):
    (config_home / "rnncourse").mkdir()
    (config_home / "rnncourse" / "grading-secret").write_text("copied from the other grader\n")
    assert grading_secret() == b"copied from the other grader"
    assert submission_seed("02_x", "sha256:aa") == submission_seed("02_x", "sha256:aa",
                                                                   b"copied from the other grader")
