"""Tests of floorsim/surveys/atomic.py: all-or-nothing writes whose permissions follow the umask like an ordinary open()."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from floorsim.surveys import atomic
from floorsim.surveys.atomic import staged_folder, write_atomic, write_bytes_atomic, write_text_atomic


@pytest.fixture
def umask() -> Iterator[callable]:
    """Set the process umask for one test and restore it afterwards."""
    previous = os.umask(0o022)
    os.umask(previous)

    def set_umask(value: int) -> None:
        os.umask(value)

    yield set_umask
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def ordinary_file_mode(folder: Path) -> int:
    """The mode an ordinary open() gives a new file under the current umask (the reference, not a formula)."""
    probe = folder / "probe"
    with open(probe, "w"):
        pass
    found = mode(probe)
    probe.unlink()
    return found


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_files_get_the_permissions_of_an_ordinary_open(tmp_path: Path, umask, mask: int, expected: int) -> None:
    umask(mask)
    assert ordinary_file_mode(tmp_path) == expected
    assert mode(write_text_atomic(tmp_path / "a.txt", "text")) == expected
    assert mode(write_bytes_atomic(tmp_path / "b.bin", b"\x00\x01")) == expected
    assert mode(write_atomic(tmp_path / "c.bin", lambda path: path.write_bytes(b"c"))) == expected


def test_replacing_a_file_gives_it_the_umask_permissions_not_the_old_ones(tmp_path: Path, umask) -> None:
    umask(0o022)
    target = tmp_path / "a.txt"
    target.write_text("old")
    target.chmod(0o600)
    write_text_atomic(target, "new")
    assert target.read_text() == "new"
    assert mode(target) == 0o644


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o755), (0o077, 0o700)])
def test_staged_folders_get_the_permissions_of_an_ordinary_mkdir(tmp_path: Path, umask, mask: int, expected: int) -> None:
    umask(mask)
    with staged_folder(tmp_path / "out") as staging:
        (staging / "inner").mkdir()
        (staging / "inner" / "file.txt").write_text("x")
    assert mode(tmp_path / "out") == expected
    assert mode(tmp_path / "out" / "inner") == expected
    assert mode(tmp_path / "out" / "inner" / "file.txt") == 0o666 & ~mask


def test_content_is_written_exactly(tmp_path: Path) -> None:
    assert write_text_atomic(tmp_path / "t.txt", "é\n").read_bytes() == "é\n".encode("utf-8")
    assert write_text_atomic(tmp_path / "l.txt", "é", encoding="latin-1").read_bytes() == b"\xe9"
    assert write_bytes_atomic(tmp_path / "sub" / "b.bin", b"\x00\xff").read_bytes() == b"\x00\xff"


def test_a_failing_writer_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("previous")

    def half_then_fail(path: Path) -> None:
        path.write_text("half")
        raise RuntimeError("renderer failed")

    with pytest.raises(RuntimeError, match="renderer failed"):
        write_atomic(target, half_then_fail)
    assert target.read_text() == "previous"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["file.txt"]


def test_a_failing_rename_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Moved from tests/projections/test_cli_project.py with write_bytes_atomic.
    target = tmp_path / "file.bin"
    target.write_bytes(b"old")

    def fail(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", fail)
    with pytest.raises(OSError):
        write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [path.name for path in tmp_path.iterdir()] == ["file.bin"]


def test_a_staged_folder_replaces_the_previous_folder_whole(tmp_path: Path) -> None:
    out = tmp_path / "survey"
    out.mkdir()
    (out / "old.parquet").write_text("old")
    with staged_folder(out) as staging:
        assert staging.parent == tmp_path and staging.name.startswith(".survey.")
        (staging / "new.parquet").write_text("new")
        assert (out / "old.parquet").exists()  # nothing is visible before the block ends
    assert sorted(path.name for path in out.iterdir()) == ["new.parquet"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["survey"]


def test_a_failure_in_a_staged_folder_leaves_the_previous_folder_and_no_temporary(tmp_path: Path) -> None:
    out = tmp_path / "survey"
    out.mkdir()
    (out / "old.parquet").write_text("old")
    with pytest.raises(ValueError, match="writer failed"):
        with staged_folder(out) as staging:
            (staging / "new.parquet").write_text("half")
            raise ValueError("writer failed")
    assert sorted(path.name for path in out.iterdir()) == ["old.parquet"]
    assert (out / "old.parquet").read_text() == "old"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["survey"]


def test_a_failure_removes_the_parent_folders_created_for_the_output(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        with staged_folder(tmp_path / "a" / "b" / "out"):
            raise ValueError("writer failed")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_swap_puts_the_previous_folder_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "survey"
    out.mkdir()
    (out / "old.parquet").write_text("old")
    real_replace = os.replace
    calls = []

    def fail_second(source, target):
        calls.append((Path(source).name, Path(target).name))
        if len(calls) == 2:  # the staged folder's rename into place
            raise OSError("disk full")
        real_replace(source, target)

    monkeypatch.setattr(atomic.os, "replace", fail_second)
    with pytest.raises(OSError, match="disk full"):
        with staged_folder(out) as staging:
            (staging / "new.parquet").write_text("new")
    assert sorted(path.name for path in out.iterdir()) == ["old.parquet"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["survey"]


def test_merge_replaces_files_of_the_same_name_and_keeps_the_others(tmp_path: Path) -> None:
    out = tmp_path / "run"
    (out / "tables").mkdir(parents=True)
    (out / "summary.json").write_text("old summary")
    (out / "notes.txt").write_text("mine")
    with staged_folder(out, merge=True) as staging:
        (staging / "tables").mkdir()
        (staging / "summary.json").write_text("new summary")
        (staging / "tables" / "cost.csv").write_text("a,b\n")
    assert (out / "summary.json").read_text() == "new summary"
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "tables" / "cost.csv").read_text() == "a,b\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["run"]
