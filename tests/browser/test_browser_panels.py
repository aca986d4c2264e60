"""Info panel, agent inspector and export, in the browser."""

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from dashboard_page import pick, step_to

pytestmark = pytest.mark.browser

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_the_info_panel_opens_with_the_story_and_closes(dashboard):
    page = dashboard.page
    page.get_by_role("button", name="Info", exact=True).click()
    info = page.get_by_role("region", name="Info")
    for heading in ["The story", "What to notice", "Things to try"]:
        info.get_by_role("heading", name=heading).wait_for()
    page.get_by_role("button", name="Close info").click()
    info.wait_for(state="hidden")
    dashboard.assert_clean()


def test_clicking_a_vendor_in_the_network_opens_the_inspector(dashboard):
    page = dashboard.page
    step_to(page, 2)
    network = page.get_by_role("figure", name=re.compile("^Contract network"))
    network.get_by_role("button", name="Inspect Scale AI").click()
    inspector = page.locator(".v-dialog--active")
    inspector.get_by_text("Inspector: Scale AI (vendor)").wait_for()
    inspector.get_by_role("img", name="History of Scale AI, week 2").wait_for()
    assert "Meta Platforms 49%" in inspector.inner_text()
    google_row = inspector.get_by_role("table", name="Scale AI by lab").get_by_role("row").filter(has_text="Google")
    assert re.search(r"Google\s+\$[\d,]+M\s+0\.\d\d\s+[01]\.\d\d", google_row.inner_text())
    page.get_by_role("button", name="Close inspector").click()
    inspector.wait_for(state="hidden")
    heatmap = page.get_by_role("figure", name=re.compile("^Trust heatmap"))
    heatmap.get_by_role("button", name="Inspect Google").click()
    page.locator(".v-dialog--active").get_by_text("Inspector: Google (lab)").wait_for()
    dashboard.assert_clean()


def test_export_downloads_a_zip_whose_market_equals_labelmarket_run(dashboard, tmp_path):
    page = dashboard.page
    step_to(page, -16)  # ten weeks
    with page.expect_download() as download:
        page.get_by_role("button", name="Export run (zip)").click()
    assert download.value.suggested_filename == "meta_scale_2025-seed25-week-16.zip"
    archive = zipfile.ZipFile(download.value.path())
    exported = pd.read_parquet(io.BytesIO(archive.read("meta_scale_2025-seed25-week-16/market.parquet")))
    out = tmp_path / "cli"
    command = [str(Path(sys.executable).with_name("labelmarket")), "run", "meta_scale_2025", "--seed", "25",
               "--weeks", "10", "--out", str(out)]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    pd.testing.assert_frame_equal(exported, pd.read_parquet(out / "market.parquet"))
    assert len(exported) == 11
    dashboard.assert_clean()


def test_the_charts_download_as_one_png(dashboard):
    page = dashboard.page
    with page.expect_download() as download:
        page.get_by_role("button", name="Export charts as PNG").click()
    assert download.value.suggested_filename == "meta_scale_2025-seed25-week-26-charts.png"
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width >= 1280 and height > 4 * 600  # four charts at twice their size, stacked
    dashboard.assert_clean()


def test_side_by_side_runs_another_scenario_on_the_same_seed_in_the_same_charts(dashboard):
    page = dashboard.page
    pick(page, "Compare with (same seed)", "strong_assurances")
    page.get_by_text("Press Reset to apply: compare with strong_assurances").wait_for()
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("Scenario meta_scale_2025, seed 25; no knob moved; compared with strong_assurances").wait_for()
    step_to(page, 4)
    page.get_by_role("img", name=re.compile(r"^HHI, week 4: [\d,]+ with the shock, [\d,]+ without it, "
                                            r"[\d,]+ in strong_assurances$")).wait_for()
    hhi_tile = page.get_by_role("group", name="Market concentration (HHI)")
    assert re.search(r"compare: [\d,]+", hhi_tile.inner_text())
    dashboard.assert_clean()
