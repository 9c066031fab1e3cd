"""A dump read by the plain-form kernels is the dump the general reader reads.

The plain path (:mod:`leakhunt.importers.rootdump.plain_form`) must give the same
:class:`RootDump` as ``orjson`` plus the column checks for every document it accepts, and
decline every document it does not read identically, so that the general path's result or
error stands. Checked on every root-dump fixture in several layouts, on random dumps, on the
malformed variants and on random byte mutations; the compiled kernels against their plain
Python twins on the same bytes.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from leakhunt.errors import SnapshotFormatError
from leakhunt.importers.rootdump import plain_json, read_root_dump, reader
from leakhunt.importers.rootdump.plain_form import EDGE_MEMBERS, NATIVE_MEMBERS
from leakhunt.importers.rootdump.reader import RootDump
from tests.helpers.rootdump import ADDON_DUMP, REPO, STANDALONE, malformed_variants, to_columns

QUICKJS = sorted((REPO / "fixtures" / "quickjs").glob("*.rootdump.json.gz"))
FIXTURES = [STANDALONE, ADDON_DUMP, *QUICKJS]
LAYOUTS = {
    "compact": {"separators": (",", ":")},
    "spaced": {},
    "indented": {"indent": 2},
    "tabs": {"indent": "\t"},
}


def _fixture_doc(path: Path) -> Any:
    raw = path.read_bytes()
    return json.loads(gzip.decompress(raw) if path.suffix == ".gz" else raw)


def _assert_same(a: Any, b: Any, where: str = "dump") -> None:
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), where
        for field in dataclasses.fields(a):
            _assert_same(getattr(a, field.name), getattr(b, field.name), f"{where}.{field.name}")
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype, where
        assert np.array_equal(a, b), where
    elif isinstance(a, tuple | list):
        assert type(a) is type(b) and len(a) == len(b), where
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_same(x, y, f"{where}[{index}]")
    else:
        assert type(a) is type(b) and a == b, where


def _read(path: Path, *, plain: bool, lenient: bool = False) -> RootDump | str:
    """The dump or the error, with the plain path allowed for any size or never."""
    threshold = reader.PLAIN_FORM_MIN_BYTES
    reader.PLAIN_FORM_MIN_BYTES = 0 if plain else 1 << 62
    try:
        return read_root_dump(str(path), lenient=lenient)
    except SnapshotFormatError as exc:
        return str(exc)
    finally:
        reader.PLAIN_FORM_MIN_BYTES = threshold


def _assert_both_ways_alike(path: Path, *, lenient: bool = False) -> RootDump | str:
    plain = _read(path, plain=True, lenient=lenient)
    general = _read(path, plain=False, lenient=lenient)
    if isinstance(general, str):
        assert plain == general
    else:
        assert not isinstance(plain, str), plain
        _assert_same(plain, general)
    return general


def _taken(path: Path) -> bool:
    """Whether the plain path reads ``path`` (rather than declining it)."""
    return reader._read_plain(path.read_bytes(), str(path)) is not None


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_fixtures_read_alike_both_ways(
    fixture: Path, layout: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "d.rootdump.json"
    path.write_text(json.dumps(_fixture_doc(fixture), **LAYOUTS[layout]), encoding="utf-8")
    dump = _assert_both_ways_alike(path)
    assert not isinstance(dump, str)
    monkeypatch.setattr(reader, "PLAIN_FORM_MIN_BYTES", 0)
    assert _taken(path), "the fixture is plain: the comparison must not be vacuous"


def _random_dump(rng: np.random.Generator) -> dict[str, Any]:
    """A plain overlay dump using every member the plain path reads."""
    contexts = [{"id": f"ctx{i}", "state": "live"} for i in range(3)]
    isolate = {"id": "main", "snapshot": "s.heapsnapshot", "contexts": contexts}
    natives: list[dict[str, Any]] = []
    for i in range(int(rng.integers(0, 30))):
        native: dict[str, Any] = {"id": f"n{i}", "class": f"C{int(rng.integers(3))}"}
        native["size"] = int(rng.integers(0, 10**12))
        if rng.random() < 0.5:
            native["address"] = f"0x{int(rng.integers(1, 1 << 40)):x}"
        if rng.random() < 0.3:
            native["name"] = f"name {i}"
        if rng.random() < 0.3:
            native["isolate"] = "main"
        if rng.random() < 0.3:
            native["context"] = f"ctx{int(rng.integers(3))}"
        natives.append(native)

    def js() -> dict[str, int]:
        return {"js": int(rng.integers(0, 10**15))}

    def ref() -> dict[str, Any]:
        if natives and rng.random() < 0.5:
            return {"native": str(rng.choice(natives)["id"])}
        return js()

    edges: list[dict[str, Any]] = []
    kinds = ["strong", "weak", "host_options", "ephemeron", "property", "element", "internal"]
    for index in range(int(rng.integers(0, 80))):
        roll = rng.random()
        if natives and roll < 0.2:
            owner = {"native": str(rng.choice(natives)["id"])}
            kind = "strong_global_handle" if rng.random() < 0.5 else "weak_global_handle"
            edge: dict[str, Any] = {"kind": kind, "from": owner, "to": js()}
        elif natives and roll < 0.3:
            edge = {"kind": "weak_callback", "from": js(), "to": {"native": natives[0]["id"]}}
        else:
            edge = {"kind": str(rng.choice(kinds)), "from": ref(), "to": ref()}
        if edge["kind"] == "ephemeron":
            edge["key"] = ref()
        if edge["kind"] == "element":
            edge["name"] = int(rng.integers(0, 50))
        elif rng.random() < 0.7:
            edge["name"] = f"e{int(rng.integers(5))}" if rng.random() < 0.8 else index
        if rng.random() < 0.2:
            edge["isolate"] = "main"
        edges.append(edge)
    doc: dict[str, Any] = {
        "format": "leakhunt-rootdump",
        "version": 1,
        "graph": "overlay",
        "processes": [{"isolate_groups": [{"id": "g", "isolates": [isolate]}]}],
        "natives": natives,
        "edges": edges,
    }
    if natives:
        doc["roots"] = [{"to": {"native": natives[-1]["id"]}, "kind": "embedder"}]
    return doc


@pytest.mark.parametrize("seed", range(20))
def test_random_dumps_read_alike_both_ways(seed: int, tmp_path: Path) -> None:
    rng = np.random.default_rng(seed)
    path = tmp_path / "random.rootdump.json"
    path.write_text(json.dumps(_random_dump(rng)), encoding="utf-8")
    _assert_both_ways_alike(path)


@pytest.mark.parametrize("lenient", [False, True])
def test_malformed_variants_fail_alike_both_ways(lenient: bool, tmp_path: Path) -> None:
    outcomes = set()
    for variant in malformed_variants():
        path = tmp_path / "bad.rootdump.json"
        path.write_text(json.dumps(variant["doc"]), encoding="utf-8")
        outcome = _assert_both_ways_alike(path, lenient=lenient)
        outcomes.add(isinstance(outcome, str))
    assert True in outcomes  # the variants are refused (and with lenient, some are read)


# JSON's structural bytes and a UTF-8 lead byte, DEL and a control byte.
_ALPHABET = [*b'{}[]",:0123456789 -.enulx\\\n', 0xC3, 0x7F, 0x01]
_INSERTS = [
    b'"x_extra":1,',
    b'"id":"dup",',
    b'"name":null,',
    b'"kind":"weak",',
    b'{"js":1},',
    b'"native":"n0",',
    b"\\u0041",
]


def _mutant(rng: np.random.Generator, data: bytes) -> bytes:
    position = int(rng.integers(0, len(data)))
    roll = rng.random()
    if roll < 0.4:
        return data[:position] + bytes([int(rng.choice(_ALPHABET))]) + data[position + 1 :]
    if roll < 0.6:
        return data[:position] + data[position + int(rng.integers(1, 12)) :]
    if roll < 0.8:
        return data[:position] + _INSERTS[int(rng.integers(len(_INSERTS)))] + data[position:]
    length = int(rng.integers(1, 60))
    return data[:position] + data[position : position + length] + data[position:]


@pytest.mark.parametrize("seed", range(4))
def test_byte_mutations_read_alike_both_ways(seed: int, tmp_path: Path) -> None:
    rng = np.random.default_rng(seed)
    sources = [ADDON_DUMP.read_bytes(), json.dumps(_random_dump(rng), indent=1).encode()]
    path = tmp_path / "mutant.rootdump.json"
    for index in range(150):
        path.write_bytes(_mutant(rng, sources[index % 2]))
        _assert_both_ways_alike(path, lenient=index % 3 == 0)


def _kernel_inputs(rng: np.random.Generator) -> list[bytes]:
    docs = [
        json.dumps(_fixture_doc(f), **LAYOUTS[layout]).encode()
        for f in FIXTURES
        for layout in LAYOUTS
    ]
    docs += [_mutant(rng, docs[1]) for _ in range(60)]
    return docs


def test_kernels_equal_their_reference_twins() -> None:
    rng = np.random.default_rng(7)
    read_arrays = 0
    for data in _kernel_inputs(rng):
        buf = np.frombuffer(data, dtype=np.uint8)
        compiled_spans = np.zeros((64, 4), dtype=np.int64)
        reference_spans = np.zeros((64, 4), dtype=np.int64)
        count = plain_json.split_top_level(buf, compiled_spans)
        assert count == plain_json.split_top_level_reference(buf, reference_spans)
        assert np.array_equal(compiled_spans, reference_spans)
        for key_start, key_end, start, end in compiled_spans[: max(count, 0)].tolist():
            members = {b"natives": NATIVE_MEMBERS, b"edges": EDGE_MEMBERS}.get(
                data[key_start:key_end]
            )
            if members is None:
                continue
            names = np.frombuffer("".join(members).encode(), dtype=np.uint8)
            offsets = np.cumsum([0, *map(len, members)]).astype(np.int64)
            for capacity in (2, data.count(b"{", start, end)):
                outputs = [
                    [
                        np.zeros(capacity * len(members), dtype=t)
                        for t in (np.int8, np.int64, np.int64)
                    ]
                    for _ in range(2)
                ]
                counts = [
                    kernel(buf, start, end, names, offsets, *out)
                    for kernel, out in zip(
                        (plain_json._records, plain_json.parse_records_reference),
                        outputs,
                        strict=True,
                    )
                ]
                assert counts[0] == counts[1]
                for compiled, reference in zip(*outputs, strict=True):
                    assert np.array_equal(compiled, reference)
                read_arrays += counts[0] > 2
    assert read_arrays > 10


def test_interning_equals_its_reference_twin() -> None:
    rng = np.random.default_rng(3)
    data = bytes(rng.choice(list(b"abc"), size=4000).astype(np.uint8))
    buf = np.frombuffer(data, dtype=np.uint8)
    starts = rng.integers(0, 3990, size=3000)
    ends = starts + rng.integers(0, 6, size=3000)
    codes, firsts = plain_json.intern_spans(buf, starts, ends)
    reference_codes, reference_firsts = plain_json.intern_spans_reference(buf, starts, ends)
    assert np.array_equal(codes, reference_codes) and np.array_equal(firsts, reference_firsts)
    texts = [data[s:e] for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]
    by_text = {text: code for code, text in enumerate(dict.fromkeys(texts))}
    assert codes.tolist() == [by_text[t] for t in texts]


def test_small_dumps_are_read_the_general_way() -> None:
    """Below the threshold numba is never imported for a dump (its import would cost more)."""
    assert ADDON_DUMP.stat().st_size < reader.PLAIN_FORM_MIN_BYTES
    assert not _taken(ADDON_DUMP)


def test_columnar_dumps_are_left_to_orjson(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A dump in the columnar forms is declined before any kernel runs (orjson reads arrays of
    scalars fast); it still reads as before."""
    path = tmp_path / "columns.rootdump.json"
    path.write_text(json.dumps(to_columns(_fixture_doc(STANDALONE))), encoding="utf-8")
    monkeypatch.setattr(reader, "PLAIN_FORM_MIN_BYTES", 0)
    monkeypatch.setattr(reader, "split_plain_document", _must_not_run)
    assert not _taken(path)
    assert not isinstance(read_root_dump(str(path)), str)


def _must_not_run(data: bytes) -> None:
    raise AssertionError("the plain-form kernels ran on a columnar dump")
