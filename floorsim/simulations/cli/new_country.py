"""``floorsim new-country``: a schemes file becomes an OpenFisca country package (``floorsim/simulations/scaffold``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from floorsim.simulations.cli.app import app
from floorsim.simulations.cli.terminal import console, reported_errors
from floorsim.simulations.scaffold.generate import new_country


@app.command(
    "new-country",
    epilog=(
        "Examples:\n\n"
        "  floorsim new-country examplia --schemes examplia_schemes.yaml --out examplia\n\n"
        "  floorsim run --country examplia --survey SURVEY_FOLDER --reform REFORM.yaml\n\n"
        "The schemes file format: docs/schemes_file.md."
    ),
)
def new_country_command(
    name: Annotated[str, typer.Argument(help="Python name of the package (lower case, letters, digits, _).")],
    schemes: Annotated[Path, typer.Option(help="Schemes file (YAML, docs/schemes_file.md).")],
    out: Annotated[Path, typer.Option(help="Folder to write (floorsim.yaml + the package); replaced if it exists.")],
) -> None:
    """Write an OpenFisca country package from a schemes file: entities, one variable file per scheme, dated and
    referenced YAML parameters, YAML tests from the worked examples, and floorsim.yaml (written all or nothing)."""
    with reported_errors(OSError):
        written = new_country(name, schemes, out)
    python_files = sum(1 for path in written if path.suffix == ".py")
    console.print(
        f"Wrote {len(written)} files ({python_files} Python) into {escape(str(out))}; its README.md says how to "
        f"run its worked examples with openfisca test and the package with floorsim run --country.",
        highlight=False,
    )
