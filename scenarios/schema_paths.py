"""Finding one's way through the schema by a dotted path: which fields a table declares, and what it holds.

``--set`` uses it to accept any declared field, also one a file leaves at its default, and a new key in a map
of names (rivals, contracts, owners); the loader uses it to say what is wrong with an unknown key: a typo of a
field declared right there, or a field (or a whole table) that belongs somewhere else.
"""

from __future__ import annotations

import types
from collections.abc import Sequence
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from labelmarket.scenarios.schema import Scenario

# The scenario's entity tables: an entry there is a whole lab, vendor, investor or event, so `--set` may
# change one but not conjure a new one from a single field.
ENTITY_TABLES = ("labs", "vendors", "investors", "events")


def core_type(annotation: Any) -> Any:
    """The type under ``Annotated[...]`` and an optional ``X | None``."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
            continue
        if get_origin(annotation) in (Union, types.UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            if len(members) == 1:
                annotation = members[0]
                continue
        return annotation


def is_model(schema: Any) -> bool:
    return isinstance(schema, type) and issubclass(schema, BaseModel)


def is_map(schema: Any) -> bool:
    return get_origin(schema) is dict


def union_member(schema: Any, kind: Any) -> type[BaseModel] | None:
    """The member of a tagged union of models (the events) whose ``kind`` is ``kind``."""
    if get_origin(schema) not in (Union, types.UnionType):
        return None
    for member in get_args(schema):
        if is_model(member) and "kind" in member.model_fields:
            if kind in get_args(member.model_fields["kind"].annotation):
                return member
    return None


def union_kinds(schema: Any) -> list[str]:
    """The ``kind`` of each member of a tagged union of models (the event kinds)."""
    members = get_args(schema) if get_origin(schema) in (Union, types.UnionType) else ()
    return [kind for m in members if is_model(m) and "kind" in m.model_fields
            for kind in get_args(m.model_fields["kind"].annotation)]


def child_schema(schema: Any, key: str, node: Any = None) -> tuple[bool, Any]:
    """Whether ``key`` may appear in a table of ``schema``, and the schema of its value.

    ``node`` is the table's current content; an event's model is chosen by its ``kind``. Any key of a map
    may appear (a new name): the reference checks decide whether it names something that exists.
    """
    if is_map(schema):
        return True, core_type(get_args(schema)[1])
    if not is_model(schema):
        schema = union_member(schema, node.get("kind") if isinstance(node, dict) else None)
    if schema is None or key not in schema.model_fields:
        return False, None
    return True, core_type(schema.model_fields[key].annotation)


def model_at(loc: Sequence[Any]) -> Any:
    """The schema at a pydantic error location (``("events", "x", "entry", "segment")`` and the like)."""
    schema: Any = Scenario
    parts = list(loc)
    while parts:
        part = parts.pop(0)
        member = union_member(schema, part)
        if member is not None:
            schema = member
            continue
        if is_map(schema):
            schema = core_type(get_args(schema)[1])
        elif is_model(schema) and part in schema.model_fields:
            schema = core_type(schema.model_fields[part].annotation)
        else:
            return None
    return schema


def declared_fields(schema: Any) -> list[str]:
    """The fields a table of ``schema`` declares (none for a map or a plain value)."""
    return [field.alias or name for name, field in schema.model_fields.items()] if is_model(schema) else []


def declared_anywhere() -> set[str]:
    """Every field name the schema declares, at any depth."""
    names: set[str] = set()
    pending: list[Any] = [Scenario]
    seen: set[type[BaseModel]] = set()
    while pending:  # walk dict[str, Annotated[Union[...], ...]] and the like down to the models
        kind = pending.pop()
        if is_model(kind):
            if kind in seen:
                continue
            seen.add(kind)
            names.update(field.alias or name for name, field in kind.model_fields.items())
            pending.extend(field.annotation for field in kind.model_fields.values())
        pending.extend(getattr(kind, "__args__", ()))
    return names
