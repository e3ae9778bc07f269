"""The ILO social protection floor as a reform package for any floorsim country package.

What the ILO Social Protection Floors Calculator (ESS Working Paper 58, 2017) costs with aggregates — allowances
for all children and orphans, maternity benefits per newborn, benefits for persons with severe disabilities and
universal old-age pensions, each a share of the national poverty line — as an OpenFisca ``Reform`` that adds the
floor's parameters (under ``social_protection_floor``) and variables to a host package and adds the floor's
household total to the host's transfers total, so that cost and welfare include it. See
``docs/social_protection_floor.md``.

Select it as a scenario step, followed by parameter changes that choose the levels::

    simulation.run({
        "baseline": None,
        "floor": ["country_packages.social_protection_floor.SocialProtectionFloor",
                  "country_packages/social_protection_floor/examples/spf_variant.yaml"],
    })

The host is recognised from the tax-benefit system the reform is applied to (any package under
``country_packages/`` with a ``floorsim.yaml``); its inputs are read through ``hosts/<country>.yaml``. For a package
installed elsewhere, subclass with ``host`` (a ``floorsim.yaml`` path) and ``adapter`` (a path or a mapping).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

from openfisca_core.parameters import ParameterNode
from openfisca_core.reforms import Reform

from country_packages.social_protection_floor.hosts import (
    FloorHost,
    SocialProtectionFloorError,
    describe_inputs,
    resolve_host,
)
from country_packages.social_protection_floor.variables import (
    ADMINISTRATIVE_COST,
    COMPONENTS,
    HOUSEHOLD_TOTAL,
    PERSON_TOTAL,
    POVERTY_LINE,
    floor_variables,
    transfers_with_floor,
)

PARAMETERS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "parameters")
PARAMETER_NODE = "social_protection_floor"
DOTTED_PATH = "country_packages.social_protection_floor.SocialProtectionFloor"
EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"

__all__ = [
    "ADMINISTRATIVE_COST",
    "COMPONENTS",
    "DOTTED_PATH",
    "HOUSEHOLD_TOTAL",
    "PARAMETER_NODE",
    "PERSON_TOTAL",
    "POVERTY_LINE",
    "FloorHost",
    "SocialProtectionFloor",
    "SocialProtectionFloorError",
    "floor_parameters",
]


def floor_parameters() -> ParameterNode:
    """The floor's parameter tree (defaults with their references), as loaded into reformed systems."""
    return ParameterNode(PARAMETER_NODE, directory_path=PARAMETERS_DIR)


class SocialProtectionFloor(Reform):
    """Adds the social protection floor to the host package it is applied to.

    Class attributes for packages that are not under ``country_packages/``: ``host`` (a country name or a
    ``floorsim.yaml`` path) and ``adapter`` (a YAML path or a mapping, see ``hosts.py``).
    """

    name = "Social protection floor (ILO SPF calculator benefits as shares of the national poverty line)"
    host: ClassVar[str | None] = None
    adapter: ClassVar[str | dict | None] = None

    def apply(self) -> None:
        floor_host = resolve_host(self, self.host, self.adapter)
        self.floor_host = floor_host
        self.floor_inputs = describe_inputs(floor_host)

        def add_floor(parameters: ParameterNode) -> ParameterNode:
            if PARAMETER_NODE in parameters.children:
                raise SocialProtectionFloorError(
                    "the social protection floor is applied twice in this scenario (its parameters already exist)"
                )
            parameters.add_child(PARAMETER_NODE, floor_parameters())
            return parameters

        self.modify_parameters(modifier_function=add_floor)
        entities = {entity.key: entity for entity in self.entities}
        for variable in floor_variables(floor_host, entities):
            self.add_variable(variable)
        transfers = floor_host.spec.transfers_variable
        self.replace_variable(transfers_with_floor(floor_host, self.variables[transfers]))
