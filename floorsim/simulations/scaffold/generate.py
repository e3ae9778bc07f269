"""Writing a country package from a schemes file: Jinja2 templates → plain Python, YAML parameters and tests.

The output folder holds ``floorsim.yaml``, a README and the package folder ``<name>/`` (entities, ``variables/``
one file per scheme, ``parameters/``, ``tests/``). It is written all or nothing (``floorsim.surveys.atomic.staged_folder``):
on any failure the previous folder, if any, is left as it was.
"""

from __future__ import annotations

import json
import keyword
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from floorsim.simulations.scaffold import formulas
from floorsim.simulations.scaffold.parameters import (
    dump,
    example_test,
    parameter_document,
    poverty_line_document,
    reference_entries,
)
from floorsim.simulations.scaffold.schemes_file import IDENTIFIER, Scheme, SchemesFile, SchemesFileError, read_schemes_file, uses
from floorsim.surveys.atomic import staged_folder

TEMPLATES = Path(__file__).resolve().parent / "templates"
FLAG_LABELS = (
    ("pregnant", "Pregnant in the month"),
    ("orphan", "Orphan: mother or father (or both) has died"),
    ("gave_birth", "Gave birth in the 12 months before the survey date"),
    ("in_school", "Enrolled in and attending school"),
)
# Names a generated package cannot take: it is imported by name, and these would shadow (or be shadowed by) them.
TAKEN_NAMES = frozenset({"floorsim", "simulations", "surveys", "indicators", "country_packages", "tests", "openfisca_core",
                         "numpy", "pandas", "yaml", "pydantic", "jinja2"})
# Data-model column → input variable of the generated package (floorsim.yaml `inputs`).
PERSON_COLUMNS = ("age", "sex", "disability_severity", "pregnant", "orphan", "gave_birth", "in_school")


@dataclass
class SchemeContext:
    """What the scheme template prints for one scheme."""

    name: str
    label: str
    reference: str
    description: str
    entity: str
    start: str
    eligibility: list[formulas.Expression]
    amount: formulas.Expression
    pmt: formulas.Expression | None
    phase_in: str | None
    take_up: str | None
    group: str | None = None
    group_members: list[str] = field(default_factory=list)
    earlier: list[str] = field(default_factory=list)
    later: list[str] = field(default_factory=list)
    uses_sex: bool = False

    @property
    def Entity(self) -> str:  # noqa: N802 - the OpenFisca entity class the template names
        return self.entity.capitalize()

    @property
    def amount_variable(self) -> str:
        """The variable holding the amount before non-cumulation (the scheme's own name when there is none)."""
        return f"{self.name}_entitlement" if self.group else self.name

    @property
    def household_variable(self) -> str:
        return self.name if self.entity == "household" else f"household_{self.name}"

    @property
    def short_label(self) -> str:
        """The label without its parenthesis (variable labels add their own words)."""
        return self.label.split(" (")[0]

    @property
    def eligibility_reads_parameters(self) -> bool:
        return any("p." in condition.code for condition in self.eligibility)

    @property
    def eligibility_label(self) -> str:
        """The eligibility variable's label: the scheme and its conditions in words (``floorsim household`` shows
        it to say why a scheme applies or not)."""
        return f"Eligible for {self.short_label}: {self.eligibility_words}".replace("`", "")

    @property
    def eligibility_words(self) -> str:
        return "; ".join(condition.words for condition in self.eligibility) or "always (no condition)"


def _start(schemes: SchemesFile, scheme: Scheme) -> str:
    """``YYYY_MM_DD`` of the first day on which every parameter the formulas read is defined."""
    used = [parameter for name, parameter in scheme.parameters.items() if name != scheme.take_up]
    if scheme.amount.base:
        used.append(schemes.base_levels[scheme.amount.base])
    return max(parameter.first_date() for parameter in used).strftime("%Y_%m_%d")


