"""``floorsim synth``: a synthetic survey from a country profile of published figures, with its calibration report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from floorsim.simulations.cli.app import app
from floorsim.simulations.cli.terminal import console, progress_wanted, reported_errors


@app.command(
    "synth",
    epilog=(
        "Examples:\n\n"
        "  floorsim synth viet_nam --out viet_nam_survey       # a profile shipped with floorsim, by name\n\n"
        "  floorsim synth my_profile.yaml --out my_survey --households 20000 --seed 7\n\n"
        "The profile format: docs/country_profile.md."
    ),
)
def synth_command(
    profile: Annotated[Path, typer.Argument(help="Country profile (YAML): published figures, each with its source; or the name of a "
                                     "profile shipped with floorsim (viet_nam, ...).")],
    out: Annotated[Path, typer.Option(help="Survey folder to write (replaced if it holds a survey).")],
    households: Annotated[int, typer.Option(help="Households to generate (at least 600).")] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed of the random generator (same seed, same survey).")] = 1,
) -> None:
    """Generate a synthetic survey calibrated to a country profile; write it (households.parquet, persons.parquet)
    and its calibration report (calibration_report.csv: each target, achieved value, gap), and print the report."""
    from floorsim.simulations.analysis.phases import Phases
    from floorsim.surveys.synthetic import format_table
    from floorsim.surveys.synthetic.targets import PROFILES
    from floorsim.surveys.synthetic.writer import REPORT_FILE, synthesise

    if not profile.exists() and not profile.suffix and (PROFILES / f"{profile}.yaml").is_file():
        profile = PROFILES / f"{profile}.yaml"  # a shipped profile by name, installed or not
    with reported_errors(OSError):
        phases = Phases(show=progress_wanted())  # shown on a terminal (not under -q); the survey holds no timings
        survey, report = synthesise(profile, out, households, seed, phase=phases.phase)
    console.print(
        f"wrote {out}: {len(survey):,} households, {len(survey.persons):,} persons (SYNTHETIC; seed {seed}); "
        f"calibration report {out / REPORT_FILE}",
        markup=False,
        soft_wrap=True,
    )
    typer.echo(format_table(report))
