"""The FastAPI application of ``floorsim serve``: pages, JSON API (``/api``, OpenAPI at ``/openapi.json`` and
``/docs``) and static files (Chart.js and the app's own script and style, shipped in the package: no CDN)."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from simulations.web import api, pages
from simulations.web.jobs import JOB_TIMEOUT, Workspace

STATIC = Path(__file__).parent / "static"
MAX_BODY_BYTES = 256 * 1024


def create_app(workspace: Workspace | None = None, *, warm_up: bool = True) -> FastAPI:
    """The app serving ``workspace`` (default: Timor-Leste on the bundled survey, 2025). With ``warm_up`` the
    default setting's engine is built and its baseline run in the background at start-up."""
    space = workspace or Workspace()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if warm_up:
            space._executor.submit(space.warm, space.default)
        yield
        space.close()

    app = FastAPI(
        title="floorsim",
        summary="Social-protection reforms on a household survey: cost, coverage, poverty, inequality",
        description="JSON API of `floorsim serve`. Reforms are parameter changes only; runs are background jobs.",
        version=_version(),
        lifespan=lifespan,
    )
    app.state.workspace = space

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return JSONResponse({"detail": {"message": f"request body over {MAX_BODY_BYTES} bytes"}}, status_code=413)
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError):
        problems = [
            {"loc": list(p.get("loc", ())), "msg": p.get("msg", ""), "type": p.get("type", "")} for p in error.errors()
        ]
        message = "; ".join(f"{'.'.join(map(str, p['loc']))}: {p['msg']}" for p in problems)
        return JSONResponse({"detail": {"message": message, "problems": problems}}, status_code=422)

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


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
) -> None:
    """Start the app with uvicorn (blocks until interrupted)."""
    import uvicorn

    from surveys.bundled import BUNDLED_SURVEY

    surveys = {"bundled": BUNDLED_SURVEY}
    key = "bundled"
    if survey is not None:
        key = "".join(ch if ch.isalnum() or ch in "_.-" else "_" for ch in Path(survey).resolve().name)[:60] or "survey"
        surveys[key] = Path(survey).resolve()
    space = Workspace(country, key, period, surveys=surveys, n_jobs=n_jobs, timeout=timeout)
    uvicorn.run(create_app(space), host=host, port=port, log_level="info")
