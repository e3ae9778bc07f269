"""The Viet Nam reform library: every reform loads and applies, and changes hand-worked households as the arithmetic
in the comments says (and nothing before its start date); the ILO floor (``--reform spf``) applies to the package."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from floorsim.simulations.design.spf_hosts import DOTTED_PATH
from floorsim.simulations.engine.countries import load_country, tax_benefit_system_class
from floorsim.simulations.engine.reforms import apply_reform, check_reform, load_reform
from floorsim.simulations.engine.scenarios import resolve_reform, scenario_system
from tests.country_packages.test_reform_library import simulate  # one fresh simulation; a year sums its months

SPEC = load_country("viet_nam")
REFORMS = Path(SPEC.folder) / "reforms"
BASELINE = tax_benefit_system_class(SPEC)()


def reformed(name: str):
    return apply_reform(BASELINE, load_reform(REFORMS / f"{name}.yaml"))


def household(ages: list[int], year: str = "2025", certificate: str = "none", **persons_inputs) -> dict:
    """One household of persons aged ``ages`` in ``year`` (first is the head), with a certified poverty status."""
    ids = [f"p{index}" for index in range(len(ages))]
    persons = {pid: {"age": {year: age}} for pid, age in zip(ids, ages)}
    for name, values in persons_inputs.items():
        for pid, value in zip(ids, values):
            persons[pid][name] = {year: value}
    return {"persons": persons, "households": {"h": {
        "heads": ids[:1], "other_members": ids[1:], "household_income": {year: 1e7 * len(ids)},
        "poverty_certificate": {year: certificate}}}}


@pytest.mark.parametrize("path", sorted(REFORMS.glob("*.yaml")), ids=lambda path: path.stem)
def test_every_reform_loads_checks_and_is_described(path):
    spec = load_reform(path)
    check_reform(spec, BASELINE)
    assert spec.name == path.stem
    assert spec.label and len(spec.description) > 80


def test_library_has_at_least_five_proposals():
    assert len(list(REFORMS.glob("*.yaml"))) >= 5
    assert (SPEC.folder / SPEC.default_reform).is_file()


def test_social_pension_age_70_for_all():
    system = reformed("social_pension_age_70")
    situation = household([72, 69])  # not poor: baseline social pension only from 75
    np.testing.assert_array_equal(simulate(BASELINE, situation, "social_pension", "2025-08"), [0, 0])
    np.testing.assert_array_equal(simulate(system, situation, "social_pension", "2025-08"), [500000, 0])
    # 2025 as a year: July-December, 6 x 500,000 = 3,000,000; nothing before July.
    np.testing.assert_array_equal(simulate(system, situation, "social_pension", "2025"), [3000000, 0])
    np.testing.assert_array_equal(simulate(system, situation, "social_pension", "2025-06"), [0, 0])


def test_social_pension_750000():
    system = reformed("social_pension_750000")
    # 77 not poor: 750,000; 85 poor without supporter: allowance 2.0 x 500,000 = 1,000,000 still beats 750,000;
    # 85 without a pension: Art. 5(5)(c) 1.0 x 500,000 < 750,000, so the social pension of 750,000 is paid.
    situation = household([77, 85, 86], certificate="poor", no_supporter=[False, True, False])
    np.testing.assert_array_equal(simulate(system, situation, "social_pension", "2025-08"), [750000, 0, 750000])
    np.testing.assert_array_equal(simulate(system, situation, "monthly_social_allowance", "2025-08"), [0, 1000000, 0])
    np.testing.assert_array_equal(simulate(BASELINE, situation, "social_pension", "2025-08"), [500000, 0, 500000])


def test_base_level_750000():
    system = reformed("base_level_750000")
    # Adult with a severe disability: 1.5 x 750,000 = 1,125,000 (baseline 1.5 x 500,000 = 750,000) from January
    # 2025; in December 2024 the reform changes nothing.
    situation = household([30], disability_certificate=["severe"])
    np.testing.assert_array_equal(simulate(system, situation, "monthly_social_allowance", "2025-03"), [1125000])
    np.testing.assert_array_equal(simulate(BASELINE, situation, "monthly_social_allowance", "2025-03"), [750000])
    situation_2024 = household([30], year="2024", disability_certificate=["severe"])
    np.testing.assert_array_equal(simulate(system, situation_2024, "monthly_social_allowance", "2024-12"), [750000])
    # An 85-year-old without a pension from July 2025: allowance 1.0 x 750,000 > social pension 500,000.
    old = household([85])
    np.testing.assert_array_equal(simulate(system, old, "monthly_social_allowance", "2025-08"), [750000])
    np.testing.assert_array_equal(simulate(system, old, "social_pension", "2025-08"), [0])


def test_universal_child_benefit_under_3():
    system = reformed("universal_child_benefit_under_3")
    situation = household([30, 2, 3])
    np.testing.assert_array_equal(simulate(system, situation, "universal_child_benefit", "2025-03"), [0, 500000, 0])
    # A year: 12 x 500,000 = 6,000,000 for the child of 2; nothing in the baseline.
    np.testing.assert_array_equal(simulate(system, situation, "household_universal_child_benefit", "2025"), [6000000])
    np.testing.assert_array_equal(simulate(BASELINE, situation, "household_universal_child_benefit", "2025"), [0])


def test_allowance_at_75_without_poverty_condition():
    system = reformed("allowance_at_75_without_poverty_condition")
    # 76, not poor, no pension: nothing in the baseline before July 2025 (Art. 5(5)(b) needs poverty and the
    # commune), 1.0 x 500,000 under the reform; 76 with a pension stays excluded; 74 is below 75.
    situation = household([76, 76, 74], monthly_pension=[0, 2000000, 0])
    np.testing.assert_array_equal(simulate(BASELINE, situation, "monthly_social_allowance", "2025-03"), [0, 0, 0])
    np.testing.assert_array_equal(simulate(system, situation, "monthly_social_allowance", "2025-03"), [500000, 0, 0])
    # 2025 as a year: January-June allowance 6 x 500,000, then the social pension July-December 6 x 500,000, in
    # both scenarios from July: reform total 6,000,000, baseline 3,000,000.
    transfers = "social_transfers"
    np.testing.assert_array_equal(simulate(system, situation, transfers, "2025"), [6000000])
    np.testing.assert_array_equal(simulate(BASELINE, situation, transfers, "2025"), [3000000])


def test_ilo_floor_applies_to_viet_nam():
    """`--reform spf`: old age at 100 % and children at 25 % of the host line, the rural line of Decree 07/2021
    (1,500,000 VND): 1,500,000 for a person of 70 (the floor's old-age age is 65), 375,000 for a child of 2."""
    assert resolve_reform("spf", SPEC).steps == (DOTTED_PATH,)
    system = scenario_system("viet_nam", (DOTTED_PATH,))
    situation = household([70, 2])
    np.testing.assert_allclose(
        simulate(system, situation, "social_protection_floor_old_age_pension", "2025-08"), [1500000, 0])
    np.testing.assert_allclose(
        simulate(system, situation, "social_protection_floor_child_benefit", "2025-08"), [0, 375000])
