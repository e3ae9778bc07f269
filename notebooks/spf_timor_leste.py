# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # A social protection floor for Timor-Leste: cost and poverty impact on microdata (ABND-style exercise)
#
# An Assessment-Based National Dialogue costs options for a social protection floor — child and orphan
# allowances, maternity benefits, benefits for persons with severe disabilities, universal old-age pensions — and
# asks what each costs (as a share of GDP) and what it does to poverty. The ILO Social Protection Floors Calculator
# answers the first question with aggregates; here the floor is simulated household by household with floorsim, so
# the poverty and inequality effects come with the costs.
#
# **Data.** The bundled survey is SYNTHETIC (generated to match published Timor-Leste margins): the figures below
# illustrate the method and must not be quoted as statistics about Timor-Leste.
#
# **Levels.** Only the maternity benefit's ILO level (100 % of the national poverty line for four months) could be
# sourced; the other levels are *illustrative choices* of this notebook (the file
# `country_packages/social_protection_floor/examples/spf_variant.yaml`), not ILO defaults — see
# `docs/social_protection_floor.md`.
#
# This file is a notebook in the "percent" format (open it with Jupyter + jupytext, VS Code or Spyder, or run it
# as a script); the test suite runs it (`tests/spf/test_notebook.py`) so that it never rots.

# %%
import os
from pathlib import Path

import pandas as pd

from country_packages.social_protection_floor import EXAMPLES_DIR
from simulations.design.spf_hosts import DOTTED_PATH
from simulations.design.spf_scenarios import only
from simulations.engine.scenarios import make_scenario, scenario_system
from simulations.design.solve import parse_target, solve
from simulations.design.spf_calculator import COMPONENTS, FloorLevels, aggregate_cost
from simulations.design.variants import GDPSetting, compare, load_grid, make_simulation, run_grid
from surveys.bundled import load_bundled_survey

OUT = Path(os.environ.get("FLOORSIM_NOTEBOOK_OUT", "notebook-output"))
JOBS = int(os.environ.get("FLOORSIM_NOTEBOOK_JOBS", "-1"))
YEAR = 2025
START = f"{YEAR}-01-01"
OUT.mkdir(parents=True, exist_ok=True)
pd.set_option("display.width", 160)
pd.set_option("display.max_columns", 20)

survey = load_bundled_survey()
simulation = make_simulation("timor_leste", survey, YEAR, jobs=JOBS)
LEVELS = str(EXAMPLES_DIR / "spf_variant.yaml")
GDP_SETTING = GDPSetting(parameter="country.gdp.non_oil")  # fiscal ratios of Timor-Leste use non-oil GDP
print(f"{len(survey.households):,} households, {len(survey.persons):,} persons (synthetic survey)")

# %% [markdown]
# ## 1. The floor's components, one at a time and together
#
# Each component is a scenario: the floor with the illustrative levels, all other components switched off. All
# scenarios run in one pass over the survey, against the same baseline (current law).

# %%
scenarios = {component: [DOTTED_PATH, LEVELS, only(component, START)] for component in COMPONENTS}
scenarios["whole floor"] = [DOTTED_PATH, LEVELS]
table, results, gdp = compare(simulation, scenarios, gdp_setting=GDP_SETTING)
print(f"Poverty line {YEAR}: USD {results.poverty_line:.2f} per person per month; "
      f"baseline headcount {results.headline('baseline')['poverty_headcount']:.1%}; "
      f"GDP USD {gdp.value / 1e6:,.0f} million ({gdp.note or gdp.date})")
components = pd.DataFrame({
    "cost (USD m)": table["total_cost"] / 1e6,
    "cost (% of GDP)": table["cost_pct_gdp"],
    "persons in gaining households": table["beneficiaries"],
    "poverty headcount change (pp)": 100 * table["poverty_headcount_change"],
    "poverty gap change (pp)": 100 * table["poverty_gap_change"],
    "Gini change (points)": 100 * table["gini_change"],
}).set_axis(table["variant"]).round(3)
components.to_csv(OUT / "components.csv")
print(components)

# %% [markdown]
# Orphans cost nothing: the survey does not record orphanhood, so nobody is an orphan (see the documentation on
# the floor's inputs). Benefits cumulate, so the whole floor costs the sum of its components.

# %% [markdown]
# ## 2. The same costs with the calculator's aggregate formula
#
# Eligible population × benefit × months, computed from the survey's ages, sexes and disability severities without
# OpenFisca (`simulations/design/spf_calculator.py`): with full take-up and no means test it must equal the
# microsimulated cost.

# %%
system = scenario_system("timor_leste", make_scenario("levels", [DOTTED_PATH, LEVELS]).steps)
floor_levels = FloorLevels.from_parameters(system.get_parameters_at_instant, f"{YEAR}-12-31")
calculator = aggregate_cost(survey, floor_levels, results.poverty_line)
check = calculator.table.assign(microsimulated=table.set_index("variant").loc[list(COMPONENTS), "cost"])
check["difference (%)"] = 100 * (check["microsimulated"] / check["annual_cost"].where(check["annual_cost"] > 0) - 1)
print(check.round(4))

# %% [markdown]
# ## 3. The universal child benefit that costs 1 % of GDP
#
# The child benefit alone (maternity switched off), for children aged 0–14: the share of the poverty line at which
# it costs 1 % of non-oil GDP, by bracketing and bisection (several values per engine run).

# %%
child_alone = [DOTTED_PATH, LEVELS, only("child", START)]
solution = solve(simulation, "social_protection_floor.child.share", 0, 1, parse_target("cost-share-of-gdp=0.01"),
                 base=child_alone, gdp=GDP_SETTING)
amount = solution.value * results.poverty_line
print(f"Child benefit costing 1% of GDP: {solution.value:.4f} of the poverty line = USD {amount:.2f} per child "
      f"per month (cost {100 * solution.metric_value:.4f}% of GDP; bracket ±{solution.tolerance:.1e}; "
      f"{solution.iterations} engine runs, {len(solution.evaluations)} values evaluated)")

# %% [markdown]
# ## 4. A grid of child benefit designs and the cost–poverty frontier
#
# Three levels × two age ranges, run together; the chart marks the designs no other design beats on both cost and
# poverty reduction.

# %%
grid = load_grid(EXAMPLES_DIR / "child_benefit_grid.yaml")
grid_run = run_grid(grid, survey=survey, jobs=JOBS)
written = grid_run.write(OUT / "child_benefit_grid")
print(grid_run.table[["variant", "label", "total_cost", "cost_pct_gdp", "poverty_reduction_pp", "efficient"]].round(3))
print("Chart:", written["png"])
