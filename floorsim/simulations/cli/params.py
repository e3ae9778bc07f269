"""``floorsim params``: browse a country package's parameter tree (values at a date, units, references, history)."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from floorsim.simulations.cli.app import app
from floorsim.simulations.cli.options import DEFAULT_COUNTRY, CountryOption, JsonOption
from floorsim.simulations.cli.terminal import console, reported_errors
from floorsim.simulations.explain import parameters as parameters_browser
from floorsim.simulations.reports.numbers import format_parameter_value, format_unit
from floorsim.simulations.engine.countries import load_country
from floorsim.simulations.errors import FloorsimError


@app.command(
    "params",
    epilog=(
        "Examples:\n\n"
        "  floorsim params benefits.saii\n\n"
        "  floorsim params benefits.saii.amount --history\n\n"
        "  floorsim params benefits --date 2023-06-01\n\n"
        "  floorsim params --search 'poverty line' --json"
    ),
)
def params_command(
    path: Annotated[
        Optional[str], typer.Argument(help="Dotted path in the parameter tree, e.g. benefits.saii (default: all).")
    ] = None,
    country: CountryOption = DEFAULT_COUNTRY,
    date: Annotated[
        Optional[str], typer.Option(help="Date of the values shown: YYYY-MM-DD, YYYY-MM or YYYY. Default: today.")
    ] = None,
    history: Annotated[bool, typer.Option("--history", help="Every dated value with its reference.")] = False,
    search: Annotated[
        Optional[str], typer.Option(help="Words to find in parameter names and descriptions (all must match).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Browse a country package's parameters: values at a date, units, references, history; search them."""
    with reported_errors():
        if history and search:
            raise FloorsimError("give --history or --search, not both")
        from floorsim.simulations.engine.scenarios import baseline_system

        load_country(country)
        parameters = baseline_system(country).parameters
        when = parameters_browser.parse_date(date)
        if history:
            rows = parameters_browser.history(parameters, path)
        elif search is not None:
            entries = parameters_browser.search(parameters, search, when, path)
        else:
            entries = parameters_browser.list_subtree(parameters, path, when)
    if history:
        if as_json:
            data = {"country": country, "path": path or "", "history": [row.to_dict() for row in rows]}
            typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        else:
            print_parameter_history(rows, path or "")
        return
    if as_json:
        data = {"country": country, "date": when.isoformat(), "path": path or "", "search": search,
                "entries": [entry.to_dict() for entry in entries]}
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    elif search is None and len(entries) == 1 and entries[0].kind != "node":
        print_parameter(entries[0], when)
    else:
        title = f"Parameters matching '{search}'" if search is not None else f"Parameters under {path or 'the root'}"
        print_parameter_table(entries, f"{title} ({country}, values on {when.isoformat()})")


def _reference_lines(references: list, short: bool = False) -> str:
    """References as bullet lines: the title (a terminal link to the source) and, unless ``short``, the address;
    ``short`` also cuts long titles."""
    lines = []
    for reference in references:
        title = reference.title if not short or len(reference.title) <= 70 else reference.title[:69] + "…"
        title = escape(title)
        if reference.href:
            address = "" if short else f" ({escape(reference.href)})"
            lines.append(f"• [link={reference.href}]{title}[/link]{address}")
        else:
            lines.append(f"• {title}")
    return "\n".join(lines)


def print_parameter(entry: parameters_browser.ParameterEntry, when) -> None:
    """One parameter or scale: description, value at the date, unit, number of values, references, documentation."""
    table = Table(title=f"{entry.path}", show_header=False)
    table.add_column("Field", style="bold")
    table.add_column("Value")
    value = format_parameter_value(entry.value)
    since = f" (since {entry.since})" if entry.since else " (not in force on this date)"
    table.add_row("Description", escape(entry.description))
    table.add_row(f"Value on {when.isoformat()}", escape(value + since))
    table.add_row("Unit", escape(format_unit(entry.unit)))
    table.add_row("Dated values", f"{entry.values_count} (see --history)")
    table.add_row("References", _reference_lines(entry.references))
    if entry.documentation:
        table.add_row("Documentation", escape(entry.documentation))
    console.print(table)


def print_parameter_table(entries: list, title: str) -> None:
    """Folders, parameters and scales, one row each: value (unit, since when, how many dated values), description
    and reference titles (terminal links)."""
    table = Table(title=title, caption="Full references and documentation: floorsim params PATH (or --json)")
    table.add_column("Parameter", overflow="fold", ratio=3)
    table.add_column("Value", overflow="fold", ratio=2)
    table.add_column("Description and references", ratio=4)
    for entry in entries:
        if entry.kind == "node":
            table.add_row(f"[bold]{escape(entry.path)}[/bold]", "", f"[dim]{escape(entry.description)}[/dim]")
            continue
        unit = format_unit(entry.unit)
        separator = "\n" if entry.kind == "scale" else " "
        value = escape(format_parameter_value(entry.value) + (f"{separator}{unit}" if unit else ""))
        since = f"since {entry.since}" if entry.since else "not in force"
        value += f"\n[dim]{since} · {entry.values_count} value{'s' if entry.values_count != 1 else ''}[/dim]"
        text = escape(entry.description)
        if entry.references:
            text += "\n[dim]" + _reference_lines(entry.references, short=True) + "[/dim]"
        table.add_row(escape(entry.path), value, text)
    if not entries:
        table.caption = "nothing found"
    console.print(table)


def print_parameter_history(rows: list, path: str) -> None:
    """Every dated value (of every parameter under ``path``) with its references."""
    several = len({row.path for row in rows}) > 1
    table = Table(title=f"History of {path or 'every parameter'}")
    if several:
        table.add_column("Parameter", overflow="fold")
    table.add_column("From")
    table.add_column("Value", justify="right")
    table.add_column("References")
    for row in rows:
        references = _reference_lines(row.references)
        if not row.own_reference and references:
            references = "[dim](the parameter's references)[/dim]\n" + references
        cells = [row.start, escape(format_parameter_value(row.value)), references]
        table.add_row(*([escape(row.path)] if several else []), *cells)
    console.print(table)
