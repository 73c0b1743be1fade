"""Refused forms, without JavaScript: every error in one round, each announced with its
field (aria-describedby points at elements that exist), and listed in an error summary
that links to its field."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from cases.models import Case
from councils.models import Submission
from priorities.models import Category, Priority
from tests.areas.factories import CouncilFactory, council_secretary, municipality_area
from tests.cases.factories import CaseFactory
from tests.priorities.factories import UserFactory, make_priority, staff
from tests.support.pdfs import plain_pdf

pytestmark = pytest.mark.django_db

IDS = re.compile(r'\sid="([^"]+)"')
DESCRIBED = re.compile(r'aria-(?:describedby|labelledby)="([^"]+)"')


def missing_targets(html: str) -> list[str]:
    """The ids named by aria-describedby or aria-labelledby that no element has."""
    ids = set(IDS.findall(html))
    return sorted({target for value in DESCRIBED.findall(html) for target in value.split()} - ids)


def summary_links(html: str) -> list[str]:
    """The fields the error summary links to, in order."""
    assert 'class="error-summary"' in html, "no error summary"
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'href="#([^"]+)"', summary)


def pin(**overrides):
    return {
        "category": Category.objects.get(slug="trafikksikkerhet").pk,
        "title": "Mangler fotgjengerfelt",
        "text": "Barna må krysse veien uten fotgjengerfelt.",
        "lat": "",
        "lon": "",
        **overrides,
    }


def test_the_pin_form_says_every_error_at_once_with_the_missing_place(client):
    """No place, no title and a text too short: three errors in the first round, the
    missing place among them (it used to come only once the rest was right)."""
    client.force_login(UserFactory())

    response = client.post("/priorities/new/", pin(title="", text="kort"))

    assert response.status_code == 400
    html = response.content.decode()
    assert "Velg stedet" in html
    assert "Dette feltet er påkrevd" in html
    assert summary_links(html) == ["id_title", "id_text", "id_address"]
    assert missing_targets(html) == []
    assert Priority.all_objects.count() == 0


def test_the_pin_form_says_a_place_outside_the_municipalities_beside_other_errors(client):
    """A place outside every municipality is said with the missing title, not after it."""
    client.force_login(UserFactory())

    response = client.post("/priorities/new/", pin(title="", lat="59.91", lon="10.75"))

    assert response.status_code == 400
    html = response.content.decode()
    assert "utenfor kommunene" in html
    assert summary_links(html) == ["id_title", "id_lat"]
    assert Priority.all_objects.count() == 0


def test_the_pin_forms_help_and_errors_are_what_its_fields_point_at(client):
    """Each field's aria-describedby names its help and its error, and they exist."""
    client.force_login(UserFactory())

    html = client.post("/priorities/new/", pin(title="")).content.decode()

    title = re.search(r"<input[^>]*\bid=\"id_title\"[^>]*>", html).group(0)
    assert 'aria-describedby="id_title_helptext id_title_error"' in title
    assert 'id="id_title_helptext"' in html and 'id="id_title_error"' in html
    assert missing_targets(html) == []


def test_an_unknown_address_is_answered_with_the_addresses_spelt_like_it(client):
    """Without JavaScript, a misspelt address is answered with the nearest ones."""
    client.force_login(UserFactory())

    response = client.post("/priorities/new/", pin(address="Storgt 1"))

    assert response.status_code == 400
    assert "Mente du Storgata 1" in response.content.decode()


@pytest.fixture
def council():
    return CouncilFactory(name="Ungdomsrådet i Bodø", areas=[municipality_area("1804")])


