"""The tidy tables of a report: files equal DataFrames, figures agree with Results, intervals make sense."""

from __future__ import annotations

import pandas as pd
import pytest

from floorsim.simulations.reports import TABLE_NAMES, build_report
from floorsim.simulations.reports.labels import ENGLISH, Labels, get_labels, missing_keys
from floorsim.simulations.reports.numbers import format_number


def read_csv_like(path, table: pd.DataFrame) -> pd.DataFrame:
    """Read a CSV with the column types of ``table`` (text columns stay text, empty text stays empty)."""
    text = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]
    return pd.read_csv(path, dtype={c: str for c in text}, keep_default_na=False,
                       na_values={c: ["", "NaN", "nan"] for c in table.columns if c not in text})


def test_every_table_is_written_as_csv_and_parquet_equal_to_the_dataframe(bundled_report, written_report):
    folder, files = written_report
    assert set(bundled_report.tables) == set(TABLE_NAMES)
    for name, table in bundled_report.tables.items():
        assert len(table) > 0, name
        parquet = pd.read_parquet(folder / "tables" / f"{name}.parquet")
        pd.testing.assert_frame_equal(parquet, table, check_exact=True)
        csv = read_csv_like(folder / "tables" / f"{name}.csv", table)
        pd.testing.assert_frame_equal(csv, table, check_dtype=False, check_exact=False, rtol=1e-15)
        assert folder / "tables" / f"{name}.csv" in files


def test_headline_estimates_are_the_results_figures(bundled_results, bundled_report):
    comparison = bundled_results.comparison("saii_increase")
    for table in ("headline", "poverty"):
        for row in bundled_report.tables[table].itertuples():
            if row.indicator not in comparison:  # the squared poverty gap is not a headline figure
                continue
            expected = comparison[row.indicator]["change" if row.side == "change" else row.side]
            assert row.estimate == pytest.approx(expected, rel=1e-9, abs=1e-9), (row.indicator, row.side)
    gini = bundled_report.tables["inequality"].set_index(["indicator", "side"])
    assert gini.loc[("gini", "baseline"), "estimate"] == pytest.approx(comparison["gini"]["baseline"], rel=1e-12)


def test_intervals_bracket_the_estimates(bundled_report):
    table = pd.concat([bundled_report.tables[name] for name in ("headline", "poverty", "inequality")])
    assert (table["ci_low"] <= table["estimate"] + 1e-9).all() and (table["estimate"] <= table["ci_high"] + 1e-9).all()
    assert set(table["method"]) == {"bootstrap"} and set(table["replicates"]) == {200}
    change = table[(table["indicator"] == "poverty_headcount") & (table["side"] == "change")].iloc[0]
    level = table[(table["indicator"] == "poverty_headcount") & (table["side"] == "reform")].iloc[0]
    assert change["ci_high"] < 0  # a higher pension lowers poverty, beyond sampling error
    assert change["se"] < level["se"]  # paired on the same sample: the change is estimated more precisely


def test_deciles_cost_coverage_targeting_and_groups(bundled_results, bundled_report):
    tables = bundled_report.tables
    deciles = tables["deciles"]
    assert list(deciles["decile"]) == [str(d) for d in range(1, 11)] + ["all"]
    overall = deciles.set_index("decile").loc["all"]
    mean_change = bundled_report.tables["inequality"].set_index(["indicator", "side"]).loc[("mean_welfare", "change")]
    assert overall["mean_gain"] == pytest.approx(mean_change["estimate"])
    assert overall["mean_gain_ci_low"] == pytest.approx(mean_change["ci_low"])
    cost = tables["cost"].set_index(["side", "programme"])
    assert cost.loc[("reform", "saii"), "cost"] == pytest.approx(bundled_results.programme_cost("saii_increase", "saii"))
    assert set(tables["cost"]["programme"]) == {"saii", "bolsa_da_mae", "total"}  # programmes paying nothing left out
    coverage = tables["coverage"]
    assert {"all", "poor", "age_group", "sex", "area", "region"} == set(coverage["group_variable"])
    older = coverage[(coverage["group"] == "60+") & (coverage["side"] == "baseline")]["coverage"].iloc[0]
    assert older == pytest.approx(1.0)  # everyone aged 60+ gets the social pension (full take-up)
    targeting = tables["targeting"]
    assert ((targeting["inclusion_error"] >= 0) & (targeting["inclusion_error"] <= 1)).all()
    groups = tables["by_group"]
    everyone = groups[(groups["group_variable"] == "all") & (groups["indicator"] == "headcount_change")]
    headline = tables["headline"].set_index(["indicator", "side"]).loc[("poverty_headcount", "change")]
    assert everyone["estimate"].iloc[0] == pytest.approx(headline["estimate"])


