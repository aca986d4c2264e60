"""How much memory a run needs, estimated from the market's size before anything is allocated.

A run holds its labs x vendors arrays (the state and the temporaries of a week's rules), the recorded
labs x vendors blocks of the allocations frame, and one row per vendor and week. The constants were measured
on synthetic markets (peak RSS above the interpreter's, Python 3.12, numpy 2; docs/decisions.md, D14) and
rounded up, so the estimate errs on the large side. The limit is a share of this machine's physical memory.
The command line checks a run against it (``--synthetic`` before the market is even generated), and a sweep
can check each point the same way.
"""

from __future__ import annotations

import os

from labelmarket.scenarios.errors import ScenarioError
from labelmarket.scenarios.schema import Scenario

LAB_VENDOR_ARRAYS = 24       # float64 labs x vendors arrays alive at a run's peak (measured 16-20)
ALLOCATION_ROW_BYTES = 200   # per recorded (week, lab, vendor) row: the blocks, then the frame (measured 150-180)
VENDOR_ROW_BYTES = 300       # per (week, vendor) row of the vendors frame (measured about 250)
BASE_BYTES = 384 * 2**20     # the interpreter, numpy, pandas, Mesa, numba and its compiler (measured about 300 MB)
MEMORY_SHARE = 0.5           # a run may use at most this share of the machine's physical memory
FALLBACK_MEMORY_BYTES = 4 * 2**30  # assumed physical memory where the system does not say


def run_memory_bytes(labs: int, vendors: int, weeks: int, allocations_every_weeks: int | None) -> int:
    """Estimated peak memory of a run of ``weeks`` weeks; ``allocations_every_weeks`` None: no allocations."""
    cells = labs * vendors
    recorded_weeks = 0 if allocations_every_weeks is None else weeks // allocations_every_weeks + 1
    return (BASE_BYTES + cells * 8 * LAB_VENDOR_ARRAYS + cells * recorded_weeks * ALLOCATION_ROW_BYTES
            + vendors * (weeks + 1) * VENDOR_ROW_BYTES)


def scenario_memory_bytes(scenario: Scenario, weeks: int | None = None) -> int:
    """Estimated peak memory of a run of ``scenario`` (to its horizon, or ``weeks``)."""
    record = scenario.record
    vendors = len(scenario.vendors) + sum(e.kind == "entry" for e in scenario.events.values())
    return run_memory_bytes(len(scenario.labs), vendors, weeks or scenario.meta.horizon_weeks,
                            record.allocations_every_weeks if record.allocations else None)


def physical_memory_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return FALLBACK_MEMORY_BYTES


def memory_limit_bytes() -> int:
    """The most memory one run may need: MEMORY_SHARE of the machine's physical memory."""
    return int(physical_memory_bytes() * MEMORY_SHARE)


def human_bytes(n: float) -> str:
    """``1536`` -> ``1.5 KB``; binary units up to exabytes."""
    units = ("bytes", "KB", "MB", "GB", "TB", "PB", "EB")
    k = 0
    while n >= 1024 and k < len(units) - 1:
        n, k = n / 1024, k + 1
    return f"{n:,.0f} bytes" if k == 0 else f"{n:,.1f} {units[k]}"


def check_fits(need_bytes: int, source: str, what: str) -> None:
    """Refuse, naming the estimate and the limit, a run that would need more memory than the limit."""
    limit = memory_limit_bytes()
    if need_bytes > limit:
        raise ScenarioError(source, "", f"{what} would need about {human_bytes(need_bytes)} of memory, more than "
                            f"the limit of {human_bytes(limit)} ({MEMORY_SHARE:.0%} of this machine's "
                            f"{human_bytes(physical_memory_bytes())})", "make the market smaller or run fewer weeks")
