"""The sweep file: what a researcher writes, validated before anything runs.

A sweep file is TOML. It names the base scenario, the sampling design, the parameters (dotted scenario paths,
each with ``values`` for a grid or ``bounds`` for the samplers), the replications and the outputs to keep::

    name = "stake_and_wariness"
    scenario = "meta_scale_2025"
    seed = 20250613
    replications = 4

    [design]
    method = "sobol"
    samples = 256

    [parameters]
    "events.meta_stake.stake" = { bounds = [0.0, 0.49] }
    "behaviour.wariness_gain" = { bounds = [0.0, 6.0] }

Every problem is reported as a :class:`SweepError` that names the file, the field and the reason. The CLI
prints it and exits with status 2.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)

from labelmarket.scenarios.errors import LabelmarketError

#: The weekly market metrics a run records (``RunResult.market``), in their documented order.
MARKET_METRICS: tuple[str, ...] = (
    "hhi",
    "cr1",
    "cr4",
    "effective_vendors",
    "active_vendors",
    "entropy",
    "switched_musd",
    "unmet_musd",
    "vc_committed_musd",
    "entrants",
)

DEFAULT_SCENARIO = "meta_scale_2025"

#: The most runs (points × replications) one sweep may hold. The design, the run table and the store's key set
#: grow with it (about 1 KB of driver memory per run), so a bigger design is refused before anything is built.
MAX_RUNS = 2_000_000
#: Bytes of driver memory per run, for the estimate in the refusal message.
BYTES_PER_RUN = 1_000
#: The deepest nesting of tables and arrays a sweep file may have (a real one needs 4).
MAX_NESTING = 32


class SweepError(LabelmarketError):
    """A sweep file (or sweep folder) that cannot be used.

    ``source`` is the file the problem came from and ``field`` the dotted path inside it. ``str(error)`` is the
    whole message; the CLI prints it and exits with status 2. It is a LabelmarketError, formatted the same way.
    """


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Value = Union[StrictBool, StrictInt, StrictFloat, StrictStr]


class Parameter(_Strict):
    """One swept scenario field: a list of ``values`` (grid) or ``bounds = [low, high]`` (lhs, sobol, morris)."""

    values: list[Value] | None = None
    bounds: tuple[float, float] | None = None
    integer: bool = Field(False, description="round sampled values down to whole numbers in [low, high]")

    @model_validator(mode="after")
    def _values_or_bounds(self) -> Parameter:
        if (self.values is None) == (self.bounds is None):
            raise ValueError("give either values = [...] (grid) or bounds = [low, high] (lhs, sobol, morris)")
        if self.values is not None:
            if not self.values:
                raise ValueError("values is empty; list at least one value")
            seen = [json.dumps(v) for v in self.values]
            if len(set(seen)) != len(seen):
                raise ValueError(f"values repeat an entry: {self.values}")
            if self.integer:
                raise ValueError("integer = true only applies to bounds")
        return self

    @field_validator("bounds")
    @classmethod
    def _low_below_high(cls, bounds: tuple[float, float] | None) -> tuple[float, float] | None:
        if bounds is not None and not all(math.isfinite(b) for b in bounds):
            raise ValueError(f"must be finite numbers (got [{bounds[0]:g}, {bounds[1]:g}])")
        if bounds is not None and not bounds[0] < bounds[1]:
            raise ValueError(f"must be [low, high] with low < high (got [{bounds[0]:g}, {bounds[1]:g}])")
        return bounds

    @field_validator("values")
    @classmethod
    def _one_kind(cls, values: list | None) -> list | None:
        if values:
            infinite = [v for v in values if isinstance(v, float) and not math.isfinite(v)]
            if infinite:
                raise ValueError(f"must be finite numbers (got {infinite[0]!r}); a sweep point needs a real value")
            kinds = {"number" if isinstance(v, (int, float)) and not isinstance(v, bool) else type(v).__name__
                     for v in values}
            if len(kinds) > 1:
                raise ValueError(f"mixes {' and '.join(sorted(kinds))}; use one kind of value per parameter")
            if kinds == {"number"} and any(isinstance(v, float) for v in values):
                values = [float(v) for v in values]  # [0, 0.5] means [0.0, 0.5]: one column type, stable keys
        return values


class GridDesign(_Strict):
    """Every combination of the parameters' ``values``."""

    method: Literal["grid"]


class LatinDesign(_Strict):
    """Latin hypercube sample of ``samples`` points (SALib ``latin.sample``)."""

    method: Literal["lhs"]
    samples: int = Field(ge=2, le=1_000_000)


