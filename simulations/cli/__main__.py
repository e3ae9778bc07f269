"""``python -m simulations.cli``: the ``floorsim`` command line."""

from simulations.cli import app

app(prog_name="floorsim")
