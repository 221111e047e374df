"""A JupyterLab server on loopback and Debian's chromium, for tests/browser/.

:func:`start_lab` copies the lessons and assignments into a scratch folder (so that nothing
the browser does, autosave included, touches the repository), and starts
``jupyter lab`` on 127.0.0.1 with a random token, its own settings and workspaces
(cells never virtualised, so every cell is in the page) and ``window.jupyterapp``
exposed for the test's scripts.  :func:`launch_chromium` starts ``/usr/bin/chromium``
through Playwright, never a browser of Playwright's own.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = os.environ.get("RNNCOURSE_CHROMIUM", "/usr/bin/chromium")
#: where the screenshots go (ignored by git); emptied once per run, in conftest.py
SHOTS = Path(__file__).resolve().parent.parent.parent / "build" / "browser-test"
#: flags that work on a closed network, as root, without a GPU
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@dataclass
class Lab:
    process: subprocess.Popen
    root: Path          #: the folder the server serves (a copy of notebooks/, assignments/)
    url: str            #: http://127.0.0.1:PORT
    token: str
    log: Path

    def open_url(self, relative: str = "") -> str:
        # reset: start from an empty workspace, not the layout the last page left
        return f"{self.url}/lab/tree/{relative}?reset&token={self.token}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(repo: Path, scratch: Path, timeout: float = 120.0) -> Lab:
    root = scratch / "served"
    for folder in ("notebooks", "assignments"):
        if (repo / folder).is_dir():
            shutil.copytree(repo / folder, root / folder,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = scratch / "lab-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # every cell stays in the page (JupyterLab 4 otherwise renders only the visible ones)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    notices = scratch / "lab-settings" / "@jupyterlab" / "apputils-extension"
    notices.mkdir(parents=True)
    # no "notified about Jupyter news?" toast over the page (and no news fetched)
    (notices / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = dict(os.environ,
               JUPYTERLAB_SETTINGS_DIR=str(scratch / "lab-settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(scratch / "lab-workspaces"),
               JUPYTER_RUNTIME_DIR=str(scratch / "runtime"))
    port, token = _free_port(), secrets.token_hex(16)
    log = scratch / "jupyterlab.log"
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               "--LabApp.expose_app_in_browser=True",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    with open(log, "w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                   cwd=root, stdin=subprocess.DEVNULL)
    lab = Lab(process, root, f"http://127.0.0.1:{port}", token, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{lab.url}/api/status?token={token}", timeout=2):
                return lab
        except OSError:
            time.sleep(0.5)
    lab.stop()
    raise RuntimeError(f"jupyter lab did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def launch_chromium(playwright, profile: Path):
    """A persistent context in a new empty profile folder, in Debian's chromium."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install chromium")
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS,
        viewport={"width": 1400, "height": 1000})
