"""Multi-year cost and impact projections driven by the microsimulation (RAP-style costing, with poverty and
inequality in every year). See ``docs/projections.md``.

```python
from floorsim.simulations.projections import project, write_outputs

result = project("floorsim/country_packages/timor_leste/projections/assumptions_2025_2035.yaml",
                 ["floorsim/country_packages/timor_leste/reforms/saii_increase.yaml"])
result.pivot("cost_pct_gdp")          # years × scenarios, cost of all transfers in % of GDP
result.cross_checks                   # microsimulated vs aggregate (RAP) cost of universal schemes
write_outputs(result, "projection-output")
```
"""

from floorsim.simulations.projections.assumptions import Assumptions, load_assumptions, parse_assumptions
from floorsim.simulations.projections.errors import ProjectionError
from floorsim.simulations.projections.outputs import FILES, render_outputs, write_outputs
from floorsim.simulations.projections.runner import ProjectionResult, project

__all__ = [
    "FILES",
    "Assumptions",
    "ProjectionError",
    "ProjectionResult",
    "load_assumptions",
    "parse_assumptions",
    "project",
    "render_outputs",
    "write_outputs",
]
