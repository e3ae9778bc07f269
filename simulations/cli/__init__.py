"""The floorsim command line: one module per command group."""

from simulations.cli.main import app

__all__ = ["app"]
