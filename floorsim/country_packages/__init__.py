"""OpenFisca country packages maintained with floorsim.

Each sub-package is a complete OpenFisca country package (``CountryTaxBenefitSystem`` in its ``__init__``), usable
with ``openfisca test`` and ``openfisca serve`` unchanged, plus a ``floorsim.yaml`` that tells floorsim's engine
how survey columns become the package's inputs and which variables are programmes.
"""

import os

# ``floorsim diff`` runs an earlier version of one of these packages in a worker process: the folder it names here is
# searched before this one, in that process and in the engine's worker processes it starts (which inherit the
# environment). Unset, as always outside ``floorsim diff``, nothing changes.
__path__[:0] = [folder for folder in os.environ.get("FLOORSIM_DIFF_PACKAGES", "").split(os.pathsep) if folder]
