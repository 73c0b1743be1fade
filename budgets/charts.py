"""The budget's charts as server-side SVG: a squarified treemap and a bar chart of sectors.

The treemap's layout is the squarified algorithm of Bruls, Huizing and van Wijk (2000):
rectangles whose areas are proportional to the amounts, laid out in rows along the shorter
side of what is left, a row kept while adding a rectangle makes its worst aspect ratio no
worse. Only positive amounts have an area (a sector whose income exceeds its costs is in
the table, not in the treemap).

Each chart is ``role="img"`` with a title and a description; every rectangle and bar has
its own ``<title>``, a text label where it fits, and every amount is in the table behind
the chart. Coordinates are written with a decimal point whatever the language (``%.2f``),
never through the locale. Each chart is drawn twice, wide and narrow, and the page's CSS
shows the one that fits the screen, so that labels stay readable on a phone.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# Fills with white text at a contrast of at least 4.5:1 (WCAG 2.1 AA), distinct in hue.
PALETTE = (
    "#1d4e89",
    "#8c2d19",
    "#2d6a2f",
    "#5b3a8c",
    "#7a4b00",
    "#00606b",
    "#8a1f52",
    "#3d4a5c",
    "#5c5c00",
    "#a0301e",
)
FONT = 14
CHAR_WIDTH = 0.6 * FONT  # a generous average for the sans-serif labels


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float

    @property
    def area(self) -> float:
        return self.width * self.height


@dataclass(frozen=True)
class Item:
    label: str
    value: float
    text: str  # the amount as the page writes it (localised)


def _worst(row: list[float], length: float) -> float:
    total = sum(row)
    return max(
        max(length * length * r / (total * total), total * total / (length * length * r))
        for r in row
    )


def squarify(values: list[float], width: float, height: float) -> list[Rect]:
    """Rectangles filling ``width`` × ``height``, one per value (in the given order), each
    with an area proportional to its value. Values must be positive."""
    if not values:
        return []
    order = sorted(range(len(values)), key=lambda i: -values[i])
    total = sum(values)
    areas = [values[i] * width * height / total for i in order]
    placed: list[Rect] = []
    x, y, w, h = 0.0, 0.0, float(width), float(height)
    start = 0
    while start < len(areas):
        length = min(w, h)
        end = start + 1
        while end < len(areas) and _worst(areas[start : end + 1], length) <= _worst(
            areas[start:end], length
        ):
            end += 1
        row = areas[start:end]
        row_total = sum(row)
        last = end == len(areas)
        if w >= h:
            column = w if last else row_total / h
            offset = y
            for area in row:
                size = area / column
                placed.append(Rect(x, offset, column, size))
                offset += size
            x, w = x + column, w - column
        else:
            band = h if last else row_total / w
            offset = x
            for area in row:
                size = area / band
                placed.append(Rect(offset, y, size, band))
                offset += size
            y, h = y + band, h - band
        start = end
    result: list[Rect] = [Rect(0, 0, 0, 0)] * len(values)
    for index, rect in zip(order, placed, strict=True):
        result[index] = rect
    return result


def _join(parts) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value else "0"


def _fit(text: str, width: float) -> str:
    room = int((width - 10) / CHAR_WIDTH)
    if room < 3:
        return ""
    return text if len(text) <= room else text[: room - 1].rstrip() + "…"


def _frame(width, height, title, desc, chart_id, body, css_class) -> SafeString:
    return format_html(
        '<svg class="{}" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d" '
        'xmlns="http://www.w3.org/2000/svg" font-size="{}">'
        '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>{}</svg>',
        css_class,
        _n(width),
        _n(height),
        chart_id,
        chart_id,
        FONT,
        chart_id,
        title,
        chart_id,
        desc,
        body,
    )


def treemap_svg(
    items: list[Item],
    *,
    width: float,
    height: float,
    title: str,
    desc: str,
    chart_id: str,
    css_class: str = "treemap",
) -> SafeString:
    shown = [item for item in items if item.value > 0]
    rects = squarify([item.value for item in shown], width, height)
    parts = []
    for index, (item, rect) in enumerate(zip(shown, rects, strict=True)):
        label = _fit(item.label, rect.width) if rect.height >= FONT + 8 else ""
        amount = _fit(item.text, rect.width) if rect.height >= 2 * FONT + 16 else ""
        texts = []
        if label:
            texts.append(
                format_html(
                    '<text x="{}" y="{}" fill="#fff" font-weight="bold">{}</text>',
                    _n(rect.x + 5),
                    _n(rect.y + FONT + 4),
                    label,
                )
            )
        if amount:
            texts.append(
                format_html(
                    '<text x="{}" y="{}" fill="#fff">{}</text>',
                    _n(rect.x + 5),
                    _n(rect.y + 2 * FONT + 10),
                    amount,
                )
            )
        parts.append(
            format_html(
                '<g><title>{}: {}</title><rect x="{}" y="{}" width="{}" height="{}" fill="{}" '
                'stroke="#fff" stroke-width="2"/>{}</g>',
                item.label,
                item.text,
                _n(rect.x),
                _n(rect.y),
                _n(rect.width),
                _n(rect.height),
                PALETTE[index % len(PALETTE)],
                _join(texts),
            )
        )
    return _frame(width, height, title, desc, chart_id, _join(parts), css_class)


BAR_ROW = 46
BAR_HEIGHT = 16


def bar_svg(
    items: list[Item],
    *,
    width: float,
    title: str,
    desc: str,
    chart_id: str,
    css_class: str = "bars",
) -> SafeString:
    """Horizontal bars, one per item, the label and amount above each bar."""
    largest = max((item.value for item in items), default=0) or 1
    parts = []
    for index, item in enumerate(items):
        top = index * BAR_ROW
        length = max(item.value, 0) / largest * (width - 2)
        # The name on the left, the amount on the right of the same line, the bar below.
        name = _fit(item.label, width - len(item.text) * CHAR_WIDTH - 4)
        parts.append(
            format_html(
                '<g><title>{}: {}</title><text x="0" y="{}" fill="#1b1b1b">{}</text>'
                '<text x="{}" y="{}" fill="#1b1b1b" text-anchor="end">{}</text>'
                '<rect x="0" y="{}" width="{}" height="{}" fill="{}"/></g>',
                item.label,
                item.text,
                _n(top + FONT + 2),
                name,
                _n(width),
                _n(top + FONT + 2),
                item.text,
                _n(top + FONT + 10),
                _n(length),
                BAR_HEIGHT,
                PALETTE[index % len(PALETTE)],
            )
        )
    height = max(len(items), 1) * BAR_ROW
    return _frame(width, height, title, desc, chart_id, _join(parts), css_class)


def both(draw, items, *, chart_id: str, wide: dict, narrow: dict, **common) -> SafeString:
    """The chart drawn wide and narrow; the CSS shows one (``.chart-wide``/``.chart-narrow``)."""
    return format_html(
        "{}{}",
        draw(items, chart_id=f"{chart_id}-wide", css_class="chart-wide", **wide, **common),
        draw(items, chart_id=f"{chart_id}-narrow", css_class="chart-narrow", **narrow, **common),
    )
