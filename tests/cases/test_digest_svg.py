"""Every SVG a digest draws is valid in every language: numbers are written for machines
(a decimal point), never in the locale's way (nb and nn write a decimal comma, and
`<rect x="60,0">` draws nothing). The frozen PDF, made from the frozen HTML, keeps its bars."""

import datetime
import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone, translation
from pypdf import PdfReader

from accounts.models import Role
from areas.models import Area
from cases.services import digest_freeze
from priorities.models import Priority
from tests.cases.factories import make_case
from tests.priorities.factories import BODO_CENTRE, UserFactory, make_priority, staff

pytestmark = pytest.mark.django_db

SVG = re.compile(r"<svg\b.*?</svg>", re.S)
NUMBER = re.compile(r"-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?")
# Attributes that hold one number each.
NUMERIC = {
    "x",
    "y",
    "x1",
    "x2",
    "y1",
    "y2",
    "cx",
    "cy",
    "r",
    "width",
    "height",
    "stroke-width",
    "font-size",
    "fill-opacity",
}
PLACES = [BODO_CENTRE, (14.39, 67.28), (14.38, 67.285), (14.395, 67.282)]
BAR_COLOUR = (0x0B / 255, 0x53 / 255, 0x94 / 255)


@pytest.fixture
def case_with_input():
    """A case with priorities over four months, so that the chart has bars and the map dots."""
    case = make_case()
    residents = [UserFactory() for _ in range(3)]
    for i in range(8):
        priority = make_priority(residents[i % 3], at=PLACES[i % 4], title=f"Prioritet {i}")
        Priority.all_objects.filter(pk=priority.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=31 * (i % 4) + 1)
        )
    return case


def _svgs(html: str) -> list[ET.Element]:
    found = SVG.findall(html)
    assert found, "no SVG on the page"
    return [ET.fromstring(svg) for svg in found]  # noqa: S314 (our own pages)


def _check_numbers(svg: ET.Element) -> None:
    for element in svg.iter():
        for name, value in element.attrib.items():
            if name in NUMERIC:
                assert NUMBER.fullmatch(value), f"<{element.tag} {name}={value!r}>"
        if "viewBox" in element.attrib:
            parts = element.attrib["viewBox"].split()
            assert len(parts) == 4 and all(NUMBER.fullmatch(p) for p in parts), parts


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_every_digest_svg_parses_with_machine_numbers(client, case_with_input, language):
    area = Area.objects.covering(Point(*BODO_CENTRE, srid=4326)).get(type__slug="skolekrets")
    pages = [
        f"/cases/{case_with_input.pk}/",
        f"/cases/{case_with_input.pk}/digest/",
        f"/areas/{area.pk}/digest/",
    ]
    for url in pages:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        svgs = _svgs(response.content.decode())
        for svg in svgs:
            _check_numbers(svg)
        chart = [s for s in svgs if "trend-chart" in s.get("class", "")]
        assert chart, url
        bars = chart[0].findall("{http://www.w3.org/2000/svg}rect")
        # one bar per month since the first input; four months have some
        assert len([bar for bar in bars if float(bar.get("height")) > 0]) == 4, url


def test_the_frozen_bokmal_digest_keeps_its_chart_in_the_html_and_the_pdf(case_with_input):
    with translation.override("nb"):
        frozen = digest_freeze(actor=staff(Role.PLANNER), case=case_with_input)
    for svg in _svgs(frozen.html):
        _check_numbers(svg)
    reader = PdfReader(io.BytesIO(frozen.pdf.file.read()))
    fills = []
    for page in reader.pages:
        content = page.get_contents().get_data().decode("latin-1")
        fills += [
            tuple(float(v) for v in m.groups())
            for m in re.finditer(r"([\d.]+) ([\d.]+) ([\d.]+) rg", content)
        ]
    bar_fills = [
        f for f in fills if all(abs(a - b) < 0.01 for a, b in zip(f, BAR_COLOUR, strict=True))
    ]
    assert len(bar_fills) >= 4, "the PDF draws no bars for the months"
