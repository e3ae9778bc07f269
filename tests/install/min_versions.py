"""Install floorsim with every runtime dependency at the lower bound pyproject.toml declares, and run a smoke subset.

    python tests/install/min_versions.py [VENV]          # default VENV: .venv-min (about 4 minutes, downloads)

(or ``make test-min-versions``; CI runs it after the suite: ``.ci/run``). A lower bound that no longer works shows
here: pip cannot resolve the set, or the smoke tests fail on it. The bounds are read from ``[project]
dependencies``: ``name>=X`` becomes ``name==V``, V the lowest release at or above X on the package index (``>=44``
admits 44.0.3 as its lowest: there is no 44.0.0, and ``==44`` would match nothing); a dependency without a lower
bound is left to pip. The test extra is installed at its newest versions compatible with those pins.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.version import InvalidVersion, Version

REPOSITORY = Path(__file__).resolve().parents[2]
SMOKE = [
    "tests/test_cli_habits.py",
    "tests/test_cli.py",
    "tests/simulations/test_engine.py",
    "tests/indicators",
]
"""The smoke subset: the command line (typer, click, rich), the engine (openfisca-core, numpy, pandas, pyarrow,
joblib) and the statistics."""

DESELECT = [
    # Compares with numpy's own weighted quantile (np.quantile(..., weights=)), which numpy added in 2.0: the
    # reference needs numpy 2, floorsim's quantiles do not (the other quantile tests pass on numpy 1.26).
    "tests/indicators/test_indicators_quantiles.py::test_real_weights_match_numpy_weighted_inverted_cdf",
]

_LOWER = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*>=\s*([^,;\s]+)")


def lower_bounds(pyproject: Path = REPOSITORY / "pyproject.toml") -> dict[str, str]:
    """``{name: lower bound}`` for every runtime dependency of ``pyproject`` that has a ``>=`` lower bound."""
    dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    return {match.group(1): match.group(3) for match in map(_LOWER.match, dependencies) if match}


def lowest_release(bound: str, releases: list[str]) -> str:
    """The lowest final release in ``releases`` at or above ``bound`` (pre- and dev releases skipped, as pip does).

    Raises:
        LookupError: no release satisfies the bound.
    """
    floor = Version(bound)
    candidates = []
    for text in releases:
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if version >= floor and not version.is_prerelease:
            candidates.append(version)
    if not candidates:
        raise LookupError(f"no release at or above {bound} among {len(releases)} versions")
    return str(min(candidates))


def available_releases(python: str, name: str) -> list[str]:
    """The versions of ``name`` the package index offers, as pip sees them (``pip index versions``)."""
    done = subprocess.run([python, "-m", "pip", "index", "versions", name], capture_output=True, text=True)
    for line in done.stdout.splitlines():
        if line.startswith("Available versions:"):
            return [text.strip() for text in line.partition(":")[2].split(",")]
    raise LookupError(f"pip index versions {name} listed no versions: {done.stderr.strip()[-500:]}")


def minimum_pins(python: str = sys.executable) -> list[str]:
    """``name==lowest`` for every runtime dependency with a ``>=`` lower bound: the lowest release it admits."""
    return [f"{name}=={lowest_release(bound, available_releases(python, name))}"
            for name, bound in lower_bounds().items()]


def main(venv: Path) -> int:
    """Create ``venv``, install floorsim[test] with the runtime dependencies pinned to their lower bounds, print the
    versions installed and run :data:`SMOKE`; the exit status of pytest."""
    constraints = venv.with_suffix(".constraints.txt")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    pins = minimum_pins(python)
    print("lower bounds pinned:", " ".join(pins), flush=True)
    constraints.write_text("\n".join(pins) + "\n")
    subprocess.run([python, "-m", "pip", "install", "--quiet", "-c", str(constraints), "-e", f"{REPOSITORY}[test]"],
                   check=True)
    subprocess.run([python, "-m", "pip", "list", "--format=freeze"], check=True)
    deselect = [argument for test in DESELECT for argument in ("--deselect", test)]
    return subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *deselect, *SMOKE],
                          cwd=REPOSITORY).returncode


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPOSITORY / ".venv-min"))
