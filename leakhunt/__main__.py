"""``python -m leakhunt``."""

import sys

from leakhunt.cli import main

sys.exit(main())
