"""Playwright (Python) driving Debian's Chromium against pytest-django's live server.

Browsers are not downloaded (``playwright install`` needs the internet): the tests launch the
system's /usr/bin/chromium and are skipped, saying so, where it is missing. CI installs it.

The `browser` and `page` fixtures live in tests/conftest.py, so that the browser tests of every
package share one Chromium per worker: a second sync Playwright in the same thread fails.
"""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
