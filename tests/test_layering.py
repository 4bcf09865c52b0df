"""A core that knows nothing of analysis: agents, regions and policies import no analysis."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd

from highroad.regions.model import RegionalEconomy
from highroad.scenarios.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
CORE = ("agents", "regions", "policies")
SMALL = {"n_regions": 2, "workers_per_region": 200, "firms_per_region": 10, "burn_in": 2,
         "steps": 3}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at top level or inside functions."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{alias.name}" for alias in node.names)
    return out


def test_core_imports_nothing_from_analysis() -> None:
    offenders = [f"{path.relative_to(ROOT)}: {name}"
                 for folder in CORE for path in sorted((ROOT / folder).rglob("*.py"))
                 for name in sorted(imported_modules(path))
                 if name.startswith(("highroad.analysis", "analysis"))]
    assert offenders == []


def test_the_model_records_what_its_observer_returns() -> None:
    seen = []

    def observe(model: RegionalEconomy) -> tuple[dict, list[dict]]:
        seen.append(int(model.steps))
        return {"step": int(model.steps)}, [{"step": int(model.steps), "region": 0}]

    model = RegionalEconomy(load_scenario("baseline", SMALL), seed=1, observe=observe)
    for _ in range(5):
        model.step()
    assert seen == [2, 3, 4, 5]
    assert [row["step"] for row in model.records] == seen


def test_default_observer_is_the_api_observer() -> None:
    import highroad

    scen = load_scenario("baseline", SMALL)
    model = RegionalEconomy(scen, seed=2)
    for _ in range(5):
        model.step()
    result = highroad.simulate(scen, seed=2)
    pd.testing.assert_frame_equal(pd.DataFrame.from_records(model.records), result.economy)


def test_the_model_file_is_its_state_and_the_quarters_order() -> None:
    """Each phase lives in a module named after it (docs/design.md); model.py stays short."""
    from pathlib import Path

    import highroad.regions.model as model_module

    lines = Path(model_module.__file__).read_text().count("\n")
    assert lines < 450
    for phase in ("setup", "conditions", "shocks", "policy", "investment", "relocation",
                  "labour", "production", "incomes", "demography", "accounting", "aggregates"):
        mixin = __import__(f"highroad.regions.{phase}", fromlist=["_"])
        assert any(isinstance(v, type) and issubclass(RegionalEconomy, v)
                   for v in vars(mixin).values()), phase
