"""Reading and driving the served dashboard page, by accessible names, for the browser tests."""

from __future__ import annotations

import re

HEADING = re.compile(r"^Week (-?\d+):")


def week_heading(page, week: int | None = None):
    return page.get_by_role("heading", name=re.compile(rf"^Week {week if week is not None else '-?\\d+'}:"))


def shown_week(page) -> int:
    return int(HEADING.match(week_heading(page).inner_text()).group(1))


def step_to(page, week: int) -> None:
    """Press Step until the heading shows ``week`` (weeks from the shock)."""
    while shown_week(page) < week:
        target = shown_week(page) + 1
        page.get_by_role("button", name="Step").click()
        week_heading(page, target).wait_for()


def wait_until_week_reaches(page, week: int) -> None:
    """On Play the browser may paint several weeks in one frame, so wait for "at least", not "exactly"."""
    page.wait_for_function("""week => [...document.querySelectorAll("h2")]
        .some(h => /^Week -?\\d+:/.test(h.textContent) && parseInt(h.textContent.slice(5)) >= week)""", arg=week)


def pick(page, label: str, option: str) -> None:
    """Choose ``option`` in the select box labelled ``label`` (a Vuetify select opens a list to click)."""
    page.locator(".v-select", has=page.get_by_text(label, exact=True)).first.click()
    page.locator(".v-menu__content.menuable__content__active").get_by_role("option", name=option, exact=True).click()


def knob_number(page, label: str) -> str:
    """The number shown beside a sidebar knob."""
    return page.get_by_label(f"{label} value").inner_text().strip()
