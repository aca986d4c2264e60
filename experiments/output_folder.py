"""Output folders: where a command may write, how it is written atomically, and what ``--force`` may replace.

A *labelmarket output folder* is a real folder (not a symbolic link) with a ``manifest.json`` that labelmarket
wrote: a JSON object whose ``"labelmarket_output"`` field names the kind (``run``, ``validation``,
``calibration``, ``sweep``, ``analysis``) and whose ``"contents"`` lists every top-level entry of the folder.
The folder is recognised only if it holds nothing else, so a file a user dropped into it is never deleted.
A run folder of an earlier version (a manifest with ``scenario_sha256``, ``seed`` and ``replay`` and nothing
but the six run files) is recognised as a ``run`` too.

The rule for ``--out``: a path that does not exist is used; an existing one is refused unless ``--force`` is
given, and then only an empty folder or a labelmarket folder of the same kind is used (the latter replaced);
anything else (a folder of other files, a labelmarket folder of another kind, a file, a device, a symbolic
link, a path under a file) is refused even with ``--force``. Every refusal raises :class:`OutputFolderError`
before anything is written.

A folder is written in a ``.tmp-`` sibling created with the process umask and renamed into place when
complete; a folder it replaces is moved aside first and removed only once the new one is in place. On any
failure the sibling, and any parent folders created for it, are removed.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from labelmarket.scenarios.errors import LabelmarketError, one_line

MANIFEST_FILE = "manifest.json"
MARKER_FIELD = "labelmarket_output"
CONTENTS_FIELD = "contents"
KINDS = ("run", "validation", "calibration", "sweep", "analysis", "ablation", "robustness")
TMP_PREFIX = ".tmp-"
LEGACY_RUN_KEYS = ("scenario_sha256", "seed", "replay")
LEGACY_RUN_FILES = frozenset({MANIFEST_FILE, "scenario.toml", "market.parquet", "vendors.parquet",
                              "allocations.parquet", "events.parquet"})
NAME_MAX_BYTES = 255  # one path component, on every common file system
PATH_MAX_BYTES = 4095
STAGING_NAME_CHARS = 64  # the output's name as it appears inside a staging sibling's name
MANIFEST_MAX_BYTES = 64 * 1024 * 1024


class OutputFolderError(LabelmarketError):
    """An output folder that cannot be written, or an ``--out`` that must not be touched: names the path."""

    def __init__(self, path: Path | str, reason: str, hint: str = "") -> None:
        self.path = Path(path)
        super().__init__(one_line(str(path)), "", reason, hint)


# ------------------------------------------------------------------------------------------ recognising
def _read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of ``folder`` if it is a regular, reasonably sized JSON object; otherwise None."""
    try:
        info = os.lstat(folder / MANIFEST_FILE)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MANIFEST_MAX_BYTES:
            return None
        document = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def _manifest_kind(manifest: Mapping[str, Any]) -> tuple[str, frozenset[str]] | None:
    """The kind a manifest declares and the entries it says the folder holds; None if it is not ours."""
    kind = manifest.get(MARKER_FIELD)
    if kind in KINDS:
        contents = manifest.get(CONTENTS_FIELD)
        if isinstance(contents, list) and all(isinstance(name, str) for name in contents):
            return kind, frozenset(contents) | {MANIFEST_FILE}
        return None
    if kind is None and all(key in manifest for key in LEGACY_RUN_KEYS):
        return "run", LEGACY_RUN_FILES
    return None


def output_kind(folder: Path | str) -> str | None:
    """The kind of labelmarket output folder ``folder`` is (see the module docstring), or None if it is not one:
    not a real folder, no manifest of ours, or an entry the manifest does not list."""
    folder = Path(folder)
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            return None
        entries = set(os.listdir(folder))
    except OSError:
        return None
    manifest = _read_manifest(folder)
    declared = _manifest_kind(manifest) if manifest is not None else None
    if declared is None or not entries <= declared[1]:
        return None
    return declared[0]


