"""Fuzz leakhunt's importers and CLI error paths with deterministic mutations of the fixtures.

Each mutant is a committed fixture changed by one seeded operator (truncation, byte flips,
corrupt or truncated gzip, line deletion and duplication, absurd declared counts, bad
numbers, deep nesting, control characters, invalid UTF-8 and lone surrogates, markup-like
names, huge names, gzip bombs, concatenated formats, old type lists). Every mutant is run
through every command (``summary``, ``paths`` with a selector, ``top``, ``export``) in a
child process with a timeout and an address-space cap, and each run is classified:

ok, error (clean: exit 3, one ``leakhunt: error:`` line naming the file),
traceback, hang, memory (killed, or out of memory), partial (an output or temporary
file left after a failure), control (raw terminal control bytes on stdout/stderr: C0 but
newline and tab, DEL, C1), exit (any other exit code or error shape).

Children are forked from a process that has imported leakhunt once (``--mode fork``, the
default: the import costs 0.4 s a run otherwise) or started as ``python -m leakhunt``
(``--mode exec``). Usage::

    python bench/fuzz.py --per-format 500 --jobs 2 --report bench/fuzz-results.json
    python bench/fuzz.py --per-format 20 --format v8 --keep /tmp/fuzz-failures

Exit status 1 when any run falls in a bad class.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import gzip
import io
import json
import os
import random
import re
import resource
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LEAKHUNT_ROOT = ROOT
"""The checkout whose leakhunt exec mode runs (``--leakhunt``)."""
FIXTURES = ROOT / "fixtures"

BAD_CLASSES = ("traceback", "hang", "memory", "partial", "control", "exit")
CLASSES = ("ok", "error", *BAD_CLASSES)
COMMANDS = ("summary", "paths", "top", "export")

# Raw bytes that act on a terminal: C0 except newline and tab, DEL, and C1 (as UTF-8 or as
# lone bytes, which a latin-1 terminal reads as C1).
_CONTROL_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\udc80-\udc9f]")


@dataclasses.dataclass(frozen=True)
class Base:
    """A committed fixture to mutate."""

    fmt: str
    path: Path
    selector: str
    weight: int


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _first_address(data: bytes, pattern: bytes) -> str:
    found = re.search(pattern, data, re.MULTILINE)
    assert found is not None, pattern
    return found.group(1).decode()


def bases() -> dict[str, list[Base]]:
    """The fixtures each format's mutants start from, with a selector that matches in each."""
    v8 = [
        Base("v8", FIXTURES / "v8/edge_cases/worked_example.heapsnapshot", "class:Leaf", 14),
        Base("v8", FIXTURES / "v8/leak_chain.heapsnapshot.gz", "class:LeakedPayload", 2),
        Base("v8", FIXTURES / "v8/collections.heapsnapshot.gz", "class:WeakMap", 1),
        Base("v8", FIXTURES / "chromium/chromium_page.heapsnapshot.gz", "class:Session", 1),
    ]
    sm_paths = [
        (FIXTURES / "spidermonkey/edge_cases/zones_era.log", 4),
        (FIXTURES / "spidermonkey/edge_cases/pre_zone.log", 3),
        (FIXTURES / "spidermonkey/edge_cases/windows_addresses.log", 3),
        (FIXTURES / "spidermonkey/edge_cases/x_colours.log", 3),
        (FIXTURES / "spidermonkey/edge_cases/bsd_null_0x0.log", 3),
        (FIXTURES / "spidermonkey/gjs_plain_leak.heap.gz", 1),
        (FIXTURES / "spidermonkey/gjs_two_dumps.heap.gz", 1),
        (FIXTURES / "firefox/firefox_page_leak.gc.log.gz", 1),
    ]
    spidermonkey = [
        Base(
            "spidermonkey",
            path,
            "0x" + _first_address(_read(path), rb"^(?:0x)?([0-9a-fA-F]{6,16}) [BGXW] (?!exact)"),
            weight,
        )
        for path, weight in sm_paths
    ]
    cc_paths = [
        (FIXTURES / "spidermonkey/cc/cc_all_forms.log", 16),
        (FIXTURES / "firefox/firefox_page_leak.cc.log.gz", 2),
    ]
    cc = [
        Base("cc", path, _first_address(_read(path), rb"^(0x[0-9a-f]+) \[rc="), weight)
        for path, weight in cc_paths
    ]
    return {"v8": v8, "spidermonkey": spidermonkey, "cc": cc}


