"""``floorsim diff``: changed parameters and variables are listed exactly, and the impact equals what the change
works out to by hand (floorsim/simulations/regression/diff.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from floorsim.simulations.regression import diff
from floorsim.simulations.cli import app
from floorsim.surveys import write_survey
from floorsim.surveys.bundled import load_bundled_survey
from tests.conftest import make_tiny_survey
from tests.regression.conftest import (
    SAII_AMOUNT,
    add_dated_value,
    copy_as_repository_tree,
    copy_package,
    git,
    replace_value,
)

runner = CliRunner()
TITLE = "Hypothetical decree raising the social pension to US$70"


@pytest.fixture(scope="module")
def saii_70(tmp_path_factory):
    """Two lone copies of the package (not under a ``country_packages`` folder: the diff must recreate the module
    path); the new one pays USD 70 a month from 2025 instead of 60."""
    root = tmp_path_factory.mktemp("saii70")
    old, new = copy_package(root / "old"), copy_package(root / "new")
    add_dated_value(new, SAII_AMOUNT, "2025-01-01", 70, TITLE)
    return old, new


@pytest.fixture(scope="module")
def bundled_report(saii_70):
    old, new = saii_70
    return diff.run_diff(str(old), str(new), periods=[2024, 2025])


def test_lists_exactly_the_changed_parameter(bundled_report):
    (row,) = bundled_report["parameters"]
    assert (row["kind"], row["path"], row["start"], row["old"], row["new"]) == (
        "changed", "benefits.saii.amount", "2025-01-01", 60, 70
    )
    assert row["references"] == [{"title": TITLE, "href": "https://example.org/2025-01-01"}]
    assert bundled_report["variables"] == []
    assert bundled_report["files"] == {"added": [], "removed": [], "modified": [SAII_AMOUNT.as_posix()]}


def test_cost_change_is_ten_dollars_a_month_times_the_beneficiaries_counted_from_the_survey(bundled_report):
    # Beneficiaries counted directly from the survey with the 2025 rules (age 60+, or 18+ with WG level 3);
    # take-up is 1: every eligible person is paid. No engine involved.
    survey = load_bundled_survey()
    age, severity = survey.persons["age"].to_numpy(), survey.persons["disability_severity"].to_numpy()
    eligible = (age >= 60) | ((age >= 18) & (severity >= 3))
    beneficiaries = float(np.sum(survey.person_weight * eligible))
    figures = bundled_report["impact"]["2025"]["figures"]
    assert figures["saii_beneficiaries"]["old"] == pytest.approx(beneficiaries, rel=1e-9)
    assert figures["saii_beneficiaries"]["change"] == 0
    assert figures["saii_cost"]["change"] == pytest.approx(10 * 12 * beneficiaries, rel=1e-9)
    assert figures["total_cost"]["change"] == pytest.approx(10 * 12 * beneficiaries, rel=1e-9)
    assert figures["poverty_headcount"]["change"] < 0
    assert figures["gini"]["change"] < 0
    # The change starts in 2025: nothing moves in 2024.
    assert all(not figure["change"] for figure in bundled_report["impact"]["2024"]["figures"].values())


def test_deciles_add_up_to_the_cost_change(bundled_report):
    impact = bundled_report["impact"]["2025"]
    deciles = impact["deciles"]
    assert [row["decile"] for row in deciles] == list(range(1, 11))
    total_gain = sum(row["persons"] * row["mean_gain"] * 12 for row in deciles)
    assert total_gain == pytest.approx(impact["figures"]["total_cost"]["change"], rel=1e-9)
    assert sum(row["persons"] for row in deciles) == pytest.approx(
        impact["figures"]["poor_persons"]["old"] / impact["figures"]["poverty_headcount"]["old"], rel=1e-9
    )
    assert all(row["share_losing"] == 0 for row in deciles)
    assert [row["mean_welfare"] for row in deciles] == sorted(row["mean_welfare"] for row in deciles)


def test_markdown_shows_parameter_impact_and_deciles(bundled_report):
    markdown = diff.render_markdown(bundled_report)
    assert "| `benefits.saii.amount` | 2025-01-01 | 60 | 70 | [Hypothetical decree" in markdown
    assert "No figure moves in 2024" in markdown
    assert "### Impact in 2025" in markdown and "| 10 |" in markdown
    # Poverty figures name the line they are measured against, as every other output does.
    assert "| Poverty headcount, national line | " in markdown
    assert "| Persons in poverty, national line |" in markdown and "| All cash transfers: cost |" in markdown
    json.dumps(bundled_report)  # the JSON report is plain data


def test_tiny_survey_cost_change_by_hand(saii_70, tmp_path):
    """On the hand-made survey (tests/conftest.py): 450 weighted SAII beneficiaries, +USD 10 a month each."""
    old, new = saii_70
    folder = write_survey(make_tiny_survey(), tmp_path / "tiny")
    report = diff.run_diff(str(old), str(new), periods=[2025], survey=folder)
    figures = report["impact"]["2025"]["figures"]
    assert figures["saii_cost"]["old"] == pytest.approx(372_000)
    assert figures["saii_cost"]["change"] == pytest.approx(10 * 12 * 450)
    # Poverty line about 58.9 in 2025. Per capita before: h1 50, h2 40, h3 60, h4 150 (persons 300, 400, 100, 600).
    # After: h1 gains 2 x 10 over 3 persons (56.7, still poor); h2 gains 10 over 2 (45, poor): no one leaves poverty.
    assert figures["poverty_headcount"]["old"] == pytest.approx(700 / 1400)
    assert figures["poverty_headcount"]["change"] == 0
    line = 58.9208  # see tests/simulations/test_engine.py::expected_line_2025 (checked there)
    gap_change = -(300 * 20 / 3 + 400 * 10 / 2) / line / 1400
    assert figures["poverty_gap"]["change"] == pytest.approx(gap_change, rel=1e-4)


def test_formula_and_variable_changes_are_reported(tmp_path):
    old, new = copy_package(tmp_path / "old"), copy_package(tmp_path / "new")
    grant = new / "variables" / "universal_child_grant.py"
    source = grant.read_text()
    assert "(age < grant.age_limit)" in source
    grant.write_text(source.replace("(age < grant.age_limit)", "(age <= grant.age_limit)"))
    saii = new / "variables" / "saii.py"
    saii.write_text(saii.read_text().replace("One allowance per person, whichever", "One allowance a person, whichever"))
    (new / "variables" / "extra.py").write_text(
        "from openfisca_core.periods import MONTH\nfrom openfisca_core.variables import Variable\n\n"
        "from floorsim.country_packages.timor_leste.entities import Person\n\n\n"
        "class new_flag(Variable):\n    value_type = bool\n    entity = Person\n    definition_period = MONTH\n"
        "    label = 'A new input'\n"
    )
    report = diff.run_diff(str(old), str(new), periods=[2025])
    rows = {row["name"]: row for row in report["variables"]}
    assert set(rows) == {"universal_child_grant", "saii", "new_flag"}
    assert rows["universal_child_grant"]["changes"] == ["formula: code changed"]
    assert "+    return np.where((age >= 0) & (age <= grant.age_limit), grant.amount, 0)" in rows[
        "universal_child_grant"]["diff"]
    assert rows["saii"]["changes"] == ["formula from 2008-01-01: docstring or comments changed (code identical)"]
    assert rows["new_flag"]["status"] == "added" and rows["new_flag"]["changes"] == ["input variable (no formula)"]
    assert report["parameters"] == []
    assert sorted(report["files"]["modified"]) == ["variables/saii.py", "variables/universal_child_grant.py"]
    assert report["files"]["added"] == ["variables/extra.py"]
    # The grant is 0 in law, so nothing moves on the survey.
    assert not any(figure["change"] for figure in report["impact"]["2025"]["figures"].values())


@pytest.fixture(scope="module")
def repository(tmp_path_factory):
    """A git repository with two commits: the package, then the 2024 SAII base raised from 60 to 65."""
    root = tmp_path_factory.mktemp("repo")
    package = copy_as_repository_tree(root)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "package")
    replace_value(package, SAII_AMOUNT, "2024-01-01", 60, 65)
    git(root, "commit", "-q", "-am", "SAII 65")
    return root


def test_git_revisions_through_the_command_line(repository, tmp_path):
    out = tmp_path / "report"
    result = runner.invoke(
        app,
        ["diff", "HEAD~1", "HEAD", "--repo", str(repository), "--period", "2025", "--out", str(out),
         "--fail-if", "saii_cost:rel>0.05", "--fail-if", "poverty_headcount:abs>0.5"],
    )
    # +5 a month on 60 is +8.3% of the SAII cost: above the 5% threshold, so the command fails (status 1).
    assert result.exit_code == 1, result.output
    report = json.loads((out / "diff.json").read_text())
    commits = git(repository, "rev-parse", "HEAD~1", "HEAD").split()
    assert [report["old"]["commit"], report["new"]["commit"]] == commits
    (row,) = report["parameters"]
    assert (row["path"], row["start"], row["old"], row["new"]) == ("benefits.saii.amount", "2024-01-01", 60, 65)
    saii = report["impact"]["2025"]["figures"]["saii_cost"]
    assert saii["relative_change"] == pytest.approx(saii["change"] / saii["old"])
    assert 0.05 < saii["relative_change"] < 5 / 60  # age supplements are unchanged: less than 5/60 of the cost
    # The 2025 base amount is 65 instead of 60 for every beneficiary.
    beneficiaries = report["impact"]["2025"]["figures"]["saii_beneficiaries"]["old"]
    assert saii["change"] == pytest.approx(5 * 12 * beneficiaries, rel=1e-9)
    breached = {(r["threshold"], r["breached"]) for r in report["thresholds"]}
    assert breached == {("saii_cost:rel>0.05", True), ("poverty_headcount:abs>0.5", False)}
    assert (out / "diff.md").read_text() == result.stdout
    assert "❌ breached: `saii_cost:rel>0.05` in 2025" in result.stdout


def test_threshold_not_reached_exits_zero(repository):
    result = runner.invoke(
        app, ["diff", "HEAD~1", "HEAD", "--repo", str(repository), "--period", "2024,2025", "--json",
              "--fail-if", "saii_cost:rel>0.5"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["periods"] == [2024, 2025] and report["failed"] is False


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["no-such-revision", "HEAD"], "neither a folder nor a revision"),
        (["HEAD", "HEAD", "--fail-if", "saii_cost>0.05"], "write FIGURE:rel>X or FIGURE:abs>X"),
        (["HEAD", "HEAD", "--fail-if", "total_costs:rel>0.05"], "no figure 'total_costs'"),
        (["HEAD", "HEAD", "--period", "twenty"], "--period takes years"),
        (["HEAD", "HEAD", "--country", "atlantis"], "has no floorsim/country_packages/atlantis/floorsim.yaml"),
    ],
)
def test_bad_input_is_a_one_line_error(repository, arguments, message):
    result = runner.invoke(app, ["diff", *arguments, "--repo", str(repository)])
    assert result.exit_code == 2
    assert "floorsim: error:" in result.output and message in result.output


def test_thresholds_parse_and_evaluate():
    assert diff.parse_threshold("total_cost:rel>0.05") == diff.Threshold("total_cost", "rel", 0.05)
    assert diff.parse_threshold(" poverty_headcount : abs > 5e-3 ") == diff.Threshold("poverty_headcount", "abs", 0.005)
    report = {"impact": {"2025": {"figures": {
        "total_cost": {"change": 6.0, "relative_change": 0.06},
        "saii_cost": {"change": 1.0, "relative_change": None},  # from 0: infinitely large relative change
    }}}}
    rows = diff.evaluate_thresholds(report, [diff.parse_threshold(text) for text in (
        "total_cost:rel>0.05", "total_cost:abs>6", "saii_cost:rel>1000")])
    assert [(row["measured"], row["breached"]) for row in rows] == [(0.06, True), (6.0, False), (float("inf"), True)]


def test_a_shadowed_package_is_refused(saii_70, tmp_path, monkeypatch):
    """If the worker imported the package from somewhere else than the materialised folder, the diff must stop."""
    old, new = saii_70
    sides = [diff.resolve_side(str(path), "timor_leste", None, tmp_path / name) for path, name in ((old, "a"), (new, "b"))]
    sides[1].pythonpath = tmp_path  # pretend the package should have come from an empty folder
    with pytest.raises(diff.DiffError, match="another installed copy shadows it"):
        diff.run_sides(sides, diff.BUNDLED_SURVEY, [2025], 1, tmp_path / "work")


def test_country_package_repository_layout(tmp_path):
    """A country package in a repository of its own, floorsim.yaml at the root beside the package's folder (the
    layout of the CI example in docs/regression_testing.md): ``--country floorsim.yaml``."""
    root = tmp_path / "repo"
    package = copy_as_repository_tree(root)
    shutil.move(package / "floorsim.yaml", root / "floorsim.yaml")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "package")
    add_dated_value(package, SAII_AMOUNT, "2025-01-01", 70, TITLE)
    git(root, "commit", "-q", "-am", "SAII 70")
    folder = write_survey(make_tiny_survey(), tmp_path / "tiny")
    report = diff.run_diff("HEAD~1", "HEAD", country="floorsim.yaml", repo=root, periods=[2025], survey=folder)
    (row,) = report["parameters"]
    assert (row["path"], row["old"], row["new"]) == ("benefits.saii.amount", 60, 70)
    assert report["impact"]["2025"]["figures"]["saii_cost"]["change"] == pytest.approx(10 * 12 * 450)
    assert report["files"]["modified"] == [SAII_AMOUNT.as_posix()]
    # The working tree is a folder too: HEAD against it shows nothing (the change is committed).
    same = diff.run_diff("HEAD", str(root), country="floorsim.yaml", repo=root, periods=[2025], survey=folder)
    assert same["parameters"] == [] and same["variables"] == []
    assert not any(figure["change"] for figure in same["impact"]["2025"]["figures"].values())


def test_parameters_are_compared_by_the_value_in_force_on_each_date():
    from floorsim.simulations.regression.rules import compare_parameters

    def values(*entries):
        return {"unit": "currency-USD", "description": "d", "values": [
            {"start": start, "value": value, "references": [{"title": title, "href": ""}]}
            for start, value, title in entries
        ]}

    old = {
        "amount": values(("2020-01-01", 1, "a"), ("2024-01-01", 2, "b")),
        "gone": values(("2020-01-01", True, "c")),
        "retitled": values(("2020-01-01", 5, "old title")),
        "flag": values(("2020-01-01", 1, "e")),
    }
    new = {
        # 2024 value changed; a redundant 2022 entry repeating the value in force is not a change.
        "amount": values(("2020-01-01", 1, "a"), ("2022-07-01", 1, "a2"), ("2024-01-01", 3, "b2")),
        "retitled": values(("2020-01-01", 5, "new title")),
        "flag": values(("2020-01-01", True, "e")),  # 1 → true: equal in Python, but the type changed
        "added": values(("2025-01-01", 0.5, "f")),
    }
    rows = [(row["kind"], row["path"], row["start"], row["old"], row["new"]) for row in compare_parameters(old, new)]
    assert rows == [
        ("added", "added", "2025-01-01", None, 0.5),
        ("changed", "amount", "2024-01-01", 2, 3),
        ("changed", "flag", "2020-01-01", 1, True),
        ("removed", "gone", "2020-01-01", True, None),
        ("reference", "retitled", "2020-01-01", 5, 5),
    ]


def test_scale_brackets_are_described_leaf_by_leaf_with_the_scale_references():
    from floorsim.simulations.regression.rules import describe_parameters
    from floorsim.simulations.engine.scenarios import baseline_system

    described = describe_parameters(baseline_system("timor_leste").parameters)
    bracket = described["benefits.saii.age_supplement[1].amount"]
    assert [(v["start"], v["value"]) for v in bracket["values"]] == [("2008-01-01", 0), ("2024-01-01", 20)]
    assert "Government approves increase" in bracket["values"][-1]["references"][0]["title"]
    saii = described["benefits.saii.amount"]["values"]
    assert [v["value"] for v in saii] == [20, 30, 50, 57, 60]
    assert saii[-1]["references"][0]["href"] == "https://timor-leste.gov.tl/?p=35692&lang=en&n=1"


def _declare_survey(package, survey: str) -> None:
    """Point the package's regression.survey (floorsim.yaml) at ``survey``."""
    path = package / "floorsim.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  survey: floorsim.surveys:data/timor_leste_synthetic\n" in text
    path.write_text(text.replace("  survey: floorsim.surveys:data/timor_leste_synthetic\n", f"  survey: {survey}\n"),
                    encoding="utf-8")


