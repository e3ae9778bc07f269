"""What a chunk sends back per household for its person variables: their household sums, recipients (persons
with an amount > 0), the members receiving any person programme, and, for a streamed survey with members of unknown
age and sex, what reaches them (``floorsim.simulations.engine.results`` names the keys)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from floorsim.simulations.engine.countries import load_country
from floorsim.simulations.engine.results import HOUSEHOLD_SUM, RECIPIENTS, RECIPIENTS_ANY, UNKNOWN_MEMBERS, UNKNOWN_SUM

if TYPE_CHECKING:
    from floorsim.simulations.engine.chunks import ChunkInputs
    from floorsim.simulations.engine.microsimulation import ChunkRequest


def household_sums(request: ChunkRequest, chunk: ChunkInputs, values: dict[str, np.ndarray]) -> None:
    """Add household sums and recipient counts of person variables (``household_sum:<name>``,
    ``recipients:<name>``) and the members receiving at least one person programme (``RECIPIENTS_ANY``)."""
    programmes = [p.variable for p in load_country(request.country).programmes.values() if p.entity == "person"]
    paid = [values[v] > 0 for v in dict.fromkeys(programmes) if v in values]
    receives_any = np.logical_or.reduce(paid) if paid else np.zeros(chunk.n_persons, dtype=bool)
    values[RECIPIENTS_ANY] = np.bincount(chunk.person_household[receives_any],
                                         minlength=chunk.n_households).astype(np.float64)
    for variable in request.person_variables:
        amounts = values[variable]
        if not amounts.any():  # a programme paying nobody (not in force, or 0 in law): no sums to make
            values[f"{HOUSEHOLD_SUM}{variable}"] = np.zeros(chunk.n_households)
            values[f"{RECIPIENTS}{variable}"] = np.zeros(chunk.n_households)
        else:
            values[f"{HOUSEHOLD_SUM}{variable}"] = np.bincount(
                chunk.person_household, weights=amounts, minlength=chunk.n_households
            )
            # A count of the persons paid (integers, exact in float64), without weights: faster than summing 0/1.
            values[f"{RECIPIENTS}{variable}"] = np.bincount(
                chunk.person_household[amounts > 0], minlength=chunk.n_households
            ).astype(np.float64)
        if not request.keep_persons:
            del values[variable]


def unknown_member_sums(request: ChunkRequest, chunk: ChunkInputs, values: dict[str, np.ndarray],
                         unknown: np.ndarray) -> None:
    """Add, per household, its members of unknown age and sex (``UNKNOWN_MEMBERS``) and every person variable
    summed over them (``UNKNOWN_SUM<name>``): a streamed run keeps no person arrays to find them in afterwards."""
    households = chunk.person_household[unknown]
    values[UNKNOWN_MEMBERS] = np.bincount(households, minlength=chunk.n_households).astype(np.float64)
    for variable in request.person_variables:
        values[f"{UNKNOWN_SUM}{variable}"] = np.bincount(households, weights=values[variable][unknown],
                                                         minlength=chunk.n_households)