class SobolDesign(_Strict):
    """Saltelli sample for Sobol indices: ``samples``·(2D+2) points, or ``samples``·(D+2) without S2."""

    method: Literal["sobol"]
    samples: int = Field(ge=2, le=1_048_576, description="base sample N, a power of two")
    second_order: bool = True

    @field_validator("samples")
    @classmethod
    def _power_of_two(cls, n: int) -> int:
        if n & (n - 1):
            below = 1 << (n.bit_length() - 1)
            raise ValueError(f"must be a power of two for the Sobol sequence (got {n}; try {below} or {below * 2})")
        return n


class MorrisDesign(_Strict):
    """Morris elementary effects: ``trajectories``·(D+1) points on a ``levels``-level grid."""

    method: Literal["morris"]
    trajectories: int = Field(ge=2, le=100_000, description="SALib's N")
    levels: int = Field(4, ge=2, le=100)

    @field_validator("levels")
    @classmethod
    def _even(cls, p: int) -> int:
        if p % 2:
            raise ValueError(f"must be even so the Morris step is balanced (got {p}; try {p + 1})")
        return p


Design = Annotated[Union[GridDesign, LatinDesign, SobolDesign, MorrisDesign], Field(discriminator="method")]


#: The end-state metrics a sweep keeps by default: the ones that vary between runs. ``final_unmet_musd`` is
#: floating-point noise at the end of a run, and weekly flows (``vc_committed_musd``, ``entrants``,
#: ``switched_musd``) are reported as post-shock totals instead of their last week.
DEFAULT_FINAL_WEEK = ("hhi", "cr1", "effective_vendors", "active_vendors")
REPORTER_PATTERN = r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$"


class Outputs(_Strict):
    """What each run keeps: end-state metrics, post-shock totals, times to events, custom reporters and,
    optionally, weekly frames (see ``labelmarket.experiments.sweep.outputs``)."""

    final_week: list[Literal[MARKET_METRICS]] = Field(default_factory=lambda: list(DEFAULT_FINAL_WEEK))  # type: ignore[valid-type]
    hhi_threshold: float = Field(2500.0, gt=0, le=10_000, description="summary: weeks after the shock until HHI < this")
    share_vendor: str | None = Field(
        None, description="whose share share_week_N, final_share and the halving weeks follow; default the "
        "vendor of the ownership change at the shock, else the largest vendor the week before the shock")
    share_weeks: list[int] = Field(default_factory=lambda: [52], description="weeks after the shock to report share at")
    halving_labs: list[str] | None = Field(
        None, description="labs whose <lab>_halved_week to report; default the share vendor's largest client")
    reporters: list[str] = Field(
        default_factory=list, description="'module:function' reporters: f(result[, model]) -> number, text or a "
        "dict/Series of them")
    weekly_market: bool = Field(False, description="keep the full weekly market frame (needed for fan charts)")
    vendor_series: bool = Field(False, description="keep each vendor's weekly share and revenue")
    lab_series: bool = Field(False, description="keep each lab's weekly spend, and its spend and share at the share vendor")
    analyze: list[str] | None = Field(None, description="outputs for `labelmarket analyze`; default all numeric ones")

    @field_validator("share_weeks")
    @classmethod
    def _weeks_after_shock(cls, weeks: list[int]) -> list[int]:
        if any(w < 0 for w in weeks):
            raise ValueError(f"weeks after the shock must be ≥ 0 (got {weeks})")
        return sorted(set(weeks))

    @field_validator("reporters")
    @classmethod
    def _module_function(cls, reporters: list[str]) -> list[str]:
        for reporter in reporters:
            if not re.fullmatch(REPORTER_PATTERN, reporter):
                raise ValueError(f"{reporter!r} is not 'module:function', e.g. 'mypackage.measures:scale_share_week_40'")
        if len(set(reporters)) != len(reporters):
            raise ValueError("a reporter is listed twice")
        return reporters

    def hhi_below_name(self) -> str:
        return f"hhi_below_{self.hhi_threshold:g}_week"


