"""The survey's currency must be the package's: a mismatch stops the run with one line and nothing written;
``--convert RATE`` (or the mapping's ``metadata.conversion``) converts explicitly and is recorded."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from floorsim.simulations.cli import app
from tests.test_household_level_run import MAPPING, household_file

runner = CliRunner()
RATE = 0.25  # USD per unit of the fictional survey currency "XAA": the file's amounts are 4 times the USD ones


def files(folder, currency: str, factor: float, conversion: dict | None = None):
    """A household file with consumption × ``factor`` and a mapping declaring ``currency``."""
    folder.mkdir(parents=True, exist_ok=True)
    table = household_file()
    table["consumption_year"] = table["consumption_year"] * factor
    path = folder / "households.csv"
    table.to_csv(path, index=False)
    mapping = {**MAPPING, "metadata": {**MAPPING["metadata"], "currency": currency}}
    if conversion:
        mapping["metadata"]["conversion"] = conversion
    mapping_path = folder / "mapping.yaml"
    mapping_path.write_text(yaml.safe_dump(mapping, sort_keys=False))
    return path, mapping_path


def run(path, mapping, out, *extra):
    return runner.invoke(app, ["run", "--survey", str(path), "--mapping", str(mapping), "--period", "2024",
                               "--out", str(out), "--jobs", "1", "--replicates", "0", "--no-report", *extra])


def test_currency_mismatch_stops_with_one_line_and_writes_nothing(tmp_path):
    path, mapping = files(tmp_path / "in", "XAA", 1 / RATE)
    result = run(path, mapping, tmp_path / "out")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert "is in XAA but country 'timor_leste' computes in USD" in lines[0]
    assert "--convert RATE (USD per XAA)" in lines[0]
    assert not (tmp_path / "out").exists()


def test_convert_gives_the_figures_of_the_survey_in_the_package_currency(tmp_path):
    usd_path, usd_mapping = files(tmp_path / "usd", "USD", 1.0)
    assert run(usd_path, usd_mapping, tmp_path / "out_usd").exit_code == 0
    xaa_path, xaa_mapping = files(tmp_path / "xaa", "XAA", 1 / RATE)
    result = run(xaa_path, xaa_mapping, tmp_path / "out_xaa", "--convert", str(RATE))
    assert result.exit_code == 0, result.output
    usd = json.loads((tmp_path / "out_usd/summary.json").read_text())
    xaa = json.loads((tmp_path / "out_xaa/summary.json").read_text())
    for key in ("poverty_headcount", "poverty_gap", "gini", "saii_cost"):
        assert xaa["headline"][key]["baseline"] == pytest.approx(usd["headline"][key]["baseline"], rel=1e-12)
    assert xaa["provenance"]["currency_conversion"] == {
        "from": "XAA", "to": "USD", "rate": RATE, "source": f"--convert {RATE} (command line): USD per XAA"}
    assert "currency_conversion" not in usd["provenance"]


def test_mapping_conversion_is_recorded_in_provenance(tmp_path):
    conversion = {"currency": "USD", "rate": RATE, "source": "fictional central bank, 2014 average"}
    path, mapping = files(tmp_path / "in", "XAA", 1 / RATE, conversion)
    result = run(path, mapping, tmp_path / "out")
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "out/summary.json").read_text())["provenance"]["currency_conversion"]
    assert record["rate"] == RATE and record["from"] == "XAA"
    assert record["source"] == "mapping metadata.conversion: fictional central bank, 2014 average"


def test_convert_on_a_survey_already_in_the_currency_is_refused(tmp_path):
    path, mapping = files(tmp_path / "in", "USD", 1.0)
    result = run(path, mapping, tmp_path / "out", "--convert", "2")
    assert result.exit_code == 2
    assert "already in USD" in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
