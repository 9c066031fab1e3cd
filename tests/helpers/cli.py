"""Run the command line as a user does: ``python -m leakhunt`` in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "leakhunt", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )
