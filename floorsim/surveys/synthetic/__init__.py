"""Deterministic, seeded synthetic household surveys calibrated to a country profile of published figures.

**A synthetic survey is synthetic**: no household in it exists, and it must not be used for statistics about the
country beyond testing and illustrating floorsim (see ``docs/synthetic_survey.md``). floorsim's embedded default
survey is the one of Timor-Leste's profile (``floorsim/surveys/data/profiles/timor_leste.yaml``, ``floorsim/surveys/bundled.py``);
``floorsim synth PROFILE.yaml --out DIR`` makes one for any country (``docs/country_profile.md``).

What it reproduces (each figure with its source in the profile, read by ``profile`` and ``targets``):

* persons by sex and age group (or by age group and by sex), by region and urban/rural, and the number of
  households, exactly, through calibrated weights;
* the poverty rate at the stated line (one line, or urban and rural lines; of persons or of households) and the
  Gini of per-capita welfare (consumption or income); or, without a poverty rate, the mean and the Gini;
* disability (Washington Group levels), pregnancy and births (from births per 1,000), school attendance, and
  orphanhood where the profile gives it.

How a survey is made (each step is one module of this package, run in order by ``generator``):

1. ``households``: households are allocated to region x urban/rural strata in proportion to population, with at
   least two enumeration areas per stratum, and grouped into enumeration areas of about 15 households (the PSUs).
2. ``households``: each household gets a head (age, sex), maybe a spouse, children of the head (at least 15 years
   younger than both parents), maybe elderly parents of the head, grandchildren and other relatives, and rarely a
   non-relative. The probabilities are assumptions (the profile's ``households.composition``).
3. ``weights``: weights start equal within each stratum (the inverse of its sampling fraction) and are raked
   (``floorsim.surveys.calibration.calibrate_weights``, exponential distance) to the profile's margins.
4. ``attributes``: per-capita welfare is log-normal with urban, regional and household-size effects and an
   enumeration-area random effect; its spread is solved for the Gini and its level for the poverty rate, both on
   the final weights. Disability, pregnancy, school attendance, then ``gave_birth`` and ``orphan`` are drawn last,
   with levels calibrated likewise.

Every random number comes from one ``numpy.random.Generator(PCG64(seed))`` drawn in a fixed order, so a seed, a
size and a profile give identical tables on every machine and no global random state is touched. ``report``
compares a survey with its profile (the calibration report).

Timor-Leste only (its files): ``year=`` (2025-2035, module ``year``) reweights the finished survey to the UN WPP
2022 population by age group of that year and moves money with the country package's CPI chain;
:func:`write_large_synthetic_survey` (module ``large``) writes 5-20 million persons block by block.
"""

from floorsim.surveys.synthetic.generator import (
    DEFAULT_HOUSEHOLDS,
    DEFAULT_SEED,
    generate_survey,
    generate_timor_leste_survey,
)
from floorsim.surveys.synthetic.households import EA_SIZE, stratum_population
from floorsim.surveys.synthetic.large import block_seed, large_survey_blocks, write_large_synthetic_survey
from floorsim.surveys.synthetic.profile import Profile, read_profile
from floorsim.surveys.synthetic.report import achieved_vs_targets, format_table
from floorsim.surveys.synthetic.targets import DEFAULT_TARGETS, PROFILES, Targets, load_targets
from floorsim.surveys.synthetic.weights import calibrate_household_weights
from floorsim.surveys.synthetic.year import cpi_factor, cpi_index, reweight_to_year

__all__ = [
    "DEFAULT_HOUSEHOLDS",
    "DEFAULT_SEED",
    "DEFAULT_TARGETS",
    "PROFILES",
    "Profile",
    "EA_SIZE",
    "Targets",
    "achieved_vs_targets",
    "block_seed",
    "calibrate_household_weights",
    "cpi_factor",
    "cpi_index",
    "format_table",
    "generate_survey",
    "generate_timor_leste_survey",
    "large_survey_blocks",
    "load_targets",
    "read_profile",
    "reweight_to_year",
    "stratum_population",
    "write_large_synthetic_survey",
]
