"""A deterministic, seeded synthetic household survey of Timor-Leste, calibrated to published figures.

This is floorsim's embedded default survey. **It is synthetic**: no household in it exists, and it must not be
used for statistics about Timor-Leste beyond testing and illustrating floorsim (see ``docs/synthetic_survey.md``).

What it reproduces (numbers and sources in ``surveys/data/timor_leste_targets.yaml``, read by ``targets``):

* population by sex and five-year age group, population by municipality (13, Atauro folded into Dili) and the
  number of households, exactly, through calibrated weights;
* the official poverty headcount (41.8%) at the national poverty line (US$46.37 per person per month in 2014
  prices) and the Gini index of per-capita consumption (0.29), exactly and to three decimals respectively;
* disability (share of adults with any functional difficulty, share of the population with a lot of difficulty),
  pregnancy (from the crude birth rate) and school attendance (share of households with a child out of school).

Reference year: 2015
    The demographic structure comes from the 2015 Census (census night 11 July 2015) and consumption from the
    TLSLS-3 poverty results, whose fieldwork ran from April 2014 to March 2015. Choosing 2015 keeps the two in the
    same period, so the only assumption on consumption is a one-year CPI uprating (2014 to 2015, +0.65%, IMF).
    A 2022 reference year (the latest census) was considered and rejected for now: no 2022 table by five-year age
    and sex and no consistent CPI series for 2020-2022 could be found, and carrying the 2014 consumption
    distribution through COVID-19 and the 2022 price rise would be a much stronger assumption. The 2022 census
    totals are kept in the targets file so that a later version can re-age the survey by calibration.

How a survey is made (each step is one module of this package, run in order by ``generator``):

1. ``households``: households are allocated to 26 strata (municipality x urban/rural) in proportion to population, with at least
   two enumeration areas per stratum, and grouped into enumeration areas of about 15 households (the PSUs).
2. ``households``: each household gets a head (age, sex), maybe a spouse, children of the head (at least 15 years younger than
   both parents), maybe elderly parents of the head, grandchildren and other relatives, and rarely a
   non-relative. The probabilities are assumptions, tuned so that calibration moves weights little.
3. ``weights``: weights start equal within each stratum (the inverse of its sampling fraction, since small strata are
   over-sampled) and are raked (``surveys.calibration.calibrate_weights``, exponential distance) to persons by
   sex x age group, persons by stratum and the number of households.
4. ``attributes``: consumption per capita is log-normal with urban, west/east and household-size effects and an
   enumeration-area random effect; its spread is solved for the Gini and its level for the headcount, both on the
   final weights. Disability, pregnancy and school attendance are drawn last, with levels calibrated likewise.

Every random number comes from one ``numpy.random.Generator(PCG64(seed))`` drawn in a fixed order, so a seed and a
size give identical tables on every machine and no global random state is touched.

Options, all opt-in so that the default path draws exactly the same numbers (the bundled survey depends on it):

* ``year=`` (2025-2035, module ``year``) reweights the finished survey to the UN WPP 2022 population by age group of that year and
  moves money with the country package's CPI chain (:func:`reweight_to_year`);
* :func:`write_large_synthetic_survey` (module ``large``) writes 5-20 million persons block by block, one household-aligned row group
  per block, each block a deterministic function of (seed, block index);
* ``report`` compares a survey with its targets; ``python -m surveys.synthetic`` prints that comparison;
* no employment status: no sourced employment figure could be read (see ``docs/synthetic_survey.md``).
"""

from surveys.synthetic.generator import DEFAULT_HOUSEHOLDS, DEFAULT_SEED, generate_timor_leste_survey
from surveys.synthetic.households import EA_SIZE, stratum_population
from surveys.synthetic.large import block_seed, large_survey_blocks, write_large_synthetic_survey
from surveys.synthetic.report import achieved_vs_targets
from surveys.synthetic.targets import DEFAULT_TARGETS, Targets, load_targets
from surveys.synthetic.weights import calibrate_household_weights
from surveys.synthetic.year import cpi_factor, cpi_index, reweight_to_year

__all__ = [
    "DEFAULT_HOUSEHOLDS",
    "DEFAULT_SEED",
    "DEFAULT_TARGETS",
    "EA_SIZE",
    "Targets",
    "achieved_vs_targets",
    "block_seed",
    "calibrate_household_weights",
    "cpi_factor",
    "cpi_index",
    "generate_timor_leste_survey",
    "large_survey_blocks",
    "load_targets",
    "reweight_to_year",
    "stratum_population",
    "write_large_synthetic_survey",
]
