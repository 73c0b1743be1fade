"""Local councils file submissions, answer consultations and get answers on the record."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role
from councils import services as council_services
from councils.models import Submission, SubmissionAttachment, SubmissionStatusChange
from priorities import services
from tests.areas.factories import (
    CouncilFactory,
    CouncilMembershipFactory,
    council_secretary,
    municipality_area,
)
from tests.cases.factories import CaseFactory
from tests.priorities.factories import UserFactory, staff
from tests.support.pdfs import plain_pdf

pytestmark = pytest.mark.django_db
PDF = plain_pdf()
DRAWN = '{"type": "Polygon", "coordinates": [[[14.37, 67.27], [14.40, 67.27], [14.40, 67.29], [14.37, 67.29], [14.37, 67.27]]]}'


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def youth_council():
    return CouncilFactory(name="Ungdomsrådet i Bodø", areas=[municipality_area("1804")])


@pytest.fixture
def secretary(youth_council):
    return council_secretary(youth_council, email="sekretar@ungdomsradet.no")


@pytest.fixture
def case():
    # Titled "Trafikksikkerhetsplan 2027–2030", its meeting in 30 days.
    return CaseFactory(number="2026/1234")


def file(secretary, council, **overrides):
    fields = {
        "kind": "statement",
        "title": "Uttalelse om trafikksikkerhet",
        "text": "Ungdomsrådet mener skoleveiene må prioriteres.",
        "meeting_date": timezone.localdate(),
        "minutes_reference": "12/26",
    }
    return council_services.submission_file(
        secretary=secretary, council=council, **(fields | overrides)
    )


def counts():
    return (
        Submission.objects.count(),
        SubmissionAttachment.objects.count(),
        SubmissionStatusChange.objects.count(),
    )


def test_a_secretary_files_with_a_pdf_and_a_drawn_area(secretary, youth_council):
    from areas.geojson import geometry_from_geojson

    submission = file(
        secretary,
        youth_council,
        geometry=geometry_from_geojson(DRAWN),
        attachments=[SimpleUploadedFile("protokoll.pdf", PDF, content_type="application/pdf")],
    )

    assert submission.reference.startswith("UT-")
    assert submission.areas.filter(code="1804-SK01").exists()
    (attachment,) = submission.attachments.all()
    assert attachment.size == len(PDF) and len(attachment.sha256) == 64


def test_someone_else_cannot_file_for_the_council(youth_council):
    before = counts()
    for user in (UserFactory(), staff(Role.PLANNER)):
        with pytest.raises(PermissionDenied):
            file(user, youth_council)
    assert counts() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"meeting_date": None}, "meeting_date"),
        ({"attachments": [SimpleUploadedFile("x.pdf", b"GIF89a not a pdf")]}, "attachments"),
        (
            {"attachments": [SimpleUploadedFile("x.pdf", b"%PDF-" + b"0" * 10_000_001)]},
            "attachments",
        ),
        ({"kind": "annual_report"}, "year"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_submissions_are_refused_and_nothing_half_written(
    secretary, youth_council, overrides, field
):
    before = counts()

    with pytest.raises(ValidationError) as error:
        file(secretary, youth_council, **overrides)

    assert field in error.value.message_dict
    assert counts() == before


@pytest.mark.parametrize(
    ("geojson", "message"),
    [
        (
            '{"type": "Polygon", "coordinates": [[[14.37, 67.27], [14.40, 67.29], [14.40, 67.27], [14.37, 67.29], [14.37, 67.27]]]}',
            "not valid",
        ),
        ('{"type": "Point", "coordinates": [10.75, 59.91]}', "outside"),
        ('{"type": "Point", "coordinates": [14.4, 67.28, 10]}', "no height"),
        ('{"type": "Point", "coordinates": [NaN, 67.28]}', "not valid GeoJSON"),
        ('{"type": "Point", "coordinates": [14.4, 67.28], "crs": {"type": "name"}}', "crs"),
        ('{"type": "FeatureCollection", "features": []}', "one feature"),
        ("not json", "not valid GeoJSON"),
    ],
)
def test_bad_geometries_are_refused_not_repaired(secretary, youth_council, geojson, message):
    from areas.geojson import geometry_from_geojson

    before = counts()
    with pytest.raises(ValidationError, match=message):
        file(secretary, youth_council, geometry=geometry_from_geojson(geojson))
    assert counts() == before


def test_consultation_statement_links_to_the_case_and_late_ones_are_marked(
    secretary, youth_council, case, monkeypatch
):
    planner = staff(Role.PLANNER)
    consultation = council_services.consultation_create(
        actor=planner,
        case=case,
        councils=[youth_council],
        deadline=timezone.localdate() + datetime.timedelta(days=7),
        summary="Kommunen lager en ny plan for trafikksikkerhet.",
        questions="Hvor er skoleveien farlig?",
    )

    on_time = file(secretary, youth_council, consultation=consultation)
    assert on_time.case_links.get().case_number == case.number and not on_time.late

    # The day after the deadline (a deadline itself is on the record: it can only be extended).
    day_after = consultation.deadline + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day_after)
    late = file(secretary, youth_council, consultation=consultation, title="Tillegg til uttalelsen")
    assert late.late is True


def test_a_consultation_deadline_must_come_before_the_meeting(youth_council, case):
    with pytest.raises(ValidationError, match="before the meeting"):
        council_services.consultation_create(
            actor=staff(Role.PLANNER),
            case=case,
            councils=[youth_council],
            deadline=case.meeting_date,
            summary="En plan for trafikksikkerhet.",
        )


def test_planner_answers_a_submission_through_the_same_loop(secretary, youth_council):
    submission = file(secretary, youth_council)

    services.input_set_status(
        records=[submission],
        status="in_case",
        public_text="Tatt med i saken.",
        actor=staff(Role.PLANNER),
    )

    submission.refresh_from_db()
    assert submission.status == "in_case"
    assert SubmissionStatusChange.objects.get().record == submission


def test_submissions_answered_into_a_case_are_linked_and_their_council_follows(
    secretary, youth_council, case
):
    """A bulk answer "included in case 2026/1234" links every submission to the case (one
    UPDATE), and each submission's followers are its council's members, read at once."""
    CouncilMembershipFactory(council=youth_council, user__email="medlem@ungdomsradet.no")
    submissions = [file(secretary, youth_council, title=f"Uttalelse {n}") for n in range(3)]

    services.input_set_status(
        records=submissions,
        status="in_case",
        public_text="Tatt med i saken.",
        case_number="2026/1234",
        actor=staff(Role.PLANNER),
    )

    linked = Submission.objects.filter(case_links__case_number=case.number, status="in_case")
    assert set(linked) == set(submissions)
    followers = Submission.followers_of(submissions)
    for submission in submissions:
        assert sorted(u.email for u in followers[submission.pk]) == [
            "medlem@ungdomsradet.no",
            "sekretar@ungdomsradet.no",
        ]
        assert set(followers[submission.pk]) == set(submission.followers())


def test_submissions_are_withdrawn_never_deleted(secretary, youth_council):
    from django.db import InternalError, ProgrammingError, transaction

    submission = file(secretary, youth_council)
    council_services.submission_withdraw(
        secretary=secretary, submission=submission, reason="Feil møtedato."
    )

    submission.refresh_from_db()
    assert submission.withdrawn_at and submission.withdrawn_reason == "Feil møtedato."
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        Submission.objects.filter(pk=submission.pk).delete()
    assert Submission.objects.filter(pk=submission.pk).exists()


def test_association_needs_a_valid_organisation_number():
    from councils.models import validate_organisation_number

    validate_organisation_number("998877660")
    for bad in ("123", "998877661", "abcdefghi"):
        with pytest.raises(ValidationError):
            validate_organisation_number(bad)


def test_council_page_lists_submissions_requests_and_annual_reports(
    client, secretary, youth_council, case
):
    file(secretary, youth_council, title="Uttalelse om skolevei")
    file(
        secretary,
        youth_council,
        kind="annual_report",
        year=2025,
        title="Årsmelding 2025",
        meeting_date=None,
    )
    council_services.consultation_create(
        actor=staff(Role.PLANNER),
        case=case,
        councils=[youth_council],
        deadline=timezone.localdate() + datetime.timedelta(days=3),
        summary="En plan for trafikksikkerhet.",
    )

    page = client.get(youth_council.get_absolute_url()).content.decode()

    assert "Uttalelse om skolevei" in page
    assert "Årsmelding 2025" in page and "2025" in page
    assert "2026/1234" in page


def test_filing_from_the_page_with_a_pdf(client, secretary, youth_council):
    client.force_login(secretary)

    response = client.post(
        f"/councils/{youth_council.pk}/file/",
        {
            "kind": "statement",
            "title": "Uttalelse fra møtet",
            "text": "Rådet støtter planen.",
            "meeting_date": timezone.localdate().isoformat(),
            "geometry": DRAWN,
            "attachments": [SimpleUploadedFile("vedlegg.pdf", PDF, content_type="application/pdf")],
        },
    )

    submission = Submission.objects.get()
    assert (
        response.status_code == 302 and response.url == f"/submissions/{submission.pk}/?receipt=1"
    )
    assert submission.attachments.count() == 1
    assert client.get(response.url).status_code == 200


def test_filing_from_the_page_for_another_council_is_forbidden(client, youth_council):
    client.force_login(UserFactory())

    assert client.get(f"/councils/{youth_council.pk}/file/").status_code == 403


def test_api_lists_submissions_and_secretaries_post(client, secretary, youth_council):
    client.force_login(secretary)

    created = client.post(
        "/api/v1/submissions/",
        {
            "council": youth_council.pk,
            "kind": "input",
            "title": "Innspill om lys",
            "text": "Det trengs mer lys i parken.",
            "meeting_date": timezone.localdate().isoformat(),
            "geometry": {"type": "Point", "coordinates": [14.385, 67.283]},
        },
        content_type="application/json",
    )

    assert created.status_code == 201, created.content
    listing = client.get("/api/v1/submissions/", {"council": youth_council.pk}).json()
    (feature,) = listing["features"]
    assert feature["geometry"]["type"] == "Point"
    assert client.get(f"/api/v1/submissions/{feature['id']}/").json()["properties"]["history"] == []
    assert client.get("/api/v1/councils/").json()[0]["name"] == "Ungdomsrådet i Bodø"


def test_api_refuses_a_resident_posting_for_a_council(client, youth_council):
    client.force_login(UserFactory())

    response = client.post(
        "/api/v1/submissions/",
        {
            "council": youth_council.pk,
            "kind": "input",
            "title": "Innspill",
            "text": "Noe om noe viktig.",
        },
        content_type="application/json",
    )

    assert response.status_code == 403
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("council", 999_999, "Det finnes ikke noe råd 999999."),
        ("consultation", 999_999, "Denne høringen finnes ikke."),
        ("areas", [999_999], "Ukjent område."),
        ("case", "2026/999999", "Det finnes ingen sak 2026/999999 i denne kommunen."),
        ("council", "rådet", "En gyldig heltall er nødvendig."),
    ],
)
def test_api_names_an_unknown_reference_in_the_users_language(
    client, secretary, youth_council, field, value, message
):
    """A council, consultation, area or case that does not exist is a 400 naming the field,
    in Norwegian for a Norwegian request, and nothing is filed."""
    client.force_login(secretary)
    body = {
        "council": youth_council.pk,
        "kind": "input",
        "title": "Innspill om lys",
        "text": "Det trengs mer lys i parken.",
        "meeting_date": timezone.localdate().isoformat(),
        field: value,
    }

    response = client.post(
        "/api/v1/submissions/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="nb"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {field: [message]}
    assert not Submission.objects.exists()
