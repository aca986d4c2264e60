"""Each view draws valid markup that says what it shows, follows the run, and keeps its text readable."""

import re
import xml.etree.ElementTree as ElementTree

import pytest

from labelmarket.viz.charts import hhi_svg, shares_svg
from labelmarket.viz.end_of_run import end_of_run_words
from labelmarket.viz.event_log import SHOCKS_ONLY, event_log_html
from labelmarket.viz.heatmap import heatmap_svg
from labelmarket.viz.interventions import announce_stake, fund_neutral_entrant, issue_assurances
from labelmarket.viz.key_figures import key_figures_html
from labelmarket.viz.network import network_svg
from labelmarket.viz.run import OWN_VALUES, ClassroomRun
from labelmarket.viz.svg import nice_ticks, text_width, trust_colour, vendor_colour

CHARTS = [shares_svg, hhi_svg, network_svg, heatmap_svg]
SVG = "{http://www.w3.org/2000/svg}"


MOVE_AMOUNT = r"(?:moved|gave notice on) \$([\d,.]+)M"


@pytest.fixture(scope="module")
def run():
    run = ClassroomRun()
    for _ in range(30):
        run.step()
    return run


@pytest.fixture(scope="module")
def crowded():
    """14 entrants founded by hand over a few weeks, two interventions one week apart."""
    run = ClassroomRun(compare="strong_assurances")
    for _ in range(27):
        run.step()
    while run.market.state.n_vendors - run.first_entrant < 14:
        try:
            fund_neutral_entrant(run)
        except ValueError:
            run.step()
    issue_assurances(run, "Scale AI", 0.9)
    run.step()
    announce_stake(run, "Meta Platforms", "Surge AI", 0.2, False)
    return run


def texts(markup):
    root = ElementTree.fromstring(markup)
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    return root, width, height, root.iter(f"{SVG}text")


@pytest.mark.parametrize("draw", CHARTS)
def test_each_chart_is_valid_svg_with_a_label(run, draw):
    root = ElementTree.fromstring(draw(run))
    assert root.get("role") in ("img", "figure") and "week 4" in root.get("aria-label")


@pytest.mark.parametrize("draw", CHARTS)
def test_chart_text_is_at_least_14_units_and_stays_inside_the_chart_with_14_entrants(crowded, draw):
    """14 units are at least 14 px once the chart is drawn as wide as its viewBox (as at 1920 x 1080)."""
    _, width, height, found = texts(draw(crowded))
    for text in found:
        size, x, y = float(text.get("font-size")), float(text.get("x")), float(text.get("y"))
        assert size >= 14, text.text
        extent = text_width(text.text, size) * 0.85  # the estimate is generous; Roboto is narrower
        if text.get("transform"):  # upright column names: they grow upwards from y
            assert y - extent >= 0, text.text
            continue
        anchor = text.get("text-anchor")
        left = x - extent if anchor == "end" else x - extent / 2 if anchor == "middle" else x
        assert 0 <= left and left + extent <= width and 0 <= y <= height, text.text


def test_marker_labels_never_print_over_each_other(crowded):
    for draw in (shares_svg, hhi_svg):
        _, _, _, found = texts(draw(crowded))
        labels = [t for t in found if t.get("fill") in ("#555", "#C2185B") and float(t.get("y")) < 76]
        boxes = [(float(t.get("x")), float(t.get("x")) + text_width(t.text, 14), float(t.get("y"))) for t in labels]
        assert len(boxes) >= 2
        for i, (left, right, y) in enumerate(boxes):
            for other_left, other_right, other_y in boxes[i + 1:]:
                assert y != other_y or right <= other_left or other_right <= left


def test_the_charts_mark_the_promise_the_vendor_decided_with_the_scheduled_events():
    """D86: Scale AI's promise is its own decision, not a scheduled event; the charts still mark it."""
    run = ClassroomRun()
    while ">stake" not in hhi_svg(run):  # step to the shock week: before it, nothing is marked
        assert "assurance" not in hhi_svg(run)
        run.step()
    for draw in (hhi_svg, shares_svg):  # the promise is marked in the week Scale decides it, the shock week
        assert ">stake + leaders leave + assurance<" in draw(run)


def test_hhi_chart_draws_the_twin_dashed_the_comparison_dotted_and_the_guidelines(crowded):
    markup = hhi_svg(crowded)
    assert markup.count("<polyline") == 3 and 'stroke-dasharray="8 6"' in markup and 'stroke-dasharray="2 4"' in markup
    assert "1,800: highly concentrated" in markup and "in strong_assurances" in markup


def test_key_figures_compare_with_the_twin_and_the_comparison():
    run = ClassroomRun(compare=OWN_VALUES, settings={"wariness_gain": 1.5})
    for _ in range(30):
        run.step()
    markup = key_figures_html(run)
    twin_hhi = run.twin.recorder.market_frame().hhi.iloc[-1]
    other_hhi = run.comparison.recorder.market_frame().hhi.iloc[-1]
    assert "Week 4: 4 weeks after the shock" in markup and f"no shock: {twin_hhi:,.0f}" in markup
    assert f"compare: {other_hhi:,.0f}" in markup and "changed: Wariness after a let-down 1.5" in markup


