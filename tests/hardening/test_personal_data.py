"""No public API response and no export without the personal-data tick carries a name, an
e-mail address, a phone number or a fødselsnummer of the people behind the input."""

from __future__ import annotations

import json

import pytest

from accounts.models import Role
from areas.models import Area
from tests.hardening.personal_data import (
    EMAIL,
    fodselsnummer_in,
    is_fodselsnummer,
    with_check_digits,
)
from tests.hardening.test_bad_geometry import _secretary
from tests.priorities.factories import UserFactory, make_priority, staff

pytestmark = pytest.mark.django_db
# A made-up number that passes the check (not every nine-digit start has check digits).
FNR = next(n for n in (with_check_digits(f"0101901{i:02d}") for i in range(100)) if n)
NAME = ("Zebulon", "Quixwell")
EMAIL_ADDRESS = "zebulon.quixwell@example.no"


def test_the_mod_11_checker():
    """Valid numbers pass; changing any one digit makes them fail."""
    assert FNR is not None and is_fodselsnummer(FNR)
    for i in range(11):
        changed = FNR[:i] + str((int(FNR[i]) + 1) % 10) + FNR[i + 1 :]
        assert not is_fodselsnummer(changed)
    assert not is_fodselsnummer("1234567890")
    assert fodselsnummer_in(f"nr {FNR}, ikke 1{FNR}") == [FNR]


@pytest.fixture
def seeded(client):
    """Input from people whose personal data is distinctive enough to be found anywhere."""
    author = UserFactory(first_name=NAME[0], last_name=NAME[1], email=EMAIL_ADDRESS)
    priority = make_priority(author, at=(14.52, 67.31))
    supporter = UserFactory(first_name="Ophelia", last_name="Vantablack")
    from priorities import services

    services.support_add(priority=priority, user=supporter)
    services.input_set_status(
        records=[priority],
        actor=staff(Role.PLANNER, first_name="Planlegger", last_name="Hemmeligsen"),
        status="under_consideration",
        public_text="Vi ser på saken.",
    )
    context = _secretary(client)
    client.post(
        "/api/v1/submissions/",
        {
            "council": context["council"],
            "kind": "input",
            "title": "Innspill om veien",
            "text": "Rådet ber om at veien prioriteres.",
            "meeting_date": "2026-01-10",
        },
        content_type="application/json",
    )
    client.logout()
    return priority


def _secrets() -> list[str]:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.all()
    return sorted(
        {u.email for u in users}
        | {u.first_name for u in users if u.first_name}
        | {u.last_name for u in users if u.last_name and u.last_name != "Nordmann"}
        | {u.get_full_name() for u in users if u.first_name}
    )


def _leaks(text: str, secrets: list[str]) -> list[str]:
    found = [s for s in secrets if s and s in text]
    found += EMAIL.findall(text)
    found += fodselsnummer_in(text)
    return found


def public_urls(priority) -> list[str]:
    kommune = Area.objects.get(type__slug="kommune", code="1804")
    return [
        "/api/v1/priorities/",
        f"/api/v1/priorities/{priority.pk}/",
        "/api/v1/priorities/map/?bbox=14.3,67.2,14.7,67.4&zoom=16",
        "/api/v1/priorities/map/?bbox=14.3,67.2,14.7,67.4&zoom=8",
        "/api/v1/priorities/by-area/?area_type=skolekrets",
        "/api/v1/areas/?geometry=false",
        f"/api/v1/areas/{kommune.pk}/stats/",
        "/api/v1/area-types/",
        "/api/v1/categories/",
        "/api/v1/councils/",
        "/api/v1/submissions/",
    ]


@pytest.mark.parametrize("language", ["nb", "en"])
def test_public_api_responses_carry_no_personal_data(client, seeded, language):
    secrets = _secrets()
    assert EMAIL_ADDRESS in secrets and "Quixwell" in secrets
    for url in public_urls(seeded):
        response = client.get(url, headers={"accept-language": language})
        assert response.status_code == 200, url
        assert not _leaks(response.content.decode(), secrets), url
    submissions = client.get("/api/v1/submissions/").json()["features"]
    assert submissions, "the seeded submission is not public: the scan proves nothing"
    detail = client.get(f"/api/v1/submissions/{submissions[0]['id']}/")
    assert not _leaks(detail.content.decode(), secrets)


@pytest.mark.parametrize("fmt", ["csv", "geojson", "gpkg"])
def test_exports_without_the_personal_data_tick_carry_none(client, seeded, fmt, tmp_path):
    client.force_login(staff(Role.PLANNER))
    secrets = _secrets()

    response = client.get("/planner/export/", {"format": fmt})

    assert response.status_code == 200
    raw = b"".join(response.streaming_content)
    if fmt == "gpkg":
        path = tmp_path / "export.gpkg"
        path.write_bytes(raw)
        from django.contrib.gis.gdal import DataSource

        layer = DataSource(str(path))[0]
        text = json.dumps([{f.name: str(f.value) for f in feature} for feature in layer])
        assert len(layer) == 1
    else:
        text = raw.decode("utf-8-sig")
        assert seeded.reference in text
    assert not _leaks(text, secrets)


def test_the_scan_finds_personal_data_when_it_is_there(client, seeded):
    """The control: with the tick (administrators only), the export carries the author, and
    the scan sees it."""
    client.force_login(staff(Role.ADMINISTRATOR))

    response = client.get("/planner/export/", {"format": "csv", "personal": "1"})

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert EMAIL_ADDRESS in _leaks(text, _secrets())
