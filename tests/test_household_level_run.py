"""``floorsim run`` end to end on a household-level file without ids (CSV and Stata), through a mapping, on
Timor-Leste: the full report is written, and the persons of unknown age are counted and kept out of child and
old-age rules. Expected figures are computed by hand from the file."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from floorsim.simulations.cli import app

runner = CliRunner()
PERIOD = 2024
FULL_REPORT = {
    "summary.json", "report.html", "results.xlsx",
    *(f"tables/{name}.{ext}" for name in ("headline", "poverty", "inequality", "cost", "deciles", "coverage",
                                           "targeting", "by_group", "parameters", "curves")
      for ext in ("csv", "parquet")),
    *(f"charts/{name}.{ext}" for name in ("deciles", "poverty", "cost", "coverage", "winners_losers", "lorenz",
                                          "concentration")
      for ext in ("png", "svg")),
}


def household_file() -> pd.DataFrame:
    """40 households of Timor-Leste's municipalities: size, head's age and sex, consumption per year, weight."""
    rng = np.random.default_rng(16)
    n = 40
    return pd.DataFrame({
        "hh_size": rng.integers(1, 8, n),
        "head_age": rng.integers(22, 90, n),
        "head_sex": rng.choice(["M", "F"], n),
        "municipality": rng.choice(["Dili", "Baucau", "Ermera", "Lautem"], n),
        "urban": rng.choice(["yes", "no"], n),
        "consumption_year": rng.uniform(600, 9000, n).round(2),
        "weight": rng.uniform(40, 160, n).round(1),
    })


# The mapping as a user writes it (docs/data_model.md, "Household-level files").
MAPPING_TEXT = """
metadata: {name: household_level_test, country: TLS, reference_year: 2014, currency: USD, welfare_concept: consumption}
households:
  household_id: {generate: row_number}      # the file has no ids
  weight: weight
  region: municipality
  urban: urban                              # yes / no
  consumption: {column: consumption_year, per: year}
members:
  size: hh_size
  head:
    age: head_age
    sex: {column: head_sex, recode: {M: male, F: female}}
"""
MAPPING = yaml.safe_load(MAPPING_TEXT)


def write(folder, extension: str) -> tuple:
    table = household_file()
    path = folder / f"households.{extension}"
    if extension == "csv":
        table.to_csv(path, index=False)
    else:
        table.to_stata(path, write_index=False)
    mapping = folder / "mapping.yaml"
    mapping.write_text(yaml.safe_dump(MAPPING, sort_keys=False))
    return path, mapping, table


@pytest.fixture(scope="module", params=["csv", "dta"])
def household_run(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"household_{request.param}")
    path, mapping, table = write(folder, request.param)
    out = folder / "out"
    result = runner.invoke(app, ["run", "--survey", str(path), "--mapping", str(mapping), "--period", str(PERIOD),
                                 "--out", str(out), "--jobs", "1", "--replicates", "20"])
    return result, out, table


def test_full_report_written(household_run):
    result, out, _ = household_run
    assert result.exit_code == 0, result.output
    written = {str(path.relative_to(out)) for path in out.rglob("*") if path.is_file()}
    assert written == FULL_REPORT


def test_unknown_members_counted_and_said(household_run):
    result, out, table = household_run
    summary = json.loads((out / "summary.json").read_text())
    unknown = summary["provenance"]["unknown_age_sex"]
    members = table["hh_size"] - 1
    assert unknown["persons"] == int(members.sum())
    assert unknown["weighted_persons"] == pytest.approx(float((table["weight"] * members).sum()), rel=1e-12)
    assert unknown["person_benefits"] == {}  # no person benefit reaches a member of unknown age
    assert summary["provenance"]["household_level"]["households"] == len(table)
    assert f"{int(members.sum()):,} persons of the survey" in " ".join(result.output.split())


def test_old_age_and_child_schemes_count_only_known_ages(household_run):
    _, out, table = household_run
    headline = json.loads((out / "summary.json").read_text())["headline"]
    # SAII (take-up 1): every head aged 60 or over, nobody else; weighted persons.
    elders = float(table.loc[table["head_age"] >= 60, "weight"].sum())
    assert headline["saii_beneficiaries"]["baseline"] == pytest.approx(elders, rel=1e-12)
    # Bolsa da Mãe pays for children: the file knows of none, so nothing is paid (not a guess from household size).
    assert headline["bolsa_da_mae_cost"]["baseline"] == 0.0


def test_poverty_from_per_capita_consumption(household_run):
    _, out, table = household_run
    summary = json.loads((out / "summary.json").read_text())
    prices = summary["provenance"]["prices"]
    line, uprating = prices["poverty_line_per_person_per_month"], prices["consumption_uprating"]
    per_capita = table["consumption_year"] / 12 * uprating / table["hh_size"]
    persons = table["weight"] * table["hh_size"]
    expected = float(persons[per_capita < line].sum() / persons.sum())
    assert summary["headline"]["poverty_headcount"]["baseline"] == pytest.approx(expected, rel=1e-12)


def test_unknown_members_are_in_no_age_group(household_run):
    _, out, table = household_run
    coverage = pd.read_csv(out / "tables/coverage.csv")
    baseline = coverage[coverage["side"] == "baseline"].drop_duplicates(["group_variable", "group"])
    unknown = float((table["weight"] * (table["hh_size"] - 1)).sum())
    everybody = float((table["weight"] * table["hh_size"]).sum())
    ages = baseline.loc[baseline["group_variable"] == "age_group", "population"].sum()
    assert ages == pytest.approx(everybody - unknown, rel=1e-9)
    sex = baseline[baseline["group_variable"] == "sex"].set_index("group")["population"]
    assert sex["unknown"] == pytest.approx(unknown, rel=1e-9)
    heads_male = float(table.loc[table["head_sex"] == "M", "weight"].sum())
    assert sex["male"] == pytest.approx(heads_male, rel=1e-9)  # the placeholder sex is not counted as male
