"""Benefits that run out (`labour.benefit_duration`; regions/incomes.py phased_benefit_rates).

Unemployment insurance pays its full rate for a limited time, then assistance follows at a
lower one (OECD 2007, Benefits and Wages; OECD 2024, Society at a Glance, ch. 6).
"""

from __future__ import annotations

import numpy as np

from highroad.regions.incomes import phased_benefit_rates
from highroad.regions.model import RegionalEconomy
from highroad.scenarios import load_scenario


def test_the_rate_falls_once_the_spell_outlasts_the_duration():
    spell = np.array([1, 2, 3, 4, 5, 9])
    rates = phased_benefit_rates(spell, 0.4, 4, 0.64)
    np.testing.assert_allclose(rates, [0.4, 0.4, 0.4, 0.4, 0.4 * 0.64, 0.4 * 0.64])
    # Duration 0: no limit, the full rate for every spell.
    np.testing.assert_allclose(phased_benefit_rates(spell, 0.4, 0, 0.64), 0.4)


def _world(small: dict, duration: int) -> RegionalEconomy:
    return RegionalEconomy(load_scenario("baseline", {**small,
                                                       "labour.benefit_duration": duration}),
                           seed=2)


def test_long_term_claimants_draw_less_in_twin_worlds(small):
    """Twin worlds from one seed are the same until a spell first outlasts the duration:
    with a duration of one quarter, the second quarter's claimants who were unemployed in
    the first draw 0.64 of their benefit, so every region pays less than its twin without a
    limit, and no less than 0.64 of it."""
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
