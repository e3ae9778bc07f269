"""``floorsim diff OLD NEW``: what a change to a country package does, in the figures a ministry reads.

OLD and NEW are git revisions of a repository, or folders holding a version of the package. For each side the
package is *materialised* in a folder from which its own module names import (``git archive`` of the revision's
top-level package folder and ``floorsim.yaml``; a folder is used in place when its path already matches the module
name, otherwise copied under the module's name), and run by :mod:`simulations.regression.worker` in a separate
Python process whose ``PYTHONPATH`` starts with that folder. The engine is the running floorsim for both sides:
the diff measures the rules, not the engine. Each worker describes the package's rules and runs the survey through
it; this module compares the two:

* parameters: every dated value whose value in force differs (path, date, old → new, references), parameters
  added or removed, references and descriptions changed;
* variables: added, removed, or changed (label, entity, period, type, unit, reference, formula dates, and formula
  code — told apart from docstring or comment edits), with a unified diff of changed formulas; changed files;
* impact on the survey, per period: cost and beneficiaries per programme, total cost, poverty headcount, gap,
  poor persons, Gini, and by decile of baseline welfare.

Welfare follows the engine (``simulations.engine.results``): observed welfare already contains the transfers of the OLD
rules, so under NEW, welfare per capita = (observed × uprating − T_OLD / 12 + T_NEW / 12) / size; OLD is the
baseline and NEW the reform. Each side uses its own price data (poverty line, CPI), so a change to those shows too.

Thresholds (``--fail-if FIGURE:rel>X`` or ``FIGURE:abs>X``) make the command exit with status 1 when a figure's
change in any period exceeds them: ``abs`` on the change in the figure's own units (fractions for rates),
``rel`` on the change divided by the OLD value.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import os
import pickle
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path, PurePosixPath

import numpy as np
import yaml

from simulations.analysis.headline import POVERTY_FIGURES, figure_kind, programme_figures
from simulations.errors import FloorsimError
from indicators.groups import quantile_groups
from simulations.reports.numbers import format_figure, format_parameter_value
from simulations.regression.rules import compare_files, compare_parameters, compare_variables, describe_files
from simulations.engine.results import Results
from surveys.bundled import BUNDLED_SURVEY

ENGINE_ROOT = Path(__file__).resolve().parents[2]
DECILES = 10
GAIN_EPSILON = 0.005  # currency per household per year below which a change is rounding, not a gain or a loss
DIFF_LINES_SHOWN = 200


class DiffError(FloorsimError):
    """``floorsim diff`` cannot compare the two versions: says which side and why."""


# ----- thresholds -----


@dataclasses.dataclass(frozen=True)
class Threshold:
    """``FIGURE:rel>X`` or ``FIGURE:abs>X``: fail when the change of FIGURE exceeds X (relative or absolute)."""

    figure: str
    kind: str  # "rel" or "abs"
    limit: float

    @property
    def text(self) -> str:
        return f"{self.figure}:{self.kind}>{self.limit:g}"


THRESHOLD_PATTERN = re.compile(r"^\s*(?P<figure>[A-Za-z0-9_]+)\s*:\s*(?P<kind>rel|abs)\s*>\s*(?P<limit>[-+0-9.eE]+)\s*$")


def parse_threshold(text: str) -> Threshold:
    """Read ``total_cost:rel>0.05`` or ``poverty_headcount:abs>0.005``."""
    match = THRESHOLD_PATTERN.match(text)
    if not match:
        raise DiffError(
            f"--fail-if '{text}': write FIGURE:rel>X or FIGURE:abs>X, e.g. total_cost:rel>0.05 or "
            "poverty_headcount:abs>0.005"
        )
    try:
        limit = float(match["limit"])
    except ValueError:
        raise DiffError(f"--fail-if '{text}': '{match['limit']}' is not a number") from None
    if limit < 0 or math.isnan(limit):
        raise DiffError(f"--fail-if '{text}': the threshold must be a non-negative number")
    return Threshold(match["figure"], match["kind"], limit)


def evaluate_thresholds(report: dict, thresholds: list[Threshold]) -> list[dict]:
    """One row per (threshold, period): the measured change and whether it breaches the threshold."""
    rows = []
    for threshold in thresholds:
        for period, impact in report["impact"].items():
            figures = impact["figures"]
            if threshold.figure not in figures:
                raise DiffError(
                    f"--fail-if {threshold.text}: no figure '{threshold.figure}'; figures are "
                    f"{', '.join(figures)}"
                )
            figure = figures[threshold.figure]
            if figure["change"] is None:
                measured = None
            elif threshold.kind == "abs":
                measured = abs(figure["change"])
            else:
                measured = abs(figure["relative_change"]) if figure["relative_change"] is not None else (
                    math.inf if figure["change"] else 0.0
                )
            rows.append(
                {
                    "threshold": threshold.text,
                    "period": period,
                    "measured": measured,
                    "breached": measured is not None and measured > threshold.limit,
                }
            )
    return rows


# ----- materialising the two sides -----


@dataclasses.dataclass
class Side:
    """One version of the package: where its floorsim.yaml is, and the folder its modules import from."""

    ref: str
    label: str
    yaml: Path
    pythonpath: Path
    package_dir: Path
    commit: str | None = None

    def files(self) -> dict[str, str]:
        files = describe_files(self.package_dir)
        if not self.yaml.resolve().is_relative_to(self.package_dir.resolve()):
            files[self.yaml.name] = hashlib.sha256(self.yaml.read_bytes()).hexdigest()
        return files


def _module_parts(text: str, where: str) -> list[str]:
    """Module path (as a list) of the TaxBenefitSystem class named by a floorsim.yaml's text."""
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise DiffError(f"{where}: not valid YAML: {error}") from None
    dotted = raw.get("tax_benefit_system") if isinstance(raw, dict) else None
    if not isinstance(dotted, str) or "." not in dotted:
        raise DiffError(f"{where}: 'tax_benefit_system' must be the dotted path of a TaxBenefitSystem class")
    return dotted.rpartition(".")[0].split(".")