# -- mutation operators ---------------------------------------------------------------------

Mutant = tuple[bytes, bool]  # (decompressed content, write gzip-compressed)
Operator = Callable[[random.Random, bytes, str], bytes]


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


def truncate(rng: random.Random, data: bytes, fmt: str) -> bytes:
    return data[: rng.randrange(len(data))]


def flip_bytes(rng: random.Random, data: bytes, fmt: str) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 5, 20))):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def delete_lines(rng: random.Random, data: bytes, fmt: str) -> bytes:
    lines = _lines(data)
    for _ in range(rng.choice((1, 1, 3, 10))):
        if len(lines) > 1:
            del lines[rng.randrange(len(lines))]
    return b"\n".join(lines)


def duplicate_lines(rng: random.Random, data: bytes, fmt: str) -> bytes:
    lines = _lines(data)
    for _ in range(rng.choice((1, 1, 3, 10))):
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    return b"\n".join(lines)


def swap_lines(rng: random.Random, data: bytes, fmt: str) -> bytes:
    lines = _lines(data)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


_HOSTILE_NUMBERS = (
    b"4294967299",
    b"4611686018427387904",
    b"9223372036854775807",
    b"9223372036854775808",
    b"18446744073709551616",
    b"99999999999999999999999999",
    b"-1",
    b"-9223372036854775809",
    b"1e400",
    b"NaN",
    b"0x10",
    b"1.5",
    b"",
    b"9" * 5000,
)


def bad_number(rng: random.Random, data: bytes, fmt: str) -> bytes:
    numbers = list(re.finditer(rb"(?<![0-9a-fA-Fx])[0-9]+(?![0-9a-fA-F])", data))
    for _ in range(rng.choice((1, 1, 2, 4))):
        m = rng.choice(numbers)
        data = data[: m.start()] + rng.choice(_HOSTILE_NUMBERS) + data[m.end() :]
        numbers = list(re.finditer(rb"(?<![0-9a-fA-Fx])[0-9]+(?![0-9a-fA-F])", data))
    return data


def absurd_counts(rng: random.Random, data: bytes, fmt: str) -> bytes:
    value = rng.choice((b"4294967299", b"4611686018427387904", b"10000000", b"0", b"-3", b"1e9"))
    if fmt == "v8":
        key = rng.choice((b'"node_count":', b'"edge_count":'))
        return re.sub(re.escape(key) + rb"[0-9]+", key + value, data, count=1)
    if fmt == "spidermonkey":
        out = re.sub(rb"size=[0-9]+", b"size=" + value, data, count=1)
        return re.sub(rb"SIZE:: [0-9]+", b"SIZE:: " + value, out, count=1)
    out = re.sub(rb"\[rc=[0-9]+\]", b"[rc=" + value + b"]", data, count=1)
    return re.sub(rb"\[known=[0-9]+\]", b"[known=" + value + b"]", out, count=1)


def deep_nesting(rng: random.Random, data: bytes, fmt: str) -> bytes:
    depth = rng.choice((1000, 100_000, 1_000_000))
    nest = b"[" * depth + b"]" * depth
    if fmt == "v8":
        where = rng.choice((b'"strings":', b'"trace_tree":', b'"snapshot":{', b'"nodes":'))
        if where == b'"snapshot":{':
            return data.replace(where, where + b'"deep":' + nest + b",", 1)
        if where == b'"nodes":':
            return data.replace(where, b'"deep":' + nest + b"," + where, 1)
        return data.replace(where, b'"deep":' + nest + b"," + where, 1)
    lines = _lines(data)
    lines.insert(rng.randrange(len(lines)), nest)
    return b"\n".join(lines)


