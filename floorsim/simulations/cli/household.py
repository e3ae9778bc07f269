"""``floorsim household``: every programme for one household, and why each does or does not apply ("single window")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from floorsim.simulations.cli.app import app
from floorsim.simulations.cli.options import DEFAULT_COUNTRY, CountryOption, JsonOption
from floorsim.simulations.cli.terminal import console, reported_errors
from floorsim.simulations.errors import FloorsimError
from floorsim.simulations.engine.countries import load_country
from floorsim.simulations.explain import household as single_household
from floorsim.simulations.explain.household_file import group_id
from floorsim.simulations.projections.simulated_year import check_period_covered


@app.command(
    "household",
    epilog=(
        "Examples:\n\n"
        "  floorsim household --person age=72 --period 2024-03\n\n"
        "  floorsim household --person age=30,pregnant=true --person age=1 --household municipality=Ainaro "
        "--period 2023-05\n\n"
        "  floorsim household my_household.yaml --period 2024\n\n"
        "  floorsim household my_household.yaml --period 2025-03 --reform my_reform.yaml --json"
    ),
)
def household_command(
    file: Annotated[
        Optional[Path],
        typer.Argument(help="Household file (YAML/JSON): 'persons' with their inputs, 'household' inputs, 'period'."),
    ] = None,
    person: Annotated[
        Optional[list[str]],
        typer.Option("--person", help="A person as NAME=VALUE pairs, e.g. age=67,sex=male; repeatable."),
    ] = None,
    household: Annotated[
        Optional[list[str]],
        typer.Option("--household", help="Household inputs as NAME=VALUE pairs, e.g. municipality=Ainaro."),
    ] = None,
    country: CountryOption = DEFAULT_COUNTRY,
    period: Annotated[
        Optional[str],
        typer.Option(
            help="Month (2025-03), or year (2025: amounts summed over its months). Default: the file's period, "
            "else the current month of the latest year the package has legislation for."
        ),
    ] = None,
    reform: Annotated[
        Optional[list[Path]],
        typer.Option(help="Reform to compare with: a YAML/JSON file, or a reform shipped with the package by name "
                     "(e.g. saii_increase); repeatable."),
    ] = None,
    depth: Annotated[
        int, typer.Option(help="How far down the formulas the explanation goes (1: the direct inputs).")
    ] = single_household.DEFAULT_DEPTH,
    brief: Annotated[bool, typer.Option("--brief", help="Amounts and verdicts only, without the details.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Amounts under every programme of a country package for one household, and why each does or does not apply."""
    from openfisca_core.errors import ParameterNotFoundError

    with reported_errors():
        described = single_household.load_household(country, file, person or (), household or ())
        when = str(period or described.period or "")
        if when[:4].isdigit():  # rules frozen after their last dated value would be explained as if still in force
            check_period_covered(load_country(country), int(when[:4]), rules_only=True)
        try:
            report = single_household.simulate_household(country, described, period, _reforms(country, reform),
                                                         depth)
        except ParameterNotFoundError as error:  # a period before the package's legislation (e.g. 1999-01)
            raise FloorsimError(
                f"period {period or described.period}: {str(error).strip()} The package has no rules for that "
                "date: choose a later period."
            ) from None
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    print_household(report, details=not brief)


