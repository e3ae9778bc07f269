"""Country packages as the engine sees them: a tax-benefit system plus a ``floorsim.yaml`` description.

The description (validated with pydantic) says which survey columns feed which input variables, which variables
are programmes to cost, which household variable totals the cash transfers, and where the poverty line lives.
Any installed OpenFisca package can be used by writing such a file for it; a package that is not installed (one
written by ``floorsim new-country``) names the folder to import it from (``import_path``), in this process and in
every worker process, since workers build the tax-benefit system themselves from the same description.
"""

from __future__ import annotations

import functools
import importlib
import multiprocessing
import sys
import warnings
from pathlib import Path
from typing import Literal

from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from floorsim.simulations.errors import CountryError
from floorsim.surveys.model import RELATIONSHIPS
from floorsim.surveys.input_files import read_yaml_file, validation_problems

PACKAGES_DIR = Path(__file__).resolve().parents[2] / "country_packages"
# The reference a generated parameter carries until someone finds its legal text (floorsim/simulations/scaffold writes it).
MISSING_REFERENCE = "TODO: reference missing"


class MissingReferenceWarning(UserWarning):
    """Parameters of a country package still lack the legal text or official document of their values."""


class Programme(BaseModel):
    """A scheme whose cost and beneficiaries are reported."""

    model_config = ConfigDict(extra="forbid")
    label: str
    variable: str
    entity: Literal["person", "household"]
    take_up: str | None = Field(default=None, description="parameter path of the take-up rate (0-1)")
    conditions: list[str] = Field(
        default_factory=list,
        description="variables stating the programme's eligibility conditions (true when met); `floorsim household` "
        "names them to say why it does or does not apply",
    )


class InputColumn(BaseModel):
    """How one survey column becomes the values of one input variable.

    ``convert`` names one of a fixed set of conversions (no code in configuration files):
    ``birth_date_from_age`` turns completed years at the survey date into a birth date (1 July of the survey's
    reference year minus the age: the middle of the possible range). ``scale`` multiplies numbers (e.g. 12 to
    give a yearly variable the annual total of a monthly survey amount).
    """

    model_config = ConfigDict(extra="forbid")
    column: str
    convert: Literal["birth_date_from_age"] | None = None
    scale: float = 1.0


class PovertyLine(BaseModel):
    """The poverty line (per person per month): a line parameter moved with a price index, or a share of the
    weighted median of baseline welfare per capita (held fixed across scenarios).

    A line parameter is the country's national line unless ``kind`` says ``international``; then ``definition``
    says which one (e.g. ``USD 2.15 PPP``), and every label of the outputs names it.
    """

    model_config = ConfigDict(extra="forbid")
    parameter: str | None = None
    price_index: str | None = None
    share_of_median: float | None = Field(default=None, gt=0)
    kind: Literal["national", "international"] = "national"
    definition: str | None = Field(default=None, description="what an international line is, e.g. 'USD 2.15 PPP'")

    @model_validator(mode="after")
    def _one_kind(self) -> PovertyLine:
        if (self.parameter is None) == (self.share_of_median is None):
            raise ValueError("give either 'parameter' (a national line) or 'share_of_median' (a relative line)")
        if self.kind == "international" and (self.parameter is None or not self.definition):
            raise ValueError("an international line needs 'parameter' (its value) and 'definition' (e.g. USD 2.15 PPP)")
        return self
    inflation: str | None = Field(default=None, description="annual inflation rates chaining the index forward")


class GroupInput(BaseModel):
    """How one survey column becomes the values of an input variable of a group entity (one value per group).

    ``aggregate`` is the rule from the members' values to the group's: ``constant`` (the default) takes the value
    every member carries and refuses a column that differs within a group; ``sum`` adds the members' values (e.g.
    a count of dependent parents from a per-person flag); ``first_of_role`` takes the value of the first member in
    ``role`` (e.g. the principal declarant's). A household column is constant within every group (a group never
    spans two households). ``scale`` multiplies numbers, as for person and household inputs.
    """

    model_config = ConfigDict(extra="forbid")
    column: str
    aggregate: Literal["constant", "sum", "first_of_role"] = "constant"
    role: str | None = Field(default=None, description="the role whose first member gives the value (first_of_role)")
    scale: float = 1.0

    @model_validator(mode="after")
    def _role_with_first_of_role(self) -> GroupInput:
        if (self.aggregate == "first_of_role") != (self.role is not None):
            raise ValueError("give role (a role of the entity) with aggregate: first_of_role, and only then")
        return self


