"""``floorsim params``: the parameter tree of a country package, checked against its YAML files read directly."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from floorsim.simulations.cli import app

runner = CliRunner()
PARAMETERS = Path(__file__).resolve().parent.parent / "floorsim" / "country_packages" / "timor_leste" / "parameters"
SAII = PARAMETERS / "benefits" / "saii"


def params_json(*args: str) -> dict:
    result = runner.invoke(app, ["params", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def yaml_file(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def dated_values(raw: dict) -> list[tuple[str, object]]:
    """``values:`` of a parameter file as (ISO date, value), oldest first (PyYAML reads the keys as dates)."""
    return sorted((str(date), item["value"]) for date, item in raw["values"].items())


def titles(references: list) -> list[str]:
    return [reference["title"] for reference in references]


def test_history_of_the_saii_amount_is_the_yaml_file():
    raw = yaml_file(SAII / "amount.yaml")
    history = params_json("benefits.saii.amount", "--history")["history"]
    assert [(row["start"], row["value"]) for row in history] == dated_values(raw)
    # The values of the law (Decree-Law 19/2008, Joint Diploma of 2010, 2022 and 2024 increases).
    assert {("2008-01-01", 20), ("2010-01-01", 30), ("2022-01-01", 50), ("2023-01-01", 57), ("2024-01-01", 60)} <= set(dated_values(raw))
    for row in history:
        own = raw["values"][datetime.date.fromisoformat(row["start"])]["metadata"]["reference"]
        assert row["own_reference"] is True
        assert titles(row["references"]) == [reference["title"] for reference in own]
        assert [reference["href"] for reference in row["references"]] == [reference["href"] for reference in own]


def test_history_table_lists_every_date_and_value():
    result = runner.invoke(app, ["params", "benefits.saii.amount", "--history"])
    assert result.exit_code == 0, result.output
    for date, value in dated_values(yaml_file(SAII / "amount.yaml")):
        assert date in result.output
        assert f"│ {date} │ {value:>5} │" in result.output


def test_value_at_a_date_with_unit_count_and_references():
    raw = yaml_file(SAII / "amount.yaml")
    (entry,) = params_json("benefits.saii.amount", "--date", "2023-06-01")["entries"]
    in_force = [(date, value) for date, value in dated_values(raw) if date <= "2023-06-01"][-1]
    assert (entry["since"], entry["value"]) == in_force
    assert entry["value"] == 57  # the 2023 amount (60 - 3), by hand
    assert entry["unit"] == raw["metadata"]["unit"] == "currency-USD"
    assert entry["values_count"] == len(raw["values"])
    assert titles(entry["references"]) == [reference["title"] for reference in raw["metadata"]["reference"]]
    assert entry["description"] == raw["description"]


def test_default_date_is_today():
    raw = yaml_file(SAII / "amount.yaml")
    data = params_json("benefits.saii.amount")
    today = datetime.date.today().isoformat()
    assert data["date"] == today
    assert data["entries"][0]["value"] == [value for date, value in dated_values(raw) if date <= today][-1]


def test_a_value_before_the_first_date_is_not_in_force():
    (entry,) = params_json("benefits.saii.amount", "--date", "2000")["entries"]
    assert entry["value"] is None and entry["since"] is None


def test_subtree_lists_the_folder_its_files_and_the_scale():
    data = params_json("benefits.saii", "--date", "2024-03-01")
    paths = [entry["path"] for entry in data["entries"]]
    files = sorted(path.stem for path in SAII.glob("*.yaml") if path.stem != "index")
    assert paths == ["benefits.saii", *(f"benefits.saii.{stem}" for stem in files)]
    entries = {entry["path"]: entry for entry in data["entries"]}
    assert entries["benefits.saii"]["kind"] == "node"
    assert entries["benefits.saii"]["description"] == yaml_file(SAII / "index.yaml")["description"]
    scale = yaml_file(SAII / "age_supplement.yaml")
    expected = []
    for bracket in scale["brackets"]:
        threshold = [item["value"] for date, item in sorted(bracket["threshold"].items()) if str(date) <= "2024-03-01"]
        amount = [item["value"] for date, item in sorted(bracket["amount"].items()) if str(date) <= "2024-03-01"]
        expected.append({"threshold": threshold[-1], "amount": amount[-1]})
    assert entries["benefits.saii.age_supplement"]["kind"] == "scale"
    assert entries["benefits.saii.age_supplement"]["value"] == expected
    assert expected == [{"threshold": 0, "amount": 0}, {"threshold": 70, "amount": 20}, {"threshold": 80, "amount": 40}]


def test_scale_history_has_one_row_per_date_of_any_bracket():
    history = params_json("benefits.saii.age_supplement", "--history")["history"]
    scale = yaml_file(SAII / "age_supplement.yaml")
    dates = sorted({str(date) for bracket in scale["brackets"] for key in bracket for date in bracket[key]})
    assert [row["start"] for row in history] == dates
    assert history[0]["value"] == [
        {"threshold": 0, "amount": 0}, {"threshold": 70, "amount": 0}, {"threshold": 80, "amount": 0}
    ]


def test_history_of_a_folder_covers_each_parameter_under_it():
    history = params_json("benefits.saii", "--history")["history"]
    counts = {}
    for row in history:
        counts[row["path"]] = counts.get(row["path"], 0) + 1
    assert counts["benefits.saii.amount"] == len(yaml_file(SAII / "amount.yaml")["values"])
    assert counts["benefits.saii.old_age_minimum_age"] == len(yaml_file(SAII / "old_age_minimum_age.yaml")["values"])


@pytest.mark.parametrize("words", ["poverty line", "poverty_line", "POVERTY national"])
def test_search_finds_the_poverty_line(words):
    data = params_json("--search", words)
    paths = [entry["path"] for entry in data["entries"]]
    assert "country.poverty_line.national" in paths
    for entry in data["entries"]:
        text = (entry["path"] + " " + entry["path"].replace("_", " ") + " " + entry["description"]).lower()
        assert all(word.lower() in text for word in words.split())


def test_search_within_a_folder_and_nothing_found():
    data = params_json("benefits", "--search", "poverty line")
    assert data["entries"] and all(entry["path"].startswith("benefits.") for entry in data["entries"])
    assert params_json("--search", "zzzz-not-there")["entries"] == []


def test_leaf_view_in_the_terminal():
    result = runner.invoke(app, ["params", "benefits.saii.amount", "--date", "2024-03-01"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "60 (since 2024-01-01)" in text
    assert "USD" in text
    assert "Decree-Law No. 19/2008" in text


def test_tree_view_in_the_terminal():
    result = runner.invoke(app, ["params", "benefits.saii", "--date", "2024-03-01"])
    assert result.exit_code == 0, result.output
    # The first column, read down: long paths are folded over several lines of the table.
    rows = [line for line in result.output.splitlines() if line.startswith("│")]
    first_column = "".join(line.split("│")[1].strip() for line in rows)
    for path in ("benefits.saii.amount", "benefits.saii.old_age_minimum_age", "benefits.saii.age_supplement"):
        assert path in first_column
    scale = runner.invoke(app, ["params", "benefits.saii.age_supplement", "--date", "2024-03-01"])
    assert scale.exit_code == 0, scale.output
    assert "0+: 0 · 70+: 20 · 80+: 40 (since 2024-01-01)" in " ".join(scale.output.split())


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["benefits.saii.amont"], "did you mean benefits.saii.amount"),
        (["nothing_here"], "top-level folders: benefits, country"),
        (["benefits.saii.amount", "--date", "2024-13-01"], "invalid date '2024-13-01'"),
        (["--search", "saii", "--history"], "not both"),
        (["--country", "atlantis"], "unknown country 'atlantis'"),
    ],
)
def test_bad_input_gives_a_one_line_reason_and_exit_2(args, expected):
    result = runner.invoke(app, ["params", *args])
    assert result.exit_code == 2
    assert expected in " ".join(result.output.split())
    assert "Traceback" not in result.output
