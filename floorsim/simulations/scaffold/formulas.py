"""The Python expressions of generated formulas: one condition or amount of the schemes file → source text.

Each function returns an expression as a person would write it in an OpenFisca formula (``person("age", period)
>= p.minimum_age``), with ``p`` the scheme's parameter node at the period, and a sentence saying the same in words
for the formula's docstring.
"""

from __future__ import annotations

from dataclasses import dataclass

from floorsim.simulations.scaffold.schemes_file import Condition, Scheme

# Washington Group cut-offs on the 0-3 scale (floorsim/surveys/model.py): "any" disability is a lot of difficulty or more
# (level 2+, the Washington Group's recommended disability identifier), "severe" is cannot do at all (level 3).
DISABILITY_LEVELS = {"any": ("has_disability", 2), "severe": ("has_severe_disability", 3)}
HOUSEHOLD_VARIABLES = {
    "welfare_per_capita_below": ("welfare_per_capita", "welfare per person"),
    "welfare_per_adult_equivalent_below": ("welfare_per_adult_equivalent", "welfare per adult equivalent"),
}
FLAG_WORDS = {
    "pregnant": "pregnant",
    "orphan": "orphan (mother or father or both dead)",
    "gave_birth": "gave birth in the last 12 months",
    "in_school": "in school",
}


@dataclass(frozen=True)
class Expression:
    """Source text of a boolean or numeric array expression, and the rule in words."""

    code: str
    words: str
    setup: str = ""  # a statement the expression needs before it (e.g. ``counted = ...``), or nothing


def person_condition(condition: Condition, subject: str) -> Expression:
    """A condition on a person; ``subject`` is ``person`` or ``household.members`` (a condition on each member)."""
    kind, argument = condition.kind, condition.argument

    def value(variable: str) -> str:
        return f'{subject}("{variable}", period)'

    if kind == "age_at_least":
        return Expression(f"({value('age')} >= p.{argument})", f"age at least `{argument}`")
    if kind == "age_below":
        return Expression(f"({value('age')} < p.{argument})", f"age below `{argument}`")
    if kind == "sex":
        return Expression(f"({value('sex')} == Sex.{argument})", argument)
    if kind == "disability":
        variable, level = DISABILITY_LEVELS[argument]
        words = "a disability" if argument == "any" else "a severe disability"
        return Expression(value(variable), f"{words} (Washington Group level {level} or more)")
    return Expression(value(kind), FLAG_WORDS[kind])


def household_condition(scheme: Scheme, condition: Condition, subject: str) -> Expression:
    """A condition on the household; ``subject`` is ``household`` or ``person.household`` (the person's own)."""
    kind, argument = condition.kind, condition.argument
    if kind in HOUSEHOLD_VARIABLES:
        variable, words = HOUSEHOLD_VARIABLES[kind]
        return Expression(f'({subject}("{variable}", period) < p.{argument})', f"{words} below `{argument}`")
    if kind == "pmt_score_below":
        return Expression(
            f'({subject}("{scheme.name}_pmt_score", period) < p.{argument})',
            f"proxy-means-test score below `{argument}`",
        )
    if kind == "region_rolled_out":
        return Expression(f'p.{argument}[{subject}("region", period)]', f"region reached (`{argument}`)")
    members = [person_condition(member, "household.members") for member in condition.any_member or []]
    code = " & ".join(member.code for member in members)
    return Expression(f"household.any({code})", "a member with " + " and ".join(m.words for m in members))


def conditions(scheme: Scheme) -> list[Expression]:
    """Every eligibility condition of the scheme as an expression on the scheme's entity."""
    found = []
    for condition in scheme.eligibility:
        if scheme.entity == "person" and condition.kind not in HOUSEHOLD_VARIABLES and condition.kind not in (
            "pmt_score_below", "region_rolled_out"
        ):
            found.append(person_condition(condition, "person"))
        else:
            found.append(household_condition(scheme, condition, "person.household" if scheme.entity == "person"
                                             else "household"))
    return found


def amount(scheme: Scheme, coefficient_form: str) -> Expression:
    """The monthly amount of an eligible person or household, before phase-in."""
    given = scheme.amount
    subject = scheme.entity
    if given.form == "flat":
        return Expression(f"p.{given.flat}", f"a flat `{given.flat}`")
    if given.form == "by_age":
        return Expression(f'p.{given.by_age}.calc({subject}("age", period))', f"`{given.by_age}` by age band")
    if given.form == "by_household_size":
        return Expression(
            f'p.{given.by_household_size}.calc(household("household_size", period))',
            f"`{given.by_household_size}` by household size (the last size listed stands for larger households)",
        )
    if given.form == "coefficient":
        coefficient = (f'p.{given.coefficient}.calc({subject}("age", period))' if coefficient_form == "brackets"
                       else f"p.{given.coefficient}")
        return Expression(
            f"base * {coefficient}",
            f"base level `{given.base}` times coefficient `{given.coefficient}`",
            f"base = parameters(period).base_levels.{given.base}",
        )
    members = [person_condition(member, "household.members") for member in given.members]
    counted = " & ".join(member.code for member in members)
    setup = f"counted = household.sum({counted})" if members else 'counted = household("household_size", period)'
    words = "each member with " + " and ".join(m.words for m in members) if members else "each member"
    count = "counted"
    if given.cap:
        count = f"np.minimum(counted, p.{given.cap})"
        words += f", at most `{given.cap}` members"
    return Expression(f"{count} * p.{given.per_member}", f"`{given.per_member}` for {words}", setup)


def pmt_score(scheme: Scheme) -> Expression:
    """The proxy-means-test score: intercept + Σ weight × term, terms read from the household."""
    assert scheme.pmt is not None
    terms = {
        "household_size": 'household("household_size", period)',
        "urban": 'household("urban", period)',
        "members_with_disability": 'household.sum(household.members("has_disability", period))',
        "members_aged_under_15": 'household.sum(household.members("age", period) < 15)',
        "members_aged_65_or_over": 'household.sum(household.members("age", period) >= 65)',
    }
    parts = [f"p.{scheme.pmt.intercept}"] + [
        f"p.{weight} * {terms[term]}" for term, weight in scheme.pmt.weights.items()
    ]
    words = f"`{scheme.pmt.intercept}` + " + " + ".join(f"`{w}` × {t}" for t, w in scheme.pmt.weights.items())
    return Expression("\n            + ".join(parts), words)
