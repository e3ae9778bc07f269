"""Viet Nam on its bundled survey: `floorsim spf --country viet_nam` writes its table with the old-age guarantee
equal to a hand sum, and docs/country_viet_nam.md quotes the validation table the code computes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from floorsim.simulations.cli import app
from floorsim.simulations.regression.validation import bundled_validation_table
from floorsim.surveys import load_survey
from floorsim.surveys.bundled import VIET_NAM_SURVEY

ROOT = Path(__file__).resolve().parents[2]
RURAL_LINE = 1_500_000  # VND per person per month, Decree 07/2021 Art. 3(1)(a): the line the floor is a share of


def test_spf_on_viet_nam_pays_old_age_at_the_rural_line(tmp_path):
    result = CliRunner().invoke(app, ["spf", "--country", "viet_nam", "--replicates", "0", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "spf.csv").set_index("guarantee")
    survey = load_survey(VIET_NAM_SURVEY)
    persons = survey.persons.merge(survey.households[["household_id", "weight"]], on="household_id")
    aged_65 = persons.loc[persons["age"] >= 65, "weight"].sum()
    # The floor's old-age guarantee: 100 % of the line, 12 months, for every person of 65 or over.
    assert table.loc["old_age", "beneficiaries"] == pytest.approx(aged_65, rel=1e-9)
    assert table.loc["old_age", "cost"] == pytest.approx(aged_65 * RURAL_LINE * 12, rel=1e-9)


def test_documented_validation_table_is_the_computed_one():
    table = bundled_validation_table("viet_nam")
    document = (ROOT / "docs" / "country_viet_nam.md").read_text(encoding="utf-8")
    for row in table.itertuples():
        assert f"| {row.simulated:,.0f} | {row.simulated_over_reported:.2f} |" in document, row