class SweepSpec(_Strict):
    """A whole sweep file."""

    name: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="default: the file's stem")
    description: str = ""
    scenario: str = Field(DEFAULT_SCENARIO, description="bundled scenario name, or a path relative to the sweep file")
    weeks: int | None = Field(None, ge=1, le=10_000, description="weeks to simulate; default the scenario's horizon")
    seed: int = Field(0, ge=0, lt=2**63, description="master seed: the design and replicate seeds derive from it")
    replications: int = Field(1, ge=1, le=10_000, description="seeds per point, the same at every point")
    run_function: str | None = Field(
        None,
        pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$",
        description="'module:function' for an external model run(params, seed) -> dict; default the labelmarket model",
    )
    run_timeout_s: float | None = Field(
        None, gt=0, le=7 * 24 * 3600,
        description="seconds a run may take before it is stopped and recorded as failed; default no limit",
    )
    design: Design
    parameters: dict[str, Parameter] = Field(min_length=1)
    outputs: Outputs = Field(default_factory=Outputs)

    @field_validator("parameters")
    @classmethod
    def _dotted_paths(cls, parameters: dict[str, Parameter]) -> dict[str, Parameter]:
        for path in parameters:
            if not re.fullmatch(r"[A-Za-z_][\w-]*(\.[\w-]+)+", path):
                raise ValueError(
                    f"'{path}' is not a dotted scenario path such as \"events.meta_stake.stake\" or "
                    f"\"labs.Google.data_sensitivity\""
                )
        return parameters

    @model_validator(mode="after")
    def _parameters_fit_method(self) -> SweepSpec:
        method = self.design.method
        for path, parameter in self.parameters.items():
            if method == "grid" and parameter.values is None:
                raise ValueError(f'parameters."{path}": the grid method needs values = [...], not bounds')
            if method != "grid" and parameter.bounds is None:
                raise ValueError(f'parameters."{path}": the {method} method needs bounds = [low, high], not values')
        if method == "sobol" and self.design.second_order and len(self.parameters) < 2:
            raise ValueError("design.second_order: second-order indices need at least two parameters "
                             "(set second_order = false)")
        self._fits_in_memory()
        return self

    def _fits_in_memory(self) -> None:
        """Refuse a design too big to hold, from its size alone (Python integers: nothing is allocated)."""
        runs = self.run_count()
        if runs > MAX_RUNS:
            field = "parameters" if self.design.method == "grid" else "design"
            gigabytes = runs * BYTES_PER_RUN / 1e9
            raise ValueError(
                f"{field}: the {self.design.method} design has {self.point_count():,} points × {self.replications} "
                f"replication(s) = {runs:,} runs, about {gigabytes:,.0f} GB of memory for the run table alone; "
                f"the limit is {MAX_RUNS:,} runs (use fewer values or samples, or split the sweep)"
            )

    # -- derived --------------------------------------------------------------------------------------------------
    @property
    def parameter_names(self) -> list[str]:
        return list(self.parameters)

    def point_count(self) -> int:
        """How many design points the method produces (before replications)."""
        d = self.design
        dims = len(self.parameters)
        if isinstance(d, GridDesign):
            count = 1
            for p in self.parameters.values():
                count *= len(p.values or [])
            return count
        if isinstance(d, LatinDesign):
            return d.samples
        if isinstance(d, SobolDesign):
            return d.samples * (2 * dims + 2 if d.second_order else dims + 2)
        return d.trajectories * (dims + 1)

    def run_count(self) -> int:
        return self.point_count() * self.replications

    def results_identity(self) -> dict[str, Any]:
        """Everything that decides the results: the spec without its name, description and analysis choices."""
        document = self.model_dump(mode="json", exclude={"name", "description", "run_timeout_s"})
        document["outputs"].pop("analyze", None)
        return document


