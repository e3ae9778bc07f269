"""Package descriptions the floor's tests write: Timor-Leste's floorsim.yaml with extra person inputs."""

from __future__ import annotations

from pathlib import Path

import yaml

from floorsim.simulations.engine.countries import load_country


def write_description(folder: Path, name: str, person_inputs: dict[str, str], drop: tuple[str, ...] = ()) -> Path:
    """``folder/name/floorsim.yaml``: Timor-Leste's description with ``person_inputs`` (variable: survey column)
    added and the top-level keys ``drop`` left out; returns its path."""
    raw = load_country("timor_leste").model_dump(mode="json", exclude={"name", "folder", "default_reform", *drop})
    raw["inputs"]["person"].update(person_inputs)
    path = folder / name / "floorsim.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(raw))
    return path