def test_default_survey_is_the_one_the_new_version_declares(tmp_path):
    """Without --survey, the diff runs on the survey NEW's floorsim.yaml names (here a folder beside it)."""
    old, new = copy_package(tmp_path / "old"), copy_package(tmp_path / "new")
    tiny = make_tiny_survey()
    write_survey(tiny, new / "data" / "tiny")
    _declare_survey(new, "data/tiny")
    report = diff.run_diff(str(old), str(new), periods=[2025])
    assert report["survey"]["households"] == len(tiny.households) != len(load_bundled_survey().households)
    assert report["survey"]["path"].endswith("/timor_leste/data/tiny")


def test_a_declared_survey_missing_from_a_revision_asks_for_survey(tmp_path):
    """A revision is materialised with its package and floorsim.yaml only: a survey beside them is not there."""
    root = tmp_path / "repo"
    package = copy_as_repository_tree(root)
    _declare_survey(package, "../../no_such_survey")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "package")
    with pytest.raises(diff.DiffError, match=r"no_such_survey'.*give the survey folder \(--survey\)"):
        diff.run_diff("HEAD", "HEAD", repo=root, periods=[2025])


def _as_before_the_namespace(package: Path) -> None:
    """The package as it was before floorsim moved into one namespace (issue 22): no leading ``floorsim.``."""
    for path in package.rglob("*"):
        if path.suffix in (".py", ".yaml"):
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("floorsim.country_packages.", "country_packages."), encoding="utf-8")