def _foreign_entry(folder: Path) -> str | None:
    """One entry of ``folder`` that its labelmarket manifest does not list (for the message), if any."""
    manifest = _read_manifest(folder)
    declared = _manifest_kind(manifest) if manifest is not None else None
    if declared is None:
        return None
    extra = sorted(set(os.listdir(folder)) - declared[1])
    return extra[0] if extra else None


# -------------------------------------------------------------------------------------------- checking
def _check_name(out: Path, kind: str) -> None:
    text = str(out)
    if "\x00" in text:
        raise OutputFolderError(out, "the path contains a NUL character")
    if out.name in ("", ".", ".."):
        raise OutputFolderError(out, f"the path must end in a name for the {kind} folder", "e.g. --out runs/mine")
    if out.name.startswith(TMP_PREFIX):
        raise OutputFolderError(out, f"a folder name must not start with '{TMP_PREFIX}' (labelmarket's "
                                     "temporary folders do)")
    longest = max(out.parts, key=lambda part: len(os.fsencode(part)))
    if len(os.fsencode(longest)) > NAME_MAX_BYTES:
        raise OutputFolderError(out, f"a name in the path is {len(os.fsencode(longest))} bytes long; file "
                                     f"systems allow at most {NAME_MAX_BYTES}")
    if len(os.fsencode(text)) > PATH_MAX_BYTES:
        raise OutputFolderError(out, f"the path is {len(os.fsencode(text))} bytes long; at most "
                                     f"{PATH_MAX_BYTES} are allowed")


def _check_parent(out: Path) -> None:
    """The nearest existing ancestor of ``out`` must be a folder (a path under a file cannot be created)."""
    here = out.parent
    while True:
        try:
            info = os.stat(here)
        except FileNotFoundError:
            if here.parent == here:
                return
            here = here.parent
            continue
        except OSError as err:
            raise OutputFolderError(out, f"cannot use {one_line(str(here))}: {err.strerror or err}") from None
        if not stat.S_ISDIR(info.st_mode):
            raise OutputFolderError(out, f"{one_line(str(here))} is a file, not a folder")
        return


def _describe(info: os.stat_result) -> str:
    if stat.S_ISLNK(info.st_mode):
        return "a symbolic link"
    if stat.S_ISREG(info.st_mode):
        return "a file"
    return "a device or other special file"


def _existing_target(out: Path, kind: str, force: bool) -> str:
    """What is at ``out`` now: "absent", or with ``force`` "empty" (an empty folder, which is used) or
    "replace" (a labelmarket folder of this kind); anything else raises :class:`OutputFolderError`."""
    try:
        info = os.lstat(out)
    except FileNotFoundError:
        return "absent"
    except OSError as err:
        raise OutputFolderError(out, f"cannot use it: {err.strerror or err}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise OutputFolderError(out, f"already exists and is {_describe(info)}, not a {kind} folder",
                                "labelmarket never replaces it, even with --force; choose another --out")
    try:
        empty = not os.listdir(out)
    except OSError as err:
        raise OutputFolderError(out, f"cannot read the existing folder: {err.strerror or err}") from None
    if empty and not force:
        raise OutputFolderError(out, "already exists (an empty folder)",
                                "choose another --out, or pass --force to write into it")
    if empty:
        return "empty"
    found = output_kind(out)
    if found is None:
        stray = _foreign_entry(out)
        held = f" (it holds {stray!r}, which labelmarket did not write)" if stray else ""
        raise OutputFolderError(out, f"already exists and is not a labelmarket output folder{held}",
                                "labelmarket never replaces it, even with --force; choose another --out")
    if found != kind:
        raise OutputFolderError(out, f"already exists and is a labelmarket {found} folder, not a {kind} folder",
                                "choose another --out")
    if not force:
        raise OutputFolderError(out, f"already exists (a labelmarket {kind} folder)",
                                "choose another --out, or pass --force to replace it")
    return "replace"