def test_parameters_table_reads_old_values_and_references(bundled_report):
    (row,) = bundled_report.tables["parameters"].to_dict("records")
    assert row["parameter"] == "benefits.saii.amount"
    assert (row["old_value"], row["new_value"], row["start"], row["stop"]) == ("60", "80", "2025-01-01", "")
    assert row["reference_url"].startswith("https://")


def test_python_reform_steps_are_listed_by_class(bundled_results):
    """A structural (Python) reform appears by its class in the parameters table."""
    from floorsim.simulations.engine.provenance import reform_steps_record
    from floorsim.simulations.engine.scenarios import Scenario
    from floorsim.simulations.reports.tables import parameters_table

    original = bundled_results.scenario("saii_increase").scenario
    step = "openfisca_core.reforms.Reform"
    recorded = bundled_results.run_info["parameter_changes"]
    stacked = Scenario("saii_increase", (*original.steps, step))
    try:  # the record the engine makes when it applies the stack with a Python step added
        bundled_results.run_info["parameter_changes"] = {
            **recorded, "saii_increase": reform_steps_record("timor_leste", stacked)
        }
        table = parameters_table(bundled_results, "saii_increase")
    finally:
        bundled_results.run_info["parameter_changes"] = recorded
    assert list(table["kind"]) == ["parameter", "python_reform"]
    assert table.iloc[1]["parameter"] == step
    assert table.iloc[1]["reform_step"] == "Reform"


def test_linearisation_gives_comparable_errors(bundled_results, bundled_report):
    linear = build_report(bundled_results, "saii_increase", replicates=0, frame=bundled_results.person_frame())
    boot = bundled_report.tables["poverty"].set_index(["indicator", "side"])["se"]
    lin = linear.tables["poverty"].set_index(["indicator", "side"])["se"]
    ratio = (lin / boot).dropna()
    assert ((ratio > 0.7) & (ratio < 1.4)).all()
    assert set(linear.tables["poverty"]["method"]) == {"linearization"}
    theil = linear.tables["inequality"].set_index(["indicator", "side"]).loc[("theil", "baseline")]
    assert theil["se"] != theil["se"]  # no linearisation for Theil: point estimate only
    assert any("Taylor linearisation" in paragraph for paragraph in linear.method)


def test_labels_fall_back_to_english_and_format_numbers():
    assert missing_keys("en") == []
    assert Labels("xx")["sheet.summary"] == ENGLISH["sheet.summary"]
    with pytest.raises(ValueError, match="available: en"):
        get_labels("xx")
    assert format_number(24_592_080.2, "money_millions") == "24.59"
    assert format_number(-0.0241, "percent2", change=True) == "-2.41"
    assert format_number(0.418, "percent") == "41.8%"
    assert format_number(1234567.0, "count", Labels("pt")) == "1\u00a0234\u00a0567"  # CLDR pt_TL (as pt_PT)
    assert format_number(float("nan"), "count") == "\u2013"
    assert format_number(-1e-9, "money_month", change=True) == "+0.00"


def test_cost_shares_of_gdp_carry_the_cost_interval_over_the_gdp(bundled_out, bundled_summary):
    """GDP and expenditure are known constants: the share's estimate, error and interval are the cost's divided
    by them (a second computation from the cost rows of the same table)."""
    table = pd.read_csv(bundled_out / "tables" / "headline.csv").set_index(["indicator", "side"])
    denominators = bundled_summary["cost_denominators"]
    for key, name in (("total_cost_share_gdp", "gdp"), ("total_cost_share_expenditure", "government_expenditure")):
        value = denominators[name]["value"]
        for side in ("baseline", "reform", "change"):
            for column in ("estimate", "se", "ci_low", "ci_high"):
                assert table.at[(key, side), column] == pytest.approx(
                    table.at[("total_cost", side), column] / value, rel=1e-9
                ), (key, side, column)
        assert (table.loc[key, "unit"] == ("% of GDP" if name == "gdp" else "% of government expenditure")).all()
