"""A supra-regional institution above the regions (Cohen and Rogers 1997, §5; Walzer 2000).

Cohen and Rogers (1997, §5): "supra-regional authorities could reasonably require, as a condition of
their support for regional ones, limits to destructive regional competition" (§5); regions
"seeking increased capacity would naturally look to others … to provide performance
benchmarks" (§5); and the risk: "rich regions would withdraw from any broader regime
requiring contribution in excess of reward, exacerbating those differences" (§5, the
balkanization spiral). The mechanisms, each a key of `[policies.supra_regional]`:

- floors (`tax_floor`, `labour_standard_floor`), binding on each member in a quarter with
  probability `enforcement` (Walzer's weak global organisations have low enforcement);
- `harmonisation`: members' policies move toward one central policy (Walzer's global state:
  "universal standards of labor and welfare"; regional autonomy falls as it rises);
- `equalisation_rate`: fiscal equalisation between members (revenue per head toward the
  members' mean), drawn only in quarters when the centre has the `will` ("the will to
  undertake egalitarian reforms might well be absent ... But at least the capacity would
  exist"), capped by an `oligarchic_cap` on what any member pays ("only within limits set by
  its oligarches");
- `conditional_support`: a pooled fund for regional programmes (spent as quasi-public
  goods), paid only to members not undercutting the others' tax or standard (§5);
- `learning`: members copy the policy of their best-performing member neighbour on the
  region network (§5; Walzer: "success there a model for imitation or revision here");
- capital levies (`relocation_levy`, `exit_levy`) on capital leaving members (Walzer's third
  degree: "a World Bank and IMF strong enough to regulate the flow of capital"; global state
  and federation: nothing lies outside, so exit abroad is barred);
- `civil_society`: transnational associations that "run after problems": after a regional
  wage cut, observed with a lag, workers' bargaining power there rises (Walzer, second degree);
- empire: a `hegemon` (the region with most capital) takes `tribute` from the others and
  revokes their autonomy with probability `revocation` per quarter ("The autonomy is not
  secure, since the center is always capable of canceling it");
- `policy_noise`: the central policy carries a common random error each quarter, one draw for
  everyone (a "correlated error", Walzer's risk of central tyranny, the empire's
  "arbitrary and capricious" rule);
- `membership = "voluntary"`: each quarter a member leaves when its smoothed net
  contribution exceeds `tolerance` of its revenue, and a non-member that would be a net
  recipient rejoins — the balkanization test of Cohen and Rogers (1997, §5).

`regime` presets encode Walzer's seven regimes (Walzer 2000, §§II-IV); under a
preset, any key set to a value other than its default overrides the preset.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from highroad.policies import PolicyModule, PolicyParams, register
from highroad.policies.flows import gov_buys, gov_transfers
from highroad.scenarios.schema import default_value, spec

if TYPE_CHECKING:
    from highroad.regions.model import RegionalEconomy

MEMBERSHIP = ("compulsory", "voluntary")
REGIMES = ("custom", "global_state", "empire", "federation", "third_degree_pluralism",
           "second_degree_pluralism", "first_degree_pluralism", "anarchy")


@dataclass(frozen=True)
class Params(PolicyParams):
    enabled: bool = spec(False, "-", "Switch the supra-regional institution on.")
    regime: str = spec("custom", "-",
                       "Walzer regime preset (Walzer 2000, §§II-IV), or custom: the keys below as "
                       "set.", choices=REGIMES)
    membership: str = spec("compulsory", "-",
                           "Compulsory, or voluntary: each region decides each quarter whether "
                           "staying pays.", choices=MEMBERSHIP)
    tax_floor: float = spec(0.0, "share of profit", "Lowest capital tax a member may set.", 0, 0.9)
    labour_standard_floor: float = spec(0.0, "share of regional median wage",
                                        "Lowest wage floor (Kaitz index) a member may set.", 0, 1)
    enforcement: float = spec(1.0, "probability per member-quarter",
                              "Chance the floors bind on a member in a quarter.", 0, 1)
    harmonisation: float = spec(0.0, "per quarter",
                                "Share of the gap to the central policy a member closes each "
                                "quarter (1: one policy for all).", 0, 1)
    equalisation_rate: float = spec(0.0, "per quarter",
                                    "Share of the gap in revenue per head to the members' mean "
                                    "closed by transfers.", 0, 1)
    will: float = spec(1.0, "probability per quarter",
                       "Chance the centre actually redistributes in a quarter.", 0, 1)
    oligarchic_cap: float = spec(1.0, "share of own revenue",
                                 "Most a member pays into equalisation in a quarter.", 0, 1)
    conditional_support: float = spec(0.0, "share of member revenue",
                                      "Pooled support for regional programmes, paid only to "
                                      "members not undercutting.", 0, 0.5)
    undercut_margin: float = spec(0.1, "1",
                                  "A member undercuts when its tax or standard is below (1 - "
                                  "margin) times the members' mean.", 0, 1)
    learning: float = spec(0.0, "per quarter",
                           "Share of the policy gap to the best-performing member neighbour closed"
                           " per quarter.", 0, 1)
    relocation_levy: float = spec(0.0, "share of capital value",
                                  "Tax on capital leaving a member for another region; 1 bars it.",
                                  0, 1)
    exit_levy: float = spec(0.0, "share of capital value",
                            "Tax on capital leaving a member for the rest of the world; 1 bars it.",
                            0, 1)
    civil_society: float = spec(0.0, "Nash weight",
                                "Bargaining-power boost transnational associations bring to a "
                                "region after a wage cut.", 0, 0.5)
    civil_society_lag: int = spec(4, "quarters",
                                  "How far back associations compare wages (they react after the "
                                  "cut).", 1, 40)
    tribute: float = spec(0.0, "share of revenue",
                          "Empire: share of each subject region's revenue paid to the hegemon.",
                          0, 0.5)
    revocation: float = spec(0.0, "probability per member-quarter",
                             "Empire: chance the hegemon imposes its own policy on a subject "
                             "region.", 0, 1)
    policy_noise: float = spec(0.0, "policy units",
                               "Standard deviation of the common random error on the central "
                               "policy each quarter.", 0, 0.5)
    tolerance: float = spec(0.05, "share of own revenue",
                            "Voluntary membership: net contribution a member accepts before "
                            "leaving.", 0, 1)
    membership_memory: float = spec(0.8, "1",
                                    "Voluntary membership: weight on the past in the smoothed net "
                                    "benefit.", 0, 0.99)


# Walzer's regimes as presets (Walzer 2000, §§II-IV). Values are
# orders of magnitude for the text's qualitative rankings, not calibrated numbers.
PRESETS: dict[str, dict[str, Any]] = {
    # "a strong government that was able to establish universal standards of labor and
    # welfare and to shift resources from richer to poorer countries"; capacity, not will;
    # one central policy (autonomy ~0, correlated error); "no borders for them to cross".
    "global_state": dict(tax_floor=0.2, labour_standard_floor=0.5, enforcement=1.0,
                         harmonisation=1.0, equalisation_rate=0.5, will=0.5,
                         policy_noise=0.02, exit_levy=1.0),
    # hegemony "of a single great power over all the lesser powers"; no distributive aim;
    # revocable autonomy; "arbitrary and capricious"; multinationals "domesticated".
    "empire": dict(tribute=0.05, revocation=0.1, policy_noise=0.05, enforcement=0.9,
                   exit_levy=0.5),
    # common code of rights enforced by federal courts; redistribution "only within limits
    # set by its oligarches"; convergence to uniformity; "nothing lies outside".
    "federation": dict(tax_floor=0.15, labour_standard_floor=0.45, enforcement=0.95,
                       harmonisation=0.1, equalisation_rate=0.3, oligarchic_cap=0.05,
                       exit_levy=1.0),
    # independent agencies (capital regulator, WTO-like standards enforcer), regional
    # federations with modest redistribution, dense civil society, imitation of success.
    "third_degree_pluralism": dict(tax_floor=0.1, labour_standard_floor=0.4, enforcement=0.7,
                                   equalisation_rate=0.1, conditional_support=0.02,
                                   relocation_levy=0.05, exit_levy=0.05, learning=0.1,
                                   civil_society=0.05),
    # weak global organisations plus strong transnational civil society that reacts late and
    # cannot "redistribute resources on a significant scale".
    "second_degree_pluralism": dict(labour_standard_floor=0.3, enforcement=0.2,
                                    civil_society=0.1, learning=0.05),
    # "the global organizations are weak; their decision mechanisms are uncertain and slow;
    # their powers of enforcement are difficult to bring to bear"; no redistribution.
    "first_degree_pluralism": dict(tax_floor=0.05, labour_standard_floor=0.3, enforcement=0.2),
    # "there is no effective law binding on all of them": no supra-regional agent at all.
    "anarchy": dict(),
}


def resolve(params: Params) -> Params:
    """The effective settings: the regime's preset, with explicitly changed keys on top."""
    if params.regime == "custom":
        return params
    defaults = {f.name: default_value(f) for f in fields(Params)}
    changed = {f.name: getattr(params, f.name) for f in fields(Params)
               if f.name not in ("enabled", "regime")
               and getattr(params, f.name) != defaults[f.name]}
    return replace(Params(enabled=True, regime=params.regime),
                   **{**PRESETS[params.regime], **changed})


