"""Run several scenarios over the same seeds (common random numbers) on all cores, returning digests.

Workers are spawned processes (never forked: reproducible on every platform and Python version); each task
is a small batch of (scenario, seed) pairs, and results come back in submission order, so the ensemble is
identical whether it runs on one core or many.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from labelmarket.experiments.digest import RunDigest, digest_run
from labelmarket.experiments.worker_pool import spawn_process_pool

BATCH_RUNS = 4  # runs per task: each run takes ~0.1 s, so batching keeps scheduling overhead small


def _run_batch(batch: list[tuple[str, int, dict[str, Any] | None]]) -> list[RunDigest]:
    return [digest_run(name, seed, overrides) for name, seed, overrides in batch]


def run_ensemble(scenarios: Iterable[str], seeds: Iterable[int], overrides: Mapping[str, Any] | None = None,
                 workers: int | None = None) -> dict[str, list[RunDigest]]:
    """Digests for every scenario x seed; ``overrides`` (dotted paths) apply to every scenario."""
    names, seed_list = list(scenarios), list(seeds)
    jobs = [(name, seed, dict(overrides) if overrides else None) for name in names for seed in seed_list]
    batches = [jobs[i:i + BATCH_RUNS] for i in range(0, len(jobs), BATCH_RUNS)]
    workers = workers or os.cpu_count() or 1
    if workers <= 1:
        results = [d for batch in batches for d in _run_batch(batch)]
    else:
        with spawn_process_pool(workers) as pool:
            results = [d for part in pool.map(_run_batch, batches) for d in part]
    by_name: dict[str, list[RunDigest]] = {name: [] for name in names}
    for (name, _, _), digest in zip(jobs, results, strict=True):
        by_name[name].append(digest)
    return by_name
