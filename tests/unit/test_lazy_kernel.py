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
        import numpy as np
        from leakhunt.lazy_kernel import lazy_kernel, start_compiler

        def total(values):
            result = 0
            for value in values:
                result += value
            return result

        start_compiler()
        start_compiler()  # a second call does nothing
        kernel = lazy_kernel(total)
        print(int(kernel(np.arange(5))), "scipy" in sys.modules, sys.modules.get("scipy", 0))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["10", "False", "0"]
