"""``python -m leakhunt``."""

from leakhunt.cli import entry

entry()
