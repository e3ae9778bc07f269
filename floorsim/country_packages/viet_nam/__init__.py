"""OpenFisca country package for Viet Nam's monthly social assistance and social pension.

Encoded from the legal texts: the monthly social allowance of Decree 20/2021/NĐ-CP (base level × coefficient,
only the highest amount), the base level of Decree 76/2024/NĐ-CP, the social pension of the Law on Social
Insurance 41/2024/QH15 Art. 21 and Decree 176/2025/NĐ-CP, and the multidimensional poverty standard of Decree
07/2021/NĐ-CP. Every parameter carries its reference; interpretations where the texts are silent are written in
the parameters' ``documentation`` and in ``docs/country_viet_nam.md``.
"""

from __future__ import annotations

import os
from importlib import metadata

from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from floorsim.country_packages.viet_nam import entities

COUNTRY_DIR = os.path.dirname(os.path.abspath(__file__))


class CountryTaxBenefitSystem(TaxBenefitSystem):
    """Viet Nam's social assistance system (the class name is the one OpenFisca tools look for)."""

    def __init__(self) -> None:
        super().__init__(entities.entities)
        self.add_variables_from_directory(os.path.join(COUNTRY_DIR, "variables"))
        self.load_parameters(os.path.join(COUNTRY_DIR, "parameters"))
        self.open_api_config = {
            "variable_example": "monthly_social_allowance",
            "parameter_example": "social_assistance.base_level",
            "simulation_example": {
                "persons": {"ba": {"age": {"2024-08": 85}}},
                "households": {"h1": {"heads": ["ba"]}},
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
            "name": "floorsim-viet-nam",
            "version": version,
            "repository_url": "",
            "location": os.path.dirname(COUNTRY_DIR),
        }
