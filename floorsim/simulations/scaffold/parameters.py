"""Parameter and test files of a generated package, as YAML text in OpenFisca's own formats.

A parameter value carries its reference in ``metadata.reference`` as in ``floorsim/country_packages/timor_leste``; a value
the schemes file gives without a reference gets the visible marker :data:`MISSING_REFERENCE` instead, which
``floorsim.simulations.engine.countries`` looks for to warn on every run until it is replaced.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from floorsim.simulations.engine.countries import MISSING_REFERENCE
from floorsim.simulations.scaffold.schemes_file import DatedValue, Example, Scheme, SchemeParameter, SchemesFile

UNITS = {"year": "year", "person": "person", "/1": "/1", "boolean": "boolean", "score": "score"}
URL = re.compile(r"https?://\S+")


def reference_entries(reference: str | None) -> list[dict[str, str]]:
    """``[{title, href}]`` from a reference text (its first URL becomes ``href``), or the TODO marker."""
    if not reference:
        return [{"title": f"{MISSING_REFERENCE}: add the legal text or official document of this value"}]
    entry = {"title": reference}
    url = URL.search(reference)
    if url:
        entry["href"] = url.group(0).rstrip(".,;)")
    return [entry]


def _unit(parameter: SchemeParameter, currency: str) -> str:
    return f"currency-{currency}" if parameter.unit == "currency" else UNITS[parameter.unit]


def _values(values: list[DatedValue]) -> dict[str, Any]:
    return {
        value.date.isoformat(): {"value": value.value, "metadata": {"reference": reference_entries(value.reference)}}
        for value in sorted(values, key=lambda value: value.date)
    }


def parameter_document(parameter: SchemeParameter, currency: str, scheme_reference: str | None) -> dict[str, Any]:
    """The OpenFisca YAML document of one parameter: a dated value list, a single-amount scale or a region node.

    ``scheme_reference`` (the scheme's legal basis) heads the file; a shared base level has none, its values
    carrying their own references.
    """
    metadata: dict[str, Any] = {"reference": reference_entries(scheme_reference)} if scheme_reference else {}
    if parameter.documentation:
        metadata["documentation"] = parameter.documentation
    if parameter.form == "values":
        metadata["unit"] = _unit(parameter, currency)
        return {"description": parameter.description, "metadata": metadata, "values": _values(parameter.values or [])}
    if parameter.form == "brackets":
        metadata.update({"type": "single_amount", "amount_unit": _unit(parameter, currency)})
        brackets = [
            {
                "threshold": {min(value.date for value in bracket.values).isoformat(): {"value": bracket.threshold}},
                "amount": _values(bracket.values),
            }
            for bracket in parameter.brackets or []
        ]
        return {"description": parameter.description, "metadata": metadata, "brackets": brackets}
    metadata["unit"] = _unit(parameter, currency)
    document: dict[str, Any] = {"description": parameter.description, "metadata": metadata}
    for region, values in (parameter.by_region or {}).items():
        document[region] = {"values": _values(values)}
    return document


def poverty_line_document(schemes: SchemesFile) -> dict[str, Any]:
    """The poverty line parameter (per person per month, in the prices of its date)."""
    line = schemes.poverty_line
    return {
        "description": line.description,
        "metadata": {"unit": f"currency-{schemes.currency}", "period": "month",
                     "reference": reference_entries(line.reference)},
        "values": {line.date.isoformat(): {"value": line.amount,
                                           "metadata": {"reference": reference_entries(line.reference)}}},
    }


def dump(document: Any, header: str = "") -> str:
    """YAML text of ``document`` in the order given, Unicode kept, after a ``#`` comment header."""
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120, default_flow_style=False)
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comment + body


PERSON_FIELDS = ("age", "sex", "disability_severity", "pregnant", "in_school", "gave_birth", "orphan")


def example_test(scheme: Scheme, example: Example) -> dict[str, Any]:
    """One OpenFisca YAML test from a worked example: the household, the month, and the scheme's expected total."""
    persons = {
        f"p{position}": {name: getattr(person, name) for name in PERSON_FIELDS if getattr(person, name) is not None}
        for position, person in enumerate(example.household.persons, start=1)
    }
    names = list(persons)
    household: dict[str, Any] = {"heads": names[:1], "other_members": names[1:]}
    given = example.household
    for field, variable in (("region", "region"), ("urban", "urban"), ("welfare", "household_welfare"),
                            ("adult_equivalents", "adult_equivalents")):
        if getattr(given, field) is not None:
            household[variable] = getattr(given, field)
    output = scheme.name if scheme.entity == "household" else f"household_{scheme.name}"
    test = {"name": example.name, "period": example.period, "absolute_error_margin": 0.01,
            "input": {"persons": persons, "households": {"h1": household}}, "output": {output: example.expected}}
    if example.note:
        test["description"] = example.note
    return test
