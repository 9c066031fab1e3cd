"""The vectorised line readers of the GC-log importer against plain-Python twins."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from leakhunt.importers.spidermonkey import lines
from leakhunt.importers.spidermonkey.lines import (
    Block,
    find_size_suffix,
    intern_slices,
    parse_address,
    parse_addresses,
    split_lines,
    split_string_descriptions,
)


def _block(texts: list[bytes]) -> tuple[Block, np.ndarray, np.ndarray]:
    block = Block(b"".join(t + b"\n" for t in texts))
    starts, ends = split_lines(block.arr)
    return block, starts, ends


def _token(rng: random.Random) -> str:
    style = rng.choice(["glibc", "windows", "bsd", "nil", "zero"])
    value = rng.getrandbits(rng.choice([8, 20, 36, 44, 47, 63]))
    if style == "glibc":
        return f"0x{value:x}"
    if style == "windows":
        return f"{value:016X}"
    if style == "bsd":
        return f"0x{value:X}"
    return "(nil)" if style == "nil" else "0x0"


@pytest.mark.parametrize("seed", range(5))
def test_parse_addresses_matches_parse_address(seed: int) -> None:
    rng = random.Random(seed)
    tokens = [_token(rng) for _ in range(500)]
    block, starts, ends = _block([f"{t} B x".encode() for t in tokens])
    values, token_end, bad = parse_addresses(block, starts, ends)
    assert bad == -1
    assert values.tolist() == [parse_address(t) for t in tokens]
    assert (token_end - starts).tolist() == [len(t) for t in tokens]


@pytest.mark.parametrize(
    ("line", "bad"),
    [
        (b"0xZZ B x", True),
        (b"0x B x", True),
        (b"G x", True),
        (b"0x12345678901234567 B x", True),  # 17 hex digits
        (b"(null) B x", True),
        (b"12 B x", False),
        (b"0xffffffffffff B x", False),
    ],
)
def test_parse_addresses_flags_the_first_bad_row(line: bytes, bad: bool) -> None:
    block, starts, ends = _block([b"0x10 B ok", line, b"0x20 B ok"])
    _, _, first_bad = parse_addresses(block, starts, ends)
    assert first_bad == (1 if bad else -1)


def test_split_lines_drops_carriage_returns_and_keeps_empty_lines() -> None:
    starts, ends = split_lines(Block(b"a\r\n\nbc\n\r\n").arr)
    assert starts.tolist() == [0, 3, 4, 7]
    assert ends.tolist() == [1, 3, 6, 7]


def _texts(rng: random.Random) -> list[bytes]:
    pool = [b"shape", b"**UNKNOWN SLOT 1**", b"", b"x" * 48, b"y" * 49, b"caf\xe9", b"a b  "]
    pool += [bytes(rng.randrange(32, 256) for _ in range(rng.randrange(0, 70))) for _ in range(20)]
    return [rng.choice(pool).replace(b"\n", b"") for _ in range(400)]


@pytest.mark.parametrize("seed", range(5))
def test_interning_by_hash_matches_interning_by_slice(seed: int) -> None:
    texts = _texts(random.Random(seed))
    block, starts, ends = _block(texts)
    hashed: dict[bytes, int] = {}
    plain: dict[bytes, int] = {}
    by_hash = intern_slices(block, starts, ends, hashed)
    by_slice = intern_slices(block, starts, ends, plain, repeated=False)
    assert list(hashed) == list(plain) == list(dict.fromkeys(texts))  # first-appearance order
    assert [list(hashed)[i] for i in by_hash.tolist()] == texts
    assert [list(plain)[i] for i in by_slice.tolist()] == texts


def test_hash_collisions_cost_speed_not_correctness(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lines, "_hash_rows", lambda words, length: np.zeros(length.size, np.uint64))
    texts = [b"shape", b"base", b"shape", b"", b"base"]
    block, starts, ends = _block(texts)
    table: dict[bytes, int] = {}
    ids = intern_slices(block, starts, ends, table)
    assert [list(table)[i] for i in ids.tolist()] == texts


@pytest.mark.parametrize(
    ("text", "description", "size"),
    [
        (b"Function  SIZE:: 192", b"Function ", 192),
        (b"Object <unknown object> SIZE:: 0", b"Object <unknown object>", 0),
        (b"string <atom: length 7> SIZE:: 12", b"string <atom: length 7>", 12),
        (b"string <atom: length 9> SIZE:: 12 SIZE:: 40", b"string <atom: length 9> SIZE:: 12", 40),
        (b"Object <unknown object>", b"Object <unknown object>", -1),
        (b"string <atom: length 8> SIZE:: ", b"string <atom: length 8> SIZE:: ", -1),
        (b"SIZE:: 5", b"SIZE:: 5", -1),
        (b" SIZE:: 5", b"", 5),
    ],
)
def test_size_suffix(text: bytes, description: bytes, size: int) -> None:
    block, starts, ends = _block([b"0x8 B " + text])
    end, found = find_size_suffix(block, starts + 6, ends)
    assert block.data[6 : int(end[0])] == description
    assert found.tolist() == [size]


@pytest.mark.parametrize(
    "description",
    [
        b"string <atom: length 2> hi",
        b"string <rope: length 12>",
        b"substring <dependent: length 3> abc",
        b"string <linear: length 39000 (truncated)> BLOB",
        b"string <atom: length 2>   ",
        b"string hello",
        b"string",
        b"Object <unknown object>",
        b"symbol <null>",
        b"script x.js:3",
    ],
)
def test_string_descriptions_split_like_a_regex(description: bytes) -> None:
    block, starts, ends = _block([description])
    head, text, is_string = split_string_descriptions(block, starts, ends)
    match = re.fullmatch(rb"((?:sub)?string <[^>]*>) ?(.*)", description, re.S)
    assert bool(is_string[0]) == (match is not None)
    if match:
        assert block.data[: int(head[0])] == match.group(1)
        assert block.data[int(text[0]) : int(ends[0])] == match.group(2)
