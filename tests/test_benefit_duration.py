"""Benefits that run out (`labour.benefit_duration`; regions/incomes.py phased_benefit_rates
and assistance_bases).

Unemployment insurance pays its full rate of the claimant's last wage for a limited time,
then assistance follows at a lower rate of her region's median wage (OECD 2007, Benefits
and Wages; OECD 2024, Society at a Glance, ch. 6).
"""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest
from conftest import BASELINE_TOML_DEFAULTS

from highroad.regions.incomes import assistance_bases, phased_benefit_rates
from highroad.regions.model import RegionalEconomy
from highroad.scenarios import load_scenario


def test_the_rate_falls_once_the_spell_outlasts_the_duration():
    spell = np.array([1, 2, 3, 4, 5, 9])
    rates = phased_benefit_rates(spell, 0.4, 4, 0.64)
    np.testing.assert_allclose(rates, [0.4, 0.4, 0.4, 0.4, 0.4 * 0.64, 0.4 * 0.64])
    # Duration 0: no limit, the full rate for every spell.
    np.testing.assert_allclose(phased_benefit_rates(spell, 0.4, 0, 0.64), 0.4)


def test_assistance_replaces_the_median_not_the_last_wage():
    bases = np.array([5.0, 5.0, 0.5, 0.5])
    spell = np.array([4, 5, 4, 5])
    median = np.array([1.0, 1.0, 1.2, 1.2])
    np.testing.assert_array_equal(assistance_bases(bases, spell, 4, median), [5.0, 1.0, 0.5, 1.2])


def _world(small: dict, duration: int) -> RegionalEconomy:
    return RegionalEconomy(load_scenario("baseline", {**small,
                                                       "labour.benefit_duration": duration}),
                           seed=2)


def test_long_term_claimants_draw_less_in_twin_worlds(small):
    """Twin worlds from one seed are the same until a spell first outlasts the duration:
    with a duration of one quarter, the second quarter's claimants who were unemployed in
    the first draw 0.64 of the full rate, on their region's median wage instead of their
    own last wage, so every region pays less than its twin without a limit. (Not less than
    0.64 of it at this seed: the long-term claimants' last wages and the medians are close
    this early.)"""
    limited, unlimited = _world(small, 1), _world(small, 0)
    for model in (limited, unlimited):
        model.step()
    np.testing.assert_array_equal(limited.workforce.employer, unlimited.workforce.employer)
    np.testing.assert_allclose(limited.region_column("benefits"),
                               unlimited.region_column("benefits"))
    spell = limited.workforce.columns["unemployment_spell"]
    assert spell.max() == 1 and "unemployment_spell" not in unlimited.workforce.columns
    for model in (limited, unlimited):
        model.step()
    paid, full = limited.region_column("benefits"), unlimited.region_column("benefits")
    assert (spell == 2).any()
    assert np.all(paid < full) and np.all(paid >= 0.64 * full)


def test_the_spell_restarts_on_a_job_and_for_an_entrant(small):
    model = _world(small, 2)
    for _ in range(3):
        model.step()
    wf = model.workforce
    spell = wf.columns["unemployment_spell"]
    entrants = model.entrants
    # Entrants replaced retirees after this quarter's benefits: no spell yet.
    assert np.all(spell[entrants] == 0)
    employed = wf.employed_index()
    others = np.setdiff1d(employed, entrants)
    assert np.all(spell[others] == 0)
    # The unemployed counted every quarter they drew a benefit, at most the three so far;
    # those a closing firm laid off after this quarter's benefits have not drawn one yet.
    unemployed = np.setdiff1d(np.flatnonzero(wf.employer < 0), entrants)
    assert np.all(spell[unemployed] <= 3) and (spell[unemployed] >= 1).mean() > 0.5


def _active_firms(model: RegionalEconomy, region: int) -> int:
    t = model.firm_table
    return int((t.view("active") & (t.view("region") == region)).sum())


@pytest.mark.slow
def test_benefits_that_run_out_reopen_a_region_its_last_firms_left():
    """The trap docs/validation.md measured at the baseline.toml defaults (pinned:
    `BASELINE_TOML_DEFAULTS`), benefits without limit, on each claimant's last wage,
    seed 2: region 5's last firms, the most productive, paid the
    highest wages in the economy, and when the last closes (quarter 166) its 2,000 workers
    keep benefits on those wages. The region's outside option (1.7) is above what a job
    there earns (1.2-1.5 at productivity 1), so no entrant expects a profit and none comes:
    still empty 20 quarters on. Its twin from the same state, where insurance runs out after
    four quarters and assistance follows on the region's median, has firms again within
    those 20 quarters (measured: 30 after 8 quarters, 65 after 20)."""
    model = RegionalEconomy(load_scenario("baseline", BASELINE_TOML_DEFAULTS), seed=2)
    while _active_firms(model, 5) > 0:
        model.step()
        assert model.steps < 200, "region 5 no longer empties at seed 2"
    twin = copy.deepcopy(model)
    twin.params = replace(twin.params, labour=replace(twin.params.labour, benefit_duration=4))
    for _ in range(20):
        model.step()
        twin.step()
        assert _active_firms(model, 5) == 0 and model.entry_rates()[5] < 0
    assert _active_firms(twin, 5) > 0
