"""Hostile and broken input (issue 7, section 1): each case reproduced, each a clean outcome.

Every case starts from a committed fixture or a hand-made variant of one; expected values
come from reading the file with ``json``/``gzip`` here, not from the importer.
"""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

import pytest

from leakhunt.errors import SnapshotFormatError
from leakhunt.importers import (
    ImportOptions,
    load_firefox_cclog,
    load_graph,
    load_spidermonkey_gclog,
    load_v8_heapsnapshot,
    sniff_format,
)
from leakhunt.importers.common.input_file import (
    DEFAULT_FLOOR,
    InputTooLargeError,
    TruncatedInputError,
)
from leakhunt.importers.common.text import MAX_TEXT_CHARS

ROOT = Path(__file__).resolve().parents[3]
V8_SMALL = ROOT / "fixtures/v8/edge_cases/worked_example.heapsnapshot"
V8_REAL = ROOT / "fixtures/v8/leak_chain.heapsnapshot.gz"
CC_SMALL = ROOT / "fixtures/spidermonkey/cc/cc_all_forms.log"
CC_REAL = ROOT / "fixtures/firefox/firefox_page_leak.cc.log.gz"
SM_SMALL = ROOT / "fixtures/spidermonkey/edge_cases/zones_era.log"
SM_REAL = ROOT / "fixtures/spidermonkey/gjs_plain_leak.heap.gz"

LOADERS = {
    "v8": (load_v8_heapsnapshot, V8_SMALL),
    "cc": (load_firefox_cclog, CC_SMALL),
    "spidermonkey": (load_spidermonkey_gclog, SM_SMALL),
}


def _bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _packed(path: Path) -> bytes:
    """A fixture as one gzip stream, with enough text that a cut lands inside the data."""
    return gzip.compress(_bytes(path) * 1, compresslevel=9, mtime=0)


