"""notebooks/00_welcome.ipynb stores the course map that its cell prints today."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
WELCOME = ROOT / "notebooks" / "00_welcome.ipynb"


def test_the_stored_course_map_is_what_the_cell_prints_now():
    nb = nbformat.read(WELCOME, as_version=4)
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    (index,) = [i for i in code if "course_map(" in nb.cells[i].source]
    stored = [o for o in nb.cells[index].outputs if "text/markdown" in o.get("data", {})]
    assert len(stored) == 1, "the course map cell must store its table (run the notebook)"
    tags = nb.cells[index].metadata.get("tags", [])
    assert not {"nbval-ignore-output", "nbval-skip"} & set(tags), "nbval must compare the map"

    # run the notebook's code up to the map cell, in a fresh kernel, from notebooks/
    fresh = nbformat.v4.new_notebook(metadata=nb.metadata,
                                     cells=[nb.cells[i] for i in code if i <= index])
    NotebookClient(fresh, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(WELCOME.parent)}}).execute()
    printed = [o for o in fresh.cells[-1].outputs if "text/markdown" in o.get("data", {})]
    assert printed[0]["data"]["text/markdown"] == stored[0]["data"]["text/markdown"], (
        "the course map stored in notebooks/00_welcome.ipynb is stale: re-execute the notebook")
    for lesson in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert f"](../notebooks/{lesson.name})" in stored[0]["data"]["text/markdown"]
