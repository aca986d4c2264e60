"""What a sweep reports back when it ends: counts, failures, notes, and why it stopped if it did."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class SweepOutcome:
    """What a finished (or interrupted) sweep reports back."""

    run_dir: Path
    runs: int
    ok: int
    failed: int
    computed: int = 0
    seconds: float = 0.0
    failures: list[dict[str, Any]] = field(default_factory=list)
    interrupted: bool = False
    engine_error: str | None = None
    already_complete: bool = False
    notes: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        state = ("interrupted" if self.interrupted else "engine stopped" if self.engine_error
                 else "already complete" if self.already_complete else "done")
        return (f"<SweepOutcome {self.run_dir}: {state}; {self.runs:,} runs, {self.ok:,} ok, {self.failed:,} failed, "
                f"{self.computed:,} computed now>")

    @property
    def complete(self) -> bool:
        return not self.interrupted and self.engine_error is None

    @property
    def exit_code(self) -> int:
        """0: every run succeeded; 1: some failed, or the engine broke; 130: interrupted (re-run to resume)."""
        if self.interrupted:
            return 130
        return 1 if self.failed or self.engine_error else 0
