"""Stata ``.dta`` tables: read back with pyreadstat, values, variable labels and value labels equal the report's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from floorsim.simulations.reports.labels import ENGLISH
from floorsim.simulations.reports.tabular import write_tables


@pytest.fixture(scope="module")
def dta_folder(bundled_report, tmp_path_factory):
    folder = tmp_path_factory.mktemp("dta")
    written = write_tables(bundled_report, folder, formats=("dta",))
    assert sorted(path.name for path in written) == sorted(f"{name}.dta" for name in bundled_report.tables)
    return folder


@pytest.mark.parametrize("name", ["headline", "poverty", "deciles", "by_group", "cost", "curves", "parameters"])
def test_values_read_back_equal(dta_folder, bundled_report, name):
    table = bundled_report.tables[name]
    labelled, _ = pyreadstat.read_dta(str(dta_folder / f"{name}.dta"), apply_value_formats=True)
    assert list(labelled.columns) == list(table.columns)
    for column in table.columns:
        if pd.api.types.is_bool_dtype(table[column].dtype):
            assert list(labelled[column]) == ["true" if value else "false" for value in table[column]]
        elif pd.api.types.is_numeric_dtype(table[column].dtype):
            np.testing.assert_array_equal(labelled[column].to_numpy(np.float64), table[column].to_numpy(np.float64),
                                          err_msg=f"{name}.{column}")
        else:
            assert list(labelled[column].astype(str)) == list(table[column].astype(str)), f"{name}.{column}"


def test_variable_and_value_labels(dta_folder, bundled_report):
    codes, meta = pyreadstat.read_dta(str(dta_folder / "headline.dta"))
    labels = meta.column_names_to_labels
    assert labels["estimate"] == ENGLISH["dta.estimate"] == "Point estimate"
    assert labels["ci_low"] == "95% confidence interval: lower bound"
    assert labels["value_unit"] == "Unit of the raw numbers"
    # side is stored as codes with value labels, in order of first appearance
    assert meta.variable_value_labels["side"] == {1: "baseline", 2: "reform", 3: "change"}
    table = bundled_report.tables["headline"]
    assert list(codes["side"].astype(int)) == list(table["side"].map({"baseline": 1, "reform": 2, "change": 3}))
    assert "kind" in meta.variable_value_labels and "label" not in meta.variable_value_labels


def test_long_column_names_fit_stata(tmp_path):
    from floorsim.simulations.reports.tabular import write_dta

    long = "a_column_name_that_is_much_longer_than_thirty_two"
    table = pd.DataFrame({long: [1.0], long + "_2": [2.0], "9lives": ["x"]})
    write_dta(table, tmp_path / "t.dta")
    read, meta = pyreadstat.read_dta(str(tmp_path / "t.dta"))
    assert [len(name) <= 32 for name in read.columns] == [True, True, True]
    assert len(set(read.columns)) == 3 and read.columns[2] == "_9lives"
    assert meta.column_names_to_labels[read.columns[0]] == long.replace("_", " ")