@register
class SupraRegional(PolicyModule):
    """Floors, harmonisation, equalisation, conditional support, learning, levies, membership."""

    name = "supra_regional"
    Params = Params

    def __init__(self, params: Params) -> None:
        super().__init__(params)
        self.settings = resolve(params)

    def on_setup(self, model: RegionalEconomy) -> None:
        s, R = self.settings, model.n_regions
        self.active = s.regime != "anarchy"
        model.region_column("member")[:] = self.active
        self.net_benefit = np.zeros(R)
        self.support_received = np.zeros(R)
        self.wage_history: list[np.ndarray] = []
        self.hegemon = int(np.argmax(model.capital_by_region))

    def members(self, model: RegionalEconomy) -> np.ndarray:
        return model.region_column("member").copy()

    def on_policy(self, model: RegionalEconomy) -> None:
        if not self.active:
            return
        s, member = self.settings, self.members(model)
        central = self.central_policy(model, member)
        harmonise(model, s, member, central)
        if s.revocation > 0:
            revoke_autonomy(model, s, member, central, self.hegemon)
        enforce_floors(model, s, member)
        if s.civil_society > 0:
            react_to_wage_cuts(model, s, self.wage_history)
        levy_capital_flight(model, s, member)

    def on_goods_market(self, model: RegionalEconomy) -> None:
        # Conditional support received last quarter, spent on regional programmes (§5).
        gov_buys(model, self.support_received, builds_stock=True, budgeted=False)
        self.support_received = np.zeros(model.n_regions)

    def on_supra(self, model: RegionalEconomy) -> None:
        self.wage_history = (self.wage_history + [model.region_column("median_wage").copy()])[
            -(self.settings.civil_society_lag + 1):]
        if not self.active:
            return
        s, member = self.settings, self.members(model)
        net = np.zeros(model.n_regions)
        if s.equalisation_rate > 0 and model.rng.random() < s.will:
            net += equalise(model, s, member)
        if s.tribute > 0:
            net += pay_tribute(model, s, member, self.hegemon)
        if s.conditional_support > 0:
            received, paid = support_conditionally(model, s, member)
            self.support_received += received
            net += received - paid
        if s.learning > 0:
            learn_from_neighbours(model, s, member)
        if s.membership == "voluntary":
            self.decide_membership(model, net)

    def central_policy(self, model: RegionalEconomy, member: np.ndarray) -> tuple[float, float]:
        """The centre's tax and standard, plus one common random error (`policy_noise`).

        The centre aggregates what members' governments prefer (their rules' preferred
        levels), so the error does not accumulate from quarter to quarter; in an empire the
        hegemon's current policy is the centre's.
        """
        s, rt = self.settings, model.region_table
        if s.revocation > 0 or s.tribute > 0:
            c_tax = rt.view("capital_tax")[self.hegemon]
            c_std = rt.view("labour_standard")[self.hegemon]
        elif member.any():
            c_tax = rt.view("preferred_tax")[member].mean()
            c_std = rt.view("preferred_standard")[member].mean()
        else:
            return float("nan"), float("nan")
        shock = s.policy_noise * model.rng.standard_normal() if s.policy_noise > 0 else 0.0
        return float(c_tax + shock), float(c_std + shock)

    def decide_membership(self, model: RegionalEconomy, net: np.ndarray) -> None:
        """Stay while the smoothed net benefit beats -tolerance; poor outsiders rejoin.

        Cohen and Rogers (1997, §5): "rich regions would withdraw from any broader regime requiring
        contribution in excess of reward, exacerbating those differences". A leaver's exit
        raises the burden on the next richest (the members' mean falls), which is how a
        spiral can start; a non-member whose revenue per head is below the members' mean
        would be a net recipient and asks back in (Cohen and Rogers 1997, §5: the poor "need" the
        better-off).
        """
        s, rt = self.settings, model.region_table
        member = rt.view("member")
        revenue = np.maximum(rt.view("revenue"), 1e-9)
        m = s.membership_memory
        self.net_benefit = np.where(member, m * self.net_benefit + (1 - m) * net / revenue, 0.0)
        leave = member & (self.net_benefit < -s.tolerance)
        capacity = rt.view("revenue") / np.maximum(model.workers_by_region, 1.0)
        stay = member & ~leave
        if stay.any():
            mean = (capacity[stay] * model.workers_by_region[stay]).sum() / max(
                model.workers_by_region[stay].sum(), 1.0)
            join = ~member & (capacity < mean)
        else:
            join = np.zeros_like(member)
        member[:] = (member & ~leave) | join
        model.flows["supra_leavers"] += int(leave.sum())
        model.flows["supra_joiners"] += int(join.sum())


