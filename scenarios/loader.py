"""Scenario file -> validated :class:`Scenario`: TOML parsing, ``extends``, ``--set`` overrides, validation.

Data flows one way: this module reads files and returns a validated object; it never looks at the model.
Every failure raises :class:`ScenarioError` naming the file, the field and the reason.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, ValidationError

from labelmarket.scenarios.errors import ScenarioError
from labelmarket.scenarios.references import reference_problems
from labelmarket.scenarios.schema import Scenario

BUNDLED_DIR = Path(__file__).resolve().parent
DEFAULT_SCENARIO = "meta_scale_2025"
SET_SOURCE = "--set"


def bundled_scenarios() -> list[str]:
    """Names of the scenarios shipped with the package."""
    return sorted(p.stem for p in BUNDLED_DIR.glob("*.toml"))


def scenario_path(source: str | Path) -> Path:
    """A bundled name ('toy') or a path; raises ScenarioError naming the bundled ones if neither exists."""
    text = str(source)
    path = Path(text)
    if path.suffix != ".toml" and "/" not in text and (BUNDLED_DIR / f"{text}.toml").exists():
        return BUNDLED_DIR / f"{text}.toml"
    if path.is_file():
        return path
    hint = f"bundled scenarios: {', '.join(bundled_scenarios())}"
    close = difflib.get_close_matches(path.stem, bundled_scenarios(), n=1)
    if close:
        hint = f"did you mean '{close[0]}'? " + hint
    raise ScenarioError(text, "", "no such scenario file", hint)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        reason = str(err)
        if "Cannot declare" in reason or "Cannot overwrite" in reason:
            reason = f"duplicate name or key: {reason}"
        raise ScenarioError(str(path), "", f"malformed TOML: {reason}") from None
    except OSError as err:
        raise ScenarioError(str(path), "", f"cannot read file: {err.strerror}") from None


def _deep_merge(base: dict[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    """Child values override base values; tables merge key by key."""
    merged = copy.deepcopy(base)
    for key, value in child.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _resolve_extends(path: Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    path = path.resolve()
    if path in chain:
        cycle = " -> ".join(p.name for p in (*chain, path))
        raise ScenarioError(str(chain[-1]), "extends", f"extends cycle: {cycle}")
    doc = _read_toml(path)
    parent = doc.pop("extends", None)
    if parent is None:
        return doc
    if not isinstance(parent, str):
        raise ScenarioError(str(path), "extends", "must be a file name string, e.g. extends = \"meta_scale_2025.toml\"")
    parent_path = (path.parent / parent)
    if not parent_path.is_file():
        raise ScenarioError(str(path), "extends", f"parent file '{parent}' not found next to it")
    return _deep_merge(_resolve_extends(parent_path, (*chain, path)), doc)


def parse_set_value(text: str) -> Any:
    """A ``--set`` value is a TOML literal (0.3, true, "x", [1, 2]); anything else is taken as a bare string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _schema_child(model: type[BaseModel] | None, key: str) -> tuple[bool, type[BaseModel] | None]:
    """Whether ``key`` is a declared field of ``model``, and the sub-model it holds (if any)."""
    if model is None or key not in model.model_fields:
        return False, None
    annotation = model.model_fields[key].annotation
    sub = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    return True, sub


def apply_overrides(doc: dict[str, Any], overrides: Mapping[str, Any], source: str = SET_SOURCE) -> dict[str, Any]:
    """Set dotted paths in a scenario document. A path must name an existing entry or a declared field."""
    doc = copy.deepcopy(doc)
    for dotted, value in overrides.items():
        keys = [k for k in str(dotted).split(".")]
        if not dotted or any(not k for k in keys):
            raise ScenarioError(source, str(dotted), "empty path segment", "use e.g. behaviour.contagion_weight=0.4")
        node: Any = doc
        model: type[BaseModel] | None = Scenario
        for depth, key in enumerate(keys):
            here = ".".join(keys[: depth + 1])
            last = depth == len(keys) - 1
            if not isinstance(node, dict):
                raise ScenarioError(source, here, f"'{'.'.join(keys[:depth])}' is a value, not a table")
            declared, sub = _schema_child(model, key)
            if key not in node and not declared:
                options = sorted(set(node) | (set(model.model_fields) if model else set()))
                close = difflib.get_close_matches(key, options, n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(options)}"
                raise ScenarioError(source, here, f"unknown key '{key}'", hint)
            if last:
                node[key] = value
            else:
                node = node.setdefault(key, {})
                model = sub
    return doc


