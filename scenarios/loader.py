"""Load, override and validate scenario files: validated once here, trusted inside the model.

Every mistake raises `ScenarioError` naming the file, the key path, what was given and what
is allowed, with the nearest valid key suggested for a typo.
"""

from __future__ import annotations

import copy
import difflib
import math
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from highroad.errors import ScenarioError
from highroad.policies import REGISTRY
from highroad.scenarios.designs import to_python
from highroad.scenarios.schema import (
    GROUPS,
    AssociationParams,
    CapitalParams,
    DemographyParams,
    FirmParams,
    GoodsParams,
    GovernmentParams,
    LabourParams,
    ShockParams,
    WorldParams,
    default_value,
)

SCENARIO_DIR = Path(__file__).resolve().parent
#: What is allowed instead of a document nested deeper than Python's parser can recurse.
NESTING = "tables nested a few levels deep, as in the shipped scenarios"


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: the world, each mechanism's parameters, and the policy levers."""

    name: str
    source: str
    world: WorldParams
    firms: FirmParams
    labour: LabourParams
    goods: GoodsParams
    government: GovernmentParams
    capital: CapitalParams
    demography: DemographyParams
    associations: AssociationParams
    shocks: ShockParams
    policies: dict[str, Any]

    def __getattr__(self, key: str) -> Any:
        # Top-level keys (`scenario.capital_mobility`) read through to the world parameters.
        world = object.__getattribute__(self, "world")
        if hasattr(world, key):
            return getattr(world, key)
        raise AttributeError(key)

    def to_dict(self) -> dict[str, Any]:
        """The fully resolved scenario as plain TOML-able data (every default filled in)."""
        out: dict[str, Any] = {f.name: getattr(self.world, f.name) for f in fields(self.world)}
        for group in GROUPS:
            params = getattr(self, group)
            out[group] = {f.name: getattr(params, f.name) for f in fields(params)}
        out["policies"] = {
            name: {f.name: getattr(p, f.name) for f in fields(p)}
            for name, p in self.policies.items()
        }
        return out

    def get(self, dotted: str) -> Any:
        node: Any = self.to_dict()
        for part in dotted.split("."):
            node = node[part]
        return node


def list_scenarios() -> dict[str, str]:
    """Name -> description line of every scenario shipped in `scenarios/`."""
    out = {}
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        with path.open("rb") as fh:
            out[path.stem] = tomllib.load(fh).get("description", "")
    return out


def scenario_path(name_or_path: str | Path) -> Path:
    """Resolve a scenario name (`baseline`) or a path to an existing file."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists() or len(path.parts) > 1:
        if not path.is_file():
            raise ScenarioError(str(path), "", "no such scenario file")
        return path
    candidate = SCENARIO_DIR / f"{name_or_path}.toml"
    if not candidate.is_file():
        names = sorted(list_scenarios())
        near = difflib.get_close_matches(str(name_or_path), names, n=1)
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        raise ScenarioError(str(name_or_path), "", f"unknown scenario{hint}", ", ".join(names))
    return candidate


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(str(path), "", f"malformed TOML ({exc})") from None
    except RecursionError:
        raise ScenarioError(str(path), "", "tables or lists nested too deeply",
                            NESTING) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), "", f"cannot read file ({exc})") from None


def parse_override(text: str) -> tuple[str, Any]:
    """Parse one `--set key=value`; the value is read as a TOML value, else kept as text."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError("--set", text, "expected key=value", "a dotted key, '=', a TOML value")
    if "\n" in text or "\r" in text:
        raise ScenarioError("--set", key, "the value spans several lines",
                            "a value on one line (a table as {a = 1, b = 2})")
    raw = raw.strip()
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    except RecursionError:
        raise ScenarioError("--set", key, "the value is nested too deeply",
                            NESTING) from None
    return key, value


