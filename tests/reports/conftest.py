"""Shared runs for the report tests: one ``floorsim run`` on the bundled survey (all outputs), and one in-process
report built from the same survey for comparing files with DataFrames."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from floorsim.simulations import Microsimulation
from floorsim.simulations.cli import app
from floorsim.simulations.reports import build_report, write_report_files
from floorsim.surveys.bundled import load_bundled_survey

REFORM = "floorsim/country_packages/timor_leste/reforms/saii_increase.yaml"


@pytest.fixture(scope="session")
def bundled_out(tmp_path_factory):
    """The output folder of ``floorsim run`` on the bundled survey (default reform, all outputs), on the survey's
    own population (``--population-year survey``), like the in-process ``bundled_results``."""
    out = tmp_path_factory.mktemp("bundled") / "floorsim-output"
    result = CliRunner().invoke(app, ["run", "--out", str(out), "--jobs", "1", "--population-year", "survey"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def bundled_summary(bundled_out):
    return json.loads((bundled_out / "summary.json").read_text())


@pytest.fixture(scope="session")
def bundled_results():
    simulation = Microsimulation("timor_leste", load_bundled_survey(), 2025, backend="sequential")
    return simulation.run({"baseline": None, "saii_increase": REFORM})


@pytest.fixture(scope="session")
def bundled_report(bundled_results):
    return build_report(bundled_results, "saii_increase")


@pytest.fixture(scope="session")
def written_report(bundled_report, tmp_path_factory):
    """``bundled_report`` written with every writer: (folder, files)."""
    folder = tmp_path_factory.mktemp("report")
    return folder, write_report_files(bundled_report, folder)