def test_no_shock_says_so_until_a_stake_is_fired_and_then_counts_from_it():
    run = ClassroomRun("no_shock")
    for _ in range(11):
        run.step()
    assert "Week -15: no shock in this run (yet)" in key_figures_html(run)
    announce_stake(run, "Meta Platforms", "Surge AI", 0.49, False)
    assert "Week 0: the week of the shock" in key_figures_html(run)
    assert "Surge AI&#x27;s share" in key_figures_html(run)
    log = event_log_html(run)
    assert re.search(r"The shock:</span><span[^>]*>you</span><b>Week 0</b> — Meta Platforms bought", log)
    run.step()
    assert "Week 1: 1 week after the shock" in key_figures_html(run)


def test_the_event_log_is_newest_first_and_marks_the_teachers_events():
    run = ClassroomRun()
    for _ in range(28):
        run.step()
    announce_stake(run, "Meta Platforms", "Surge AI", 0.3, False)
    listed = event_log_html(run).split('aria-label="Event log"')[1].split("</li>")
    assert ">you</span><b>Week 2</b> — Meta Platforms bought a 30% non-voting stake in Surge AI" in listed[0]
    weeks = [int(item.split("<b>Week ")[1].split("<")[0]) for item in listed if "<b>Week " in item]
    assert weeks == sorted(weeks, reverse=True)


def test_the_event_log_filters_and_pins_the_shock(run):
    everything = event_log_html(run)
    shocks = event_log_html(run, show=SHOCKS_ONLY)
    assert everything.count("<li") > shocks.count("<li") and " moved $" not in shocks.split("Event log")[1]
    assert 'aria-label="Pinned shock"' in shocks and "Meta Platforms bought a 49%" in shocks.split("Event log")[0]
    assert "Scale AI decided to promise a data firewall" in shocks.split("Event log")[1], "its own promise (D86)"
    big = event_log_html(run, min_move_musd=50)
    # a move reads "X moved $N" (no notice) or "X gave notice on $N/yr" (model 2.0 contracts, D37)
    amounts = [float(a) for a in re.findall(MOVE_AMOUNT, big.split("Event log")[1])]
    assert amounts and min(amounts) >= 49.5
    google = event_log_html(run, lab="Google").split("Event log")[1]
    movers = re.findall(r"— ([^<]+?) (?:moved|gave notice on) \$", google)
    assert movers and all(m.startswith("Google") for m in movers)


def test_new_numeric_driver_columns_show_in_plain_words(run, monkeypatch):
    real = run.events
    monkeypatch.setattr(run, "events", lambda: real().assign(trust_before=0.61, alarm_trust=0.5))
    html = event_log_html(run)
    assert "trust before 0.61" in html and "alarm trust 0.50" in html


def test_the_end_of_run_gives_the_key_outcome():
    run = ClassroomRun("toy")
    while run.step():
        pass
    words = end_of_run_words(run)
    hhi = run.market.recorder.market_frame().hhi.iloc[-1]
    assert words.startswith(f"End of run, week {run.report_week(run.horizon_weeks)}: HHI {hhi:,.0f} with the shock")


def test_the_heatmap_refuses_an_unknown_measure(run):
    with pytest.raises(ValueError, match="'loyalty' is not one of trust, perceived_neutrality"):
        heatmap_svg(run, "loyalty")


def test_labs_and_vendors_are_clickable_in_the_network_and_the_heatmap(run):
    for draw in (network_svg, heatmap_svg):
        root = ElementTree.fromstring(draw(run))
        targets = {g.get("data-agent") for g in root.iter(f"{SVG}g") if g.get("data-agent")}
        assert {"Scale AI", "Google"} <= targets
        assert all(g.get("role") == "button" for g in root.iter(f"{SVG}g") if g.get("data-agent"))


def test_names_are_escaped_in_the_markup(run):
    s = run.market.state
    s.lab_names[0] = "<script>alert(1)</script>"
    try:
        for draw in CHARTS:
            assert "<script>" not in draw(run)
        assert "<script>" not in event_log_html(run, lab="<script>alert(1)</script>")
    finally:
        s.lab_names[0] = "Google"


def test_colours_are_stable_and_ticks_are_round():
    assert vendor_colour(0, 6) == vendor_colour(0, 9) and vendor_colour(6, 6) != vendor_colour(5, 6)
    assert trust_colour(0.0) == "#d73027" and trust_colour(1.0) == "#4575b4"
    assert nice_ticks(-26, 78, 6) == [-20, 0, 20, 40, 60]


def test_the_starting_shares_show_before_the_first_step():
    run = ClassroomRun()
    assert shares_svg(run).count("<polygon") == run.market.state.n_vendors
