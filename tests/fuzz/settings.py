"""How many examples the fuzz suite tries: a bounded number in the ordinary suite, many more on demand.

``FLOORSIM_FUZZ_EXAMPLES=N`` sets the examples of every property (``N`` for the cheap ones — readers, mappings,
reforms, assumptions, survey tables — and ``N // 10`` for properties that run a command of the CLI); without it the
ordinary suite's budgets below apply (about a minute for the whole fuzz suite on two cores). Examples are drawn
from a fixed seed (``derandomize``), so a failure in CI is reproduced by the same command.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

ORDINARY_EXAMPLES = 100  # per property on readers and files
ORDINARY_COMMAND_EXAMPLES = 10  # per property that runs a command
_ASKED = os.environ.get("FLOORSIM_FUZZ_EXAMPLES")
EXAMPLES = int(_ASKED) if _ASKED else ORDINARY_EXAMPLES
COMMAND_EXAMPLES = max(1, int(_ASKED) // 10) if _ASKED else ORDINARY_COMMAND_EXAMPLES

_COMMON = dict(
    deadline=None,  # a first call builds the tax-benefit system; timing is not what is tested
    derandomize=not _ASKED,  # CI: the same examples every run; on demand: fresh ones
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,  # no .hypothesis folder in the repository
)
files = settings(max_examples=EXAMPLES, **_COMMON)
"""Settings of the properties over readers and files."""
commands = settings(max_examples=COMMAND_EXAMPLES, **_COMMON)
"""Settings of the properties that run a CLI command."""
