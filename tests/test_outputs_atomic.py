"""Outputs all or nothing (issue 20): every writing command stages beside its output and replaces it in one rename;
stale staging of killed writers is cleaned on the next write; a file or a foreign folder as --out is refused."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from floorsim.simulations.reports.summary import SUMMARY_FILE
from floorsim.surveys import write_survey
from floorsim.surveys.atomic import OutputFolderError, check_output_folder, clean_stale, staged_folder
from tests.conftest import make_tiny_survey
from tests.fuzz.cli_checks import assert_one_line_error, files_under, invoke

REPOSITORY = Path(__file__).resolve().parents[1]


def _dead_pid() -> int:
    """The id of a process that has ended (a child started and waited for)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_staging_of_a_dead_writer_is_removed_and_a_live_ones_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    dead = tmp_path / f".out.{_dead_pid()}-0123456789ab.tmp"
    dead.mkdir()
    (dead / "half.csv").write_text("a,b\n1,")
    alive = tmp_path / f".out.{os.getppid()}-0123456789ab.tmp"  # our parent process is alive
    alive.mkdir()
    other = tmp_path / f".other.{_dead_pid()}-0123456789ab.tmp"  # staging of another destination
    other.mkdir()
    with staged_folder(out) as staging:
        (staging / "new.csv").write_text("x\n")
    assert not dead.exists() and alive.exists() and other.exists()
    assert files_under(out) == {"new.csv": b"x\n"}


def test_a_folder_moved_aside_by_a_killed_writer_is_put_back(tmp_path: Path) -> None:
    out = tmp_path / "out"
    aside = tmp_path / f".out.{_dead_pid()}-0123456789ab.old"  # killed between the two renames of replace_folder
    aside.mkdir()
    (aside / SUMMARY_FILE).write_text("{}")
    assert clean_stale(out) == []
    assert files_under(out) == {SUMMARY_FILE: b"{}"} and not aside.exists()


@pytest.mark.parametrize("moment", ["while writing", "between the renames"])
def test_sigkill_leaves_the_old_folder_and_the_next_write_cleans_up(tmp_path: Path, moment: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / SUMMARY_FILE).write_text("old")
    kill = "os.kill(os.getpid(), signal.SIGKILL)"
    script = textwrap.dedent(f"""
        import os, signal
        from floorsim.surveys import atomic
        from floorsim.surveys.atomic import staged_folder
        if {moment!r} == "between the renames":
            real = os.replace
            def replace(source, target):
                if str(source).endswith(".tmp"):  # the staged folder is about to take the old one's place
                    {kill}
                real(source, target)
            atomic.os.replace = replace
        with staged_folder({str(out)!r}, marker="summary.json") as staging:
            (staging / "summary.json").write_text("new")
            if {moment!r} == "while writing":
                {kill}
    """)
    process = subprocess.run([sys.executable, "-c", script], cwd=REPOSITORY)
    assert process.returncode == -signal.SIGKILL
    leftovers = [entry.name for entry in tmp_path.iterdir() if entry.name.startswith(".out.")]
    # the staged folder, and between the renames also the old folder moved aside
    assert sorted(name.rsplit(".", 1)[1] for name in leftovers) == (["tmp"] if moment == "while writing" else ["old", "tmp"])
    if moment == "while writing":
        assert files_under(out) == {SUMMARY_FILE: b"old"}
    else:
        assert not out.exists()
    clean_stale(out)  # what the next write does first
    assert files_under(out) == {SUMMARY_FILE: b"old"}
    assert [entry.name for entry in tmp_path.iterdir()] == ["out"]


def test_a_file_or_a_folder_of_other_files_is_never_replaced(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("keep")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("keep")
    for target, message in ((afile, "is a file"), (foreign, "already holds other files")):
        with pytest.raises(OutputFolderError, match=message):
            with staged_folder(target, marker=SUMMARY_FILE) as staging:
                (staging / SUMMARY_FILE).write_text("{}")
        with pytest.raises(OutputFolderError, match=message):
            check_output_folder(target, SUMMARY_FILE)
    with pytest.raises(OutputFolderError, match="is a file"):
        check_output_folder(afile / "inside", SUMMARY_FILE)
    assert afile.read_text() == "keep" and files_under(foreign) == {"thesis.tex": b"keep"}
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["afile", "foreign"]


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory) -> Path:
    return write_survey(make_tiny_survey(), tmp_path_factory.mktemp("tiny") / "tiny")


def test_run_replaces_an_earlier_output_whole_with_the_umask_respected(tmp_path: Path, tiny_folder: Path) -> None:
    out = tmp_path / "out"
    arguments = ["run", "--survey", tiny_folder, "--out", out, "--jobs", "1", "--replicates", "0"]
    previous = os.umask(0o022)
    try:
        assert invoke(*arguments).exit_code == 0
        assert (out / "report.html").is_file() and (out / "results.xlsx").is_file()
        result = invoke(*arguments, "--no-report")
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    names = set(files_under(out))
    assert SUMMARY_FILE in names and "report.html" not in names and "results.xlsx" not in names
    assert not any(name.startswith("charts/") for name in names)
    for path in [out, *out.rglob("*")]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o755 if path.is_dir() else 0o644), path
    assert [entry.name for entry in tmp_path.iterdir()] == ["out"]  # no staging left beside it


def test_run_diff_project_and_variants_refuse_a_file_or_foreign_out(tmp_path: Path, tiny_folder: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("keep")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep")
    assumptions = REPOSITORY / "floorsim/country_packages/timor_leste/projections/assumptions_2025_2035.yaml"
    grid = REPOSITORY / "floorsim/country_packages/social_protection_floor/examples/child_benefit_grid.yaml"
    for out, message in ((afile, "is a file"), (foreign, "already holds other files")):
        assert_one_line_error(invoke("run", "--survey", tiny_folder, "--jobs", "1", "--out", out), message)
        assert_one_line_error(invoke("diff", "HEAD", "HEAD", "--out", out), message)
        assert_one_line_error(invoke("project", assumptions, "--out", out), message)
        assert_one_line_error(invoke("variants", grid, "--out", out), message)
    assert afile.read_text() == "keep" and files_under(foreign) == {"notes.txt": b"keep"}
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["afile", "foreign"]


def test_a_full_disk_midway_leaves_the_previous_projection_whole(tmp_path: Path, monkeypatch) -> None:
    """``floorsim project`` used to leave the files written before the disk filled up: now the staged folder is
    dropped and the previous output stays as it was."""
    import errno

    from floorsim.simulations.projections import outputs

    out = tmp_path / "projection"
    out.mkdir()
    (out / "provenance.json").write_text("previous")
    rendered = {name: f"new {name}".encode() for name in outputs.FILES}
    monkeypatch.setattr(outputs, "render_outputs", lambda _result: rendered)
    real = Path.write_bytes

    def fills_up(self: Path, data: bytes) -> int:
        if self.name == "projection.xlsx":  # the third file: two are already written
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", fills_up)
    with pytest.raises(OSError, match="No space left"):
        outputs.write_outputs(None, out)
    assert files_under(out) == {"provenance.json": b"previous"}
    assert [entry.name for entry in tmp_path.iterdir()] == ["projection"]
    monkeypatch.setattr(Path, "write_bytes", real)
    assert outputs.write_outputs(None, out) == [out / name for name in outputs.FILES]
    assert files_under(out) == {name: f"new {name}".encode() for name in outputs.FILES}
