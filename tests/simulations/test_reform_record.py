"""What reforms changed is recorded by the engine when they are applied, and the report's ``parameters`` table and
the workbook's "Parameters changed" sheet present that record exactly as they did when they rebuilt the rules.

Expected rows were taken from the report before the change and checked by hand against
``floorsim/country_packages/timor_leste/parameters``: ``benefits/saii/amount.yaml`` has USD 60 from 2024-01-01 with two
references of its own (the government press release of 11 January 2024 and Independente of 19 June 2024);
``take_up/saii.yaml`` is 1 (unit ``/1``) with the ILO country note as its reference; bracket values of
``benefits/saii/age_supplement.yaml`` have no description, unit or reference of their own (20 from 2024-01-01 for
bracket 1).
"""

from __future__ import annotations

import openpyxl
import pytest

from floorsim.simulations import Microsimulation
from floorsim.simulations.design.spf_hosts import DOTTED_PATH
from floorsim.simulations.engine.reforms import ParameterChange, ReformSpec, load_reform
from floorsim.simulations.reports import build_report
from floorsim.simulations.reports.excel import write_workbook
from floorsim.simulations.reports.tables import _reform_description, parameters_table
from tests.conftest import make_tiny_survey

DEFAULT = "floorsim/country_packages/timor_leste/reforms/saii_increase.yaml"
FLOOR = "floorsim/country_packages/social_protection_floor/examples/spf_variant.yaml"
SAII_DESCRIPTION = (
    "Monthly amount of the SAII allowance (from 2022 the non-contributory social pension) per beneficiary, base rate"
)
SAII_REFERENCE = (
    'Government of Timor-Leste press release, "Government approves increase in disability and elderly social '
    'pensions", 11 Jan 2024 (first amendment to Decree-Law 53/2022 of 20 July; US$2/day = US$60/month); '
    'Independente, "Pagamentu ba Idozu no EhD, Governu Preve $22,141,674.00", 19 June 2024 (INSS - aged 60-69 '
    "receive US$60 per month)"
)
SAII_URL = "https://timor-leste.gov.tl/?p=35692&lang=en&n=1"
TAKE_UP_REFERENCE = (
    'ILO Social Protection Department (2016), Timor-Leste - Universal old-age and disability pensions, country '
    'note, p. 1 ("more than 80% of older persons were covered in the first year"; 94,287 beneficiaries by 2016)'
)
TAKE_UP_URL = "https://socialprotection-humanrights.org/resource/universal-old-age-disability-pensions/"
SAII_ROW = {
    "reform_step": "saii_increase", "kind": "parameter", "parameter": "benefits.saii.amount",
    "description": SAII_DESCRIPTION, "unit": "USD", "old_value": "60", "new_value": "80", "start": "2025-01-01",
    "stop": "", "reference": SAII_REFERENCE, "reference_url": SAII_URL,
}
SUPPLEMENT = ReformSpec(
    name="supplement",
    description="Two  lines\n of text",
    changes=(
        ParameterChange(parameter="benefits.saii.age_supplement[1].amount", value=25.5, start="2025-03-01",
                        stop="2025-12-31"),
        ParameterChange(parameter="take_up.saii", value=True, start="2025-01-01"),
    ),
)


@pytest.fixture(scope="module")
def results():
    scenarios = {"baseline": None, "default": DEFAULT, "stacked": [SUPPLEMENT, DEFAULT], "floor": [DOTTED_PATH, FLOOR]}
    return Microsimulation("timor_leste", make_tiny_survey(), 2025, backend="sequential").run(scenarios)


