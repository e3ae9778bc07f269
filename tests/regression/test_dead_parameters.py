"""Dead-parameter check: every parameter a formula reads is read by a YAML test and moves an output on the bundled
survey, except the allow-listed ones, each with its reason (floorsim/simulations/regression/dead.py)."""

from __future__ import annotations

import ast
import textwrap

import pytest

from floorsim.simulations.regression import dead, formula_reads, parameter_traces, perturbation
from floorsim.simulations.engine.scenarios import baseline_system


@pytest.fixture(scope="module")
def report():
    return dead.check_dead_parameters("timor_leste")


def test_no_dead_or_untested_parameter(report):
    assert not report.offenders, report.format()
    assert not report.test_failures, report.format()


def test_static_analysis_sees_every_parameter_the_tracer_sees(report):
    """The static analysis of formulas finds every parameter that formulas were seen reading (YAML tests and the
    survey, traced); a formula reading parameters in a way it cannot follow would show here."""
    assert report.static_missed == []
    assert len(report.read_by_formulas) >= 40


def test_findings_on_the_timor_leste_package(report):
    read = report.read_by_formulas
    # Scales count bracket by bracket; a folder passed on whole (jf.coverage) counts leaf by leaf.
    assert "benefits.saii.age_supplement[2].amount" in read
    assert "benefits.bolsa_da_mae_jerasaun_foun.coverage.Dili" in read
    assert read["benefits.saii.amount"] == ["saii (2008-01-01)"]
    # Parameters only the engine or reports read are not formula parameters.
    assert {"take_up.saii", "country.cpi", "country.poverty_line.national"} <= set(report.engine_parameters)
    assert "take_up.saii" not in read and "country.gdp.nominal" in report.not_read
    # Alive only under a reform (0 in law): the universal child grant's amount.
    assert report.alive_in["benefits.universal_child_grant.amount"].startswith("2025, reform universal_child_grant")
    assert report.alive_in["benefits.covid_household_transfer.amount"].startswith("2020, baseline")
    # The allow-listed ones really are dead on the bundled survey.
    for path in report.allowed:
        assert report.alive_in[path] is None


def test_offenders_are_listed_and_allow_list_entries_cannot_go_stale():
    read = {"a": ["x (2020-01-01)"], "b": ["y (2020-01-01)"]}
    tested = {"a": ["t.yaml #1"]}
    alive = {"a": "2025, baseline, -10%: x", "b": None}
    offenders = dead.find_offenders(read, tested, alive, {})
    assert [(path, problem) for path, problem, _ in offenders] == [
        ("b", dead.PROBLEMS["untested"]), ("b", dead.PROBLEMS["dead"])
    ]
    allowed = {"b": {"dead": "the survey lacks the column it needs"}, "a": {"untested": "stale reason"}}
    offenders = dead.find_offenders(read, tested, alive, allowed)
    assert [(path, problem) for path, problem, _ in offenders] == [
        ("b", dead.PROBLEMS["untested"]),
        ("a", "stale allow-list entry: the parameter no longer has the problem 'untested'"),
    ]


def test_allow_list_entries_need_a_reason(tmp_path):
    path = tmp_path / "allow.yaml"
    path.write_text("timor_leste:\n  benefits.saii.amount: {check: dead, reason: why}\n")
    with pytest.raises(dead.FloorsimError, match="give the reason"):
        dead.load_allowlist("timor_leste", path)
    path.write_text("timor_leste:\n  benefits.saii.amount: {check: asleep, reason: a reason long enough to count}\n")
    with pytest.raises(dead.FloorsimError, match="'check' must be one of untested, dead"):
        dead.load_allowlist("timor_leste", path)


def _reads(source: str) -> set[str]:
    function = ast.parse(textwrap.dedent(source)).body[0]
    visitor = formula_reads._Reads(formula_reads._parameters_argument(function))
    for statement in function.body:
        visitor.visit(statement)
    return visitor.paths


def test_static_analysis_follows_aliases_attributes_and_subscripts():
    paths = _reads(
        """
        def formula(person, period, parameters):
            saii = parameters(period).benefits.saii
            unused = saii.invalidity_minimum_age
            line = parameters(period).benefits.bolsa_da_mae.vulnerability
            total = saii.amount + saii.age_supplement.calc(person("age", period))
            covered = lookup(person("municipality", period), parameters(period).benefits.jf["coverage"])
            return total * line.days_per_year + line[person("region", period)]
        """
    )
    # Bindings are not reads (benefits.saii, the unused alias); uses are, with their longest chain.
    assert paths == {
        "benefits.saii.amount",
        "benefits.saii.age_supplement.calc",
        "benefits.jf.coverage",
        "benefits.bolsa_da_mae.vulnerability.days_per_year",
        "benefits.bolsa_da_mae.vulnerability",
    }


def test_yaml_test_tracing_records_what_each_test_reads(tmp_path):
    (tmp_path / "one.yaml").write_text(
        "- name: SAII at 65 in 2025\n  period: 2025-01\n  input: {age: 65}\n  output: {saii: 60}\n"
        "- name: broken\n  period: 2025-01\n  input: {no_such_variable: 1}\n  output: {saii: 0}\n"
    )
    system = baseline_system("timor_leste")
    reads, failures = parameter_traces.yaml_test_reads(system, tmp_path)
    assert "benefits.saii.amount" in reads and "benefits.saii.age_supplement[1].threshold" in reads
    assert reads["benefits.saii.amount"] == {"one.yaml #1: SAII at 65 in 2025"}
    assert not any(path.startswith("benefits.bolsa_da_mae") for path in reads)
    assert len(failures) == 1 and failures[0].startswith("one.yaml #2: broken")


def test_perturbation_detects_a_live_and_a_dead_parameter(report):
    from floorsim.simulations.engine.countries import load_country
    from floorsim.surveys.bundled import load_bundled_survey

    spec, system = load_country("timor_leste"), baseline_system("timor_leste")
    runner = perturbation.SurveyRunner(spec, load_bundled_survey(), system)
    paths = ["benefits.saii.amount", "benefits.covid_household_transfer.earnings_ceiling"]
    found = perturbation.liveness(runner, paths, [2025], {})
    assert found["benefits.saii.amount"] == "2025, baseline, -10%: saii"
    assert found["benefits.covid_household_transfer.earnings_ceiling"] is None

