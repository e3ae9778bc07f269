"""Every notebook in notebooks/ runs from top to bottom without error (so the worked analyses never rot).

Each is executed in a fresh kernel of this Python, with the notebook's folder as working folder (as Jupyter does),
a time limit per cell and one for the whole notebook. Nothing is written back to the notebooks.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
CELL_TIMEOUT = 240  # seconds
NOTEBOOK_TIMEOUT = 420  # seconds, for the whole notebook


def notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def test_the_user_notebooks_are_there():
    names = {path.stem for path in notebooks()}
    assert {"first_reform", "comparing_variants", "abnd_costing", "your_own_survey"} <= names


@pytest.mark.parametrize("path", notebooks(), ids=lambda path: path.stem)
def test_notebook_runs(path):
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )

    async def execute() -> None:
        await asyncio.wait_for(client.async_execute(), NOTEBOOK_TIMEOUT)

    try:
        asyncio.run(execute())
    except TimeoutError:
        pytest.fail(f"{path.name} took more than {NOTEBOOK_TIMEOUT} s")
    errors = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", [])
              if output.get("output_type") == "error"]
    assert errors == []
