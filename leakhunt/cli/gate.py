"""``leakhunt gate``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import assert_never

import click

from leakhunt.cache.session import (
    CachedInput,
    cached_class_columns,
    cached_context_analysis,
    cached_root_distances,
)
from leakhunt.cli.output import open_output
from leakhunt.cli.params import output_option
from leakhunt.cli.snapshots import LoadChoice, load_options
from leakhunt.gate import GateReport, run_gate, snapshot_findings, suspect_kinds
from leakhunt.gate.baseline import read_baseline, write_baseline
from leakhunt.gate.findings import Finding
from leakhunt.gate.inputs import Earlier, SnapshotInputs
from leakhunt.gate.policy import GatePolicy, load_policy
from leakhunt.render.gate_text import GateJsonRenderer, GateTextRenderer
from leakhunt.render.interface import Renderer
from leakhunt.render.junit import JUnitRenderer
from leakhunt.render.sarif import SarifRenderer, SourceMapper

EXIT_PASSED, EXIT_FAILED = 0, 1


class GateFormat(StrEnum):
    """What the gate writes."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"


def _inputs(load: LoadChoice, loaded: CachedInput, kinds: tuple[str, ...]) -> SnapshotInputs:
    return SnapshotInputs(
        loaded.graph,
        tree_provider=lambda: load.dominators(loaded),
        distances_provider=lambda: cached_root_distances(loaded, include_weak=False),
        classes_provider=lambda tree: cached_class_columns(loaded, tree),
        suspect_kinds=kinds,
        contexts_provider=lambda: cached_context_analysis(loaded),
    )


def _relative_to(path: str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(path).name


def _renderer(
    output_format: GateFormat,
    policy: GatePolicy,
    repo_root: Path,
    source_root: str | None,
    files: tuple[str, ...],
) -> Renderer[GateReport]:
    if output_format is GateFormat.TEXT:
        return GateTextRenderer()
    if output_format is GateFormat.JSON:
        return GateJsonRenderer()
    if output_format is GateFormat.SARIF:
        fallback = _relative_to(policy.origin or files[0], repo_root)
        root = source_root or policy.source_root
        return SarifRenderer(SourceMapper(repo_root, Path(root) if root else None, fallback))
    if output_format is GateFormat.JUNIT:
        return JUnitRenderer()
    assert_never(output_format)


def _baseline_path(option: str | None, policy: GatePolicy) -> Path | None:
    if option is not None:
        return Path(option)
    if policy.baseline is None:
        return None
    base = Path(policy.origin).parent if policy.origin else Path.cwd()
    return base / policy.baseline


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@load_options
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Policy file (pyproject.toml or leakhunt.toml) [default: found in the current directory].",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Baseline of accepted fingerprints [default: the policy's 'baseline'].",
)
@click.option(
    "--update-baseline",
    is_flag=True,
    help="Write every current finding to the baseline (accepting them) and pass.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice([f.value for f in GateFormat]),
    default=GateFormat.TEXT.value,
    show_default=True,
    help="text for people, json, sarif (GitHub code scanning) or junit (CI test reports).",
)
@click.option(
    "--source-root",
    type=click.Path(file_okay=False),
    default=None,
    help="Repository directory holding the scripts named in snapshots (SARIF locations).",
)
@click.option(
    "--repo-root",
    type=click.Path(file_okay=False, exists=True),
    default=".",
    show_default=True,
    help="Repository root that SARIF locations are relative to.",
)
@output_option
def gate(
    files: tuple[str, ...],
    load: LoadChoice,
    policy_file: str | None,
    baseline_file: str | None,
    update_baseline: bool,
    output_format: str,
    source_root: str | None,
    repo_root: str,
    output: str | None,
) -> int:
    """Fail CI on leaks: run the policy's checks on FILES and judge them against a baseline.

    FILES are one snapshot, or BASE TARGET [FINAL] of one program. The policy is read from
    --policy, or from leakhunt.toml ([gate]) or pyproject.toml ([tool.leakhunt.gate]) in the
    current directory; without one the defaults apply: no zombie context, no cycle pinned by
    a handle or unseen references (give the embedder's root dump with --overlay), no leaked
    cluster above 1 KiB in a three-snapshot diff, no closure-context leak, no detached DOM
    subtree.

    Findings whose fingerprint the baseline accepts are reported as known and do not fail;
    baseline entries no longer found are listed as fixed. --update-baseline accepts the
    current findings.

    Exit codes: 0 passed, 1 new findings, 2 usage or policy error, 3 unreadable input.

    \b
    Examples:
      leakhunt gate base.heapsnapshot target.heapsnapshot final.heapsnapshot
      leakhunt gate app.heapsnapshot --format sarif -o leaks.sarif --source-root src
      leakhunt gate base.hs target.hs final.hs --format junit -o leakhunt-junit.xml
      leakhunt gate base.hs target.hs final.hs --update-baseline
    """
    if len(files) > 3:
        raise click.UsageError("give one snapshot, or BASE TARGET [FINAL]")
    policy = load_policy(policy_file, Path.cwd())
    baseline_path = _baseline_path(baseline_file, policy)
    baseline = read_baseline(baseline_path) if baseline_path is not None else ()

    # One graph in memory at a time: the snapshots before the last are reduced to ids and classes.
    def last_state() -> tuple[SnapshotInputs, dict[str, list[Finding]]]:
        loaded = load.load_one(files[-1], len(files) - 1, last=True)
        inputs = _inputs(load, loaded, suspect_kinds(policy))
        return inputs, snapshot_findings(inputs, policy)

    # The last file's own checks run while the earlier files are reduced (see identities).
    identities, (last, last_findings) = load.identities(files, last_state)
    earlier: list[Earlier | SnapshotInputs] = list(identities)
    report = run_gate(
        [*earlier, last],
        policy,
        baseline,
        baseline_path=str(baseline_path) if baseline_path else None,
        last_findings=last_findings,
    )
    with open_output(output) as out:
        _renderer(GateFormat(output_format), policy, Path(repo_root), source_root, files).render(
            report, out
        )
    if update_baseline:
        if baseline_path is None:
            raise click.UsageError(
                "--update-baseline needs --baseline FILE or a 'baseline' in the policy"
            )
        write_baseline(baseline_path, [*report.new, *report.known])
        click.echo(
            f"leakhunt: baseline {baseline_path} now accepts {len(report.new) + len(report.known)} finding(s)",
            err=True,
        )
        return EXIT_PASSED
    return EXIT_PASSED if report.passed else EXIT_FAILED
