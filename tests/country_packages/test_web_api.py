"""The Timor-Leste package works behind OpenFisca's web API (what `openfisca serve` starts)."""

from __future__ import annotations

import json

from openfisca_web_api.app import create_app

from floorsim.country_packages.timor_leste import CountryTaxBenefitSystem


def test_calculate_endpoint_pays_the_2025_social_pension():
    client = create_app(CountryTaxBenefitSystem()).test_client()
    situation = {
        "persons": {"ana": {"age": {"2025-01": 72}, "saii": {"2025-01": None}}, "rui": {"age": {"2025-01": 40}, "saii": {"2025-01": None}}},
        "households": {"h": {"heads": ["ana"], "other_members": ["rui"]}},
    }
    response = client.post("/calculate", data=json.dumps(situation), content_type="application/json")
    assert response.status_code == 200, response.data
    persons = response.get_json()["persons"]
    # 2025: USD 60 base + USD 20 supplement at 70-79; nothing at 40 without incapacity.
    assert persons["ana"]["saii"]["2025-01"] == 80
    assert persons["rui"]["saii"]["2025-01"] == 0


def test_parameter_endpoint_serves_history_and_references():
    client = create_app(CountryTaxBenefitSystem()).test_client()
    parameter = client.get("/parameter/benefits.saii.amount").get_json()
    assert parameter["values"]["2010-01-01"] == 30
    assert parameter["values"]["2024-01-01"] == 60
    assert "19/2008" in json.dumps(parameter["metadata"]["reference"])
