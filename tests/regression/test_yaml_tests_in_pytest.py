"""Every country package's OpenFisca YAML tests run inside the project's pytest suite (the repository's root
``conftest.py`` collects them), one pytest item per YAML test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

REPOSITORY = Path(__file__).resolve().parents[2]


def test_every_yaml_test_of_every_country_package_is_collected():
    expected: dict[str, int] = {}
    for path in sorted((REPOSITORY / "floorsim" / "country_packages").glob("*/tests/*.yaml")):
        tests = yaml.safe_load(path.read_text(encoding="utf-8"))
        expected[path.relative_to(REPOSITORY).as_posix()] = len(tests) if isinstance(tests, list) else 1
    assert expected, "no YAML tests found under floorsim/country_packages/*/tests/"
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "floorsim/country_packages"],
        cwd=REPOSITORY, capture_output=True, text=True, check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    collected: dict[str, int] = {}
    for line in completed.stdout.splitlines():
        if ".yaml::" in line:
            path = line.split("::")[0]
            collected[path] = collected.get(path, 0) + 1
    assert collected == expected
