# %% [markdown]
# # Two Timor-Leste reform options projected to 2035
#
# What does raising the social pension (ex-SAII) to USD 80 a month cost over the next ten years, compared with a
# universal child grant of USD 20 a month for children under 6, and what does each do to poverty? This script
# answers it the way an ABND costing does (cost in % of GDP and of government expenditure, year by year), but from
# the microdata, so that poverty and inequality come with the cost.
#
# Run it from the repository root: `python notebooks/projection_timor_leste_2035.py [OUT_DIR]`. It is a script with
# `# %%` cells (it opens as a notebook in VS Code or Jupytext) rather than a `.ipynb`, because nbformat and nbclient
# are not dependencies of floorsim; `tests/projections/test_notebook_projection.py` runs it.
#
# **The survey is synthetic** (`docs/synthetic_survey.md`): the figures illustrate the method, they are not
# statistics about Timor-Leste. The assumptions (population, growth, inflation, expenditure, indexation) and their
# sources are in `country_packages/timor_leste/projections/assumptions_2025_2035.yaml`.

# %%
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from simulations.projections import load_assumptions, project, write_outputs

REPOSITORY = Path(__file__).resolve().parent.parent
ASSUMPTIONS = REPOSITORY / "country_packages" / "timor_leste" / "projections" / "assumptions_2025_2035.yaml"
REFORMS = REPOSITORY / "country_packages" / "timor_leste" / "reforms"
OPTIONS = {
    "saii_increase": REFORMS / "saii_increase.yaml",  # social pension base amount USD 60 -> 80 from 2025
    "universal_child_grant": REFORMS / "universal_child_grant.yaml",  # USD 20 a month, children 0-5, from 2025
}


def main(out: Path) -> object:
    # %% [markdown]
    # ## The assumptions
    # Population by age group from UN WPP 2022; growth and inflation from the IMF's Article IV press releases up to
    # 2026, then labelled assumptions; benefit amounts keep their real value (indexed to prices) after the year the
    # law or the reform sets them.

    # %%
    assumptions = load_assumptions(ASSUMPTIONS)
    print(f"{assumptions.label}\n")

    # %% [markdown]
    # ## Project: every year, reweight the survey, index the parameters, run baseline and both options

    # %%
    result = project(assumptions, OPTIONS)
    pd.set_option("display.width", 120)
    macro = result.macro.set_index("year")
    print("Assumptions by year (GDP and expenditure in USD million):")
    print(pd.DataFrame({
        "population": macro["population"],
        "inflation %": 100 * macro["inflation"],
        "GDP": macro["gdp"] / 1e6,
        "expenditure": macro["government_expenditure"] / 1e6,
        "status of inflation": macro["inflation_status"],
    }).round(2).to_string())

    # %% [markdown]
    # ## Cost paths
    # Additional cost of each option over the baseline (all transfers), in % of GDP and of government expenditure.

    # %%
    extra_gdp = result.pivot("additional_cost_pct_gdp").drop(columns="baseline")
    extra_spending = result.pivot("additional_cost_pct_expenditure").drop(columns="baseline")
    extra_usd = result.pivot("additional_cost").drop(columns="baseline") / 1e6
    print("\nAdditional cost, % of GDP:")
    print(extra_gdp.round(2).to_string())
    print("\nAdditional cost, % of government expenditure:")
    print(extra_spending.round(2).to_string())
    print("\nAdditional cost, USD million:")
    print(extra_usd.round(1).to_string())

    # %% [markdown]
    # ## Impact: poverty headcount and Gini, consistent with the cost in every year

    # %%
    print("\nPoverty headcount (% of persons, national line moved with the CPI):")
    print((100 * result.pivot("poverty_headcount")).round(1).to_string())
    print("\nGini of consumption per capita:")
    print(result.pivot("gini").round(3).to_string())
    cost_2035 = result.pivot("additional_cost").loc[2035]
    poor_2035 = result.pivot("poor_persons").loc[2035]
    for option in OPTIONS:
        lifted = poor_2035["baseline"] - poor_2035[option]
        print(f"2035, {option}: {lifted:,.0f} fewer poor persons, USD {cost_2035[option] / max(lifted, 1):,.0f} "
              "a year per person lifted out of poverty")

    # %% [markdown]
    # ## Cross-check with the aggregate (RAP) method
    # For the old-age social pension, projected population 60+ x indexed amount x 12 must equal the
    # microsimulation; the child grant is not expected to match exactly (age limit 6 inside the 5-9 group).

    # %%
    checks = result.cross_checks
    print("\nCross-checks (microsimulated / aggregate - 1):")
    print(checks.pivot_table(index="year", columns=["programme", "scenario"], values="relative_difference")
          .map(lambda v: f"{v:+.1e}").to_string())

    # %% [markdown]
    # ## Files: tidy table (CSV, Parquet), Excel workbook, chart of cost paths (PNG, SVG)

    # %%
    written = write_outputs(result, out)
    print(f"\nWrote {len(written)} files to {out}")
    return result


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("floorsim-projection-2035"))
