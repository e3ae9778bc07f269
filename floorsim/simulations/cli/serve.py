"""``floorsim serve``: the workshop web app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from floorsim.simulations.cli.app import app
from floorsim.simulations.cli.options import DEFAULT_COUNTRY, DEFAULT_YEAR
from floorsim.simulations.cli.terminal import reported_errors
from floorsim.simulations.engine.countries import load_country
from floorsim.simulations.errors import FloorsimError


@app.command(
    "serve",
    epilog=(
        "Examples:\n\n"
        "  floorsim serve                                   # http://127.0.0.1:8000 (this machine only)\n\n"
        "  floorsim serve --port 8080 --period 2024\n\n"
        "  floorsim serve --survey my_survey_folder --host 0.0.0.0 --allow-host 192.168.1.20"
        "   # reachable from the network: see docs/web_app.md"
    ),
)
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on (default: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
    country: Annotated[str, typer.Option(help="Default country package (a name or a folder, as --country of run).")] = DEFAULT_COUNTRY,
    survey: Annotated[
        Optional[Path], typer.Option(help="Survey folder offered besides the bundled survey (default: bundled only).")
    ] = None,
    period: Annotated[int, typer.Option(help="Default simulated year.")] = DEFAULT_YEAR,
    jobs: Annotated[int, typer.Option(min=1, help="Worker processes of the engine (1: no parallelism).")] = 2,
    allow_host: Annotated[
        Optional[list[str]],
        typer.Option(
            "--allow-host",
            help="A further name the app may be reached by (Host header), e.g. this machine's address on the "
            "room's network when --host 0.0.0.0; repeatable. localhost, 127.0.0.1, [::1] and --host always are.",
        ),
    ] = None,
) -> None:
    """Start the web app (pages and JSON API, see docs/web_app.md): browse parameters, run reforms, compare saved
    variants, download the workbook and report, check a household's entitlements."""
    with reported_errors():
        from floorsim.simulations.web import serve

        load_country(country)
        if survey is not None and not survey.is_dir():
            raise FloorsimError(f"survey folder not found: {survey}")
        serve(host=host, port=port, country=country, survey=survey, period=period, n_jobs=jobs,
              allowed_hosts=tuple(allow_host or ()))
