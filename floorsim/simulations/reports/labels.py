"""Every word a reader sees in the outputs of ``floorsim run`` and ``floorsim serve``: column titles, units, sheet
names, chart titles, the text of the HTML report and of the web pages, in one place, translated through gettext
catalogues.

The English texts are the gettext message ids: :data:`ENGLISH` keys them for the writers (``labels["col.cost"]``),
and texts that have no key are marked where they are written with ``labels.gettext("...")`` (Python) or
``_("...")`` (web templates). Babel extracts every marked text into ``locales/floorsim.pot``; each language has
its catalogue ``locales/<language>/LC_MESSAGES/floorsim.po`` and the compiled ``floorsim.mo`` beside it
(docs/translations.md says how to add a label, extract, update and compile). A text a catalogue does not
translate yet is shown in English, so a started translation (Tetum, Vietnamese) works.

Texts may hold ``{currency}``, ``{reform}``... placeholders, filled by :meth:`Labels.text` after translation; a
translation keeps the placeholders of its message id (tested).

Nothing here computes anything: the tables (``tables.py``) hold raw units (currency per year, fractions) and the
writers format them with ``numbers.format_number`` in the language's CLDR conventions (Babel).
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.numbers import format_decimal

from floorsim.simulations.errors import FloorsimError
from floorsim.simulations.reports.labels_files import FILE_LABELS

DEFAULT_LANGUAGE = "en"
DOMAIN = "floorsim"
LOCALES = Path(__file__).parent / "locales"

# Languages every label is translated into (a test fails on a missing or fuzzy translation), and languages
# started (partial catalogues: missing texts fall back to English).
COMPLETE_LANGUAGES: tuple[str, ...] = ("en", "pt", "fr", "es")
STARTED_LANGUAGES: tuple[str, ...] = ("tet", "vi")

# The CLDR locale whose conventions (decimal and group separators, percent sign, dates) a language's numbers
# follow. Portuguese follows the European norm used in Timor-Leste, Angola, Mozambique... (CLDR ``pt_PT``,
# inherited by ``pt_TL``); CLDR has no Tetum locale, and Timor-Leste writes numbers as in Portuguese.
NUMBER_LOCALES: dict[str, str] = {"en": "en", "pt": "pt_TL", "fr": "fr", "es": "es", "tet": "pt_TL", "vi": "vi"}

# Names of the languages in their own language (the web app's language switch).
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English", "pt": "Português", "fr": "Français", "es": "Español", "tet": "Tetun", "vi": "Tiếng Việt",
}


def N_(message: str) -> str:
    """Mark ``message`` for extraction into the catalogues without translating it here (gettext's ``N_``)."""
    return message


ENGLISH: dict[str, str] = {
    # ----- sheet names (Excel: at most 31 characters) -----
    "sheet.summary": N_("Summary"),
    "sheet.cost": N_("Cost"),
    "sheet.poverty": N_("Poverty"),
    "sheet.inequality": N_("Inequality"),
    "sheet.deciles": N_("Deciles"),
    "sheet.coverage": N_("Coverage and targeting"),
    "sheet.by_group": N_("By group"),
    "sheet.parameters": N_("Parameters changed"),
    "sheet.provenance": N_("Provenance"),
    # ----- titles -----
    "title.report": N_("{country} {year}: {reform_label}"),
    "title.comparison": N_("{country} {year}: current law (baseline) vs {reform}"),
    "title.baseline_only": N_("{country} {year}: current law (baseline only)"),
    "title.headline_baseline": N_("Headline: current law"),
    "title.what": N_("What was simulated"),
    "title.headline": N_("Headline: what the reform changes"),
    "title.cost": N_("Cost and beneficiaries by programme"),
    "title.poverty": N_("Poverty"),
    "title.inequality": N_("Inequality"),
    "title.deciles": N_("Who gains: impact by decile of baseline welfare"),
    "title.coverage": N_("Coverage by population group"),
    "title.targeting": N_("Targeting of the poor"),
    "title.by_group": N_("Poverty and gains by population group"),
    "title.parameters": N_("Parameters changed by the reform"),
    "title.method": N_("Method"),
    "title.provenance": N_("Provenance: what produced these figures"),
    "title.files": N_("Files"),
    # ----- column titles -----
    "col.indicator": N_("Indicator"),
    "col.unit": N_("Unit"),
    "col.key": N_("Key"),
    "col.baseline": N_("Baseline"),
    "col.reform": N_("Reform"),
    "col.change": N_("Change"),
    "col.ci_low": N_("95% CI low"),
    "col.ci_high": N_("95% CI high"),
    "col.ci": N_("95% confidence interval"),
    "col.se": N_("Standard error"),
    "col.programme": N_("Programme"),
    "col.scenario": N_("Scenario"),
    "col.cost": N_("Cost ({currency} million/year)"),
    "col.cost_change": N_("Change in cost ({currency} million/year)"),
    "col.beneficiaries": N_("Beneficiaries (persons)"),
    "col.beneficiary_households": N_("Beneficiary households"),
    "col.cost_per_beneficiary": N_("Cost per beneficiary ({currency}/year)"),
    "col.decile": N_("Decile of baseline welfare (1 = poorest)"),
    "col.population_share": N_("Share of the population"),
    "col.mean_welfare_baseline": N_("Mean welfare, baseline ({currency} per person per month)"),
    "col.mean_gain": N_("Mean gain ({currency} per person per month)"),
    "col.relative_gain": N_("Gain (% of baseline welfare)"),
    "col.gain_share": N_("Share of all gains"),
    "col.spending_share": N_("Share of spending received"),
    "col.winners": N_("Winners (% of persons)"),
    "col.losers": N_("Losers (% of persons)"),
    "col.unchanged": N_("Unchanged (% of persons)"),
    "col.group_variable": N_("Grouping"),
    "col.group": N_("Group"),
    "col.persons": N_("Persons"),
    "col.population": N_("Persons in the group"),
    "col.covered": N_("Persons covered"),
    "col.coverage": N_("Coverage (% of the group)"),
    "col.coverage_baseline": N_("Coverage, baseline (% of the group)"),
    "col.coverage_reform": N_("Coverage, reform (% of the group)"),
    "col.target_population": N_("Poor persons (target group)"),
    "col.target_beneficiaries": N_("Poor persons covered"),
    "col.inclusion_error": N_("Inclusion error (% of beneficiaries not poor)"),
    "col.exclusion_error": N_("Exclusion error (% of the poor not covered)"),
    "col.leakage": N_("Leakage (% of spending to the non-poor)"),
    "col.headcount_baseline": N_("Poverty headcount, baseline (% of persons)"),
    "col.headcount_reform": N_("Poverty headcount, reform (% of persons)"),
    "col.headcount_change": N_("Change in poverty headcount (percentage points)"),
    "col.parameter": N_("Parameter"),
    "col.description": N_("Description"),
    "col.old_value": N_("Old value"),
    "col.new_value": N_("New value"),
    "col.start": N_("From"),
    "col.stop": N_("Until"),
    "col.reference": N_("Reference of the old value"),
    "col.reform_step": N_("Reform"),
    "col.field": N_("Field"),
    "col.value": N_("Value"),
    "col.estimate": N_("Estimate"),
    # ----- indicators (summary.json keys and analysis names) -----
    "indicator.total_cost": N_("All cash transfers: cost"),
    "indicator.programme_cost": N_("{programme}: cost"),
    "indicator.programme_beneficiaries": N_("{programme}: beneficiaries"),
    "indicator.poverty_headcount": N_("Poverty headcount"),
    "indicator.poor_persons": N_("Persons in poverty"),
    "indicator.poverty_gap": N_("Poverty gap index"),
    "indicator.squared_poverty_gap": N_("Squared poverty gap (severity)"),
    "indicator.gini": N_("Gini of welfare per capita"),
    "indicator.mean_welfare": N_("Mean welfare per capita"),
    "indicator.theil": N_("Theil index (GE(1))"),
    "indicator.palma": N_("Palma ratio (top 10% / bottom 40%)"),
    "indicator.s80_s20": N_("Income quintile share ratio S80/S20"),
    "indicator.persons": N_("Persons"),
    "indicator.headcount_baseline": N_("Poverty headcount, baseline"),
    "indicator.headcount_reform": N_("Poverty headcount, reform"),
    "indicator.headcount_change": N_("Change in poverty headcount"),
    "indicator.mean_gain": N_("Mean gain"),
    "indicator.winners": N_("Winners"),
    "indicator.relative_gain": N_("Gain relative to baseline welfare"),
    "indicator.losers": N_("Losers"),
    "indicator.at_line": N_("{indicator}, {line}"),
    # ----- poverty lines (what the poverty figures are measured against) -----
    "line.national": N_("national line"),
    "line.relative": N_("{share} % of median"),
    "line.international": N_("international line ({definition})"),
    # ----- units -----
    "unit.money_year": N_("{currency}/year"),
    "unit.money_millions": N_("{currency} million/year"),
    "unit.money_month": N_("{currency} per person per month"),
    "unit.persons": N_("persons"),
    "unit.households": N_("households"),
    "unit.share_persons": N_("% of persons"),
    "unit.share_line": N_("% of the poverty line"),
    "unit.index": N_("index (0-1)"),
    "unit.ratio": N_("ratio"),
    "unit.percentage_points": N_("percentage points"),
    # ----- groups -----
    "group.all": N_("All persons"),
    "group.poor": N_("Poor at baseline"),
    "group.age_group": N_("Age group"),
    "group.sex": N_("Sex"),
    "group.area": N_("Area"),
    "group.region": N_("Region"),
    "group.urban": N_("Urban"),
    "group.rural": N_("Rural"),
    "group.female": N_("Female"),
    "group.male": N_("Male"),
    "group.age": N_("Age {value}"),
    "group.total": N_("All programmes"),
    "decile.all": N_("All"),
    "scenario.baseline": N_("Baseline (current law)"),
    "scenario.reform": N_("Reform"),
    # ----- charts -----
    "chart.deciles.title": N_("Gain by decile of baseline welfare"),
    "chart.deciles.y": N_("Change in welfare (% of baseline)"),
    "chart.deciles.x": N_("Decile of baseline welfare per capita (1 = poorest)"),
    "chart.deciles.mean_gain": N_("Mean gain ({currency} per person per month)"),
    "chart.poverty.title": N_("Poverty and inequality before and after the reform"),
    "chart.poverty.title_baseline": N_("Poverty and inequality under current law"),
    "chart.cost.title": N_("Annual cost by programme"),
    "chart.cost.x": N_("{currency} million per year"),
    "chart.coverage.title": N_("Coverage by population group"),
    "chart.coverage.x": N_("Persons living in a household receiving a cash transfer (%)"),
    "chart.winners_losers.title": N_("Winners and losers by decile of baseline welfare"),
    "chart.winners_losers.y": N_("% of persons in the decile"),
    "chart.winners_losers.winners": N_("Gain"),
    "chart.winners_losers.unchanged": N_("No change"),
    "chart.winners_losers.losers": N_("Lose"),
    "chart.ci_note": N_("Bars: estimates; lines: 95% confidence intervals (survey design)."),
    # ----- report text -----
    "text.generated": N_("Generated by floorsim {version} on {date}."),
    "text.synthetic_warning": N_(
        "The survey used is SYNTHETIC: it reproduces published national figures closely enough to illustrate and "
        "test, but no household in it exists. Do not quote these figures as statistics about the country."
    ),
    "text.what": N_(
        "The rules of {country} in {year} (the baseline: current law) and the same rules changed by the reform "
        "\"{reform_label}\" were applied to every household of the survey \"{survey}\" ({households} households, "
        "{persons} persons, reference year {reference_year}), and the results were weighted to the population."
    ),
    "text.reform_description": N_("About the reform: {description}"),
    "text.baseline_only_label": N_("Diagnostic of current law (no reform)"),
    "text.what_baseline": N_(
        "The rules of {country} in {year} (current law, no reform: the diagnostic step of an assessment-based "
        "national dialogue) were applied to every household of the survey \"{survey}\" ({households} households, "
        "{persons} persons, reference year {reference_year}), and the results were weighted to the population."
    ),
    "text.headline_note_baseline": N_(
        "Money in {currency} million per year; rates in % of persons; the Gini in points (x100). The 95% "
        "confidence intervals reflect sampling error only (the survey's strata and primary sampling units), not "
        "the error of the model or of its assumptions."
    ),
    "col.mean_welfare_group": N_("Mean welfare ({currency} per person per month)"),
    "text.headline_note": N_(
        "Money in {currency} million per year; rates in % of persons; the Gini in points (x100). The 95% "
        "confidence intervals reflect sampling error only (the survey's strata and primary sampling units), not "
        "the error of the model or of its assumptions; changes are estimated on the same sample, so their "
        "intervals are narrower than those of the levels."
    ),
    "text.cost_note": N_(
        "Beneficiaries are persons with an amount of their own (person programmes), or every member of a "
        "recipient household (household programmes); beneficiary households are counted separately."
    ),
    "text.deciles_note": N_(
        "Persons are ranked by baseline welfare per capita into ten groups of equal population (decile 1: the "
        "poorest tenth). A winner gains anything at all, a loser loses anything at all."
    ),
    "text.coverage_note": N_(
        "Coverage: share of the persons of a group living in a household where at least one member receives one "
        "of the cash transfers (the ASPIRE definition)."
    ),
    "text.targeting_note": N_(
        "Target group: persons poor at baseline (welfare per capita below the poverty line). Inclusion error: share "
        "of beneficiaries who are not poor; exclusion error: share of the poor not covered; the two have different "
        "denominators and do not add up."
    ),
    "text.parameters_note": N_("Old values are those of current law on the date the new value takes effect."),
    "text.python_reform": N_("Structural reform written in Python (OpenFisca Reform class {reform_class})"),
    "text.no_parameters": N_("This reform changes no parameter."),
    "method.welfare": N_(
        "Welfare concept: {welfare_concept} per capita; in the survey: {welfare_definition}. Observed welfare "
        "already contains the transfers households receive today, so welfare under the reform is observed welfare "
        "(in {year} prices where a price index moves it) minus the simulated baseline transfers plus the simulated "
        "reform transfers, divided by household size; every member carries the household's welfare per capita and "
        "indicators are person-weighted."
    ),
    "method.survey_moved": N_(
        "The survey, collected in {survey_year}, was moved to {year} before the run: household weights calibrated to "
        "the {population_year} population projection (ages as surveyed) and its money values multiplied by "
        "{money_factor} (the projection's price path), so the welfare it holds is already in {year} prices."
    ),
    "method.poverty_line_national": N_(
        "Poverty line: the national line of {base_value} {currency} per person per month in prices of {base_date}, "
        "moved to {year} prices with the consumer price index: {line} {currency} per person per month. Survey "
        "welfare is moved from {reference_year} to {year} prices with the same index (factor {uprating})."
    ),
    "method.poverty_line_relative": N_(
        "Poverty line: {share} of the median baseline welfare per capita, held fixed across scenarios: {line} "
        "{currency} per person per month."
    ),
    "method.price_notes": N_("Price assumptions: {notes}."),
    "method.take_up": N_("Take-up: {programmes}. Take-up is drawn once per eligible unit from a fixed seed ({seed})."),
    "method.take_up_none": N_("Take-up: every eligible unit is assumed to receive its benefits (full take-up)."),
    "method.take_up_item": N_("{programme} {rate} of eligible units (parameter {parameter})"),
    "method.uncertainty_replicates": N_(
        "Uncertainty: standard errors and 95% confidence intervals from {replicates} Rao-Wu bootstrap replicates "
        "of the survey design ({strata} strata, {psus} primary sampling units; seed {seed})."
    ),
    "method.uncertainty_linearization": N_(
        "Uncertainty: standard errors and 95% confidence intervals by Taylor linearisation over the survey design "
        "({strata} strata, {psus} primary sampling units)."
    ),
    "method.calibration_replicates": N_(
        "Calibration: the survey weights are calibrated to population margins ({margins}); every replicate is "
        "re-calibrated to the same margins, with the same distance and bounds, before any figure is computed, so "
        "the standard errors are those of the calibrated estimates. Reform changes use the same re-calibrated "
        "replicates for baseline and reform (paired)."
    ),
    "method.calibration_none": N_(
        "Calibration: the survey records no calibration of its weights, so the replicates are not re-calibrated."
    ),
    "method.calibration_not_met": N_(
        "Calibration: the weights of this run do not meet the margins the survey records (they were reweighted, "
        "e.g. to another year's population), so the replicates are not re-calibrated; standard errors of "
        "calibrated totals are overstated."
    ),
    "method.calibration_too_large": N_(
        "Calibration: the survey is too large for every replicate to be re-calibrated in memory, so the replicates "
        "are not re-calibrated; standard errors of calibrated totals are overstated."
    ),
    "method.calibration_linearization": N_(
        "Calibration: Taylor linearisation here ignores the calibration of the weights; standard errors of "
        "calibrated totals are overstated (use bootstrap replicates, which are re-calibrated)."
    ),
    "method.lonely_psu": N_("{count} strata with a single primary sampling unit were {treatment}."),
    "method.lonely_psu.pool": N_("pooled into one pseudo-stratum"),
    "method.lonely_psu.certainty": N_("treated as certainty units (no variance)"),
    "method.indicators": N_("Formulas of every indicator: docs/indicators.md; the engine: docs/engine.md."),
    # ----- provenance fields -----
    "provenance.note": N_("Everything that determines these figures; summary.json holds the same record."),
    # ----- the simulated year: population and cost denominators (floorsim run, issue 19) -----
    "indicator.total_cost_share_gdp": N_("All cash transfers: cost, share of GDP"),
    "indicator.total_cost_share_expenditure": N_("All cash transfers: cost, share of government expenditure"),
    "unit.share_gdp": N_("% of GDP"),
    "unit.share_expenditure": N_("% of government expenditure"),
    "text.population": N_("Population {year}: {persons} persons ({source})."),
    "text.denominator": N_("{name} {year}: {currency} {value} million ({source})."),
    "text.denominator_missing": N_("Not shown: {note}."),
    "denominator.gdp": N_("GDP"),
    "denominator.government_expenditure": N_("General government expenditure"),
}
ENGLISH.update(FILE_LABELS)  # the comparison, curves, Stata labels, run messages and recorded facts


class LabelError(KeyError):
    """A label key that no language defines (a programming error, not a user error)."""


class LanguageError(FloorsimError, ValueError):
    """A language without a catalogue: the message names the languages available."""


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``language`` (``locales/<language>/LC_MESSAGES/floorsim.mo``); English, the
    language of the message ids, needs none, and a language without a catalogue shows English (``get_labels``
    refuses it first where a user chose it)."""
    if language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALES, languages=[language], fallback=True)


@dataclass(frozen=True)
class Labels:
    """The labels of one language, falling back to English text by text."""

    language: str = DEFAULT_LANGUAGE

    def __getitem__(self, key: str) -> str:
        if key not in ENGLISH:
            raise LabelError(f"no label '{key}' in floorsim/simulations/reports/labels.py")
        return self.gettext(ENGLISH[key])

    def text(self, key: str, **values: object) -> str:
        """The label with its ``{placeholders}`` filled."""
        return self[key].format(**values)

    def gettext(self, message: str) -> str:
        """The translation of the English ``message`` (marked for extraction by this very call), or ``message``
        itself where the catalogue has none yet."""
        return translations(self.language).gettext(message)

    def fact(self, record: dict) -> str:
        """A fact the run recorded as data, ``{"fact": key, **values}`` (``floorsim.simulations.projections.simulated_year``),
        as a sentence in this language: values that are facts are written the same way, floats in the language's
        CLDR conventions (up to 6 decimals), other values as they are; a recorded text (older records) is read by
        :meth:`recorded`."""
        if isinstance(record, str):
            return self.recorded(record)
        values = {name: self.fact(value) if isinstance(value, (str, dict)) else
                  format_decimal(value, "#,##0.######", locale=self.locale) if isinstance(value, float) else value
                  for name, value in record.items() if name != "fact"}
        return self.text(record["fact"], **values)

    def recorded(self, text: str) -> str:
        """A sentence a lower layer recorded in English from a ``fact.*`` template of this table (the engine's
        price notes, a survey's calibration margins) in this language: the template it matches, its values
        kept; a text matching no template is returned as it is (data: a file name, a citation)."""
        if self.language == DEFAULT_LANGUAGE:
            return text
        for key, pattern in _fact_patterns():
            found = pattern.fullmatch(text)
            if found:
                return self.text(key, **{name: self.recorded(value) for name, value in found.groupdict().items()})
        if "; " in text:  # a list (a survey's calibration margins): item by item
            return "; ".join(self.recorded(item) for item in text.split("; "))
        return text

    @property
    def locale(self) -> str:
        """The CLDR locale of the language's numbers and dates (:data:`NUMBER_LOCALES`)."""
        return NUMBER_LOCALES.get(self.language, NUMBER_LOCALES[DEFAULT_LANGUAGE])


@cache
def _fact_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    """Each ``fact.*`` template as a regular expression whose named groups are its ``{placeholders}``."""
    patterns = []
    for key, template in ENGLISH.items():
        if key.startswith("fact."):
            parts = re.split(r"\{([a-z_]+)\}", template)
            regex, seen = "", set()
            for index, part in enumerate(parts):
                if index % 2 == 0:
                    regex += re.escape(part)
                else:  # a placeholder: a named group, or a back-reference where it appears again
                    regex += f"(?P={part})" if part in seen else f"(?P<{part}>.+?)"
                    seen.add(part)
            patterns.append((key, re.compile(regex, re.DOTALL)))
    return tuple(patterns)


def available_languages() -> list[str]:
    """Languages with a catalogue (and English, the language of the message ids): complete ones first."""
    found = {path.parent.parent.name for path in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")}
    return [language for language in (*COMPLETE_LANGUAGES, *STARTED_LANGUAGES)
            if language == DEFAULT_LANGUAGE or language in found]


def get_labels(language: str = DEFAULT_LANGUAGE) -> Labels:
    """The labels of ``language``; a :class:`LanguageError` naming the available ones if it has no catalogue."""
    if language not in available_languages():
        raise LanguageError(f"no labels for language '{language}'; available: {', '.join(available_languages())}")
    return Labels(language)


def missing_keys(language: str) -> list[str]:
    """Keys of the English table that ``language`` does not translate yet."""
    table = translations(language)
    return [key for key, message in ENGLISH.items()
            if language != DEFAULT_LANGUAGE and table.gettext(message) == message]
