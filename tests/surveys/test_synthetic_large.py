"""Tests of the synthetic survey's large (chunked) writer and of the chosen-year option (floorsim/surveys/synthetic/).

Expected values are computed here from the YAML files themselves (population projection, country package CPI),
not through the generator's helpers, so that a helper bug cannot hide a generator bug.
"""

from __future__ import annotations

import datetime
import gc
import hashlib
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
import yaml

from floorsim.surveys import load_survey
from floorsim.surveys.io import SurveyFile, survey_hash
from floorsim.surveys.synthetic import (
    DEFAULT_HOUSEHOLDS,
    generate_timor_leste_survey,
    large_survey_blocks,
    load_targets,
    write_large_synthetic_survey,
)

REPOSITORY = Path(__file__).resolve().parents[2]
TARGETS_FILE = REPOSITORY / "floorsim" / "surveys" / "data" / "profiles" / "timor_leste.yaml"
PROJECTION_FILE = REPOSITORY / "floorsim" / "surveys" / "data" / "timor_leste_population_projection.yaml"
PARAMETERS = REPOSITORY / "floorsim" / "country_packages" / "timor_leste" / "parameters" / "country"
ASSUMPTIONS = REPOSITORY / "floorsim" / "country_packages" / "timor_leste" / "projections" / "assumptions_2025_2035.yaml"

PERSONS = 200_000
ROW_GROUP = 10_000  # 200,000 persons / 5.70 per household = 35,088 households -> 4 blocks of 8,772
SEED = 99


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Write the 200k-person survey twice (the first time under tracemalloc) and keep the measurements."""
    base = tmp_path_factory.mktemp("large")
    gc.collect()
    tracemalloc.start()
    first = write_large_synthetic_survey(base / "first", persons=PERSONS, seed=SEED, households_per_row_group=ROW_GROUP)
    _, write_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    second = write_large_synthetic_survey(
        base / "second", persons=PERSONS, seed=SEED, households_per_row_group=ROW_GROUP
    )
    return {"first": first, "second": second, "write_peak": write_peak}


def test_large_survey_has_four_household_aligned_row_groups(large: dict) -> None:
    folder = large["first"]
    households = pq.ParquetFile(folder / "households.parquet")
    persons = pq.ParquetFile(folder / "persons.parquet")
    assert households.num_row_groups == persons.num_row_groups == 4
    assert not any(p.name.startswith(".") for p in folder.parent.iterdir())  # no staging folder left behind
    seen_households: set[int] = set()
    for group in range(4):
        hh_ids = households.read_row_group(group, columns=["household_id"]).column(0).to_numpy()
        member_hh = persons.read_row_group(group, columns=["household_id"]).column(0).to_numpy()
        assert set(member_hh) == set(hh_ids)  # every member's household is in the same row group, and vice versa
        assert seen_households.isdisjoint(hh_ids)
        seen_households.update(hh_ids)
    assert 0.97 * PERSONS < persons.metadata.num_rows < 1.05 * PERSONS


def test_large_survey_ids_are_unique_and_every_chunk_reads(large: dict) -> None:
    survey_file = SurveyFile(large["first"])
    assert survey_file.n_chunks == 4
    assert survey_file.metadata.synthetic is True
    assert survey_file.metadata.extra["blocks"] == 4
    assert survey_file.metadata.extra["seed"] == SEED
    person_ids, household_ids, psus, weight, person_weight = [], [], [], 0.0, 0.0
    for index in range(survey_file.n_chunks):
        chunk = survey_file.read_chunk(index)  # validated as a survey of its own
        person_ids.append(chunk.persons["person_id"].to_numpy())
        household_ids.append(chunk.households["household_id"].to_numpy())
        psus.append(chunk.households["psu"].to_numpy())
        weight += chunk.households["weight"].sum()
        person_weight += chunk.person_weight.sum()
    for ids in (person_ids, household_ids):
        joined = np.concatenate(ids)
        assert len(np.unique(joined)) == len(joined)
    for a in range(4):  # enumeration areas of different blocks are different PSUs
        for b in range(a + 1, 4):
            assert not set(psus[a]) & set(psus[b])
    raw = yaml.safe_load(TARGETS_FILE.read_text(encoding="utf-8"))
    assert person_weight == pytest.approx(raw["population"]["total"]["value"], rel=1e-6)
    assert weight == pytest.approx(raw["households"]["total"]["value"], rel=1e-6)
    whole = load_survey(large["first"])  # the whole file also validates as one survey (ids unique throughout)
    assert whole.person_weight.sum() == pytest.approx(person_weight)


def test_large_survey_is_deterministic(large: dict, tmp_path: Path) -> None:
    assert survey_hash(large["first"]) == survey_hash(large["second"])
    for name in ("households.parquet", "persons.parquet"):
        assert (
            hashlib.sha256((large["first"] / name).read_bytes()).digest()
            == hashlib.sha256((large["second"] / name).read_bytes()).digest()
        )
    other = write_large_synthetic_survey(
        tmp_path / "other", persons=20_000, seed=SEED + 1, households_per_row_group=2_000
    )
    assert SurveyFile(other).n_chunks == 2


def test_large_survey_memory_stays_bounded(large: dict) -> None:
    """Bound tested: the traced peak while writing the 4-block survey is below 1.5 x the peak of generating ONE
    block (8,772 households) in memory, and below half the peak of generating all 35,088 households in memory at
    once. Generation memory grows linearly with households (calibration matrix, tables), so a writer that kept
    blocks would exceed both bounds; one that holds one block at a time stays at about one block's peak.
    (tracemalloc sees Python and numpy allocations; Arrow's buffers, one block's table at a time, are not traced.)
    """
    sizes = large_survey_blocks(PERSONS, ROW_GROUP, load_targets())
    assert sizes == [8772] * 4

    def peak(n_households: int) -> int:
        gc.collect()
        tracemalloc.start()
        generate_timor_leste_survey(seed=SEED, n_households=n_households)
        _, measured = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return measured

    one_block, whole = peak(sizes[0]), peak(sum(sizes))
    assert large["write_peak"] < 1.5 * one_block
    assert large["write_peak"] < 0.5 * whole


def test_large_survey_rejects_blocks_too_small(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 600"):
        write_large_synthetic_survey(tmp_path / "x", persons=200_000, households_per_row_group=500)
    with pytest.raises(ValueError, match="blocks of"):
        write_large_synthetic_survey(tmp_path / "x", persons=1_000)
    assert not (tmp_path / "x").exists()


def test_module_entry_point_writes_a_large_survey(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    result = subprocess.run(
        [sys.executable, "-m", "floorsim.surveys.synthetic", "--persons", "8000", "--out", str(out), "--seed", "3"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "row groups" in result.stdout
    assert SurveyFile(out).n_households == 1404  # 8,000 / 5.70 = 1,403.5


# --- a chosen year ----------------------------------------------------------------------------------------------


def _cpi_level(year: int) -> float:
    """CPI (2010 = 100): country.cpi up to 2014, chained with country.cpi_inflation, then the projection
    assumptions' inflation for the years the country package does not cover."""

    def year_of(key: object) -> int:
        return key.year if isinstance(key, datetime.date) else int(str(key)[:4])

    cpi = {year_of(k): v["value"] for k, v in yaml.safe_load((PARAMETERS / "cpi.yaml").read_text())["values"].items()}
    rates = {
        year_of(k): v["value"]
        for k, v in yaml.safe_load((PARAMETERS / "cpi_inflation.yaml").read_text())["values"].items()
    }
    assumed = {}
    for entry in yaml.safe_load(ASSUMPTIONS.read_text())["prices"]["inflation"]:
        span = [int(x) for x in str(entry["years"]).split("-")]
        for y in range(span[0], span[-1] + 1):
            assumed[y] = entry["value"]
    level = cpi[2014]
    for y in range(2015, year + 1):
        level *= 1 + (rates[y] if y in rates else assumed[y])
    return level


