"""The worked analysis in notebooks/ runs end to end (so that it never rots) and writes its files."""

from __future__ import annotations

import runpy

from simulations.projections import FILES
from tests.projections.helpers import REPOSITORY

SCRIPT = REPOSITORY / "notebooks" / "projection_timor_leste_2035.py"


def test_projection_script_runs_and_writes_its_outputs(tmp_path, capsys):
    namespace = runpy.run_path(str(SCRIPT))  # defines main() without running it
    result = namespace["main"](tmp_path)
    printed = capsys.readouterr().out
    assert "Additional cost, % of GDP" in printed and "Cross-checks" in printed
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(FILES)
    assert result.scenarios == ["baseline", "saii_increase", "universal_child_grant"]
    assert max(result.table["year"]) == 2035
    assert result.cross_checks.query("programme == 'saii'")["within_tolerance"].all()