_CONTROLS = (
    b"\x1b[2J\x1b[H",
    b"\x1b]0;pwned\x07",
    b"\x08\x08\x08",
    b"\x00",
    b"\r",
    b"\x7f",
    b"\x9b",
)
_CONTROLS_UTF8 = ("\x1b[31m", "\u009b2J", "\u202e", "\x07", "\r", "\x00")
_MARKUP = ("[/bold]", "[/]", "[red]", "[link=https://evil.example]x[/link]", "[bold", "\\[x]")
_BAD_UTF8 = (b"\xff", b"\xc3", b"\xed\xa0\xbd", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\x80\x80")


def _text_positions(data: bytes, fmt: str) -> list[int]:
    """Positions inside names: V8 string-table entries, SM/CC text after the colour/tag."""
    if fmt == "v8":
        start = data.rfind(b'"strings":') + 10
        return [start + m.start() + 1 for m in re.finditer(rb'"(?:[^"\\\n]|\\.)*"', data[start:])]
    pattern = (
        rb"(?m)^(?:> )?\S+ (?:[BGXW]|\[[^\]]*\]) "
        if fmt != "cc"
        else rb"(?m)^(?:> \S+ |\S+ \[[^\]]*\] )"
    )
    return [m.end() for m in re.finditer(pattern, data)]


def _insert_texts(rng: random.Random, data: bytes, fmt: str, pieces: Sequence[bytes]) -> bytes:
    positions = _text_positions(data, fmt)
    if not positions:
        return data
    chosen = sorted(rng.sample(positions, min(len(positions), rng.choice((1, 3, 30)))))
    out = bytearray(data)
    for pos in reversed(chosen):
        out[pos:pos] = rng.choice(pieces)
    return bytes(out)


def _json_escape(text: str) -> bytes:
    return json.dumps(text)[1:-1].encode()


def control_chars(rng: random.Random, data: bytes, fmt: str) -> bytes:
    if fmt == "v8":
        pieces = [_json_escape(t) for t in _CONTROLS_UTF8] + [c.encode() for c in _CONTROLS_UTF8]
        pieces = [p for p in pieces if b"\r" not in p or p.startswith(b"\\")]
        return _insert_texts(rng, data, fmt, pieces)
    return _insert_texts(rng, data, fmt, [c for c in _CONTROLS if c != b"\r" or fmt == "cc"])


def invalid_text(rng: random.Random, data: bytes, fmt: str) -> bytes:
    pieces = list(_BAD_UTF8)
    if fmt == "v8":
        pieces += [b"\\ud83d", b"\\udfff", b"x\\ud800y", b"\\u0000"]
    return _insert_texts(rng, data, fmt, pieces)


def markup_names(rng: random.Random, data: bytes, fmt: str) -> bytes:
    return _insert_texts(rng, data, fmt, [m.encode() for m in _MARKUP])


def huge_name(rng: random.Random, data: bytes, fmt: str) -> bytes:
    size = rng.choice((5_000, 100_000, 10_000_000))
    text = b"N" * size
    if fmt == "v8":
        # One huge string, then used as the name of every node.
        start = data.rfind(b'"strings":[') + len(b'"strings":[')
        data = data[:start] + b'"' + text + b'",' + data[start:]
        return _shift_v8_names(data)
    return _insert_texts(rng, data, fmt, [text])


def _shift_v8_names(data: bytes) -> bytes:
    """Point every node name at string 0 (the inserted one); shift edge names by one."""
    meta = json.loads(data[data.index(b"{", 1) : data.index(b'"nodes"')].rstrip(b",\n").decode())
    width = len(meta["meta"]["node_fields"])
    name_at = meta["meta"]["node_fields"].index("name")
    start = data.index(b"[", data.index(b'"nodes"')) + 1
    end = data.index(b"]", start)
    values = data[start:end].replace(b"\n", b"").split(b",")
    for i in range(name_at, len(values), width):
        values[i] = b"0"
    nodes = b",".join(values)
    data = data[:start] + nodes + data[end:]
    estart = data.index(b"[", data.index(b'"edges"')) + 1
    eend = data.index(b"]", estart)
    edges = [int(v) for v in data[estart:eend].replace(b"\n", b"").split(b",")]
    types = meta["meta"]["edge_types"][0]
    for i in range(0, len(edges), 3):
        if types[edges[i]] not in ("element", "hidden"):
            edges[i + 1] += 1
    return data[:estart] + b",".join(str(v).encode() for v in edges) + data[eend:]


def old_type_list(rng: random.Random, data: bytes, fmt: str) -> bytes:
    if fmt != "v8":
        return delete_lines(rng, data, fmt)
    start = data.index(b'"node_types":[[') + len(b'"node_types":[[')
    end = data.index(b"]", start)
    names = data[start:end].split(b",")
    keep = rng.randrange(1, len(names))
    return data[:start] + b",".join(names[:keep]) + data[end:]


def concatenated(rng: random.Random, data: bytes, fmt: str) -> bytes:
    others = [_read(b.path) for fmt_bases in bases().values() for b in fmt_bases[:1]]
    other = rng.choice(others)
    return data + other if rng.random() < 0.7 else other + data


def garbage_line(rng: random.Random, data: bytes, fmt: str) -> bytes:
    lines = _lines(data)
    junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 80)))
    lines.insert(rng.randrange(len(lines)), junk)
    return b"\n".join(lines)


