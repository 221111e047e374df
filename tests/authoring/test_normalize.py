"""rnncourse.authoring.normalize: notebooks stored as JupyterLab writes them."""

from __future__ import annotations

import json
import platform
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from rnncourse.authoring import normalize as nz
from rnncourse.authoring.notebook_files import dumps

ROOT = Path(__file__).resolve().parent.parent.parent
REPO_NOTEBOOKS = nz.default_files(ROOT)


@pytest.fixture(scope="module")
def kernel():
    return nz.kernel_metadata()


def _widget_repr() -> str:
    ipywidgets = pytest.importorskip("ipywidgets")
    return repr(ipywidgets.VBox([ipywidgets.HBox([ipywidgets.IntSlider(description="t")]),
                                 ipywidgets.Output()]))


def _executed_notebook() -> nbformat.NotebookNode:
    """A notebook as `jupyter nbconvert --execute` leaves it, with an explorer in it."""
    view = {"model_id": "4fa1", "version_major": 2, "version_minor": 0}
    explorer = new_code_cell("viz.explore()", execution_count=3, metadata={
        "execution": {"iopub.status.idle": "2026-11-27T01:53:21.338366Z"},
        "tags": ["nbval-ignore-output"], "nbgrader": {"grade": False}})
    explorer.outputs = [
        new_output("stream", name="stdout", text="verdict: solved\n"),
        new_output("execute_result", execution_count=3,
                   data={nz.WIDGET_VIEW: view, "text/plain": _widget_repr()}),
    ]
    shown = new_code_cell("display(w)", metadata={"ExecuteTime": {"end_time": "x"}})
    shown.outputs = [new_output("display_data", data={nz.WIDGET_VIEW: view,
                                                      "text/plain": "HBox(children=())"},
                                metadata={"isolated": True})]
    figure = new_code_cell("plt.show()")
    figure.outputs = [new_output("display_data", data={"image/png": "iVBOR",
                                                       "text/plain": "<Figure>"})]
    nb = new_notebook(cells=[new_markdown_cell("# Lesson", metadata={"tags": ["intro"]}),
                             explorer, shown, figure])
    nb.metadata = nbformat.from_dict({
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python", "version": "3.0.1"},
        "rnncourse": {"assignment": "00_x"},
        "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}},
    })
    return nb


# the kernel's own metadata ----------------------------------------------------------------

def test_kernel_metadata_is_what_the_kernel_and_its_spec_say(kernel):
    from jupyter_client.kernelspec import KernelSpecManager
    spec = KernelSpecManager().get_kernel_spec("python3")
    assert kernel.kernelspec == {"display_name": spec.display_name, "language": spec.language,
                                 "name": "python3"}
    # jupyter_client runs a "python" kernel with this interpreter
    assert kernel.language_info["name"] == "python"
    assert kernel.language_info["version"] == platform.python_version()
    assert {"mimetype", "file_extension", "codemirror_mode", "pygments_lexer"} <= set(kernel.language_info)


def test_kernel_metadata_names_a_missing_kernel_spec():
    with pytest.raises(nz.AuthoringError, match="no kernel spec named 'no-such-kernel'"):
        nz.kernel_metadata("no-such-kernel")


# normalize_notebook --------------------------------------------------------------------

def test_normalize_sets_kernel_metadata_and_drops_widget_state(kernel):
    nb = _executed_notebook()
    before = json.dumps(nb, sort_keys=True)
    out = nz.normalize_notebook(nb, kernel)
    assert json.dumps(nb, sort_keys=True) == before                    # argument untouched
    assert out.metadata == {**kernel.as_metadata(), "rnncourse": {"assignment": "00_x"}}


def test_normalize_replaces_widget_views_by_the_placeholder(kernel):
    out = nz.normalize_notebook(_executed_notebook(), kernel)
    explorer, shown, figure = out.cells[1:]
    assert explorer.outputs[0] == new_output("stream", name="stdout", text="verdict: solved\n")
    for cell in (explorer, shown):
        result = cell.outputs[-1]
        assert result.data == {"text/plain": nz.EXPLORER_PLACEHOLDER}
        assert result.metadata == {}
    assert explorer.outputs[1].output_type == "execute_result"
    assert explorer.outputs[1].execution_count == 3
    assert figure.outputs[0].data == {"image/png": "iVBOR", "text/plain": "<Figure>"}


def test_normalize_drops_timings_and_keeps_other_cell_metadata(kernel):
    out = nz.normalize_notebook(_executed_notebook(), kernel)
    # explorer cells are tagged nbval-ignore-output (once): nbval sees what a widget draws
    assert [c.metadata for c in out.cells] == [
        {"tags": ["intro"]}, {"tags": ["nbval-ignore-output"], "nbgrader": {"grade": False}},
        {"tags": ["nbval-ignore-output"]}, {}]


