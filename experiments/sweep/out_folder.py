"""Where a sweep or an analysis may write: the ``--out`` / ``--force`` rule, checked before anything is created.

- A folder that does not exist, or an empty folder, is used.
- An existing sweep folder (recognised by its ``state.json``) is resumed if it holds the same sweep; a different
  sweep there is refused, or replaced with ``--force``.
- ``--force`` replaces only a labelmarket folder whose every entry labelmarket writes itself. Anything else (a
  folder with other files, a file, a device, a symbolic link) is refused with one message and left untouched.

The same rule holds for analysis folders, recognised by their ``analysis.json``.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

from labelmarket.experiments.sweep.spec import SweepError

#: The longest file name most file systems take (bytes).
NAME_MAX_BYTES = 255
SWEEP_IDENTITY_FILE = "state.json"
ANALYSIS_IDENTITY_FILE = "analysis.json"
ANALYSIS_KIND = "labelmarket-analysis"
#: Every entry a sweep folder can hold (temporary files carry ``.tmp-`` and are labelmarket's too).
SWEEP_ENTRIES = frozenset({
    "state.json", "sweep.toml", "design.parquet", "parts", "failures", "results.parquet", "weekly.parquet",
    "vendor_series.parquet", "lab_series.parquet", "manifest.json", "analysis", ".lock",
})
#: Every entry an analysis folder can hold.
ANALYSIS_ENTRIES_SUFFIXES = (".csv", ".md", ".json")
ANALYSIS_SUBFOLDERS = frozenset({"figures"})
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


def check_path(path: Path, source: str, option: str) -> None:
    """Refuse a path the file system cannot hold: a NUL byte, or a name longer than 255 bytes."""
    text = str(path)
    if "\x00" in text:
        raise SweepError(source, option, "the path contains a NUL character")
    for part in path.parts:
        if len(part.encode("utf-8", "surrogateescape")) > NAME_MAX_BYTES - len(".tmp-"):
            raise SweepError(source, option, f"a folder name is longer than {NAME_MAX_BYTES - len('.tmp-')} bytes "
                             f"({part[:24]!r}…)", "choose a shorter name")


def check_parent_writable(path: Path, source: str, option: str) -> None:
    """The nearest existing ancestor of ``path`` must be a folder we may write in (not a file, not read-only)."""
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        if ancestor.is_symlink():
            break
        ancestor = ancestor.parent
    if ancestor.exists() and not ancestor.is_dir():
        raise SweepError(source, option, f"{path} is under {ancestor}, which is a file, not a folder",
                         "choose a folder path")
    if ancestor.is_dir() and not os.access(ancestor, os.W_OK | os.X_OK):
        raise SweepError(source, option, f"cannot write in {ancestor} (permission denied)",
                         "choose a folder you can write to")


def read_identity(folder: Path, identity_file: str) -> dict | None:
    """The folder's identity document if it is a labelmarket folder of that kind, else None."""
    path = folder / identity_file
    if path.is_symlink() or not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def is_sweep_folder(folder: Path) -> bool:
    document = read_identity(folder, SWEEP_IDENTITY_FILE)
    return document is not None and "fingerprint" in document and "identity" in document


def _sweep_being_created(folder: Path) -> bool:
    """A working folder (``.tmp-NAME``) killed before its state.json was written: only an empty store and a lock."""
    if not folder.name.startswith(".tmp-"):
        return False
    entries = {e.name: e for e in os.scandir(folder)}
    if not set(entries) <= {"parts", "failures", ".lock"}:
        return False
    return all(not e.is_dir(follow_symlinks=False) or not any(os.scandir(e.path)) for e in entries.values())


def is_analysis_folder(folder: Path) -> bool:
    """An analysis folder: its ``analysis.json``, or (written before it had one) a ``summary.md`` among files
    of the kinds an analysis writes."""
    document = read_identity(folder, ANALYSIS_IDENTITY_FILE)
    if document is not None:
        return document.get("kind") == ANALYSIS_KIND
    return (folder / "summary.md").is_file() and not foreign_entries(folder, "analysis")


def existing_kind(path: Path) -> str:
    """``missing``, ``empty``, ``sweep``, ``analysis`` or ``foreign`` (anything else, even a symlink to a folder)."""
    if path.is_symlink():
        return "foreign"
    if not path.exists():
        return "missing"
    if not path.is_dir():
        return "foreign"
    try:
        if not any(path.iterdir()):
            return "empty"
    except OSError:
        return "foreign"
    if is_sweep_folder(path) or _sweep_being_created(path):
        return "sweep"
    if is_analysis_folder(path):
        return "analysis"
    return "foreign"


def describe_foreign(path: Path) -> str:
    """Why ``path`` is not labelmarket's, in a few words."""
    if path.is_symlink():
        return f"{path} is a symbolic link"
    if path.exists() and not path.is_dir():
        return f"{path} exists and is a {'file' if path.is_file() else 'device or special file'}, not a folder"
    return f"{path} exists and is not a labelmarket folder"


def foreign_entries(folder: Path, kind: str) -> list[str]:
    """Entries of a labelmarket folder that labelmarket does not write (a user's own files)."""
    strangers = []
    for entry in os.scandir(folder):
        name = entry.name
        if ".tmp-" in name:
            continue
        if kind == "sweep" and name == "analysis" and entry.is_dir(follow_symlinks=False):
            strangers += [f"analysis/{inner}" for inner in foreign_entries(Path(entry.path), "analysis")]
            continue
        if kind == "sweep":
            ours = name in SWEEP_ENTRIES and not entry.is_symlink()
        elif entry.is_dir(follow_symlinks=False):
            ours = name in ANALYSIS_SUBFOLDERS and all(
                f.is_file(follow_symlinks=False) and f.name.endswith(FIGURE_SUFFIXES) for f in os.scandir(entry.path))
        else:
            ours = entry.is_file(follow_symlinks=False) and name.endswith(ANALYSIS_ENTRIES_SUFFIXES)
        if not ours:
            strangers.append(name)
    return sorted(strangers)


def remove_labelmarket_folder(folder: Path, kind: str, source: str, option: str) -> None:
    """Delete a folder labelmarket wrote (``--force``); refuse if it holds anything labelmarket did not write."""
    strangers = foreign_entries(folder, kind)
    if strangers:
        raise SweepError(source, option, f"{folder} holds files labelmarket did not write ({', '.join(strangers[:3])})",
                         "move them away or choose another folder; --force replaces only labelmarket's own files")
    shutil.rmtree(folder)


def unwritable(path: Path, error: OSError, source: str, option: str) -> SweepError:
    """The one-line message for a folder that cannot be created or written."""
    reason = error.strerror or str(error)
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        hint = "choose a folder you can write to"
    elif error.errno in (errno.ENOTDIR, errno.EEXIST):
        hint = "a part of the path is a file, not a folder"
    else:
        hint = ""
    return SweepError(source, option, f"cannot write {path}: {reason}", hint)
