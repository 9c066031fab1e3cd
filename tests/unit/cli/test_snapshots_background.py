"""``diff`` and ``gate`` reduce the earlier snapshots in a forked process when a core is idle:
the result must not depend on whether they did, and errors must come back intact."""

from __future__ import annotations

import gzip
import json
import os
import sys
from pathlib import Path

import pytest

import leakhunt.background as background
from leakhunt.cli import main
from leakhunt.cli.snapshots import LoadChoice
from leakhunt.errors import SnapshotFormatError
from leakhunt.render.leak_json import diff_document

from helpers.leak_fixtures import stage_path

LEAK = [str(stage_path("leak_cache", s)) for s in ("baseline", "target", "final")]


def _choice(cache_dir: Path | None) -> LoadChoice:
    return LoadChoice(None, None, True, cache_dir is None, str(cache_dir) if cache_dir else None)


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[background.Background[object]]:
    """Every :class:`Background` created during the test, in order."""
    created: list[background.Background[object]] = []
    original = background.Background.__init__

    def spy(self: background.Background[object], *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        created.append(self)

    monkeypatch.setattr(background.Background, "__init__", spy)
    return created


@pytest.mark.parametrize("idle", [True, False], ids=["forked", "in-line"])
def test_diff_is_the_same_whether_or_not_the_earlier_files_fork(
    monkeypatch: pytest.MonkeyPatch, idle: bool, started: list[background.Background[object]]
) -> None:
    monkeypatch.setattr(background, "idle_core", lambda: idle)
    document = diff_document(_choice(None).diff(LEAK))
    monkeypatch.setattr(background, "idle_core", lambda: not idle)
    other = diff_document(_choice(None).diff(LEAK))
    forks = [job.forked for job in started]
    assert forks == [idle, not idle]
    assert document == other
    assert [c["class"] for c in document["clusters"]] == ["CachedResponse"]


def test_a_cached_base_is_read_in_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(background, "idle_core", lambda: True)
    choice = _choice(tmp_path)
    first = diff_document(choice.diff(LEAK))
    assert choice.cached_identity(LEAK[0], 0, with_classes=True)

    def no_fork(*args: object, **kwargs: object) -> None:
        raise AssertionError("a cached identity needs no second process")

    monkeypatch.setattr(background.Background, "__init__", no_fork)
    assert diff_document(choice.diff(LEAK)) == first


def test_an_unreadable_base_fails_with_its_own_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(background, "idle_core", lambda: True)
    truncated = tmp_path / "base.heapsnapshot"
    with gzip.open(LEAK[0], "rb") as stream:
        truncated.write_bytes(stream.read()[:5000])
    with pytest.raises(SnapshotFormatError) as caught:
        _choice(None).diff([str(truncated), LEAK[1], LEAK[2]])
    assert caught.value.path == str(truncated)


def test_gate_is_the_same_whether_or_not_the_earlier_files_fork(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no policy file: the defaults
    outputs = []
    for idle in (True, False):
        monkeypatch.setattr(background, "idle_core", lambda idle=idle: idle)
        code = main(["gate", "-q", "--no-cache", "--format", "json", *LEAK])
        outputs.append((code, json.loads(capsys.readouterr().out)))
    (forked_code, forked), (inline_code, inline) = outputs
    assert forked_code == inline_code == 1
    assert forked == inline
    assert {o["check"] for o in forked["checks"] if o["status"] == "failed"} == {"diff-clusters"}


def test_leakhunt_jobs_1_keeps_everything_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(background.os, "cpu_count", lambda: 8)
    monkeypatch.setattr(background.os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    monkeypatch.setattr(background, "running_tasks", lambda: 1)
    assert background.idle_core()
    monkeypatch.setenv("LEAKHUNT_JOBS", "1")
    assert not background.idle_core()
    assert not background.Background(sum, [1, 2]).forked


def test_a_failing_last_file_ends_the_worker(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, started: list[background.Background[object]]
) -> None:
    monkeypatch.setattr(background, "idle_core", lambda: True)
    broken = tmp_path / "final.heapsnapshot"
    broken.write_bytes(b'{"snapshot": {"meta": ')
    with pytest.raises(SnapshotFormatError):
        _choice(None).diff([LEAK[0], LEAK[1], str(broken)])
    (worker,) = started
    assert worker.forked and worker._process is None  # ended and joined, not orphaned


def test_a_worker_that_dies_without_an_answer_is_replaced_in_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(background, "idle_core", lambda: True)
    job = background.Background(os._exit, 9)  # the worker ends before sending anything
    assert job.forked
    with pytest.raises(SystemExit):
        # In line, the same call: here it would end this process, so it is patched to raise.
        monkeypatch.setattr(job, "_call", lambda: sys.exit(9))
        job.result()


class _OneWayError(Exception):
    """Pickles, but cannot be rebuilt from its pickle (its __init__ takes two arguments)."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first}: {second}")


def _raise_one_way() -> None:
    raise _OneWayError("a", "b")


def test_an_answer_that_does_not_unpickle_is_replaced_in_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(background, "idle_core", lambda: True)
    job = background.Background(_raise_one_way)
    assert job.forked
    with pytest.raises(_OneWayError, match="a: b"):
        job.result()


def _large_answer(count: int) -> tuple[object, list[str]]:
    import numpy as np

    return np.arange(count, dtype=np.int64), [f"native-{i}" for i in range(count // 100)]


def test_a_large_answer_crosses_the_widened_pipe_intact(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    monkeypatch.setattr(background, "idle_core", lambda: True)
    work = background.Background(_large_answer, 3_000_000)  # 24 MB of numbers and 30,000 strings
    assert work.forked
    receiver = work._receiver
    assert receiver is not None
    fcntl = pytest.importorskip("fcntl")
    limit = Path("/proc/sys/fs/pipe-max-size")
    if hasattr(fcntl, "F_GETPIPE_SZ") and limit.exists() and int(limit.read_text()) >= 1 << 20:
        assert fcntl.fcntl(receiver.fileno(), fcntl.F_GETPIPE_SZ) >= 1 << 20
    numbers, texts = work.result()
    assert np.array_equal(numbers, np.arange(3_000_000))  # type: ignore[arg-type]
    assert texts == [f"native-{i}" for i in range(30_000)]
