"""Step 5 (opt-in) of the synthetic survey: a chosen year, by reweighting to projected margins and moving money
with the CPI chain of the Timor-Leste country package (read as YAML; the engine is not imported)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import yaml

from floorsim.surveys.calibration import Margin, calibrate_survey
from floorsim.surveys.model import Survey

POPULATION_PROJECTION = Path(__file__).resolve().parents[1] / "data" / "timor_leste_population_projection.yaml"
COUNTRY_PACKAGE = Path(__file__).resolve().parents[2] / "country_packages" / "timor_leste"
CPI_FILE = COUNTRY_PACKAGE / "parameters" / "country" / "cpi.yaml"  # country.cpi (index, 2010 = 100)
CPI_INFLATION_FILE = COUNTRY_PACKAGE / "parameters" / "country" / "cpi_inflation.yaml"  # country.cpi_inflation
# Inflation for the years after the last published rate (2025 on): the projection assumptions' `prices.inflation`.
CPI_ASSUMPTIONS_FILE = COUNTRY_PACKAGE / "projections" / "assumptions_2025_2035.yaml"


def _year_of(key: object) -> int:
    """Year of a parameter key: ``2015``, ``"2015"`` or a date such as ``2015-01-01``."""
    return int(key.year) if hasattr(key, "year") else int(str(key)[:4])


def cpi_index() -> dict[int, float]:
    """Annual CPI of Timor-Leste (2010 = 100) from the country package's parameter files, read as YAML.

    ``country.cpi`` gives the index up to 2014; each later year is the previous one times ``1 + rate``, with the
    rate from ``country.cpi_inflation`` (published, 2015-2024) and, for later years, from ``prices.inflation`` of
    the projection assumptions (``floorsim/country_packages/timor_leste/projections/assumptions_2025_2035.yaml``: IMF
    projections for 2025-2026, an assumed 2% after). The engine is not imported.
    """
    levels = {_year_of(k): float(v["value"]) for k, v in yaml.safe_load(CPI_FILE.read_text())["values"].items()}
    rates = {_year_of(k): float(v["value"]) for k, v in yaml.safe_load(CPI_INFLATION_FILE.read_text())["values"].items()}
    for entry in yaml.safe_load(CPI_ASSUMPTIONS_FILE.read_text())["prices"]["inflation"]:
        first, _, last = str(entry["years"]).partition("-")
        for y in range(int(first), int(last or first) + 1):
            rates.setdefault(y, float(entry["value"]))  # published rates win
    year = max(levels)
    while year + 1 in rates:
        levels[year + 1] = levels[year] * (1 + rates[year + 1])
        year += 1
    return levels


def cpi_factor(from_year: int, to_year: int) -> float:
    """Price level of ``to_year`` over that of ``from_year`` (see :func:`cpi_index`)."""
    index = cpi_index()
    missing = [y for y in (from_year, to_year) if y not in index]
    if missing:
        raise ValueError(f"no CPI for {missing} (the chain covers {min(index)}-{max(index)})")
    return index[to_year] / index[from_year]


def _projection_margin(year: int) -> Margin:
    """Persons by five-year age group in ``year`` from the UN WPP 2022 projection (both sexes; thousands x 1000)."""
    raw = yaml.safe_load(POPULATION_PROJECTION.read_text(encoding="utf-8"))
    years = {int(y): table for y, table in raw["years"].items()}
    if year not in years:
        raise ValueError(
            f"year {year} is neither the survey's reference year nor a year of the population projection "
            f"({min(years)}-{max(years)}, {POPULATION_PROJECTION.name})"
        )
    if not str(raw["unit"]).startswith("thousands of persons"):
        raise ValueError(f"{POPULATION_PROJECTION.name}: unexpected unit {raw['unit']!r}")
    labels = [str(label) for label in raw["age_groups"]]
    lows = tuple(int(label.split("-")[0].rstrip("+")) for label in labels)
    counts = years[year]["both_sexes"]
    return Margin(
        name=f"persons by age group, {year} (UN WPP 2022 medium variant)",
        level="persons",
        by=("age_group",),
        targets={label: float(counts[label]) * 1000.0 for label in labels},
        age_groups=lows,
    )


def reweight_to_year(survey: Survey, year: int) -> Survey:
    """The synthetic survey moved to ``year``: weights raked to that year's persons by five-year age group (UN WPP
    2022, both sexes) and money (household consumption, the poverty line) multiplied by the CPI ratio between
    ``year`` and the survey's reference year. Households, persons and every other column are unchanged."""
    base_year = survey.metadata.reference_year
    margin = _projection_margin(year)
    reweighted, result = calibrate_survey(survey, [margin], method="raking")
    factor = cpi_factor(base_year, year)
    households = reweighted.households.assign(consumption=reweighted.households["consumption"] * factor)
    extra = dict(reweighted.metadata.extra)
    extra["poverty_line"] = round(float(extra["poverty_line"]) * factor, 4)
    extra["poverty_line_unit"] = f"USD per person per month, {year} prices"
    extra["year"] = {
        "base_year": base_year,
        "population": f"{POPULATION_PROJECTION.name}: {margin.name}",
        "cpi_factor": factor,
        "cpi": "country.cpi chained with country.cpi_inflation (country package) and the projection assumptions' "
        "prices.inflation after 2024",
        "max_relative_error": result.max_relative_error,
    }
    metadata = replace(
        reweighted.metadata,
        reference_year=year,
        reference_period=(
            f"{year}: the {base_year} synthetic survey reweighted to the UN WPP 2022 population by five-year age "
            f"group of {year} and moved to {year} prices with the CPI (x{factor:.4f}); real consumption per capita "
            f"is held at its {base_year} level. Base: {reweighted.metadata.reference_period}"
        ),
        extra=extra,
    )
    return Survey(households, reweighted.persons, metadata, origin=survey.origin)