def check_out(out: Path | str, kind: str, force: bool = False) -> None:
    """Refuse, before any work is done, an ``out`` that a ``kind`` folder cannot be written to."""
    out = Path(out)
    _check_name(out, kind)
    _check_parent(out)
    _existing_target(out, kind, force)


# --------------------------------------------------------------------------------------------- writing
def _make_parents(parent: Path) -> list[Path]:
    """Create missing parent folders; return the ones created (deepest last) so a failure can undo them."""
    missing: list[Path] = []
    here = parent
    while not os.path.lexists(here):
        missing.append(here)
        if here.parent == here:
            break
        here = here.parent
    created: list[Path] = []
    try:
        for folder in reversed(missing):
            folder.mkdir()
            created.append(folder)
    except OSError:
        _remove_created(created)
        raise
    return created


def _remove_created(created: list[Path]) -> None:
    for folder in reversed(created):
        try:
            folder.rmdir()
        except OSError:
            break


def _sibling(out: Path, label: str) -> Path:
    """A fresh ``.tmp-`` name next to ``out`` (not created)."""
    return out.parent / f"{TMP_PREFIX}{label}{out.name[:STAGING_NAME_CHARS]}-{secrets.token_hex(4)}"


def _make_staging(out: Path) -> Path:
    """Create the staging sibling with the umask's mode (so the renamed folder has it too)."""
    while True:
        staging = _sibling(out, "")
        try:
            staging.mkdir()
            return staging
        except FileExistsError:
            continue


def _move_into_place(staging: Path, out: Path, kind: str, force: bool) -> None:
    """Rename ``staging`` to ``out``, checking the target again (it may have changed during the work)."""
    if _existing_target(out, kind, force) != "replace":
        os.rename(staging, out)  # never replaces a file or a non-empty folder: the OS refuses
        return
    aside = _sibling(out, "old-")
    os.rename(out, aside)
    if output_kind(aside) != kind:  # something was added between the check and the move: put it back
        os.rename(aside, out)
        raise OutputFolderError(out, f"changed while the {kind} was being written, and was left as it is",
                                "choose another --out")
    try:
        os.rename(staging, out)
    except OSError:
        os.rename(aside, out)
        raise
    shutil.rmtree(aside, ignore_errors=True)


@contextmanager
def staged_output_folder(out: Path | str, kind: str, force: bool = False) -> Iterator[Path]:
    """Yield a new, empty ``.tmp-`` sibling of ``out``; when the block ends, rename it to ``out``.

    ``out`` is checked first (:func:`check_out`) and again just before the rename. On any failure, or an
    interruption, the sibling and any parent folders created for it are removed and ``out`` is untouched.
    Problems with the disk raise :class:`OutputFolderError` naming the path and the reason.
    """
    out = Path(out)
    check_out(out, kind, force)
    created: list[Path] = []
    try:
        created = _make_parents(out.parent)
        staging = _make_staging(out)
    except OSError as err:
        _remove_created(created)
        raise OutputFolderError(out, f"cannot create the {kind} folder: {err.strerror or err}") from None
    try:
        yield staging
        _move_into_place(staging, out, kind, force)
    except BaseException as err:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_created(created)
        if isinstance(err, OSError):
            raise OutputFolderError(out, f"cannot write the {kind} folder: {err.strerror or err}") from None
        raise


def write_manifest(folder: Path, kind: str, manifest: Mapping[str, Any]) -> None:
    """Write ``manifest.json`` last, marked as a ``kind`` output and listing everything ``folder`` holds."""
    contents = sorted({*os.listdir(folder), MANIFEST_FILE})
    document = {MARKER_FIELD: kind, **manifest, CONTENTS_FIELD: contents}
    (folder / MANIFEST_FILE).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
