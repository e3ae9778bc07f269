"""Every word a reader sees in the outputs of ``floorsim run``: column titles, units, sheet names, chart titles and
the text of the HTML report, in one place, keyed by language.

English is complete. To add a translation (Portuguese ``pt``, French ``fr``, Spanish ``es``), add a dictionary
with the same keys to ``LABELS`` and a number style to ``NUMBER_STYLES``; a key missing from a translation falls
back to English, so a partial translation works (``missing_keys("pt")`` lists what is left to translate). Texts may
hold ``{currency}``, ``{reform}``... placeholders, filled by :meth:`Labels.text`.

Nothing here computes anything: the tables (``tables.py``) hold raw units (currency per year, fractions) and the
writers format them with ``numbers.format_number``.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_LANGUAGE = "en"

ENGLISH: dict[str, str] = {
    # ----- sheet names (Excel: at most 31 characters) -----
    "sheet.summary": "Summary",
    "sheet.cost": "Cost",
    "sheet.poverty": "Poverty",
    "sheet.inequality": "Inequality",
    "sheet.deciles": "Deciles",
    "sheet.coverage": "Coverage and targeting",
    "sheet.by_group": "By group",
    "sheet.parameters": "Parameters changed",
    "sheet.provenance": "Provenance",
    # ----- titles -----
    "title.report": "{country} {year}: {reform_label}",
    "title.comparison": "{country} {year}: current law (baseline) vs {reform}",
    "title.baseline_only": "{country} {year}: current law (baseline only)",
    "title.headline_baseline": "Headline: current law",
    "title.what": "What was simulated",
    "title.headline": "Headline: what the reform changes",
    "title.cost": "Cost and beneficiaries by programme",
    "title.poverty": "Poverty",
    "title.inequality": "Inequality",
    "title.deciles": "Who gains: impact by decile of baseline welfare",
    "title.coverage": "Coverage by population group",
    "title.targeting": "Targeting of the poor",
    "title.by_group": "Poverty and gains by population group",
    "title.parameters": "Parameters changed by the reform",
    "title.method": "Method",
    "title.provenance": "Provenance: what produced these figures",
    "title.files": "Files",
    # ----- column titles -----
    "col.indicator": "Indicator",
    "col.unit": "Unit",
    "col.key": "Key",
    "col.baseline": "Baseline",
    "col.reform": "Reform",
    "col.change": "Change",
    "col.ci_low": "95% CI low",
    "col.ci_high": "95% CI high",
    "col.ci": "95% confidence interval",
    "col.se": "Standard error",
    "col.programme": "Programme",
    "col.scenario": "Scenario",
    "col.cost": "Cost ({currency} million/year)",
    "col.cost_change": "Change in cost ({currency} million/year)",
    "col.beneficiaries": "Beneficiaries (persons)",
    "col.beneficiary_households": "Beneficiary households",
    "col.cost_per_beneficiary": "Cost per beneficiary ({currency}/year)",
    "col.decile": "Decile of baseline welfare (1 = poorest)",
    "col.population_share": "Share of the population",
    "col.mean_welfare_baseline": "Mean welfare, baseline ({currency} per person per month)",
    "col.mean_gain": "Mean gain ({currency} per person per month)",
    "col.relative_gain": "Gain (% of baseline welfare)",
    "col.gain_share": "Share of all gains",
    "col.spending_share": "Share of spending received",
    "col.winners": "Winners (% of persons)",
    "col.losers": "Losers (% of persons)",
    "col.unchanged": "Unchanged (% of persons)",
    "col.group_variable": "Grouping",
    "col.group": "Group",
    "col.persons": "Persons",
    "col.population": "Persons in the group",
    "col.covered": "Persons covered",
    "col.coverage": "Coverage (% of the group)",
    "col.coverage_baseline": "Coverage, baseline (% of the group)",
    "col.coverage_reform": "Coverage, reform (% of the group)",
    "col.target_population": "Poor persons (target group)",
    "col.target_beneficiaries": "Poor persons covered",
    "col.inclusion_error": "Inclusion error (% of beneficiaries not poor)",
    "col.exclusion_error": "Exclusion error (% of the poor not covered)",
    "col.leakage": "Leakage (% of spending to the non-poor)",
    "col.headcount_baseline": "Poverty headcount, baseline (% of persons)",
    "col.headcount_reform": "Poverty headcount, reform (% of persons)",
    "col.headcount_change": "Change in poverty headcount (percentage points)",
    "col.parameter": "Parameter",
    "col.description": "Description",
    "col.old_value": "Old value",
    "col.new_value": "New value",
    "col.start": "From",
    "col.stop": "Until",
    "col.reference": "Reference of the old value",
    "col.reform_step": "Reform",
    "col.field": "Field",
    "col.value": "Value",
    "col.estimate": "Estimate",
    # ----- indicators (summary.json keys and analysis names) -----
    "indicator.total_cost": "All cash transfers: cost",
    "indicator.programme_cost": "{programme}: cost",
    "indicator.programme_beneficiaries": "{programme}: beneficiaries",
    "indicator.poverty_headcount": "Poverty headcount",
    "indicator.poor_persons": "Persons in poverty",
    "indicator.poverty_gap": "Poverty gap index",
    "indicator.squared_poverty_gap": "Squared poverty gap (severity)",
    "indicator.gini": "Gini of welfare per capita",
    "indicator.mean_welfare": "Mean welfare per capita",
    "indicator.theil": "Theil index (GE(1))",
    "indicator.palma": "Palma ratio (top 10% / bottom 40%)",
    "indicator.s80_s20": "Income quintile share ratio S80/S20",
    "indicator.persons": "Persons",
    "indicator.headcount_baseline": "Poverty headcount, baseline",
    "indicator.headcount_reform": "Poverty headcount, reform",
    "indicator.headcount_change": "Change in poverty headcount",
    "indicator.mean_gain": "Mean gain",
    "indicator.winners": "Winners",
    "indicator.relative_gain": "Gain relative to baseline welfare",
    "indicator.losers": "Losers",
    "indicator.at_line": "{indicator}, {line}",
    # ----- poverty lines (what the poverty figures are measured against) -----
    "line.national": "national line",
    "line.relative": "{share} % of median",
    "line.international": "international line ({definition})",
    # ----- units -----
    "unit.money_year": "{currency}/year",
    "unit.money_millions": "{currency} million/year",
    "unit.money_month": "{currency} per person per month",
    "unit.persons": "persons",
    "unit.households": "households",
    "unit.share_persons": "% of persons",
    "unit.share_line": "% of the poverty line",
    "unit.index": "index (0-1)",
    "unit.ratio": "ratio",
    "unit.percentage_points": "percentage points",
    # ----- groups -----
    "group.all": "All persons",
    "group.poor": "Poor at baseline",
    "group.age_group": "Age group",
    "group.sex": "Sex",
    "group.area": "Area",
    "group.region": "Region",
    "group.urban": "Urban",
    "group.rural": "Rural",
    "group.female": "Female",
    "group.male": "Male",
    "group.age": "Age {value}",
    "group.total": "All programmes",
    "decile.all": "All",
    "scenario.baseline": "Baseline (current law)",
    "scenario.reform": "Reform",
    # ----- charts -----
    "chart.deciles.title": "Gain by decile of baseline welfare",
    "chart.deciles.y": "Change in welfare (% of baseline)",
    "chart.deciles.x": "Decile of baseline welfare per capita (1 = poorest)",
    "chart.deciles.mean_gain": "Mean gain ({currency} per person per month)",
    "chart.poverty.title": "Poverty and inequality before and after the reform",
    "chart.poverty.title_baseline": "Poverty and inequality under current law",
    "chart.cost.title": "Annual cost by programme",
    "chart.cost.x": "{currency} million per year",
    "chart.coverage.title": "Coverage by population group",
    "chart.coverage.x": "Persons living in a household receiving a cash transfer (%)",
    "chart.winners_losers.title": "Winners and losers by decile of baseline welfare",
    "chart.winners_losers.y": "% of persons in the decile",
    "chart.winners_losers.winners": "Gain",
    "chart.winners_losers.unchanged": "No change",
    "chart.winners_losers.losers": "Lose",
    "chart.ci_note": "Bars: estimates; lines: 95% confidence intervals (survey design).",
    # ----- report text -----
    "text.generated": "Generated by floorsim {version} on {date}.",
    "text.synthetic_warning": (
        "The survey used is SYNTHETIC: it reproduces published national figures closely enough to illustrate and "
        "test, but no household in it exists. Do not quote these figures as statistics about the country."
    ),
    "text.what": (
        "The rules of {country} in {year} (the baseline: current law) and the same rules changed by the reform "
        "\"{reform_label}\" were applied to every household of the survey \"{survey}\" ({households} households, "
        "{persons} persons, reference year {reference_year}), and the results were weighted to the population."
    ),
    "text.reform_description": "About the reform: {description}",
    "text.baseline_only_label": "Diagnostic of current law (no reform)",
    "text.what_baseline": (
        "The rules of {country} in {year} (current law, no reform: the diagnostic step of an assessment-based "
        "national dialogue) were applied to every household of the survey \"{survey}\" ({households} households, "
        "{persons} persons, reference year {reference_year}), and the results were weighted to the population."
    ),
    "text.headline_note_baseline": (
        "Money in {currency} million per year; rates in % of persons; the Gini in points (x100). The 95% "
        "confidence intervals reflect sampling error only (the survey's strata and primary sampling units), not "
        "the error of the model or of its assumptions."
    ),
    "col.mean_welfare_group": "Mean welfare ({currency} per person per month)",
    "text.headline_note": (
        "Money in {currency} million per year; rates in % of persons; the Gini in points (x100). The 95% "
        "confidence intervals reflect sampling error only (the survey's strata and primary sampling units), not "
        "the error of the model or of its assumptions; changes are estimated on the same sample, so their "
        "intervals are narrower than those of the levels."
    ),
    "text.cost_note": (
        "Beneficiaries are persons with an amount of their own (person programmes), or every member of a "
        "recipient household (household programmes); beneficiary households are counted separately."
    ),
    "text.deciles_note": (
        "Persons are ranked by baseline welfare per capita into ten groups of equal population (decile 1: the "
        "poorest tenth). A winner gains anything at all, a loser loses anything at all."
    ),
    "text.coverage_note": (
        "Coverage: share of the persons of a group living in a household where at least one member receives one "
        "of the cash transfers (the ASPIRE definition)."
    ),
    "text.targeting_note": (
        "Target group: persons poor at baseline (welfare per capita below the poverty line). Inclusion error: share "
        "of beneficiaries who are not poor; exclusion error: share of the poor not covered; the two have different "
        "denominators and do not add up."
    ),
    "text.parameters_note": "Old values are those of current law on the date the new value takes effect.",
    "text.python_reform": "Structural reform written in Python (OpenFisca Reform class {reform_class})",
    "text.no_parameters": "This reform changes no parameter.",
    "method.welfare": (
        "Welfare concept: {welfare_concept} per capita; in the survey: {welfare_definition}. Observed welfare "
        "already contains the transfers households receive today, so welfare under the reform is observed welfare "
        "(in {year} prices where a price index moves it) minus the simulated baseline transfers plus the simulated "
        "reform transfers, divided by household size; every member carries the household's welfare per capita and "
        "indicators are person-weighted."
    ),
    "method.survey_moved": (
        "The survey, collected in {survey_year}, was moved to {year} before the run: household weights calibrated to "
        "the {population_year} population projection (ages as surveyed) and its money values multiplied by "
        "{money_factor} (the projection's price path), so the welfare it holds is already in {year} prices."
    ),
    "method.poverty_line_national": (
        "Poverty line: the national line of {base_value} {currency} per person per month in prices of {base_date}, "
        "moved to {year} prices with the consumer price index: {line} {currency} per person per month. Survey "
        "welfare is moved from {reference_year} to {year} prices with the same index (factor {uprating})."
    ),
    "method.poverty_line_relative": (
        "Poverty line: {share} of the median baseline welfare per capita, held fixed across scenarios: {line} "
        "{currency} per person per month."
    ),
    "method.price_notes": "Price assumptions: {notes}.",
    "method.take_up": "Take-up: {programmes}. Take-up is drawn once per eligible unit from a fixed seed ({seed}).",
    "method.take_up_none": "Take-up: every eligible unit is assumed to receive its benefits (full take-up).",
    "method.take_up_item": "{programme} {rate} of eligible units (parameter {parameter})",
    "method.uncertainty_replicates": (
        "Uncertainty: standard errors and 95% confidence intervals from {replicates} Rao-Wu bootstrap replicates "
        "of the survey design ({strata} strata, {psus} primary sampling units; seed {seed})."
    ),
    "method.uncertainty_linearization": (
        "Uncertainty: standard errors and 95% confidence intervals by Taylor linearisation over the survey design "
        "({strata} strata, {psus} primary sampling units)."
    ),
    "method.calibration_replicates": (
        "Calibration: the survey weights are calibrated to population margins ({margins}); every replicate is "
        "re-calibrated to the same margins, with the same distance and bounds, before any figure is computed, so "
        "the standard errors are those of the calibrated estimates. Reform changes use the same re-calibrated "
        "replicates for baseline and reform (paired)."
    ),
    "method.calibration_none": (
        "Calibration: the survey records no calibration of its weights, so the replicates are not re-calibrated."
    ),
    "method.calibration_not_met": (
        "Calibration: the weights of this run do not meet the margins the survey records (they were reweighted, "
        "e.g. to another year's population), so the replicates are not re-calibrated; standard errors of "
        "calibrated totals are overstated."
    ),
    "method.calibration_linearization": (
        "Calibration: Taylor linearisation here ignores the calibration of the weights; standard errors of "
        "calibrated totals are overstated (use bootstrap replicates, which are re-calibrated)."
    ),
    "method.lonely_psu": "{count} strata with a single primary sampling unit were {treatment}.",
    "method.lonely_psu.pool": "pooled into one pseudo-stratum",
    "method.lonely_psu.certainty": "treated as certainty units (no variance)",
    "method.indicators": "Formulas of every indicator: docs/indicators.md; the engine: docs/engine.md.",
    # ----- provenance fields -----
    "provenance.note": "Everything that determines these figures; summary.json holds the same record.",
    # ----- the simulated year: population and cost denominators (floorsim run, issue 19) -----
    "indicator.total_cost_share_gdp": "All cash transfers: cost, share of GDP",
    "indicator.total_cost_share_expenditure": "All cash transfers: cost, share of government expenditure",
    "unit.share_gdp": "% of GDP",
    "unit.share_expenditure": "% of government expenditure",
    "text.population": "Population {year}: {persons} persons ({source}).",
    "text.denominator": "{name} {year}: {currency} {value} million ({source}).",
    "text.denominator_missing": "Not shown: {note}.",
    "denominator.gdp": "GDP",
    "denominator.government_expenditure": "General government expenditure",
}

LABELS: dict[str, dict[str, str]] = {
    "en": ENGLISH,
    # "pt": {...}, "fr": {...}, "es": {...}: same keys; missing keys fall back to English.
}


@dataclass(frozen=True)
class NumberStyle:
    """How numbers are written in a language: separators of thousands and decimals."""

    thousands: str = ","
    decimal: str = "."


NUMBER_STYLES: dict[str, NumberStyle] = {
    "en": NumberStyle(",", "."),
    "pt": NumberStyle(".", ","),
    "fr": NumberStyle("\u202f", ","),
    "es": NumberStyle(".", ","),
}


class LabelError(KeyError):
    """A label key that no language defines (a programming error, not a user error)."""


@dataclass(frozen=True)
class Labels:
    """The labels of one language, falling back to English key by key."""

    language: str = DEFAULT_LANGUAGE

    def __getitem__(self, key: str) -> str:
        table = LABELS.get(self.language, {})
        if key in table:
            return table[key]
        if key in ENGLISH:
            return ENGLISH[key]
        raise LabelError(f"no label '{key}' in simulations/reports/labels.py")

    def text(self, key: str, **values: object) -> str:
        """The label with its ``{placeholders}`` filled."""
        return self[key].format(**values)

    @property
    def numbers(self) -> NumberStyle:
        return NUMBER_STYLES.get(self.language, NUMBER_STYLES[DEFAULT_LANGUAGE])


def available_languages() -> list[str]:
    """Languages with a label table (English is always complete)."""
    return sorted(LABELS)


def get_labels(language: str = DEFAULT_LANGUAGE) -> Labels:
    """The labels of ``language``; raises ``ValueError`` naming the available ones if there is no table for it."""
    if language not in LABELS:
        raise ValueError(f"no labels for language '{language}'; available: {', '.join(available_languages())}")
    return Labels(language)


def missing_keys(language: str) -> list[str]:
    """Keys of the English table that ``language`` does not translate yet."""
    table = LABELS.get(language, {})
    return [key for key in ENGLISH if key not in table]
