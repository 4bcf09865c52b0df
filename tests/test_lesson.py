"""The lesson of docs/teaching.md against the current model: the table in the lesson is the
table the model makes with the lesson's seed, and every claim the lesson (and the app's
"what to notice") makes about the presets holds in that run. Headless, no browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from highroad import lesson

TEACHING = Path(__file__).resolve().parents[1] / "docs" / "teaching.md"


@pytest.fixture(scope="module")
def out() -> dict[str, dict[str, float]]:
    return lesson.lesson_outcomes()


def test_the_lesson_shows_the_table_the_model_makes(out: dict[str, dict[str, float]]) -> None:
    assert lesson.lesson_table(out) in TEACHING.read_text(), (
        "docs/teaching.md is out of date: paste the table of `python -m highroad.lesson`")


def test_closed_economy_taxes_rise_and_no_capital_flees(out) -> None:
    closed = out["closed"]
    assert closed["mean_capital_tax"] > 0.25 + 0.15  # from 0.25 towards the cap
    assert closed["capital_flight"] == 0.0


def test_mobile_capital_races_taxes_to_about_half_not_to_zero(out) -> None:
    race, closed = out["race"], out["closed"]
    assert race["mean_capital_tax"] < 0.75 * closed["mean_capital_tax"]  # far below
    assert race["mean_capital_tax"] > 0.35 * closed["mean_capital_tax"]  # not to zero
    assert race["capital_flight"] > 0.25  # % of capital every quarter
    assert race["mean_labour_standard"] < closed["mean_labour_standard"]


def test_placebo_capital_moves_but_taxes_stay_above_the_race(out) -> None:
    race, placebo = out["race"], out["placebo"]
    assert placebo["capital_flight"] >= race["capital_flight"]
    assert placebo["mean_capital_tax"] > race["mean_capital_tax"] + 0.05
    assert placebo["mean_labour_standard"] > race["mean_labour_standard"]


def test_package_keeps_flight_raises_good_jobs_and_lowers_income_gini(out) -> None:
    race, package = out["race"], out["package"]
    # capital still moves: flight within a factor of two of the race's, either way
    assert 0.5 * race["capital_flight"] < package["capital_flight"] < 2 * race["capital_flight"]
    assert package["good_jobs_share"] > race["good_jobs_share"]
    assert package["income_gini"] < race["income_gini"] - 0.1
    # "a little above the race's" with this seed (other seeds: a little below)
    assert 0 < package["mean_capital_tax"] - race["mean_capital_tax"] < 0.1


def test_reflex_rule_races_towards_zero_with_tax_blind_capital(out) -> None:
    assert out["reflex"]["mean_capital_tax"] < 0.15
    assert out["reflex"]["mean_capital_tax"] < 0.5 * out["placebo"]["mean_capital_tax"]
