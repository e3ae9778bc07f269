"""``floorsim diff`` and ``floorsim golden``: what a change to a country package does (docs/regression_testing.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from floorsim.simulations.cli.app import app
from floorsim.simulations.cli.options import DEFAULT_COUNTRY, DEFAULT_YEAR, CountryOrConfigOption
from floorsim.simulations.cli.terminal import fail, progress_wanted, reported_errors


DIFF_MARKER = "diff.json"  # the file an earlier --out of floorsim diff holds (it may be replaced)


@app.command(
    "diff",
    epilog=(
        "Examples:\n\n"
        "  floorsim diff origin/main HEAD\n\n"
        "  floorsim diff HEAD . --period 2024,2025 --out diff-report\n\n"
        "  floorsim diff old_copy/timor_leste floorsim/country_packages/timor_leste --json\n\n"
        "  floorsim diff origin/main HEAD --fail-if 'total_cost:rel>0.05' --fail-if 'poverty_headcount:abs>0.005'"
    ),
)
def diff_command(
    old: Annotated[str, typer.Argument(help="Old version: a git revision (e.g. origin/main) or a folder with the package.")],
    new: Annotated[
        str, typer.Argument(help="New version: a git revision (e.g. HEAD) or a folder ('.' for the working tree).")
    ],
    country: CountryOrConfigOption = DEFAULT_COUNTRY,
    period: Annotated[
        Optional[list[str]], typer.Option(help="Simulated year; repeatable or comma-separated (2024,2025).")
    ] = None,
    survey: Annotated[
        Optional[Path], typer.Option(help="Survey folder in floorsim's format (default: the bundled survey).")
    ] = None,
    out: Annotated[Optional[Path], typer.Option(help="Folder to write diff.md and diff.json to.")] = None,
    fail_if: Annotated[
        Optional[list[str]],
        typer.Option(
            "--fail-if",
            help="Exit with status 1 when a figure's change exceeds a threshold: FIGURE:rel>X (relative to the old "
            "value) or FIGURE:abs>X (figure units; rates as fractions); repeatable.",
        ),
    ] = None,
    repo: Annotated[
        Optional[Path], typer.Option(help="Git repository of the revisions (default: the one holding this folder).")
    ] = None,
    jobs: Annotated[int, typer.Option(help="Worker processes for each version's run (1: sequential).")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of Markdown.")] = False,
) -> None:
    """Compare two versions of a country package: parameters and variables changed, and the impact on the survey."""
    from floorsim.simulations.regression import diff as package_diff
    from floorsim.surveys.atomic import check_output_folder, staged_folder

    try:
        periods = [int(part) for item in (period or [str(DEFAULT_YEAR)]) for part in item.split(",") if part.strip()]
    except ValueError:
        fail(f"error: --period takes years, e.g. 2025 or 2024,2025; got {period}")
    with reported_errors(OSError):
        if out is not None:
            check_output_folder(out, DIFF_MARKER)  # fail before two runs, not after
        report = package_diff.run_diff(
            old, new, country=country, periods=periods, survey=survey, repo=repo, jobs=jobs, fail_if=fail_if or ()
        )
    markdown = package_diff.render_markdown(report)
    document = json.dumps(report, indent=2, ensure_ascii=False, default=str)
    if out is not None:
        with reported_errors(OSError), staged_folder(out, marker=DIFF_MARKER) as staging:  # all or nothing
            (staging / "diff.md").write_text(markdown, encoding="utf-8")
            (staging / "diff.json").write_text(document + "\n", encoding="utf-8")
    typer.echo(document if as_json else markdown, nl=as_json)
    if report["failed"]:
        breached = [f"{row['threshold']} in {row['period']}" for row in report["thresholds"] if row["breached"]]
        fail(f"thresholds breached: {', '.join(breached)}", code=1)


@app.command(
    "golden",
    epilog=(
        "Examples:\n\n"
        "  floorsim golden\n\n"
        "  floorsim golden --update\n\n"
        "  floorsim golden --update --year 2024 --year 2025"
    ),
)
def golden_command(
    country: CountryOrConfigOption = DEFAULT_COUNTRY,
    update: Annotated[bool, typer.Option("--update", help="Regenerate the snapshot instead of checking it.")] = False,
    snapshot: Annotated[
        Optional[Path], typer.Option(help="Snapshot file (default: regression/golden.json beside floorsim.yaml).")
    ] = None,
    year: Annotated[
        Optional[list[int]], typer.Option(help="Reference year for --update; repeatable (default: the snapshot's).")
    ] = None,
    survey: Annotated[
        Optional[Path], typer.Option(help="Survey folder (default: the country's bundled survey).")
    ] = None,
) -> None:
    """Check the headline figures of the baseline and every library reform against the committed snapshot."""
    from floorsim.simulations.analysis.phases import Phases
    from floorsim.simulations.regression import golden

    with reported_errors():  # phases shown on a terminal (not under -q)
        code = golden.run(country, update=update, snapshot=snapshot, years=year, survey=survey,
                          phases=Phases(show=progress_wanted()))
    if code:
        raise typer.Exit(code=code)
