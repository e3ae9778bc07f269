"""docs/new_country.md is executed: every command of the walk-through runs, and the figures it states are checked
against independent computations from the files it writes (the profile's own figures, hand counts on the survey)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from floorsim.indicators import fgt, gini
from floorsim.surveys import load_survey

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "new_country.md"
PROFILE = ROOT / "floorsim" / "surveys" / "data" / "profiles" / "examplia.yaml"


def walkthrough_steps(text: str) -> list[tuple[str, str, str]]:
    """The page's steps in order: ``("file", name, content)`` for a fenced block after ``<!-- file: NAME -->``,
    ``("command", line, "")`` for each ``$ `` line of a ``console`` block."""
    steps: list[tuple[str, str, str]] = []
    pattern = re.compile(r"(?:<!-- file: (?P<name>\S+) -->\n)?```(?P<kind>\w+)\n(?P<body>.*?)```", re.S)
    for match in pattern.finditer(text):
        if match["name"]:
            steps.append(("file", match["name"], match["body"]))
        elif match["kind"] == "console":
            steps += [("command", line[2:], "") for line in match["body"].splitlines() if line.startswith("$ ")]
    return steps


def test_the_page_has_every_step_of_the_issue():
    commands = [step[1] for step in walkthrough_steps(DOC.read_text(encoding="utf-8")) if step[0] == "command"]
    for needed in ("floorsim synth", "floorsim new-country", "openfisca test", "--baseline-only", "--reform",
                   "floorsim spf"):
        assert any(needed in command for command in commands), needed


@pytest.fixture(scope="module")
def walked(tmp_path_factory) -> Path:
    """Run the page in a fresh folder holding links to the repository's example files."""
    folder = tmp_path_factory.mktemp("new_country")
    (folder / "floorsim").symlink_to(ROOT / "floorsim")  # the page's paths: floorsim/surveys/..., floorsim/simulations/...
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for kind, name, content in walkthrough_steps(DOC.read_text(encoding="utf-8")):
        if kind == "file":
            (folder / name).write_text(content, encoding="utf-8")
            continue
        done = subprocess.run(["bash", "-c", name], cwd=folder, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{name}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        assert "Traceback" not in done.stderr, done.stderr
    return folder


def test_the_survey_meets_the_profile(walked: Path):
    profile = yaml.safe_load(PROFILE.read_text(encoding="utf-8"))
    survey = load_survey(walked / "examplia_survey")
    persons, households = survey.persons, survey.households.set_index("household_id")
    weight = households["weight"].reindex(persons["household_id"]).to_numpy()
    assert weight.sum() == pytest.approx(profile["population"]["total"]["value"], rel=1e-6)
    older = weight[persons["age"].to_numpy() >= 65].sum()
    assert older == pytest.approx(profile["population"]["by_age"]["shares"][2] * 1_000_000, rel=1e-6)
    size = persons.groupby("household_id").size().reindex(households.index).to_numpy()
    per_capita = (households["consumption"].to_numpy() / size)
    line = profile["welfare"]["poverty_line"]["value"]
    person_weight = households["weight"].to_numpy() * size
    assert fgt(per_capita, person_weight, line) == pytest.approx(
        profile["welfare"]["poverty_rate"]["value"], abs=0.005)
    assert gini(per_capita, person_weight) == pytest.approx(profile["welfare"]["gini"]["value"], abs=0.005)


def _old_age_allowance_recipients(walked: Path) -> float:
    """Persons aged 65+ without a severe disability (Washington Group 3: they get the higher disability allowance)."""
    survey = load_survey(walked / "examplia_survey")
    persons = survey.persons
    weight = survey.households.set_index("household_id")["weight"].reindex(persons["household_id"]).to_numpy()
    eligible = (persons["age"].to_numpy() >= 65) & (persons["disability_severity"].to_numpy() < 3)
    return float(weight[eligible].sum())


def test_the_diagnostic_costs_the_old_age_allowance_by_hand(walked: Path):
    summary = json.loads((walked / "examplia_diagnostic" / "summary.json").read_text())
    assert summary["baseline_only"] is True
    # base level 100 for January-June, 120 for July-December, coefficient 1.0: 6 x 100 + 6 x 120 = 1,320 a year
    expected = _old_age_allowance_recipients(walked) * 1_320
    assert summary["headline"]["old_age_allowance_cost"]["baseline"] == pytest.approx(expected, rel=1e-9)
    assert (walked / "examplia_diagnostic" / "report.html").is_file()


def test_the_reform_adds_660_per_recipient(walked: Path):
    summary = json.loads((walked / "examplia_results" / "summary.json").read_text())
    change = summary["headline"]["old_age_allowance_cost"]["change"]
    assert change == pytest.approx(_old_age_allowance_recipients(walked) * 660, rel=1e-9)  # 6 x 50 + 6 x 60


def test_the_floor_counts_the_profiles_older_persons_and_the_surveys_births(walked: Path):
    table = pd.read_csv(walked / "examplia_floor" / "spf.csv").set_index("guarantee")
    profile = yaml.safe_load(PROFILE.read_text(encoding="utf-8"))
    older = profile["population"]["by_age"]["shares"][2] * profile["population"]["total"]["value"]
    assert table.loc["old_age", "beneficiaries"] == pytest.approx(older, rel=1e-6)
    survey = load_survey(walked / "examplia_survey")
    persons = survey.persons
    weight = survey.households.set_index("household_id")["weight"].reindex(persons["household_id"]).to_numpy()
    births = weight[persons["gave_birth"].to_numpy() & (persons["sex"] == "female").to_numpy()].sum()
    assert table.loc["maternity", "beneficiaries"] == pytest.approx(births, rel=1e-6)
    # 25% of the line (XTS 300) a month, twelve months, for each child aged 0-5 reached
    assert table.loc["child", "cost"] == pytest.approx(table.loc["child", "beneficiaries"] * 75 * 12, rel=1e-6)
    assert np.isnan(table.loc["total", "cost_share_gdp"])