def scheme_context(schemes: SchemesFile, scheme: Scheme) -> SchemeContext:
    """The template context of one scheme: its expressions, start date and non-cumulation group."""
    coefficient = scheme.parameters[scheme.amount.coefficient].form if scheme.amount.coefficient else "values"
    context = SchemeContext(
        name=scheme.name,
        label=scheme.label,
        reference=scheme.reference,
        description=scheme.description.strip(),
        entity=scheme.entity,
        start=_start(schemes, scheme),
        eligibility=formulas.conditions(scheme),
        amount=formulas.amount(scheme, coefficient),
        pmt=formulas.pmt_score(scheme) if scheme.pmt else None,
        phase_in=scheme.phase_in,
        take_up=scheme.take_up,
    )
    context.uses_sex = "Sex." in " ".join(e.code for e in [*context.eligibility, context.amount])
    if scheme.non_cumulation:
        members = [other.name for other in schemes.schemes if other.non_cumulation == scheme.non_cumulation]
        position = members.index(scheme.name)
        context.group = scheme.non_cumulation
        context.group_members = members
        context.earlier = members[:position]
        context.later = members[position + 1:]
    return context


def _parameter_example(schemes: SchemesFile) -> str:
    """A parameter path for OpenFisca's web API example: the first dated value list of the first scheme."""
    for scheme in schemes.schemes:
        for name, parameter in scheme.parameters.items():
            if parameter.form == "values":
                return f"schemes.{scheme.name}.{name}"
    return "poverty_line" if schemes.poverty_line.amount is not None else f"schemes.{schemes.schemes[0].name}"


def python_string(text: str, indent: int = 4, width: int = 100) -> str:
    """A Python string literal of ``text``; a long one as implicitly joined pieces inside parentheses, one per line,
    so that generated lines stay within 120 characters."""
    if len(text) <= width - 20:
        return json.dumps(text, ensure_ascii=False)
    pieces = textwrap.wrap(text, width=width, drop_whitespace=False, break_on_hyphens=False)
    inner = " " * (indent + 4)
    return "(\n" + "".join(f"{inner}{json.dumps(piece, ensure_ascii=False)}\n" for piece in pieces) + " " * indent + ")"


def python_list(names: list[str], indent: int = 8) -> str:
    """A Python list of strings; when long, one name per line."""
    if len(json.dumps(names)) <= 50:
        return json.dumps(names, ensure_ascii=False)
    inner = " " * (indent + 4)
    return "[\n" + "".join(f"{inner}{json.dumps(name)},\n" for name in names) + " " * indent + "]"


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
        autoescape=False,  # noqa: S701 - Python and YAML source text, not HTML
    )
    # JSON strings and lists of strings are Python literals too, with the double quotes of the package's style.
    environment.filters["pyrepr"] = lambda value: json.dumps(value, ensure_ascii=False)
    environment.filters["pystr"] = python_string
    environment.filters["pylist"] = python_list
    environment.filters["yamlrepr"] = lambda value: dump(value).removesuffix("\n...\n").strip()
    return environment


def _tidy(text: str) -> str:
    """At most two blank lines in a row, and one final newline (templates with optional blocks leave extra ones)."""
    lines, blank = [], 0
    for line in text.rstrip().splitlines():
        blank = blank + 1 if not line.strip() else 0
        if blank <= 2:
            lines.append(line.rstrip())
    return "\n".join(lines) + "\n"


