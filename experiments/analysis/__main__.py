"""``python -m labelmarket.experiments.analysis RUN_DIR``."""

import sys

from labelmarket.experiments.analysis.cli import main

if __name__ == "__main__":
    sys.exit(main())
