"""Text is normalised before its length is checked (core.text): Unicode NFC, no
zero-width, bidirectional-control or control characters. A title of three zero-width spaces
is refused as empty everywhere a title or text is typed, with a message in the request's
language and nothing written; decomposed (NFD) input is stored composed (NFC)."""

from __future__ import annotations

import json
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Case
from core.text import normalise_text
from councils.models import Council, Submission
from priorities.models import Priority
from tests.cases.factories import CENTRE_POLYGON
from tests.hardening.language import in_language
from tests.hardening.test_bad_geometry import (
    GOOD_POINT,
    GOOD_POLYGON,
    _case_form,
    _planner,
    _planner_with_case,
    _resident,
    _secretary,
    _submission_form,
)
from tests.priorities.factories import make_priority
from tests.tables import changed_tables, row_counts

pytestmark = pytest.mark.django_db

ZWSP = "\u200b"
INVISIBLE_TITLE = ZWSP * 3
# å and é decompose in NFD (a + ring above, e + acute accent); ø has no decomposition.
NFD_TITLE = unicodedata.normalize("NFD", "Skoleveien på Rønvik, kafé")
NFC_TITLE = "Skoleveien på Rønvik, kafé"


@pytest.mark.parametrize(
    ("text", "multiline", "expected"),
    [
        (INVISIBLE_TITLE, False, ""),
        ("a\u200db\u2060c\ufeff", False, "abc"),
        ("right\u202eleft\u2066x\u2069", False, "rightleftx"),
        ("one\x00two\x07three", False, "one two three"),
        ("line one\r\nline two\ttab\x0b", True, "line one\nline two\ttab"),
        ("line one\nline two", False, "line one line two"),
        ("\x85C1 control", False, " C1 control"),
        (NFD_TITLE, False, NFC_TITLE),
    ],
    ids=["zero-width", "joiners", "bidi", "c0", "long-text", "one-line", "c1", "nfd"],
)
def test_normalise_text(text, multiline, expected):
    assert normalise_text(text, multiline=multiline) == expected


@pytest.fixture(autouse=True)
def _fast_passwords_and_no_rate_limits(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.NABOLAGET_RATES = {scope: "100000/hour" for scope in settings.NABOLAGET_RATES}


def _priority_api(client, context, title, language):
    body = {
        "type": "Feature",
        "geometry": json.loads(GOOD_POINT),
        "properties": {
            "category": "trafikksikkerhet",
            "title": title,
            "text": "Bilene kjører for fort forbi skolen.",
        },
    }
    return client.post(
        "/api/v1/priorities/",
        body,
        content_type="application/json",
        headers={"accept-language": language},
    )


def _priority_page(client, context, title, language):
    from priorities.models import Category

    return client.post(
        "/kommune/1804/priorities/new/",
        {
            "category": Category.objects.get(slug="trafikksikkerhet").pk,
            "title": title,
            "text": "Bilene kjører for fort forbi skolen.",
            "confirm_new": "on",
            "lon": "14.385",
            "lat": "67.283",
        },
        headers={"accept-language": language},
    )


def _submission_api(client, context, title, language):
    body = {
        "council": context["council"],
        "kind": "statement",
        "title": title,
        "text": "Ungdomsrådet mener skoleveien må prioriteres.",
        "meeting_date": "2026-01-15",
        "geometry": json.loads(GOOD_POLYGON),
    }
    return client.post(
        "/api/v1/submissions/",
        body,
        content_type="application/json",
        headers={"accept-language": language},
    )


def _submission_page(client, context, title, language):
    return client.post(
        f"/councils/{context['council']}/file/",
        _submission_form(context, title=title, geometry=GOOD_POLYGON),
        headers={"accept-language": language},
    )


def _case_page(client, context, title, language):
    return client.post(
        "/cases/new/",
        _case_form(title=title, geometry=json.dumps(CENTRE_POLYGON)),
        headers={"accept-language": language},
    )


def _layer_page(client, context, title, language):
    upload = SimpleUploadedFile("trase.geojson", GOOD_POLYGON.encode(), "application/geo+json")
    return client.post(
        f"/cases/{context['case']}/layers/",
        {"name": title, "file": upload},
        headers={"accept-language": language},
    )


def _planner_with_priority(client) -> dict:
    _planner(client)
    return {"priority": make_priority().pk}


def _status_api(client, context, title, language):
    return client.post(
        f"/api/v1/priorities/{context['priority']}/status/",
        {"status": "under_consideration", "public_text": title},
        content_type="application/json",
        headers={"accept-language": language},
    )


# (name, set-up, send, the field the error names, the form's name in the page's context)
TARGETS = [
    ("priority-api", _resident, _priority_api, "title", None),
    ("priority-page", _resident, _priority_page, "title", "form"),
    ("submission-api", _secretary, _submission_api, "title", None),
    ("submission-page", _secretary, _submission_page, "title", "form"),
    ("case-page", _planner, _case_page, "title", "form"),
    ("layer-page", _planner_with_case, _layer_page, "name", "layer_form"),
    ("status-api", _planner_with_priority, _status_api, "public_text", None),
]


def _errors(response, form_name) -> dict[str, list[str]]:
    if form_name is None:
        assert response["Content-Type"] == "application/problem+json"
        errors = response.json()["errors"]  # problem details: the fields under "errors"
        return errors.get("properties", errors) if isinstance(errors, dict) else errors
    form = response.context[form_name]
    return {k: [e["message"] for e in v] for k, v in form.errors.get_json_data().items()}


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t[0])
def test_a_text_of_zero_width_spaces_is_refused_and_nothing_is_written(client, target, language):
    name, setup, send, field, form_name = target
    context = setup(client)
    before = row_counts()
    # As many as the field's minimum length: three for a title, five for an answer.
    invisible = ZWSP * 5 if field == "public_text" else INVISIBLE_TITLE

    response = send(client, context, invisible, language)

    assert response.status_code == 400, response.content[:300]
    errors = _errors(response, form_name)
    assert field in errors, errors
    assert all(in_language(m, language) for m in errors[field]), errors
    assert not changed_tables(before, row_counts())


def test_decomposed_text_is_stored_composed(client):
    """NFD from the API, a page and a service arrives as NFC; the length counts characters."""
    context = _resident(client)
    assert _priority_api(client, context, NFD_TITLE, "en").status_code == 201
    secretary_client = client.__class__()
    secretary = _secretary(secretary_client)
    assert _submission_api(secretary_client, secretary, NFD_TITLE, "en").status_code == 201
    planner_client = client.__class__()
    _planner(planner_client)
    assert _case_page(planner_client, {}, NFD_TITLE, "en").status_code == 302

    assert Priority.public_objects.filter(title=NFC_TITLE).count() == 1
    assert Submission.objects.filter(title=NFC_TITLE).count() == 1
    assert Case.objects.filter(title=NFC_TITLE).count() == 1


def test_a_model_cleaned_in_the_admin_or_a_service_is_normalised_too(client):
    """full_clean normalises (the admin's forms use it): a council named with a zero-width
    space and decomposed letters is stored clean."""
    council = Council.objects.get(pk=_secretary(client)["council"])
    council.name = ZWSP + NFD_TITLE + "\u202e"

    council.full_clean()

    assert council.name == NFC_TITLE
