"""Property-based: whatever a client sends, the web app answers with a 2xx, or a 4xx whose body names the problem;
never a 500 (the repro: ``POST /api/household`` with month 1999-01, then 9999, answered 500).

Bounded example counts keep it within the suite's time; ``FLOORSIM_FUZZ_EXAMPLES=2000`` runs many more.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("FLOORSIM_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

KEYS = ["age", "sex", "disabled", "severity", "persons", "household", "month", "changes", "parameter", "value",
        "start", "stop", "country", "survey", "period", "name", "label", "replicates", "job_id", "x"]
PATHS = ["benefits.saii.amount", "benefits.saii", "benefits.saii.age_supplement[1].amount", "benefits.nothing",
         "take_up", ""]
scalars = (st.none() | st.booleans() | st.integers(-10**13, 10**13) | st.floats(allow_nan=False, allow_infinity=False)
           | st.sampled_from(["2025-03", "1999-01", "9999", "2025-13", "1990", "2100-12", "2025-01-01", "male"] + PATHS)
           | st.text(max_size=12))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=5),
                           max_leaves=20)
change = st.fixed_dictionaries({"parameter": st.sampled_from(PATHS), "value": scalars},
                               optional={"start": scalars, "stop": scalars})
household = st.fixed_dictionaries(
    {"persons": st.lists(st.dictionaries(st.sampled_from(["age", "sex", "x"]), scalars, max_size=3), max_size=3)},
    optional={"month": scalars, "household": json_values, "changes": st.lists(change, max_size=2),
              "period": scalars, "country": scalars},
)
reform = st.fixed_dictionaries({"changes": st.lists(change, max_size=3)},
                               optional={"name": scalars, "period": scalars, "survey": scalars, "replicates": scalars})


def answered_cleanly(response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:500])
    if response.status_code >= 400:
        message = response.json()["detail"]
        message = message["message"] if isinstance(message, dict) else message
        assert message and "\n" not in message, response.text[:500]


@FUZZ
@given(body=household | json_values)
def test_household_api_never_500(client, body):
    answered_cleanly(client.post("/api/household", json=body))


@FUZZ
@given(body=reform | json_values)
def test_reform_check_never_500(client, body):
    answered_cleanly(client.post("/api/reforms/check", json=body))


@FUZZ
@given(params=st.dictionaries(st.sampled_from(["path", "date", "country", "history", "survey", "period"]),
                              st.sampled_from(PATHS + ["2025", "2025-02-31", "0000", "9999-12-31", "true"])
                              | st.text(max_size=12), max_size=4))
def test_parameters_never_500(client, params):
    answered_cleanly(client.get("/api/parameters", params=params))
    assert client.get("/parameters", params=params).status_code < 500
