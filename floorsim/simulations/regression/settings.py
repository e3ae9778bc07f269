"""Where a country package keeps what floorsim's regression checks need, found through the package, not a checkout.

Everything lives with the package it describes, so the checks work from an installed wheel as from the repository:

* ``floorsim.yaml``'s ``regression`` block (:class:`floorsim.simulations.engine.countries.RegressionSettings`): the survey the
  checks run on (``PACKAGE:PATH``, a folder inside an importable package, located with :mod:`importlib.resources`;
  or a path relative to ``floorsim.yaml``) and the reference years of the golden snapshot;
* ``regression/golden.json`` beside ``floorsim.yaml``: the golden snapshot (:mod:`floorsim.simulations.regression.golden`);
* ``regression/dead_parameters_allowlist.yaml`` beside it: the dead-parameter allow-list
  (:mod:`floorsim.simulations.regression.dead`).
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from floorsim.simulations.engine.countries import CountrySpec, available_countries, load_country
from floorsim.simulations.errors import FloorsimError

REGRESSION_FOLDER = "regression"
SNAPSHOT_FILE = "golden.json"
ALLOWLIST_FILE = "dead_parameters_allowlist.yaml"


class RegressionSettingsError(FloorsimError):
    """A country's ``regression`` settings name a survey that cannot be found."""


def regression_folder(country: str) -> Path:
    """``regression/`` beside the country's ``floorsim.yaml`` (a name or a path of such a file)."""
    spec = load_country(country)
    if spec.folder is None:  # pragma: no cover - load_country always sets it
        raise RegressionSettingsError(f"country '{spec.name}' has no folder")
    return spec.folder / REGRESSION_FOLDER


def snapshot_path(country: str) -> Path:
    """The country's golden snapshot: ``regression/golden.json`` beside its ``floorsim.yaml``."""
    return regression_folder(country) / SNAPSHOT_FILE


def allowlist_path(country: str) -> Path:
    """The country's dead-parameter allow-list: ``regression/dead_parameters_allowlist.yaml`` beside its
    ``floorsim.yaml`` (absent when nothing is allowed)."""
    return regression_folder(country) / ALLOWLIST_FILE


def resolve_survey(spec: CountrySpec) -> Path | None:
    """The folder of the survey named by ``spec.regression.survey``, or ``None`` when the country declares none.

    ``PACKAGE:PATH`` is ``PATH`` inside the importable package ``PACKAGE`` (``floorsim.surveys:data/timor_leste_synthetic``);
    anything else is a path relative to the folder of ``floorsim.yaml``.
    """
    if spec.regression is None:
        return None
    text = spec.regression.survey
    package, separator, inside = text.partition(":")
    # A dotted module name before the colon; a single letter is a Windows drive ("C:/surveys/x"), not a package.
    if separator and len(package) > 1 and all(part.isidentifier() for part in package.split(".")):
        try:
            folder = Path(str(importlib.resources.files(package).joinpath(inside)))
        except ModuleNotFoundError:
            raise RegressionSettingsError(
                f"{spec.folder}/floorsim.yaml: regression.survey '{text}': no importable package '{package}'"
            ) from None
    else:
        folder = (spec.folder or Path.cwd()) / text
    if not folder.is_dir():
        raise RegressionSettingsError(f"{spec.folder}/floorsim.yaml: regression.survey '{text}': no folder {folder}")
    return folder


def bundled_survey(country: str) -> Path | None:
    """The survey folder the country's regression checks run on, or ``None`` if it declares none."""
    return resolve_survey(load_country(country))


def reference_years(country: str) -> tuple[int, ...]:
    """The reference years of the country's golden snapshot (empty when it declares none)."""
    settings = load_country(country).regression
    return tuple(settings.golden_years) if settings is not None else ()


def countries_with_bundled_survey() -> list[str]:
    """Names of the shipped country packages that declare a survey for their regression checks."""
    return [name for name in available_countries() if load_country(name).regression is not None]
