"""The FastAPI application of ``floorsim serve``: pages, JSON API (``/api``, OpenAPI at ``/openapi.json``,
interactive documentation at ``/docs`` and ``/redoc``) and static files (Chart.js and the app's own script and style
shipped in the package; the documentation pages' Swagger UI and ReDoc assets from the installed ``fastapi-offline``
package: nothing is loaded from a CDN).

Every request passes the guards of :mod:`floorsim.simulations.web.guards` (Host header, body size, security headers); a
project error raised while serving a request (bad input the validation could not foresee) is answered ``422`` with
its one-line message, never ``500``.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from floorsim.simulations.cli.terminal import PROJECT_ERRORS, one_line
from floorsim.simulations.web import api, pages
from floorsim.simulations.web.guards import MAX_BODY_BYTES, BodyLimit, HostCheck, SecurityHeaders
from floorsim.simulations.web.jobs import JOB_TIMEOUT, Workspace

STATIC = Path(__file__).parent / "static"

__all__ = ["MAX_BODY_BYTES", "create_app", "serve"]


def create_app(
    workspace: Workspace | None = None,
    *,
    warm_up: bool = True,
    host: str = "127.0.0.1",
    port: int | None = None,
    allowed_hosts: Iterable[str] = (),
) -> FastAPI:
    """The app serving ``workspace`` (default: Timor-Leste on the bundled survey, 2025). With ``warm_up`` the
    default setting's engine is built and its baseline run in the worker at start-up. ``host``, ``port`` and
    ``allowed_hosts`` say which ``Host`` headers are served (:class:`~floorsim.simulations.web.guards.HostCheck`; ``port``
    ``None``: any port)."""
    space = workspace or Workspace()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if warm_up:
            space.warm_in_background(space.default)
        yield
        space.close()

    app = FastAPIOffline(
        title="floorsim",
        summary="Social-protection reforms on a household survey: cost, coverage, poverty, inequality",
        description="JSON API of `floorsim serve`. Reforms are parameter changes only; runs are background jobs.",
        version=_version(),
        lifespan=lifespan,
    )
    app.state.workspace = space
    # Added last runs first: the Host check, then the body limit; every response gets the security headers.
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(HostCheck, bound_host=host, port=port, allowed=tuple(allowed_hosts))
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError):
        problems = [
            {"loc": list(p.get("loc", ())), "msg": p.get("msg", ""), "type": p.get("type", "")} for p in error.errors()
        ]
        # A field name is echoed escaped (a key may hold a line break): the message stays one line.
        message = one_line("; ".join(f"{'.'.join(_escaped(part) for part in p['loc'])}: {p['msg']}" for p in problems))
        return JSONResponse({"detail": {"message": message, "problems": problems}}, status_code=422)

    for error_type in PROJECT_ERRORS:
        app.add_exception_handler(error_type, _project_error)

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


async def _project_error(request: Request, error: Exception) -> JSONResponse:
    """A project error that reached the app's edge: the request could not be served as asked (422), with the
    error's one-line message."""
    return JSONResponse({"detail": {"message": one_line(str(error))}}, status_code=422)


def _escaped(part: object) -> str:
    """A part of a field's location as text with control characters escaped (``"\\n"`` for a line break)."""
    return str(part).encode("unicode_escape").decode("ascii")


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("floorsim")
    except metadata.PackageNotFoundError:
        return "unknown"


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    country: str = "timor_leste",
    survey: Path | None = None,
    period: int = 2025,
    n_jobs: int = 2,
    timeout: float = JOB_TIMEOUT,
    allowed_hosts: Iterable[str] = (),
) -> None:
    """Start the app with uvicorn (blocks until interrupted or sent SIGTERM; the worker processes are stopped
    before it returns)."""
    import uvicorn

    from floorsim.surveys.bundled import BUNDLED_SURVEY

    surveys = {"bundled": BUNDLED_SURVEY}
    key = "bundled"
    if survey is not None:
        key = "".join(ch if ch.isalnum() or ch in "_.-" else "_" for ch in Path(survey).resolve().name)[:60] or "survey"
        surveys[key] = Path(survey).resolve()
    space = Workspace(country, key, period, surveys=surveys, n_jobs=n_jobs, timeout=timeout)
    app = create_app(space, host=host, port=port, allowed_hosts=allowed_hosts)
    try:
        uvicorn.run(app, host=host, port=port, log_level="info")
    finally:  # also when uvicorn stops without running the app's shutdown (e.g. the port is taken)
        space.close()