# -- gzip: truncated, corrupt -------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["v8", "cc"])
def test_truncated_gzip_names_the_position_reached(tmp_path: Path, fmt: str) -> None:
    load = LOADERS[fmt][0]
    text = _bytes(V8_REAL if fmt == "v8" else CC_REAL)
    packed = gzip.compress(text, mtime=0)
    path = tmp_path / "cut.gz"
    path.write_bytes(packed[: len(packed) * 3 // 4])
    with pytest.raises(TruncatedInputError) as info:
        load(str(path))
    assert info.value.record == "gzip stream"
    # How far it got: a position inside the decompressed text, neither 0 nor past the end.
    assert 0 < info.value.position < len(text)
    assert f"after {info.value.position:,} decompressed bytes" in str(info.value)


def test_truncated_gzip_spidermonkey_keeps_what_was_read(tmp_path: Path) -> None:
    text = _bytes(SM_REAL)
    packed = gzip.compress(text, mtime=0)
    path = tmp_path / "cut.heap.gz"
    path.write_bytes(packed[: len(packed) * 3 // 4])
    graph = load_spidermonkey_gclog(str(path))
    notes = [p for p in graph.problems if p.startswith("the gzip stream ends early")]
    assert len(notes) == 1 and "decompressed bytes" in notes[0]


def test_gzip_cut_in_its_header_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "tiny.gz"
    path.write_bytes(V8_REAL.read_bytes()[:50])
    with pytest.raises(TruncatedInputError, match="after 0 decompressed bytes"):
        sniff_format(str(path))


@pytest.mark.parametrize("fmt", ["v8", "cc", "spidermonkey"])
def test_corrupt_gzip_is_an_input_error(tmp_path: Path, fmt: str) -> None:
    load, fixture = LOADERS[fmt]
    packed = bytearray(_packed(fixture))
    packed[12:40] = b"\xff" * 28  # inside the deflate stream, after the 10-byte header
    with pytest.raises(zlib.error):
        gzip.decompress(bytes(packed))  # the premise: zlib itself fails on it
    path = tmp_path / "corrupt.gz"
    path.write_bytes(bytes(packed))
    with pytest.raises(SnapshotFormatError, match=r"gzip stream: corrupt data after \d+"):
        load(str(path))


# -- gzip bombs and the input-size limit ---------------------------------------------------


def test_gzip_bomb_stops_at_the_default_expansion_limit(tmp_path: Path) -> None:
    chunk = b" " * (1 << 20)
    member = gzip.compress(chunk, compresslevel=9, mtime=0)
    path = tmp_path / "bomb.heapsnapshot.gz"
    # {"snapshot": followed by 1 GiB of whitespace, in a file of about 1 MB.
    path.write_bytes(gzip.compress(b'{"snapshot":', mtime=0) + member * 1024)
    assert path.stat().st_size < 2 << 20
    with pytest.raises(InputTooLargeError, match="expands more than 50 times") as info:
        load_v8_heapsnapshot(str(path))
    assert "--max-input-size" in str(info.value)


@pytest.mark.parametrize("fmt", ["v8", "cc", "spidermonkey"])
def test_explicit_limit_applies_to_every_importer(tmp_path: Path, fmt: str) -> None:
    _, fixture = LOADERS[fmt]
    path = tmp_path / "dump.gz"
    path.write_bytes(_packed(fixture))
    with pytest.raises(InputTooLargeError, match="the --max-input-size limit"):
        load_graph(str(path), options=ImportOptions(max_input_size=200))
    # 0 lifts every limit; a generous one changes nothing.
    assert load_graph(str(path), options=ImportOptions(max_input_size=0)).node_count > 0
    big = ImportOptions(max_input_size=DEFAULT_FLOOR)
    assert load_graph(str(path), options=big).node_count > 0


def test_explicit_limit_applies_to_plain_files_too() -> None:
    with pytest.raises(InputTooLargeError, match="more than the --max-input-size limit"):
        load_v8_heapsnapshot(str(V8_SMALL), options=ImportOptions(max_input_size=100))


# -- V8: nesting, numbers, counts, types, names ------------------------------------------


def _v8_doc() -> dict[str, object]:
    doc: dict[str, object] = json.loads(V8_SMALL.read_text())
    return doc


def _write_json(tmp_path: Path, text: str, name: str = "x.heapsnapshot") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_deep_nesting_in_a_skipped_section_is_ignored(tmp_path: Path) -> None:
    depth = 200_000
    text = V8_SMALL.read_text().replace(
        '"trace_tree":[]', '"trace_tree":' + "[" * depth + "]" * depth
    )
    graph = load_v8_heapsnapshot(str(_write_json(tmp_path, text)))
    assert graph.node_count == 6


def test_deep_nesting_in_a_read_section_is_an_input_error(tmp_path: Path) -> None:
    depth = 200_000
    text = V8_SMALL.read_text().replace(
        '{"snapshot":{', '{"snapshot":{"deep":' + "[" * depth + "]" * depth + ","
    )
    with pytest.raises(SnapshotFormatError, match="nested too deeply"):
        load_v8_heapsnapshot(str(_write_json(tmp_path, text)))


def test_empty_type_list_is_an_input_error(tmp_path: Path) -> None:
    doc = _v8_doc()
    doc["snapshot"]["meta"]["node_types"] = [[]]  # type: ignore[index]
    with pytest.raises(SnapshotFormatError, match=r"node_types\[0\] has 0 type names"):
        load_v8_heapsnapshot(str(_write_json(tmp_path, json.dumps(doc))))


def test_thousands_of_digits_are_an_input_error(tmp_path: Path) -> None:
    text = V8_SMALL.read_text().replace('"node_count":6', '"node_count":' + "9" * 5000)
    with pytest.raises(SnapshotFormatError, match="snapshot"):
        load_v8_heapsnapshot(str(_write_json(tmp_path, text)))


@pytest.mark.parametrize("count", [2**32 + 3, 2**62])
@pytest.mark.parametrize("packed", [False, True])
def test_absurd_declared_counts_are_refused_before_allocating(
    tmp_path: Path, count: int, packed: bool
) -> None:
    text = V8_SMALL.read_text().replace('"edge_count":7', f'"edge_count":{count}')
    path = _write_json(tmp_path, text)
    if packed:
        path.write_bytes(gzip.compress(text.encode(), mtime=0))
    with pytest.raises(SnapshotFormatError, match=f"declares 6 nodes and {count:,} edges"):
        load_v8_heapsnapshot(str(path))


def test_old_type_list_gives_unknown_types(tmp_path: Path) -> None:
    """A 2017-style snapshot: the type list stops before types its nodes use."""
    doc = json.loads(gzip.decompress(V8_REAL.read_bytes()))
    meta = doc["snapshot"]["meta"]
    types = meta["node_types"][0]
    cut = types.index("symbol")
    meta["node_types"][0] = types[:cut]
    width = len(meta["node_fields"])
    node_type = doc["nodes"][meta["node_fields"].index("type") :: width]
    beyond = sum(1 for t in node_type if t >= cut)
    assert beyond > 0  # the premise: some nodes use the missing types
    graph = load_v8_heapsnapshot(str(_write_json(tmp_path, json.dumps(doc))))
    unknown = graph.type_names.index("unknown")
    assert unknown == cut
    assert int((graph.node_type == unknown).sum()) == beyond
    notes = [p for p in graph.problems if "beyond the" in p]
    assert len(notes) == 1  # one capped warning, however many nodes
    assert f"{beyond:,} node(s)" in notes[0]


def test_huge_names_are_capped(tmp_path: Path) -> None:
    doc = _v8_doc()
    huge = "N" * 1_000_000
    doc["strings"][4] = huge  # type: ignore[index]  # "Leaf": a class name
    graph = load_v8_heapsnapshot(str(_write_json(tmp_path, json.dumps(doc))))
    longest = max(map(len, graph.strings))
    assert MAX_TEXT_CHARS < longest < MAX_TEXT_CHARS + 40
    assert graph.strings[4].startswith("N" * MAX_TEXT_CHARS)
    assert graph.strings[4].endswith(f"…[{1_000_000 - MAX_TEXT_CHARS:,} more characters]")
    assert any("cut to that length" in p for p in graph.problems)


def test_invalid_utf8_in_v8_strings_is_kept_visible(tmp_path: Path) -> None:
    raw = V8_SMALL.read_bytes().replace(b'"Leaf"', b'"Le\xffaf"')
    path = tmp_path / "bad-utf8.heapsnapshot"
    path.write_bytes(raw)
    graph = load_v8_heapsnapshot(str(path))
    assert graph.node_count == 6
    assert "Le\udcffaf" in graph.strings


# -- Firefox CC logs ---------------------------------------------------------------------


def _cc(tmp_path: Path, text: bytes) -> Path:
    path = tmp_path / "cc.log"
    path.write_bytes(text)
    return path


@pytest.mark.parametrize("rc", [str(2**63), str(2**64 + 5), "9" * 5000])
def test_cc_refcount_out_of_range(tmp_path: Path, rc: str) -> None:
    text = CC_SMALL.read_bytes().replace(b"[rc=5]", f"[rc={rc}]".encode(), 1)
    with pytest.raises(SnapshotFormatError, match=r"line 4: (reference count|unknown node tag)"):
        load_firefox_cclog(str(_cc(tmp_path, text)))


def test_cc_error_quotes_control_characters_escaped(tmp_path: Path) -> None:
    text = CC_SMALL.read_bytes().replace(b"[rc=5]", b"[rc=1\rLHFUZZ\x1b[2J]", 1)
    with pytest.raises(SnapshotFormatError) as info:
        load_firefox_cclog(str(_cc(tmp_path, text)))
    message = str(info.value)
    assert "\r" not in message and "\x1b" not in message
    assert "rc=1\\rLHFUZZ\\x1b[2J" in message


def test_cc_descriptions_are_utf8_and_capped(tmp_path: Path) -> None:
    long_url = "https://example.com/" + "é" * 10_000
    text = CC_SMALL.read_bytes().replace(b"https://example.com/", long_url.encode() + b" \xff", 1)
    graph = load_firefox_cclog(str(_cc(tmp_path, text)))
    described = [s for s in graph.strings if "https://example.com/é" in s]
    assert described and all(len(s) < MAX_TEXT_CHARS + 40 for s in described)


# -- SpiderMonkey text -------------------------------------------------------------------


def test_spidermonkey_text_is_utf8_with_bad_bytes_escaped(tmp_path: Path) -> None:
    # js::DumpHeap escapes string contents to ASCII (PutEscapedString) but writes script file
    # names and realm names as their UTF-8 bytes: decode as UTF-8, never as latin-1.
    text = _bytes(SM_SMALL)
    first = text.index(b"\n> ") + 3
    name_at = text.index(b" ", text.index(b" ", first) + 1) + 1
    mutated = text[:name_at] + "café\u009b".encode() + b"\xff" + text[name_at:]
    path = tmp_path / "utf8.heap"
    path.write_bytes(mutated)
    graph = load_spidermonkey_gclog(str(path))
    names = [s for s in graph.strings if s.startswith("café")]
    assert names and names[0].startswith("café\u009b\\xff")
    assert not any("Ã" in s for s in graph.strings)  # no latin-1 mojibake of UTF-8


def test_spidermonkey_long_string_cells_are_capped(tmp_path: Path) -> None:
    text = _bytes(SM_SMALL)
    marker = b"string <length 5> hello"
    at = text.index(marker)
    mutated = text[:at] + b"string <length 200000> " + b"s" * 200_000 + text[at + len(marker) :]
    path = tmp_path / "long.heap"
    path.write_bytes(mutated)
    graph = load_spidermonkey_gclog(str(path))
    assert max(map(len, graph.strings)) < MAX_TEXT_CHARS + 40


def test_spidermonkey_too_many_dumps_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dumps.heap"
    path.write_bytes(b"# Roots.\n0x10 B r\n==========\n" * 10_001)
    with pytest.raises(SnapshotFormatError, match="more than 10,000 dumps"):
        load_spidermonkey_gclog(str(path))


def test_old_type_list_without_closures_keeps_scope_sections_harmless(tmp_path: Path) -> None:
    """Found by the fuzz run: a Chromium snapshot with scope sections whose type list stops
    before ``closure`` must load (no closure can then read a context variable)."""
    chromium = V8_REAL.parents[1] / "chromium" / "chromium_page.heapsnapshot.gz"
    doc = json.loads(gzip.decompress(chromium.read_bytes()))
    assert "scopes" in doc  # the premise: the sections that name closures are there
    meta = doc["snapshot"]["meta"]
    types = meta["node_types"][0]
    meta["node_types"][0] = types[: types.index("closure")]
    graph = load_v8_heapsnapshot(str(_write_json(tmp_path, json.dumps(doc))))
    assert "unknown" in graph.type_names
    assert any("beyond the" in p for p in graph.problems)