class GroupSpec(BaseModel):
    """How the survey fills one group entity of the package other than the household (a tax unit, a family):
    membership, roles and inputs (``floorsim/simulations/engine/entities.py``; docs/third_party_packages.md).

    ``column`` is a person column naming the person's group within the household (no column: one group per
    household). A person's role is the value of ``role_column``, or else their ``relationship`` looked up in
    ``roles`` (``default_role`` for relationships not listed). Roles are the package's role keys (sub-roles where
    a role has them, e.g. ``declarant_principal``). ``inputs`` maps variables of the entity to survey columns
    (:class:`GroupInput`; ``variable: column`` is short for ``{column: column}``).
    """

    model_config = ConfigDict(extra="forbid")
    column: str | None = None
    role_column: str | None = None
    roles: dict[Literal[RELATIONSHIPS], str] = Field(default_factory=dict)  # type: ignore[valid-type]
    default_role: str | None = None
    inputs: dict[str, GroupInput] = Field(default_factory=dict)

    @field_validator("inputs", mode="before")
    @classmethod
    def _column_shorthand(cls, inputs: dict | None) -> dict:
        """``variable: column`` is short for ``variable: {column: column}``."""
        return {name: {"column": value} if isinstance(value, str) else value for name, value in (inputs or {}).items()}

    @model_validator(mode="after")
    def _one_role_source(self) -> GroupSpec:
        if self.role_column is not None and (self.roles or self.default_role is not None):
            raise ValueError("give either role_column or roles/default_role, not both")
        if self.role_column is None and self.default_role is None:
            raise ValueError("give role_column, or default_role (with roles by relationship)")
        return self


class RegressionSettings(BaseModel):
    """What floorsim's regression checks (golden snapshot, diff, dead parameters) run the package on."""

    model_config = ConfigDict(extra="forbid")
    survey: str = Field(description="bundled survey folder: 'PACKAGE:PATH' inside an importable package, or a "
                        "path relative to floorsim.yaml")
    golden_years: list[int] = Field(default_factory=list, description="reference years of the golden snapshot")


class CountrySpec(BaseModel):
    """The contents of a country package's ``floorsim.yaml``."""

    model_config = ConfigDict(extra="forbid")
    name: str = ""
    folder: Path | None = None
    label: str
    tax_benefit_system: str = Field(description="dotted path of the TaxBenefitSystem class")
    currency: str
    person_entity: str = "person"
    household_entity: str = "household"
    head_role: str
    member_role: str
    adult_member_role: str | None = Field(default=None, description="role of members aged adult_age or over")
    adult_age: int = 18
    household_roles: dict[Literal[RELATIONSHIPS], str] = Field(  # type: ignore[valid-type]
        default_factory=dict,
        description="household role of each relationship (head is always head_role; others not listed are "
        "member_role); replaces adult_member_role",
    )
    groups: dict[str, GroupSpec] = Field(
        default_factory=dict, description="group entities other than the household: membership and roles"
    )
    inputs: dict[Literal["person", "household"], dict[str, InputColumn]]
    transfers_variable: str
    constant_within_year: bool = Field(
        default=True,
        description="False if formulas depend on the month other than through dated parameters and formulas; "
        "the engine then calculates all twelve months",
    )
    programmes: dict[str, Programme]
    poverty_line: PovertyLine
    default_reform: str | None = None
    regression: RegressionSettings | None = None
    import_path: str | None = Field(
        default=None,
        description="folder, relative to floorsim.yaml, put first on sys.path before importing tax_benefit_system "
        "(a package used from its folder, not installed)",
    )
    floor: dict | None = Field(default=None, description="the social protection floor's adapter for this package "
                               "(read by floorsim/simulations/design/spf_hosts.py; docs/social_protection_floor.md)")

    @model_validator(mode="after")
    def _one_household_role_rule(self) -> CountrySpec:
        if self.household_roles and self.adult_member_role is not None:
            raise ValueError("give household_roles (roles by relationship) or adult_member_role (by age), not both")
        return self

    @field_validator("inputs", mode="before")
    @classmethod
    def _column_shorthand(cls, inputs: dict) -> dict:
        """``variable: column`` is short for ``variable: {column: column}``."""
        return {
            entity: {name: {"column": value} if isinstance(value, str) else value for name, value in (mapping or {}).items()}
            for entity, mapping in (inputs or {}).items()
        }

    @property
    def key(self) -> str:
        """What :func:`load_country` reads this description back from: the name of a package shipped under
        ``floorsim/country_packages/``, else the folder holding its ``floorsim.yaml`` (a generated package elsewhere)."""
        if self.folder is None or (PACKAGES_DIR / self.name / "floorsim.yaml") == self.folder / "floorsim.yaml":
            return self.name
        return str(self.folder)

    def default_reform_path(self) -> Path | None:
        """Absolute path of the package's default reform, if it declares one."""
        if self.default_reform is None or self.folder is None:
            return None
        return self.folder / self.default_reform


