"""Scenario file -> validated :class:`Scenario`: TOML parsing, ``extends``, ``--set`` overrides, validation.

Data flows one way: this module reads files and returns a validated object; it never looks at the model.
Every failure raises :class:`ScenarioError` naming the file, the field and the reason.
"""

from __future__ import annotations

import copy
import difflib
import functools
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from labelmarket.scenarios.errors import ScenarioError, quoted
from labelmarket.scenarios.expectations import expectation_problems
from labelmarket.scenarios.limits import MAX_EXTENDS
from labelmarket.scenarios.overrides import SET_SOURCE, apply_overrides, parse_set_value
from labelmarket.scenarios.references import reference_problems
from labelmarket.scenarios.schema import Scenario
from labelmarket.scenarios.toml_input import read_toml
from labelmarket.scenarios.validation_messages import describe

BUNDLED_DIR = Path(__file__).resolve().parent
DEFAULT_SCENARIO = "meta_scale_2025"

__all__ = ["BUNDLED_DIR", "DEFAULT_SCENARIO", "SET_SOURCE", "apply_overrides", "bundled_scenarios", "load_scenario",
           "parse_set_value", "scenario_hash", "scenario_path", "scenario_toml", "validate_document"]


def bundled_scenarios() -> list[str]:
    """Names of the scenarios shipped with the package."""
    return sorted(p.stem for p in BUNDLED_DIR.glob("*.toml"))


def _is_file(path: Path, source: str, field: str = "") -> bool:
    """Whether ``path`` is a regular file; a path the system cannot even look up is bad input."""
    try:
        return path.is_file()
    except OSError as err:
        raise ScenarioError(source, field, f"cannot read file: {err.strerror or err}") from None


def scenario_path(source: str | Path) -> Path:
    """A bundled name ('toy') or a path; raises ScenarioError naming the bundled ones if neither exists."""
    text = str(source)
    path = Path(text)
    if path.suffix != ".toml" and text in bundled_scenarios():
        return BUNDLED_DIR / f"{text}.toml"
    if _is_file(path, text):
        return path
    hint = f"bundled scenarios: {', '.join(bundled_scenarios())}"
    close = difflib.get_close_matches(path.stem, bundled_scenarios(), n=1)
    if close:
        hint = f"did you mean {quoted(close[0])}? " + hint
    raise ScenarioError(text, "", "no such scenario file", hint)


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
    if len(chain) >= MAX_EXTENDS:
        raise ScenarioError(str(chain[-1]), "extends", f"an extends chain of more than {MAX_EXTENDS} files",
                            f"it starts at {chain[0]}")
    doc = _read_scenario_toml(path)
    parent = doc.pop("extends", None)
    if parent is None:
        return doc
    if not isinstance(parent, str):
        raise ScenarioError(str(path), "extends", "must be a file name string, e.g. extends = \"meta_scale_2025.toml\"")
    parent_path = path.parent / parent
    if not _is_file(parent_path, str(path), "extends"):
        raise ScenarioError(str(path), "extends", f"parent file {quoted(parent)} not found next to it")
    return _deep_merge(_resolve_extends(parent_path, (*chain, path)), doc)


def _read_scenario_toml(path: Path) -> dict[str, Any]:
    """The document in the TOML file at ``path``, parsed once per version of the file (its resolved path,
    modification time and size): a sweep loads the same scenario for every run. Each call returns its own
    copy, so a caller that edits the document cannot change what later callers read."""
    try:
        stat = path.stat()
    except OSError:
        return read_toml(path)  # read_toml raises the ScenarioError that names the file and the reason
    return _copy_document(_parsed_toml(path, stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=64)
def _parsed_toml(path: Path, mtime_ns: int, size: int) -> dict[str, Any]:
    return read_toml(path)


def _copy_document(value: Any) -> Any:
    """A copy of a parsed TOML document: its tables and arrays copied, its scalars (immutable) shared."""
    if isinstance(value, dict):
        return {key: _copy_document(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_document(item) for item in value]
    return value


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
        raise ScenarioError(source, *describe(err)) from None
    problems = reference_problems(scenario) + expectation_problems(scenario)
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
        label = f"scenario {quoted(source.meta.name)}"
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
    """A stable SHA-256 of the resolved scenario (key order does not matter). Its ``[expect]`` checks are left
    out: they do not change a run, so editing one neither changes a manifest's hash nor blocks a sweep's resume."""
    canonical = json.dumps(scenario.model_dump(mode="json", exclude={"expect"}), sort_keys=True,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
