"""`floorsim serve`: options, defaults (127.0.0.1) and errors, without starting a server."""

from __future__ import annotations

from typer.testing import CliRunner

import floorsim.simulations.web
from floorsim.simulations.cli import app

runner = CliRunner()


def test_serve_defaults_to_localhost(monkeypatch):
    calls = []
    monkeypatch.setattr(floorsim.simulations.web, "serve", lambda **kwargs: calls.append(kwargs))
    result = runner.invoke(app, ["serve", "--port", "8765"])
    assert result.exit_code == 0, result.output
    assert calls == [{"host": "127.0.0.1", "port": 8765, "country": "timor_leste", "survey": None, "period": 2025,
                      "n_jobs": 2, "allowed_hosts": ()}]


def test_serve_errors_are_one_line(monkeypatch, tmp_path):
    monkeypatch.setattr(floorsim.simulations.web, "serve", lambda **kwargs: None)
    result = runner.invoke(app, ["serve", "--country", "atlantis"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["serve", "--survey", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "survey folder not found" in result.output


def test_serve_help():
    result = runner.invoke(app, ["serve", "--help"])
    assert result.exit_code == 0 and "--host" in result.output
