"""The real-browser test runs only from `make browser-test` (RNNCOURSE_BROWSER_TEST=1).

`make test` and a plain `pytest tests` never collect it, so they need no browser.
"""

import os

if os.environ.get("RNNCOURSE_BROWSER_TEST") != "1":
    collect_ignore_glob = ["test_*.py"]
