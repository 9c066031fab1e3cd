"""The ``leakhunt`` command line. Errors become exit codes here and nowhere else.

Exit codes:

==  ==========================================================================
0   success
1   a gate failed (leaks or budgets found)
2   usage error: unknown option, bad selector, invalid option value
3   input, configuration or analysis error: unreadable or malformed dump, no match
130 interrupted
141 the reader of standard output went away (``| head``)
==  ==========================================================================
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import select
import sys
from collections.abc import Sequence
from typing import NoReturn

import click

from leakhunt import __version__
from leakhunt.cli.cache import cache
from leakhunt.cli.contexts import contexts, zombies
from leakhunt.cli.cycles import cycles
from leakhunt.cli.diff import diff
from leakhunt.cli.export import export
from leakhunt.cli.gate import gate
from leakhunt.cli.isolates import isolates
from leakhunt.cli.paths import paths
from leakhunt.cli.report import report
from leakhunt.cli.retained_via import retained_via
from leakhunt.cli.show import show
from leakhunt.cli.summary import summary
from leakhunt.cli.suspects import suspects
from leakhunt.cli.top import top
from leakhunt.errors import ConfigError, LeakhuntError, SelectorError
from leakhunt.render.safe_text import visible

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_GATE_FAILED",
    "EXIT_INPUT_ERROR",
    "EXIT_OK",
    "EXIT_USAGE",
    "cli",
    "entry",
    "main",
]

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_USAGE = 2
EXIT_INPUT_ERROR = 3
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
"""The reader of standard output went away (``| head``): 128 + SIGPIPE, as a shell reports a
process that signal ended; never 0 or 1, which would read as a gate's verdict."""

COMMANDS: tuple[click.Command, ...] = (
    summary,
    paths,
    top,
    export,
    show,
    cycles,
    isolates,
    cache,
    contexts,
    zombies,
    retained_via,
    diff,
    suspects,
    gate,
    report,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="leakhunt")
def cli() -> None:
    """Find what keeps JavaScript heaps alive.

    Reads V8 heap snapshots (Chrome, Node), SpiderMonkey GC logs (Firefox, GJS, js shells,
    embedders) and Firefox cycle-collector logs, plain or gzip, recognised by content.

    \b
    Examples:
      leakhunt summary app.heapsnapshot
      leakhunt paths app.heapsnapshot class:Session --max-paths 3
      leakhunt paths gnome-shell.heap 0x7f3a2c0b1040 --dump 0
      leakhunt top app.heapsnapshot
      leakhunt export app.heapsnapshot -o nodes.parquet
      leakhunt show app.heapsnapshot @12345
      leakhunt cache list
      leakhunt contexts app.heapsnapshot
      leakhunt zombies app.heapsnapshot --expect-dead 'vm *Session*'
      leakhunt retained-via app.heapsnapshot --edges 'listener|^_events$'
      leakhunt diff base.heapsnapshot target.heapsnapshot final.heapsnapshot
      leakhunt suspects app.heapsnapshot
      leakhunt gate base.heapsnapshot target.heapsnapshot final.heapsnapshot --format sarif
      leakhunt report app.heapsnapshot -o report.html

    Exit codes: 0 ok, 1 gate failed, 2 usage error, 3 input or analysis error, 130 interrupted,
    141 output pipe closed.
    """


for _command in COMMANDS:
    cli.add_command(_command)


def _fail(message: str, code: int) -> int:
    # Messages quote input (file names, records, heap text): one inert line, always.
    click.echo(f"leakhunt: error: {visible(message)}", err=True)
    return code


def _tolerate_unencodable_output() -> None:
    """Under a non-UTF-8 locale, write what the encoding cannot hold as ``\\uXXXX`` escapes
    instead of failing half-way through a report."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code (never raises for expected failures)."""
    _tolerate_unencodable_output()
    try:
        result = cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        return _fail("interrupted", EXIT_INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE if isinstance(exc, click.UsageError) else int(exc.exit_code)
    except (SelectorError, ConfigError) as exc:
        return _fail(str(exc), EXIT_USAGE)
    except LeakhuntError as exc:
        return _fail(str(exc), EXIT_INPUT_ERROR)
    except MemoryError:
        return _fail("out of memory while reading or analysing the input", EXIT_INPUT_ERROR)
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED)
    except BrokenPipeError:
        return EXIT_BROKEN_PIPE
    except SystemExit as exc:
        # click ends with sys.exit(1) when a write hits a closed pipe, whatever the mode: inside
        # its EPIPE handler up to click 8.4, after it (so without the error as context) from 8.5.
        cause = exc.__context__
        if (isinstance(cause, OSError) and cause.errno == errno.EPIPE) or _output_reader_gone():
            return EXIT_BROKEN_PIPE
        raise
    return int(result) if isinstance(result, int) else EXIT_OK


def _output_reader_gone() -> bool:
    """Whether standard output is a pipe whose reading end has been closed (``| head`` done)."""
    stream = sys.__stdout__
    if stream is None or not hasattr(select, "poll"):
        return False
    try:
        poller = select.poll()
        poller.register(stream.fileno(), select.POLLOUT)
        return any(event & select.POLLERR for _, event in poller.poll(0))
    except (OSError, ValueError):
        return False


def entry() -> NoReturn:
    """The ``leakhunt`` command: :func:`main`, then an exit without interpreter teardown.

    Tearing the interpreter down frees a loaded graph object by object (0.3–0.5 s after a
    200 MB snapshot). Everything a command writes is complete when :func:`main` returns
    (outputs renamed into place, cache sections stored, background workers joined), so the
    process flushes its streams and ends there.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe or stream: nothing more can be delivered.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
