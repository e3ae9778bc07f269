"""The survey shipped with floorsim: a synthetic Timor-Leste survey (see ``docs/synthetic_survey.md``).

It is the general generator's survey of the Timor-Leste country profile (``surveys/data/profiles/timor_leste.yaml``;
:func:`surveys.synthetic.generate_survey`, through :func:`surveys.synthetic.generate_timor_leste_survey`) with a
fixed seed, committed under
``surveys/data/timor_leste_synthetic/`` so that every user and every test runs on the same bytes; a test checks that
regenerating it gives the same tables. ``python -m surveys.bundled`` regenerates it on purpose.
"""

from __future__ import annotations

from pathlib import Path

from surveys.io import read_survey_folder, write_survey
from surveys.model import Survey

BUNDLED_SURVEY = Path(__file__).resolve().parent / "data" / "timor_leste_synthetic"
BUNDLED_SEED = 20_221_101
BUNDLED_HOUSEHOLDS = 4_000


def generate_bundled_survey() -> Survey:
    """The bundled survey, generated afresh with its fixed seed and size."""
    from surveys.synthetic import generate_timor_leste_survey

    return generate_timor_leste_survey(seed=BUNDLED_SEED, n_households=BUNDLED_HOUSEHOLDS)


def load_bundled_survey() -> Survey:
    """Read the committed bundled survey."""
    return read_survey_folder(BUNDLED_SURVEY)


if __name__ == "__main__":
    path = write_survey(generate_bundled_survey(), BUNDLED_SURVEY)
    print(f"wrote {path}")
