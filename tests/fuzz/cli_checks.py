"""What every failing command must look like: one line on standard error, exit status 2, no traceback, no output."""

from __future__ import annotations

from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from floorsim.simulations.cli import app

runner = CliRunner()


def invoke(*args: str) -> Result:
    """Run ``floorsim ARGS`` in-process; exceptions are caught by the runner (``result.exception``)."""
    return runner.invoke(app, [str(arg) for arg in args])


def assert_one_line_error(result: Result, *fragments: str) -> str:
    """The command failed as a project error should: exit 2, no Python exception, one line on stderr (besides
    ``floorsim: warning:`` lines) that starts with ``floorsim: error:`` and holds every fragment; returns it."""
    assert result.exception is None or isinstance(result.exception, SystemExit), _explain(result)
    assert result.exit_code == 2, _explain(result)
    # warnings printed before the failure (one line each) are allowed; the error itself is one line
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("floorsim: warning: ")]
    assert len(lines) == 1, _explain(result)
    assert lines[0].startswith("floorsim: error: "), lines[0]
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (hidden ones included), relative path → content; empty when it does not exist."""
    if not folder.exists():
        return {}
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def _explain(result: Result) -> str:
    import traceback

    trace = "".join(traceback.format_exception(result.exception)) if result.exception else ""
    return f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}\n{trace}"
