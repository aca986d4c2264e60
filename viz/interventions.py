"""Interventions the teacher fires during a run: announce a stake, issue assurances, divest, fund an entrant.

Each button builds an ordinary scenario event for the current week and hands it to the running market
(``MarketModel.apply``, the same door scheduled events go through), so it shows in the event log at once and
acts from this week on. Nothing is reset.

Clicks that make no sense are refused with a short message, and nothing changes: a stake that would take the
vendor's owners past 100 %, the same stake or assurance twice in one week, a divestment of a stake nobody
holds, a fund with no capital, a second entrant from the same fund in one week, and anything after the end
of the run.
"""

from __future__ import annotations

import solara

from labelmarket.scenarios.schema import Assurance, Divestment, OwnershipChange, VentureFunding
from labelmarket.viz.parameters import knob_named, shock_event
from labelmarket.viz.run import ClassroomRun
from labelmarket.viz.transport import Transport


def default_investor(run: ClassroomRun) -> str:
    """The investor of the scenario's ownership change, else the first strategic investor."""
    event = shock_event(run.market.market_scenario, OwnershipChange)
    s = run.market.state
    strategic = [name for k, name in enumerate(s.investor_names) if s.is_strategic[k]]
    return event.investor if event else (strategic or s.investor_names)[0]


def fired_this_week(run: ClassroomRun, kind: type, **fields) -> bool:
    """True when the teacher already fired an event of ``kind`` with these field values this week."""
    return any(i.week == run.week and isinstance(i.event, kind)
               and all(getattr(i.event, name, None) == value for name, value in fields.items())
               for i in run.interventions)


def check_running(run: ClassroomRun) -> None:
    if run.at_end:
        raise ValueError("The run has ended: press Reset to start again.")


def announce_stake(run: ClassroomRun, investor: str, vendor: str, stake: float, voting: bool) -> None:
    """Buy ``stake`` of ``vendor`` for ``investor``; refused past 100 % of the vendor or twice in one week."""
    check_running(run)
    if fired_this_week(run, OwnershipChange, investor=investor, vendor=vendor):
        raise ValueError(f"{investor} already announced a stake in {vendor} this week: Step first.")
    s = run.market.state
    owned = float(s.stake[s.vendor_names.index(vendor)].sum())
    if owned + stake > 1.0 + 1e-9:
        raise ValueError(f"Refused: {vendor} is already {owned:.0%} owned by investors, so a {stake:.0%} stake "
                         f"would pass 100 % (at most {max(0.0, 1.0 - owned):.0%} is left).")
    run.intervene(OwnershipChange(kind="ownership_change", week=run.week, investor=investor, vendor=vendor,
                                  stake=stake, voting=voting), "stake")


def issue_assurances(run: ClassroomRun, vendor: str, strength: float) -> None:
    """``vendor`` promises a data firewall; refused twice in one week for the same vendor."""
    check_running(run)
    if fired_this_week(run, Assurance, vendor=vendor):
        raise ValueError(f"{vendor} already issued assurances this week: Step first.")
    run.intervene(Assurance(kind="assurance", week=run.week, vendor=vendor, strength=strength), "assurance")


def divest(run: ClassroomRun, investor: str, vendor: str) -> None:
    """Sell the investor's whole stake; refuses (ValueError) if it holds none."""
    check_running(run)
    s = run.market.state
    if s.stake[s.vendor_names.index(vendor), s.investor_names.index(investor)] <= 0:
        raise ValueError(f"{investor} holds no stake in {vendor}: nothing to divest")
    run.intervene(Divestment(kind="divestment", week=run.week, investor=investor, vendor=vendor), "divest")


def fund_neutral_entrant(run: ClassroomRun) -> str:
    """The venture fund with the most capital left commits a typical ticket (``behaviour.vc_ticket_share``
    of its capital) to found a neutral entrant in the focus vendor's segment; returns the entrant's name.

    It goes through the funds' own rule (``labelmarket.agents.investor.commit``): the fund's capital falls and the venture
    capital figure moves. A fund founds at most one entrant a week."""
    check_running(run)
    s, b = run.market.state, run.market.behaviour
    funds = [k for k in range(len(s.investor_names)) if not s.is_strategic[k] and s.capital_left_musd[k] > 0]
    if not funds:
        raise ValueError("No venture fund in this market has capital left to fund an entrant.")
    funds = [k for k in funds if not fired_this_week(run, VentureFunding, investor=s.investor_names[k])]
    if not funds:
        raise ValueError("Every fund with capital has already founded an entrant this week: Step first.")
    k = max(funds, key=lambda fund: s.capital_left_musd[fund])
    segment = s.segments[s.segment[s.vendor_names.index(run.focus_vendor)]]
    run.intervene(VentureFunding(kind="venture_funding", week=run.week, investor=s.investor_names[k],
                                 amount_musd=b.vc_ticket_share * float(s.capital_musd[k]), segment=segment),
                  "entrant")
    return s.vendor_names[-1]


@solara.component
def InterventionPanel(transport: Transport):
    """Pickers and the four intervention buttons; each click acts on the running market."""
    transport.changes.get()
    run = transport.run.value
    s = run.market.state
    investor = solara.use_reactive("")
    vendor = solara.use_reactive("")
    stake_knob, strength_knob = knob_named("stake"), knob_named("assurance_strength")
    stake = solara.use_reactive(0.49)
    voting = solara.use_reactive(False)
    strength = solara.use_reactive(0.5)
    message = solara.use_reactive("")
    vendors = [name for j, name in enumerate(s.vendor_names) if s.active[j]]
    chosen_investor = investor.value if investor.value in s.investor_names else default_investor(run)
    chosen_vendor = vendor.value if vendor.value in vendors else run.focus_vendor

    def act(action, *args):
        def on_click():
            try:
                action(run, *args)
                message.set("")
            except ValueError as error:
                message.set(str(error))
            transport.redraw()
        return on_click

    with solara.Row(gap="8px"):
        solara.Select("Investor", value=chosen_investor, values=list(s.investor_names), on_value=investor.set)
        solara.Select("Vendor", value=chosen_vendor, values=vendors, on_value=vendor.set)
    with solara.Row(gap="8px", style={"align-items": "center"}):
        solara.SliderFloat(f"Stake {stake.value:.0%}", value=stake, min=stake_knob.low, max=stake_knob.high,
                           step=0.01, thumb_label=False)
        solara.Checkbox(label="with votes", value=voting)
    with solara.Row(gap="8px"):
        solara.Button("Announce stake", color="primary",
                      on_click=act(announce_stake, chosen_investor, chosen_vendor, stake.value, voting.value))
        solara.Button("Divest", color="primary", outlined=True, on_click=act(divest, chosen_investor, chosen_vendor))
    solara.SliderFloat(f"Assurance strength {strength.value:.2f}", value=strength, min=strength_knob.low,
                       max=strength_knob.high, step=0.01, thumb_label=False)
    with solara.Row(gap="8px"):
        solara.Button("Issue assurances", color="primary",
                      on_click=act(issue_assurances, chosen_vendor, strength.value))
        solara.Button("Fund a neutral entrant", color="success", on_click=act(fund_neutral_entrant))
    if message.value:
        solara.Warning(message.value)