def package_files(name: str, schemes: SchemesFile, source: str = "a schemes file") -> dict[str, str]:
    """Every file of the package as ``relative path → text`` (nothing written)."""
    if not IDENTIFIER.match(name) or keyword.iskeyword(name):
        raise SchemesFileError(f"package name '{name}' must be a lower-case Python identifier (letters, digits, _)")
    if name in sys.stdlib_module_names or name in TAKEN_NAMES:
        raise SchemesFileError(f"package name '{name}' is a module Python or floorsim already imports: choose another")
    used = uses(schemes)
    contexts = [scheme_context(schemes, scheme) for scheme in schemes.schemes]
    person_inputs = [(column, column) for column in PERSON_COLUMNS if column in used]
    household_inputs = [(column, column) for column in ("region", "urban", "adult_equivalents") if column in used]
    if "welfare" in used:
        household_inputs.append(("household_welfare", schemes.welfare_concept))
    common: dict[str, Any] = {
        "package": name, "country": schemes.country, "currency": schemes.currency, "entities": schemes.entities,
        "schemes": contexts, "uses": used, "regions": schemes.regions, "flags": FLAG_LABELS,
        "welfare_concept": schemes.welfare_concept, "person_inputs": person_inputs,
        "household_inputs": household_inputs, "source": source, "poverty_line": schemes.poverty_line,
        "parameter_example": _parameter_example(schemes),
    }
    environment = _environment()

    def render(template: str, **extra: Any) -> str:
        return _tidy(environment.get_template(template).render(**common, **extra))

    files = {
        "floorsim.yaml": render("floorsim.yaml.jinja"),
        "README.md": render("README.md.jinja"),
        f"{name}/__init__.py": render("package_init.py.jinja"),
        f"{name}/entities.py": render("entities.py.jinja"),
        f"{name}/variables/__init__.py": render("variables_init.py.jinja"),
        f"{name}/variables/_helpers.py": render("helpers.py.jinja"),
        f"{name}/variables/inputs.py": render("inputs.py.jinja"),
        f"{name}/variables/social_transfers.py": render("transfers.py.jinja"),
    }
    if schemes.poverty_line.amount is not None:
        files[f"{name}/parameters/poverty_line.yaml"] = dump(poverty_line_document(schemes))
    header = f"Generated by floorsim new-country from {source}. Values are dated; each carries its reference."
    for level, parameter in schemes.base_levels.items():
        files[f"{name}/parameters/base_levels/{level}.yaml"] = dump(
            parameter_document(parameter, schemes.currency, None), header)
    if schemes.base_levels:
        files[f"{name}/parameters/base_levels/index.yaml"] = dump(
            {"description": "Base levels that the schemes' coefficients multiply"})
    files[f"{name}/parameters/schemes/index.yaml"] = dump({"description": f"Cash schemes of {schemes.country.label}"})
    for scheme, context in zip(schemes.schemes, contexts):
        files[f"{name}/variables/{scheme.name}.py"] = render("scheme.py.jinja", s=context)
        folder = f"{name}/parameters/schemes/{scheme.name}"
        files[f"{folder}/index.yaml"] = dump(
            {"description": scheme.label, "metadata": {"reference": reference_entries(scheme.reference)}})
        for parameter_name, parameter in scheme.parameters.items():
            files[f"{folder}/{parameter_name}.yaml"] = dump(
                parameter_document(parameter, schemes.currency, scheme.reference), header)
        if scheme.examples:
            files[f"{name}/tests/{scheme.name}.yaml"] = dump(
                [example_test(scheme, example) for example in scheme.examples],
                f"{scheme.label}: worked examples of the schemes file ({source}).\n"
                "Expected amounts are the schemes file's, worked out by hand from the parameters' sources.",
            )
    return files


def new_country(name: str, schemes_path: str | Path, out: str | Path) -> list[Path]:
    """Validate ``schemes_path`` and write the package ``name`` into ``out`` (replaced whole, atomically).

    Returns the paths written, relative to ``out``.

    Raises:
        SchemesFileError: the schemes file is invalid or the name is not a Python identifier (nothing written).
    """
    schemes = read_schemes_file(schemes_path)
    files = package_files(name, schemes, source=Path(schemes_path).name)
    with staged_folder(out) as staging:
        for relative, text in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return sorted(Path(relative) for relative in files)
