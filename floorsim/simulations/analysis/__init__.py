"""Reform analysis tables from microsimulation output: distribution, cost, coverage, adequacy, incidence,
targeting, efficiency, marginal contributions — by group, and with design-based uncertainty.

Every table takes a *person frame* (one row per person: ``weight``, ``household_id``, optional ``stratum`` /
``psu``, ``welfare_<scenario>`` monthly per person, ``amount_<programme>_<scenario>`` annual per person, and
grouping columns; see ``frame.py``) and returns a tidy DataFrame. Nothing here knows OpenFisca or survey files.
Definitions and references: ``docs/indicators.md``.
"""

from __future__ import annotations

from .cost import cost_table
from .coverage import Contingency, adequacy_table, coverage_table, receives, sdg_contingencies
from .distribution import distribution_table, gain_status
from .efficiency import benefit_cost_table, poverty_gap_money
from .errors import AnalysisError
from .headline import (
    FIGURES,
    Figure,
    figure_kind,
    figure_label,
    headline_statistics,
    point_figures,
    poverty_line_label,
    programme_figures,
)
from .frame import (
    amount_column,
    attribute_household_amounts,
    build_person_frame,
    design_from_frame,
    programmes_in,
    scenarios_in,
    welfare_column,
)
from .groups import by_group, difference_from_baseline, welfare_groups
from .incidence import incidence_table
from .marginal import marginal_contributions, marginal_contributions_from_frame, poverty_and_inequality
from .targeting import targeting_table
from .uncertainty import (
    by_group_estimates,
    distribution_estimates,
    frame_replicates,
    frame_statistics,
    headline_estimates,
    relative_line_statistics,
    scenario_estimates,
)

__all__ = [
    "FIGURES",
    "AnalysisError",
    "Contingency",
    "Figure",
    "adequacy_table",
    "amount_column",
    "attribute_household_amounts",
    "benefit_cost_table",
    "build_person_frame",
    "by_group",
    "by_group_estimates",
    "cost_table",
    "coverage_table",
    "design_from_frame",
    "difference_from_baseline",
    "distribution_estimates",
    "distribution_table",
    "frame_replicates",
    "figure_kind",
    "figure_label",
    "frame_statistics",
    "gain_status",
    "headline_estimates",
    "headline_statistics",
    "incidence_table",
    "marginal_contributions",
    "marginal_contributions_from_frame",
    "poverty_and_inequality",
    "point_figures",
    "poverty_gap_money",
    "poverty_line_label",
    "programme_figures",
    "programmes_in",
    "receives",
    "relative_line_statistics",
    "scenario_estimates",
    "scenarios_in",
    "sdg_contingencies",
    "targeting_table",
    "welfare_column",
    "welfare_groups",
]
