"""Heap text is data: hostile names never act on the terminal, rich, or the encoder.

A small V8 snapshot whose class names, property names, strings and root labels are rich
markup, terminal control sequences, C1 controls, NUL, a lone surrogate and bidi overrides goes
through every command in text, JSON and CSV, piped, under an ASCII-only locale and on a
(simulated) terminal.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from leakhunt.graph.core import RetentionGraph
from leakhunt.importers import load_graph

from helpers.snapshots import Node, write_snapshot

HOSTILE = (
    "[/bold]",
    "[link=https://evil.example]click[/link]",
    "[red]restyled",
    "\x1b]0;pwned title\x07",
    "\x1b[2J\x1b[Hcleared",
    "csi\x9b31mred",
    "nul\x00byte",
    "cut \ud83d",
    "bidi\u202egnp.exe",
    "back\x08space\rreturn",
    ":smile: [/]",
    '=HYPERLINK("https://evil.example","open")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "##[error]pwned annotation",
    "x ##vso[task.setvariable variable=LEAKED]1",
    "::error file=app.js::pwned",
    "  ::stop-commands::token",
)
FORMULAS = tuple(name for name in HOSTILE if name[0] in "=+-@")
"""Names a spreadsheet would run as formulas if a CSV cell started with them."""
# What must never reach a stream raw: C0 controls but newline, DEL, C1, surrogates, bidi.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def hostile_heap() -> list[Node]:
    """Root → (GC roots) → (Global handles); a global holding one object per hostile class
    under a hostile property name, each holding a hostile string."""
    count = len(HOSTILE)
    first_object = 4
    first_string = first_object + count
    objects: list[Node] = [
        ("object", name, 101 + 2 * i, 40 + i, [("property", name, first_string + i)])
        for i, name in enumerate(HOSTILE)
    ]
    strings: list[Node] = [
        ("string", f"value {name}", 301 + 2 * i, 16, []) for i, name in enumerate(HOSTILE)
    ]
    global_edges = [("property", name, first_object + i) for i, name in enumerate(HOSTILE)]
    return [
        ("synthetic", "", 1, 0, [("element", 1, 1), ("shortcut", "2", 3)]),
        ("synthetic", "(GC roots)", 3, 0, [("element", 1, 2)]),
        ("synthetic", "(Global handles)", 5, 0, [("internal", "\x1b[31mhandle[/]", 3)]),
        ("object", "global", 7, 100, global_edges),
        *objects,
        *strings,
    ]


@pytest.fixture(scope="module")
def hostile_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_snapshot(tmp_path_factory.mktemp("hostile") / "h.heapsnapshot", hostile_heap())


def _run(*args: str, encoding: str = "utf-8") -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": encoding, "NO_COLOR": ""}
    env.pop("NO_COLOR")
    return subprocess.run(
        [sys.executable, "-m", "leakhunt", *args, "--no-cache"],
        capture_output=True,
        env=env,
        timeout=300,
    )


# What a CI runner would run from its log: GitHub's legacy "##[cmd]" and Azure's "##vso[" anywhere
# in a line, GitHub's "::cmd::" at the start of a line after spaces.
LOG_COMMAND = re.compile(r"##(vso)?\[", re.IGNORECASE)


def _assert_inert(data: bytes, encoding: str) -> str:
    text = data.decode(encoding)
    found = RAW_CONTROL.findall(text)
    assert not found, f"raw control characters in output: {found!r}"
    commands = [line for line in text.splitlines() if LOG_COMMAND.search(line)]
    commands += [line for line in text.splitlines() if line.lstrip().startswith("::")]
    assert not commands, f"lines a CI log would run as commands: {commands!r}"
    return text


EVERY_NAME_SHOWN = (
    "[/bold]",
    "[link=https://evil.example]",
    "\\x1b]0;pwned title\\x07",
    "csi\\u009b31mred",
    "cut \\ud83d",
    "bidi\\u202egnp",
    "nul\\x00byte",
)
TEXT_COMMANDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "summary": (("summary", "--top", "50"), EVERY_NAME_SHOWN),
    "top": (("top", "--classes", "50"), EVERY_NAME_SHOWN),
    "paths-class": (
        ("paths", "class:[/bold]", "class:csi\x9b31mred", "--max-targets", "50"),
        ("Retaining paths to [/bold] @101", ".csi\\u009b31mred"),
    ),
    "paths-name": (
        ("paths", "name:value", "--max-targets", "50", "--max-paths", "2"),
        EVERY_NAME_SHOWN,
    ),
    "show": (("show", "name:global", "--limit", "100"), EVERY_NAME_SHOWN),
}


@pytest.mark.parametrize("encoding", ["utf-8", "ascii", "latin-1"])
@pytest.mark.parametrize("command", sorted(TEXT_COMMANDS))
def test_text_output_is_inert_in_any_locale(
    hostile_snapshot: Path, command: str, encoding: str
) -> None:
    (name, *rest), expected = TEXT_COMMANDS[command]
    result = _run(name, str(hostile_snapshot), *rest, encoding=encoding)
    assert result.returncode == 0, result.stderr.decode(encoding, "replace")
    text = _assert_inert(result.stdout, encoding)
    _assert_inert(result.stderr, encoding)
    assert "\x1b" not in text  # piped: no colour either
    if encoding == "utf-8":
        # Markup shows as itself; control characters as escapes.
        missing = [shown for shown in expected if shown not in text]
        assert not missing, text


def test_paths_json_keeps_exact_strings(hostile_snapshot: Path) -> None:
    result = _run(
        "paths", str(hostile_snapshot), "name:value", "--format", "json", encoding="ascii"
    )
    assert result.returncode == 0, result.stderr
    _assert_inert(result.stdout, "utf-8")
    doc = json.loads(result.stdout)
    edge_names = {p["hops"][-2]["edge"]["name"] for p in doc["paths"]}
    targets = {p["hops"][-1]["node"]["name"] for p in doc["paths"]}
    assert edge_names == set(HOSTILE)
    assert targets == {f"value {name}" for name in HOSTILE}


@pytest.mark.parametrize("command", ["summary", "top"])
def test_json_written_to_a_file_keeps_exact_strings(
    hostile_snapshot: Path, tmp_path: Path, command: str
) -> None:
    out = tmp_path / f"{command}.json"
    every_class = ("--classes", "50") if command == "top" else ("--top", "50")
    result = _run(command, str(hostile_snapshot), *every_class, "--format", "json", "-o", str(out))
    assert result.returncode == 0, result.stderr
    raw = out.read_bytes()
    _assert_inert(raw, "utf-8")
    assert b"\\ud83d" in raw and b"\\u009b" in raw  # escaped, so it encodes
    doc = json.loads(raw)
    classes = doc["classes"]
    assert set(HOSTILE) <= {c["name"] for c in classes}


def test_export_csv_shows_heap_text_visibly(hostile_snapshot: Path, tmp_path: Path) -> None:
    out = tmp_path / "nodes.csv"
    result = _run("export", str(hostile_snapshot), "-o", str(out), encoding="ascii")
    assert result.returncode == 0, result.stderr
    text = _assert_inert(out.read_bytes(), "utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    names = {r["name"] for r in rows}
    assert "[/bold]" in names and "cut \\ud83d" in names and "nul\\x00byte" in names
    assert len(rows) == load_graph(str(hostile_snapshot)).node_count
    # A cell a spreadsheet would evaluate starts with an apostrophe: shown, never run.
    assert {f"'{name}" for name in FORMULAS} <= names
    for row in rows:
        for column in ("type", "name", "class", "context"):
            assert not row[column].startswith(("=", "+", "-", "@")), (column, row[column])


def test_error_messages_quote_heap_text_inertly(hostile_snapshot: Path) -> None:
    result = _run("paths", str(hostile_snapshot), "name:\x1b]0;nothing-like-this\x07")
    assert result.returncode == 3
    stderr = _assert_inert(result.stderr, "utf-8")
    assert "leakhunt: error:" in stderr and "\\x1b]0;nothing-like-this\\x07" in stderr


class _FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _rendered_on_a_terminal(graph: RetentionGraph) -> str:
    """summary, top, paths and show as a terminal gets them."""
    from leakhunt.analyzers import (
        NodeReport,
        compute_dominators,
        find_neighbours,
        find_retaining_paths,
        find_top_retainers,
        summarize,
    )
    from leakhunt.render import (
        PathsConsoleRenderer,
        ShowConsoleRenderer,
        SummaryConsoleRenderer,
        TopConsoleRenderer,
    )

    out = _FakeTerminal()
    SummaryConsoleRenderer(width=200).render(summarize(graph), out)
    tree = compute_dominators(graph)
    TopConsoleRenderer(graph, width=200).render(find_top_retainers(graph, tree, top=50), out)
    everything = range(1, graph.node_count)
    paths = find_retaining_paths(graph, everything)
    PathsConsoleRenderer(graph, retained_size=tree.retained_size).render(paths, out)
    pages = tuple(find_neighbours(graph, node, distance=tree.distance) for node in everything)
    ShowConsoleRenderer(graph, width=200).render(NodeReport(pages, tree), out)
    return out.getvalue()


def test_on_a_terminal_markup_in_heap_text_has_no_effect(
    hostile_snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    text = _rendered_on_a_terminal(load_graph(str(hostile_snapshot)))
    sequences = set(re.findall(r"\x1b\[[0-9;]*m", text))
    assert sequences, "a terminal gets emphasis"
    # Every escape sequence is an SGR style of ours: no OSC (title, hyperlink), no cursor moves.
    assert not re.search(r"\x1b(?!\[[0-9;]*m)", text)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert not RAW_CONTROL.findall(plain)
    assert "[/bold]" in plain and "[red]restyled" in plain and ":smile: [/]" in plain
    # [red] in a name did not turn anything red (31 is red).
    assert not any(re.search(r"\b31\b", s) for s in sequences)


def test_no_color_keeps_emphasis_only(
    hostile_snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    text = _rendered_on_a_terminal(load_graph(str(hostile_snapshot)))
    sequences = set(re.findall(r"\x1b\[([0-9;]*)m", text))
    colours = {p for s in sequences for p in s.split(";") if p and 30 <= int(p) <= 49}
    assert sequences and not colours


def test_export_cuts_huge_names(tmp_path: Path) -> None:
    huge = "H" * 200_000
    nodes: list[Node] = [
        ("synthetic", "", 1, 0, [("shortcut", "2", 1)]),
        ("object", "global", 3, 10, [("property", f"p{i}", 2 + i) for i in range(50)]),
        *[("object", huge, 5 + 2 * i, 8, []) for i in range(50)],
    ]
    snapshot = write_snapshot(tmp_path / "huge.heapsnapshot", nodes)
    out = tmp_path / "nodes.csv"
    result = _run("export", str(snapshot), "-o", str(out))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    cut = [r["name"] for r in rows if r["name"].startswith("HHH")]
    assert len(cut) == 50
    # the importer keeps the first 4,096 characters; export shows the first 1,024 of those
    assert all(name.startswith("H" * 1024 + "…[+") and len(name) < 1100 for name in cut), cut[0][
        1000:
    ]
    assert out.stat().st_size < 200_000  # not 50 copies of 200 kB


def test_an_input_error_quoting_control_characters_is_one_inert_line(tmp_path: Path) -> None:
    path = tmp_path / "cc-edges.1234.log"
    path.write_bytes(b"# WantAllTraces=true\n0x1 [rc=1\rLHFUZZ\x1b[2J] A\n==========\n")
    result = _run("summary", str(path), "-q")
    assert result.returncode == 3
    stderr = _assert_inert(result.stderr, "utf-8")
    assert stderr.count("\n") == 1 and stderr.startswith("leakhunt: error: ")


@pytest.mark.parametrize(
    ("command", "output"),
    [
        ("cycles", "text"),
        ("cycles", "json"),
        *(("gate", f) for f in ("text", "json", "sarif", "junit")),
    ],
)
def test_findings_with_hostile_embedder_names_are_inert(
    tmp_path: Path, command: str, output: str
) -> None:
    """A root dump's strings are the embedder's, and the embedder copies them from the page:
    ``cycles`` and the gate's reports, which CI prints to its log, carry them inertly."""
    from tests.helpers.rootdump import ADDON_DUMP, ADDON_SNAPSHOT

    dump = json.loads(ADDON_DUMP.read_text(encoding="utf-8"))
    # A dump is UTF-8 JSON (a lone surrogate cannot be written in it).
    names = [name for name in HOSTILE if not re.search("[\ud800-\udfff]", name)]
    for index, native in enumerate(dump["natives"]):
        native["class"] = HOSTILE[-4 + index % 4]  # the CI log commands
        native["name"] = names[index % len(names)]
    for edge in dump["edges"]:
        if edge["kind"] == "strong_global_handle":
            edge["name"] = "##[warning]handle"
    hostile_dump = tmp_path / "hostile.rootdump.json"
    hostile_dump.write_text(json.dumps(dump), encoding="utf-8")
    out = tmp_path / f"{command}.{output}"
    args = (command, str(ADDON_SNAPSHOT), "--overlay", str(hostile_dump), "--format", output)
    result = _run(
        *args, "-o", str(out), "-q", *(("--fail-on-cycles",) if command == "cycles" else ())
    )
    assert result.returncode == 1, result.stderr  # the pinned cycles are findings
    _assert_inert(result.stdout, "utf-8")
    _assert_inert(result.stderr, "utf-8")
    text = _assert_inert(out.read_bytes(), "utf-8")
    if command == "cycles" and output == "text":
        assert "#\\x23[warning]handle" in text and "#\\x23[error]pwned annotation" in text
    if command == "cycles" and output == "json":
        assert "##[warning]handle" in json.dumps(json.loads(text), ensure_ascii=False)
