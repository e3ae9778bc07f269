"""The host country package as the floor sees it: plain data the host side provides when the floor is applied.

The floor needs, for each person: age (completed years), sex, disability severity (Washington Group 0-3),
orphanhood and whether the woman gave birth in the twelve months before the survey (``Inputs``: the host's variable
names, ``None`` when the host has none); the host's births per woman aged 15-49 by year (``births_per_woman``, used
when no survey column says who gave birth); the host's person and household entities, its household transfers total and its currency; and the host's
national poverty line in the prices of each year (``poverty_lines``), which the floor's benefits are shares of
unless the scenario sets ``social_protection_floor.poverty_line.amount``. Reading these from a host's floorsim
description and adapter file is the host side's job (``floorsim/simulations/design/spf_hosts.py``): this package imports
nothing from floorsim.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field


class FloorError(ValueError):
    """The floor cannot be added to, or computed on, a host; the message says what to give instead."""


class SexInput(BaseModel):
    """A host variable holding the person's sex, and the value that means female."""

    model_config = ConfigDict(extra="forbid")
    variable: str
    female: str | bool = Field(description="enum member name (or label) meaning female, or true for a boolean variable")


class Inputs(BaseModel):
    """Host variable names of the floor's inputs (``None``: the host has none, the floor's default is used)."""

    model_config = ConfigDict(extra="forbid")
    age: str | None = None
    sex: SexInput | None = None
    disability_severity: str | None = None
    orphan: str | None = None
    gave_birth: str | None = None


@dataclass(frozen=True)
class FloorHost:
    """What the floor needs to know of its host package.

    ``poverty_lines`` maps ISO dates (1 January of each year) to the host's national poverty line in that year's
    prices (currency per person per month); empty when the host has no national line (a relative one).
    ``births_per_woman`` maps ISO dates to the host's births per woman aged 15-49 per year (empty: not known), the
    maternity benefit's beneficiaries when the survey does not say who gave birth.
    """

    name: str
    person_entity: str
    household_entity: str
    transfers_variable: str
    currency: str
    inputs: Inputs
    poverty_lines: dict[str, float] = field(default_factory=dict)
    births_per_woman: dict[str, float] = field(default_factory=dict)
