"""Charts drawn by the helper process (``chart_process.py``): the same files as in process, errors raised again in
the main process, a dead helper reported, no process left behind, and ``write_outputs`` with helpers publishing
nothing when a chart fails."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from floorsim.simulations.reports import chart_process
from floorsim.simulations.reports.chart_process import (
    PROCESSES_VARIABLE,
    ChartProcesses,
    chart_processes_wanted,
    start_chart_processes,
)
from floorsim.simulations.reports.charts import CHARTS, FORMATS, REFORM_ONLY_CHARTS, chart_names, write_charts
from floorsim.simulations.reports.errors import ReportError


def _broken(report, table: str = "cost", column: str = "cost"):
    """The report with one column a chart needs removed: drawing it raises KeyError in any process."""
    return dataclasses.replace(report, tables={**report.tables, table: report.tables[table].drop(columns=[column])})


def _children(pid: int) -> list[int]:
    """Live child processes of ``pid`` (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(child) for child in task.read_text().split()]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in state  # a zombie has ended


def test_helpers_raise_errors_as_in_process_draw_the_same_files_and_end_when_closed(bundled_report, tmp_path):
    broken = _broken(bundled_report)
    with pytest.raises(KeyError) as in_process_error:
        write_charts(broken, tmp_path / "broken_in_process")
    in_process = write_charts(bundled_report, tmp_path / "in_process")
    with ChartProcesses(2) as drawers:
        helper = drawers._helper.process
        # an error while drawing is raised again here, the same type and message as in process
        with pytest.raises(KeyError) as helped:
            drawers.draw(broken, tmp_path / "broken").result()
        assert str(helped.value) == str(in_process_error.value) and "'cost'" in str(helped.value)
        # deciles (first) and cost (third) both fail: whichever process ends first, deciles' error is raised
        with pytest.raises(KeyError, match="relative_gain"):
            drawers.draw(_broken(broken, "deciles", "relative_gain"), tmp_path / "twice").result()
        # the helper goes on serving after failed charts, and draws the same bytes as this process
        files = drawers.draw(bundled_report, tmp_path / "helpers").result()
        workers = _children(helper.pid)
        # a report that pickle refuses is drawn in this process instead, the same files
        unpicklable = dataclasses.replace(bundled_report, context={**bundled_report.context, "hook": lambda: None})
        here = drawers.draw(unpicklable, tmp_path / "here").result()
    assert [path.read_bytes() for path in here] == [path.read_bytes() for path in in_process]
    assert [path.name for path in files] == [path.name for path in in_process] == [
        f"{name}.{extension}" for name in CHARTS for extension in FORMATS]
    assert all(path.parent == tmp_path / "helpers" for path in files)
    for drawn, reference in zip(files, in_process, strict=True):
        assert drawn.read_bytes() == reference.read_bytes(), drawn.name
    # closed: the helper ended by itself, and its pool with it
    assert helper.returncode == 0 and len(workers) >= 2
    assert not any(_alive(pid) for pid in workers)


def test_a_baseline_only_report_has_no_gain_charts(bundled_report):
    baseline_only = dataclasses.replace(bundled_report, reform=None)
    assert chart_names(baseline_only) == [name for name in CHARTS if name not in REFORM_ONLY_CHARTS]
    assert chart_names(bundled_report) == list(CHARTS)


def test_a_helper_that_dies_is_a_report_error_and_leaves_no_process(bundled_report, tmp_path):
    drawers = ChartProcesses(2)
    helper = drawers._helper.process
    deadline = time.monotonic() + 60
    while len(_children(helper.pid)) < 2 and time.monotonic() < deadline:  # the pool has started
        time.sleep(0.1)
    workers = _children(helper.pid)
    assert len(workers) >= 2
    helper.kill()
    with pytest.raises(ReportError, match=r"ended unexpectedly \(exit status -9\)"):
        drawers.draw(bundled_report, tmp_path).result()
    drawers.close()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:  # they watch their helper
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)


def test_the_number_of_helpers_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(PROCESSES_VARIABLE, "0")
    assert chart_processes_wanted() == 0 and start_chart_processes(full=True) is None
    monkeypatch.setenv(PROCESSES_VARIABLE, "3")
    assert chart_processes_wanted() == 3
    monkeypatch.setattr(chart_process, "ChartProcesses", lambda n: pytest.fail("no helper without a report"))
    assert start_chart_processes(full=False) is None
    monkeypatch.setenv(PROCESSES_VARIABLE, "two")
    with pytest.raises(ReportError, match="FLOORSIM_CHART_PROCESSES must be a whole number.*'two'"):
        chart_processes_wanted()
    monkeypatch.delenv(PROCESSES_VARIABLE)
    assert chart_processes_wanted() == (2 if (os.cpu_count() or 1) >= 2 else 0)


def test_write_outputs_with_helpers_publishes_nothing_when_a_chart_fails(bundled_results, tmp_path, monkeypatch):
    """A chart that fails in the helper fails the run as in process: the ReportError names the cause and the
    output folder is not created."""
    from floorsim.simulations.reports import outputs

    real = outputs.build_report
    monkeypatch.setattr(outputs, "build_report", lambda *a, **k: _broken(real(*a, **k)))
    monkeypatch.setenv(PROCESSES_VARIABLE, "2")
    out = tmp_path / "out"
    with pytest.raises(ReportError, match=r"could not write the outputs to .*out \(KeyError: .*'cost'.*\); nothing "
                                          r"was written"):
        outputs.write_outputs(bundled_results, ["saii_increase"], out, replicates=0)
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_the_main_process_never_imports_matplotlib():
    """Handing the charts to the helper loads neither matplotlib nor anything that needs it: the writers'
    modules, the chart list and the helper's client import without it."""
    script = (
        "import sys\n"
        "from floorsim.simulations.reports import outputs, chart_process, charts\n"
        "from floorsim.simulations.cli import run\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('matplotlib', 'PIL')))\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.strip().splitlines()[-1] == "[]"
