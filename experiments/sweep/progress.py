"""The progress bar: runs done out of all runs (already-finished runs count from the start), rate and ETA.

The bar appears with the first results, not before: until then the workers are starting (importing Mesa
takes about 2 s each), and a rate measured over that start-up gave first ETAs of a quarter of an hour.
"""

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


class StartsWithResults:
    """A tqdm bar on stderr created at the first result; the runs of that first result count as already done,
    so the rate and ETA measure only running, not starting."""

    def __init__(self, name: str, total: int, done: int) -> None:
        self.name = name
        self.total = total
        self.done = done
        self.bar: Any = None
        self.postfix: dict[str, Any] = {}
        print(f"{name}: {done} of {total} runs done; waiting for the first results…", file=sys.stderr)

    def update(self, n: int = 1) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, initial=self.done + n, desc=self.name, unit="run", file=sys.stderr,
                            dynamic_ncols=True, smoothing=0.05, mininterval=0.5)
            return
        self.bar.update(n)

    def set_postfix(self, **kwargs: Any) -> None:
        if self.bar is not None:
            self.bar.set_postfix(**kwargs)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def open_bar(name: str, *, total: int, done: int, enabled: bool = True) -> Any:
    """A bar on stderr that starts at ``done`` and appears with the first results, or a silent one."""
    if not enabled:
        return _Silent()
    return StartsWithResults(name, total, done)
