"""Drawing a digest's trend as SVG bars, server-side (the same in the page and the PDF)."""

from django import template

register = template.Library()

CHART_WIDTH = 600
CHART_HEIGHT = 160
LABEL_SPACE = 20


@register.filter
def trend_bars(trend: list[dict]) -> list[dict]:
    """Bars for the months of a trend: x, y, width, height in a 600 × 180 view box."""
    if not trend:
        return []
    most = max(1, *(row["count"] for row in trend))
    width = CHART_WIDTH / len(trend)
    bars = []
    for index, row in enumerate(trend):
        height = round(row["count"] / most * (CHART_HEIGHT - 20), 1)
        bars.append(
            {
                "x": round(index * width + width * 0.1, 1),
                "y": round(CHART_HEIGHT - height, 1),
                "width": round(width * 0.8, 1),
                "height": height,
                "label_x": round(index * width + width / 2, 1),
                "label_y": round(CHART_HEIGHT - height - 3, 1),
                "count": row["count"],
                "month": row["month"],
                "show_label": len(trend) <= 12 or index % max(1, len(trend) // 12) == 0,
            }
        )
    return bars


@register.filter
def percent(value) -> str:
    """A share (0–1) as a whole percentage, or a dash."""
    if value is None:
        return "–"
    return f"{round(value * 100)} %"
