"""``python -m labelmarket.experiments.sweep SWEEP.toml [--workers N] [--scheduler tcp://HOST:PORT] [--out DIR]``."""

import sys

from labelmarket.experiments.sweep.cli import main

if __name__ == "__main__":
    sys.exit(main())
