"""The surveys shipped with floorsim: synthetic Timor-Leste and Viet Nam surveys (see ``docs/synthetic_survey.md``).

It is the general generator's survey of the Timor-Leste country profile (``floorsim/surveys/data/profiles/timor_leste.yaml``;
:func:`floorsim.surveys.synthetic.generate_survey`, through :func:`floorsim.surveys.synthetic.generate_timor_leste_survey`) with a
fixed seed, committed under
``floorsim/surveys/data/timor_leste_synthetic/`` so that every user and every test runs on the same bytes; a test checks that
regenerating it gives the same tables. ``python -m floorsim.surveys.bundled`` regenerates it on purpose.

Viet Nam's (``floorsim/surveys/data/viet_nam_synthetic/``, with its ``calibration_report.csv``) is what
``floorsim synth floorsim/surveys/data/profiles/viet_nam.yaml --out floorsim/surveys/data/viet_nam_synthetic --households 10000
--seed 1`` writes (:data:`VIET_NAM_SURVEY`, :data:`VIET_NAM_SEED`, :data:`VIET_NAM_HOUSEHOLDS`).
"""

from __future__ import annotations

from pathlib import Path

from floorsim.surveys.io import read_survey_folder, write_survey
from floorsim.surveys.model import Survey

BUNDLED_SURVEY = Path(__file__).resolve().parent / "data" / "timor_leste_synthetic"
BUNDLED_SEED = 20_221_101
BUNDLED_HOUSEHOLDS = 4_000

VIET_NAM_SURVEY = Path(__file__).resolve().parent / "data" / "viet_nam_synthetic"
VIET_NAM_PROFILE = Path(__file__).resolve().parent / "data" / "profiles" / "viet_nam.yaml"
VIET_NAM_SEED = 1  # floorsim synth's default seed
VIET_NAM_HOUSEHOLDS = 10_000


def generate_bundled_survey() -> Survey:
    """The bundled survey, generated afresh with its fixed seed and size."""
    from floorsim.surveys.synthetic import generate_timor_leste_survey

    return generate_timor_leste_survey(seed=BUNDLED_SEED, n_households=BUNDLED_HOUSEHOLDS)


def load_bundled_survey() -> Survey:
    """Read the committed bundled survey."""
    return read_survey_folder(BUNDLED_SURVEY)


def write_viet_nam_survey() -> Path:
    """Regenerate the bundled Viet Nam survey and its calibration report (what ``floorsim synth`` writes)."""
    from floorsim.surveys.synthetic.writer import synthesise

    synthesise(VIET_NAM_PROFILE, VIET_NAM_SURVEY, VIET_NAM_HOUSEHOLDS, VIET_NAM_SEED)
    return VIET_NAM_SURVEY


if __name__ == "__main__":
    path = write_survey(generate_bundled_survey(), BUNDLED_SURVEY)
    print(f"wrote {path}")
    print(f"wrote {write_viet_nam_survey()}")
