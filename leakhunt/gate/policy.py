"""The gate policy: ``[tool.leakhunt.gate]`` in ``pyproject.toml`` or ``[gate]`` in ``leakhunt.toml``.

Every key is optional; without a policy file the defaults below apply, so ``leakhunt gate
base target final`` works as a first command. Unknown keys and bad values are
:class:`~leakhunt.errors.ConfigError` (exit code 2), never ignored.

Examples
--------
>>> policy = parse_policy({"min-retained": "2 KiB", "forbidden-classes": ["Debug*"],
...                        "growth": {"Session": 10, "Item": {"count": 0, "retained": "1 MB"}}})
>>> policy.min_retained, policy.forbidden_classes
(2048, ('Debug*',))
>>> [(g.class_pattern, g.max_count, g.max_retained) for g in policy.growth]
[('Session', 10, None), ('Item', 0, 1000000)]
>>> parse_size("1.5 MiB"), parse_size(300)
(1572864, 300)
>>> parse_policy({"colour": "red"})
Traceback (most recent call last):
...
leakhunt.errors.ConfigError: policy: unknown key 'colour' (known: baseline, checks, context-budgets, forbidden-classes, growth, heuristics, min-retained, source-root)
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leakhunt.errors import ConfigError

__all__ = [
    "DEFAULT_CHECKS",
    "ContextBudget",
    "GatePolicy",
    "GrowthLimit",
    "find_policy_file",
    "load_policy",
    "parse_policy",
    "parse_size",
]

DEFAULT_CHECKS = (
    "zombie-contexts",
    "invisible-cycles",
    "diff-clusters",
    "closure-contexts",
    "detached-dom",
)
"""Checks run when the policy does not list its own."""

_UNITS = {
    "": 1,
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*$")
_KEYS = (
    "baseline",
    "checks",
    "context-budgets",
    "forbidden-classes",
    "growth",
    "heuristics",
    "min-retained",
    "source-root",
)


def parse_size(value: object, where: str = "size") -> int:
    """Bytes from an integer or a string such as ``"512 KiB"`` or ``"2 MB"``."""
    if isinstance(value, bool):
        raise ConfigError(f"policy: {where}: {value!r} is not a size")
    if isinstance(value, int):
        if value < 0:
            raise ConfigError(f"policy: {where}: {value} is negative")
        return value
    if isinstance(value, str):
        match = _SIZE.match(value)
        if match and match.group(2).lower() in _UNITS:
            return int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    raise ConfigError(f'policy: {where}: {value!r} is not a size (e.g. 1024, "512 KiB", "2 MB")')


@dataclass(frozen=True, slots=True)
class GrowthLimit:
    """How much one class (a glob pattern) may grow between the first and the last snapshot."""

    class_pattern: str
    """Class name or glob pattern."""
    max_count: int | None
    """Objects it may gain, or None for no count limit."""
    max_retained: int | None
    """Retained bytes it may gain, or None."""


@dataclass(frozen=True, slots=True)
class ContextBudget:
    """The most a context (glob over its name) may hold."""

    context_pattern: str
    """Context name or glob pattern (a URL, a realm name)."""
    max_size: int
    """Bytes attributed to the context, at most."""


@dataclass(frozen=True, slots=True)
class GatePolicy:
    """What the gate checks and how strictly."""

    checks: tuple[str, ...] = DEFAULT_CHECKS
    """Checks to run (growth, forbidden classes and budgets also run whenever configured)."""
    min_retained: int = 1024
    """Findings retaining less than this are not reported."""
    heuristics: bool = True
    """Whether heuristic verdicts (closure contexts without scope data) can fail the gate."""
    growth: tuple[GrowthLimit, ...] = ()
    """Per-class growth limits."""
    forbidden_classes: tuple[str, ...] = ()
    """Classes (glob patterns) that must not exist at all."""
    context_budgets: tuple[ContextBudget, ...] = ()
    """Per-context size budgets."""
    baseline: str | None = None
    """Baseline file of accepted fingerprints (relative to the policy file)."""
    source_root: str | None = None
    """Where the scripts named in snapshots live in the repository (SARIF locations)."""
    origin: str | None = field(default=None)
    """The policy file this came from, or None for the defaults."""


def _str_list(value: object, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"policy: {key} must be a list of strings")
    return tuple(value)


def _growth(value: object) -> tuple[GrowthLimit, ...]:
    if not isinstance(value, dict):
        raise ConfigError("policy: growth must be a table of class = limit")
    limits = []
    for pattern, limit in value.items():
        where = f"growth.{pattern}"
        if isinstance(limit, int) and not isinstance(limit, bool):
            limits.append(GrowthLimit(pattern, parse_size(limit, where), None))
        elif isinstance(limit, dict):
            unknown = set(limit) - {"count", "retained"}
            if unknown or not limit:
                raise ConfigError(f"policy: {where}: use count = N and/or retained = SIZE")
            count = limit.get("count")
            if count is not None and (
                not isinstance(count, int) or isinstance(count, bool) or count < 0
            ):
                raise ConfigError(f"policy: {where}.count must be a non-negative integer")
            retained = limit.get("retained")
            limits.append(
                GrowthLimit(
                    pattern, count, None if retained is None else parse_size(retained, where)
                )
            )
        else:
            raise ConfigError(f"policy: {where}: {limit!r} is neither a count nor a table")
    return tuple(limits)


def parse_policy(table: dict[str, Any], origin: str | None = None) -> GatePolicy:
    """A :class:`GatePolicy` from the gate table of a TOML file."""
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise ConfigError(f"policy: unknown key {unknown[0]!r} (known: {', '.join(_KEYS)})")
    values: dict[str, Any] = {"origin": origin}
    if "checks" in table:
        values["checks"] = _str_list(table["checks"], "checks")
    if "min-retained" in table:
        values["min_retained"] = parse_size(table["min-retained"], "min-retained")
    if "heuristics" in table:
        if not isinstance(table["heuristics"], bool):
            raise ConfigError("policy: heuristics must be true or false")
        values["heuristics"] = table["heuristics"]
    if "growth" in table:
        values["growth"] = _growth(table["growth"])
    if "forbidden-classes" in table:
        values["forbidden_classes"] = _str_list(table["forbidden-classes"], "forbidden-classes")
    if "context-budgets" in table:
        budgets = table["context-budgets"]
        if not isinstance(budgets, dict):
            raise ConfigError("policy: context-budgets must be a table of context = size")
        values["context_budgets"] = tuple(
            ContextBudget(k, parse_size(v, f"context-budgets.{k}")) for k, v in budgets.items()
        )
    for key in ("baseline", "source-root"):
        if key in table:
            if not isinstance(table[key], str):
                raise ConfigError(f"policy: {key} must be a path")
            values[key.replace("-", "_")] = table[key]
    return GatePolicy(**values)


def _gate_table(path: Path) -> dict[str, Any] | None:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the policy: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        table = document.get("tool", {}).get("leakhunt", {}).get("gate")
    else:
        table = document.get("gate", document.get("tool", {}).get("leakhunt", {}).get("gate"))
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: the gate section is not a table")
    return table


def find_policy_file(directory: Path) -> Path | None:
    """``leakhunt.toml`` in ``directory``, else a ``pyproject.toml`` with a gate section."""
    candidate = directory / "leakhunt.toml"
    if candidate.is_file():
        return candidate
    candidate = directory / "pyproject.toml"
    if candidate.is_file() and _gate_table(candidate) is not None:
        return candidate
    return None


def load_policy(path: str | None, directory: Path) -> GatePolicy:
    """The policy from ``path``, or the one found in ``directory``, or the defaults."""
    file = Path(path) if path is not None else find_policy_file(directory)
    if file is None:
        return GatePolicy()
    table = _gate_table(file)
    if table is None:
        if path is not None:
            raise ConfigError(f"{file}: has no [tool.leakhunt.gate] or [gate] section")
        return GatePolicy()
    return parse_policy(table, origin=str(file))