def available_countries() -> list[str]:
    """Names of the country packages shipped with floorsim (folders holding a ``floorsim.yaml``)."""
    return sorted(path.parent.name for path in PACKAGES_DIR.glob("*/floorsim.yaml"))


def country_file(name: str) -> Path:
    """The ``floorsim.yaml`` of ``name``: a package under ``floorsim/country_packages/``, a folder holding the file, or the
    path of the file itself."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml"):
        return path
    if path.is_dir() and (path / "floorsim.yaml").is_file():
        return path / "floorsim.yaml"
    return PACKAGES_DIR / name / "floorsim.yaml"


def missing_references(folder: Path) -> list[str]:
    """Parameter files whose values still carry the :data:`MISSING_REFERENCE` marker (paths relative to ``folder``,
    sorted), in ``folder/parameters`` and ``folder/<package>/parameters`` only: a ``floorsim.yaml`` sits in its
    package or beside it, and the folder holding it may be large."""
    roots = [folder / "parameters", *folder.glob("*/parameters")]
    return sorted(
        str(path.relative_to(folder))
        for root in roots
        for path in root.rglob("*.yaml")
        if MISSING_REFERENCE in path.read_text(encoding="utf-8")
    )


def _warn_missing_references(spec: CountrySpec) -> None:
    """Warn, once per process and only in the main one (not in every worker), of parameters without a reference."""
    if spec.folder is None or multiprocessing.current_process().name != "MainProcess":
        return
    missing = missing_references(spec.folder)
    if missing:
        # Attributed to the first marker itself, so that the warning shows the file, the line and its TODO text.
        first = spec.folder / missing[0]
        line = next(number for number, text in enumerate(first.read_text(encoding="utf-8").splitlines(), start=1)
                    if MISSING_REFERENCE in text)
        warnings.warn_explicit(
            f"country '{spec.name}': {len(missing)} parameter file(s) have values without a reference "
            f"('{MISSING_REFERENCE}'): {', '.join(missing)}. Add the legal text or official document of each value.",
            MissingReferenceWarning,
            filename=str(first),
            lineno=line,
        )


@functools.lru_cache(maxsize=None)
def load_country(name: str) -> CountrySpec:
    """Read and validate a country description: ``floorsim/country_packages/<name>/floorsim.yaml``, a folder holding a
    ``floorsim.yaml`` (a generated package), or the path of such a file.

    Warns (:class:`MissingReferenceWarning`) when parameters of the package still lack references.
    """
    path = country_file(name)
    if not path.is_file():
        raise CountryError(
            f"unknown country '{name}': no {path}. Available: {', '.join(available_countries()) or 'none'}"
        )
    raw = read_yaml_file(path, error=CountryError)
    if not isinstance(raw, dict):
        raise CountryError(f"{path}: a floorsim country description is a mapping (label, tax_benefit_system, ...)")
    raw = {"name": path.parent.name, **raw, "folder": path.parent}
    try:
        spec = CountrySpec(**raw)
    except ValidationError as error:
        raise CountryError(f"{path}: invalid floorsim country description: {validation_problems(error)}") from None
    _warn_missing_references(spec)
    return spec


def tax_benefit_system_class(spec: CountrySpec) -> type[TaxBenefitSystem]:
    """Import the country's TaxBenefitSystem class from its dotted path (from ``import_path`` when it gives one)."""
    if spec.import_path is not None and spec.folder is not None:
        root = str((spec.folder / spec.import_path).resolve())
        if root not in sys.path:
            sys.path.insert(0, root)
    module_name, _, class_name = spec.tax_benefit_system.rpartition(".")
    try:
        return getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as error:
        raise CountryError(f"cannot import {spec.tax_benefit_system} for country '{spec.name}': {error}") from None
