"""The command line's habits: start-up without the heavy libraries, --version, completion, -q/-v, FLOORSIM_*
variables and floorsim.toml (with their precedence), and one-line errors through a pipe."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from importlib import metadata
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from floorsim.simulations.cli import COMMANDS, app, load_all_commands
from floorsim.simulations.cli.app import declared_help
from floorsim.surveys import write_survey
from tests.conftest import make_tiny_survey

REPOSITORY = Path(__file__).resolve().parents[1]
runner = CliRunner()


def floorsim(*arguments: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """``floorsim ARGUMENTS`` in a child process whose standard output and error are pipes (not terminals)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FLOORSIM_")}
    environment["PYTHONPATH"] = str(REPOSITORY)
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "floorsim.simulations.cli", *arguments], capture_output=True, text=True,
                          cwd=cwd or REPOSITORY, env=environment, timeout=300)


def test_help_imports_neither_pandas_nor_openfisca_nor_matplotlib():
    probe = (
        "import sys; sys.argv = ['floorsim', '--help']\n"
        "from floorsim.simulations.cli import app\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "heavy = ('pandas', 'numpy', 'openfisca_core', 'matplotlib', 'pyarrow', 'floorsim.surveys', 'floorsim.indicators')\n"
        "print(sorted(set(sys.modules) & set(heavy)))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPOSITORY, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "run" in done.stdout and "new-country" in done.stdout  # the help was printed, commands listed
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_command_table_matches_the_commands_the_modules_register():
    """COMMANDS (what --help lists without importing) names every command, in the modules that define them, and
    the summary read from the source is the help typer gives the imported command."""
    load_all_commands()
    registered = typer.main.get_command(app).commands
    assert set(registered) == set(COMMANDS)
    for name, module in COMMANDS.items():
        command = registered[name]
        assert command.callback.__module__ == f"floorsim.simulations.cli.{module}", name
        assert declared_help(module)[name] == command.help, name


def test_version_names_floorsim_and_openfisca_core():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    expected = (f"floorsim {metadata.version('floorsim')} (openfisca-core {metadata.version('openfisca-core')}, "
                f"Python {'.'.join(map(str, sys.version_info[:3]))})")
    assert result.stdout.strip() == expected


def test_shell_completion_completes_commands_and_options():
    names = floorsim(env={"_FLOORSIM_COMPLETE": "complete_bash", "COMP_WORDS": "floorsim ne", "COMP_CWORD": "1"})
    assert names.stdout.split() == ["new-country"]
    options = floorsim(env={"_FLOORSIM_COMPLETE": "complete_bash", "COMP_WORDS": "floorsim run --repl",
                            "COMP_CWORD": "2"})
    assert options.stdout.split() == ["--replicates"]
    script = floorsim("--show-completion", "bash")
    assert "_FLOORSIM_COMPLETE=complete_bash" in script.stdout


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        (["run", "--jbos", "2"], "No such option"),
        (["run", "--replicates", "many"], "--replicates"),
        (["rnu"], "Did you mean 'run'"),
        (["household", "--person", "age=72", "--period", "2024-13", "--country", "x" * 150], "unknown country"),
    ],
)
def test_errors_are_one_line_through_a_pipe(arguments, reason):
    """Through a pipe rich would wrap at 80 columns and typer would frame usage errors in a panel: neither."""
    done = floorsim(*arguments)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("floorsim: error: ") and reason in lines[0]
    assert done.stdout == ""


# ----- -q and -v -----


def _warn_then_fail(monkeypatch, error: Exception | None):
    import floorsim.simulations.web
    from floorsim.simulations.engine.run_warnings import FloorsimWarning

    def serve(**kwargs):
        warnings.warn("the year is beyond the price data", FloorsimWarning, stacklevel=1)
        warnings.warn("a library deprecation", DeprecationWarning, stacklevel=1)
        if error is not None:
            raise error

    monkeypatch.setattr(floorsim.simulations.web, "serve", serve)


