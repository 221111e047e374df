"""The real-browser test runs only from `make browser-test` (RNNCOURSE_BROWSER_TEST=1).

`make test` and a plain `pytest tests` never collect it, so they need no browser.
"""

import os
import shutil

from .lab import SHOTS

if os.environ.get("RNNCOURSE_BROWSER_TEST") != "1":
    collect_ignore_glob = ["test_*.py"]


def pytest_configure(config):
    # screenshots of this run only: emptied by the controller, before any worker starts
    if not hasattr(config, "workerinput") and os.environ.get("RNNCOURSE_BROWSER_TEST") == "1":
        shutil.rmtree(SHOTS, ignore_errors=True)
