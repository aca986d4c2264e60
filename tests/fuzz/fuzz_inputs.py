"""Hypothesis strategies for what a user may hand labelmarket: scenario files (mutations of toy.toml and
wholly random TOML), ``--set`` paths and values, sweep files, and bytes that are not UTF-8.

The values lean on what broke before: NaN and infinities, numbers too large for any market, deep nesting,
names with control characters, NUL, bidi overrides, path separators or 5,000 characters, huge sizes.
"""

from __future__ import annotations

import copy
import tomllib
from typing import Any

import tomli_w
from hypothesis import strategies as st

from labelmarket.scenarios.loader import BUNDLED_DIR
from labelmarket.scenarios.schema_paths import declared_anywhere

TOY_TEXT = (BUNDLED_DIR / "toy.toml").read_text(encoding="utf-8")
TOY = tomllib.loads(TOY_TEXT)
DECLARED = sorted(declared_anywhere())

# ---------------------------------------------------------------------------------------------- names
ODD_NAMES = ["", " ", "a\u0000b", "Tiny\nlabelmarket run: error: fake second line\u001b[31m", "\u202eevil",
             "../../PWNED", "/etc/passwd", "C:\\Windows", "a" * 65, "a" * 5000, "tab\there", "\u0007bell",
             "Zürich Labs", "数据", "🙂 Labs", "'quoted'", '"double"', "\\", "\ud7ff", "\ufeffbom", "x" * 64,
             "trailing ", "new\r\nline", "\u2028sep"]
# text for a subprocess argument: no NUL (argv cannot hold one) and no lone surrogates (not encodable)
arg_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
names = st.one_of(st.sampled_from(ODD_NAMES), st.text(st.characters(blacklist_categories=("Cs",)), max_size=80),
                  st.text(st.characters(blacklist_categories=("Cs",)), min_size=60, max_size=300))

# --------------------------------------------------------------------------------------------- values
SPECIAL_FLOATS = [float("nan"), float("inf"), float("-inf"), 1e308, -1e308, 1e300, 5e-324, -0.0, 1e9, 1e9 + 1]
floats = st.one_of(st.sampled_from(SPECIAL_FLOATS), st.floats(allow_nan=True, allow_infinity=True))
integers = st.one_of(st.sampled_from([0, -1, 1, 1040, 1041, 2**31, 2**63 - 1, -(2**63)]),
                     st.integers(min_value=-(2**63), max_value=2**63 - 1))


def nested(depth: int, leaf: Any = 1) -> Any:
    """``[[[...leaf...]]]`` ``depth`` deep."""
    for _ in range(depth):
        leaf = [leaf]
    return leaf


scalars = st.one_of(floats, integers, st.booleans(), names)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(names, inner, max_size=3)), max_leaves=6)
values = st.one_of(values, st.integers(min_value=10, max_value=60).map(nested))
# values a scenario could hold, often at the edge (0, 1, the horizon): a mutation with one of these still runs
plausible = st.one_of(st.floats(0.0, 1.0), st.sampled_from([0, 0.0, 1, 1.0, 40, 1040, 1e9]), st.integers(0, 60))


