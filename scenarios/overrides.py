"""``--set dotted.key=value``: change one field of a resolved scenario document before it is validated.

A path must name an existing entry or a field the schema declares, also one the file leaves at its default
(``vendors.MidCo.price_index``), and a map of names (rivals, contracts, owners) takes a new key
(``labs.Gamma.rivals.Alpha``); the reference checks then decide whether that name exists. An entity table
(labs, vendors, investors, events) takes no new entry: one field cannot make a whole lab.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Mapping
from typing import Any

from labelmarket.scenarios.errors import ScenarioError, listing, quoted
from labelmarket.scenarios.schema import Scenario
from labelmarket.scenarios.schema_paths import ENTITY_TABLES, child_schema, declared_fields
from labelmarket.scenarios.toml_input import check_nesting, parse_value

SET_SOURCE = "--set"


def parse_set_value(text: str, key: str = "") -> Any:
    """A ``--set`` value is a TOML literal (0.3, true, "x", [1, 2]); anything else is taken as a bare string."""
    return parse_value(text, SET_SOURCE, key)


def apply_overrides(doc: dict[str, Any], overrides: Mapping[str, Any], source: str = SET_SOURCE) -> dict[str, Any]:
    """Set dotted paths in a scenario document (a deep copy; ``doc`` is not changed)."""
    doc = copy.deepcopy(doc)
    for dotted, value in overrides.items():
        keys = str(dotted).split(".")
        if not dotted or any(not k for k in keys):
            raise ScenarioError(source, str(dotted), "empty path segment", "use e.g. behaviour.wariness_gain=4.0")
        check_nesting(value, source, str(dotted))
        _set_path(doc, keys, copy.deepcopy(value), source)
    return doc


def _set_path(doc: dict[str, Any], keys: list[str], value: Any, source: str) -> None:
    node: Any = doc
    schema: Any = Scenario
    for depth, key in enumerate(keys):
        here = ".".join(keys[: depth + 1])
        if not isinstance(node, dict):
            raise ScenarioError(source, here, f"'{'.'.join(keys[:depth])}' is a value, not a table")
        declared, child = child_schema(schema, key, node)
        new_entity = depth == 1 and keys[0] in ENTITY_TABLES
        if key not in node and (new_entity or not declared):
            options = sorted(set(node) | set(declared_fields(schema)))
            close = difflib.get_close_matches(key, options, n=1)
            hint = f"did you mean {quoted(close[0])}?" if close else f"known: {listing(options)}"
            raise ScenarioError(source, here, f"unknown key {quoted(key)}", hint)
        if depth == len(keys) - 1:
            node[key] = value
        else:
            node = node.setdefault(key, {})
            schema = child