OPERATORS: dict[str, Operator] = {
    "truncate": truncate,
    "flip": flip_bytes,
    "delete-lines": delete_lines,
    "duplicate-lines": duplicate_lines,
    "swap-lines": swap_lines,
    "bad-number": bad_number,
    "absurd-counts": absurd_counts,
    "deep-nesting": deep_nesting,
    "control-chars": control_chars,
    "invalid-text": invalid_text,
    "markup": markup_names,
    "huge-name": huge_name,
    "old-types": old_type_list,
    "concatenated": concatenated,
    "garbage-line": garbage_line,
}
"""Operators on decompressed text; the result is written plain or gzip-compressed."""

GZIP_OPERATORS = ("gzip-truncate", "gzip-corrupt", "gzip-bomb")
"""Operators on the compressed bytes themselves."""


def _gzip_truncate(rng: random.Random, data: bytes) -> bytes:
    packed = _gz(data)
    return packed[: rng.randrange(2, len(packed) - 1)]


def _gzip_corrupt(rng: random.Random, data: bytes) -> bytes:
    packed = bytearray(_gz(data))
    start = rng.randrange(10, len(packed) - 8)
    for i in range(start, min(len(packed) - 8, start + rng.choice((1, 4, 40)))):
        packed[i] = rng.randrange(256)
    return bytes(packed)