def _prefix_length(folder_parts: tuple[str, ...], module: list[str]) -> int:
    """k such that the folder is the package ``module[:k]`` (its path ends with those names), else 0."""
    for k in range(len(module), 0, -1):
        if len(folder_parts) >= k and tuple(folder_parts[-k:]) == tuple(module[:k]):
            return k
    return 0


def _package_dir(root: Path, module: list[str]) -> Path:
    """The deepest folder of ``root/module...`` that exists (the package holding the TaxBenefitSystem)."""
    path = root
    for part in module:
        if not (path / part).is_dir():
            break
        path = path / part
    return path


def country_relative_path(country: str) -> PurePosixPath:
    """``country_packages/NAME/floorsim.yaml`` for a name; the path itself for a ``.yaml`` path."""
    if Path(country).suffix in (".yaml", ".yml"):
        return PurePosixPath(Path(country).as_posix())
    return PurePosixPath("country_packages", country, "floorsim.yaml")


def resolve_directory(ref: str, country: str, workdir: Path) -> Side:
    """A folder holding a version of the package: the package folder itself (with its floorsim.yaml), or a checkout
    holding it at the country's path (``country_packages/NAME/floorsim.yaml``)."""
    folder = Path(ref).resolve()
    if (folder / "floorsim.yaml").is_file():
        yaml_path = folder / "floorsim.yaml"
    else:
        relative = Path(country)
        yaml_path = relative if relative.is_absolute() and relative.suffix in (".yaml", ".yml") else (
            folder / country_relative_path(country)
        )
        if not yaml_path.is_file():
            raise DiffError(
                f"'{ref}' holds neither a floorsim.yaml nor {country_relative_path(country)}: give the package "
                "folder, a checkout of the repository, or a git revision"
            )
    module = _module_parts(yaml_path.read_text(encoding="utf-8"), str(yaml_path))
    package_folder = yaml_path.parent
    k = _prefix_length(package_folder.parts, module)
    if k:
        root = package_folder.parents[k - 1]
    elif (package_folder / module[0]).is_dir() or (package_folder / f"{module[0]}.py").is_file():
        root = package_folder
    elif not (package_folder / "__init__.py").is_file():
        raise DiffError(
            f"{yaml_path}: the module {'.'.join(module)} is neither this folder nor beside it; floorsim diff compares "
            "versions of packages whose source is in the folder (not packages installed from an index)"
        )
    else:
        # A copy of the package under another name: recreate the module's folders around it.
        inside = (package_folder / f"{module[-1]}.py").is_file() or (package_folder / module[-1] / "__init__.py").is_file()
        names = module[:-1] if inside and len(module) > 1 else module
        root = workdir / "tree"
        target = root.joinpath(*names)
        shutil.copytree(package_folder, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for depth in range(1, len(names)):
            (root.joinpath(*names[:depth]) / "__init__.py").touch()
        yaml_path = target / "floorsim.yaml"
    return Side(ref, str(Path(ref)), yaml_path, root, _package_dir(root, module))


def _git(repo: Path, *args: str) -> bytes:
    completed = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    if completed.returncode != 0:
        message = completed.stderr.decode(errors="replace").strip().splitlines()
        raise DiffError(f"git {' '.join(args)} failed in {repo}: {message[-1] if message else 'unknown error'}")
    return completed.stdout


def repository_root(repo: str | Path | None) -> Path:
    """The git repository revisions are read from: ``repo``, else the one holding the current folder, else
    floorsim's own checkout."""
    for candidate in ([Path(repo)] if repo else [Path.cwd(), ENGINE_ROOT]):
        completed = subprocess.run(
            ["git", "-C", str(candidate), "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False
        )
        if completed.returncode == 0:
            return Path(completed.stdout.strip())
        if repo:
            raise DiffError(f"--repo {repo} is not a git repository")
    raise DiffError("not inside a git repository: give --repo PATH, or compare two folders")


def resolve_revision(ref: str, country: str, repo: Path, workdir: Path) -> Side:
    """A git revision: extract the package's top-level folder and its floorsim.yaml with ``git archive``."""
    check = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        capture_output=True, text=True, check=False,
    )
    if check.returncode != 0:
        raise DiffError(f"'{ref}' is neither a folder nor a revision of the git repository {repo}")
    commit = check.stdout.strip()
    relative_yaml = country_relative_path(country)
    if Path(country).is_absolute():
        try:
            relative_yaml = PurePosixPath(Path(country).resolve().relative_to(repo.resolve()).as_posix())
        except ValueError:
            raise DiffError(f"--country {country} is not inside the repository {repo}") from None
    try:
        text = _git(repo, "show", f"{commit}:{relative_yaml}").decode("utf-8")
    except DiffError:
        raise DiffError(f"revision '{ref}' ({commit[:9]}) has no {relative_yaml}") from None
    module = _module_parts(text, f"{ref}:{relative_yaml}")
    folder = relative_yaml.parent
    k = _prefix_length(folder.parts, module)
    root = folder.parents[k - 1] if k else folder
    paths = sorted({str(root / module[0]) if str(root) != "." else module[0], str(relative_yaml)})
    tree = workdir / "tree"
    tree.mkdir(parents=True)
    archive = _git(repo, "archive", "--format=tar", commit, "--", *paths)
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(tree, filter="data")
        else:  # pragma: no cover - Python without extraction filters
            tar.extractall(tree)
    pythonpath = tree / root
    return Side(ref, f"{ref} ({commit[:9]})", tree / relative_yaml, pythonpath, _package_dir(pythonpath, module), commit)


def resolve_side(ref: str, country: str, repo: str | Path | None, workdir: Path) -> Side:
    """A folder if ``ref`` is one, else a git revision of the repository."""
    workdir.mkdir(parents=True, exist_ok=True)
    if Path(ref).is_dir():
        return resolve_directory(ref, country, workdir)
    return resolve_revision(ref, country, repository_root(repo), workdir)


# ----- running the two sides -----


def _start_worker(side: Side, survey: Path, periods: list[int], jobs: int, out: Path, cwd: Path) -> subprocess.Popen:
    env = dict(os.environ)
    path = [str(side.pythonpath), str(ENGINE_ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    env["PYTHONPATH"] = os.pathsep.join(path)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # leave no __pycache__ in the folders compared
    command = [
        sys.executable, "-m", "simulations.regression.worker",
        "--country", str(side.yaml), "--survey", str(survey), "--out", str(out), "--jobs", str(jobs),
        *[f"--period={period}" for period in periods],
    ]
    # cwd is an empty folder: ``python -m`` puts it first on sys.path, where it must not shadow the package.
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run_sides(sides: list[Side], survey: Path, periods: list[int], jobs: int, workdir: Path) -> list[dict]:
    """Run every side's worker at the same time; their pickled descriptions and results, in order."""
    started = []
    for index, side in enumerate(sides):
        cwd = workdir / f"cwd{index}"
        cwd.mkdir(parents=True)
        out = workdir / f"side{index}.pkl"
        started.append((side, out, _start_worker(side, survey, periods, jobs, out, cwd)))
    outputs = []
    for side, out, process in started:
        _stdout, stderr = process.communicate()
        if process.returncode != 0:
            lines = [line for line in stderr.strip().splitlines() if line.strip()]
            reason = lines[-1] if lines else f"exit status {process.returncode}"
            reason = reason.removeprefix("floorsim: error: ")
            raise DiffError(f"{side.label}: the package could not be run: {reason}")
        with open(out, "rb") as handle:
            data = pickle.load(handle)
        module_file = Path(data["module_file"]).resolve()
        if not module_file.is_relative_to(side.pythonpath.resolve()):
            raise DiffError(
                f"{side.label}: the package was imported from {module_file}, not from {side.pythonpath}: another "
                "installed copy shadows it"
            )
        outputs.append(data)
    return outputs


# ----- impact -----


def _combined(old: Results, new: Results) -> Results:
    """NEW's results as a reform of OLD's: the OLD baseline and the NEW rules as scenarios of one run, with NEW's
    country description (programmes left out) and prices."""
    old_outputs = old.scenario("baseline")
    transfers = old_outputs.household[old.spec.transfers_variable]
    baseline = dataclasses.replace(old_outputs, household={new.spec.transfers_variable: transfers})
    reform = dataclasses.replace(new.scenario("baseline"), name="new")
    return Results(
        spec=new.spec.model_copy(update={"programmes": {}}),
        metadata=new.metadata,
        households=new.households,
        year=new.year,
        scenarios={"baseline": baseline, "new": reform},
        price_context=new.price_context,
        run_info=new.run_info,
    )


def period_impact(old: Results, new: Results) -> dict:
    """Figures of both sides and their changes, and the changes by decile of OLD baseline welfare per person."""
    if not np.array_equal(old.households["household_id"], new.households["household_id"]):
        raise DiffError("the two runs did not simulate the same households")
    notes = []
    before, after = programme_figures(old, "baseline"), programme_figures(new, "baseline")
    try:
        old_headline = old.headline("baseline")
        new_headline = _combined(old, new).headline("new")
        for key in POVERTY_FIGURES:
            before[key], after[key] = old_headline[key], new_headline[key]
    except FloorsimError as error:
        notes.append(f"poverty and inequality not computed: {error}")
    for what, unit, was, now in _price_differences(old, new):
        notes.append(
            f"the {what} differs between the versions ({was:.4g} → {now:.4g}{unit}): poverty figures move with the "
            "price data as well as with the rules"
        )
    figures = {}
    for key in list(dict.fromkeys([*before, *after])):
        was, now = before.get(key), after.get(key)
        change = None if was is None or now is None else now - was
        relative = None if change is None or was == 0 else change / abs(was)
        figures[key] = {"old": was, "new": now, "change": change, "relative_change": relative, "kind": figure_kind(key)}
    return {"figures": figures, "deciles": _deciles(old, new, notes), "notes": notes}


def _price_differences(old: Results, new: Results) -> list[tuple[str, str, float, float]]:
    """Poverty line and consumption uprating of the two versions, where they differ."""
    differences = []
    try:
        pairs = [
            ("poverty line", f" {new.spec.currency} per person per month", old.poverty_line, new.poverty_line),
            ("uprating of survey welfare", "", old.prices.consumption_uprating, new.prices.consumption_uprating),
        ]
    except FloorsimError:
        return differences
    for what, unit, was, now in pairs:
        if not math.isclose(was, now, rel_tol=1e-12, abs_tol=0.0):
            differences.append((what, unit, float(was), float(now)))
    return differences


def _deciles(old: Results, new: Results, notes: list[str]) -> list[dict]:
    try:
        welfare = old.welfare_per_capita("baseline")
    except FloorsimError:
        return []
    weights = old.person_weight_of_household
    groups = quantile_groups(welfare, weights, DECILES)
    t_old = old.scenario("baseline").household[old.spec.transfers_variable]
    t_new = new.scenario("baseline").household[new.spec.transfers_variable]
    gain = t_new - t_old
    rows = []
    for decile in range(1, DECILES + 1):
        inside = groups == decile
        persons = float(np.sum(weights[inside], dtype=np.float64))
        if persons == 0:
            continue
        def per_person(amounts: np.ndarray, inside=inside, persons=persons) -> float:
            """Currency per person per month in the decile."""
            return float(np.sum(amounts[inside] * old.households["weight"][inside], dtype=np.float64) / 12 / persons)

        mean_welfare = float(np.sum(welfare[inside] * weights[inside], dtype=np.float64) / persons)
        mean_gain = per_person(gain)
        rows.append(
            {
                "decile": decile,
                "persons": persons,
                "mean_welfare": mean_welfare,
                "transfers_old": per_person(t_old),
                "transfers_new": per_person(t_new),
                "mean_gain": mean_gain,
                "gain_share_of_welfare": mean_gain / mean_welfare if mean_welfare else None,
                "share_gaining": float(np.sum(weights[inside & (gain > GAIN_EPSILON)]) / persons),
                "share_losing": float(np.sum(weights[inside & (gain < -GAIN_EPSILON)]) / persons),
            }
        )
    return rows


# ----- the whole comparison -----


def _check_figures(thresholds: list[Threshold], sides: list[Side]) -> None:
    """Refuse thresholds on figures neither version has, before anything runs."""
    from simulations.engine.countries import load_country

    known = set(STANDARD_LABELS)
    for side in sides:
        for key in load_country(str(side.yaml)).programmes:
            known.update({f"{key}_cost", f"{key}_beneficiaries"})
    for threshold in thresholds:
        if threshold.figure not in known:
            raise DiffError(f"--fail-if {threshold.text}: no figure '{threshold.figure}'; figures are {', '.join(sorted(known))}")



def run_diff(
    old: str,
    new: str,
    *,
    country: str = "timor_leste",
    periods: list[int] | tuple[int, ...] = (2025,),
    survey: str | Path | None = None,
    repo: str | Path | None = None,
    jobs: int = 1,
    fail_if: list[str] | tuple[str, ...] = (),
) -> dict:
    """Compare two versions of a country package; the report as JSON-able data (see the module docstring).

    ``report["failed"]`` is true when a ``fail_if`` threshold is breached in some period.
    """
    thresholds = [parse_threshold(text) for text in fail_if]
    periods = sorted({int(period) for period in periods})
    if not periods:
        raise DiffError("give at least one --period")
    survey_path = Path(survey) if survey else BUNDLED_SURVEY
    if not survey_path.is_dir():
        raise DiffError(f"survey folder not found: {survey_path}")
    with tempfile.TemporaryDirectory(prefix="floorsim-diff-") as temporary:
        workdir = Path(temporary)
        sides = [resolve_side(ref, country, repo, workdir / name) for ref, name in ((old, "old"), (new, "new"))]
        _check_figures(thresholds, sides)
        before, after = run_sides(sides, survey_path.resolve(), periods, jobs, workdir)
        files = compare_files(sides[0].files(), sides[1].files())
    spec = after["spec"]
    first = after["results"][periods[0]]
    report = {
        "country": spec.name,
        "country_label": spec.label,
        "currency": spec.currency,
        "old": {"ref": old, "label": sides[0].label, "commit": sides[0].commit},
        "new": {"ref": new, "label": sides[1].label, "commit": sides[1].commit},
        "survey": {
            "name": first.metadata.name,
            "path": str(survey_path),
            "synthetic": bool(first.metadata.synthetic),
            "households": len(first.households["household_id"]),
        },
        "periods": periods,
        "programmes": {
            key: programme.label for data in (before, after) for key, programme in data["spec"].programmes.items()
        },
        "parameters": compare_parameters(before["parameters"], after["parameters"]),
        "variables": compare_variables(before["variables"], after["variables"]),
        "files": files,
        "impact": {
            str(year): period_impact(before["results"][year], after["results"][year]) for year in periods
        },
    }
    report["thresholds"] = evaluate_thresholds(report, thresholds)
    report["failed"] = any(row["breached"] for row in report["thresholds"])
    return report


# ----- Markdown -----


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _reference_cell(references: list[dict]) -> str:
    if not references:
        return ""
    first = references[0]
    title = first["title"] if len(first["title"]) <= 90 else first["title"][:89] + "…"
    text = f"[{_cell(title)}]({first['href']})" if first.get("href") else _cell(title)
    return text + (f" (+{len(references) - 1} more)" if len(references) > 1 else "")


def _relative(figure: dict) -> str:
    if figure["relative_change"] is None:
        return "new" if figure["change"] else ""
    return f"{100 * figure['relative_change']:+.2f}%"


STANDARD_LABELS = {
    "total_cost": "All cash transfers: cost",
    "poverty_headcount": "Poverty headcount",
    "poverty_gap": "Poverty gap index",
    "poor_persons": "Persons in poverty",
    "gini": "Gini of welfare per capita",
}


def _figure_label(report: dict, key: str) -> str:
    if key in STANDARD_LABELS:
        return STANDARD_LABELS[key]
    for suffix, what in (("_cost", "cost"), ("_beneficiaries", "beneficiaries")):
        if key.endswith(suffix):
            programme = key[: -len(suffix)]
            return f"{report['programmes'].get(programme, programme)}: {what}"
    return key


def _collapse_whole_parameters(rows: list[dict]) -> list[dict]:
    """One row per parameter added or removed (its latest value, from its first date); value changes as they are."""
    collapsed: list[dict] = []
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        if row["kind"] in ("added", "removed"):
            key = (row["kind"], row["path"])
            if key not in groups:
                groups[key] = []
                collapsed.append({"group": key})
            groups[key].append(row)
        else:
            collapsed.append(row)
    result = []
    for row in collapsed:
        if "group" not in row:
            result.append(row)
            continue
        members = groups[row["group"]]
        latest = dict(members[-1])
        if len(members) > 1:
            latest["count_note"] = f"; {len(members)} dated values from {members[0]['start']}, the latest shown"
        result.append(latest)
    return result


def render_markdown(report: dict) -> str:
    """The report as GitHub-flavoured Markdown, e.g. for a pull-request comment."""
    currency = report["currency"]
    lines = [
        f"## floorsim diff: {report['country_label']} — {report['old']['label']} → {report['new']['label']}",
        "",
    ]
    survey = report["survey"]
    lines.append(
        f"Survey: {survey['name']}{' (synthetic)' if survey['synthetic'] else ''}, {survey['households']:,} "
        f"households; period{'s' if len(report['periods']) > 1 else ''} "
        f"{', '.join(str(p) for p in report['periods'])}. Amounts in {currency} per year."
    )
    lines.append("")
    values = [row for row in report["parameters"] if row["kind"] in ("changed", "added", "removed")]
    others = [row for row in report["parameters"] if row["kind"] not in ("changed", "added", "removed")]
    lines.append(f"### Parameters changed ({len({row['path'] for row in values})})")
    lines.append("")
    if values:
        lines += ["| Parameter | From | Old | New | Reference |", "|---|---|---:|---:|---|"]
        for row in _collapse_whole_parameters(values):
            status = f" *({row['kind']}{row.get('count_note', '')})*" if row["kind"] != "changed" else ""
            lines.append(
                f"| `{_cell(row['path'])}`{status} | {row['start']} | "
                f"{format_parameter_value(row['old'])} | {format_parameter_value(row['new'])} | "
                f"{_reference_cell(row['references'])} |"
            )
    else:
        lines.append("No parameter value changed.")
    if others:
        lines += ["", "Other parameter changes:", ""]
        for row in others:
            what = f"{row['field']} changed" if row["kind"] == "metadata" else f"references of the value from {row['start']} changed"
            lines.append(f"- `{row['path']}`: {what}")
    lines += ["", f"### Variables changed ({len(report['variables'])})", ""]
    if report["variables"]:
        lines += ["| Variable | Status | What changed |", "|---|---|---|"]
        for row in report["variables"]:
            lines.append(f"| `{row['name']}` | {row['status']} | {_cell('; '.join(row['changes']))} |")
        diffs = "\n".join(row["diff"] for row in report["variables"] if row["diff"]).splitlines()
        if diffs:
            shown = diffs[:DIFF_LINES_SHOWN]
            if len(diffs) > DIFF_LINES_SHOWN:
                shown.append(f"... {len(diffs) - DIFF_LINES_SHOWN} more lines (see the JSON report)")
            lines += ["", "<details><summary>Formula changes</summary>", "", "```diff", *shown, "```", "", "</details>"]
    else:
        lines.append("No variable added, removed or changed.")
    files = report["files"]
    changed_files = [f"{path} ({status})" for status in ("modified", "added", "removed") for path in files[status]]
    if changed_files:
        lines += ["", f"Files changed in the package: {', '.join(f'`{f}`' for f in changed_files)}."]
    for period, impact in report["impact"].items():
        lines += ["", f"### Impact in {period}", ""]
        if not any(figure["change"] for figure in impact["figures"].values()) and not any(
            row["mean_gain"] for row in impact["deciles"]
        ) and not impact["notes"]:
            lines.append(f"No figure moves in {period}: every cost, count, poverty and inequality figure is identical.")
            continue
        lines += ["| Figure | Old | New | Change | Change (%) |", "|---|---:|---:|---:|---:|"]
        for key, figure in impact["figures"].items():
            programme = key.endswith(("_cost", "_beneficiaries")) and key != "total_cost"
            if programme and not figure["old"] and not figure["new"]:
                continue  # a programme paying nothing in both versions (not in force that year)
            kind = figure["kind"]
            lines.append(
                f"| {_cell(_figure_label(report, key))} | {format_figure(figure['old'], kind, 'audit', missing='—')} | "
                f"{format_figure(figure['new'], kind, 'audit', missing='—')} | "
                f"{format_figure(figure['change'], kind, 'audit', change=True, missing='—')} | "
                f"{_relative(figure)} |"
            )
        for note in impact["notes"]:
            lines += ["", f"Note: {note}"]
        if impact["deciles"]:
            lines += [
                "",
                f"By decile of baseline (old) welfare per person; {currency} per person per month:",
                "",
                "| Decile | Mean welfare | Transfers old | Transfers new | Mean gain | Gain (% of welfare) | Gaining | Losing |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|",
            ]
            for row in impact["deciles"]:
                share = row["gain_share_of_welfare"]
                lines.append(
                    f"| {row['decile']} | {row['mean_welfare']:,.2f} | {row['transfers_old']:,.2f} | "
                    f"{row['transfers_new']:,.2f} | {row['mean_gain']:+,.2f} | "
                    f"{'—' if share is None else f'{100 * share:+.2f}%'} | {100 * row['share_gaining']:.1f}% | "
                    f"{100 * row['share_losing']:.1f}% |"
                )
    if report["thresholds"]:
        lines += ["", "### Thresholds", ""]
        for row in report["thresholds"]:
            kind = "rel" if ":rel>" in row["threshold"] else "abs"
            measured = "—" if row["measured"] is None else (
                "∞" if math.isinf(row["measured"]) else f"{row['measured']:.6g}"
            )
            mark = "❌ breached" if row["breached"] else "✅ within"
            lines.append(f"- {mark}: `{row['threshold']}` in {row['period']} (measured {kind} change {measured})")
    lines += [
        "",
        (
            "<sub>Old is the baseline: observed welfare already contains the old rules' transfers; under the new rules "
            "welfare = observed − old transfers + new transfers. Each version is run by the same floorsim engine.</sub>"
        ),
    ]
    return "\n".join(lines) + "\n"
