"""The synthetic Timor-Leste survey, generated from a seed: the steps of the other modules in their fixed order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from surveys.model import Survey, SurveyMetadata
from surveys.synthetic.attributes import draw_consumption, draw_disability, draw_pregnancy, draw_schooling
from surveys.synthetic.households import draw_households, draw_members
from surveys.synthetic.targets import Targets, load_targets
from surveys.recorded_calibration import calibration_record
from surveys.synthetic.weights import RAKING, calibrate_household_weights, calibration_margins
from surveys.synthetic.year import reweight_to_year

DEFAULT_SEED = 20_150_711

DEFAULT_HOUSEHOLDS = 10_000  # the "about 10,000 households"; the bundled survey keeps 4,000 (bundled.py)

GENERATOR_VERSION = "1"


def generate_timor_leste_survey(
    seed: int = DEFAULT_SEED,
    n_households: int = DEFAULT_HOUSEHOLDS,
    targets: str | Path | None = None,
    *,
    year: int | None = None,
) -> Survey:
    """Generate the synthetic Timor-Leste survey: ``n_households`` households calibrated to ``targets``.

    Args:
        seed: seed of the ``PCG64`` generator; the same seed and size give identical tables.
        n_households: sample size in households (default 10,000); at least 600, so that every calibration cell has
            people in it. Below about 2,000 the allocation (two enumeration areas per stratum at least) is close to
            equal across strata, so design weights, and therefore final weights, vary widely. (The bundled survey,
            ``surveys/bundled.py``, passes 4,000 explicitly.)
        targets: path of a targets YAML; ``None`` uses ``surveys/data/timor_leste_targets.yaml``.
        year: ``None`` or the targets' reference year (2015) gives the survey as calibrated to the targets. Any
            other year must be one of the UN WPP 2022 projection's years (2025-2035,
            ``surveys/data/timor_leste_population_projection.yaml``): the finished survey is then reweighted by
            raking to that year's persons by five-year age group, and consumption and the poverty line are moved
            to that year's prices with the country package's CPI chain (:func:`cpi_factor`). No random number is
            drawn for this, so the households and persons are those of ``year=None``; only weights and money change.

    Returns:
        A validated :class:`~surveys.model.Survey` with ``metadata.synthetic`` set; household consumption is the
        total per month in USD of ``metadata.reference_year``, and ``metadata.extra["poverty_line"]`` is the
        national line in the same unit per person.
    """
    if isinstance(n_households, bool) or not isinstance(n_households, (int, np.integer)) or n_households < 600:
        raise ValueError(f"n_households must be an integer of at least 600, got {n_households!r}")
    loaded = load_targets(targets)
    rng = np.random.Generator(np.random.PCG64(seed))

    households = draw_households(rng, int(n_households), loaded)
    persons = draw_members(rng, households)
    size = np.bincount(persons["hh"].to_numpy(), minlength=len(households))
    weights = calibrate_household_weights(households, persons, loaded)
    person_weight = weights[persons["hh"].to_numpy()]

    households["consumption"] = draw_consumption(rng, households, size, weights, loaded)
    persons["disability_severity"] = draw_disability(rng, persons["age"].to_numpy(), person_weight, loaded)
    persons["pregnant"] = draw_pregnancy(rng, persons, person_weight, loaded)
    persons["in_school"] = draw_schooling(rng, persons, households, weights, loaded)
    households["weight"] = weights
    survey = _assemble(households, persons, seed, int(n_households), loaded)
    if year is not None and int(year) != loaded.reference_year:
        survey = reweight_to_year(survey, int(year))
    return survey


def _assemble(
    households: pd.DataFrame, persons: pd.DataFrame, seed: int, n_households: int, targets: Targets
) -> Survey:
    """Tables in floorsim's data model with metadata; constructing :class:`Survey` validates them."""
    ids = households["household_id"].to_numpy()
    persons_table = pd.DataFrame(
        {
            "person_id": np.arange(1, len(persons) + 1, dtype=np.int64),
            "household_id": ids[persons["hh"].to_numpy()],
            "age": persons["age"].to_numpy(np.int64),
            "sex": np.where(persons["female"], "female", "male"),
            "relationship": persons["relationship"].to_numpy(),
            "disability_severity": persons["disability_severity"].to_numpy(np.int64),
            "pregnant": persons["pregnant"].to_numpy(bool),
            "in_school": persons["in_school"].to_numpy(bool),
        }
    )
    households_table = households[["household_id", "weight", "region", "urban", "consumption", "stratum", "psu"]]
    metadata = SurveyMetadata(
        name="timor_leste_synthetic",
        country="TLS",
        reference_year=targets.reference_year,
        currency="USD",
        welfare_concept="consumption",
        synthetic=True,
        # The text names surveys/synthetic.py (now the surveys/synthetic/ package): the bundled survey records these
        # metadata and must regenerate identically, so the text is kept as it was.
        source=(
            "SYNTHETIC survey generated by floorsim (surveys/synthetic.py), calibrated to published Timor-Leste "
            "figures (Census 2015; TLSLS-3 2014-15 poverty results; see surveys/data/timor_leste_targets.yaml). "
            "No household in it exists: use it for testing and illustration only, never for statistics about "
            "Timor-Leste."
        ),
        reference_period=(
            f"{targets.reference_year}: ages and demographic margins at the census of 11 July 2015; consumption from "
            f"TLSLS-3 (April 2014 - March 2015) moved from 2014 to {targets.reference_year} prices with the CPI"
        ),
        welfare_definition=(
            "household total consumption per month (synthetic: log-normal per capita, calibrated to the official "
            "2014 poverty headcount and Gini of TLSLS-3)"
        ),
        extra={
            "seed": int(seed),
            "n_households": n_households,
            "targets_sha256": targets.sha256,
            "generator_version": GENERATOR_VERSION,
            "poverty_line": round(targets.poverty_line, 4),
            "poverty_line_unit": f"USD per person per month, {targets.reference_year} prices",
        },
        # What the weights were raked to, so that replicate weights are re-calibrated to the same margins.
        calibration=calibration_record(calibration_margins(targets), RAKING, None),
    )
    return Survey(households_table.reset_index(drop=True), persons_table, metadata=metadata, origin="<synthetic>")
