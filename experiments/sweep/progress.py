"""The progress bar: runs done out of all runs (already-finished runs count from the start), rate and ETA."""

from __future__ import annotations

import sys
from typing import Any


class _Silent:
    def update(self, n: int = 1) -> None:
        pass

    def set_postfix(self, **kwargs: Any) -> None:
        pass

    def close(self) -> None:
        pass


def open_bar(name: str, *, total: int, done: int, enabled: bool = True) -> Any:
    """A tqdm bar on stderr that starts at ``done`` (so the ETA counts only what is left), or a silent one."""
    if not enabled:
        return _Silent()
    from tqdm import tqdm

    return tqdm(
        total=total,
        initial=done,
        desc=name,
        unit="run",
        file=sys.stderr,
        dynamic_ncols=True,
        smoothing=0.05,
        mininterval=0.5,
    )
