"""Option values passed into analyses: frozen, validated once, no module-level state.

Examples
--------
>>> PathOptions(max_paths=3).max_paths
3
>>> PathOptions(max_paths=0)
Traceback (most recent call last):
...
leakhunt.errors.ConfigError: max_paths must be at least 1, not 0
"""

from __future__ import annotations

from dataclasses import dataclass

from leakhunt.errors import ConfigError

__all__ = ["PathOptions", "SummaryOptions"]


@dataclass(frozen=True, slots=True)
class PathOptions:
    """How retaining paths are searched."""

    include_weak: bool = False
    """Follow weak edges and weak roots (by default they never explain retention)."""
    max_paths: int = 1
    """Distinct paths to report per target."""
    max_expansions: int = 50_000
    """Work limit per target when searching for paths beyond the first."""

    def __post_init__(self) -> None:
        if self.max_paths < 1:
            raise ConfigError(f"max_paths must be at least 1, not {self.max_paths}")
        if self.max_expansions < 1:
            raise ConfigError(f"max_expansions must be at least 1, not {self.max_expansions}")


@dataclass(frozen=True, slots=True)
class SummaryOptions:
    """What a summary lists."""

    top: int = 20
    """How many classes to list, largest total self size first."""

    def __post_init__(self) -> None:
        if self.top < 0:
            raise ConfigError(f"top must not be negative, not {self.top}")
