"""Output folders of the multi-run commands (``ablate``, ``robustness``): one manifest, written whole.

The folder rules are those of every labelmarket output (``labelmarket.experiments.output_folder``, D11): an
existing ``--out`` is refused unless ``--force`` is given *and* it is a labelmarket folder of the same kind;
the folder is written under a ``.tmp-`` sibling and renamed into place when complete.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from labelmarket.experiments.output_folder import check_out, staged_output_folder, write_manifest
from labelmarket.experiments.run_folder import RUNS_DIR, git_revision, package_versions, utc_stamp


def default_folder(kind: str, root: Path = RUNS_DIR) -> Path:
    """``runs/<kind>-<UTC time>``."""
    return root / f"{kind}-{utc_stamp()}"


def check_folder(out: Path, kind: str, force: bool) -> None:
    """Refuse an unusable ``out`` before any work is done (one line naming the path and the fix)."""
    check_out(out, kind, force)


def manifest(command: str, **fields: Any) -> dict[str, Any]:
    """What a reader needs to know about how the folder was made."""
    return {"command": shlex.join(["labelmarket", command, *sys.argv[2:]]),
            "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "versions": package_versions(), "git": git_revision(), **fields}


def write_folder(out: Path, kind: str, force: bool, write: Callable[[Path], None],
                 manifest_fields: dict[str, Any]) -> None:
    """Call ``write(staging)`` to fill a temporary sibling, add the manifest, then rename it to ``out``."""
    with staged_output_folder(out, kind, force) as staging:
        write(staging)
        write_manifest(staging, kind, manifest_fields)