@pytest.fixture(scope="module")
def base_and_2030() -> tuple:
    return (
        generate_timor_leste_survey(seed=4, n_households=4000),
        generate_timor_leste_survey(seed=4, n_households=4000, year=2030),
    )


def test_year_2030_hits_the_projected_age_margins(base_and_2030: tuple) -> None:
    _, survey = base_and_2030
    raw = yaml.safe_load(PROJECTION_FILE.read_text(encoding="utf-8"))
    expected = raw["years"][2030]["both_sexes"]
    age = survey.persons["age"].to_numpy()
    weights = survey.person_weight
    for label, thousands in expected.items():
        low, _, high = label.rstrip("+").partition("-")
        mask = (age >= int(low)) & (age <= (int(high) if high else 200))
        assert weights[mask].sum() == pytest.approx(thousands * 1000, rel=1e-6), label
    assert weights.sum() == pytest.approx(sum(expected.values()) * 1000, rel=1e-9)
    assert survey.metadata.reference_year == 2030


def test_year_2030_moves_money_with_the_cpi(base_and_2030: tuple) -> None:
    base, survey = base_and_2030
    ratio = _cpi_level(2030) / _cpi_level(2015)
    assert 1.3 < ratio < 1.5
    np.testing.assert_allclose(
        survey.households["consumption"].to_numpy(), base.households["consumption"].to_numpy() * ratio, rtol=1e-12
    )
    assert survey.metadata.extra["poverty_line"] == pytest.approx(base.metadata.extra["poverty_line"] * ratio, abs=1e-3)
    assert "2030 prices" in survey.metadata.extra["poverty_line_unit"]
    # Same households and persons: the year only changes weights and money.
    assert survey.persons.equals(base.persons)
    assert survey.households.drop(columns=["weight", "consumption"]).equals(
        base.households.drop(columns=["weight", "consumption"])
    )


def test_reference_year_and_unknown_years(base_and_2030: tuple) -> None:
    base, _ = base_and_2030
    same = generate_timor_leste_survey(seed=4, n_households=4000, year=2015)
    assert same.households.equals(base.households) and same.metadata == base.metadata
    with pytest.raises(ValueError, match="2025-2035"):
        generate_timor_leste_survey(seed=4, n_households=600, year=2020)


def test_default_size_is_about_ten_thousand_households() -> None:
    assert DEFAULT_HOUSEHOLDS == 10_000
