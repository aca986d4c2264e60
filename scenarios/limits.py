"""The bounds on what a scenario may hold, in one place: the schema, the loader and the CLI read them here.

Each bound keeps an input from costing unbounded memory or time, or from turning the arithmetic into
infinities; none is tight enough to constrain a plausible market (docs/decisions.md, D13).
"""

from __future__ import annotations

MAX_WEEKS = 1040              # 20 years of weeks: the longest horizon (and `--weeks`) a run may have
MAX_MUSD = 1e9                # $1 quadrillion ($M): far above any market, far below float overflow
MAX_SWITCHING_COST = 100.0    # value units; a lab's value of a vendor is of order 1-10
NAME_MAX_CHARS = 64           # a lab, vendor, investor, event, segment or scenario name
TEXT_MAX_CHARS = 1000         # meta.description
MAX_NESTING = 16              # tables and arrays inside one another in a file or a --set value (a scenario needs 5)
MAX_EXTENDS = 32              # files in one `extends` chain
MAX_FILE_BYTES = 64 * 2**20   # a scenario file; the largest synthetic market written as TOML is a few MB
