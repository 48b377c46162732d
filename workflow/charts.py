"""Charts as inline SVG: no JavaScript, so they render in a page and in WeasyPrint's PDF."""

from __future__ import annotations

import unicodedata

from django.utils.html import escape
from django.utils.safestring import mark_safe

BODY_FONT = "Noto Sans CJK SC"


def fit_label(text: str, width: float, font_size: float = 10) -> str:
    """``text`` cut to ``width`` (in the chart's units) with an ellipsis, never mid-glyph.

    A CJK or full-width character is one em wide, anything else about half of one.
    """

    def em(ch: str) -> float:
        return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55

    if sum(em(ch) for ch in text) * font_size <= width:
        return text
    room = width / font_size - 1.0  # keep one em for the ellipsis
    out = ""
    for ch in text:
        if sum(em(c) for c in out + ch) > room:
            break
        out += ch
    return out.rstrip() + "…"


def bar_chart(
    rows: list[tuple[str, int]],
    unit: str,
    width: int = 620,
    *,
    title: str = "",
    desc: str = "",
    ident: str = "",
) -> str:
    """A horizontal SVG bar chart (no JavaScript, renders in WeasyPrint).

    Labels too long for their column end in an ellipsis (the full label is the bar's title);
    the text names the simplified-Chinese font, or fontconfig may pick a Japanese face.
    With ``title`` (and ``desc``), the chart is an image named by its own <title> and
    <desc> for screen readers; ``ident`` makes their ids unique on the page. Values may be
    Decimals (money in 万元).
    """
    if not rows:
        return ""
    top = max(v for _, v in rows) or 1
    bar_h, gap, label_w = 16, 6, 150
    height = len(rows) * (bar_h + gap) + gap
    named = ""
    if title:
        ident = ident or "chart"
        labelled = f"{ident}-title {ident}-desc" if desc else f"{ident}-title"
        named = f' role="img" aria-labelledby="{escape(labelled)}"'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="chart" font-family="{BODY_FONT}" '
        f'xml:lang="zh-Hans"{named}>'
    ]
    if title:
        parts.append(f'<title id="{escape(ident)}-title">{escape(title)}</title>')
        if desc:
            parts.append(f'<desc id="{escape(ident)}-desc">{escape(desc)}</desc>')
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = int((width - label_w - 70) * value / top)
        shown = fit_label(label, label_w - 10)
        parts.append(
            f"<g><title>{escape(label)}</title>"
            f'<text x="{label_w - 6}" y="{y + bar_h - 4}" text-anchor="end" font-size="10">{escape(shown)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{max(w, 1)}" height="{bar_h}" fill="#b3261e"/>'
            f'<text x="{label_w + w + 4}" y="{y + bar_h - 4}" font-size="10">{value}{escape(unit)}</text>'
            "</g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped


__all__ = ["BODY_FONT", "bar_chart", "fit_label"]
