"""``--csv-dialect excel-eu``: UTF-8 with BOM, semicolon, decimal comma; read back by pandas with those settings it
equals the default CSV (and so the report's table)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from floorsim.simulations.reports.errors import ReportError
from floorsim.simulations.reports.tabular import write_tables


@pytest.fixture(scope="module")
def both(bundled_report, tmp_path_factory):
    folder = tmp_path_factory.mktemp("dialects")
    write_tables(bundled_report, folder / "default", formats=("csv",))
    write_tables(bundled_report, folder / "eu", formats=("csv",), csv_dialect="excel-eu")
    return folder


def test_excel_eu_reads_back_equal_to_the_default_csv(both, bundled_report):
    for name, table in bundled_report.tables.items():
        default = pd.read_csv(both / "default" / f"{name}.csv")
        eu = pd.read_csv(both / "eu" / f"{name}.csv", sep=";", decimal=",", encoding="utf-8-sig")
        pd.testing.assert_frame_equal(eu, default, check_exact=True, obj=name)
        numeric = table.select_dtypes("number").columns
        np.testing.assert_array_equal(eu[numeric].to_numpy(np.float64), table[numeric].to_numpy(np.float64))


def test_excel_eu_is_bom_semicolon_decimal_comma(both, bundled_report):
    raw = (both / "eu" / "headline.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header, first = raw[3:].decode("utf-8").splitlines()[:2]
    assert header.split(";")[:4] == ["indicator", "label", "unit", "value_unit"]
    estimate = first.split(";")[header.split(";").index("estimate")]
    assert "," in estimate and "." not in estimate
    assert float(estimate.replace(",", ".")) == bundled_report.tables["headline"]["estimate"].iloc[0]
    assert not (both / "default" / "headline.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_unknown_dialect_or_format_is_refused(bundled_report, tmp_path):
    with pytest.raises(ReportError, match="--csv-dialect: unknown dialect 'excel-us'"):
        write_tables(bundled_report, tmp_path, csv_dialect="excel-us")
    with pytest.raises(ReportError, match=r"--formats: unknown table format\(s\) \['xls'\]"):
        write_tables(bundled_report, tmp_path, formats=("csv", "xls"))
    assert not any(tmp_path.iterdir())


def test_cli_refuses_an_unknown_dialect_or_format_in_one_line(tmp_path):
    from typer.testing import CliRunner

    from floorsim.simulations.cli import app

    out = tmp_path / "out"
    for option, value, message in (("--csv-dialect", "excel-us", "unknown dialect 'excel-us'"),
                                   ("--formats", "csv,xlsx", "unknown table format(s) ['xlsx']")):
        result = CliRunner().invoke(app, ["run", option, value, "--out", str(out)])
        assert result.exit_code == 2
        assert message in result.output and len(result.output.strip().splitlines()) == 1
        assert not out.exists()
