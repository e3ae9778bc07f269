"""Converting a survey's money into another currency, explicitly and on the record.

A survey's money columns (``consumption``, ``income`` and every ``income_<component>``, in both tables) are
amounts per month in ``metadata.currency``. Converting them at a rate r (units of the new currency per unit of the
old one) multiplies each by r; a calibration total on a money column is multiplied by r too, so that the weights
still satisfy it. The conversion is recorded in ``metadata.extra["currency_conversion"]`` (from, to, rate, source)
and so reaches the provenance of every run on the survey. A survey is converted once: a second conversion is an
error (convert from the original currency in one step).

A :class:`~floorsim.surveys.streamed.StreamedSurvey` is converted the same way without reading its persons: its
``money_factor`` (applied to every row group when it is read) is multiplied by r, and its metadata changes exactly as
an in-memory survey's.
"""

from __future__ import annotations

import copy
import dataclasses

from typing import TypeVar

from floorsim.surveys.errors import SurveyError
from floorsim.surveys.model import Survey, SurveyMetadata, is_money_column
from floorsim.surveys.money import scaled_money
from floorsim.surveys.streamed import StreamedSurvey

AnySurvey = TypeVar("AnySurvey", Survey, StreamedSurvey)

CONVERSION_KEY = "currency_conversion"


def convert_currency(survey: AnySurvey, currency: str, rate: float, source: str) -> AnySurvey:
    """``survey`` with every money value × ``rate``, expressed in ``currency`` (ISO 4217).

    Args:
        currency: the currency money is converted into, e.g. ``"USD"``.
        rate: units of ``currency`` per unit of the survey's currency (> 0, finite).
        source: where the rate comes from, in words (e.g. ``"--convert 0.000043 (command line)"``).

    Raises:
        SurveyError: a rate that is not a positive finite number, or a survey already converted.

    A :class:`~floorsim.surveys.streamed.StreamedSurvey` comes back as one, with ``money_factor`` × ``rate``.
    """
    if not (rate > 0 and rate != float("inf")):
        raise SurveyError(f"a conversion rate must be a positive number, got {rate}", source=survey.origin,
                          field="conversion.rate")
    new_metadata = converted_metadata(survey.metadata, currency, rate, source, survey.origin)
    if isinstance(survey, StreamedSurvey):
        return survey.replaced(metadata=new_metadata, money_factor=survey.money_factor * float(rate))
    return Survey(scaled_money(survey.households, rate), scaled_money(survey.persons, rate), new_metadata,
                  origin=survey.origin)


def converted_metadata(metadata: SurveyMetadata, currency: str, rate: float, source: str, origin: str) -> SurveyMetadata:
    """The metadata of a survey converted at ``rate`` into ``currency``: the currency, the conversion recorded in
    ``extra["currency_conversion"]`` and money totals of the recorded calibration × ``rate``.

    Raises:
        SurveyError: the survey was already converted.
    """
    if CONVERSION_KEY in metadata.extra:
        done = metadata.extra[CONVERSION_KEY]
        raise SurveyError(f"the survey's money was already converted from {done['from']} to {done['to']}; convert"
                          " from the original currency in one step", source=origin, field="currency")
    extra = {**metadata.extra, CONVERSION_KEY: {"from": metadata.currency, "to": currency, "rate": float(rate),
                                                 "source": source}}
    return dataclasses.replace(metadata, currency=currency, extra=extra,
                               calibration=_converted_calibration(metadata.calibration, rate))


def _converted_calibration(calibration: dict | None, rate: float) -> dict | None:
    """The recorded calibration with totals of money columns × ``rate`` (counts are unchanged)."""
    if not calibration:
        return calibration
    converted = copy.deepcopy(calibration)
    for margin in converted.get("margins", []):
        if "target" in margin and is_money_column(str(margin.get("column", ""))):
            margin["target"] = float(margin["target"]) * rate
    return converted
