"""The ``specbuild`` command's entry point (and ``python -m specbuild``'s).

It imports the program (``cli.app``: typer, rich, the learner, a sixth of a second) itself, beside a
package that loads nothing heavy, so a Ctrl-C in that time ends as any stop before a write does (a line,
exit 130), not with a traceback through the import machinery.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

INTERRUPTED_EXIT = 130  # 128 + SIGINT, as cli.app exits on Ctrl-C


def run() -> NoReturn:
    """The program: ``specbuild.cli.app.run``, once it is loaded."""
    try:
        from specbuild.cli.app import run as program
    except KeyboardInterrupt:  # before any command started: nothing was read, nothing written
        print("Interrupted: nothing was written.", file=sys.stderr)
        sys.stderr.flush()
        os._exit(INTERRUPTED_EXIT)
    program()