def test_normalize_without_kernel_keeps_the_notebooks_own():
    nb = _executed_notebook()
    out = nz.normalize_notebook(nb, None)
    assert out.metadata.kernelspec == nb.metadata.kernelspec
    assert out.metadata.language_info == nb.metadata.language_info
    assert "widgets" not in out.metadata


def test_normalize_is_idempotent(kernel):
    once = dumps(nz.normalize_notebook(_executed_notebook(), kernel))
    assert nz.normalize_text(once, kernel) == once


# the command line ----------------------------------------------------------------------

def test_cli_check_then_rewrite(tmp_path, capsys, kernel):
    path = tmp_path / "lesson.ipynb"
    path.write_text(dumps(_executed_notebook()), encoding="utf-8")
    assert nz.main(["--check", str(path)]) == 1
    assert f"not normalised: {path}" in capsys.readouterr().out
    assert nz.main([str(path)]) == 0
    assert nz.is_normalized(path)
    assert nz.main(["--check", str(path)]) == 0
    assert nz.main([str(path)]) == 0 and "0 rewritten" in capsys.readouterr().out


def test_cli_reports_an_unreadable_notebook(tmp_path, capsys):
    path = tmp_path / "broken.ipynb"
    path.write_text("{not json", encoding="utf-8")
    assert nz.main([str(path)]) == 1
    assert "broken.ipynb" in capsys.readouterr().err


# every notebook of the repository ------------------------------------------------------

def test_the_repository_has_notebooks_to_check():
    folders = {p.parent.name for p in REPO_NOTEBOOKS}
    assert folders == set(nz.DEFAULT_FOLDERS)


def _without_version(text: str) -> str:
    nb = json.loads(text)
    nb["metadata"].get("language_info", {}).pop("version", None)
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("path", REPO_NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_notebook_is_normalised(path, kernel):
    # the Python version is compared in the test below (it depends on the machine)
    text = path.read_text(encoding="utf-8")
    assert _without_version(text) == _without_version(nz.normalize_text(text, kernel)), (
        f"{path.relative_to(ROOT)} is not stored as JupyterLab writes it: run "
        f"`python -m rnncourse.authoring.normalize {path.relative_to(ROOT)}`")
    # byte for byte, the Python version aside
    stored = json.loads(text)["metadata"]["language_info"]["version"]
    fresh = nz.normalize_text(text, kernel)
    assert fresh.replace(f'"version": "{kernel.language_info["version"]}"',
                         f'"version": "{stored}"') == text


def test_every_notebook_stores_this_kernels_python_version(kernel):
    versions = {p.relative_to(ROOT).as_posix(): json.loads(p.read_text(encoding="utf-8"))
                ["metadata"]["language_info"].get("version") for p in REPO_NOTEBOOKS}
    assert len(set(versions.values())) == 1, f"notebooks store different Pythons: {versions}"
    stored = next(iter(versions.values()))
    if stored != kernel.language_info["version"]:
        pytest.skip(f"the notebooks were normalised with Python {stored}; this kernel runs "
                    f"{kernel.language_info['version']} (JupyterLab will update the version)")


# nbval comments become cell tags --------------------------------------------------------

def test_nbval_comments_become_tags():
    source = "# NBVAL_IGNORE_OUTPUT\nx = 1\n  #NBVAL_SKIP  \nprint(x)  # NBVAL_SKIP is not alone here"
    new, tags = nz.nbval_comments_to_tags(source, ["explorer", "nbval-skip"])
    assert new == "x = 1\nprint(x)  # NBVAL_SKIP is not alone here"
    assert tags == ["explorer", "nbval-skip", "nbval-ignore-output"]
    assert nz.nbval_comments_to_tags("# NBVAL_RAISES_EXCEPTION\n1/0", []) == (
        "1/0", ["nbval-raises-exception"])


def test_normalize_moves_nbval_comments_into_tags(kernel):
    nb = _executed_notebook()
    nb.cells[3].source = "# NBVAL_CHECK_OUTPUT\nplt.show()"
    out = nz.normalize_notebook(nb, kernel)
    assert out.cells[3].source == "plt.show()"
    assert out.cells[3].metadata == {"tags": ["nbval-check-output"]}


@pytest.mark.parametrize("path", REPO_NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_notebook_mentions_nbval_comments(path):
    # nbval reads cell tags; a learner should see neither the comments nor remarks about them
    nb = nbformat.read(path, as_version=4)
    for number, cell in enumerate(nb.cells, start=1):
        assert "NBVAL_" not in cell.source, (
            f"{path.relative_to(ROOT)}, cell {number}: use the cell tags nbval-ignore-output / "
            f"nbval-skip (the normaliser converts the comments) and keep remarks about the "
            f"notebook tests out of the lesson")
