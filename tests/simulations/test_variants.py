"""Variant grids: configuration, expansion, one engine run for every variant, the table, the frontier and the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from floorsim.simulations.design.spf_hosts import DOTTED_PATH
from floorsim.simulations import Microsimulation
from floorsim.simulations.cli import app
from floorsim.simulations.errors import ReformError, ScenarioError
from floorsim.simulations.engine.reforms import find_parameter
from floorsim.simulations.engine.scenarios import baseline_system
from floorsim.simulations.design.variants import (
    GDPSetting,
    VariantError,
    compare,
    efficient_frontier,
    expand,
    load_grid,
    make_simulation,
    resolve_gdp,
    run_grid,
)
from tests.conftest import make_tiny_survey
from tests.surveys.eusilc_by_hand import EUSILC, EUSILC_MAPPING, weighted_adult_months

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "floorsim/country_packages/social_protection_floor/examples/child_benefit_grid.yaml"


def write_grid(folder: Path, **content) -> Path:
    grid = {"period": 2025, "base": [DOTTED_PATH], "parameters": {"social_protection_floor.child.share": [0.1]}}
    grid.update(content)
    path = folder / "grid.yaml"
    path.write_text(yaml.safe_dump(grid, sort_keys=False))
    return path


def test_product_and_zip_expansion(tmp_path):
    parameters = {"social_protection_floor.child.share": [0.1, 0.2, 0.3], "social_protection_floor.child.age_limit": [6, 15]}
    product = expand(load_grid(write_grid(tmp_path, parameters=parameters)))
    assert [v.name for v in product] == ["v001", "v002", "v003", "v004", "v005", "v006"]
    assert product[1].values == {"social_protection_floor.child.share": 0.1, "social_protection_floor.child.age_limit": 15}
    assert product[1].label == "child.share=0.1, child.age_limit=15"
    change = product[1].spec.changes[1]
    assert (change.parameter, change.value, str(change.start)) == ("social_protection_floor.child.age_limit", 15, "2025-01-01")
    zipped = expand(load_grid(write_grid(tmp_path, mode="zip", parameters={
        "social_protection_floor.child.share": [0.1, 0.2], "social_protection_floor.child.age_limit": [6, 15]})))
    assert [v.values["social_protection_floor.child.age_limit"] for v in zipped] == [6, 15]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"mode": "zip", "parameters": {"a.b": [1, 2], "c.d": [1]}}, "mode zip needs lists of one length"),
        ({"parameters": {"a.b": []}}, "has no values"),
        ({"parameters": {}}, "parameters"),
        ({"modes": "zip"}, "modes: Extra inputs are not permitted"),
        ({"period": "next year"}, "period"),
    ],
)
def test_invalid_grids_name_the_field(tmp_path, content, message):
    with pytest.raises(VariantError, match=message) as error:
        load_grid(write_grid(tmp_path, **content))
    assert "grid.yaml" in str(error.value)


def test_unknown_parameter_fails_before_any_simulation(tmp_path):
    grid = load_grid(write_grid(tmp_path, parameters={"social_protection_floor.child.shares": [0.1]}))
    with pytest.raises(ReformError, match="did you mean social_protection_floor.child.share"):
        run_grid(grid, survey=make_tiny_survey(), backend="sequential")


def test_relative_reform_files_are_found_beside_the_grid(tmp_path):
    (tmp_path / "levels.yaml").write_text(
        "name: lv\nchanges:\n  - {parameter: social_protection_floor.old_age.share, value: 1, start: 2025-01-01}\n"
    )
    grid = load_grid(write_grid(tmp_path, base=[DOTTED_PATH, "levels.yaml"]))
    assert grid.base[1] == str(tmp_path / "levels.yaml")
    assert load_grid(EXAMPLE).base[1].endswith("examples/start_from_nothing.yaml")


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("grid")
    path = write_grid(
        folder,
        base=[DOTTED_PATH, str(EXAMPLE.parent / "start_from_nothing.yaml")],
        parameters={
            "social_protection_floor.poverty_line.amount": [50],
            "social_protection_floor.maternity.share": [0],
            "social_protection_floor.child.share": [0.2, 0.4],
            "social_protection_floor.old_age.share": [0, 1],
            "social_protection_floor.administrative_cost_share": [0.1],
        },
    )
    return run_grid(load_grid(path), survey=make_tiny_survey(), backend="sequential")


def test_grid_table_by_hand_on_the_tiny_survey(tiny_run):
    table = tiny_run.table.set_index("variant")
    # Children (8, 2, 10) in h1, h2, h4 with weights 100, 200, 300: 600 children; old age 65+: 72, 65 (h1), 84 (h3):
    # 250 persons. Line USD 50 a month.
    for name, child, old in (("v001", 0.2, 0), ("v002", 0.2, 1), ("v003", 0.4, 0), ("v004", 0.4, 1)):
        cost = 12 * 50 * (600 * child + 250 * old)
        assert table.loc[name, "cost"] == pytest.approx(cost, rel=1e-6)
        assert table.loc[name, "administrative_cost"] == pytest.approx(0.1 * cost, rel=1e-6)
        assert table.loc[name, "total_cost"] == pytest.approx(1.1 * cost, rel=1e-6)
    # Beneficiaries: persons in gaining households: children only -> h1 (3 persons), h2 (2), h4 (2);
    # with the pension h3 (2 persons) gains too.
    assert table.loc["v001", "beneficiaries"] == pytest.approx(100 * 3 + 200 * 2 + 300 * 2)
    assert table.loc["v002", "beneficiaries"] == pytest.approx(100 * 3 + 200 * 2 + 50 * 2 + 300 * 2)
    system = baseline_system("timor_leste")
    gdp = resolve_gdp(system, GDPSetting(parameter="country.gdp.non_oil"), 2025)
    latest = next(at for at in find_parameter(system.parameters, "country.gdp.non_oil").values_list
                  if at.instant_str <= "2025-12-31")  # newest first; recorded in USD million
    assert gdp.value == latest.value * 1e6 and gdp.date == latest.instant_str
    assert gdp.note == ("" if gdp.date.startswith("2025") else f"GDP of {gdp.date[:4]}, the latest value in force in 2025")
    np.testing.assert_allclose(table["cost_pct_gdp"], 100 * table["total_cost"] / gdp.value)
    for name in table.index:
        headline = tiny_run.results.headline(name)
        assert table.loc[name, "poverty_headcount"] == headline["poverty_headcount"]
        assert table.loc[name, "gini_change"] == pytest.approx(headline["gini"] - tiny_run.baseline_headline["gini"])
    assert list(tiny_run.table.columns[:7]) == [
        "variant", "label", "social_protection_floor.poverty_line.amount", "social_protection_floor.maternity.share",
        "social_protection_floor.child.share", "social_protection_floor.old_age.share",
        "social_protection_floor.administrative_cost_share",
    ]


def test_one_run_gives_the_same_figures_as_separate_runs(tiny_run):
    survey = make_tiny_survey()
    simulation = Microsimulation("timor_leste", survey, 2025, backend="sequential")
    grid = tiny_run.grid
    for variant in tiny_run.variants[1:3]:
        alone, _, _ = compare(simulation, {variant.name: [*grid.base, variant.spec]}, gdp_setting=grid.gdp)
        row = tiny_run.table.set_index("variant").loc[variant.name]
        for column in ("total_cost", "beneficiaries", "poverty_headcount_change", "gini_change"):
            assert alone.loc[0, column] == pytest.approx(row[column], rel=1e-12)


def test_variant_runs_keep_household_results_only_unless_asked():
    # The figures of a variant come from household sums; person arrays are kept only on request, and then the
    # person frame adds up to the same transfers (an independent path: person amounts summed here, not by the engine).
    survey = make_tiny_survey()
    scenarios = {"baseline": None, "floor": [DOTTED_PATH, str(EXAMPLE.parent / "spf_variant.yaml")]}
    lean = make_simulation("timor_leste", survey, 2025, jobs=1).run(scenarios)
    with pytest.raises(ScenarioError, match="keep_persons=True"):
        lean.person_frame()
    full = make_simulation("timor_leste", survey, 2025, jobs=1, keep_persons=True).run(scenarios)
    frame = full.person_frame()
    for name in scenarios:
        assert lean.headline(name) == full.headline(name)
        for programme in full.spec.programmes:
            amount = frame[f"amount_{programme}_{name}"]
            assert (amount * frame["weight"]).sum() == pytest.approx(lean.headline(name)[f"{programme}_cost"])
            assert frame["weight"][amount > 0].sum() == pytest.approx(lean.headline(name)[f"{programme}_beneficiaries"])


def test_efficient_frontier_by_hand():
    cost = [1.0, 2.0, 2.0, 3.0, 4.0, 1.5]
    gain = [1.0, 3.0, 2.0, 2.5, 4.0, 0.5]
    # (2, 2) is dominated by (2, 3); (3, 2.5) by (2, 3); (1.5, 0.5) by (1, 1).
    assert efficient_frontier(cost, gain).tolist() == [True, True, False, False, True, False]
    assert efficient_frontier([1, 1], [2, 2]).tolist() == [True, True]  # equal points do not dominate each other


def test_outputs_are_written(tiny_run, tmp_path):
    written = tiny_run.write(tmp_path / "out")
    assert set(written) == {"csv", "json", "png", "svg"}
    assert written["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in written["svg"].read_text()
    table = pd.read_csv(written["csv"])
    assert len(table) == 4 and table["efficient"].dtype == bool


def test_cli_variants_writes_and_prints(tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(app, ["variants", str(EXAMPLE), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "v006" in result.output and "% GDP" in result.output
    table = pd.read_csv(out / "variants.csv")
    assert len(table) == 6
    # The child benefit costs the same per child whatever the level: cost is proportional to the share.
    by_age = table.set_index(["social_protection_floor.child.age_limit", "social_protection_floor.child.share"])
    for limit in (6, 15):
        assert by_age.loc[(limit, 0.3), "cost"] == pytest.approx(3 * by_age.loc[(limit, 0.1), "cost"], rel=1e-6)


def test_cli_variants_error_is_one_line(tmp_path):
    result = CliRunner().invoke(app, ["variants", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2
    assert "floorsim: error: variant grid not found" in result.output


def test_gdp_defaults_to_non_oil_and_is_absent_for_the_template():
    assert resolve_gdp(baseline_system("timor_leste"), GDPSetting(), 2025).parameter == "country.gdp.non_oil"
    assert resolve_gdp(baseline_system("country_template"), GDPSetting(), 2017) is None
    with pytest.raises(ReformError, match="not a parameter"):
        resolve_gdp(baseline_system("timor_leste"), GDPSetting(parameter="country.gdp.oil"), 2025)
    nominal = resolve_gdp(baseline_system("timor_leste"), GDPSetting(parameter="country.gdp.nominal", scale=1.0), 2025)
    assert nominal.scale == 1.0 and nominal.value < 1e5  # the raw parameter value, in USD million


# --- a grid on a mapped survey file (mapping:) with a third-party package ----------------------------------------


def write_mapped_grid(folder: Path, mapping: Path) -> Path:
    """A grid of the template's basic income (600 a month in 2017) run on the EU-SILC fixture through ``mapping``."""
    return write_grid(folder, country="country_template", survey=str(EUSILC), mapping=str(mapping), period=2017,
                      base=[], parameters={"benefits.basic_income": [700, 800]})


def test_a_grid_with_a_mapping_runs_on_the_mapped_file(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["variants", str(write_mapped_grid(tmp_path, EUSILC_MAPPING)), "--out", str(out),
                                      "--jobs", "1"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "variants.csv")
    # Raising the basic income by 100 or 200 a month costs that much for every weighted adult-month (by hand).
    adult_months = weighted_adult_months(2017)
    assert table["cost"].tolist() == pytest.approx([100 * adult_months, 200 * adult_months], rel=1e-12)


def test_a_bad_mapping_in_a_grid_is_a_one_line_error(tmp_path):
    bad = tmp_path / "bad_mapping.yaml"
    bad.write_text(EUSILC_MAPPING.read_text().replace("weight: db090", "weight: db091"))
    result = CliRunner().invoke(app, ["variants", str(write_mapped_grid(tmp_path, bad)), "--jobs", "1"])
    assert result.exit_code == 2
    assert result.output.startswith("floorsim: error: ") and result.output.count("\n") == 1
    assert "'households.weight'" in result.output and "'db091'" in result.output
    assert "Traceback" not in result.output
