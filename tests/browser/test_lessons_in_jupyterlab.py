"""Every lesson, opened and run in JupyterLab in a real browser, as a learner would.

For each assignment: it opens unmodified and saves back byte for byte.
For each notebook in notebooks/: open it (it must not show as modified, and saving it
unchanged must give back the committed file byte for byte); before it runs, every
explorer shows the one-line placeholder, never ``VBox(children=...)``; Run All gives no
error output; every explorer then renders as ipywidgets controls; moving the first
slider of the notebook (a drop-down where no explorer has a slider) changes what
the explorer shows (its figure, or the text it prints).  Screenshots go to
build/browser-test/ (ignored by git).  Run with `make browser-test`.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from rnncourse.authoring.normalize import EXPLORER_PLACEHOLDER

from .lab import SHOTS, launch_chromium, start_lab

sync_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parent.parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ASSIGNMENTS = sorted((ROOT / "assignments").glob("*.ipynb"))
RUN_ALL_TIMEOUT_MS = 240_000
CONTROLS = (".widget-slider, .widget-hslider, .widget-dropdown, .widget-text, "
            ".widget-toggle-buttons, .widget-checkbox, .widget-select, .widget-button")

OPEN = """async (path) => {
  const app = window.jupyterapp;
  await app.restored;
  app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  const ours = w => w && w.sessionContext && w.context && w.context.path === path;
  let panel = null;
  for (let i = 0; i < 600 && !ours(panel); i++) {
    panel = app.shell.currentWidget;
    if (!ours(panel)) await new Promise(r => setTimeout(r, 100));
  }
  if (!ours(panel)) throw new Error('JupyterLab did not open ' + path);
  await panel.context.ready;
  await panel.sessionContext.ready;
  for (let i = 0; i < 600 && !panel.sessionContext.session?.kernel; i++)
    await new Promise(r => setTimeout(r, 100));
  await panel.sessionContext.session.kernel.info;
  // JupyterLab writes kernelspec and language_info once the kernel's info has arrived
  await new Promise(r => setTimeout(r, 2000));
  return {dirty: panel.context.model.dirty, path: panel.context.path,
          text: panel.content.node.innerText};
}"""

SAVE = """async () => {
  const app = window.jupyterapp;
  await app.commands.execute('docmanager:save');
  return app.shell.currentWidget.context.model.dirty;
}"""

RUN_ALL = """async (timeoutMs) => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  const timer = new Promise((_, reject) =>
    setTimeout(() => reject(new Error('Run All did not finish in ' + timeoutMs + ' ms')), timeoutMs));
  await Promise.race([app.commands.execute('notebook:run-all-cells'), timer]);
  const view = 'application/vnd.jupyter.widget-view+json';
  return panel.content.widgets.map((cell, index) => {
    cell.node.setAttribute('data-rnncourse-cell', String(index));
    const model = cell.model;
    const outputs = model.type === 'code' ? model.outputs.toJSON() : [];
    return {index, type: model.type,
            count: model.type === 'code' ? model.executionCount : null,
            source: model.sharedModel.getSource().split('\\n')[0].slice(0, 80),
            errors: outputs.filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue),
            widget: outputs.some(o => o.data && o.data[view])};
  });
}"""

CLOSE = """async () => {
  const panel = window.jupyterapp.shell.currentWidget;
  if (!(panel && panel.sessionContext && panel.context)) return;
  await panel.sessionContext.shutdown();
  panel.context.model.dirty = false;   // the served copy is thrown away: no "save?" dialog
  panel.dispose();
}"""

# what an explorer shows: its figures and the text its output widgets print
SHOWN = ("node => JSON.stringify([[...node.querySelectorAll('img')].map(n => n.getAttribute('src') || ''),"
         " [...node.querySelectorAll('.widget-output')].map(n => n.innerText)])")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    server = start_lab(ROOT, tmp_path_factory.mktemp("lab"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    with sync_api.sync_playwright() as playwright:
        ctx = launch_chromium(playwright, tmp_path_factory.mktemp("chromium-profile"))
        ctx.set_default_timeout(60_000)
        yield ctx
        ctx.close()


@pytest.fixture(scope="module")
def page(lab, context):
    """One JupyterLab page for every notebook (each is opened, run and closed in turn)."""
    page = context.new_page()
    page.goto(lab.open_url("notebooks"))
    page.wait_for_function("window.jupyterapp !== undefined", timeout=120_000)
    yield page
    page.close()


IDLE = """() => { const panel = window.jupyterapp.shell.currentWidget;
  return panel.sessionContext.session.kernel.status === 'idle'; }"""


@pytest.fixture(scope="module", autouse=True)
def shots():
    # emptied once per run, in conftest.py (two xdist workers share the folder)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def test_there_are_lessons():
    assert len(LESSONS) >= 10 and ASSIGNMENTS


@pytest.mark.parametrize("path", ASSIGNMENTS, ids=lambda p: p.stem)
def test_assignment_opens_unmodified(path, lab, page):
    # a learner's notebook too must not show as modified, nor change when saved as it is
    # (tests/authoring/test_assignments_run_all.py runs it top to bottom)
    relative = f"assignments/{path.name}"
    try:
        opened = page.evaluate(OPEN, relative)
        assert not opened["dirty"], f"{relative} shows as modified as soon as it opens"
        page.evaluate(SAVE)
        assert (lab.root / relative).read_bytes() == path.read_bytes()
    finally:
        page.evaluate(CLOSE)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_runs_in_jupyterlab(path, lab, page):
    start = time.perf_counter()
    try:
        opened = page.evaluate(OPEN, f"notebooks/{path.name}")
        assert opened["path"] == f"notebooks/{path.name}"
        # item 14: nothing to change when it opens ...
        assert not opened["dirty"], f"{path.name} shows as modified as soon as it opens"
        # ... and saving it gives back the committed file exactly
        page.evaluate(SAVE)
        assert (lab.root / "notebooks" / path.name).read_bytes() == path.read_bytes(), (
            f"JupyterLab saves {path.name} differently: run python -m rnncourse.authoring.normalize")
        # item 15: before running, an explorer is one line of text, not a widget's repr
        assert "children=" not in opened["text"]
        page.screenshot(path=str(SHOTS / f"{path.stem}-opened.png"))

        cells = page.evaluate(RUN_ALL, RUN_ALL_TIMEOUT_MS)
        code = [c for c in cells if c["type"] == "code"]
        assert all(c["count"] for c in code), [c["source"] for c in code if not c["count"]]
        errors = [(c["index"], c["source"], c["errors"]) for c in code if c["errors"]]
        assert not errors, f"error outputs in {path.name}: {errors}"

        explorers = [c["index"] for c in cells if c["widget"]]
        if EXPLORER_PLACEHOLDER in path.read_text(encoding="utf-8"):
            assert explorers, f"{path.name} stores an explorer placeholder but shows no widget"
        outputs = {}
        for index in explorers:
            output = page.locator(f'[data-rnncourse-cell="{index}"] .jp-Cell-outputArea')
            output.locator(".jupyter-widgets").first.wait_for(state="visible")
            assert output.locator(CONTROLS).count() > 0, f"cell {index}: explorer has no controls"
            assert "Error displaying widget" not in output.inner_text()
            outputs[index] = output
        if explorers:
            # one slider per notebook (a drop-down where no explorer has a slider)
            sliders = [o for o in outputs.values() if o.locator(".noUi-handle").count()]
            selects = [o for o in outputs.values() if o.locator("select").count()]
            assert sliders or selects, f"{path.name}: no explorer has a slider or a drop-down"
            output = (sliders or selects)[0]
            before = output.evaluate(SHOWN)
            if sliders:
                handle = output.locator(".noUi-handle").first
                now, top = (float(handle.get_attribute(a)) for a in ("aria-valuenow", "aria-valuemax"))
                handle.focus()
                page.keyboard.press("ArrowRight" if now < top else "ArrowLeft")
            else:
                select = output.locator("select").first
                values = select.locator("option").evaluate_all("ns => ns.map(n => n.value)")
                current = select.input_value()
                select.select_option(next(v for v in values if v != current))
            page.wait_for_function(f"([node, before]) => ({SHOWN})(node) !== before",
                                   arg=[output.element_handle(), before], timeout=60_000)
            page.wait_for_function(IDLE)
            page.wait_for_timeout(500)       # the last redraw reaches the page
            assert output.evaluate(SHOWN) != before
            output.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / f"{path.stem}-explorer.png"))
    finally:
        page.evaluate(CLOSE)
    print(f"{path.name}: {time.perf_counter() - start:.1f} s")