def test_the_submission_form_says_every_error_at_once_and_names_the_chosen_files(
    client, council, settings, tmp_path
):
    """A formal council's input without its meeting date, a file that is not a PDF and no
    title: all three errors in one round, the meeting date's in the words of an input
    (innspill, not uttalelse), and the chosen files named with a note to choose them again."""
    settings.MEDIA_ROOT = tmp_path
    client.force_login(council_secretary(council))

    response = client.post(
        f"/councils/{council.pk}/file/",
        {
            "kind": "input",
            "title": "",
            "text": "Ungdomsrådet vil ha lys langs skoleveien.",
            "attachments": [
                SimpleUploadedFile("protokoll.pdf", plain_pdf(), "application/pdf"),
                SimpleUploadedFile("notat.txt", b"ikke en pdf", "text/plain"),
            ],
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert summary_links(html) == ["id_title", "id_meeting_date", "id_attachments"]
    assert "Et innspill fra et formelt råd må ha datoen" in html
    assert "uttalelse fra et formelt råd" not in html
    assert "notat.txt" in html
    assert "Du valgte protokoll.pdf, notat.txt" in html
    assert "velg dem på nytt" in html
    assert missing_targets(html) == []
    assert Submission.objects.count() == 0


def test_a_formal_councils_statement_still_needs_its_meeting_date_in_nynorsk(client, council):
    client.force_login(council_secretary(council))

    response = client.post(
        f"/councils/{council.pk}/file/",
        {"kind": "statement", "title": "Fråsegn", "text": "Ungdomsrådet meiner mykje om dette."},
        HTTP_ACCEPT_LANGUAGE="nn",
    )

    assert response.status_code == 400
    assert "Ei fråsegn frå eit formelt råd må ha datoen" in response.content.decode()


OUTSIDE = '{"type": "Point", "coordinates": [10.75, 59.91]}'


@pytest.fixture
def planner(client):
    user = staff(Role.PLANNER)
    client.force_login(user)
    return user


def case_form(**overrides):
    return {
        "number": "2026/777",
        "title": "Ny gang- og sykkelvei",
        "body": "kommunestyre",
        "status": "in_preparation",
        "buffer_metres": "0",
        "area_types": [],
        **overrides,
    }


def test_a_new_case_has_every_area_type_ticked(client, planner):
    """The affected area types are all ticked when the form opens."""
    html = client.get("/cases/new/").content.decode()

    boxes = re.findall(r'<input type="checkbox" name="area_types"[^>]*>', html)
    assert len(boxes) >= 2
    assert all("checked" in box for box in boxes)


def test_a_case_with_no_area_type_is_refused_with_a_warning(client, planner):
    from areas.models import AreaType

    valid = case_form()

    response = client.post("/cases/new/", valid)

    assert response.status_code == 400
    assert "Kryss av for minst én områdetype" in response.content.decode()
    assert "id_area_types_0" in summary_links(response.content.decode())
    assert Case.objects.count() == 0

    types = list(AreaType.objects.exclude(slug="kommune").values_list("pk", flat=True))
    response = client.post("/cases/new/", {**valid, "area_types": types})
    assert response.status_code == 302
    assert Case.objects.get().area_types.count() == len(types)


def test_the_case_form_says_every_error_at_once(client, planner):
    """A number already taken, a geometry outside the municipality and no title: three
    errors in the first round (the number and the place used to come in a second)."""
    CaseFactory(number="2026/777")

    response = client.post(
        "/cases/new/",
        case_form(
            title="",
            geometry=OUTSIDE,
        ),
    )

    assert response.status_code == 400
    html = response.content.decode()
    links = summary_links(html)
    assert {"id_number", "id_title", "id_geometry", "id_area_types_0"} <= set(links)
    assert "finnes allerede" in html
    assert missing_targets(html) == []
    assert Case.objects.count() == 1


def test_a_case_forms_chosen_plan_file_is_named_after_an_error(client, planner):
    response = client.post(
        "/cases/new/",
        case_form(
            title="",
            body=Case._meta.get_field("body").choices[0][0],
            status=Case._meta.get_field("status").choices[0][0],
            geometry_file=SimpleUploadedFile(
                "planomrade.geojson", b'{"type": "Point", "coordinates": [14.4, 67.28]}'
            ),
        ),
    )

    assert response.status_code == 400
    assert "Du valgte planomrade.geojson" in response.content.decode()


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_no_aria_reference_points_nowhere_on_refused_staff_forms(client, planner, language):
    """The case page's staff forms, posted with errors, in both written languages."""
    case = CaseFactory()
    make_priority()
    for path, data in [
        (f"/cases/{case.pk}/link/", {"references": "NB-0000-999999", "public_text": ""}),
        (f"/cases/{case.pk}/areas/", {"area": "", "action": "", "reason": ""}),
        (f"/cases/{case.pk}/freeze/", {"since": "2026-12-31", "until": "2026-01-01"}),
        ("/cases/new/", {"number": "", "geometry": "ikke geojson"}),
    ]:
        response = client.post(path, data, HTTP_ACCEPT_LANGUAGE=language)
        html = response.content.decode()
        assert response.status_code in (400, 413), path
        assert missing_targets(html) == [], path
        assert 'class="error-summary"' in html, path


def test_a_planners_answer_with_errors_is_shown_again_with_its_summary(client, planner):
    """The answer form on a priority's page comes back with its errors beside its fields and
    in a summary linking to them (it used to be a message without the fields' names)."""
    priority = make_priority()

    response = client.post(
        f"/priorities/{priority.pk}/answer/", {"status": "decided", "public_text": "Ja"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert summary_links(html) == ["id_public_text"]
    assert 'id="id_public_text_error"' in html
    assert missing_targets(html) == []
    assert priority.status_changes.count() == 0


def test_the_planners_bulk_answer_names_the_field_in_error(client, planner):
    priority = make_priority()

    response = client.post(
        "/planner/answer/",
        {"ids": [priority.pk], "status": "decided", "public_text": "", "municipality": "1804"},
        follow=True,
    )

    assert "Offentlig svar: Skriv det offentlige svaret" in response.content.decode()
