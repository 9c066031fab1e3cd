"""Starting the kernel compiler: once per process, without importing SciPy, kernels still run."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_start_compiler_skips_the_scipy_probe_and_kernels_run() -> None:
    # A fresh interpreter: the test process may have numba started or SciPy imported already.
    script = textwrap.dedent(
        """
        import sys
        from leakhunt.importers.common.decimal_lists import plain_integers
        from leakhunt.lazy_kernel import start_compiler

        start_compiler()
        start_compiler()  # a second call does nothing
        values = plain_integers(b"5, 6,7")  # a compiled kernel
        print(int(values.sum()), "scipy" in sys.modules, sys.modules.get("scipy", 0))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["18", "False", "0"]
