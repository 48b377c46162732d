"""The periods of a plan year a periodic target (每季度, 每半年, 每月) is due again in.

A target with ``period = "quarter"`` promises its minimum in each of the year's four
quarters; each period ends on its last day, which is when that period's count is due.
Dates are calendar dates (Asia/Shanghai, as every ``DateField`` here).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

QUARTERS = (_("第一季度"), _("第二季度"), _("第三季度"), _("第四季度"))
HALVES = (_("上半年"), _("下半年"))
#: For each period kind: how many months one period spans.
MONTHS_PER_PERIOD = {"year": 12, "half": 6, "quarter": 3, "month": 1}


@dataclass(frozen=True)
class Period:
    kind: str  # "year" / "half" / "quarter" / "month"
    year: int
    index: int  # 1-based within the year
    start: date
    end: date

    @property
    def key(self) -> str:
        """Stable identity, e.g. "2018-Q1", "2018-H2", "2018-M07", "2018"."""
        return {
            "year": f"{self.year}",
            "half": f"{self.year}-H{self.index}",
            "quarter": f"{self.year}-Q{self.index}",
            "month": f"{self.year}-M{self.index:02d}",
        }[self.kind]

    @property
    def label(self) -> str:
        if self.kind == "quarter":
            return str(QUARTERS[self.index - 1])
        if self.kind == "half":
            return str(HALVES[self.index - 1])
        if self.kind == "month":
            return str(_("%(n)d月") % {"n": self.index})
        return str(_("%(year)d 年度") % {"year": self.year})

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def periods_of(year: int, kind: str) -> list[Period]:
    """The periods of ``kind`` in the plan year, in order."""
    span = MONTHS_PER_PERIOD[kind]
    out = []
    for index, first in enumerate(range(1, 13, span), start=1):
        last = first + span - 1
        out.append(
            Period(
                kind=kind,
                year=year,
                index=index,
                start=date(year, first, 1),
                end=date(year, last, calendar.monthrange(year, last)[1]),
            )
        )
    return out