def harmonise(model: RegionalEconomy, s: Params, member: np.ndarray,
              central: tuple[float, float]) -> None:
    """Members' policies move toward the central policy (Walzer: global state, federation)."""
    if s.harmonisation <= 0 or not member.any():
        return
    for name, target in zip(("capital_tax", "labour_standard"), central, strict=True):
        col = model.region_column(name)
        col[member] += s.harmonisation * (target - col[member])
        col[:] = np.clip(col, 0.0, 0.9 if name == "capital_tax" else 1.0)


def revoke_autonomy(model: RegionalEconomy, s: Params, member: np.ndarray,
                    central: tuple[float, float], hegemon: int) -> None:
    """Empire: now and then the hegemon imposes its policy on a subject region.

    Walzer (2000, §III): "The autonomy is not secure, since the center is always capable of
    canceling it".
    """
    subject = member & (np.arange(model.n_regions) != hegemon)
    hit = subject & (model.rng.random(model.n_regions) < s.revocation)
    model.region_column("capital_tax")[hit] = np.clip(central[0], 0.0, 0.9)
    model.region_column("labour_standard")[hit] = np.clip(central[1], 0.0, 1.0)
    model.flows["supra_revocations"] += int(hit.sum())


def enforce_floors(model: RegionalEconomy, s: Params, member: np.ndarray) -> None:
    """Members' tax and standard may not fall below the floors, where enforcement bites.

    Cohen and Rogers (1997, §5): "limits to destructive regional competition"; Walzer: a WTO "able
    to enforce labor and environmental standards"; weak organisations enforce "at best, only
    partially" (`enforcement` < 1).
    """
    if s.tax_floor <= 0 and s.labour_standard_floor <= 0:
        return
    binds = member & (model.rng.random(model.n_regions) < s.enforcement)
    tax, standard = model.region_column("capital_tax"), model.region_column("labour_standard")
    tax[binds] = np.maximum(tax[binds], s.tax_floor)
    standard[binds] = np.maximum(standard[binds], s.labour_standard_floor)