# ------------------------------------------------------------------------------------- scenario files
def _paths(doc: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every key path in a document, tables and leaves."""
    found = [prefix] if prefix else []
    if isinstance(doc, dict):
        for key, child in doc.items():
            found.extend(_paths(child, (*prefix, key)))
    return found


TOY_PATHS = _paths(TOY)


@st.composite
def mutated_toy(draw) -> dict[str, Any]:
    """toy.toml with one to three mutations: a value replaced, a key dropped, added or renamed."""
    doc = copy.deepcopy(TOY)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(doc) or [("meta",)]))
        parent = doc
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(parent, dict) or path[-1] not in parent:
            continue
        action = draw(st.sampled_from(["replace", "drop", "add", "rename"]))
        if action == "replace":
            parent[path[-1]] = draw(st.one_of(plausible, values))
        elif action == "drop":
            del parent[path[-1]]
        elif action == "add":
            target = parent[path[-1]] if isinstance(parent[path[-1]], dict) else parent
            target[draw(st.one_of(names, st.sampled_from(DECLARED)))] = draw(values)
        else:
            parent[draw(names)] = parent.pop(path[-1])
    return doc


def toml_text(doc: dict[str, Any]) -> str:
    return tomli_w.dumps(doc)


toml_alphabet = st.sampled_from(list("[]{}=\"'.,#\n \t-_+:") + ["a", "b", "0", "1", "e", "inf", "nan", "true",
                                                                  "labs", "vendors", "meta", "name", "\\u0000"])
random_toml = st.lists(toml_alphabet, max_size=120).map("".join)


@st.composite
def bad_bytes(draw) -> bytes:
    """toy.toml with a few bytes that are not UTF-8 (or are, but unprintable) written over it."""
    data = bytearray(TOY_TEXT.encode())
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data) - 1))
        junk = draw(st.one_of(st.sampled_from([b"\xff", b"\xfe\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x00",
                                                 b"\x1b[31m", b"\xef\xbb\xbf", b"\r"]),
                              st.binary(min_size=1, max_size=4)))
        data[at:at] = junk
    return bytes(data)


# -------------------------------------------------------------------------------------- --set pairs
def _literal(value: Any) -> str:
    """A value as the TOML literal ``--set`` reads (falls back to ``repr`` text, itself a bad literal)."""
    try:
        return tomli_w.dumps({"v": value})[4:].rstrip("\n")
    except (TypeError, ValueError):
        return repr(value)


set_paths = st.one_of(st.sampled_from([".".join(p) for p in TOY_PATHS]),
                      st.builds(lambda p, f: ".".join((*p, f)), st.sampled_from(TOY_PATHS), st.sampled_from(DECLARED)),
                      st.lists(st.one_of(arg_text, st.sampled_from(DECLARED)), min_size=1, max_size=5).map(".".join))
set_values = st.one_of(st.sampled_from(["inf", "nan", "-inf", "1e400", "1e308", "[" * 3000, "{" * 50, "{",
                                        '"a\\u0000b"', "true", "0", "-1", "99999999999999999999",
                                        '"' + "a" * 5000 + '"',
                                        "[" * 40 + "]" * 40, "x=1", "=", "'", '"\\u001b[31m"']),
                       values.map(_literal).filter(lambda t: "\x00" not in t), arg_text)


# --------------------------------------------------------------------------------------- sweep files
SWEEP_PATHS = ["behaviour.wariness_gain", "events.alpha_stake.stake", "labs.Alpha.budget_musd",
               "vendors.MidCo.price_index", "labs.Gamma.rivals.Alpha"]
small_lists = st.lists(st.one_of(plausible, floats, integers, names), min_size=1, max_size=3)
# each field of a sweep file, with what it may be set to
SWEEP_FIELDS = {
    ("name",): names,
    ("scenario",): st.one_of(st.sampled_from(["bad.toml", "missing.toml", "/dev/zero", "../toy", "a" * 5000]), names),
    ("seed",): integers,
    ("replications",): st.one_of(st.integers(-2, 3), st.sampled_from([10**9, 10**15])),
    ("weeks",): st.one_of(integers, st.sampled_from([0, 1041, 10**12])),
    ("design", "method"): st.one_of(st.sampled_from(["grid", "lhs", "sobol", "morris", "nope"]), names),
    ("design", "samples"): st.one_of(st.integers(-1, 8), st.sampled_from([10**12, 2**40])),
    ("outputs", "final_week"): st.lists(st.one_of(st.sampled_from(["hhi", "cr1"]), names), max_size=3),
    ("outputs", "share_weeks"): st.lists(integers, max_size=3),
    ("outputs", "share_vendor"): names,
    ("outputs", "hhi_threshold"): floats,
}


@st.composite
def sweep_documents(draw) -> dict[str, Any]:
    """A valid two-run sweep of the toy scenario with one or two fields (or its parameters) made odd."""
    method = draw(st.sampled_from(["grid", "lhs"]))
    spec = {"values": [0.1, 0.2]} if method == "grid" else {"bounds": [0.1, 0.2]}
    doc: dict[str, Any] = {"name": "fuzz", "scenario": "toy", "seed": 1, "replications": 1, "weeks": 14,
                           "design": {"method": method} | ({} if method == "grid" else {"samples": 2}),
                           "parameters": {"behaviour.wariness_gain": spec},
                           "outputs": {"final_week": ["hhi"], "share_weeks": [4]}}
    for _ in range(draw(st.integers(1, 2))):
        if draw(st.booleans()):
            path = draw(st.sampled_from(sorted(SWEEP_FIELDS)))
            table = doc
            for key in path[:-1]:
                table = table.setdefault(key, {})
            table[path[-1]] = draw(SWEEP_FIELDS[path])
        else:
            key = draw(st.one_of(st.sampled_from(SWEEP_PATHS), set_paths))
            doc["parameters"][key] = draw(st.one_of(st.builds(lambda v: {"values": v}, small_lists),
                                                    st.builds(lambda lo, hi: {"bounds": [lo, hi]}, floats, floats),
                                                    values))
    return doc
