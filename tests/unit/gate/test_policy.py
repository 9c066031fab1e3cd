"""Gate policy files: where they are found, what they may say, what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakhunt.errors import ConfigError
from leakhunt.gate import enabled_checks
from leakhunt.gate.policy import DEFAULT_CHECKS, GatePolicy, load_policy, parse_policy


def test_defaults_without_a_policy_file(tmp_path: Path) -> None:
    policy = load_policy(None, tmp_path)
    assert policy == GatePolicy()
    assert policy.checks == DEFAULT_CHECKS and policy.origin is None
    names = [spec.name for spec in enabled_checks(policy)]
    assert names == [
        "zombie-contexts",
        "invisible-cycles",
        "diff-clusters",
        "closure-contexts",
        "detached-dom",
    ]


def test_pyproject_section_is_found(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "app"\n\n[tool.leakhunt.gate]\nmin-retained = "4 KiB"\n'
        'forbidden-classes = ["DebugHook"]\n[tool.leakhunt.gate.growth]\nSession = 3\n'
    )
    policy = load_policy(None, tmp_path)
    assert policy.min_retained == 4096 and policy.origin == str(tmp_path / "pyproject.toml")
    names = [spec.name for spec in enabled_checks(policy)]
    assert "class-growth" in names and "forbidden-classes" in names


def test_pyproject_without_section_means_defaults(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\n')
    assert load_policy(None, tmp_path) == GatePolicy()


def test_leakhunt_toml_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.leakhunt.gate]\nmin-retained = 1\n")
    (tmp_path / "leakhunt.toml").write_text(
        '[gate]\nmin-retained = 2\ncontext-budgets = { "https://*" = "1 MB" }\n'
    )
    policy = load_policy(None, tmp_path)
    assert policy.min_retained == 2
    assert [(b.context_pattern, b.max_size) for b in policy.context_budgets] == [
        ("https://*", 1_000_000)
    ]


@pytest.mark.parametrize(
    "table",
    [
        {"checks": ["no-such-check"]},
        {"min-retained": "lots"},
        {"min-retained": -1},
        {"growth": {"A": {"count": -1}}},
        {"growth": {"A": "x"}},
        {"heuristics": "yes"},
        {"forbidden-classes": "A"},
    ],
)
def test_bad_policies_are_config_errors(table: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        enabled_checks(parse_policy(table))


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "leakhunt.toml").write_text("[gate\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_policy(None, tmp_path)
