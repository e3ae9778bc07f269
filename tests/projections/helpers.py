"""Assumptions for tests: the shipped Timor-Leste file, as raw YAML with absolute paths, to modify and write back."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

REPOSITORY = Path(__file__).resolve().parents[2]
ASSUMPTIONS = REPOSITORY / "floorsim" / "country_packages" / "timor_leste" / "projections" / "assumptions_2025_2035.yaml"
POPULATION = REPOSITORY / "floorsim" / "surveys" / "data" / "timor_leste_population_projection.yaml"
REFORMS = REPOSITORY / "floorsim" / "country_packages" / "timor_leste" / "reforms"


def raw_assumptions(end: int | None = None) -> dict:
    """The shipped file as a dict, with paths made absolute (so that a copy can live anywhere)."""
    raw = yaml.safe_load(ASSUMPTIONS.read_text(encoding="utf-8"))
    raw["population"]["file"] = str((ASSUMPTIONS.parent / raw["population"]["file"]).resolve())
    raw["reforms"] = [str((ASSUMPTIONS.parent / path).resolve()) for path in raw["reforms"]]
    if end is not None:
        raw["years"]["end"] = end
    return copy.deepcopy(raw)


def write_assumptions(folder: Path, raw: dict, name: str = "assumptions.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