def _field_path(loc: tuple[Any, ...]) -> str:
    tags = {"ownership_change", "assurance", "leadership_departure", "divestment", "entry", "venture_funding"}
    parts = [str(p) for i, p in enumerate(loc) if not (i >= 2 and loc[0] == "events" and i == 2 and p in tags)]
    return ".".join(p for p in parts if p != "[key]")


def _declared_field_names() -> list[str]:
    """Every field name the schema declares, at any depth (for 'did you mean' hints)."""
    names: set[str] = set()
    pending: list[type[BaseModel]] = [Scenario]
    seen: set[type[BaseModel]] = set()
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, field in model.model_fields.items():
            names.add(name)
            types = [field.annotation]
            while types:  # walk dict[str, Annotated[Union[...], ...]] and the like down to the models
                kind = types.pop()
                if isinstance(kind, type) and issubclass(kind, BaseModel):
                    pending.append(kind)
                types.extend(getattr(kind, "__args__", ()))
    return sorted(names)


def with_kind_defaults(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    """Model 2.0: a lab that omits an input its kind's table (``[kinds.KIND]``) gives takes the kind's value.

    Done before validation, so a lab that omits one with no kind value still gets "required field is missing".
    """
    kinds, labs = doc.get("kinds"), doc.get("labs")
    if not isinstance(kinds, Mapping) or not isinstance(labs, Mapping):
        return doc
    filled = {}
    for name, lab in labs.items():
        shared = kinds.get(lab.get("kind", "frontier_lab"), {}) if isinstance(lab, Mapping) else {}
        filled[name] = ({**{k: v for k, v in shared.items() if v is not None}, **lab}
                        if isinstance(shared, Mapping) and isinstance(lab, Mapping) else lab)
    return {**doc, "labs": filled}


def validate_document(doc: Mapping[str, Any], source: str) -> Scenario:
    """Validate a resolved document; the first problem becomes one ScenarioError (others are counted)."""
    try:
        scenario = Scenario.model_validate(with_kind_defaults(doc))
    except ValidationError as err:
        errors = err.errors()
        # A typo shows up twice (an unknown key and a missing field): name the typo first.
        unknown = [e for e in errors if e["type"] == "extra_forbidden"]
        first = unknown[0] if unknown else errors[0]
        field = _field_path(tuple(first["loc"]))
        reason = first["msg"].removeprefix("Value error, ")
        hints = []
        others = [e for e in errors if e is not first]
        if first["type"] == "extra_forbidden":
            key = str(first["loc"][-1])
            reason = f"unknown key '{key}'"
            close = difflib.get_close_matches(key, _declared_field_names(), n=1)
            hints.append(f"did you mean '{close[0]}'?" if close else "a typo?")
            if close:  # the field the typo meant is then missing too: the same problem, not another one
                meant = (*first["loc"][:-1], close[0])
                others = [e for e in others if not (e["type"] == "missing" and tuple(e["loc"]) == meant)]
        if first["type"] == "missing":
            reason = "required field is missing"
        if others:
            hints.append(f"and {len(others)} more problem(s)")
        raise ScenarioError(source, field, reason, " ".join(hints)) from None
    problems = reference_problems(scenario)
    if problems:
        field, reason = problems[0]
        hint = f"and {len(problems) - 1} more problem(s)" if len(problems) > 1 else ""
        raise ScenarioError(source, field, reason, hint)
    return scenario


def load_scenario(source: str | Path | Scenario = DEFAULT_SCENARIO,
                  overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Load, resolve ``extends``, apply dotted overrides and validate. ``source`` may be a bundled name."""
    if isinstance(source, Scenario):
        if not overrides:
            return source
        doc = source.model_dump(mode="json", exclude_none=True)
        label = f"scenario '{source.meta.name}'"
    else:
        path = scenario_path(source)
        doc = _resolve_extends(path)
        label = str(path)
    if overrides:
        doc = apply_overrides(doc, overrides)
        label = f"{label} with --set"
    return validate_document(doc, label)


def scenario_toml(scenario: Scenario) -> str:
    """The resolved scenario as TOML, with every default filled in, so a run can be replayed exactly."""
    return tomli_w.dumps(scenario.model_dump(mode="json", exclude_none=True))


def scenario_hash(scenario: Scenario) -> str:
    """A stable SHA-256 of the resolved scenario (key order does not matter)."""
    canonical = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
