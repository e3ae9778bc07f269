"""Helpers for the regression tests: copies of the Timor-Leste package with deliberate changes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
PACKAGE = REPOSITORY / "floorsim" / "country_packages" / "timor_leste"
SAII_AMOUNT = Path("parameters/benefits/saii/amount.yaml")


def copy_package(destination: Path) -> Path:
    """A copy of the Timor-Leste package (without caches) at ``destination``; returns it."""
    shutil.copytree(PACKAGE, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return destination


def copy_as_repository_tree(root: Path) -> Path:
    """``root/country_packages/timor_leste`` (with the parent package's ``__init__.py``); returns the package."""
    (root / "floorsim" / "country_packages").mkdir(parents=True)
    shutil.copy(REPOSITORY / "floorsim" / "country_packages" / "__init__.py", root / "floorsim" / "country_packages" / "__init__.py")
    return copy_package(root / "floorsim" / "country_packages" / "timor_leste")


def add_dated_value(package: Path, relative: Path, date: str, value: object, title: str) -> None:
    """Append a dated value with its own reference to a parameter file (values are the last key of the files)."""
    path = package / relative
    text = path.read_text(encoding="utf-8").rstrip("\n")
    text += (
        f"\n  {date}:\n    value: {value}\n    metadata:\n      reference:\n"
        f"        - title: {title}\n          href: https://example.org/{date}\n"
    )
    path.write_text(text, encoding="utf-8")


def replace_value(package: Path, relative: Path, date: str, old: object, new: object) -> None:
    """Change the value keyed ``date`` from ``old`` to ``new`` in a parameter file."""
    path = package / relative
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"(  {re.escape(date)}:\n    value: ){re.escape(str(old))}\n")
    changed, count = pattern.subn(rf"\g<1>{new}\n", text)
    assert count == 1, f"{path}: no value {old} at {date}"
    path.write_text(changed, encoding="utf-8")


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` (with a throwaway identity for commits); its output."""
    return subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", "-C", str(root), *args],
        check=True, capture_output=True, text=True,
    ).stdout
