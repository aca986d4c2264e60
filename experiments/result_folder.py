"""Output folders of the multi-run commands (``ablate``, ``robustness``): refused if present, written whole.

An existing folder is refused unless ``--force`` is given *and* it is a labelmarket folder (it holds a
``manifest.json``), so ``--force`` can never wipe an unrelated directory. The folder is written under a
``.tmp-`` sibling and renamed into place when complete, so a folder without that prefix is whole.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from labelmarket.experiments.run_folder import (
    MANIFEST_FILE,
    TMP_PREFIX,
    RunFolderError,
    git_revision,
    package_versions,
    utc_stamp,
)


def default_folder(kind: str, root: Path = Path("runs")) -> Path:
    return root / f"{kind}-{utc_stamp()}"


def check_folder(out: Path, force: bool) -> None:
    """Refuse ``out`` before any work is done (RunFolderError names the path and the fix)."""
    if out.name.startswith(TMP_PREFIX):
        raise RunFolderError(out, f"an output folder name must not start with '{TMP_PREFIX}'")
    if not (out.exists() or out.is_symlink()):
        return
    if not force:
        raise RunFolderError(out, "already exists", "choose another --out, or pass --force to replace it")
    if out.is_symlink() or not out.is_dir() or not (out / MANIFEST_FILE).is_file():
        raise RunFolderError(out, f"exists and is not a labelmarket folder (no {MANIFEST_FILE})",
                             "refusing to replace it, even with --force")


def manifest(command: str, **fields: Any) -> dict[str, Any]:
    return {"command": command, "argv": sys.argv[1:], "created_utc": datetime.now(UTC).isoformat(),
            "versions": package_versions(), "git": git_revision(), **fields}


def write_folder(out: Path, force: bool, write: Callable[[Path], None], manifest_fields: dict[str, Any]) -> None:
    """Call ``write(tmp)`` to fill a temporary sibling, add the manifest, then rename it to ``out``."""
    check_folder(out, force)
    tmp = out.with_name(f"{TMP_PREFIX}{out.name}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        write(tmp)
        (tmp / MANIFEST_FILE).write_text(json.dumps(manifest_fields, indent=2, default=str), encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise RunFolderError(out, f"cannot write: {err.strerror or err}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
