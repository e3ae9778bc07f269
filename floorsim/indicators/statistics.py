"""Estimators for design-based inference: evaluated under any weight set, and linearised where possible.

This module gathers them; they live by kind in ``estimator.py`` (the base class and its algebra),
``linear_statistics.py``, ``rank_statistics.py``, ``poverty_statistics.py`` and ``generic_statistic.py``.

Each ``Statistic`` is built from the data (values, a line, a domain) and then

* ``evaluate(weight_set)`` returns its value under each of k weight sets (the full sample, or R replicates,
  see ``weightsets.py``): this is how replicate variances are computed without re-running anything;
* ``influence(design)`` returns its linearised variable z_i (θ̂ − θ ≈ Σ_i w_i z_i, i.e. z_i = ∂θ̂/∂w_i), from
  which ``linearization.linearized_variance`` gives the Taylor variance;
* ``value(weights)`` is the plain full-sample estimate; it equals the corresponding function of
  ``floorsim.indicators`` (``fgt``, ``gini``, ``weighted_quantile`` ...) on the same data.

Statistics compose: ``a - b`` is a ``Difference`` (a reform-minus-baseline change on the same sample, whose
replicates and linearised variable are the differences of the two, so the covariance between scenarios is
accounted for), ``a / b`` a ``Quotient`` and ``c * a`` a ``Scaled`` statistic.

**Domains** (population groups: a region, a decile, women) are given as a boolean array; the estimator is then
computed over the domain's observations only, and in replicates the domain's size is re-estimated too (domain
estimation, Särndal, Swensson & Wretman 1992 §10.3), so the SE of a group's rate is right even though the
number of sampled group members is random.

Linearised variables used here (N = Σ_d w, the domain's weighted size; 1_d the domain indicator):

* total of y: z = 1_d y;  ratio Σ w y / Σ w x = R: z = 1_d (y − R x) / X;  mean: z = 1_d (y − ȳ) / N;
* FGT with a fixed line: a mean of g_i = 1[y_i < z_i] ((z_i − y_i)/z_i)^α;
* FGT with an estimated line ẑ: z = 1_d (g_i − P_α) / N + (∂P_α/∂z) z_line(i), with ∂P_α/∂z = f(z) (density
  of y in the domain at z) for α = 0 and (α / z)(P_{α−1} − P_α) for α >= 1 (Berger & Skinner 2003; Osier 2009);
* quantile Q_q: z = −1_d (1[y ≤ Q_q] − q) / (N f(Q_q)) (Francisco & Fuller 1991; Deville 1999);
* Gini (Eurostat formula, midpoint ranks F_i, T = Σ w y, μ = T / N, G the estimate):
  z = 1_d [2 F_i y_i + 2 U_i / N − (G + 1)(y_i + μ)] / T, with U_i = Σ_{y_j > y_i} w_j y_j + ½ Σ_{y_j = y_i} w_j y_j
  (derived in docs/indicators.md; cf. Binder & Kovacevic 1995, Langel & Tillé 2013);
* Watts with a fixed line: a mean; with an estimated line, ∂W/∂z = P_0 / z.

Densities f are Gaussian kernel estimates over the domain with Silverman's rule-of-thumb bandwidth
h = 0.9 min(σ̂, IQR/1.34) n^(−1/5) (Silverman 1986, eq. 3.31), σ̂ and IQR weighted, n the number of sampled
observations.
"""

from __future__ import annotations

from .estimator import Difference, Quotient, Scaled, Statistic
from .generic_statistic import Generic
from .linear_statistics import Mean, Proportion, Ratio, Total
from .poverty_statistics import FGT, Watts
from .rank_statistics import Gini, Quantile, RelativeLine

__all__ = [  # one line per module above, so that `from floorsim.indicators.statistics import *` gives them all
    "Difference", "Quotient", "Scaled", "Statistic",
    "Generic",
    "Mean", "Proportion", "Ratio", "Total",
    "FGT", "Watts",
    "Gini", "Quantile", "RelativeLine",
]
