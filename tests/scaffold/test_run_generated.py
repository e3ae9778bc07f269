"""A generated package run by floorsim: every shape's annual totals equal the hand calculation of conftest.py, in
one process and in loky workers, take-up is drawn by the engine, and ``floorsim run --country DIR`` writes the full
report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from floorsim.simulations import Microsimulation
from floorsim.simulations.engine.countries import load_country
from floorsim.surveys.io import write_survey
from tests.scaffold.conftest import COPIES, EXPECTED_2025, PATTERNS, examplia_survey, expected_totals

FLOORSIM = Path(sys.executable).parent / "floorsim"


def _household_amounts(results, spec, scenario="baseline") -> dict[str, np.ndarray]:
    outputs = results.scenario(scenario)
    return {
        key: outputs.household[programme.variable] if programme.entity == "household"
        else outputs.household[f"household_sum:{programme.variable}"]
        for key, programme in spec.programmes.items()
    }


@pytest.fixture(scope="module")
def sequential_run(examplia):
    return Microsimulation(str(examplia), examplia_survey(), 2025, backend="sequential").run({"baseline": None})


def test_every_shape_matches_the_hand_calculation(examplia, sequential_run):
    spec = load_country(str(examplia))
    amounts = _household_amounts(sequential_run, spec)
    for name, per_pattern in EXPECTED_2025.items():
        expected = np.tile(np.array(per_pattern, dtype=float), COPIES)
        if name == "maternity_allowance":  # take-up: each eligible mother receives all or nothing
            assert set(np.unique(amounts[name][0::len(PATTERNS)])) <= {0.0, 1800.0}
            continue
        np.testing.assert_allclose(amounts[name], expected, err_msg=name)
    transfers = sequential_run.scenario("baseline").household["social_transfers"]
    np.testing.assert_allclose(transfers, sum(amounts.values()))


def test_take_up_is_drawn_by_floorsim_at_the_rate_of_the_package(sequential_run):
    """80% take-up of the maternity allowance (a parameter of the package): of the 50 eligible mothers about 40
    receive it; a binomial 99.9% band around 0.8 × 50 is 40 ± 3.3 × sqrt(50 × 0.8 × 0.2) = 40 ± 9."""
    received = sequential_run.scenario("baseline").household["household_sum:maternity_allowance"][0::len(PATTERNS)]
    recipients = int(np.sum(received > 0))
    assert 31 <= recipients <= 49
    assert sequential_run.run_info["take_up"] == {"maternity_allowance": "schemes.maternity_allowance.take_up"}


def test_workers_import_the_package_from_its_folder(examplia, sequential_run):
    """loky workers build the tax-benefit system themselves: the package folder must be importable there too."""
    parallel = Microsimulation(str(examplia), examplia_survey(), 2025, backend="loky", n_jobs=2, chunk_size=60).run(
        {"baseline": None})
    for name in EXPECTED_2025:
        np.testing.assert_array_equal(parallel.scenario("baseline").household.get(name, parallel.scenario(
            "baseline").household.get(f"household_sum:{name}")), sequential_run.scenario("baseline").household.get(
            name, sequential_run.scenario("baseline").household.get(f"household_sum:{name}")))


def test_phase_in_pays_the_share_in_force(examplia):
    """2024: pregnancy support is half phased in (80 × 0.5 a month); the south is not reached by the child grant."""
    results = Microsimulation(str(examplia), examplia_survey(copies=2), 2024, backend="sequential").run(
        {"baseline": None})
    household = results.scenario("baseline").household
    np.testing.assert_allclose(household["household_sum:pregnancy_support"], [0, 480, 0, 0] * 2)
    np.testing.assert_allclose(household["household_sum:child_grant"], [6000, 0, 0, 0] * 2)


def test_floorsim_run_on_the_generated_package_writes_the_full_report(examplia, tmp_path):
    """The CLI with --country DIR, a survey folder in XTS and a reform raising the base level to 150 from January
    2025: the cost change equals the hand calculation, and the report, workbook, charts and tables are written."""
    survey_folder = tmp_path / "survey"
    write_survey(examplia_survey(), survey_folder)
    reform = tmp_path / "base_150.yaml"
    reform.write_text(yaml.safe_dump({
        "name": "base_150", "label": "Assistance base level 150 (illustrative)",
        "changes": [{"parameter": "base_levels.assistance_base", "value": 150, "start": "2025-01-01"}],
    }))
    out = tmp_path / "out"
    result = subprocess.run(
        [str(FLOORSIM), "run", "--country", str(examplia), "--survey", str(survey_folder), "--reform", str(reform),
         "--period", "2025", "--jobs", "2", "--replicates", "20", "--out", str(out)],
        capture_output=True, text=True, timeout=600, env={**os.environ, "COLUMNS": "200"},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for name in ("summary.json", "report.html", "results.xlsx"):
        assert (out / name).is_file(), name
    assert list((out / "charts").glob("*.png")) and list((out / "tables").glob("*.csv"))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["currency"] == "XTS"
    # Base level 150 all year instead of 100 (Jan-Jun) and 120 (Jul-Dec): 12 x 150 - 1320 = 480 per unit of
    # coefficient: disability 2.5 and old age 1.0 (pattern 2), orphan 1.5 (pattern 3): 5.0 x 480 = 2400 a pattern set.
    change = summary["headline"]["disability_allowance_cost"]["change"]
    assert change == pytest.approx(2.5 * 480 * COPIES)
    assert summary["headline"]["old_age_allowance_cost"]["change"] == pytest.approx(1.0 * 480 * COPIES)
    assert summary["headline"]["orphan_allowance_cost"]["change"] == pytest.approx(1.5 * 480 * COPIES)
    baseline_total = summary["headline"]["total_cost"]["baseline"]
    known = sum(value for name, value in expected_totals().items() if name != "maternity_allowance")
    assert known < baseline_total <= known + 1800 * COPIES
