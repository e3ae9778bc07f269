"""``floorsim serve``: a local web app (FastAPI, server-rendered pages, bundled Chart.js) and its JSON API."""

from floorsim.simulations.web.app import create_app, serve

__all__ = ["create_app", "serve"]
