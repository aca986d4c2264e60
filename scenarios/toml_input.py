"""Reading TOML that a user wrote: bounded in size and nesting, UTF-8 checked, every failure one message.

A scenario file, an ``extends`` parent and a ``--set`` value all come through here, so bad bytes, a huge file
or ``[[[[...`` nested thousands deep become one :class:`ScenarioError` naming the file and the place, never a
``UnicodeDecodeError`` or a ``RecursionError``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from labelmarket.scenarios.errors import ScenarioError
from labelmarket.scenarios.limits import MAX_FILE_BYTES, MAX_NESTING


def read_toml(path: Path) -> dict[str, Any]:
    """The document in the TOML file at ``path``."""
    data = _read_bytes(path)
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark, as some editors write, is fine
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ScenarioError(str(path), "", f"not valid UTF-8 at byte {err.start} (line {line}, "
                            f"byte 0x{data[err.start]:02x})", "save the file as UTF-8") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        reason = str(err)
        if "Cannot declare" in reason or "Cannot overwrite" in reason:
            reason = f"duplicate name or key: {reason}"
        raise ScenarioError(str(path), "", f"malformed TOML: {reason}") from None
    except RecursionError:
        raise ScenarioError(str(path), "", _too_deep()) from None
    check_nesting(doc, str(path))
    return doc


def _read_bytes(path: Path) -> bytes:
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise ScenarioError(str(path), "", f"cannot read file: {err.strerror or err}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(str(path), "", f"file larger than {MAX_FILE_BYTES // 2**20} MB")
    return data


def parse_value(text: str, source: str, field: str) -> Any:
    """A TOML literal (0.3, true, "x", [1, 2], {a = 1}); text that is not one is returned as a bare string."""
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text
    except RecursionError:
        raise ScenarioError(source, field, _too_deep()) from None
    check_nesting(value, source, field)
    return value


def check_nesting(value: Any, source: str, field: str = "") -> None:
    """Refuse tables and arrays nested more than MAX_NESTING deep (walked without recursion)."""
    pending: list[tuple[Any, int, str]] = [(value, 0, field)]
    while pending:
        node, depth, where = pending.pop()
        if depth > MAX_NESTING:
            raise ScenarioError(source, where, _too_deep())
        if isinstance(node, dict):
            pending.extend((child, depth + 1, f"{where}.{key}" if where else str(key))
                           for key, child in node.items())
        elif isinstance(node, list):
            pending.extend((child, depth + 1, where) for child in node)


def _too_deep() -> str:
    return f"tables or arrays nested more than {MAX_NESTING} deep (a scenario needs at most 5)"
