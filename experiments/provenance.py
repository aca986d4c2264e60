"""How an output was made: the command, the time, the package versions and the git state of the code.

Every manifest labelmarket writes (run, validation, calibration, ablation, robustness and sweep folders)
takes these fields from here, so they read the same everywhere.
"""

from __future__ import annotations

import platform
import shlex
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

#: The packages whose versions decide the numbers (a sweep adds the ones that schedule and sample it).
VERSIONED_PACKAGES = ("labelmarket", "mesa", "numpy", "pandas", "pyarrow", "pydantic")
SWEEP_PACKAGES = ("SALib", "dask", "distributed")
REPO_DIR = Path(__file__).resolve().parent.parent
GIT_TIMEOUT_S = 10


def utc_now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def package_versions(extra: tuple[str, ...] = ()) -> dict[str, str | None]:
    """Python and the versions of :data:`VERSIONED_PACKAGES` and ``extra``; None for one not installed."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in (*VERSIONED_PACKAGES, *extra):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_state(repo: Path = REPO_DIR) -> dict[str, Any]:
    """The commit of the source tree and whether it had uncommitted changes (both None outside git)."""
    unknown = {"commit": None, "dirty": None}
    if shutil.which("git") is None:
        return unknown
    try:
        commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=GIT_TIMEOUT_S, check=True).stdout.strip()
        status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, timeout=GIT_TIMEOUT_S, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return unknown
    return {"commit": commit, "dirty": bool(status.strip())}


def command_line(command: str, argv: list[str] | None = None) -> str:
    """``labelmarket COMMAND ARGS…`` quoted for the shell (``argv`` default: this process's options)."""
    return shlex.join(["labelmarket", command, *(sys.argv[2:] if argv is None else argv)])


def provenance(command: str) -> dict[str, Any]:
    """The fields every multi-run manifest starts with: ``command``, ``created_utc``, ``versions``, ``git``."""
    return {"command": command, "created_utc": utc_now(), "versions": package_versions(), "git": git_state()}
