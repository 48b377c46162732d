"""Phone width (390 px): the pages province staff use every day and HQ's board.

Screenshots of every page are kept in artifacts/browser/.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE_WIDTH
from tests.main_pages import set_the_stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE_OVERFLOW = "document.documentElement.scrollWidth"
WIDE = """() => Array.from(document.querySelectorAll("main *"))
  .filter(e => e.getBoundingClientRect().right > 391)
  .slice(0, 5).map(e => e.tagName + "." + e.className + "#" + e.id)"""


def test_staff_pages_and_the_board_are_usable_on_a_phone(phone, plan_2018):
    cast = set_the_stage(plan_2018)
    page = phone.login(cast.users["province_staff"])
    staff_pages = {
        "todo": "/provinces/todo/",
        "registration": cast.pages["province_staff"][1],
        "ledger": "/provinces/ledger/",
        "inbox": "/notifications/",
        "deadlines": "/provinces/deadlines/",
        "trends": "/reporting/trends/",
    }
    for label, path in staff_pages.items():
        phone.go(path)
        # Nothing pushes the page wider than the phone: wide tables scroll in their own box.
        assert page.evaluate(PAGE_OVERFLOW) <= PHONE_WIDTH, (label, page.evaluate(WIDE))
        # The navigation is one short row, not a 650 px column before any content.
        nav = page.locator(".mainnav").bounding_box()
        assert nav["height"] < 60, (label, nav)
        assert page.locator("h1").bounding_box()["y"] < 260, label
        phone.shot(label)
    phone.go("/provinces/todo/")
    # A task's name reads on a line or two, not two or three characters a line.
    task_link = page.locator("#todo tbody tr td:nth-child(2) a").first
    box = task_link.bounding_box()
    assert box["width"] > 150, box

    page = phone.login(cast.users["hq_reviewer"])
    phone.go("/provinces/board/?year=2018")
    assert page.evaluate(PAGE_OVERFLOW) <= PHONE_WIDTH
    scroller = page.locator(".scroll-x:has(#board)")
    assert scroller.evaluate("el => el.scrollWidth > el.clientWidth")  # it scrolls sideways
    unit = page.locator("#board tbody th.unit").first
    name = unit.locator("a")
    assert name.bounding_box()["height"] < 30  # 北京 on one line, not running down the page
    # 催办 reads on one line, not "催/办" one character a line.
    remind = page.locator("#board tbody a", has_text="催办").first
    assert remind.bounding_box()["height"] < 30, remind.bounding_box()
    assert remind.evaluate("a => getComputedStyle(a).whiteSpace") == "nowrap"
    before = unit.bounding_box()["x"]
    phone.shot("board")
    scroller.evaluate("el => { el.scrollLeft = 400; }")
    page.wait_for_function("document.querySelector('.scroll-x').scrollLeft > 0")
    assert abs(unit.bounding_box()["x"] - before) < 1  # the unit column stays put
    cell = page.locator("#board tbody tr").first.locator("td").nth(3)
    assert cell.bounding_box()["x"] < before + 400  # while the cells moved under it
    phone.shot("board-scrolled")
