"""Output folders: where a command may write, how it is written atomically, and what ``--force`` may replace.

What counts as a labelmarket output folder, and of which kind, is decided in
:mod:`labelmarket.experiments.output_kinds`: a folder that declares its kind (by its manifest, or for a sweep
or an analysis by its identity file) and holds nothing else, so a file a user dropped into it is never deleted.

The rule for ``--out``: a path that does not exist is used; an existing one is refused unless ``--force`` is
given, and then only an empty folder or a labelmarket folder of the same kind is used (the latter replaced);
anything else (a folder of other files, a labelmarket folder of another kind, a file, a device, a symbolic
link, a path under a file) is refused even with ``--force``. A sweep resumes its own folder instead
(:func:`resumable_target`). Every refusal raises :class:`OutputFolderError` before anything is written.

A folder is written in a ``.tmp-`` sibling created with the process umask and renamed into place when
complete; a folder it replaces is moved aside first and removed only once the new one is in place. On any
failure the sibling, and any parent folders created for it, are removed. (A sweep works in a fixed
``.tmp-NAME`` sibling instead, so that it can be resumed.)
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from labelmarket.experiments.output_kinds import (
    CONTENTS_FIELD,
    MANIFEST_FILE,
    MARKER_FIELD,
    TMP_PREFIX,
    declared_kind,
    foreign_entries,
    output_kind,
)
from labelmarket.scenarios.errors import LabelmarketError, one_line

RUNS_DIR = Path("runs")
NAME_MAX_BYTES = 255  # one path component, on every common file system
PATH_MAX_BYTES = 4095
STAGING_NAME_CHARS = 64  # the output's name as it appears inside a staging sibling's name


class OutputFolderError(LabelmarketError):
    """An output folder that cannot be written, or an ``--out`` that must not be touched: names the path."""

    def __init__(self, path: Path | str, reason: str, hint: str = "") -> None:
        self.path = Path(path)
        super().__init__(one_line(str(path)), "", reason, hint)


# -------------------------------------------------------------------------------------------- naming
def utc_stamp(now: datetime | None = None) -> str:
    """A compact UTC timestamp for folder names, e.g. ``20250613T091500Z``."""
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


def default_folder(kind: str, root: Path = RUNS_DIR) -> Path:
    """``runs/<kind>-<UTC time>``."""
    return root / f"{kind}-{utc_stamp()}"


# -------------------------------------------------------------------------------------------- checking
def _check_name(out: Path, kind: str, resumable: bool) -> None:
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
    allowed = NAME_MAX_BYTES - len(TMP_PREFIX)
    if resumable and len(os.fsencode(out.name)) > allowed:
        raise OutputFolderError(out, f"the folder's name is {len(os.fsencode(out.name))} bytes long; at most "
                                     f"{allowed} are allowed (the {kind} is written in '{TMP_PREFIX}NAME' first)",
                                "choose a shorter name")


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


def _existing_folder(out: Path, kind: str) -> tuple[str, bool] | None:
    """None if nothing is at ``out``; else whether it is an empty folder, and the kind it declares.
    Anything but a real, readable folder raises :class:`OutputFolderError`."""
    try:
        info = os.lstat(out)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise OutputFolderError(out, f"cannot use it: {err.strerror or err}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise OutputFolderError(out, f"already exists and is {_describe(info)}, not a {kind} folder",
                                "labelmarket never replaces it, even with --force; choose another --out")
    try:
        empty = not os.listdir(out)
    except OSError as err:
        raise OutputFolderError(out, f"cannot read the existing folder: {err.strerror or err}") from None
    return ("" if empty else declared_kind(out) or ""), empty


def _not_ours(out: Path, found: str, kind: str) -> OutputFolderError:
    """The refusal of a folder that is not a labelmarket ``kind`` folder (``found`` is the kind it declares)."""
    if found and found != kind:
        return OutputFolderError(out, f"already exists and is a labelmarket {found} folder, not a {kind} folder",
                                 "choose another --out")
    strays = foreign_entries(out) if found else []
    held = f" (it holds {strays[0]!r}, which labelmarket did not write)" if strays else ""
    return OutputFolderError(out, f"already exists and is not a labelmarket output folder{held}",
                             "labelmarket never replaces it, even with --force; choose another --out")


def _existing_target(out: Path, kind: str, force: bool) -> str:
    """What is at ``out`` now: "absent", or with ``force`` "empty" (an empty folder, which is used) or
    "replace" (a labelmarket folder of this kind); anything else raises :class:`OutputFolderError`."""
    existing = _existing_folder(out, kind)
    if existing is None:
        return "absent"
    found, empty = existing
    if empty and not force:
        raise OutputFolderError(out, "already exists (an empty folder)",
                                "choose another --out, or pass --force to write into it")
    if empty:
        return "empty"
    if found != kind or output_kind(out) != kind:
        raise _not_ours(out, found, kind)
    if not force:
        raise OutputFolderError(out, f"already exists (a labelmarket {kind} folder)",
                                "choose another --out, or pass --force to replace it")
    return "replace"


def check_path(out: Path | str, kind: str, resumable: bool = False) -> None:
    """Refuse a path a ``kind`` folder cannot be created at: a bad or over-long name, a path under a file.
    A ``resumable`` folder's name leaves room for the ``.tmp-`` prefix of its working copy."""
    out = Path(out)
    _check_name(out, kind, resumable)
    _check_parent(out)


def check_out(out: Path | str, kind: str, force: bool = False) -> None:
    """Refuse, before any work is done, an ``out`` that a ``kind`` folder cannot be written to."""
    check_path(out, kind)
    _existing_target(Path(out), kind, force)


def resumable_target(out: Path | str, kind: str) -> str:
    """What is at ``out`` for a command that resumes its own folder: "absent", "empty" or "resume" (a folder
    that declares itself of this kind; a user's file in it is kept, and refused only if it is to be replaced).
    Anything else raises :class:`OutputFolderError`."""
    out = Path(out)
    existing = _existing_folder(out, kind)
    if existing is None:
        return "absent"
    found, empty = existing
    if empty:
        return "empty"
    if found != kind:
        raise _not_ours(out, found, kind)
    return "resume"


def remove_output_folder(folder: Path | str, kind: str) -> None:
    """Delete a ``kind`` folder labelmarket wrote (to replace it); refuse one holding anything else."""
    folder = Path(folder)
    strays = foreign_entries(folder)
    if declared_kind(folder) != kind or strays:
        held = f" ({', '.join(strays[:3])})" if strays else ""
        raise OutputFolderError(folder, f"holds files labelmarket did not write{held}",
                                "move them away or choose another --out; --force replaces only labelmarket's "
                                "own files")
    shutil.rmtree(folder)


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


def write_output_folder(out: Path | str, kind: str, force: bool, write: Callable[[Path], None],
                        manifest: Mapping[str, Any]) -> None:
    """Call ``write(staging)`` to fill a staged ``kind`` folder, add the manifest, then rename it to ``out``."""
    with staged_output_folder(out, kind, force) as staging:
        write(staging)
        write_manifest(staging, kind, manifest)