def test_a_revision_from_before_the_floorsim_namespace_is_found_by_name(tmp_path):
    """HEAD~1 holds the package where it was before issue 22 (no floorsim folder), HEAD in
    floorsim/country_packages/timor_leste: ``--country timor_leste`` finds both, and the engine is the running one."""
    root = tmp_path / "repo"
    before = root.joinpath("country_packages")  # the layout before issue 22
    before.mkdir(parents=True)
    (before / "__init__.py").write_text("", encoding="utf-8")
    _as_before_the_namespace(copy_package(before / "timor_leste"))
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "package, old layout")
    (root / "floorsim").mkdir()
    git(root, "mv", "country_packages", "floorsim/country_packages")
    shutil.rmtree(root / "floorsim" / "country_packages" / "timor_leste")
    package = copy_package(root / "floorsim" / "country_packages" / "timor_leste")
    add_dated_value(package, SAII_AMOUNT, "2025-01-01", 70, TITLE)
    # A checkout's own engine beside its packages must not be run: the diff extracts floorsim/country_packages only.
    (root / "floorsim" / "simulations").mkdir()
    for name in ("floorsim/__init__.py", "floorsim/simulations/__init__.py"):
        (root / name).write_text("raise RuntimeError('the revision\\'s engine was imported')\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "floorsim namespace; SAII 70")
    folder = write_survey(make_tiny_survey(), tmp_path / "tiny")
    report = diff.run_diff("HEAD~1", "HEAD", repo=root, periods=[2025], survey=folder)
    (row,) = report["parameters"]
    assert (row["path"], row["old"], row["new"]) == ("benefits.saii.amount", 60, 70)
    assert report["impact"]["2025"]["figures"]["saii_cost"]["change"] == pytest.approx(10 * 12 * 450)
