"""Cutting a survey into chunks of whole households, and the arrays a worker needs for one chunk.

Chunks are contiguous ranges of households in the survey's order (persons are stored household by household, see
``floorsim.surveys.model``), so cutting is slicing and putting results back is concatenation in chunk order: results are
identical whatever the chunk size or the number of workers.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openfisca_core.indexed_enums import Enum
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

from floorsim.simulations.engine.countries import CountrySpec, InputColumn
from floorsim.simulations.engine.entities import GroupArrays, household_role_codes, slice_groups, survey_groups
from floorsim.simulations.errors import ScenarioError
from floorsim.surveys.model import Survey, is_money_column


@dataclass(frozen=True)
class ChunkInputs:
    """Everything needed to build one chunk's simulation: plain arrays only (cheap to send to a worker).

    Attributes:
        index: position of the chunk in the survey (results are reassembled in this order).
        person_ids, household_ids: identifiers (int64), persons grouped by household in order.
        person_household: for each person, the 0-based position of their household in this chunk.
        person_role: each person's role in the household, as an index into
            ``floorsim.simulations.engine.entities.household_role_keys`` (by default 0 head, 1 member, 2 adult member).
        person_inputs, household_inputs: input variable name → values, one per person / household.
        groups: membership and roles of the package's other group entities (``floorsim.simulations.engine.entities``).
    """

    index: int
    person_ids: np.ndarray
    household_ids: np.ndarray
    person_household: np.ndarray
    person_role: np.ndarray
    person_inputs: dict[str, np.ndarray]
    household_inputs: dict[str, np.ndarray]
    groups: tuple[GroupArrays, ...] = ()

    @property
    def n_persons(self) -> int:
        return len(self.person_ids)

    @property
    def n_households(self) -> int:
        return len(self.household_ids)


def chunk_bounds(n_households: int, chunk_size: int) -> list[tuple[int, int]]:
    """``(start, stop)`` household ranges of at most ``chunk_size`` households covering ``0..n_households``."""
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    return [(start, min(start + chunk_size, n_households)) for start in range(0, n_households, chunk_size)]


def role_codes(survey: Survey, spec: CountrySpec) -> np.ndarray:
    """Household role code of each person (``floorsim.simulations.engine.entities.household_role_codes``)."""
    return household_role_codes(survey, spec)


def _convert(values: np.ndarray, column: InputColumn, survey: Survey, money_uprating: float) -> np.ndarray:
    """Apply the input's conversion; money columns are also moved to the simulated year's prices."""
    if column.convert == "birth_date_from_age":
        years = survey.metadata.reference_year - values.astype(np.int64)
        return (years - 1970).astype("datetime64[Y]").astype("datetime64[D]") + np.timedelta64(181, "D")
    factor = column.scale * (money_uprating if is_money_column(column.column) else 1.0)
    if factor != 1.0:
        return values * factor
    return values


def _reform_variable(name: str) -> Variable:
    """An input variable absent from the baseline system: it passes through unencoded (checked by the engine)."""

    class _PassThrough:
        value_type = float

    _PassThrough.name = name
    return _PassThrough  # type: ignore[return-value]


def survey_inputs(
    survey: Survey, spec: CountrySpec, system: TaxBenefitSystem, money_uprating: float = 1.0
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Person and household input arrays of the whole survey, named, converted and encoded as the country's
    variables. Encoding happens once here, in the parent process, so that workers only slice numeric arrays.

    Money columns (consumption, income, ``income_*``) are multiplied by ``money_uprating``, the price index of the
    simulated year over that of the survey's reference year, so that rules (means tests, thresholds) compare
    amounts of the same year.
    """
    encoded = []
    for entity, table in (("person", survey.persons), ("household", survey.households)):
        arrays = {}
        for variable, column in spec.inputs.get(entity, {}).items():
            definition = system.variables.get(variable) or _reform_variable(variable)
            if definition.value_type is Enum:  # strings go to the encoder as they are stored (Arrow), not as objects
                arrays[variable] = encode_input(definition, table[column.column])
            else:
                arrays[variable] = _convert(table[column.column].to_numpy(), column, survey, money_uprating)
        encoded.append(arrays)
    return encoded[0], encoded[1]


@dataclass(frozen=True)
class EncodedSurvey:
    """A survey as the engine's arrays, before cutting: what :func:`make_chunks` slices (cached per survey).

    Attributes:
        whole: the whole survey as one :class:`ChunkInputs` (inputs from :func:`survey_inputs`).
        sizes: persons per household; person_bounds: the first person of each household (and the total, last).
    """

    whole: ChunkInputs
    sizes: np.ndarray
    person_bounds: np.ndarray


