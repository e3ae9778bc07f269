"""The labels of the files a run hands on and of its command-line messages: the combined comparison of several
options, the Lorenz and concentration curves, the Stata variable labels of the table files, the units of raw
numbers, the lines ``floorsim run`` prints, and the facts the run records (population, GDP, prices) as sentences.

Part of :data:`floorsim.simulations.reports.labels.ENGLISH` (merged there; kept here so that neither module grows past a
screenful of its own job): the English texts are the gettext message ids, marked ``N_("...")`` for extraction.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark ``message`` for extraction into the catalogues without translating it here (gettext's ``N_``)."""
    return message


FILE_LABELS: dict[str, str] = {
    # ----- the combined comparison of several options (floorsim run --reform a --reform b) -----
    "comparison.title": N_("{country} {year}: reform options compared with current law"),
    "comparison.sheet": N_("Options compared"),
    "comparison.note": N_(
        "Each option is compared with current law (baseline) on the same survey and year; the change is option "
        "minus baseline, with its 95% confidence interval (paired: both scenarios on the same replicates). Changes "
        "of figures in % are in percentage points; money in {currency} million per year."
    ),
    "comparison.baseline": N_("Current law (baseline)"),
    "comparison.change_of": N_("{option}: change"),
    "comparison.ci_low_of": N_("{option}: 95% CI low"),
    "comparison.ci_high_of": N_("{option}: 95% CI high"),
    "comparison.points": N_("change in percentage points"),
    "comparison.synthetic": N_(
        "The survey is synthetic: these figures illustrate, they are not statistics about the country."
    ),
    # ----- Lorenz and concentration curves -----
    "chart.lorenz.title": N_("Lorenz curve of welfare per capita"),
    "chart.lorenz.x": N_("Cumulative share of persons, poorest first (%)"),
    "chart.lorenz.y": N_("Cumulative share of welfare (%)"),
    "chart.lorenz.equality": N_("Equality"),
    "chart.concentration.title": N_("Concentration of benefits by rank in baseline welfare"),
    "chart.concentration.y": N_("Cumulative share of the programme's spending (%)"),
    "chart.concentration.x": N_("Cumulative share of persons, ranked by baseline welfare, poorest first (%)"),
    "sheet.curves": N_("Lorenz and concentration"),
    "title.curves": N_(
        "Lorenz curves of welfare and concentration curves of benefits (population shares and cumulative shares, %)"
    ),
    "col.population_share_cumulative": N_("Cumulative share of persons (%)"),
    "text.curves_note": N_(
        "Lorenz: persons ranked by the scenario's welfare per capita. Concentration: persons ranked by baseline "
        "welfare per capita; a curve above the diagonal reaches the poorest more than proportionally."
    ),
    # ----- what the raw numbers of a table row are (the value_unit column) -----
    "value_unit.rate": N_("fraction (x100: {unit}; a change x100: percentage points)"),
    # ----- Stata variable labels of the table files (at most 80 characters) -----
    "dta.indicator": N_("Indicator (key)"),
    "dta.label": N_("Indicator"),
    "dta.unit": N_("Unit of the values"),
    "dta.value_unit": N_("Unit of the raw numbers"),
    "dta.kind": N_("Kind of figure (money, count, rate, index, ratio)"),
    "dta.side": N_("Baseline, reform, or change (reform minus baseline)"),
    "dta.scenario": N_("Scenario"),
    "dta.measure": N_("Level or change"),
    "dta.estimate": N_("Point estimate"),
    "dta.se": N_("Standard error"),
    "dta.ci_low": N_("95% confidence interval: lower bound"),
    "dta.ci_high": N_("95% confidence interval: upper bound"),
    "dta.level": N_("Confidence level of the interval"),
    "dta.method": N_("Variance estimation method"),
    "dta.replicates": N_("Number of replicate weights (0: linearisation)"),
    "dta.programme": N_("Programme (key)"),
    "dta.programme_label": N_("Programme"),
    "dta.cost": N_("Cost (currency per year)"),
    "dta.beneficiaries": N_("Beneficiaries (persons or households)"),
    "dta.beneficiary_households": N_("Beneficiary households"),
    "dta.cost_per_beneficiary": N_("Cost per beneficiary (currency per year)"),
    "dta.cost_per_beneficiary_household": N_("Cost per beneficiary household (currency per year)"),
    "dta.decile": N_("Decile of baseline welfare per capita (all: everybody)"),
    "dta.persons": N_("Persons (weighted)"),
    "dta.population_share": N_("Share of the population (fraction)"),
    "dta.share": N_("Share of the total (fraction)"),
    "dta.curve": N_("Lorenz curve of welfare, or concentration curve of a programme's benefits"),
    "dta.group_variable": N_("Population group variable"),
    "dta.group": N_("Population group (key)"),
    "dta.group_label": N_("Population group"),
    "dta.option": N_("Reform option"),
    "dta.option_label": N_("Reform option (label)"),
    "dta.mean_welfare_baseline": N_("Mean welfare per capita, baseline (currency per month)"),
    "dta.mean_welfare": N_("Mean welfare per capita (currency per month)"),
    "dta.mean_gain": N_("Mean gain per person (currency per month)"),
    "dta.relative_gain": N_("Gain relative to baseline welfare (fraction)"),
    "dta.gain_share": N_("Share of all gains (fraction)"),
    "dta.spending": N_("Spending received (currency per year)"),
    "dta.spending_share": N_("Share of spending received (fraction)"),
    "dta.winners": N_("Winners (fraction of persons)"),
    "dta.losers": N_("Losers (fraction of persons)"),
    "dta.unchanged": N_("Unchanged (fraction of persons)"),
    "dta.population": N_("Persons in the group (weighted)"),
    "dta.covered": N_("Persons covered (weighted)"),
    "dta.coverage": N_("Coverage (fraction of the group)"),
    "dta.target_population": N_("Poor persons (target group, weighted)"),
    "dta.target_beneficiaries": N_("Poor persons covered (weighted)"),
    "dta.inclusion_error": N_("Inclusion error (fraction of beneficiaries not poor)"),
    "dta.exclusion_error": N_("Exclusion error (fraction of the poor not covered)"),
    "dta.leakage": N_("Leakage (fraction of spending to the non-poor)"),
    "dta.reform_step": N_("Reform"),
    "dta.parameter": N_("Parameter (path)"),
    "dta.description": N_("Description"),
    "dta.old_value": N_("Old value"),
    "dta.new_value": N_("New value"),
    "dta.start": N_("From"),
    "dta.stop": N_("Until"),
    "dta.reference": N_("Reference of the old value"),
    "dta.reference_url": N_("Address of the reference"),
    "dta.of_se": N_("{variable}: standard error"),
    "dta.of_ci_low": N_("{variable}: 95% CI lower bound"),
    "dta.of_ci_high": N_("{variable}: 95% CI upper bound"),
    # ----- what floorsim run prints -----
    "cli.options_compared": N_("{country} {year}: options compared with current law"),
    "cli.wrote": N_("Wrote into {out}: {files}"),
    "cli.folder_files": N_("{folder} ({count} files)"),
    "cli.unknown_members": N_(
        "{persons} persons of the survey ({weighted} weighted, {share}) have unknown age and sex (members implied "
        "by household size; placeholder age {age}, counted in no age or sex group)."
    ),
    "cli.not_observed": N_("Not observed for anybody (taken as none): {variables}."),
    "cli.unknown_paid": N_("Person benefits paid to them ({scenario}, per year): {amounts}."),
    # ----- facts the run records (floorsim.simulations.projections.simulated_year), as sentences -----
    "fact.population_projection": N_("survey weights calibrated ({method}) to {file}: {citation}"),
    "fact.population_survey": N_("the survey's own weights ({reason})"),
    "fact.population_year_survey": N_("--population-year survey"),
    "fact.no_projection": N_("the country has no population projection: the survey's own weights are used"),
    "fact.projection_missing_year": N_(
        "{file}: no population for {year} (the file has {first}-{last}): the survey's own weights are used"
    ),
    "fact.not_reweighted": N_(
        "the survey could not be reweighted to the {year} population ({error}): its own weights are used"
    ),
    "fact.gdp_path": N_("{parameter} ({base}) of the country package"),
    "fact.gdp_grown": N_("{parameter} ({base}) of the country package, grown by the nominal GDP growth of {file} to "
                         "{year}"),
    "fact.gdp_package": N_("{parameter} ({year}) of the country package"),
    "fact.expenditure": N_("government_expenditure_share_of_gdp of {file} ({share}) × GDP"),
    "fact.no_assumptions": N_(
        "no GDP or government expenditure for {year}: country '{country}' has no projection assumptions "
        "(projections/*.yaml in its package)"
    ),
    "fact.no_gdp": N_(
        "no GDP for {year}: {parameter} has no value dated {year} and the GDP path of {file} covers {first}-{last}"
    ),
    "fact.no_expenditure": N_(
        "no government expenditure for {year}: government_expenditure_share_of_gdp of {file} covers {first}-{last}"
    ),
    # ----- price notes the engine records (floorsim.simulations.engine.prices), read back by their English template -----
    "fact.prices_held": N_("prices held at their {level} level for {first}-{last}: no published inflation rate"),
    "fact.prices_chained": N_("price level of {year} chained from the {base} CPI with annual inflation rates"),
    # ----- what the raw numbers of summary.json are (its "units") -----
    "units.cost": N_("{currency} per year"),
    "units.beneficiaries": N_("persons (person programmes) or households (household programmes)"),
    "units.poverty_headcount": N_("fraction of persons with welfare per capita below the poverty line ({line})"),
    "units.poor_persons": N_("persons with welfare per capita below the poverty line ({line})"),
    "units.poverty_gap": N_("{gap}: FGT(1), fraction of the line"),
    "units.gini": N_("Gini coefficient of welfare per capita, person-weighted (0-1)"),
    "units.total_cost_share_gdp": N_("fraction of the GDP of the simulated year (cost_denominators.gdp)"),
    "units.total_cost_share_expenditure": N_(
        "fraction of the general government expenditure of the simulated year (cost_denominators.government_expenditure)"
    ),
    # ----- welfare concepts of a survey (floorsim.surveys.model.WELFARE_CONCEPTS) -----
    "welfare.consumption": N_("consumption"),
    "welfare.income": N_("income"),
    # ----- calibration margins a survey records ("raking to households; persons by age; ..."), read back -----
    "fact.margins_raking": N_("raking to {margins}"),
    "fact.margins_linear": N_("linear to {margins}"),
    "fact.margins_logit": N_("logit to {margins}"),
    "fact.margin_households": N_("households"),
    "fact.margin_age": N_("persons by age"),
    "fact.margin_sex": N_("persons by sex"),
    "fact.margin_sex_age": N_("persons by sex and age"),
    "fact.margin_stratum": N_("persons by stratum"),
    "fact.margin_age_group": N_("persons by age group ({file})"),
    "fact.margin_age_group_sex": N_("persons by age group and sex ({file})"),
}
