"""``python -m floorsim``: the ``floorsim`` command line (the same as the console script)."""

from floorsim.simulations.cli import app

app(prog_name="floorsim")