# Encoded inputs of each survey object, by (country package, money uprating, tables): a survey is encoded once however
# many runs use it (scenarios, variants, web requests). A Survey's tables are coerced and validated when it is made
# and not modified in place afterwards, so the survey object and its table objects stand for the content (a table
# or the metadata replaced on the object makes a new key); the entries go when the survey is garbage-collected.
_ENCODED: dict[int, dict[tuple, EncodedSurvey]] = {}
MAX_ENCODINGS_PER_SURVEY = 4


def encode_survey(
    survey: Survey, spec: CountrySpec, system: TaxBenefitSystem, money_uprating: float = 1.0
) -> EncodedSurvey:
    """The survey's ids, roles and input arrays for ``spec`` at ``money_uprating`` (encoded once per survey object)."""
    key = (
        spec.name, str(spec.folder), spec.model_dump_json(include={"inputs", "groups", "household_roles"}),
        float(money_uprating), id(system),
        id(survey.persons), id(survey.households), survey.metadata.reference_year,
    )
    if id(survey) not in _ENCODED:
        _ENCODED[id(survey)] = {}
        weakref.finalize(survey, _ENCODED.pop, id(survey), None)
    cached = _ENCODED[id(survey)]
    if key not in cached:
        if len(cached) >= MAX_ENCODINGS_PER_SURVEY:  # the oldest goes: a survey run at many prices stays bounded
            del cached[next(iter(cached))]
        sizes = survey.household_size
        person_inputs, household_inputs = survey_inputs(survey, spec, system, money_uprating)
        whole = ChunkInputs(
            index=0,
            person_ids=survey.persons["person_id"].to_numpy(np.int64),
            household_ids=survey.households["household_id"].to_numpy(np.int64),
            person_household=np.repeat(np.arange(len(sizes), dtype=np.int64), sizes),
            person_role=role_codes(survey, spec),
            person_inputs=person_inputs,
            household_inputs=household_inputs,
            groups=survey_groups(survey, spec, system),
        )
        cached[key] = EncodedSurvey(whole, sizes, np.concatenate([[0], np.cumsum(sizes)]))
    return cached[key]


def make_chunks(
    survey: Survey, spec: CountrySpec, system: TaxBenefitSystem, chunk_size: int, money_uprating: float = 1.0
) -> list[ChunkInputs]:
    """Cut ``survey`` into :class:`ChunkInputs` of at most ``chunk_size`` households (views of its encoded arrays)."""
    encoded = encode_survey(survey, spec, system, money_uprating)
    whole, bounds = encoded.whole, encoded.person_bounds
    chunks = []
    for index, (start, stop) in enumerate(chunk_bounds(len(encoded.sizes), chunk_size)):
        first, last = bounds[start], bounds[stop]
        chunks.append(
            ChunkInputs(
                index=index,
                person_ids=whole.person_ids[first:last],
                household_ids=whole.household_ids[start:stop],
                person_household=whole.person_household[first:last] - start,
                person_role=whole.person_role[first:last],
                person_inputs={name: values[first:last] for name, values in whole.person_inputs.items()},
                household_inputs={name: values[start:stop] for name, values in whole.household_inputs.items()},
                groups=slice_groups(whole.groups, first, last, start),
            )
        )
    return chunks


def encode_input(variable: Variable, values: np.ndarray | pd.Series) -> np.ndarray:
    """Values as OpenFisca stores them: enum member names become their int16 indices, the rest passes through.

    Raises:
        ScenarioError: a value is not the name of any member of the variable's enum.
    """
    if variable.value_type is not Enum:
        return values
    names = list(variable.possible_values._member_names_)
    codes = _arrow_codes(values, names)
    if codes is None:
        # A hash lookup per element (pandas' index), much faster than comparing strings; -1 where absent.
        codes = pd.Index(names).get_indexer(np.asarray(values))
    if (codes < 0).any():
        unknown = sorted({str(value) for value in np.asarray(values)[codes < 0]})
        raise ScenarioError(f"input '{variable.name}': values {unknown} are not among {names}")
    return codes.astype(np.int16)


def _arrow_codes(values: np.ndarray | pd.Series, names: list[str]) -> np.ndarray | None:
    """Positions of ``values`` in ``names`` (-1 where absent) by Arrow's hash lookup when the values are Arrow
    strings (as the survey's Parquet tables hold them): no Python string objects are made, about 20 times faster
    than converting to objects and coding with pandas (0.015 s against 0.32 s for a million persons). ``None`` for
    other values."""
    if not isinstance(values, pd.Series) or not isinstance(values.dtype, pd.StringDtype | pd.ArrowDtype):
        return None
    array = pa.array(values)
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        return None
    codes = pc.index_in(array, value_set=pa.array(names, type=array.type)).fill_null(-1)
    return codes.to_numpy(zero_copy_only=False).astype(np.int16)