def apply_overrides(doc: dict[str, Any], overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Set dotted keys (`government.capital_tax`) on a copy of a scenario document."""
    doc = copy.deepcopy(doc)
    for dotted, value in (overrides or {}).items():
        parts = str(dotted).split(".")
        node = doc
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ScenarioError("--set", dotted, f"'{part}' is not a table")
            node = child
        old = node.get(parts[-1])
        node[parts[-1]] = _merged(old, value) if isinstance(old, dict) else value
    return doc


def _merged(old: dict[str, Any], new: Any) -> Any:
    """A table set over a table changes the keys it names and keeps the others."""
    if not isinstance(new, dict):
        return new
    out = dict(old)
    for key, value in new.items():
        out[key] = _merged(out[key], value) if isinstance(out.get(key), dict) else value
    return out


def _name_set(exc: ScenarioError, overrides: dict[str, Any] | None) -> ScenarioError:
    """An error in a key that `--set` gave names `--set`, not the scenario file."""
    for dotted in overrides or {}:
        if exc.key == dotted or exc.key.startswith(f"{dotted}.") or \
                exc.key.startswith(f"{dotted}["):
            return ScenarioError("--set", exc.key, exc.problem, exc.allowed)
    return exc


def load_scenario(name_or_path: str | Path | Scenario,
                  overrides: dict[str, Any] | None = None) -> Scenario:
    """Load a scenario by name, path or object, apply dotted overrides, validate."""
    if isinstance(name_or_path, Scenario):
        if not overrides:
            return name_or_path
        doc = name_or_path.to_dict()
        source, name = name_or_path.source, name_or_path.name
    else:
        path = scenario_path(name_or_path)
        doc, source, name = read_toml(path), str(path), path.stem
    try:
        return build_scenario(apply_overrides(doc, overrides), source, name)
    except ScenarioError as exc:
        raise _name_set(exc, overrides) from None
    except RecursionError:  # parsed, but too deep to copy or check
        raise ScenarioError(source, "", "tables or lists nested too deeply", NESTING) from None


def build_scenario(doc: dict[str, Any], source: str, name: str) -> Scenario:
    """Validate a scenario document against the schema and build the typed Scenario."""
    if not isinstance(doc, dict):
        raise ScenarioError(source, "", "a scenario must be a TOML table")
    world_fields = {f.name: f for f in fields(WorldParams)}
    allowed_top = sorted([*world_fields, *GROUPS, "policies"])
    for key in doc:
        if key not in allowed_top:
            raise _unknown(source, key, key, allowed_top)
    world = WorldParams(**_validate_table(doc, WorldParams, source, ""))
    groups = {}
    for group, cls in GROUPS.items():
        table = doc.get(group, {})
        if not isinstance(table, dict):
            raise ScenarioError(source, group, f"must be a table, got {_show(table)}")
        groups[group] = cls(**_validate_table(table, cls, source, group + "."))
    policies = _validate_policies(doc.get("policies", {}), source)
    if world.region_sizes and len(world.region_sizes) != world.n_regions:
        raise ScenarioError(source, "region_sizes",
                            f"has {len(world.region_sizes)} entries for {world.n_regions} regions",
                            "one relative size per region, or leave it out")
    gov = groups["government"]
    if gov.min_capital_tax > gov.max_capital_tax:
        raise ScenarioError(source, "government.min_capital_tax",
                            f"{gov.min_capital_tax} exceeds max_capital_tax {gov.max_capital_tax}",
                            "min_capital_tax <= max_capital_tax")
    labour = groups["labour"]
    if labour.skill_min > labour.skill_max:
        raise ScenarioError(source, "labour.skill_min", "exceeds labour.skill_max",
                            "skill_min <= skill_max")
    firms = groups["firms"]
    if firms.tfp_distribution == "pareto" and firms.tfp_dispersion >= 1:
        raise ScenarioError(source, "firms.tfp_dispersion",
                            f"is {firms.tfp_dispersion}: a Pareto tail of shape 1/dispersion <= 1 "
                            "has no finite mean", "below 1 when tfp_distribution is pareto")
    return Scenario(name=name, source=source, world=world, policies=policies, **groups)


def _validate_policies(table: Any, source: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ScenarioError(source, "policies", f"must be a table, got {_show(table)}")
    out = {}
    for name in sorted(REGISTRY):
        sub = table.get(name, {})
        if not isinstance(sub, dict):
            raise ScenarioError(source, f"policies.{name}", f"must be a table, got {_show(sub)}")
        cls = REGISTRY[name].Params
        out[name] = cls(**_validate_table(sub, cls, source, f"policies.{name}."))
    for name in table:
        if name not in REGISTRY:
            raise _unknown(source, f"policies.{name}", name, sorted(REGISTRY))
    return out


def _validate_table(table: dict[str, Any], cls: type, source: str, prefix: str) -> dict[str, Any]:
    specs = {f.name: f for f in fields(cls)}
    for key in table:
        if key not in specs:
            if prefix == "" and (key in GROUPS or key == "policies"):
                continue
            raise _unknown(source, prefix + key, key, sorted(specs))
    values = {}
    for name, f in specs.items():
        value = table.get(name, default_value(f))
        values[name] = _check_value(value, f, source, prefix + name)
    return values


def _check_value(value: Any, f: Any, source: str, key: str) -> Any:
    value = to_python(value)  # np.int64(3) is checked as 3, np.bool_ as a bool
    meta = f.metadata
    default = default_value(f)
    lo, hi, choices = meta.get("lo"), meta.get("hi"), meta.get("choices")
    rng = _range_text(lo, hi, meta.get("unit", ""))
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ScenarioError(source, key, f"expected true or false, got {_show(value)}",
                                "true, false")
        return value
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ScenarioError(source, key, f"expected text, got {_show(value)}",
                                ", ".join(choices) if choices else "a string")
        if choices and value not in choices:
            near = difflib.get_close_matches(value, choices, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            raise ScenarioError(source, key, f"'{value}' is not a known choice{hint}",
                                ", ".join(choices))
        return value
    if isinstance(default, list):
        value = list(value) if isinstance(value, tuple) else value
        if not isinstance(value, list):
            raise ScenarioError(source, key, f"expected a list of numbers, got {_show(value)}",
                                f"a list of numbers in {rng}")
        return [_check_number(to_python(v), float, lo, hi, source, f"{key}[{i}]", rng)
                for i, v in enumerate(value)]
    kind = int if isinstance(default, int) else float
    return _check_number(value, kind, lo, hi, source, key, rng)


def _check_number(value: Any, kind: type, lo: Any, hi: Any, source: str, key: str,
                  rng: str) -> Any:
    ok_types = (int,) if kind is int else (int, float)
    if isinstance(value, bool) or not isinstance(value, ok_types):
        if kind is int and isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            what = "a whole number" if kind is int else "a number"
            raise ScenarioError(source, key, f"expected {what}, got {_show(value)}",
                                f"{what} in {rng}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ScenarioError(source, key, f"{value} is not finite", rng)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ScenarioError(source, key, f"{value} is out of range", rng)
    return kind(value)


def _range_text(lo: Any, hi: Any, unit: str) -> str:
    text = f"[{lo if lo is not None else '-inf'}, {hi if hi is not None else 'inf'}]"
    return f"{text} ({unit})" if unit and unit != "-" else text


def _unknown(source: str, key: str, name: str, allowed: list[str]) -> ScenarioError:
    near = difflib.get_close_matches(name, allowed, n=1)
    hint = f" (did you mean '{near[0]}'?)" if near else ""
    return ScenarioError(source, key, f"unknown key{hint}", ", ".join(allowed) or "none")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