def print_household(report: single_household.HouseholdReport, details: bool = True) -> None:
    """The single-window table (amounts and verdicts per programme) and, with ``details``, the explanation trees."""
    baseline, reforms = report.scenarios[0], report.scenarios[1:]
    per = "a month" if report.period_unit == "month" else "over the year (sum of the months)"

    def listing(values: dict) -> str:
        return ", ".join(f"{key} {single_household.format_value(value)}" for key, value in values.items())

    def groups(name: str) -> str:  # e.g. "foyer_fiscal_2 declarant_principal"
        return ", ".join(f"{found['group']} {found['role']}" for found in report.person_groups(name).values())

    people = ", ".join(
        f"{p.name} ({', '.join(filter(None, [report.roles[p.name], groups(p.name), listing(p.inputs)]))})"
        for p in report.household.persons
    )
    caption = f"Persons: {people}."
    if report.household.inputs:
        caption += f" Household: {listing(report.household.inputs)}."
    for entity, given in report.household.groups.items():
        for key, values in given.items():
            caption += f" {group_id(entity, key)}: {listing(values)}."
    if report.defaults_used:
        caption += f"\nNot given (for some or all persons), so defaults were used: {listing(report.defaults_used)}."
    table = Table(
        title=f"{report.country_label}, {report.period}: one household, amounts in {report.currency} {per}",
        caption=escape(caption),
    )
    table.add_column("Programme")
    table.add_column("Baseline" if reforms else "Amount", justify="right")
    for scenario in reforms:
        table.add_column(scenario.name, justify="right")
        table.add_column("Change", justify="right")
    table.add_column("Why", overflow="fold")
    fmt = single_household.format_money
    for index, programme in enumerate(baseline.programmes):
        cells = [f"{escape(programme.label)}\n[dim]{programme.name}[/dim]", fmt(programme.amount)]
        why = _verdict_lines(programme, report)
        for scenario in reforms:
            changed = scenario.programmes[index]
            cells += [fmt(changed.amount), fmt(changed.amount - programme.amount)]
            if changed.amount != programme.amount:
                base_lines = set(_verdict_lines(programme, report))
                why += [
                    f"[bold]{escape(scenario.name)}[/bold]: {line}"
                    for line in _verdict_lines(changed, report)
                    if line not in base_lines
                ]
        table.add_row(*cells, "\n".join(why))
    total = ["[bold]Total[/bold]", f"[bold]{fmt(baseline.total)}[/bold]"]
    for scenario in reforms:
        total += [f"[bold]{fmt(scenario.total)}[/bold]", f"[bold]{fmt(scenario.total - baseline.total)}[/bold]"]
    table.add_row(*total, "")
    console.print(table)
    if not details:
        return
    for scenario in report.scenarios:
        for index, programme in enumerate(scenario.programmes):
            if scenario is not baseline and programme.amount == baseline.programmes[index].amount:
                continue
            console.print()
            console.print(_explanation_tree(programme, scenario.name if scenario is not baseline else "", report))


def _verdict_lines(programme: single_household.ProgrammeResult, report: single_household.HouseholdReport) -> list[str]:
    return [escape(line) for line in single_household.format_verdicts(programme.verdicts, report.currency)]


def _explanation_tree(programme, scenario: str, report: single_household.HouseholdReport) -> Tree:
    shown = programme.amounts.get(single_household.HOUSEHOLD_ID, programme.amounts)
    amounts = f"{single_household.format_value(shown)} {report.currency}"
    under = f" under {scenario}" if scenario else ""
    tree = Tree(f"[bold]{escape(programme.label)}[/bold]{escape(under)}: {programme.variable} = {escape(amounts)}")
    parents = {0: tree}
    for factor in programme.factors:
        parent = parents.get(factor.depth - 1, tree)
        text = f"{escape(factor.name)} = [bold]{escape(single_household.format_factor_values(factor))}[/bold]"
        if factor.kind == "variable" and factor.label != factor.name:
            text += f"  [dim]{escape(factor.label)}[/dim]"
        parents[factor.depth] = parent.add(text)
    return tree


def _reforms(country: str, values: list[Path] | None) -> list:
    """The reforms to compare with: a reform of parameter changes named as ``floorsim run --reform`` names it (a file
    or a reform shipped with the package) becomes its ReformSpec; anything else is passed on as given."""
    from floorsim.simulations.engine.reforms import ReformSpec
    from floorsim.simulations.engine.scenarios import resolve_reform

    chosen: list = []
    for value in values or ():
        named = resolve_reform(value, load_country(country))
        single = len(named.steps) == 1 and isinstance(named.steps[0], ReformSpec)
        chosen.append(named.steps[0] if single else value)
    return chosen
