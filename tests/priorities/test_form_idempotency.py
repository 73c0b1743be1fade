"""The pages' forms that make a record carry an idempotency key made when the form is
rendered: sending the same form again (after an error page, a lost answer, a double
click) sends the resident to the first answer, its receipt, and writes no second row.
The key lives in the API's store (accounts.idempotency)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import IdempotencyKey
from councils.models import Submission
from priorities.models import Priority, Support
from tests.areas.factories import CouncilFactory, council_secretary, municipality_area
from tests.councils.test_councils import DRAWN, PDF
from tests.priorities.factories import UserFactory, make_priority
from tests.priorities.test_pages import form

pytestmark = pytest.mark.django_db
NB = {"accept-language": "nb"}
ALREADY = "Dette var allerede sendt og lagret. Ingenting ble lagret to ganger."
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


def keys_on(client, url) -> list[str]:
    page = client.get(url, headers=NB)
    assert page.status_code == 200
    return KEY.findall(page.content.decode())


def test_a_priority_sent_twice_with_its_form_key_is_saved_once(client):
    resident = UserFactory()
    client.force_login(resident)
    (key,) = keys_on(client, "/priorities/new/")

    first = client.post("/priorities/new/", {**form(), "idempotency_key": key}, headers=NB)
    # The resident saw an error page instead, went back and sent it again (edited, even).
    again = client.post(
        "/priorities/new/", {**form(title="Mangler fotgjengerfelt!"), "idempotency_key": key}
    )

    (priority,) = Priority.all_objects.filter(author=resident)
    assert first.status_code == again.status_code == 302
    assert first.url == again.url == f"/priorities/{priority.pk}/?receipt=1"
    receipt = client.get(again.url, headers=NB).content.decode()
    assert priority.reference in receipt and ALREADY in receipt
    assert priority.title == "Mangler fotgjengerfelt"


def test_each_rendering_of_the_form_has_its_own_key(client):
    client.force_login(UserFactory())
    first, second = keys_on(client, "/priorities/new/"), keys_on(client, "/priorities/new/")

    for key in first + second:
        client.post("/priorities/new/", {**form(confirm_new="1"), "idempotency_key": key})

    assert first != second
    assert Priority.all_objects.count() == 2


def test_a_refused_post_keeps_no_key_so_the_corrected_form_goes_through(client):
    client.force_login(UserFactory())
    (key,) = keys_on(client, "/priorities/new/")

    refused = client.post("/priorities/new/", {**form(title=""), "idempotency_key": key})
    corrected = client.post("/priorities/new/", {**form(), "idempotency_key": key})

    assert refused.status_code == 400
    assert corrected.status_code == 302
    assert Priority.all_objects.count() == 1


def test_a_key_is_the_accounts_own(client):
    client.force_login(UserFactory())
    (key,) = keys_on(client, "/priorities/new/")
    client.post("/priorities/new/", {**form(), "idempotency_key": key})
    other = UserFactory()
    client.force_login(other)

    response = client.post("/priorities/new/", {**form(confirm_new="1"), "idempotency_key": key})

    assert response.status_code == 302
    assert Priority.all_objects.filter(author=other).count() == 1
    assert Priority.all_objects.count() == 2


def test_a_support_sent_twice_is_one_support_and_no_error(client):
    priority = make_priority()
    supporter = UserFactory()
    client.force_login(supporter)
    keys = keys_on(client, f"/priorities/{priority.pk}/")
    support_key = keys[0]  # the support form comes first on the page

    first = client.post(f"/priorities/{priority.pk}/support/", {"idempotency_key": support_key})
    again = client.post(
        f"/priorities/{priority.pk}/support/", {"idempotency_key": support_key}, headers=NB
    )

    assert first.status_code == again.status_code == 302
    assert Support.objects.filter(priority=priority, user=supporter).count() == 1
    priority.refresh_from_db()
    assert priority.support_count == 1
    assert ALREADY in client.get(again.url, headers=NB).content.decode()


def test_a_councils_submission_sent_twice_is_filed_once(client):
    council = CouncilFactory(name="Ungdomsrådet i Bodø", areas=[municipality_area("1804")])
    secretary = council_secretary(council)
    client.force_login(secretary)
    (key,) = keys_on(client, f"/councils/{council.pk}/file/")

    def send():
        return client.post(
            f"/councils/{council.pk}/file/",
            {
                "kind": "statement",
                "title": "Uttalelse fra møtet",
                "text": "Rådet støtter planen.",
                "meeting_date": timezone.localdate().isoformat(),
                "geometry": DRAWN,
                "attachments": [
                    SimpleUploadedFile("vedlegg.pdf", PDF, content_type="application/pdf")
                ],
                "idempotency_key": key,
            },
        )

    first, again = send(), send()

    (submission,) = Submission.objects.all()
    assert first.status_code == again.status_code == 302
    assert first.url == again.url == f"/submissions/{submission.pk}/?receipt=1"
    assert submission.attachments.count() == 1
    assert IdempotencyKey.objects.filter(user=secretary, key=key).count() == 1
