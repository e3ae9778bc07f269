"""Install floorsim with every runtime dependency at the lower bound pyproject.toml declares, and run a smoke subset.

    python tests/install/min_versions.py [VENV]          # default VENV: .venv-min (about 4 minutes, downloads)

(or ``make test-min-versions``). A lower bound that no longer works shows here: pip cannot resolve the set, or the
smoke tests fail on it. The bounds are read from ``[project] dependencies``: ``name>=X`` becomes ``name==X``; a
dependency without a lower bound is left to pip. The test extra is installed at its newest versions compatible with
those pins.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

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


def minimum_pins(pyproject: Path = REPOSITORY / "pyproject.toml") -> list[str]:
    """``name==lower`` for every runtime dependency of ``pyproject`` that has a ``>=`` lower bound."""
    dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    pins = []
    for requirement in dependencies:
        match = _LOWER.match(requirement)
        if match:
            pins.append(f"{match.group(1)}=={match.group(3)}")
    return pins


def main(venv: Path) -> int:
    """Create ``venv``, install floorsim[test] with the runtime dependencies pinned to their lower bounds, print the
    versions installed and run :data:`SMOKE`; the exit status of pytest."""
    constraints = venv.with_suffix(".constraints.txt")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    constraints.write_text("\n".join(minimum_pins()) + "\n")
    python = str(venv / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "--quiet", "-c", str(constraints), "-e", f"{REPOSITORY}[test]"],
                   check=True)
    subprocess.run([python, "-m", "pip", "list", "--format=freeze"], check=True)
    deselect = [argument for test in DESELECT for argument in ("--deselect", test)]
    return subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *deselect, *SMOKE],
                          cwd=REPOSITORY).returncode


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPOSITORY / ".venv-min"))
