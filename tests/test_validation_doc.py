"""docs/validation.md holds the table the code produces today: a change of rules or survey must update it."""

from __future__ import annotations

from pathlib import Path

import pytest

from floorsim.simulations.regression.validation import administrative_figures, bundled_validation_table, markdown_table

DOC = Path(__file__).resolve().parents[1] / "docs" / "validation.md"


def test_validation_page_is_up_to_date():
    text = DOC.read_text(encoding="utf-8")
    documented = text.split("<!-- table:start -->\n", 1)[1].split("<!-- table:end -->", 1)[0]
    assert documented == markdown_table(bundled_validation_table("timor_leste")), (
        "docs/validation.md is out of date: regenerate its table with `.venv/bin/python -m floorsim.simulations.regression.validation`"
    )


def test_every_figure_has_a_source_and_a_known_programme():
    from floorsim.simulations.engine.countries import load_country

    figures = administrative_figures("timor_leste")
    programmes = load_country("timor_leste").programmes
    assert set(figures["programme"]) <= set(programmes)
    assert figures["source"].str.len().min() > 10
    assert set(figures["measure"]) <= {"beneficiaries", "spending"}


def test_saii_2016_excess_is_in_the_60_plus_group_as_the_page_says():
    """The page explains the 2016 SAII gap by age group: recount both groups straight from the survey (a second
    method, without the rules) and check that they add up to the engine's count and match the page's figures."""
    import numpy as np

    from floorsim.simulations.engine.microsimulation import Microsimulation
    from floorsim.surveys.bundled import load_bundled_survey

    survey = load_bundled_survey()
    age = survey.persons["age"].to_numpy()
    severity = survey.persons["disability_severity"].to_numpy()
    weight = np.asarray(survey.person_weight)
    elderly = weight[age >= 60].sum()
    # Invalidity below 60: adults (18+) who "cannot do at all" (Washington Group level 3), the package's proxy.
    invalid = weight[(age >= 18) & (age < 60) & (severity == 3)].sum()
    results = Microsimulation("timor_leste", survey, 2016, backend="sequential").run({"baseline": None})
    assert results.programme_beneficiaries("baseline", "saii") == pytest.approx(elderly + invalid, rel=1e-9)
    # ILO (2016/2017): 94,287 beneficiaries = 86,974 elderly + 7,313 disabled (administrative_figures.yaml).
    assert elderly / 86_974 - 1 == pytest.approx(0.115, abs=0.005)  # the excess: +11.5% in the 60+ group
    assert invalid / 7_313 - 1 == pytest.approx(-0.25, abs=0.01)  # the invalidity proxy falls short
    text = DOC.read_text(encoding="utf-8")
    assert f"{elderly:,.0f} aged 60 or over" in text and f"{invalid:,.0f} adults aged 18-59" in text
