"""EMA Workbench in one line: highroad as an exploratory model (`pip install 'highroad[ema]'`).

    >>> from ema_workbench import perform_experiments
    >>> from highroad import ema
    >>> model = ema.model(uncertainties=["capital_mobility", "trade_openness"],
    ...                   levers=["government.capital_tax"],
    ...                   outcomes=["income_gini", "high_road_share"],
    ...                   overrides={"workers_per_region": 500}, steps=40)
    >>> experiments, outcomes = perform_experiments(model, scenarios=50, policies=4)

An uncertainty or lever is a dotted scenario key. Given as a bare key, its range is the
schema's (`scenarios/schema.py`): a number between its limits (a whole number for an integer
key), one of the allowed texts, or true/false. Give `(key, low, high)` for a narrower
range, or `(key, [level, ...])` for chosen levels; every value is checked by the scenario
loader. An outcome is an economy observable, reported as its end-of-run value: the mean
over the last quarter of the recorded steps, exactly as `end_<observable>` in a sweep's
`runs` table. Each experiment is one run with the given `seed` (EMA's experiments differ in
their inputs, not their random numbers: common random numbers across experiments).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from highroad.errors import ScenarioError
from highroad.scenarios.loader import Scenario, load_scenario

Spec = str | tuple[Any, ...]


@dataclass(frozen=True)
class Runner:
    """The function EMA calls: one highroad run, its end-of-run outcomes (picklable)."""

    scenario: str | Path | Scenario
    outcomes: tuple[str, ...]
    steps: int | None = None
    seed: int = 0
    overrides: dict[str, Any] = field(default_factory=dict)

    def __call__(self, **values: Any) -> dict[str, float]:
        from highroad.api import simulate
        from highroad.scenarios.sweep_runner import end_of_run

        result = simulate(self.scenario, steps=self.steps, seed=self.seed,
                          overrides={**self.overrides, **values})
        summary = end_of_run(result.economy)
        return {name: summary[name] for name in self.outcomes}


def model(uncertainties: Iterable[Spec] = (), levers: Iterable[Spec] = (),
          outcomes: Iterable[str] = ("income_gini",), scenario: str | Path | Scenario =
          "baseline", steps: int | None = None, seed: int = 0,
          overrides: dict[str, Any] | None = None, name: str = "highroad") -> Any:
    """An `ema_workbench.Model` running highroad, with parameter ranges from the schema."""
    try:
        import ema_workbench as ema
    except ImportError:
        raise ScenarioError("highroad.ema", "model", "EMA Workbench is not installed",
                            "pip install 'highroad[ema]'") from None
    base = load_scenario(scenario, overrides)
    outcomes = tuple(outcomes)
    _check_outcomes(base, outcomes)
    result = ema.Model(name, function=Runner(scenario, outcomes, steps, seed,
                                             dict(overrides or {})))
    result.uncertainties = [parameter(spec, base, "uncertainties") for spec in uncertainties]
    result.levers = [parameter(spec, base, "levers") for spec in levers]
    result.outcomes = [ema.ScalarOutcome(o) for o in outcomes]
    return result


def parameter(spec: Spec, base: Scenario, where: str) -> Any:
    """The EMA parameter for one key: its range from the schema unless given."""
    import ema_workbench as ema

    key, given = (spec, ()) if isinstance(spec, str) else (spec[0], tuple(spec[1:]))
    meta = schema_field(key, base, where).metadata
    value = base.get(key)
    if len(given) == 1 and isinstance(given[0], Sequence) and not isinstance(given[0], str):
        levels = [_checked(base, key, v, where) for v in given[0]]
        return ema.CategoricalParameter(key, levels)
    if isinstance(value, bool):
        return ema.BooleanParameter(key)
    if isinstance(value, str):
        if not meta.get("choices"):
            raise ScenarioError(where, key, "a text parameter without a list of choices",
                                f"({key!r}, [level, ...])")
        return ema.CategoricalParameter(key, list(meta["choices"]))
    low, high = given if len(given) == 2 else (meta.get("lo"), meta.get("hi"))
    if low is None or high is None:
        raise ScenarioError(where, key, "the schema gives this parameter no finite range",
                            f"({key!r}, low, high)")
    low, high = _checked(base, key, low, where), _checked(base, key, high, where)
    if isinstance(value, int):
        return ema.IntegerParameter(key, int(low), int(high))
    return ema.RealParameter(key, float(low), float(high))


def schema_field(key: str, base: Scenario, where: str) -> Any:
    """The schema's dataclass field behind a dotted key (unknown keys: the loader's message)."""
    from dataclasses import fields

    parts = key.split(".")
    try:
        if len(parts) == 1:
            node = base.world
        elif parts[0] == "policies" and len(parts) == 3:
            node = base.policies[parts[1]]
        elif len(parts) == 2:
            node = getattr(base, parts[0])
        else:
            node = None
        return {f.name: f for f in fields(node)}[parts[-1]]
    except (KeyError, AttributeError, TypeError):
        _checked(base, key, None, where)  # the loader's message, with a suggestion
        raise ScenarioError(where, key, "not a scenario parameter") from None


def _checked(base: Scenario, key: str, value: Any, where: str) -> Any:
    try:
        load_scenario(base, {key: value})
    except ScenarioError as exc:
        raise ScenarioError(where, key, exc.problem, exc.allowed) from None
    return value


def _check_outcomes(base: Scenario, outcomes: tuple[str, ...]) -> None:
    from highroad.mesa_model import economy_columns

    known = [c for c in economy_columns(base) if c != "step"]
    for name in outcomes:
        if name not in known:
            raise ScenarioError("outcomes", name, "not an economy observable", ", ".join(known))