@pytest.mark.filterwarnings("ignore:a library deprecation")
def test_quiet_hides_warnings_normal_shows_floorsim_warnings_verbose_shows_all(monkeypatch):
    _warn_then_fail(monkeypatch, None)
    normal = runner.invoke(app, ["serve"])
    assert normal.exit_code == 0
    assert normal.stderr == "floorsim: warning: the year is beyond the price data\n"
    quiet = runner.invoke(app, ["-q", "serve"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    verbose = runner.invoke(app, ["-v", "serve"])
    assert "floorsim: warning: the year is beyond the price data" in verbose.stderr
    assert "DeprecationWarning: a library deprecation" in verbose.stderr


@pytest.mark.filterwarnings("ignore:a library deprecation")
def test_two_v_show_the_traceback_above_the_one_line_error(monkeypatch):
    from floorsim.simulations.errors import FloorsimError

    _warn_then_fail(monkeypatch, FloorsimError("no such thing"))
    plain = runner.invoke(app, ["-q", "serve"])
    assert plain.exit_code == 2 and plain.stderr == "floorsim: error: no such thing\n"
    debug = runner.invoke(app, ["-v", "-v", "serve"])
    assert debug.exit_code == 2
    assert "Traceback (most recent call last)" in debug.stderr and "in serve" in debug.stderr
    assert debug.stderr.splitlines()[-1] == "floorsim: error: no such thing"


@pytest.mark.filterwarnings("ignore:a library deprecation")
def test_quiet_turns_the_progress_display_off(monkeypatch):
    from floorsim.simulations.cli import terminal

    _warn_then_fail(monkeypatch, None)
    runner.invoke(app, ["-q", "serve"])
    assert terminal.progress_wanted() is False
    runner.invoke(app, ["serve"])
    assert terminal.progress_wanted() is True


# ----- FLOORSIM_* variables and floorsim.toml -----


def test_defaults_precedence_flag_over_environment_over_config_over_builtin(tmp_path):
    from floorsim.simulations.cli.settings import option_defaults

    load_all_commands()
    group = typer.main.get_command(app)
    run = group.commands["run"]
    context = typer.Context(group)
    config = tmp_path / "floorsim.toml"
    config.write_text('jobs = 3\nseed = 5\n[run]\nreplicates = 50\nreform = ["saii_increase"]\n'
                      '[household]\nperiod = "2024-03"\n')
    environ = {"FLOORSIM_SEED": "9", "FLOORSIM_BACKEND": "sequential"}
    assert option_defaults(context, "run", run, config, environ) == {
        "jobs": 3, "seed": "9", "replicates": 50, "reform": ["saii_increase"], "backend": "sequential"}
    # Without a file or variables nothing changes; a [household] table does not reach run.
    assert option_defaults(context, "run", run, None, {}) == {}
    assert option_defaults(context, "household", group.commands["household"], config, environ) == {
        "period": "2024-03"}


@pytest.mark.parametrize(
    ("text", "environ", "reason"),
    [
        ("jbos = 2\n", {}, "jbos: not an option shared by the commands"),
        ("[run]\nreplicate = 2\n", {}, "[run] replicate: floorsim run has no option --replicate"),
        ("[rnu]\njobs = 2\n", {}, "[rnu] is not a floorsim command"),
        ("[run]\nreform = \"saii_increase\"\n", {}, "not a value of --reform (a list of values)"),
        ("jobs = [2\n", {}, "not a valid TOML file"),
        ("", {"FLOORSIM_REPLICATES": "-1"}, "FLOORSIM_REPLICATES = '-1': not a value of --replicates"),
    ],
)
def test_bad_settings_are_one_line_errors_naming_the_file_and_key(tmp_path, text, environ, reason):
    (tmp_path / "floorsim.toml").write_text(text)
    done = floorsim("run", cwd=tmp_path, env=environ)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and reason in done.stderr, done.stderr
    assert not (tmp_path / "floorsim-output").exists()


def test_a_run_takes_its_options_from_the_config_file_and_environment(tmp_path):
    """End to end through a child process: floorsim.toml of the current folder sets --out and --no-report,
    FLOORSIM_REPLICATES overrides the file's replicates, and a flag overrides both (--seed)."""
    survey = write_survey(make_tiny_survey(), tmp_path / "tiny")
    (tmp_path / "floorsim.toml").write_text(
        f'seed = 4\nreplicates = 80\n[run]\nout = "from_config"\nno_report = true\nsurvey = "{survey}"\n')
    done = floorsim("-q", "run", "--jobs", "1", "--seed", "6", cwd=tmp_path, env={"FLOORSIM_REPLICATES": "0"})
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # -q: no warnings, no progress
    summary = json.loads((tmp_path / "from_config" / "summary.json").read_text())
    assert summary["provenance"]["run"]["seed"] == 6
    assert summary["provenance"]["survey"]["households"] == 4
    assert not (tmp_path / "from_config" / "results.xlsx").exists()  # no_report = true
    assert '"replicates": 0' in (tmp_path / "from_config" / "summary.json").read_text()


def test_an_explicit_config_file_must_exist(tmp_path):
    done = floorsim("--config", str(tmp_path / "missing.toml"), "run", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == f"floorsim: error: --config: no configuration file '{tmp_path / 'missing.toml'}'\n"


# ----- what an installed floorsim needs -----

CHECKOUT_PATHS = ("floorsim/country_packages/", "floorsim/surveys/", "tests/", "floorsim/simulations/", "examples/")


def test_help_texts_name_no_file_of_the_checkout():
    """An installed floorsim has no checkout: examples name shipped things by name (``--reform saii_increase``) or
    the user's own files. ``diff`` compares versions of a package in a git checkout, so it may name one."""
    load_all_commands()
    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        texts = [command.help or "", command.epilog or "", *(getattr(p, "help", None) or "" for p in command.params)]
        found = [path for text in texts for path in CHECKOUT_PATHS if path in text]
        assert name == "diff" or found == [], (name, found)


def test_backend_dask_without_dask_installed_is_one_line(tmp_path, monkeypatch):
    import importlib.abc

    class NoDask(importlib.abc.MetaPathFinder):  # dask and distributed absent, as after `pip install floorsim`
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("dask", "distributed"):
                raise ModuleNotFoundError(f"No module named '{name}'")
            return None

    for module in [m for m in sys.modules if m.split(".")[0] in ("dask", "distributed")]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setattr(sys, "meta_path", [NoDask(), *sys.meta_path])
    survey = write_survey(make_tiny_survey(), tmp_path / "tiny")
    result = runner.invoke(app, ["-q", "run", "--survey", str(survey), "--backend", "dask", "--scheduler",
                                 "tcp://127.0.0.1:9", "--out", str(tmp_path / "out"), "--no-report"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("floorsim: error: --backend dask needs dask") and result.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_household_names_a_shipped_reform_like_run():
    """``--reform saii_increase`` is the package's reforms/saii_increase.yaml: the same report as the file, and the
    social pension of a person of 72 up by USD 20 a month (base amount 60 -> 80, age supplement unchanged)."""
    arguments = ["household", "--person", "age=72", "--period", "2025-03", "--json", "--reform"]
    by_name = runner.invoke(app, [*arguments, "saii_increase"])
    by_file = runner.invoke(app, [*arguments, str(REPOSITORY / "floorsim/country_packages/timor_leste/reforms/saii_increase.yaml")])
    assert by_name.exit_code == 0, by_name.output
    named, filed = json.loads(by_name.stdout), json.loads(by_file.stdout)
    assert named == filed
    assert named["scenarios"]["saii_increase"]["total"] - named["scenarios"]["baseline"]["total"] == pytest.approx(20)
