"""write_atomic: the whole new file or the old one, never half of either."""

from __future__ import annotations

import os
import stat

import pytest

from rnncourse._fileio import write_atomic


def test_writes_text_and_bytes_without_newline_translation(tmp_path):
    target = tmp_path / "out.csv"
    assert write_atomic(target, "a,b\r\nc,d\r\n") == target
    assert target.read_bytes() == b"a,b\r\nc,d\r\n"
    write_atomic(target, b"\x00\xff")
    assert target.read_bytes() == b"\x00\xff"
    assert os.listdir(tmp_path) == ["out.csv"]


def test_permissions_follow_the_old_file_or_the_umask(tmp_path):
    old = tmp_path / "old.txt"
    old.write_text("x")
    old.chmod(0o640)
    write_atomic(old, "y")
    assert stat.S_IMODE(old.stat().st_mode) == 0o640
    umask = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.txt", "z")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o640


def test_a_failed_write_leaves_the_target_and_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "keep.txt"
    target.write_text("old")

    def fail(fd):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr("rnncourse._fileio.os.fsync", fail)
    with pytest.raises(OSError, match="simulated"):
        write_atomic(target, "new")
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["keep.txt"]


def test_bad_targets_and_data(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a directory"):
        write_atomic(tmp_path, "x")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_atomic(tmp_path / "no" / "x.txt", "x")
    with pytest.raises(TypeError, match="data must be str or bytes, got int"):
        write_atomic(tmp_path / "x.txt", 3)
