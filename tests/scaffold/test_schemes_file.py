"""The schemes file is validated before anything is written: each rule names the scheme and the field."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import yaml

from floorsim.simulations.engine.countries import MISSING_REFERENCE, MissingReferenceWarning, load_country, missing_references
from floorsim.simulations.scaffold.generate import new_country
from floorsim.simulations.scaffold.schemes_file import SchemesFileError, read_schemes_file
from tests.scaffold.conftest import EXAMPLES

FLOORSIM = Path(sys.executable).parent / "floorsim"


def _example() -> dict:
    return yaml.safe_load((EXAMPLES / "examplia.yaml").read_text(encoding="utf-8"))


def _scheme(document: dict, name: str) -> dict:
    return next(scheme for scheme in document["schemes"] if scheme["name"] == name)


def _write(tmp_path: Path, document: dict) -> Path:
    path = tmp_path / "schemes.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_the_examples_are_valid():
    for path in EXAMPLES.glob("*.yaml"):
        assert read_schemes_file(path).schemes, path


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: _scheme(d, "child_grant")["eligibility"].append({"age_below": "no_such"}),
         "scheme 'child_grant': age_below names parameter 'no_such', which it does not define"),
        (lambda d: _scheme(d, "child_grant").update(amount={"flat": "amount_by_age"}),
         "scheme 'child_grant': amount.flat needs parameter 'amount_by_age' given as values"),
        (lambda d: _scheme(d, "maternity_allowance").update(amount={"by_household_size": "amount"}),
         "a by_household_size amount is paid to a household (entity: household)"),
        (lambda d: _scheme(d, "carer_allowance")["eligibility"].append("pregnant"),
         "scheme 'carer_allowance': 'pregnant' is a person condition: put it under any_member"),
        (lambda d: _scheme(d, "child_grant")["parameters"]["rolled_out"]["by_region"].pop("south"),
         "'rolled_out' must give every region of 'regions' (north, south)"),
        (lambda d: _scheme(d, "orphan_allowance").update(amount={"coefficient": "coefficient", "base": "nope"}),
         "base level 'nope' is not among base_levels"),
        (lambda d: _scheme(d, "old_age_allowance").pop("non_cumulation") and _scheme(
            d, "orphan_allowance").pop("non_cumulation"),
         "non_cumulation group 'monthly_assistance' has one scheme"),
        (lambda d: _scheme(d, "basic_household_subsidy").pop("pmt"),
         "pmt_score_below needs a 'pmt' section"),
        (lambda d: _scheme(d, "carer_allowance").update(name="social_transfers"),
         "scheme name 'social_transfers' is taken by the package"),
        (lambda d: _scheme(d, "carer_allowance")["parameters"]["amount"]["values"].append(
            {"date": "2024-01-01", "value": 41}), "two values on the same date"),
        (lambda d: d["schemes"].append(dict(_scheme(d, "carer_allowance"))), "scheme 'carer_allowance' is defined twice"),
        (lambda d: d.update(currency="dollars"), "currency"),
    ],
)
def test_a_broken_rule_is_named_and_nothing_is_written(tmp_path, change, message):
    document = _example()
    change(document)
    out = tmp_path / "out"
    with pytest.raises(SchemesFileError) as error:
        new_country("broken", _write(tmp_path, document), out)
    assert message in str(error.value)
    assert not out.exists()


@pytest.mark.parametrize("name", ["json", "surveys", "Examplia", "class", "9lives"])
def test_a_package_name_that_cannot_be_imported_safely_is_refused(tmp_path, name):
    with pytest.raises(SchemesFileError, match=f"package name '{name}'"):
        new_country(name, EXAMPLES / "examplia.yaml", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_duplicate_keys_are_refused_by_the_one_reader(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("country: {label: A}\ncurrency: XTS\ncurrency: XTS\n", encoding="utf-8")
    with pytest.raises(SchemesFileError, match="duplicate"):
        read_schemes_file(path)


def test_the_cli_prints_one_line_exits_2_and_keeps_the_previous_package(tmp_path):
    out = tmp_path / "out"
    new_country("examplia_again", EXAMPLES / "examplia.yaml", out)
    before = sorted(path.relative_to(out) for path in out.rglob("*"))
    document = _example()
    _scheme(document, "child_grant")["eligibility"].append({"age_below": "no_such"})
    result = subprocess.run(
        [str(FLOORSIM), "new-country", "examplia_again", "--schemes", str(_write(tmp_path, document)), "--out",
         str(out)], capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "age_below names parameter 'no_such'" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(path.relative_to(out) for path in out.rglob("*")) == before


def test_a_missing_reference_is_a_visible_todo_and_every_command_warns(tmp_path):
    document = _example()
    del _scheme(document, "carer_allowance")["parameters"]["amount"]["values"][0]["reference"]
    out = tmp_path / "todo_package"
    new_country("todo_example", _write(tmp_path, document), out)
    text = (out / "todo_example/parameters/schemes/carer_allowance/amount.yaml").read_text(encoding="utf-8")
    assert f"{MISSING_REFERENCE}: add the legal text" in text
    assert missing_references(out) == ["todo_example/parameters/schemes/carer_allowance/amount.yaml"]
    with pytest.warns(MissingReferenceWarning, match="carer_allowance/amount.yaml"):
        load_country(str(out))
    # The CLI loads the country the same way: `floorsim params` prints the warning on standard error.
    result = subprocess.run([str(FLOORSIM), "params", "--country", str(out)], capture_output=True, text=True,
                            timeout=300)
    assert "carer_allowance/amount.yaml" in result.stderr and MISSING_REFERENCE in result.stderr


def test_a_fully_referenced_package_does_not_warn(examplia):
    assert missing_references(examplia) == []
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingReferenceWarning)
        load_country(str(examplia / "floorsim.yaml"))