def _bomb_member(body: bytes, size: int) -> bytes:
    """A gzip member that expands to about ``size`` bytes of repeated ``body``, built cheaply."""
    chunk = body * max(1, (1 << 20) // len(body))
    member = gzip.compress(chunk, compresslevel=9, mtime=0)
    return member * max(1, size // len(chunk))


def _gzip_bomb(rng: random.Random, data: bytes, fmt: str) -> bytes:
    size = rng.choice((200 << 20, 1 << 30, 4 << 30))
    v8_meta = data[: data.index(b'"nodes"')] if fmt == "v8" else b""
    bodies = {
        "v8": [
            (b'{"snapshot":', b" "),
            (v8_meta + b'"nodes":[', b"0,"),
            (v8_meta + b'"nodes":[', b"1234567,"),
            (
                v8_meta.replace(b'"node_count":6', b'"node_count":0') + b'"nodes":[',
                b"0,0,0,0,0,0,0,",
            ),
            (v8_meta + b'"strings":["', b"a"),
            (b"", b"\n"),
        ],
        "spidermonkey": [
            (
                b"# Roots.\n0x10 B root\n==========\n# zone 0x1\n0x10 B Object <o>\n",
                b"> 0x10 B edge\n",
            ),
            (b"", b"# Roots.\n0x10 B r\n==========\n"),
            (b"# Roots.\n", b"x"),
            (b"", b" \n"),
        ],
        "cc": [
            (b"0x10 [rc=1] nsFoo\n", b"> 0x10 mEdge\n"),
            (b"", b"# comment line\n"),
            (b"0x10 [rc=1] ", b"y"),
            (b"", b"\n"),
        ],
    }[fmt]
    head, body = rng.choice(bodies)
    return gzip.compress(head, mtime=0) + _bomb_member(body, size)


@dataclasses.dataclass(frozen=True)
class MutantSpec:
    """One mutant: which base, which operator, which seed."""

    fmt: str
    index: int
    base: Base
    operator: str
    seed: str

    def build(self) -> tuple[bytes, str]:
        """The file content and a file name suffix."""
        rng = random.Random(self.seed)
        data = _read(self.base.path)
        if self.operator == "gzip-truncate":
            return _gzip_truncate(rng, data), ".gz"
        if self.operator == "gzip-corrupt":
            return _gzip_corrupt(rng, data), ".gz"
        if self.operator == "gzip-bomb":
            return _gzip_bomb(rng, data, self.fmt), ".gz"
        mutated = OPERATORS[self.operator](rng, data, self.fmt)
        if rng.random() < 0.3 or len(mutated) > 4 << 20:
            return _gz(mutated), ".gz"
        return mutated, ""


def mutants(fmt: str, count: int, seed: int, *, quick: bool = False) -> Iterator[MutantSpec]:
    """``count`` deterministic mutants of ``fmt``: operators in turn, bases by weight.

    ``quick`` keeps to the small hand-made fixtures and leaves out gzip bombs (the test
    suite's subset).
    """
    choices = bases()[fmt]
    names = [*OPERATORS, *GZIP_OPERATORS]
    if quick:
        names.remove("gzip-bomb")
        choices = [b for b in choices if b.path.stat().st_size < 64 << 10]
    for index in range(count):
        rng = random.Random(f"{seed}:{fmt}:{index}")
        base = rng.choices(choices, weights=[b.weight for b in choices])[0]
        operator = names[index % len(names)]
        if operator in ("huge-name", "gzip-bomb"):
            base = choices[0]  # the small fixture: the size comes from the operator
        if quick and operator == "huge-name":
            operator = "markup"
        yield MutantSpec(fmt, index, base, operator, f"{seed}:{fmt}:{index}:{operator}")


# -- running --------------------------------------------------------------------------------


@dataclasses.dataclass
class Run:
    """One command on one mutant."""

    spec: MutantSpec
    command: str
    argv: list[str]
    workdir: Path
    file: Path
    output: Path | None
    verdict: str = ""
    detail: str = ""
    seconds: float = 0.0
    max_rss_kb: int = 0


def _argv(
    command: str, file: Path, spec: MutantSpec, output: Path, cache: Path | None
) -> list[str]:
    cache_args = ["--cache-dir", str(cache)] if cache else ["--no-cache"]
    if command == "summary":
        return ["summary", str(file), *cache_args]
    if command == "paths":
        return ["paths", str(file), spec.base.selector, "--max-paths", "2", *cache_args]
    if command == "top":
        return ["top", str(file), *cache_args]
    return ["export", str(file), "-o", str(output), *cache_args]


def _child(argv: list[str], mode: str, workdir: Path, memory: int) -> None:
    """In the forked child: limits, redirections, then the command; never returns."""
    try:
        os.setpgid(0, 0)
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        out = os.open(workdir / "stdout", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        err = os.open(workdir / "stderr", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(out, 1)
        os.dup2(err, 2)
        os.chdir(workdir)
        if mode == "exec":
            # This checkout's leakhunt, not whichever one the interpreter has installed.
            path = os.environ.get("PYTHONPATH")
            os.environ["PYTHONPATH"] = str(LEAKHUNT_ROOT) + (os.pathsep + path if path else "")
            os.execv(sys.executable, [sys.executable, "-m", "leakhunt", *argv])
        # Fresh streams on the redirected descriptors, as a new interpreter would have (the
        # parent's may be wrappers, e.g. pytest's capture).
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8")
        sys.stderr = io.TextIOWrapper(
            io.FileIO(2, "w", closefd=False), encoding="utf-8", line_buffering=True
        )
        from leakhunt.cli import main

        code = 1
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            traceback.print_exc()  # what the interpreter prints for an uncaught exception
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    except BaseException:
        traceback.print_exc()
        os._exit(99)


def classify(run: Run, status: int | None, timed_out: bool) -> None:
    """Set ``run.verdict`` from the exit status and the files the run left."""
    stdout = (run.workdir / "stdout").read_bytes()
    stderr = (run.workdir / "stderr").read_bytes()
    text = (stdout + stderr).decode("utf-8", "surrogateescape")
    code = None
    if status is not None:
        code = os.waitstatus_to_exitcode(status)
    leftovers = [p.name for p in run.workdir.glob(".leakhunt-*.tmp")]
    if timed_out:
        run.verdict, run.detail = "hang", "killed after the timeout"
    elif "Traceback (most recent call last)" in text:
        last = [line for line in stderr.decode("utf-8", "replace").splitlines() if line]
        if any("MemoryError" in line for line in last[-1:]):
            run.verdict, run.detail = "memory", last[-1][:200]
        else:
            run.verdict, run.detail = "traceback", (last[-1] if last else "")[:300]
    elif code is not None and code < 0:
        run.verdict, run.detail = "memory", f"killed by signal {-code}"
    elif b"out of memory" in stderr:
        run.verdict, run.detail = "memory", stderr.decode("utf-8", "replace").strip()[:200]
    elif (found := _CONTROL_TEXT.search(text)) is not None:
        where = (
            "stdout"
            if _CONTROL_TEXT.search(stdout.decode("utf-8", "surrogateescape"))
            else "stderr"
        )
        run.verdict, run.detail = "control", f"{where}: {found.group()!r}"
    elif leftovers or (code != 0 and run.output is not None and run.output.exists()):
        run.verdict, run.detail = "partial", ", ".join(leftovers) or str(run.output)
    elif code == 0:
        if b"leakhunt: error" in stderr:
            run.verdict, run.detail = "exit", "exit 0 with an error message"
        elif run.output is not None and not run.output.exists():
            run.verdict, run.detail = "partial", "exit 0 but no output file"
        else:
            run.verdict = "ok"
    elif code == 3:
        lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("leakhunt: error: ")]
        if len(errors) != 1 or not lines or lines[-1] != errors[0]:
            run.verdict, run.detail = "exit", f"exit 3 but stderr is {lines[-3:]!r}"[:300]
        elif str(run.file) not in errors[0] and "matches no node" not in errors[0]:
            run.verdict, run.detail = "exit", f"error does not name the file: {errors[0][:200]}"
        else:
            run.verdict, run.detail = "error", errors[0][len("leakhunt: error: ") :][:200]
    else:
        run.verdict, run.detail = "exit", f"exit {code}: {stderr[-200:]!r}"


def _vm_size() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _warm_up(scratch: Path) -> None:
    """Import and compile everything once in the parent so that children start warm."""
    from leakhunt.cli import main

    saved = os.dup(1), os.dup(2)
    sink = os.open(os.devnull, os.O_WRONLY)
    os.dup2(sink, 1)
    os.dup2(sink, 2)
    try:
        for fmt_bases in bases().values():
            base = fmt_bases[0]
            for command in COMMANDS:
                spec = MutantSpec(base.fmt, -1, base, "none", "warm")
                main(_argv(command, base.path, spec, scratch / "warm.csv", None))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(sink)


def run_all(
    specs: Sequence[MutantSpec],
    *,
    jobs: int,
    timeout: float,
    memory: int,
    mode: str,
    scratch: Path,
    progress: bool,
    keep: Path | None,
) -> list[Run]:
    """Run every command on every mutant, ``jobs`` children at a time."""
    if mode == "fork":
        _warm_up(scratch)
    cap = (_vm_size() if mode == "fork" else 0) + memory
    pending: collections.deque[Run] = collections.deque()
    remaining: dict[int, int] = {}
    spec_dirs: dict[int, Path] = {}
    done: list[Run] = []
    running: dict[int, tuple[Run, float]] = {}
    spec_iter = iter(specs)
    started = time.monotonic()

    def queue_next_spec() -> bool:
        spec = next(spec_iter, None)
        if spec is None:
            return False
        content, suffix = spec.build()
        sdir = scratch / f"{spec.fmt}-{spec.index:05d}"
        sdir.mkdir()
        extension = {"v8": ".heapsnapshot", "spidermonkey": ".heap", "cc": ".cc.log"}[spec.fmt]
        file = sdir / f"mutant{extension}{suffix}"
        file.write_bytes(content)
        cache = sdir / "cache" if spec.index % 5 == 0 else None
        key = id(spec)
        spec_dirs[key] = sdir
        remaining[key] = len(COMMANDS)
        for command in COMMANDS:
            wdir = sdir / command
            wdir.mkdir()
            output = wdir / "nodes.csv" if command == "export" else None
            argv = _argv(command, file, spec, wdir / "nodes.csv", cache)
            pending.append(Run(spec, command, argv, wdir, file, output))
        return True

    def finish(run: Run) -> None:
        done.append(run)
        key = id(run.spec)
        remaining[key] -= 1
        if remaining[key] == 0:
            sdir = spec_dirs.pop(key)
            bad = [r for r in done[-8:] if r.spec is run.spec and r.verdict in BAD_CLASSES]
            if keep is not None and bad:
                shutil.copytree(sdir, keep / sdir.name, dirs_exist_ok=True)
            shutil.rmtree(sdir, ignore_errors=True)
        if progress and len(done) % 50 == 0:
            counts = collections.Counter(r.verdict for r in done)
            rate = len(done) / (time.monotonic() - started)
            print(f"{len(done)} runs, {rate:.1f}/s: {dict(counts)}", file=sys.stderr, flush=True)

    while True:
        while len(running) < jobs:
            if not pending and not queue_next_spec():
                break
            run = pending.popleft()
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                _child(run.argv, mode, run.workdir, cap)
            running[pid] = (run, time.monotonic())
        if not running:
            break
        pid, status, usage = os.wait4(-1, os.WNOHANG)
        if pid == 0:
            now = time.monotonic()
            for child, (run, start) in list(running.items()):
                if now - start > timeout:
                    os.killpg(child, signal.SIGKILL)
                    os.waitpid(child, 0)
                    del running[child]
                    run.seconds = now - start
                    classify(run, None, timed_out=True)
                    finish(run)
            time.sleep(0.005)
            continue
        run, start = running.pop(pid)
        run.seconds = time.monotonic() - start
        run.max_rss_kb = usage.ru_maxrss
        classify(run, status, timed_out=False)
        finish(run)
    return done


def summarize(runs: Sequence[Run]) -> dict[str, object]:
    """Counts per format and class, and every bad run."""
    table: dict[str, dict[str, int]] = {}
    for run in runs:
        row = table.setdefault(run.spec.fmt, dict.fromkeys(CLASSES, 0))
        row[run.verdict] += 1
    mutant_count = collections.Counter(run.spec.fmt for run in runs if run.command == "summary")
    bad = [
        {
            "format": run.spec.fmt,
            "mutant": run.spec.index,
            "operator": run.spec.operator,
            "base": str(run.spec.base.path.relative_to(ROOT)),
            "command": run.command,
            "verdict": run.verdict,
            "detail": run.detail,
        }
        for run in runs
        if run.verdict in BAD_CLASSES
    ]
    return {
        "mutants": dict(mutant_count),
        "runs": table,
        "bad": bad,
        "slowest": [
            f"{r.seconds:.1f} s {r.spec.fmt} #{r.spec.index} {r.spec.operator} {r.command}"
            for r in sorted(runs, key=lambda r: -r.seconds)[:8]
        ],
        "seconds": round(sum(r.seconds for r in runs)),
        "max_rss_mb": round(max((r.max_rss_kb for r in runs), default=0) / 1024),
    }


def markdown(summary: dict[str, object]) -> str:
    """The per-format table for bench/RESULTS.md."""
    runs = summary["runs"]
    assert isinstance(runs, dict)
    mutants = summary["mutants"]
    assert isinstance(mutants, dict)
    out = io.StringIO()
    out.write("| format | mutants | runs | " + " | ".join(CLASSES) + " |\n")
    out.write("|---" * (len(CLASSES) + 3) + "|\n")
    for fmt, row in runs.items():
        total = sum(row.values())
        cells = " | ".join(str(row[c]) for c in CLASSES)
        out.write(f"| {fmt} | {mutants.get(fmt, 0)} | {total} | {cells} |\n")
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-format", type=int, default=500, help="mutants per format")
    parser.add_argument("--format", action="append", choices=("v8", "spidermonkey", "cc"))
    parser.add_argument("--operator", action="append", help="only these operators")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per run")
    parser.add_argument("--memory", default="3G", help="address space a child may add")
    parser.add_argument("--mode", choices=("fork", "exec"), default="fork")
    parser.add_argument(
        "--leakhunt",
        type=Path,
        help="exec mode: run the leakhunt of this checkout instead (to measure another branch)",
    )
    parser.add_argument("--report", type=Path, help="write the JSON summary here")
    parser.add_argument("--keep", type=Path, help="copy the mutants of bad runs here")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.leakhunt:
        global LEAKHUNT_ROOT
        LEAKHUNT_ROOT = args.leakhunt.resolve()
    sys.path.insert(0, str(ROOT))
    from leakhunt.importers.common.input_file import parse_size

    specs = [
        spec
        for fmt in args.format or ("v8", "spidermonkey", "cc")
        for spec in mutants(fmt, args.per_format, args.seed)
        if not args.operator or spec.operator in args.operator
    ]
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    os.environ.pop("FORCE_COLOR", None)
    os.environ["COLUMNS"] = "100"
    with tempfile.TemporaryDirectory(prefix="leakhunt-fuzz-") as scratch:
        runs = run_all(
            specs,
            jobs=args.jobs,
            timeout=args.timeout,
            memory=parse_size(args.memory),
            mode=args.mode,
            scratch=Path(scratch),
            progress=not args.quiet,
            keep=args.keep,
        )
    summary = summarize(runs)
    if args.report:
        args.report.write_text(json.dumps(summary, indent=2) + "\n")
    print(markdown(summary))
    bad = summary["bad"]
    assert isinstance(bad, list)
    print("slowest runs:", *summary["slowest"], sep="\n  ")  # type: ignore[misc]
    for item in bad[:40]:
        print(
            f"{item['verdict']}: {item['format']} #{item['mutant']} {item['operator']} "
            f"({item['base']}) {item['command']}: {item['detail']}"
        )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
