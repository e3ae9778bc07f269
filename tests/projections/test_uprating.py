"""Declarative uprating: metadata rules, the per-year reform, and amounts computed by hand."""

from __future__ import annotations

import copy
import datetime
from types import SimpleNamespace

import numpy as np
import pytest

from floorsim.simulations.projections import ProjectionError, load_assumptions
from floorsim.simulations.projections.uprating import metadata_rules, uprating_rules, year_changes
from floorsim.simulations.engine.reforms import ParameterChange, ReformSpec, apply_reform
from floorsim.simulations.engine.scenarios import baseline_system
from tests.projections.helpers import ASSUMPTIONS
from tests.projections.test_projection import cpi

AMOUNTS = [
    "benefits.bolsa_da_mae.amount.basic",
    "benefits.bolsa_da_mae.amount.secondary",
    "benefits.bolsa_da_mae.disability_supplement",
    "benefits.bolsa_da_mae.vulnerability.poverty_line_per_day",
    "benefits.bolsa_da_mae_jerasaun_foun.child_amount",
    "benefits.bolsa_da_mae_jerasaun_foun.disability_supplement",
    "benefits.bolsa_da_mae_jerasaun_foun.pregnancy_amount",
    "benefits.saii.amount",
    "benefits.universal_child_grant.amount",
]


def test_the_package_declares_which_amounts_follow_prices():
    rules = metadata_rules(baseline_system("timor_leste"))
    assert sorted(rules) == AMOUNTS
    assert {rule.rule for rule in rules.values()} == {"prices"}
    assert all(rule.justification.startswith("Projection convention of floorsim") for rule in rules.values())
    combined = uprating_rules(baseline_system("timor_leste"), load_assumptions(ASSUMPTIONS))
    assert combined["benefits.saii.age_supplement"].rule == "none"
    assert combined["benefits.saii.age_supplement"].origin == "assumptions file"


def test_uprating_by_prices_is_the_amount_times_the_cpi_ratio(full_projection):
    """SAII 2027 = USD 60 (legislated 2024) × CPI(2027) / CPI(2024), the CPI chained by hand."""
    ratio = cpi(2027) / cpi(2024)
    assert ratio == pytest.approx(1.009 * 1.018 * 1.02, rel=1e-12)
    expected = 60 * ratio
    table = full_projection.indexation
    row = table[(table["year"] == 2027) & (table["scenario"] == "baseline") & (table["parameter"] == "benefits.saii.amount")]
    assert row["value"].item() == pytest.approx(expected, rel=1e-12)
    assert row["base_year"].item() == 2024 and row["legislated_from"].item() == "2024-01-01"
    # The engine paid it: every pensioner aged 60-69 receives 12 × the indexed amount over 2027 (float32 amounts).
    results = full_projection.results[2027]
    ages = results.survey.persons["age"].to_numpy()
    saii = results.scenario("baseline").person["saii"]
    paid = saii[(ages >= 60) & (ages < 70)]
    assert len(paid) > 100
    np.testing.assert_allclose(paid, 12 * expected, rtol=1e-6)
    # Supplements are held nominal (scale brackets): a person aged 80+ gets 12 × (indexed base + 40).
    np.testing.assert_allclose(saii[ages >= 80], 12 * (expected + 40), rtol=1e-6)


def test_a_reforms_own_amount_is_legislated_in_its_first_year_and_indexed_after(full_projection):
    table = full_projection.indexation.set_index(["scenario", "year", "parameter"])
    first = table.loc[("saii_increase", 2025, "benefits.saii.amount")]
    assert not first["applied"] and first["note"] == "legislated in this year" and first["value"] == 80
    later = table.loc[("saii_increase", 2027, "benefits.saii.amount")]
    assert later["base_year"] == 2025
    assert later["value"] == pytest.approx(80 * 1.018 * 1.02, rel=1e-12)
    grant = table.loc[("universal_child_grant", 2026, "benefits.universal_child_grant.amount")]
    assert grant["value"] == pytest.approx(20 * 1.018, rel=1e-12)
    # Zero amounts (the grant in law) are not indexed.
    assert not table.loc[("baseline", 2026, "benefits.universal_child_grant.amount")]["applied"]


def index_level(rule: str, year: int) -> float:
    return cpi(year) if rule == "prices" else {2024: 1.0, 2025: 1.1, 2026: 1.21, 2027: 1.331}[year]


def test_a_legislated_change_within_the_year_stops_indexation():
    system = apply_reform(
        baseline_system("timor_leste"),
        ReformSpec(name="mid_year", changes=(ParameterChange(parameter="benefits.saii.amount", value=70,
                                                             start="2026-07-01"),)),
    )
    rules = {"benefits.saii.amount": SimpleNamespace(rule="prices", origin="test")}
    changes, records = year_changes(system, rules, 2026, 2024, index_level)
    (change,) = changes
    assert change.start == datetime.date(2026, 1, 1) and change.stop == datetime.date(2026, 6, 30)
    assert change.value == pytest.approx(60 * cpi(2026) / cpi(2024))
    assert "until 2026-06-30" in records[0].note
    (change,), _ = year_changes(system, rules, 2027, 2024, index_level)
    assert change.value == pytest.approx(70 * cpi(2027) / cpi(2026))  # indexed from the year of the new value


def test_wages_none_and_schedule():
    system = baseline_system("timor_leste")
    rules = {"benefits.saii.amount": SimpleNamespace(rule="wages", origin="test")}
    (change,), _ = year_changes(system, rules, 2027, 2024, index_level)
    assert change.value == pytest.approx(60 * 1.331)
    for rule in ("none", "schedule"):
        changes, (record,) = year_changes(
            system, {"benefits.saii.amount": SimpleNamespace(rule=rule, origin="test")}, 2027, 2024, index_level
        )
        assert changes == [] and not record.applied


def test_bad_metadata_is_named():
    system = baseline_system("timor_leste")
    parameters = copy.deepcopy(system.parameters)
    parameters.benefits.saii.amount.metadata["uprating"] = "gold"
    with pytest.raises(ProjectionError, match="benefits.saii.amount.*'gold' is not one of prices, wages, none"):
        metadata_rules(SimpleNamespace(parameters=parameters))
    parameters = copy.deepcopy(system.parameters)
    parameters.benefits.saii.old_age_minimum_age.metadata["uprating"] = "prices"
    with pytest.raises(ProjectionError, match="old_age_minimum_age.*only amounts in a currency"):
        uprating_rules(SimpleNamespace(parameters=parameters), load_assumptions(ASSUMPTIONS))
