"""``python -m labelmarket`` and the ``labelmarket`` console command (pyproject's entry point).

The command line's modules import numpy, pandas, pydantic and Mesa, and a command that simulates imports numba
(the compiled split's runtime, D74), before its ``main`` runs: about half a second. A KeyboardInterrupt raised
in the middle of those imports prints a long traceback (and, when it passes through a C extension's start-up
code, makes Python kill itself with SIGINT even if it is caught). So while they load, Ctrl-C only takes note;
once they are loaded, the command exits 130 with one line. Later, the command line handles Ctrl-C itself.
"""

from __future__ import annotations

import signal
import sys

EXIT_INTERRUPTED = 130


def main() -> int:
    """Import and run the command line; a Ctrl-C at any point exits 130 without a traceback."""
    interrupted: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, frame: interrupted.append(signum))
    try:
        from labelmarket.experiments.cli import main as cli_main, preload_runtime
        preload_runtime(sys.argv[1:])
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        if interrupted:
            raise KeyboardInterrupt
        return cli_main()
    except KeyboardInterrupt:
        print("labelmarket: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
