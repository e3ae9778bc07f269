"""The synthetic survey of a country profile, generated from a seed: the steps of the other modules in their fixed
order. Timor-Leste's bundled survey is one profile of it (``floorsim/surveys/data/profiles/timor_leste.yaml``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from floorsim.indicators.scales import household_adult_equivalents
from floorsim.surveys.model import Survey, SurveyMetadata
from floorsim.surveys.recorded_calibration import calibration_record
from floorsim.surveys.synthetic.attributes import (
    draw_births,
    draw_consumption,
    draw_disability,
    draw_orphans,
    draw_pregnancy,
    draw_schooling,
)
from floorsim.surveys.synthetic.households import draw_households, draw_members
from floorsim.surveys.synthetic.statuses import draw_statuses
from floorsim.surveys.synthetic.targets import Targets, load_targets
from floorsim.surveys.synthetic.weights import RAKING, calibrate_household_weights, calibration_margins
from floorsim.surveys.synthetic.year import reweight_to_year

# How the survey metadata names the scales of floorsim/indicators/scales.py.
SCALE_NAMES = {"oecd_modified": "modified OECD", "oecd": "OECD (Oxford)", "square_root": "square root"}

DEFAULT_SEED = 20_150_711

DEFAULT_HOUSEHOLDS = 10_000  # the "about 10,000 households"; the bundled survey keeps 4,000 (bundled.py)
MIN_HOUSEHOLDS = 600  # below this, some calibration cells of Timor-Leste's profile would be empty

GENERATOR_VERSION = "2"  # 2: any country profile; gave_birth and orphan columns (drawn after all others)


def generate_survey(
    profile: str | Path | Targets, seed: int = DEFAULT_SEED, n_households: int = DEFAULT_HOUSEHOLDS
) -> Survey:
    """Generate the synthetic survey of a country profile: ``n_households`` households calibrated to its figures.

    Steps, in this fixed order (one ``numpy.random.Generator(PCG64(seed))``; the same seed, size and profile give
    identical tables): strata and enumeration areas; members; weights raked to the margins
    (:func:`calibrate_household_weights`); welfare (Gini, then poverty rate or mean); disability; pregnancy;
    school attendance; then the columns added in version 2, drawn last so that the earlier ones keep their random
    numbers: ``gave_birth`` (births per 1,000) and ``orphan`` (only where the profile gives orphanhood; otherwise
    all false, as ``metadata.extra["orphan"]`` says); last, the profile's administrative statuses, if any
    (``floorsim/surveys/synthetic/statuses.py``: columns such as ``poverty_certificate`` or ``monthly_pension``).

    Args:
        profile: path of a country profile YAML (``docs/country_profile.md``) or its loaded :class:`Targets`.
        seed: seed of the ``PCG64`` generator.
        n_households: sample size in households; at least 600 so that every calibration cell has people in it.

    Returns:
        A validated :class:`~floorsim.surveys.model.Survey` with ``metadata.synthetic`` set; household welfare is the total
        per month in the profile's currency of its reference year; ``metadata.extra`` holds the poverty line(s),
        the seed, the size and the profile's SHA-256; ``metadata.calibration`` the margins the weights satisfy.

    Raises:
        SurveyError: the profile is not valid, or a margin cannot be met (generate more households).
        ValueError: ``n_households`` is not an integer of at least 600.
    """
    if isinstance(n_households, bool) or not isinstance(n_households, (int, np.integer)) or n_households < 600:
        raise ValueError(f"n_households must be an integer of at least {MIN_HOUSEHOLDS}, got {n_households!r}")
    loaded = profile if isinstance(profile, Targets) else load_targets(profile)
    rng = np.random.Generator(np.random.PCG64(seed))

    households = draw_households(rng, int(n_households), loaded)
    persons = draw_members(rng, households, loaded.composition)
    size = np.bincount(persons["hh"].to_numpy(), minlength=len(households))
    weights = calibrate_household_weights(households, persons, loaded)
    person_weight = weights[persons["hh"].to_numpy()]

    households[loaded.welfare_concept] = draw_consumption(rng, households, size, weights, loaded)
    persons["disability_severity"] = draw_disability(rng, persons["age"].to_numpy(), person_weight, loaded)
    persons["pregnant"] = draw_pregnancy(rng, persons, person_weight, loaded)
    persons["in_school"] = draw_schooling(rng, persons, households, weights, loaded)
    persons["gave_birth"] = draw_births(rng, persons, person_weight, loaded)
    if loaded.orphan_share is not None:
        persons["orphan"] = draw_orphans(rng, persons, person_weight, loaded)
    else:
        persons["orphan"] = False
    # Administrative statuses last (only where the profile defines them), so that no earlier column changes.
    household_statuses, person_statuses = draw_statuses(rng, households, persons, size, weights, loaded)
    households["weight"] = weights
    return _assemble(households, persons, seed, int(n_households), loaded, household_statuses, person_statuses)


def generate_timor_leste_survey(
    seed: int = DEFAULT_SEED,
    n_households: int = DEFAULT_HOUSEHOLDS,
    targets: str | Path | None = None,
    *,
    year: int | None = None,
) -> Survey:
    """The synthetic Timor-Leste survey: :func:`generate_survey` of ``targets`` (default: the Timor-Leste profile,
    ``floorsim/surveys/data/profiles/timor_leste.yaml``), optionally moved to another year.

    Args:
        seed, n_households: as for :func:`generate_survey` (the bundled survey, ``floorsim/surveys/bundled.py``, passes
            4,000 households).
        targets: path of a profile; ``None`` uses Timor-Leste's.
        year: ``None`` or the profile's reference year (2015) gives the survey as calibrated to the profile. Any
            other year must be one of the UN WPP 2022 projection's years (2025-2035,
            ``floorsim/surveys/data/timor_leste_population_projection.yaml``): the finished survey is then reweighted by
            raking to that year's persons by five-year age group, and consumption and the poverty line are moved
            to that year's prices with the country package's CPI chain (:func:`cpi_factor`). No random number is
            drawn for this, so the households and persons are those of ``year=None``; only weights and money change.
    """
    loaded = load_targets(targets)
    survey = generate_survey(loaded, seed, n_households)
    if year is not None and int(year) != loaded.reference_year:
        survey = reweight_to_year(survey, int(year))
    return survey


def _assemble(
    households: pd.DataFrame, persons: pd.DataFrame, seed: int, n_households: int, targets: Targets,
    household_statuses: dict[str, np.ndarray] | None = None, person_statuses: dict[str, np.ndarray] | None = None,
) -> Survey:
    """Tables in floorsim's data model with metadata; constructing :class:`Survey` validates them (and casts the
    status columns to their data-model types)."""
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
            "gave_birth": persons["gave_birth"].to_numpy(bool),
            "orphan": persons["orphan"].to_numpy(bool),
            **(person_statuses or {}),
        }
    )
    welfare = targets.welfare_concept
    households_table = households[["household_id", "weight", "region", "urban", welfare, "stratum", "psu"]]
    if household_statuses:
        households_table = households_table.assign(**household_statuses)
    if targets.equivalence_scale is not None:
        equivalents = household_adult_equivalents(persons_table["household_id"], persons_table["age"],
                                                  targets.equivalence_scale)
        households_table = households_table.assign(
            adult_equivalents=equivalents.reindex(households_table["household_id"]).to_numpy())
    text = targets.survey
    metadata = SurveyMetadata(
        name=text.name,
        country=text.country,
        reference_year=targets.reference_year,
        currency=targets.currency,
        welfare_concept=welfare,
        synthetic=True,
        source=text.source,
        reference_period=text.reference_period,
        welfare_definition=text.welfare_definition,
        equivalence_scale=SCALE_NAMES.get(targets.equivalence_scale or "", ""),
        extra={
            "seed": int(seed),
            "n_households": n_households,
            "profile": Path(targets.path).name,
            "profile_sha256": targets.sha256,
            "generator_version": GENERATOR_VERSION,
            **_poverty_lines(targets),
            "orphan": (
                f"drawn: {targets.orphan_share:g} of persons aged {_ages_text(targets.orphan_ages)}"
                if targets.orphan_share is not None
                else "all false: the profile gives no orphanhood figure"
            ),
            **({"statuses": ", ".join(targets.statuses)} if targets.statuses else {}),
            "gave_birth": "women 15-49, weighted births = " + (
                f"{targets.crude_birth_rate * 1000:g} per 1,000 persons" if targets.crude_birth_rate is not None
                else f"those of a total fertility rate of {targets.total_fertility_rate:g}"
            ),
        },
        # What the weights were raked to, so that replicate weights are re-calibrated to the same margins.
        calibration=calibration_record(calibration_margins(targets), RAKING, None),
    )
    return Survey(households_table.reset_index(drop=True), persons_table, metadata=metadata, origin="<synthetic>")


def _poverty_lines(targets: Targets) -> dict[str, object]:
    """The poverty line(s) the survey was calibrated at, for ``metadata.extra``."""
    if targets.poverty_line is not None:
        return {"poverty_line": round(targets.poverty_line, 4), "poverty_line_unit": targets.poverty_line_unit}
    if targets.split_poverty_lines:
        return {
            "poverty_line_urban": round(targets.poverty_line_urban, 4),
            "poverty_line_rural": round(targets.poverty_line_rural, 4),
            "poverty_line_unit": targets.poverty_line_unit,
        }
    return {}


def _ages_text(ages: tuple[int, int | None]) -> str:
    return f"{ages[0]}+" if ages[1] is None else f"{ages[0]}-{ages[1]}"
