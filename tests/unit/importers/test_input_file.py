"""The decoded-input layer every importer reads through, and the JSON skipper."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from leakhunt.errors import ConfigError, SnapshotFormatError
from leakhunt.importers.common.input_file import open_maybe_gzip, parse_size
from leakhunt.importers.common.json_stream import JsonObjectStream


@pytest.mark.parametrize("packed", [False, True])
def test_lines_match_splitlines_whatever_the_block_size(tmp_path: Path, packed: bool) -> None:
    text = b"".join(b"line %d %s\n" % (i, b"x" * (i * 37 % 300)) for i in range(2000))
    text += b"y" * 5000 + b"\n" + b"no newline at the end"
    path = tmp_path / "lines"
    path.write_bytes(gzip.compress(text) if packed else text)
    stream, _ = open_maybe_gzip(str(path))
    try:
        got = list(stream.lines(block_bytes=97))
    finally:
        stream.close()
    assert got == text.splitlines(keepends=True)


@pytest.mark.parametrize(
    "value",
    [
        [],
        {},
        [[[]], {"a": [1, {"b": "]}"}]}],
        "a \\" + '"quoted\\" ] } string',
        ["escaped backslash \\\\", "[", "{", "}"],
        12345,
        -1.5e10,
        None,
        True,
    ],
)
def test_skipped_members_resume_exactly_after_the_value(tmp_path: Path, value: object) -> None:
    document = json.dumps({"skipped": value, "kept": [1, 2, 3]})
    path = tmp_path / "doc.json"
    path.write_text(document)
    with JsonObjectStream(str(path)) as stream:
        stream.begin_object()
        assert stream.next_key() == "skipped"
        stream.skip_value("skipped")
        assert stream.next_key() == "kept"
        assert stream.read_value("kept") == [1, 2, 3]
        assert stream.next_key() is None


def test_skipping_a_truncated_member_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text('{"skipped": [[1, "a]", {')
    with JsonObjectStream(str(path)) as stream:
        stream.begin_object()
        stream.next_key()
        with pytest.raises(SnapshotFormatError, match="truncated inside"):
            stream.skip_value("skipped")


def test_sizes() -> None:
    assert parse_size("64M") == 64 << 20
    assert parse_size("1 GiB") == 1 << 30
    assert parse_size("0") == 0
    for bad in ("1.5G", "-1", "lots", "12X"):
        with pytest.raises(ConfigError):
            parse_size(bad)
