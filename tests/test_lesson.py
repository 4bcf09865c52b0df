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


def test_closed_economy_no_capital_flees_and_taxes_stay_far_below_the_cap(out) -> None:
    closed = out["closed"]
    assert closed["capital_flight"] == 0.0
    assert abs(closed["mean_capital_tax"] - 0.25) < 0.15  # near the start, far from the cap


def test_mobile_capital_flees_and_taxes_end_below_the_closed_economys(out) -> None:
    closed, race = out["closed"], out["race"]
    assert race["capital_flight"] > 0.25  # % of capital every quarter
    # Below the closed economy's tax in the lesson's run, by little (0.30 against 0.32);
    # over seeds 0-5 the lesson world's means are 0.248 closed and 0.214 mobile, the
    # closed tax from 0.146 to 0.336 between seeds, which docs/teaching.md says.
    assert race["mean_capital_tax"] < closed["mean_capital_tax"]


def test_placebo_capital_moves_as_much_and_taxes_end_higher(out) -> None:
    race, placebo = out["race"], out["placebo"]
    assert placebo["capital_flight"] > 0.5 * race["capital_flight"]
    # 0.02: the smallest change of the capital tax of interest (scenarios/claims/claims.toml).
    # Over seeds 0-5 the placebo ends between the race and the closed economy (0.230
    # against 0.214 and 0.248): docs/teaching.md says so.
    assert placebo["mean_capital_tax"] > race["mean_capital_tax"] + 0.02


def test_package_cuts_flight_raises_good_jobs_and_lowers_income_gini(out) -> None:
    race, package = out["race"], out["package"]
    assert package["capital_flight"] < race["capital_flight"]
    assert package["good_jobs_share"] > race["good_jobs_share"]
    assert package["income_gini"] < 0.75 * race["income_gini"]  # by more than a quarter
    # Over seeds 0-5 too (0.178 against 0.214): the package's gains do not come from a
    # higher tax on capital.
    assert package["mean_capital_tax"] < race["mean_capital_tax"]


def test_reflex_rule_races_towards_zero_with_tax_blind_capital(out) -> None:
    assert out["reflex"]["mean_capital_tax"] < 0.15
    assert out["reflex"]["mean_capital_tax"] < 0.5 * out["placebo"]["mean_capital_tax"]
