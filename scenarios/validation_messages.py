"""Pydantic's validation errors, told as one line about the scenario: the field path, the reason, a hint.

The first problem is told (an unknown key before the rest, since a typo also shows up as a missing field) and
the others are counted. An unknown key gets a "did you mean" only for a field declared in that same table,
never the same name again; a field or a table that belongs elsewhere is said to be misplaced; a table given
where a value belongs (or the reverse) is said to be one.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from labelmarket.scenarios.errors import quoted
from labelmarket.scenarios.limits import NAME_MAX_CHARS
from labelmarket.scenarios.names import SHOWN_CHARS
from labelmarket.scenarios.schema import Scenario
from labelmarket.scenarios.schema_paths import (declared_anywhere, declared_fields, model_at, union_kinds,
                                                union_member)

TABLE_EXPECTED = {"dict_type", "model_type", "model_attributes_type"}
VALUE_EXPECTED = {"float_type": "a number", "float_parsing": "a number", "int_type": "a whole number",
                  "int_parsing": "a whole number", "string_type": "a string", "bool_type": "true or false",
                  "bool_parsing": "true or false", "literal_error": "a string"}
HINT_FIELDS_MAX = 15  # list a table's fields in a hint when it has at most this many


def toml_kind(value: Any) -> str:
    """What a TOML value is, in TOML's words."""
    for kind, words in ((bool, "a boolean"), (dict, "a table"), (list, "an array"), (str, "a string"),
                        (int, "an integer"), (float, "a number")):
        if isinstance(value, kind):
            return words
    return "a date or time"


def field_path(loc: Sequence[Any]) -> str:
    """A pydantic location as a dotted scenario path: no event-kind tags, no '[key]', long names cut."""
    parts = []
    for i, part in enumerate(loc):
        if part == "[key]" or (i == 2 and loc[0] == "events" and union_member(model_at(loc[:2]), part)):
            continue
        text = str(part)
        parts.append(text if len(text) <= NAME_MAX_CHARS else text[:SHOWN_CHARS] + "...")
    return ".".join(parts)


def describe(error: ValidationError) -> tuple[str, str, str]:
    """(field path, reason, hint) of the first problem in ``error``."""
    errors = error.errors()
    unknown = [e for e in errors if e["type"] == "extra_forbidden"]
    first = unknown[0] if unknown else errors[0]
    others = [e for e in errors if e is not first]
    hints = []
    if first["type"] == "extra_forbidden":
        reason, hint, meant = _unknown_key(tuple(first["loc"]), first.get("input"))
        hints.append(hint)
        if meant:  # the field the typo meant is then missing too: the same problem, not another one
            others = [e for e in others if not (e["type"] == "missing" and tuple(e["loc"]) == meant)]
    else:
        reason = _reason(first)
    if others:
        hints.append(f"and {len(others)} more problem(s)")
    return field_path(tuple(first["loc"])), reason, "; ".join(h for h in hints if h)


def _reason(error: dict[str, Any]) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind in TABLE_EXPECTED:
        return f"expected a table, got {toml_kind(value)}"
    if kind in VALUE_EXPECTED and isinstance(value, (dict, list)):
        return f"expected {VALUE_EXPECTED[kind]}, got {toml_kind(value)}"
    if kind == "union_tag_not_found":
        return f"an event needs a kind: one of {', '.join(union_kinds(model_at(error['loc'])))}"
    if kind == "union_tag_invalid":
        tag = str(error["ctx"]["tag"])
        shown = quoted(tag if len(tag) <= SHOWN_CHARS else tag[:SHOWN_CHARS] + "...")
        return f"unknown event kind {shown}: one of {', '.join(union_kinds(model_at(error['loc'])))}"
    return error["msg"].removeprefix("Value error, ")


def _unknown_key(loc: tuple[Any, ...], value: Any) -> tuple[str, str, tuple[Any, ...] | None]:
    """Reason, hint and (for a typo) the location of the field meant, for a key the schema does not declare."""
    key = str(loc[-1])
    table = model_at(loc[:-1])
    fields = [f for f in declared_fields(table) if f != key]
    reason = f"unknown key {quoted(key)}"
    close = difflib.get_close_matches(key, fields, n=1)
    if close:
        return reason, f"did you mean {quoted(close[0])}?", (*loc[:-1], close[0])
    where = _table_words(loc[:-1], table)
    if key in Scenario.model_fields and isinstance(value, dict):
        return (f"{reason}: the top-level [{key}] table is inside {where} (a misplaced table header "
                "or dotted key?)"), "", None
    if key in declared_anywhere():
        return f"{reason}: {quoted(key)} is not a field of {where}", _fields_hint(fields), None
    return reason, " ".join(filter(None, ["a typo?", _fields_hint(fields)])), None


def _table_words(loc: Sequence[Any], table: Any) -> str:
    path = field_path(loc)
    if loc and loc[0] == "events" and "kind" in declared_fields(table):
        kind = table.model_fields["kind"].annotation.__args__[0]
        return f"an event of kind {quoted(kind)} ({path})"
    return f"[{path}]" if path else "the top level"


def _fields_hint(fields: list[str]) -> str:
    if not fields or len(fields) > HINT_FIELDS_MAX:
        return ""
    return "its fields: " + ", ".join(fields)
