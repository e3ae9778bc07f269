"""The Timor-Leste reform library: every reform loads, applies to the baseline, and changes a hand-worked household
as the arithmetic in the comments says (and nothing before its start date)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from openfisca_core.simulations import SimulationBuilder

from floorsim.simulations.engine.countries import load_country, tax_benefit_system_class
from floorsim.simulations.engine.reforms import apply_reform, check_reform, load_reform

REFORMS = Path(__file__).resolve().parents[2] / "floorsim" / "country_packages" / "timor_leste" / "reforms"
BASELINE = tax_benefit_system_class(load_country("timor_leste"))()


def simulate(system, situation: dict, variable: str, period: str) -> np.ndarray:
    """``variable`` for ``period`` in a fresh simulation of ``situation`` (OpenFisca's documented builder path)."""
    simulation = SimulationBuilder().build_from_entities(system, situation)
    return simulation.calculate_add(variable, period) if len(period) == 4 else simulation.calculate(variable, period)


def reformed(name: str):
    return apply_reform(BASELINE, load_reform(REFORMS / f"{name}.yaml"))


@pytest.mark.parametrize("path", sorted(REFORMS.glob("*.yaml")), ids=lambda path: path.stem)
def test_every_reform_loads_checks_and_is_described(path):
    spec = load_reform(path)
    check_reform(spec, BASELINE)
    assert spec.name == path.stem
    assert spec.label and len(spec.description) > 80


def test_library_has_at_least_five_proposals_besides_the_default():
    assert len([path for path in REFORMS.glob("*.yaml") if path.stem != "saii_increase"]) >= 5


def test_social_pension_age_55():
    system = reformed("social_pension_age_55")
    situation = {
        "persons": {"p54": {"age": {"2024": 57, "2025": 54}}, "p55": {"age": {"2024": 57, "2025": 55}},
                    "p57": {"age": {"2024": 57, "2025": 57}}},
        "households": {"h": {"heads": ["p57"], "other_members": ["p55", "p54"]}},
    }
    # Order of persons: p54, p55, p57 (declaration order). Baseline: nobody is 60 yet.
    np.testing.assert_array_equal(simulate(BASELINE, situation, "saii", "2025-01"), [0, 0, 0])
    # Reform from January 2025: 55 and 57 get the 2025 base amount USD 60; 54 does not.
    np.testing.assert_array_equal(simulate(system, situation, "saii", "2025-01"), [0, 60, 60])
    # Annual 2025: 12 x 60 = 720.
    np.testing.assert_array_equal(simulate(system, situation, "saii_annual", "2025"), [0, 720, 720])
    # Not before its start: in 2024 a person of 57 gets nothing under the reform either.
    np.testing.assert_array_equal(simulate(system, situation, "saii", "2024-06"), [0, 0, 0])


def test_universal_child_grant():
    system = reformed("universal_child_grant")
    situation = {
        "persons": {"baby": {"age": {"2024": 0, "2025": 0}}, "five": {"age": {"2024": 5, "2025": 5}},
                    "six": {"age": {"2024": 6, "2025": 6}}, "mother": {"age": {"2024": 30, "2025": 30}}},
        "households": {"h": {"heads": ["mother"], "other_members": ["baby", "five", "six"],
                             "household_consumption": {"2024": 1000, "2025": 1000}}},
    }
    # Baseline: not in law, 0. Reform: USD 20 for ages 0-5 (age < 6): baby 20, five 20, six 0, mother 0.
    np.testing.assert_array_equal(simulate(BASELINE, situation, "universal_child_grant", "2025-01"), [0, 0, 0, 0])
    np.testing.assert_array_equal(simulate(system, situation, "universal_child_grant", "2025-01"), [20, 20, 0, 0])
    # Household total 20 + 20 = 40 a month, 480 a year; it enters social_transfers (no other scheme: consumption
    # 250 per person fails the Bolsa da Mãe test, nobody is 60).
    np.testing.assert_array_equal(simulate(system, situation, "household_universal_child_grant", "2025-01"), [40])
    np.testing.assert_array_equal(simulate(system, situation, "social_transfers", "2025"), [480])
    np.testing.assert_array_equal(simulate(system, situation, "universal_child_grant", "2024-12"), [0, 0, 0, 0])


def test_jerasaun_foun_nationwide():
    system = reformed("jerasaun_foun_nationwide")
    situation = {
        "persons": {
            "mother": {"age": {"2024": 27, "2025": 27}, "pregnant": {"2024": True, "2025": True}},
            "one": {"age": {"2024": 1, "2025": 1}},
            "two_disabled": {"age": {"2024": 2, "2025": 2}, "disability_severity": {"2024": 3, "2025": 3}},
            "three": {"age": {"2024": 3, "2025": 3}},
        },
        "households": {"h": {"heads": ["mother"], "other_members": ["one", "two_disabled", "three"],
                             "municipality": {"2024": "Dili", "2025": "Dili"}}},
    }
    # Baseline 2025: repealed (and Dili was never covered): 0.
    np.testing.assert_array_equal(simulate(BASELINE, situation, "bolsa_da_mae_jerasaun_foun", "2025-03"), [0, 0, 0, 0])
    # Reform: pregnant 15, child of 1 20, disabled child of 2 20 + 10 = 30, child of 3 0 (age limit 3).
    np.testing.assert_array_equal(simulate(system, situation, "bolsa_da_mae_jerasaun_foun", "2025-03"), [15, 20, 30, 0])
    # Household: 65 a month, 12 x 65 = 780 in 2025.
    np.testing.assert_array_equal(simulate(system, situation, "household_bolsa_da_mae_jerasaun_foun", "2025"), [780])
    # 2024 stays repealed under the reform.
    np.testing.assert_array_equal(simulate(system, situation, "household_bolsa_da_mae_jerasaun_foun", "2024"), [0])


def test_child_disability_benefit():
    system = reformed("child_disability_benefit")
    situation = {
        "persons": {
            "adult_severe": {"age": {"2025": 30}, "disability_severity": {"2025": 3}},
            "child_severe": {"age": {"2025": 10}, "disability_severity": {"2025": 3}},
            "child_a_lot": {"age": {"2025": 10}, "disability_severity": {"2025": 2}},
        },
        "households": {"h": {"heads": ["adult_severe"], "other_members": ["child_severe", "child_a_lot"]}},
    }
    # Baseline: invalidity from 18 - the adult (unable to work, WG 3) gets USD 60, the children nothing.
    np.testing.assert_array_equal(simulate(BASELINE, situation, "saii", "2025-02"), [60, 0, 0])
    # Reform: no minimum age - the child with WG level 3 gets 60 too; level 2 is not 'unable to work'.
    np.testing.assert_array_equal(simulate(system, situation, "saii", "2025-02"), [60, 60, 0])
    # Annual: 12 x 60 = 720.
    np.testing.assert_array_equal(simulate(system, situation, "saii_annual", "2025"), [720, 720, 0])


def test_bolsa_da_mae_doubled():
    system = reformed("bolsa_da_mae_doubled")
    situation = {
        "persons": {
            "head": {"age": {"2025": 40}},
            "c3": {"age": {"2025": 3}},
            "c10_disabled": {"age": {"2025": 10}, "in_school": {"2025": True}, "disability_severity": {"2025": 2}},
            "c15": {"age": {"2025": 15}, "in_school": {"2025": True}},
            "c16": {"age": {"2025": 16}, "in_school": {"2025": True}},
        },
        "households": {"h": {"heads": ["head"], "other_members": ["c3", "c10_disabled", "c15", "c16"],
                             "household_consumption": {"2025": 125}}},  # 25 per person <= 38.02: vulnerable
    }
    # Baseline 2025 (2024 rules): child amounts 8, 8 + 5 = 13, 10, 10; cap 3 -> 13 + 10 + 10 = 33.
    baseline_children = simulate(BASELINE, situation, "bolsa_da_mae_child_amount", "2025-01")
    np.testing.assert_array_equal(baseline_children, [0, 8, 13, 10, 10])
    np.testing.assert_array_equal(simulate(BASELINE, situation, "bolsa_da_mae", "2025-01"), [33])
    # Reform: 16, 16 + 10 = 26, 20, 20; cap 3 -> 26 + 20 + 20 = 66 a month, 792 a year.
    reform_children = simulate(system, situation, "bolsa_da_mae_child_amount", "2025-01")
    np.testing.assert_array_equal(reform_children, [0, 16, 26, 20, 20])
    np.testing.assert_array_equal(simulate(system, situation, "bolsa_da_mae", "2025-01"), [66])
    np.testing.assert_array_equal(simulate(system, situation, "bolsa_da_mae_annual", "2025"), [792])


def test_reforms_leave_the_baseline_untouched():
    for path in REFORMS.glob("*.yaml"):
        apply_reform(BASELINE, load_reform(path))
    parameters = BASELINE.parameters("2025-06-01").benefits
    assert parameters.universal_child_grant.amount == 0
    assert not parameters.bolsa_da_mae_jerasaun_foun.in_force
    assert parameters.bolsa_da_mae.amount.basic == 8
    assert parameters.saii.old_age_minimum_age == 60
