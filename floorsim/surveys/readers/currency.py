"""Converting a survey's money into another currency, explicitly and on the record.

A survey's money columns (``consumption``, ``income`` and every ``income_<component>``, in both tables) are
amounts per month in ``metadata.currency``. Converting them at a rate r (units of the new currency per unit of the
old one) multiplies each by r; a calibration total on a money column is multiplied by r too, so that the weights
still satisfy it. The conversion is recorded in ``metadata.extra["currency_conversion"]`` (from, to, rate, source)
and so reaches the provenance of every run on the survey. A survey is converted once: a second conversion is an
error (convert from the original currency in one step).
"""

from __future__ import annotations

import copy
import dataclasses

from floorsim.surveys.errors import SurveyError
from floorsim.surveys.model import Survey, is_money_column

CONVERSION_KEY = "currency_conversion"


def convert_currency(survey: Survey, currency: str, rate: float, source: str) -> Survey:
    """``survey`` with every money value × ``rate``, expressed in ``currency`` (ISO 4217).

    Args:
        currency: the currency money is converted into, e.g. ``"USD"``.
        rate: units of ``currency`` per unit of the survey's currency (> 0, finite).
        source: where the rate comes from, in words (e.g. ``"--convert 0.000043 (command line)"``).

    Raises:
        SurveyError: a rate that is not a positive finite number, or a survey already converted.
    """
    if not (rate > 0 and rate != float("inf")):
        raise SurveyError(f"a conversion rate must be a positive number, got {rate}", source=survey.origin,
                          field="conversion.rate")
    metadata = survey.metadata
    if CONVERSION_KEY in metadata.extra:
        done = metadata.extra[CONVERSION_KEY]
        raise SurveyError(f"the survey's money was already converted from {done['from']} to {done['to']}; convert"
                          " from the original currency in one step", source=survey.origin, field="currency")
    tables = {}
    for name, table in (("households", survey.households), ("persons", survey.persons)):
        table = table.copy()
        for column in table.columns:
            if is_money_column(str(column)):
                table[column] = table[column].to_numpy("float64") * float(rate)
        tables[name] = table
    extra = {**metadata.extra, CONVERSION_KEY: {"from": metadata.currency, "to": currency, "rate": float(rate),
                                                 "source": source}}
    new_metadata = dataclasses.replace(metadata, currency=currency, extra=extra,
                                       calibration=_converted_calibration(metadata.calibration, rate))
    return Survey(tables["households"], tables["persons"], new_metadata, origin=survey.origin)


def _converted_calibration(calibration: dict | None, rate: float) -> dict | None:
    """The recorded calibration with totals of money columns × ``rate`` (counts are unchanged)."""
    if not calibration:
        return calibration
    converted = copy.deepcopy(calibration)
    for margin in converted.get("margins", []):
        if "target" in margin and is_money_column(str(margin.get("column", ""))):
            margin["target"] = float(margin["target"]) * rate
    return converted
