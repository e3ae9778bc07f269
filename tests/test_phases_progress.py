"""Progress over every phase of every long command (``floorsim.simulations.analysis.phases``): with the display forced on
(a rich console writing to a StringIO as a terminal), each command names its phases in the order they run, and the
JSON it writes carries the same phases, timed; under ``floorsim -q`` and without a terminal nothing is drawn."""

from __future__ import annotations

import io
import json

import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from floorsim.simulations.analysis import phases as phases_module
from floorsim.simulations.analysis.phases import Phases
from floorsim.simulations.cli import app
from floorsim.simulations.regression.settings import snapshot_path
from tests.conftest import make_tiny_survey
from tests.projections.helpers import raw_assumptions, write_assumptions
from floorsim.surveys.io import write_survey

runner = CliRunner()
FLOOR = "floorsim.country_packages.social_protection_floor.SocialProtectionFloor"


@pytest.fixture
def screen(monkeypatch) -> io.StringIO:
    """What the phases draw, as if standard error were a terminal."""
    buffer = io.StringIO()
    monkeypatch.setattr(phases_module, "_stderr_is_terminal", lambda: True)
    monkeypatch.setattr(phases_module, "_stderr_console",
                        lambda: Console(file=buffer, force_terminal=True, width=250, color_system=None))
    return buffer


def shown_in_order(text: str, names: list[str]) -> None:
    """Every name is on the screen, each first drawn after the one before it."""
    positions = [text.find(name) for name in names]
    assert all(position >= 0 for position in positions), [n for n, p in zip(names, positions) if p < 0]
    assert positions == sorted(positions), list(zip(names, positions))


def recorded(timings: dict) -> list[str]:
    """The phase names of a ``phase_timings`` record, after checking its bookkeeping (seconds add up)."""
    seconds = [phase["seconds"] for phase in timings["phases"]]
    assert all(value >= 0 for value in seconds)
    assert timings["total_seconds"] == pytest.approx(sum(seconds), abs=0.002 * len(seconds))
    return [phase["phase"] for phase in timings["phases"]]


def test_a_phase_is_drawn_only_where_asked_and_on_a_terminal(monkeypatch):
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=120, color_system=None)
    timed = Phases(show=True, console=console)
    with timed.phase("counting", total=4) as advance:
        advance(4)
    with Phases(show=False, console=console).phase("hidden"):
        pass
    assert "counting" in buffer.getvalue() and "hidden" not in buffer.getvalue()
    assert [t.phase for t in timed.timings] == ["counting"]
    monkeypatch.setattr(phases_module, "_stderr_is_terminal", lambda: False)  # stderr not a terminal: no display
    monkeypatch.setattr(phases_module, "_stderr_console", lambda: pytest.fail("drew without a terminal"))
    with Phases(show=True).phase("silent"):
        pass


def test_run_phases(screen, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--survey", str(write_survey(make_tiny_survey(), tmp_path / "tiny")),
                                 "--out", str(out), "--jobs", "1", "--replicates", "0", "--no-report"])
    assert result.exit_code == 0, result.output
    names = recorded(json.loads((out / "summary.json").read_text())["provenance"]["phase_timings"])
    assert names[0] == "reading the survey" and "simulation" in names and names[-1] == "tables"
    shown_in_order(screen.getvalue(), [name for name in names if name != "simulation"])  # the engine's own bar


def test_quiet_shows_no_phase(screen, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["-q", "run", "--survey", str(write_survey(make_tiny_survey(), tmp_path / "tiny")),
                                 "--out", str(out), "--jobs", "1", "--replicates", "0", "--no-report"])
    assert result.exit_code == 0, result.output
    assert screen.getvalue() == ""
    assert "reading the survey" in (out / "summary.json").read_text()  # still timed


def test_variants_phases(screen, tmp_path):
    grid = {"period": 2025, "base": [FLOOR], "survey": str(write_survey(make_tiny_survey(), tmp_path / "tiny")),
            "parameters": {"social_protection_floor.child.share": [0.1, 0.2]}}
    (tmp_path / "grid.yaml").write_text(yaml.safe_dump(grid))
    result = runner.invoke(app, ["variants", str(tmp_path / "grid.yaml"), "--out", str(tmp_path / "v"), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    names = recorded(json.loads((tmp_path / "v" / "variants.json").read_text())["phase_timings"])
    assert names == ["reading the survey", "simulation (2 scenarios and the baseline)", "metrics"]
    shown_in_order(screen.getvalue(), [*names, "writing the outputs"])


def test_solve_phases(screen):
    result = runner.invoke(app, ["solve", "--parameter", "benefits.saii.amount", "--low", "0", "--high", "200",
                                 "--target", "cost=50000000", "--jobs", "1", "--max-runs", "3", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout[result.stdout.index("{"):])
    names = recorded(document["phase_timings"])
    runs = document["iterations"]
    expected = ["reading the survey"] + [name for run in range(1, runs + 1) for name in (
        f"simulation of engine run {run} (", f"metrics of engine run {run}")]
    assert len(names) == len(expected) and all(name.startswith(start) for name, start in zip(names, expected))
    shown_in_order(screen.getvalue(), names)


def test_project_phases(screen, tmp_path):
    assumptions = write_assumptions(tmp_path, raw_assumptions(end=2026))
    out = tmp_path / "projection"
    result = runner.invoke(app, ["project", str(assumptions), "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = recorded(json.loads((out / "provenance.json").read_text())["phase_timings"])
    per_year = ["ageing and calibration", "simulation (", "indicators and cross-checks"]
    assert names[0].startswith("preparing") and len(names) == 1 + 2 * len(per_year)
    assert [name.split(": ", 1)[0] for name in names[1:]] == ["2025"] * 3 + ["2026"] * 3
    assert all(name.split(": ", 1)[1].startswith(step) for name, step in zip(names[1:], per_year * 2))
    shown_in_order(screen.getvalue(), [*names, "writing the outputs"])


def test_spf_phases(screen, tmp_path):
    out = tmp_path / "spf"
    result = runner.invoke(app, ["spf", "--replicates", "0", "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = recorded(json.loads((out / "spf.json").read_text())["phase_timings"])
    assert names[0] == "reading the survey" and names[1] == "population of the simulated year"
    assert names[2].startswith("simulation (") and names[3] == "costing table and confidence intervals (linearisation)"
    shown_in_order(screen.getvalue(), [*names, "writing the outputs"])


def test_synth_phases(screen, tmp_path):
    result = runner.invoke(app, ["synth", "viet_nam", "--out", str(tmp_path / "vn"), "--households", "600"])
    assert result.exit_code == 0, result.output
    shown_in_order(screen.getvalue(), ["generating and calibrating the survey", "calibration report",
                                       "writing the survey"])
    assert not any("phase" in path.name for path in (tmp_path / "vn").iterdir())  # the survey holds no timings


def test_golden_phases(screen):
    result = runner.invoke(app, ["golden"])
    assert result.exit_code == 0, result.output
    years = json.loads(snapshot_path("timor_leste").read_text())["years"]
    assert years
    shown_in_order(screen.getvalue(), ["reading the survey", *(f"{year}: simulation and figures" for year in years)])
