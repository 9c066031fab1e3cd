"""Hostile input through the command line: exit 3, one error line, nothing raw on the terminal."""

from __future__ import annotations

import gzip
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.cli import run

ROOT = Path(__file__).resolve().parents[2]
V8_SMALL = ROOT / "fixtures/v8/edge_cases/worked_example.heapsnapshot"
V8_REAL = ROOT / "fixtures/v8/leak_chain.heapsnapshot.gz"
CC_SMALL = ROOT / "fixtures/spidermonkey/cc/cc_all_forms.log"
SM_SMALL = ROOT / "fixtures/spidermonkey/edge_cases/zones_era.log"
COMMAND_ARGS = {
    "summary": [],
    "paths": ["class:Leaf"],
    "top": [],
    "export": [],
}
_TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _one_error_line(stderr: str, file: Path) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"leakhunt: error: {file}: "), lines[0]
    assert not _TERMINAL_CONTROLS.search(stderr)
    return lines[0]


def test_truncated_gzip_is_an_input_error_not_an_interruption(tmp_path: Path) -> None:
    packed = V8_REAL.read_bytes()
    cut = tmp_path / "cut.heapsnapshot.gz"
    cut.write_bytes(packed[: len(packed) // 3])
    result = run("summary", str(cut), "--no-cache")
    assert result.returncode == 3
    line = _one_error_line(result.stderr, cut)
    assert re.search(
        r"gzip stream: ends early \(truncated file\?\) after [1-9][\d,]* decompressed", line
    )


@pytest.mark.parametrize("command", sorted(COMMAND_ARGS))
def test_output_into_a_missing_directory(tmp_path: Path, command: str) -> None:
    target = tmp_path / "missing" / "out.txt"
    args = [command, str(V8_SMALL), *COMMAND_ARGS[command], "--no-cache", "-o", str(target)]
    result = run(*args)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    line = _one_error_line(result.stderr, target)
    assert "does not exist" in line
    assert not target.parent.exists()


def test_max_input_size_option_and_environment(tmp_path: Path) -> None:
    packed = tmp_path / "small.heapsnapshot.gz"
    packed.write_bytes(gzip.compress(V8_SMALL.read_bytes(), mtime=0))
    result = run("summary", str(packed), "--no-cache", "--max-input-size", "1K")
    assert result.returncode == 3
    assert "the --max-input-size limit" in _one_error_line(result.stderr, packed)
    env = {**os.environ, "LEAKHUNT_MAX_INPUT_SIZE": "100"}
    from_env = subprocess.run(
        [sys.executable, "-m", "leakhunt", "summary", str(packed), "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert from_env.returncode == 3
    assert run("summary", str(packed), "--no-cache", "--max-input-size", "0").returncode == 0
    bad = run("summary", str(packed), "--max-input-size", "lots")
    assert bad.returncode == 2 and "is not a size" in bad.stderr


def test_error_messages_never_carry_raw_control_characters(tmp_path: Path) -> None:
    log = tmp_path / "cc\x1b[31m.log"
    log.write_bytes(CC_SMALL.read_bytes().replace(b"[rc=5]", b"[rc=1\rLHFUZZ\x9b]", 1))
    result = subprocess.run(
        [sys.executable, "-m", "leakhunt", "summary", str(log), "--no-cache"],
        capture_output=True,
        timeout=600,
    )
    assert result.returncode == 3
    stderr = result.stderr.decode("utf-8", "surrogateescape")
    assert not _TERMINAL_CONTROLS.search(stderr), stderr
    assert "rc=1\\rLHFUZZ" in stderr


@pytest.mark.parametrize("command", ["summary", "top", "paths"])
def test_markup_and_controls_in_heap_names_stay_inert(tmp_path: Path, command: str) -> None:
    raw = V8_SMALL.read_bytes()
    raw = raw.replace(b'"Leaf"', b'"[/bold]Leaf\\u001b[2J\\u009b[red]"')
    raw = raw.replace(b'"Holder"', b'"Hold\\ud83der[/]"')
    path = tmp_path / "markup.heapsnapshot"
    path.write_bytes(raw)
    extra = ["name:Leaf"] if command == "paths" else []
    result = subprocess.run(
        [sys.executable, "-m", "leakhunt", command, str(path), *extra, "--no-cache"],
        capture_output=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    stdout = result.stdout.decode("utf-8")
    assert not _TERMINAL_CONTROLS.search(stdout)
    assert "[/bold]Leaf\\x1b[2J" in stdout


def test_export_writes_lone_surrogates_as_escapes(tmp_path: Path) -> None:
    path = tmp_path / "surrogate.heapsnapshot"
    path.write_bytes(V8_SMALL.read_bytes().replace(b'"Leaf"', b'"Le\\ud83daf"'))
    out = tmp_path / "nodes.csv"
    result = run("export", str(path), "--no-cache", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "Le\\ud83daf" in out.read_text(encoding="utf-8")


@pytest.mark.skipif(importlib.util.find_spec("pyarrow") is not None, reason="pyarrow installed")
def test_parquet_without_pyarrow_names_the_file(tmp_path: Path) -> None:
    out = tmp_path / "nodes.parquet"
    result = run("export", str(V8_SMALL), "--no-cache", "-o", str(out))
    assert result.returncode == 2
    assert f"leakhunt: error: {out}: Parquet output needs pyarrow" in result.stderr


def test_spidermonkey_non_utf8_bytes_are_shown_escaped(tmp_path: Path) -> None:
    text = SM_SMALL.read_bytes().replace(b"BackstagePass", b"Backstage\xc2\x9b\xffPass", 1)
    path = tmp_path / "bytes.heap"
    path.write_bytes(text)
    result = subprocess.run(
        [sys.executable, "-m", "leakhunt", "top", str(path), "--no-cache"],
        capture_output=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    stdout = result.stdout.decode("utf-8")
    assert not _TERMINAL_CONTROLS.search(stdout)
    assert "Backstage\\u009b\\xffPass" in stdout
