"""The number-array kernel: compiled against its plain twin, and both against numpy's parser,
on plain and on irregular text (which must be left to the general parser, never misread)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from leakhunt.importers.common.decimal_lists import (
    MAX_DIGITS,
    parse_decimal_list,
    parse_decimal_list_reference,
)

SPACE = st.sampled_from(["", " ", "\n", "\r\n", "\t", "  "])


@st.composite
def plain_lists(draw: st.DrawFn) -> tuple[bytes, list[int]]:
    values = draw(st.lists(st.integers(0, 10**MAX_DIGITS - 1), min_size=1, max_size=40))
    zeros = draw(st.lists(st.integers(0, 2), min_size=len(values), max_size=len(values)))
    parts = [
        draw(SPACE) + "0" * pad + str(value) + draw(SPACE)
        for value, pad in zip(values, zeros, strict=True)
        if len("0" * pad + str(value)) <= MAX_DIGITS
    ]
    kept = [
        v for v, pad in zip(values, zeros, strict=True) if len("0" * pad + str(v)) <= MAX_DIGITS
    ]
    return ",".join(parts).encode(), kept


def _both(text: bytes) -> tuple[int, list[int]]:
    size = text.count(b",") + 1
    compiled, reference = np.empty(size, np.int64), np.empty(size, np.int64)
    buffer = np.frombuffer(text, dtype=np.uint8)
    count = parse_decimal_list(buffer, compiled)
    assert parse_decimal_list_reference(buffer, reference) == count
    if count >= 0:
        assert compiled[:count].tolist() == reference[:count].tolist()
    return count, compiled[: max(count, 0)].tolist()


@settings(max_examples=300, deadline=None)
@given(plain_lists())
def test_plain_text_parses_like_numpy(case: tuple[bytes, list[int]]) -> None:
    text, values = case
    if not values:
        return
    count, parsed = _both(text)
    assert count == len(values) and parsed == values
    assert parsed == np.fromstring(text, dtype=np.int64, sep=",").tolist()


@settings(max_examples=500, deadline=None)
@given(
    st.binary(max_size=60)
    | st.text(alphabet="0123456789, \n\t-+.eE[]x", max_size=60).map(str.encode)
)
def test_anything_else_is_either_read_exactly_or_left_alone(text: bytes) -> None:
    count, parsed = _both(text)
    if count < 0:
        return  # irregular: the general parser decides
    assert count == text.count(b",") + 1
    assert parsed == np.fromstring(text, dtype=np.int64, sep=",").tolist()
    assert all(0 <= v < 2**62 for v in parsed)


def test_long_values_and_separators_are_left_to_the_general_parser() -> None:
    for text in (b"", b"1" * (MAX_DIGITS + 1), b"1,", b",1", b"1,,2", b"1 2", b" ", b"+1", b"1e3"):
        assert _both(text)[0] == -1, text
