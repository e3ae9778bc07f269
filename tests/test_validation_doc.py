"""docs/validation.md holds the table the code produces today: a change of rules or survey must update it."""

from __future__ import annotations

from pathlib import Path

from simulations.regression.validation import administrative_figures, bundled_validation_table, markdown_table

DOC = Path(__file__).resolve().parents[1] / "docs" / "validation.md"


def test_validation_page_is_up_to_date():
    text = DOC.read_text(encoding="utf-8")
    documented = text.split("<!-- table:start -->\n", 1)[1].split("<!-- table:end -->", 1)[0]
    assert documented == markdown_table(bundled_validation_table("timor_leste")), (
        "docs/validation.md is out of date: regenerate its table with `.venv/bin/python -m simulations.regression.validation`"
    )


def test_every_figure_has_a_source_and_a_known_programme():
    from simulations.engine.countries import load_country

    figures = administrative_figures("timor_leste")
    programmes = load_country("timor_leste").programmes
    assert set(figures["programme"]) <= set(programmes)
    assert figures["source"].str.len().min() > 10
    assert set(figures["measure"]) <= {"beneficiaries", "spending"}
