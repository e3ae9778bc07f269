"""Reforms from files: clear errors for bad files and wrong paths; changes applied only where dated."""

from __future__ import annotations

import pytest

from floorsim.simulations.engine.countries import load_country, tax_benefit_system_class
from floorsim.simulations.errors import ReformError
from floorsim.simulations.engine.reforms import apply_reform, load_reform

SYSTEM = tax_benefit_system_class(load_country("timor_leste"))()


def write(tmp_path, text: str, name: str = "reform.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_and_json_reforms_are_read_alike(tmp_path):
    yaml_path = write(tmp_path, "name: r\nchanges:\n  - {parameter: benefits.saii.amount, value: 70, start: 2025-01-01}\n")
    json_path = write(
        tmp_path, '{"name": "r", "changes": [{"parameter": "benefits.saii.amount", "value": 70, "start": "2025-01-01"}]}',
        "reform.json",
    )
    assert load_reform(yaml_path) == load_reform(json_path)
    assert load_reform(yaml_path).digest() == load_reform(json_path).digest()


def test_change_applies_from_start_to_stop_only(tmp_path):
    path = write(
        tmp_path,
        "name: window\nchanges:\n  - {parameter: benefits.saii.amount, value: 75, start: 2025-01-01, stop: 2025-12-31}\n",
    )
    reformed = apply_reform(SYSTEM, load_reform(path))
    assert reformed.parameters("2024-12-01").benefits.saii.amount == 60
    assert reformed.parameters("2025-06-01").benefits.saii.amount == 75
    assert reformed.parameters("2026-01-01").benefits.saii.amount == 60  # the law's value returns after stop
    assert SYSTEM.parameters("2025-06-01").benefits.saii.amount == 60  # the baseline is untouched


def test_unknown_path_is_named_with_suggestions(tmp_path):
    path = write(tmp_path, "name: typo\nchanges:\n  - {parameter: benefits.sai.amount, value: 70, start: 2025-01-01}\n")
    with pytest.raises(ReformError) as caught:
        apply_reform(SYSTEM, load_reform(path))
    message = str(caught.value)
    assert "'benefits.sai.amount' is not a parameter" in message
    assert "did you mean benefits.saii.amount" in message
    assert "reform 'typo'" in message


def test_a_node_or_scale_is_not_a_single_value(tmp_path):
    path = write(tmp_path, "name: node\nchanges:\n  - {parameter: benefits.saii, value: 70, start: 2025-01-01}\n")
    with pytest.raises(ReformError, match="'benefits.saii' is not a single-valued parameter"):
        apply_reform(SYSTEM, load_reform(path))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: r\n", r"changes: Field required"),
        ("name: r\nchanges: []\n", r"changes: .*at least 1"),
        ("name: r\nchanges:\n  - {parameter: benefits.saii.amount, value: 70, start: 2025-13-01}\n", "month must be in 1..12"),
        ("name: r\nchanges:\n  - {parameter: benefits.saii.amount, value: high, start: 2025-01-01}\n", r"changes\.0\.value"),
        (
            "name: r\nchanges:\n  - {parameter: benefits.saii.amount, value: 1, start: 2025-01-01, stop: 2024-01-01}\n",
            "stop 2024-01-01 is before start 2025-01-01",
        ),
        ("name: r\nchanges:\n  - {parameter: benefits.saii.amount, value: 1, start: 2025-01-01, when: now}\n", r"when: Extra"),
        ("name: r\nchanges:\n  - {parameter: benefits.saii.amount, value: .nan, start: 2025-01-01}\n",
         r"changes\.0\.value: .*must be a finite number, got nan"),
        ("name: r\nchanges:\n  - {parameter: benefits.saii.old_age_minimum_age, value: -.inf, start: 2025-01-01}\n",
         r"changes\.0\.value: .*must be a finite number, got -inf"),
        ("- just\n- a list\n", "must be a mapping"),
        ("name: r\nchanges: [\n", "not valid YAML"),
    ],
)
def test_malformed_reform_files_name_file_and_field(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ReformError, match=expected) as caught:
        load_reform(path)
    assert str(path) in str(caught.value)


def test_missing_reform_file_is_named(tmp_path):
    with pytest.raises(ReformError, match="reform file not found: .*absent.yaml"):
        load_reform(tmp_path / "absent.yaml")


def test_library_reform_loads_and_applies():
    spec = load_reform(load_country("timor_leste").default_reform_path())
    reformed = apply_reform(SYSTEM, spec)
    assert reformed.parameters("2025-03-01").benefits.saii.amount == 80


def test_scale_brackets_are_addressed_by_index(tmp_path):
    path = write(
        tmp_path,
        "name: older\nchanges:\n  - {parameter: 'benefits.saii.age_supplement[2].amount', value: 60, start: 2025-01-01}\n",
    )
    reformed = apply_reform(SYSTEM, load_reform(path))
    scale = reformed.parameters("2025-06-01").benefits.saii.age_supplement
    assert scale.calc(85) == 60 and scale.calc(75) == 20  # only the 80+ bracket changed
    assert SYSTEM.parameters("2025-06-01").benefits.saii.age_supplement.calc(85) == 40
    wrong = write(tmp_path, "name: w\nchanges:\n  - {parameter: 'benefits.saii.age_supplement[7].amount', value: 1, start: 2025-01-01}\n", "w.yaml")
    with pytest.raises(ReformError, match=r"age_supplement\[7\].amount' is not a parameter.*did you mean"):
        apply_reform(SYSTEM, load_reform(wrong))