def react_to_wage_cuts(model: RegionalEconomy, s: Params, history: list[np.ndarray]) -> None:
    """Transnational associations push back where wages have been cut — after the fact.

    Walzer (second degree): "They struggle to organize a strike after wages have already been
    cut." A region whose median wage is below its level `civil_society_lag` quarters ago gets
    a bargaining-power boost this quarter.
    """
    if len(history) <= s.civil_society_lag:
        return
    cut = history[-1] < history[0]
    power = model.region_column("bargaining_power")
    power[cut] = np.clip(power[cut] + s.civil_society, 0.0, 1.0)
    model.flows["civil_society_actions"] += int(cut.sum())


def levy_capital_flight(model: RegionalEconomy, s: Params, member: np.ndarray) -> None:
    """Tax capital leaving members (Walzer third degree: regulate "the flow of capital")."""
    model.relocation_tax[member] = np.maximum(model.relocation_tax[member], s.relocation_levy)
    model.exit_tax[member] = np.maximum(model.exit_tax[member], s.exit_levy)


def equalise(model: RegionalEconomy, s: Params, member: np.ndarray) -> np.ndarray:
    """Fiscal equalisation: members' revenue per head moves toward their mean.

    Walzer (global state): the capacity "to shift resources from richer to poorer";
    (federation): "The greater the power acquired by the central government, obviously, the
    more redistribution there is likely to be", but "only within limits set by its
    oligarches" (the cap). Receipts are scaled to what contributors actually pay. Returns
    each region's net receipt.
    """
    R = model.n_regions
    if member.sum() < 2:
        return np.zeros(R)
    rt = model.region_table
    revenue = np.maximum(rt.view("revenue"), 0.0)
    workers = np.maximum(model.workers_by_region, 1.0)
    capacity = revenue / workers
    mean = (revenue[member].sum()) / workers[member].sum()
    gap = s.equalisation_rate * (capacity - mean) * workers
    paid = np.where(member & (gap > 0), np.minimum(gap, s.oligarchic_cap * revenue), 0.0)
    owed = np.where(member & (gap < 0), -gap, 0.0)
    if owed.sum() <= 0 or paid.sum() <= 0:
        return np.zeros(R)
    received = owed * (paid.sum() / owed.sum())
    gov_transfers(model, "supra_equalisation", paid, received)
    return received - paid