def test_the_engine_records_old_and_new_values_with_references(results):
    recorded = results.run_info["parameter_changes"]
    assert recorded["baseline"] == []
    (step,) = recorded["default"]
    spec = load_reform(DEFAULT)
    assert (step["step"], step["kind"], step["label"], step["description"]) == (
        "saii_increase", "parameters", spec.label, spec.description
    )
    (change,) = step["changes"]
    assert change["parameter"] == "benefits.saii.amount"
    assert (change["old_value"], change["new_value"], change["start"], change["stop"]) == (60, 80, "2025-01-01", None)
    assert change["unit"] == "currency-USD"
    assert [reference["href"] for reference in change["old_references"]] == [
        SAII_URL, "https://www.independente.tl/nasionali/pagamentu-ba-idozu-no-ehd-governu-preve-22-141-674-00"
    ]
    bracket, take_up = recorded["stacked"][0]["changes"]
    assert (bracket["old_value"], bracket["new_value"], bracket["stop"]) == (20, 25.5, "2025-12-31")
    assert (take_up["old_value"], take_up["new_value"], take_up["unit"]) == (1, True, "/1")


def test_parameters_table_is_the_one_reports_printed_before(results):
    assert parameters_table(results, "default").to_dict("records") == [SAII_ROW]
    assert parameters_table(results, "stacked").to_dict("records") == [
        {"reform_step": "supplement", "kind": "parameter", "parameter": "benefits.saii.age_supplement[1].amount",
         "description": "", "unit": "", "old_value": "20", "new_value": "25.5", "start": "2025-03-01",
         "stop": "2025-12-31", "reference": "", "reference_url": ""},
        {"reform_step": "supplement", "kind": "parameter", "parameter": "take_up.saii",
         "description": "Take-up rate of the SAII / social pension among eligible persons", "unit": "ratio",
         "old_value": "1", "new_value": "yes", "start": "2025-01-01", "stop": "", "reference": TAKE_UP_REFERENCE,
         "reference_url": TAKE_UP_URL},
        SAII_ROW,
    ]
    assert parameters_table(results, "baseline").empty


def test_report_label_and_description_come_from_the_record(results):
    spec = load_reform(DEFAULT)
    context = build_report(results, "stacked").context
    assert context["reform_label"] == f"supplement + {spec.label}"
    assert context["reform_description"] == "Two lines of text " + " ".join(spec.description.split())
    assert _reform_description(results, "baseline") == ("baseline", "")  # no reform step: the scenario's name


def test_workbook_sheet_is_the_one_reports_wrote_before(results, tmp_path):
    path = write_workbook(build_report(results, "default"), tmp_path / "report.xlsx")
    rows = list(openpyxl.load_workbook(path)["Parameters changed"].iter_rows(values_only=True))
    assert rows[3] == ("Reform", "Parameter", "Description", "Unit", "Old value", "New value", "From", "Until",
                       "Reference of the old value", "URL")
    assert rows[4] == ("saii_increase", "benefits.saii.amount", SAII_DESCRIPTION, "USD", "60", "80", "2025-01-01",
                       "", SAII_REFERENCE, SAII_URL)
    assert len(rows) == 5


def test_a_python_step_and_the_parameters_it_adds_are_listed(results):
    """The floor's shares exist only once the floor is applied: their old values are the floor's defaults (in
    ``social_protection_floor/parameters/*/share.yaml``: the ILO levels), read from the rules the step is applied to."""
    table = parameters_table(results, "floor")
    assert list(table["kind"]) == ["python_reform"] + ["parameter"] * 4
    assert (table.iloc[0]["reform_step"], table.iloc[0]["parameter"]) == ("SocialProtectionFloor", DOTTED_PATH)
    assert table.iloc[0]["description"] == "Adds the social protection floor to the host package it is applied to."
    shares = table.iloc[1:]
    assert list(shares["parameter"]) == [f"social_protection_floor.{c}.share" for c in
                                         ("child", "orphan", "disability", "old_age")]
    assert list(shares["old_value"]) == ["0.25", "0", "1", "1"]  # the ILO levels, orphan a user choice
    assert list(shares["new_value"]) == ["0.2", "0.5", "1", "1"]
    assert all("ESS Working Paper No. 58" in reference for reference in shares["reference"])
