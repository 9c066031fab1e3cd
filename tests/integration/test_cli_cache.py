"""``leakhunt cache``: where the cache is, what it holds, clearing it; large writes are noted."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from leakhunt.cache.store import IndexCache
from leakhunt.cli import main
from leakhunt.cli import params as cli_params

from conftest import v8_fixture
from helpers.cli import run


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("LEAKHUNT_CACHE_DIR", str(directory))
    return directory


def _entry_sizes(directory: Path) -> dict[str, int]:
    """Bytes per entry directory, summed independently of leakhunt."""
    sizes: dict[str, int] = {}
    for entry in directory.iterdir():
        total = 0
        for root, _dirs, files in os.walk(entry):
            total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
        sizes[entry.name] = total
    return sizes


def test_list_and_clear(cache_dir: Path) -> None:
    first, second = v8_fixture("leak_chain"), v8_fixture("closures")
    for fixture in (first, second):
        assert run("top", str(fixture), "--top", "1", "--classes", "0", "-q").returncode == 0
    assert run("cache", "path").stdout.strip() == str(cache_dir)
    doc = json.loads(run("cache", "list", "--format", "json").stdout)
    assert doc["schema"] == "leakhunt/cache/1" and doc["directory"] == str(cache_dir)
    inputs = {e["input"] for e in doc["entries"]}
    assert inputs == {str(first.resolve()), str(second.resolve())}
    truth = _entry_sizes(cache_dir)
    assert {Path(e["directory"]).name: e["size"] for e in doc["entries"]} == truth
    assert doc["total_size"] == sum(truth.values())
    text = run("cache", "list").stdout
    assert str(first.resolve()) in text and "2 entries" in text

    cleared = run("cache", "clear", str(first))
    assert cleared.returncode == 0 and cleared.stdout.startswith("removed 1 entry")
    left = json.loads(run("cache", "list", "--format", "json").stdout)["entries"]
    assert [e["input"] for e in left] == [str(second.resolve())]
    assert run("cache", "clear").stdout.startswith("removed 1 entry")
    assert json.loads(run("cache", "list", "--format", "json").stdout)["entries"] == []


def test_clear_never_touches_what_leakhunt_did_not_write(tmp_path: Path) -> None:
    home_like = tmp_path / "home"
    (home_like / "Documents").mkdir(parents=True)
    (home_like / "0123456789abcdef0123").write_text("a file named like an entry")
    cache = IndexCache(home_like)
    assert cache.entries() == [] and cache.clear() == (0, 0)
    assert (home_like / "Documents").is_dir() and (home_like / "0123456789abcdef0123").exists()


def test_a_large_cache_write_says_where_and_how_much(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli_params, "CACHE_NOTE_BYTES", 1)
    assert main(["summary", str(v8_fixture("leak_chain")), "--format", "json"]) == 0
    err = capsys.readouterr().err
    (entry,) = cache_dir.iterdir()
    assert f"stored {_entry_sizes(cache_dir)[entry.name] / (1 << 20):,.0f} MiB" in err
    assert f"in the index cache at {entry}" in err
    # Served from the cache the second time: nothing stored, nothing said.
    assert main(["summary", str(v8_fixture("leak_chain")), "--format", "json"]) == 0
    assert "index cache" not in capsys.readouterr().err
    # -q keeps quiet.
    monkeypatch.setattr(cli_params, "CACHE_NOTE_BYTES", 1)
    assert main(["top", str(v8_fixture("leak_chain")), "-q", "--format", "json"]) == 0
    assert "index cache" not in capsys.readouterr().err
