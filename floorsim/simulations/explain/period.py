"""The period of a single-household run (a month, or a year for annual sums) and the periods its variables are
read at."""

from __future__ import annotations

import datetime

from openfisca_core import periods
from openfisca_core.periods import DateUnit, Period
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from floorsim.simulations.engine.parameters import latest_value_date
from floorsim.simulations.explain.household_file import HouseholdError


def default_period(system: TaxBenefitSystem, today: datetime.date | None = None) -> Period:
    """The current month, in the latest year for which the package has legislation (dated parameter values)."""
    today = today or datetime.date.today()
    latest = latest_value_date(system.parameters)
    year = min(today.year, latest.year) if latest else today.year
    return periods.period(f"{year}-{today.month:02d}")


def parse_period(value: object, system: TaxBenefitSystem, today: datetime.date | None = None) -> Period:
    """A month (``2025-03``; a date means its month) or a year (``2025``); ``None``: :func:`default_period`."""
    if value is None or value == "":
        return default_period(system, today)
    try:
        period = periods.period(str(value).strip())
    except Exception:  # OpenFisca raises PeriodError, its date parser ParserError
        period = None
    if period is None or period.unit not in (DateUnit.DAY, DateUnit.MONTH, DateUnit.YEAR) or period.size != 1:
        raise HouseholdError(f"invalid period '{value}': give a month (2025-03) or a year (2025)")
    if period.unit == DateUnit.DAY:
        period = period.first_month
    return period


def months_of(period: Period) -> list[Period]:
    """The months of a year, or the month itself."""
    return list(period.get_subperiods(DateUnit.MONTH)) if period.unit == DateUnit.YEAR else [period]

def condition_period(system: TaxBenefitSystem, name: str, point: Period) -> Period | str:
    """The period variable ``name`` is read at for the evaluation point ``point``: its year for yearly variables,
    the (first) month for monthly ones, ``point`` itself for eternal ones."""
    unit = system.get_variable(name, check_existence=True).definition_period
    if unit == DateUnit.ETERNITY:
        return point
    if unit == DateUnit.YEAR:
        return point.this_year
    return point if point.unit == DateUnit.MONTH else point.first_month
