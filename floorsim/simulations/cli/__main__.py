"""``python -m floorsim.simulations.cli``: the ``floorsim`` command line."""

from floorsim.simulations.cli import app

app(prog_name="floorsim")
