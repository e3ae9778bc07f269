"""OpenFisca country packages maintained with floorsim.

Each sub-package is a complete OpenFisca country package (``CountryTaxBenefitSystem`` in its ``__init__``), usable
with ``openfisca test`` and ``openfisca serve`` unchanged, plus a ``floorsim.yaml`` that tells floorsim's engine
how survey columns become the package's inputs and which variables are programmes.
"""
