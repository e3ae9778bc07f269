"""The worked example notebook (notebooks/spf_timor_leste.py, percent format) runs and its figures hold together."""

from __future__ import annotations

import runpy
from pathlib import Path

import pandas as pd
import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "spf_timor_leste.py"


def test_notebook_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOORSIM_NOTEBOOK_OUT", str(tmp_path))
    monkeypatch.setenv("FLOORSIM_NOTEBOOK_JOBS", "1")
    namespace = runpy.run_path(str(NOTEBOOK), run_name="__main__")
    components = pd.read_csv(tmp_path / "components.csv", index_col=0)
    parts = components.drop(index="whole floor")
    assert components.loc["whole floor", "cost (USD m)"] == pytest.approx(parts["cost (USD m)"].sum(), abs=0.005)  # rounded to 3 decimals
    assert (components.loc[["child", "maternity", "disability", "old_age"], "poverty headcount change (pp)"] < 0).all()
    solution = namespace["solution"]
    assert solution.converged and solution.metric_value == pytest.approx(0.01, rel=1e-4)
    assert (tmp_path / "child_benefit_grid" / "frontier.png").is_file()
    assert (tmp_path / "child_benefit_grid" / "frontier.svg").is_file()