def pay_tribute(model: RegionalEconomy, s: Params, member: np.ndarray,
                hegemon: int) -> np.ndarray:
    """Empire: subject regions pay tribute to the hegemon (Walzer: "Imperial hegemony is a
    form of political inequality that commonly makes for further inequalities")."""
    R = model.n_regions
    subject = member & (np.arange(R) != hegemon)
    paid = np.where(subject, s.tribute * np.maximum(model.region_column("revenue"), 0.0), 0.0)
    if paid.sum() <= 0:
        return np.zeros(R)
    received = np.zeros(R)
    received[hegemon] = paid.sum()
    gov_transfers(model, "supra_tribute", paid, received)
    return received - paid


def support_conditionally(model: RegionalEconomy, s: Params,
                          member: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pool a share of members' revenue; pay it to members that do not undercut (§5).

    Cohen and Rogers (1997, §5): supra-regional authorities require, "as a condition of their
    support for regional ones, limits to destructive regional competition". A member qualifies
    while its capital tax and labour standard are at least (1 - margin) times the members'
    means; qualifying members share the pool per head. Returns (received, paid) by region.
    """
    R = model.n_regions
    zero = np.zeros(R)
    if not member.any():
        return zero, zero
    tax, standard = model.region_column("capital_tax"), model.region_column("labour_standard")
    keep = 1.0 - s.undercut_margin
    qualifies = (member & (tax >= keep * tax[member].mean())
                 & (standard >= keep * standard[member].mean()))
    if not qualifies.any():
        return zero, zero
    paid = np.where(member, s.conditional_support * np.maximum(
        model.region_column("revenue"), 0.0), 0.0)
    heads = np.where(qualifies, model.workers_by_region, 0.0)
    received = paid.sum() * heads / heads.sum()
    gov_transfers(model, "supra_support", paid, received, earmarked=True)
    return received, paid


def learn_from_neighbours(model: RegionalEconomy, s: Params, member: np.ndarray) -> None:
    """Members move their policy toward their best-performing member neighbour's.

    Cohen and Rogers (1997, §5): regions "would naturally look to others … to provide performance
    benchmarks"; Walzer: "success there a model for imitation or revision here". Performance
    is the expected wage of a resident: median wage times the employment rate.
    """
    rt = model.region_table
    workers = np.maximum(model.workers_by_region, 1.0)
    performance = rt.view("median_wage") * model.employed_by_region / workers
    links = (model.neighbours > 0) & member[None, :] & member[:, None]
    # Each member's best-performing member neighbour (the first of equals), all at once.
    best = np.argmax(np.where(links, performance[None, :], -np.inf), axis=1)
    learner = np.flatnonzero(links.any(axis=1) & ~(performance[best] <= performance))
    best = best[learner]
    for n in ("capital_tax", "labour_standard", "preferred_tax", "preferred_standard"):
        column = rt.view(n)
        column[learner] += s.learning * (column[best] - column[learner])
