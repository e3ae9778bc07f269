"""OpenFisca country package for Timor-Leste's non-contributory social protection.

Schemes are encoded from the decree-laws that created and amended them; every parameter carries its legal
reference. See ``docs/sources/timor_leste.md`` for the list of sources.
"""

from __future__ import annotations

import os
from importlib import metadata

from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from floorsim.country_packages.timor_leste import entities

COUNTRY_DIR = os.path.dirname(os.path.abspath(__file__))


class CountryTaxBenefitSystem(TaxBenefitSystem):
    """Timor-Leste's tax and benefit system (the class name is the one OpenFisca tools look for)."""

    def __init__(self) -> None:
        super().__init__(entities.entities)
        self.add_variables_from_directory(os.path.join(COUNTRY_DIR, "variables"))
        self.load_parameters(os.path.join(COUNTRY_DIR, "parameters"))
        self.open_api_config = {
            "variable_example": "saii",
            "parameter_example": "benefits.saii.amount",
            "simulation_example": {
                "persons": {"ana": {"age": {"2025-01": 67}}},
                "households": {"h1": {"heads": ["ana"]}},
            },
        }

    def get_package_metadata(self) -> dict[str, str]:
        """Package metadata for OpenFisca tools: this package ships inside the ``floorsim`` distribution."""
        if self.baseline:
            return self.baseline.get_package_metadata()
        try:
            version = metadata.version("floorsim")
        except metadata.PackageNotFoundError:
            version = "0.0.0"
        return {
            "name": "floorsim-timor-leste",
            "version": version,
            "repository_url": "",
            "location": os.path.dirname(COUNTRY_DIR),
        }
