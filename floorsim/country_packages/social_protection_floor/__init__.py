"""The ILO social protection floor as a reform package for any floorsim country package.

What the ILO Social Protection Floors Calculator (ESS Working Paper 58, 2017) costs with aggregates — allowances
for all children and orphans, maternity benefits per birth, benefits for persons with severe disabilities and
universal old-age pensions, each a share of the national poverty line — as an OpenFisca ``Reform`` that adds the
floor's parameters (under ``social_protection_floor``) and variables to a host package and adds the floor's
household total to the host's transfers total, so that cost and welfare include it. See
``docs/social_protection_floor.md``.

:class:`FloorReform` adds the floor for a host described as plain data (:class:`FloorHost`: entities, transfers
total, currency, input variables, national poverty line by year). This package imports nothing from floorsim:
the reform scenarios name, ``floorsim.simulations.design.spf_hosts.SocialProtectionFloor``, reads that description from the
host's ``floorsim.yaml`` and ``hosts/<country>.yaml`` (the adapters beside this module) and applies this one::

    simulation.run({
        "baseline": None,
        "floor": ["floorsim.simulations.design.spf_hosts.SocialProtectionFloor",
                  "floorsim/country_packages/social_protection_floor/examples/spf_variant.yaml"],
    })
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

from openfisca_core import periods
from openfisca_core.parameters import ParameterNode
from openfisca_core.reforms import Reform

from floorsim.country_packages.social_protection_floor.host import FloorError, FloorHost, Inputs, SexInput
from floorsim.country_packages.social_protection_floor.variables import (
    ADMINISTRATIVE_COST,
    BIRTHS,
    COMPONENTS,
    HOUSEHOLD_TOTAL,
    PERSON_TOTAL,
    POVERTY_LINE,
    floor_variables,
    transfers_with_floor,
)

PACKAGE_DIR = Path(__file__).resolve().parent
PARAMETERS_DIR = os.path.join(PACKAGE_DIR, "parameters")
PARAMETER_NODE = "social_protection_floor"
EXAMPLES_DIR = PACKAGE_DIR / "examples"
HOSTS_DIR = PACKAGE_DIR / "hosts"

__all__ = [
    "ADMINISTRATIVE_COST",
    "BIRTHS",
    "COMPONENTS",
    "EXAMPLES_DIR",
    "HOSTS_DIR",
    "HOUSEHOLD_TOTAL",
    "PARAMETER_NODE",
    "PERSON_TOTAL",
    "POVERTY_LINE",
    "FloorError",
    "FloorHost",
    "FloorReform",
    "Inputs",
    "SexInput",
    "floor_parameters",
]


def floor_parameters() -> ParameterNode:
    """The floor's parameter tree (defaults with their references), as loaded into reformed systems."""
    return ParameterNode(PARAMETER_NODE, directory_path=PARAMETERS_DIR)


class FloorReform(Reform):
    """Adds the social protection floor to a host package described by ``floor_host``.

    ``floor_host`` (a :class:`FloorHost`) is set by a subclass, or by ``apply`` of a subclass that reads it from the
    host's own description before calling :meth:`add_floor`.
    """

    name = "Social protection floor (ILO SPF calculator benefits as shares of the national poverty line)"
    floor_host: ClassVar[FloorHost | None] = None

    def apply(self) -> None:
        if self.floor_host is None:
            raise FloorError(
                "FloorReform needs a floor_host (the host package as plain data); floorsim scenarios use "
                "floorsim.simulations.design.spf_hosts.SocialProtectionFloor, which reads it from the host's floorsim.yaml"
            )
        self.add_floor(self.floor_host)

    def add_floor(self, host: FloorHost) -> None:
        """The floor's parameters (with the host's national poverty line by year), its variables, and the host's
        transfers total with the floor's household total added."""

        def add_parameters(parameters: ParameterNode) -> ParameterNode:
            if PARAMETER_NODE in parameters.children:
                raise FloorError(
                    "the social protection floor is applied twice in this scenario (its parameters already exist)"
                )
            node = floor_parameters()
            host_line = node.poverty_line.host
            for start, amount in sorted(host.poverty_lines.items()):  # each value holds until the next one
                host_line.update(start=periods.instant(start), stop=None, value=amount)
            for start, rate in sorted(host.births_per_woman.items()):  # the host's figure; a scenario may change it
                node.maternity.births_per_woman.update(start=periods.instant(start), stop=None, value=rate)
            parameters.add_child(PARAMETER_NODE, node)
            return parameters

        self.modify_parameters(modifier_function=add_parameters)
        entities = {entity.key: entity for entity in self.entities}
        for variable in floor_variables(host, entities):
            self.add_variable(variable)
        self.replace_variable(transfers_with_floor(host, self.variables[host.transfers_variable]))
