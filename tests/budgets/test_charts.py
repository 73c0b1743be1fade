"""The treemap's geometry (squarified: areas proportional to the amounts, inside the box,
no overlaps), the charts' SVG (a decimal point in every coordinate whatever the language,
labels escaped), and the palette's contrast with white labels."""

from __future__ import annotations

import itertools
import re

import pytest
from django.utils import translation

from budgets.charts import PALETTE, Item, bar_svg, squarify, treemap_svg
from budgets.numbers import kroner, millions, percent

CASES = [
    [500, 300, 120, 60, 20, 1],
    [1] * 9,
    [1_000_000_000, 3, 7],
    [42],
    [6, 6, 4, 3, 2, 2, 1],
]


@pytest.mark.parametrize("values", CASES)
@pytest.mark.parametrize(("width", "height"), [(800, 440), (320, 420), (100, 1000)])
def test_the_treemap_fills_the_box_with_areas_proportional_to_the_values(values, width, height):
    rects = squarify(values, width, height)
    total = sum(values)
    assert len(rects) == len(values)
    for value, rect in zip(values, rects, strict=True):
        assert rect.area == pytest.approx(value / total * width * height, rel=1e-6, abs=1e-6)
        assert rect.x >= -1e-9 and rect.y >= -1e-9
        assert rect.x + rect.width <= width + 1e-6 and rect.y + rect.height <= height + 1e-6
    assert sum(rect.area for rect in rects) == pytest.approx(width * height)
    for a, b in itertools.combinations(rects, 2):
        overlap_w = min(a.x + a.width, b.x + b.width) - max(a.x, b.x)
        overlap_h = min(a.y + a.height, b.y + b.height) - max(a.y, b.y)
        assert overlap_w <= 1e-6 or overlap_h <= 1e-6


def test_squarified_rectangles_are_not_slivers():
    rects = squarify([6, 6, 4, 3, 2, 2, 1], 600, 400)  # the paper's example
    worst = max(max(r.width / r.height, r.height / r.width) for r in rects)
    assert worst < 3


def _attributes(svg: str) -> list[str]:
    return re.findall(r'\s(?:x|y|width|height|viewBox|font-size)="([^"]*)"', svg)


def test_svg_numbers_have_a_decimal_point_in_nb_and_labels_are_escaped():
    items = [
        Item("Oppvekst <skole>", 1234567.891, "1,2 mill. kr"),
        Item("Kultur", 333333.333, "0,3 mill. kr"),
        Item("Netto inntekt", -5, "−5 kr"),
    ]
    with translation.override("nb"):
        svgs = [
            treemap_svg(items, width=801.5, height=440.25, title="T", desc="D", chart_id="t"),
            bar_svg(items, width=320.5, title="T", desc="D", chart_id="b"),
        ]
    for svg in svgs:
        values = _attributes(svg)
        assert values and all(re.fullmatch(r"[-0-9. ]+", value) for value in values)
        assert "<skole>" not in svg and "Oppvekst &lt;skole&gt;" in svg
        assert 'role="img"' in svg and 'aria-labelledby="' in svg
    assert 'viewBox="0 0 801.5 440.25"' in svgs[0]
    assert svgs[0].count("<rect") == 2  # the negative net amount has no area


@pytest.mark.parametrize(
    ("language", "whole", "short", "share"),
    [
        ("nb", "1\xa0234\xa0568\xa0kr", "1,2\xa0mill.\xa0kr", "12,5\xa0%"),
        ("nn", "1\xa0234\xa0568\xa0kr", "1,2\xa0mill.\xa0kr", "12,5\xa0%"),
        ("en", "NOK\xa01,234,568", "NOK\xa01.2\xa0m", "12.5\xa0%"),
    ],
)
def test_amounts_are_formatted_for_each_language(language, whole, short, share):
    with translation.override(language):
        assert kroner(1234567.5) == whole
        assert kroner(-1234567.5) == "−" + whole
        assert kroner(500, sign=True).startswith("+")
        assert millions(1234567) == short
        assert percent(12.5) == share


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("colour", PALETTE)
def test_white_labels_on_every_fill_meet_wcag_aa(colour):
    assert (1.05) / (_luminance(colour) + 0.05) >= 4.5