def fingerprint(document: Any) -> str:
    """A stable hash of a JSON-able document (sorted keys, shortest float repr)."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


class SweepFile:
    """A validated sweep spec plus where it came from (relative scenario paths resolve against its folder)."""

    def __init__(self, spec: SweepSpec, source: str, base_dir: Path, text: str | None = None) -> None:
        self.spec = spec
        self.source = source
        self.base_dir = base_dir
        self.text = text

    @property
    def name(self) -> str:
        if self.spec.name:
            return self.spec.name
        stem = Path(self.source).stem if self.source.endswith(".toml") else ""
        return re.sub(r"[^A-Za-z0-9_.-]", "-", stem) or "sweep"

    @property
    def scenario_source(self) -> str:
        """The scenario as ``run_scenario`` takes it: a bundled name, or an absolute path."""
        scenario = self.spec.scenario
        if scenario.endswith(".toml") or "/" in scenario or "\\" in scenario:
            return str((self.base_dir / scenario).resolve())
        return scenario

    def error(self, field: str, reason: str, hint: str = "") -> SweepError:
        return SweepError(self.source, field, reason, hint)


def load_sweep(source: str | Path | dict | SweepSpec | SweepFile, *, name: str = "<sweep>") -> SweepFile:
    """Read and validate a sweep from a TOML file, a dict, or an already-built spec."""
    if isinstance(source, SweepFile):
        return source
    if isinstance(source, SweepSpec):
        return SweepFile(source, name, Path.cwd())
    if isinstance(source, dict):
        return SweepFile(_validate(source, name), name, Path.cwd())
    path = Path(source)
    shown = str(source)
    if not path.is_file():
        raise SweepError(shown, "", "sweep file not found" if not path.exists() else "not a file",
                         "pass the path of a .toml sweep file, e.g. experiments/sobol_shock.toml")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise SweepError(shown, "", f"not UTF-8 text (byte 0x{error.object[error.start]:02x} at offset {error.start})",
                         "save the sweep file as UTF-8") from None
    except OSError as error:
        raise SweepError(shown, "", f"cannot read it: {error.strerror or error}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SweepError(shown, "", f"not valid TOML: {error}") from None
    except RecursionError:
        raise SweepError(shown, "", f"nested too deeply (more than {MAX_NESTING} levels of tables and arrays)") from None
    return SweepFile(_validate(document, shown), shown, path.resolve().parent, text)


def nesting_depth(document: Any, limit: int = MAX_NESTING) -> int:
    """How deeply tables and arrays nest in ``document`` (iterative; stops counting past ``limit``)."""
    deepest = 0
    stack = [(document, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list, tuple)):
            depth += 1
            deepest = max(deepest, depth)
            if depth <= limit:
                stack.extend((child, depth) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _validate(document: dict, source: str) -> SweepSpec:
    if nesting_depth(document) > MAX_NESTING:
        raise SweepError(source, "", f"nested too deeply (more than {MAX_NESTING} levels of tables and arrays)")
    try:
        return SweepSpec.model_validate(document)
    except ValidationError as error:
        problems = [_explain(e, document) for e in error.errors()]
        field, reason = problems[0]
        if len(problems) > 1:
            reason += "".join(f"; also {f or '(top level)'}: {r}" for f, r in problems[1:])
        raise SweepError(source, field, reason) from None


def _dotted(loc: tuple, document: dict) -> str:
    parts: list[str] = []
    for i, key in enumerate(loc):
        if parts and parts[-1] == "design" and i == 1 and isinstance(key, str) and key in _DESIGNS:
            continue  # pydantic puts the union tag in the location
        if isinstance(key, int):
            parts[-1] += f"[{key}]"
        elif parts and parts[-1] == "parameters" or (isinstance(key, str) and "." in key):
            parts.append(f'"{key}"')
        else:
            parts.append(str(key))
    return ".".join(parts)


_DESIGNS = {"grid": GridDesign, "lhs": LatinDesign, "sobol": SobolDesign, "morris": MorrisDesign}


def _allowed_fields(loc: tuple, document: dict) -> list[str]:
    """The field names allowed next to an unknown one, so the message can suggest the right spelling."""
    parent = loc[:-1]
    if not parent:
        return list(SweepSpec.model_fields)
    if parent[0] == "design":
        design = _DESIGNS.get(str(parent[1]) if len(parent) > 1 else "")
        return list(design.model_fields) if design else []
    if parent[0] == "outputs":
        return list(Outputs.model_fields)
    if parent[0] == "parameters" and len(parent) == 2:
        return list(Parameter.model_fields)
    return []


def _explain(error: dict, document: dict) -> tuple[str, str]:
    loc = tuple(error["loc"])
    kind = error["type"]
    field = _dotted(loc, document)
    if kind == "extra_forbidden":
        allowed = _allowed_fields(loc, document)
        guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        reason = "unknown field"
        reason += f"; did you mean '{guess[0]}'?" if guess else (f"; allowed here: {', '.join(allowed)}" if allowed else "")
        return field, reason
    if kind == "missing":
        return field, "required field is missing"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        got = error.get("ctx", {}).get("tag")
        reason = "method must be one of grid, lhs, sobol, morris"
        return f"{field}.method", reason + (f" (got '{got}')" if got is not None else " (it is missing)")
    message = error["msg"].removeprefix("Value error, ")
    if not loc:  # a whole-file rule names its own field: 'parameters."x": reason'
        head, sep, rest = message.partition(": ")
        if sep and re.fullmatch(r'[\w."\[\]-]+', head):
            return head, rest
    if "input" in error and kind not in ("value_error",) and not isinstance(error["input"], (dict, list)):
        message += f" (got {error['input']!r})"
    return field, message
