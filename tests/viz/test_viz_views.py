"""Each view draws valid markup that says what it shows, and follows the run."""

import xml.etree.ElementTree as ElementTree

import pytest

from labelmarket.viz.charts import hhi_svg, shares_svg
from labelmarket.viz.event_log import event_log_html
from labelmarket.viz.heatmap import heatmap_svg
from labelmarket.viz.interventions import announce_stake
from labelmarket.viz.key_figures import key_figures_html
from labelmarket.viz.network import network_svg
from labelmarket.viz.run import ClassroomRun
from labelmarket.viz.svg import nice_ticks, trust_colour, vendor_colour


@pytest.fixture(scope="module")
def run():
    run = ClassroomRun()
    for _ in range(30):
        run.step()
    return run


@pytest.mark.parametrize("draw", [shares_svg, hhi_svg, network_svg, heatmap_svg])
def test_each_chart_is_valid_svg_with_a_label(run, draw):
    root = ElementTree.fromstring(draw(run))
    assert root.get("role") == "img" and "week 4" in root.get("aria-label")


def test_hhi_chart_draws_the_twin_dashed_and_the_guidelines(run):
    markup = hhi_svg(run)
    assert markup.count("<polyline") == 2 and 'stroke-dasharray="8 6"' in markup
    assert "1,800: highly concentrated" in markup and "1,000: moderately concentrated" in markup


def test_key_figures_compare_with_the_no_shock_twin(run):
    markup = key_figures_html(run)
    twin_hhi = run.twin.recorder.market_frame().hhi.iloc[-1]
    assert "Week 4: 4 weeks after the shock" in markup and f"no shock: {twin_hhi:,.0f}" in markup
    assert "Scale AI&#x27;s share" in markup


def test_the_event_log_is_newest_first_and_marks_the_teachers_events():
    run = ClassroomRun()
    for _ in range(28):
        run.step()
    announce_stake(run, "Meta Platforms", "Surge AI", 0.3, False)
    items = event_log_html(run).split("</li>")
    assert ">you</span><b>Week 3</b> — Meta Platforms bought a 30% non-voting stake in Surge AI" in items[0]
    weeks = [int(item.split("<b>Week ")[1].split("<")[0]) for item in items if "<b>Week " in item]
    assert weeks == sorted(weeks, reverse=True)


def test_the_heatmap_refuses_an_unknown_measure(run):
    with pytest.raises(ValueError, match="'loyalty' is not one of trust, perceived_neutrality"):
        heatmap_svg(run, "loyalty")


def test_colours_are_stable_and_ticks_are_round():
    assert vendor_colour(0, 6) == vendor_colour(0, 9) and vendor_colour(6, 6) != vendor_colour(5, 6)
    assert trust_colour(0.0) == "#d73027" and trust_colour(1.0) == "#4575b4"
    assert nice_ticks(-26, 78, 6) == [-20, 0, 20, 40, 60]


def test_the_starting_shares_show_before_the_first_step():
    run = ClassroomRun()
    assert shares_svg(run).count("<polygon") == run.market.state.n_vendors
