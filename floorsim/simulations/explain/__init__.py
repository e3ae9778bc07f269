"""The single-household explainer ("single window"): ``household.py`` gathers its public names; the work is split
by job into ``household_file.py`` (reading and checking a household), ``period.py``, ``situation.py`` (the OpenFisca
simulation), ``trace.py`` and ``reasons.py`` (why a programme pays or not), ``programme.py`` (one programme),
``report.py`` (the result data), ``json_values.py`` and ``formatting.py`` (text for any front end)."""
