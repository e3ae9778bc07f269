"""Collects every country package's OpenFisca YAML tests into the project's pytest run.

The YAML files under ``floorsim/country_packages/<country>/tests/`` stay runnable with ``openfisca test`` unchanged; here they
are collected with openfisca-core's own test items, against the package's TaxBenefitSystem built once per session.
"""

from __future__ import annotations

import functools
from pathlib import Path

from openfisca_core.tools.test_runner import OpenFiscaPlugin, YamlFile

PACKAGES = Path(__file__).resolve().parent / "floorsim" / "country_packages"


@functools.lru_cache(maxsize=None)
def _tax_benefit_system(country: str):
    from floorsim.simulations.engine.countries import load_country, tax_benefit_system_class

    return tax_benefit_system_class(load_country(country))()


def _run_by_openfisca_test(config) -> bool:
    """True under ``openfisca test``, whose own plugin already collects the YAML files."""
    return any(isinstance(plugin, OpenFiscaPlugin) for plugin in config.pluginmanager.get_plugins())


def pytest_collect_file(parent, file_path: Path):
    if file_path.suffix not in (".yaml", ".yml") or file_path.parent.name != "tests":
        return None
    if _run_by_openfisca_test(parent.config):
        return None
    package = file_path.parent.parent
    if package.parent != PACKAGES:
        return None
    return YamlFile.from_parent(
        parent, path=file_path, tax_benefit_system=_tax_benefit_system(package.name), options={}
    )
