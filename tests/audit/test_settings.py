"""READ_AUDIT_RETENTION_DAYS is read from the environment; a negative one stops start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def _retention(value: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "READ_AUDIT_RETENTION_DAYS"}
    if value is not None:
        env["READ_AUDIT_RETENTION_DAYS"] = value
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import crossborder.settings as s; print(s.READ_AUDIT_RETENTION_DAYS)",
        ],
        cwd=ROOT,
        env={**env, "DEBUG": "true"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_read_audit_retention_defaults_to_730_days_and_follows_the_environment():
    assert _retention(None).stdout.strip() == "730"
    assert _retention("30").stdout.strip() == "30"


def test_a_negative_read_audit_retention_stops_start_up():
    result = _retention("-1")

    assert result.returncode != 0
    assert "READ_AUDIT_RETENTION_DAYS must be 0 or more days, not -1." in result.stderr
