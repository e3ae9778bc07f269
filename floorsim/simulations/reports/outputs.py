"""Every output of ``floorsim run``, written all or nothing.

::

    floorsim-output/               (--out; one sub-folder per reform when several are compared)
      summary.json                 headline figures (raw units) and provenance
      report.html                  self-contained report (charts embedded, no network needed)
      results.xlsx                 workbook: summary, cost, poverty, inequality, deciles, coverage and targeting,
                                   by group, parameters changed, provenance
      tables/<name>.csv|.parquet   tidy tables (tables.TABLE_NAMES); .dta too with formats=(..., "dta")
      charts/<name>.png|.svg       charts (charts.CHARTS)

    with several reforms, beside their folders (comparison.py):
      comparison.xlsx, comparison.html, tables/comparison.<format>   every option side by side

Everything is first written into a temporary folder beside ``out`` (same file system), which then replaces ``out``
whole (``floorsim.surveys.atomic.staged_folder``): a failure anywhere removes the temporary folder and leaves ``out`` as it
was, and a run over an earlier output leaves none of its files behind (a ``--no-report`` run removes the old report).
An existing ``out`` must be an earlier output (it holds ``summary.json``) or empty: a folder of other files is never
replaced.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from floorsim.simulations.analysis.phases import Phases
from floorsim.simulations.errors import FloorsimError
from floorsim.simulations.reports.errors import ReportError
from floorsim.simulations.reports.labels import Labels
from floorsim.simulations.reports.summary import SUMMARY_FILE
from floorsim.simulations.reports.tables import DEFAULT_REPLICATES, ReportData, build_report, report_frame
from floorsim.simulations.reports.tabular import FORMATS as TABLE_FORMATS
from floorsim.simulations.reports.tabular import check_formats
from floorsim.simulations.engine.results import Results
from floorsim.surveys.atomic import staged_folder

REPORT_FILE = "report.html"
WORKBOOK_FILE = "results.xlsx"
TABLES_FOLDER = "tables"
CHARTS_FOLDER = "charts"
COMPARISON_WORKBOOK_FILE = "comparison.xlsx"
COMPARISON_REPORT_FILE = "comparison.html"


def write_report_files(report: ReportData, folder: str | Path, *, full: bool = True,
                       formats: Sequence[str] = TABLE_FORMATS, csv_dialect: str = "default",
                       phases: Phases | None = None) -> list[Path]:
    """Write one reform's outputs into ``folder``: summary.json and the tables (in ``formats``, CSV in
    ``csv_dialect``: ``tabular.py``), and with ``full`` the workbook, the charts and the HTML report. Returns the
    files written. Write into a staging folder (``floorsim.surveys.atomic.staged_folder``).

    With ``phases``, each step is timed (and shown) and summary.json, written last, carries the timings of every
    phase so far in ``provenance.phase_timings``."""
    from floorsim.simulations.reports.summary import summary_json
    from floorsim.simulations.reports.tabular import write_tables

    phases = phases or Phases()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with phases.phase("tables"):
        written = [*write_tables(report, folder / TABLES_FOLDER, formats=formats, csv_dialect=csv_dialect)]
    if full:
        from floorsim.simulations.reports.charts import write_charts
        from floorsim.simulations.reports.excel import write_workbook
        from floorsim.simulations.reports.html import write_html

        with phases.phase("charts"):
            charts = write_charts(report, folder / CHARTS_FOLDER)
        written += charts
        with phases.phase("workbook"):
            written.append(write_workbook(report, folder / WORKBOOK_FILE))
        vector = {path.stem: path for path in charts if path.suffix == ".svg"}
        with phases.phase("HTML report"):
            written.append(write_html(report, vector, folder / REPORT_FILE))
    summary = folder / SUMMARY_FILE
    document = dict(report.summary)
    document["provenance"] = {**document.get("provenance", {}), "phase_timings": phases.record()}
    summary.write_text(summary_json(document), encoding="utf-8")
    return [summary, *written]


def write_outputs(
    results: Results,
    reforms: Sequence[str],
    out: str | Path,
    *,
    replicates: int = DEFAULT_REPLICATES,
    seed: int | None = None,
    language: str = "en",
    full: bool = True,
    formats: Sequence[str] = TABLE_FORMATS,
    csv_dialect: str = "default",
    phases: Phases | None = None,
) -> list[Path]:
    """Write the outputs of every reform (compared with the baseline) into ``out``, all or nothing.

    With one reform the files go into ``out``; with several, into ``out/<reform>/``; with none, the baseline-only
    report (current law alone) goes into ``out``. Returns the files written (their final paths). Raises
    :class:`ReportError` (nothing written) if any output fails.

    Args:
        results: an in-memory run with a ``baseline`` scenario and the ``reforms``.
        reforms: the reform scenarios to report on; empty for a baseline-only report.
        out: the output folder.
        replicates: bootstrap replicates for standard errors (0: linearisation).
        seed: seed of the replicates (default: the run's).
        language: language of the labels (``labels.LABELS``).
        full: also write the workbook, charts and HTML report (else summary.json and tables only).
        formats: formats of the tables (``tabular.ALL_FORMATS``: csv, parquet, dta).
        csv_dialect: ``default`` or ``excel-eu`` (``tabular.CSV_DIALECTS``).

    With several reforms, the combined comparison (``comparison.py``) goes at the top of ``out``: its table in
    ``tables/``, and with ``full`` ``comparison.xlsx`` and ``comparison.html``.
        phases: the command's phases so far (``floorsim.simulations.analysis.phases``): the output phases are added, timed
            and shown, and every summary.json carries them.
    """
    out = Path(out)
    check_formats(formats, csv_dialect)
    try:
        # the whole folder is replaced: no file of an earlier run (an old report.html) stays beside the new ones
        with staged_folder(out, marker=SUMMARY_FILE) as staging:
            phases = phases or Phases()
            seed = results.run_info.get("seed", 0) if seed is None else seed
            frame, uncertainty = report_frame(results, reforms, replicates, seed, phases)
            staged = []
            reports = []
            for reform in list(reforms) or [None]:
                named = "" if len(reforms) <= 1 else f" ({reform})"
                with phases.phase(f"estimates and tables{named}"):
                    report = build_report(results, reform, frame=frame, replicates=replicates, seed=seed,
                                          language=language, uncertainty=uncertainty)
                folder = staging if len(reforms) <= 1 else staging / str(reform)
                staged += write_report_files(report, folder, full=full, formats=formats, csv_dialect=csv_dialect,
                                             phases=phases)
                reports.append(report)
            if len(reforms) > 1:
                staged += write_comparison_files(reports, staging, full=full, formats=formats,
                                                 csv_dialect=csv_dialect)
            relative = [path.relative_to(staging) for path in staged]
    except FloorsimError:
        raise
    except Exception as error:  # any failure of a writer: nothing was published
        raise ReportError(f"could not write the outputs to {out} ({type(error).__name__}: {error}); nothing was written") from error
    return [out / path for path in relative]


def write_comparison_files(reports: Sequence[ReportData], folder: Path, *, full: bool = True,
                           formats: Sequence[str] = TABLE_FORMATS, csv_dialect: str = "default") -> list[Path]:
    """The combined comparison of several options into ``folder`` (a staging folder): ``tables/comparison.*``, and
    with ``full`` ``comparison.xlsx`` and ``comparison.html``. Returns the files written."""
    from floorsim.simulations.reports.comparison import COMPARISON_TABLE, comparison_table
    from floorsim.simulations.reports.tabular import write_named_tables

    table = comparison_table(reports)
    written = write_named_tables({COMPARISON_TABLE: table}, folder / TABLES_FOLDER, formats=formats,
                                 csv_dialect=csv_dialect, labels=reports[0].labels)
    if full:
        from floorsim.simulations.reports.excel import write_comparison_workbook
        from floorsim.simulations.reports.comparison_html import write_comparison_html

        written.append(write_comparison_workbook(table, reports[0], folder / COMPARISON_WORKBOOK_FILE))
        written.append(write_comparison_html(table, reports[0], folder / COMPARISON_REPORT_FILE))
    return written


def describe_outputs(paths: Sequence[Path], out: str | Path, labels: Labels | None = None) -> str:
    """A short listing of written files for the terminal: files at the top, folders with their number of files
    (in ``labels``' language)."""
    labels = labels or Labels()
    out = Path(out)
    top: dict[str, int] = {}
    for path in paths:
        relative = path.relative_to(out)
        key = relative.parts[0] + ("/" if len(relative.parts) > 1 else "")
        top[key] = top.get(key, 0) + 1
    return ", ".join(name if not name.endswith("/") else labels.text("cli.folder_files", folder=name, count=count)
                     for name, count in top.items())


def read_summary(folder: str | Path) -> dict:
    """The ``summary.json`` of an output folder."""
    return json.loads((Path(folder) / SUMMARY_FILE).read_text(encoding="utf-8"))
