"""The panel's pages as people use them: the planner's upload with its report, the letters,
the volunteer's page with its code; bad input answered in the user's language with the
right status and nothing written; the register nowhere but the staff's pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from accounts.models import Role
from accounts.privacy import account_data, account_relations
from panels import services
from panels.models import Invitation, RegisterPerson, Volunteer
from panels.selection import code_display
from tests.cases.factories import make_case
from tests.panels.factories import make_panel, register_csv, register_rows
from tests.priorities.factories import UserFactory, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner():
    return staff(Role.PLANNER)


@pytest.fixture
def panel(planner):
    return make_panel(planner, strata=["gender"], area_type=None, target_size=2, invitations=5)


def _upload(client, panel, data: bytes, name="register.csv"):
    return client.post(
        reverse("panels:register_upload", args=[panel.pk]),
        {"file": SimpleUploadedFile(name, data)},
    )


def test_a_bad_extract_is_answered_with_its_rows_named_and_nothing_written(client, planner, panel):
    client.force_login(planner)
    rows = register_rows(4)
    rows[2]["birth_year"] = "2999"
    response = _upload(client, panel, register_csv(rows))
    assert response.status_code == 422
    page = response.content.decode()
    assert "<td>4</td><td>fødselsåret er i framtiden</td>" in page
    assert 'id="upload-errors"' in page
    assert not RegisterPerson.objects.of_panel(panel).exists()


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_an_unusable_file_is_refused_in_the_users_language(client, planner, panel, language):
    client.force_login(planner)
    client.cookies["django_language"] = language
    response = _upload(client, panel, b"\x00\x01binary")
    assert response.status_code == 400
    expected = {
        "nb": "Dette er ikke en tekstfil (CSV).",
        "nn": "Dette er ikkje ei tekstfil (CSV).",
        "en": "This is not a text (CSV) file.",
    }[language]
    assert expected in response.content.decode()
    assert not RegisterPerson.objects.of_panel(panel).exists()


@override_settings(NABOLAGET_REGISTER_MAX_BYTES=1000)
def test_a_too_large_file_is_413(client, planner, panel):
    client.force_login(planner)
    response = _upload(client, panel, register_csv(register_rows(40)))
    assert response.status_code == 413
    assert not RegisterPerson.objects.of_panel(panel).exists()


@pytest.fixture
def inviting(planner, panel):
    assert services.register_upload(
        user=planner, panel=panel, data=register_csv(register_rows(30))
    ).written
    services.invitations_draw(user=planner, panel=panel, seed="99")
    return panel


def test_the_letters_are_for_the_staff_while_the_register_exists(client, planner, inviting):
    url = reverse("panels:letters", args=[inviting.pk])
    client.force_login(staff(Role.MODERATOR))
    assert client.get(url).status_code == 403
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.force_login(planner)
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "number;postal_address;postcode;post_town;code;url"
    assert len(lines) == 6
    code = Invitation.objects.filter(panel=inviting).order_by("drawn").first().code
    assert code_display(code) in lines[1] and f"/panel/{code}/" in lines[1]
    pdf = client.get(reverse("panels:letters_pdf", args=[inviting.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    services.panel_close(user=planner, panel=inviting)
    assert client.get(url).status_code == 404


def test_the_public_page_shows_the_seed(client, inviting):
    response = client.get(reverse("panels:detail", args=[inviting.pk]))
    assert response.status_code == 200
    assert '<code class="seed">99</code>' in response.content.decode()


def _volunteer(client, code, **extra):
    body = {
        "name": "Kari Nordmann",
        "email": "kari@example.no",
        "birth_year": "1980",
        "gender": "f",
        "consent": "on",
    } | extra
    return client.post(reverse("panels:volunteer", args=[code]), body)


def test_a_code_used_twice_is_refused_and_nothing_written(client, inviting):
    code = Invitation.objects.filter(panel=inviting).first().code
    assert client.get(reverse("panels:volunteer", args=[code_display(code)])).status_code == 200
    assert _volunteer(client, code).status_code == 200
    again = _volunteer(client, code, name="Ola", email="ola@example.no")
    assert again.status_code == 409
    assert "Denne koden er brukt allerede" in again.content.decode()
    assert list(Volunteer.objects.filter(panel=inviting).values_list("name", flat=True)) == [
        "Kari Nordmann"
    ]


def test_a_bad_volunteer_form_says_why_and_writes_nothing(client, inviting):
    code = Invitation.objects.filter(panel=inviting).first().code
    response = _volunteer(client, code, email="ikke-en-adresse", birth_year="2025")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="error-summary"' in page and "E-postadresse" in page
    assert not Volunteer.objects.exists()
    assert not Invitation.objects.filter(code=code, used_at__isnull=False).exists()


@override_settings(NABOLAGET_RATES={"panel_code_address": "5/hour"})
def test_guessed_codes_fail_their_signature_and_reach_the_rate_limit(client, inviting):
    url = reverse("panels:volunteer_start")
    for guess in ["AAAA-BBBB-CCCC", "K7QM-2D9X-F4TR", "0000-0000-0000", "ZZZZ-ZZZZ-ZZZZ", "1"]:
        response = client.post(url, {"code": guess})
        assert response.status_code == 400
        assert "Denne koden er ikke gyldig" in response.content.decode()
    real = Invitation.objects.filter(panel=inviting).first().code
    limited = client.post(url, {"code": real})
    assert limited.status_code == 429 and limited["Retry-After"]
    assert not Volunteer.objects.exists()


def test_the_register_is_in_no_api_no_admin_list_and_no_data_export(inviting, planner):
    """No API module, admin list or account export reads the register's tables: the API's
    views and serializers never name them, the admin registers neither, and the account
    data export (built from relations to accounts) finds no relation of theirs."""
    sources = [
        path.read_text() for path in (Path(settings.BASE_DIR) / "panels" / "api").glob("*.py")
    ]
    assert not [text for text in sources if "RegisterPerson" in text or "Invitation" in text]
    registered = {model._meta.label for model in admin.site._registry}
    assert not registered & {"panels.RegisterPerson", "panels.Invitation"}
    assert not [
        relation
        for relation in account_relations()
        if relation.model in (RegisterPerson, Invitation)
    ]
    data = json.dumps(account_data(planner), default=str)
    assert RegisterPerson.objects.of_panel(inviting).first().person_id not in data


def test_the_set_up_refuses_bad_input_and_writes_nothing(client, planner):
    case = make_case(planner, number="2026/5555")
    client.force_login(planner)
    response = client.post(
        reverse("panels:new", args=[case.pk]),
        {
            "title": "Panel",
            "description": "Hva mener dere?",
            "themes": "ab\nTrafikk",
            "target_size": "40",
            "invitations": "10",
            "standard_strata": ["area"],
            "other_strata": "utdanning, age group!",
            "minimum_age": "16",
            "quota_tolerance": "80",
            "retention_days": "365",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    for message in [
        "Hvert tema har 3 til 200 tegn.",
        "Ikke et kolonnenavn: age group!.",
        "Verdien må være mindre enn eller lik 50.",
        "Verdien må være mindre enn eller lik 90.",
    ]:
        assert message in page
    assert not case.panels.exists()


def test_a_selection_that_cannot_be_made_is_said_plainly_and_nothing_is_sent(
    client, planner, inviting, mailoutbox
):
    client.force_login(planner)
    response = client.post(reverse("panels:selection_run", args=[inviting.pk]))
    assert response.status_code == 409
    page = response.content.decode()
    assert "Panelet kan ikke velges ut: ingenting ble sendt" in page
    assert "Det er færre frivillige enn medlemmer som trengs." in page
    inviting.refresh_from_db()
    assert inviting.selected_at is None and not mailoutbox
