"""Budget round pages: the input form refuses bad input with a clear message in the
person's language, the right status and nothing written; amounts are read as Norwegians
write them; the planner is warned about dates after the proposal; the administration
answers many at once, and the people who gave input hear back in their language."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from budgets import rounds
from budgets.models import BudgetInput, BudgetInputSupport, BudgetRound
from tests.budgets.round_factories import (
    BAD_ORGNR,
    VALID_ORGNR,
    give,
    line,
    make_budget,
    make_round,
    sector,
)
from tests.conftest import run_jobs
from tests.priorities.factories import UserFactory, staff


@pytest.fixture
def planner(db):
    return staff(Role.PLANNER)


@pytest.fixture
def budget_round(planner):
    return make_round(planner)


def association_form(budget_round, **fields) -> dict:
    return {
        "filed_as": "association",
        "organisation_name": "Bodø idrettsråd",
        "organisation_number": VALID_ORGNR,
        "members": "4 200",
        "sector": sector(budget_round).pk,
        "line": line(budget_round).pk,
        "proposal": "more",
        "amount": "1 234,50",
        "reason": "Flere lærere i småtrinnet gir bedre skoledager.",
    } | fields


def post_input(client, budget_round, language="nb", **fields):
    return client.post(
        reverse("budgets:input_new", args=[budget_round.pk]),
        association_form(budget_round, **fields),
        headers={"accept-language": language},
    )


@pytest.mark.django_db
def test_an_association_gives_input_with_a_norwegian_amount_and_gets_its_receipt(
    client, budget_round
):
    client.force_login(UserFactory())

    response = post_input(client, budget_round, amount="1\u00a0234,50 kr")

    record = BudgetInput.all_objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{record.get_absolute_url()}?receipt=1"
    assert (record.amount, record.members, record.organisation_number) == (
        Decimal("1234.50"),
        4200,
        VALID_ORGNR,
    )
    page = client.get(response["Location"])
    assert "Takk: innspillet ditt er mottatt" in page.content.decode()
    assert "1\u00a0234,50&nbsp;kr" in page.content.decode()  # formatted for nb


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "language", "message"),
    [
        ({"amount": "ti tusen"}, "nb", "Skriv beløpet i kroner med sifre"),
        ({"amount": "12,345"}, "nb", "Skriv beløpet i kroner med sifre"),
        ({"amount": "-500"}, "nb", "Skriv beløpet i kroner med sifre"),
        ({"amount": "1 000 000 000 000"}, "nb", "under tusen milliarder"),
        ({"members": "0"}, "nb", "En forening har minst 1 medlem."),
        ({"members": "mange"}, "nn", "Skriv talet på medlemer med siffer"),
        ({"members": "99999999"}, "nn", "fleire medlemer enn Noreg har innbyggjarar"),
        ({"members": ""}, "nn", "Skriv kor mange medlemer laget har."),
        ({"organisation_number": BAD_ORGNR}, "nb", "Kontrollsifferet i dette"),
        ({"organisation_number": "12345"}, "nn", "ni siffer"),
        ({"reason": "x" * 4001}, "nb", "4000"),
        (
            {"proposal": "new_measure", "measure_title": ""},
            "nn",
            "Gje det nye tiltaket ein tittel.",
        ),
        ({"proposal": "comment"}, "nb", "En kommentar har ikke noe beløp"),
        ({"proposal": ""}, "nb", "Velg hva du foreslår."),
        ({"line": "999999"}, "nb", "Denne linjen er ikke i dette budsjettet."),
    ],
)
def test_bad_input_is_refused_in_the_person_s_language_and_nothing_is_written(
    client, budget_round, fields, language, message
):
    client.force_login(UserFactory())

    response = post_input(client, budget_round, language=language, **fields)

    body = response.content.decode()
    assert response.status_code == 400
    assert message in body, body[body.find("error-summary") :][:2000]
    assert 'class="error-summary"' in body
    assert not BudgetInput.all_objects.exists()


@pytest.mark.django_db
def test_a_line_from_another_budget_is_refused(client, planner, budget_round):
    other = make_round(planner, budget=make_budget(planner, number="2026/7001"))
    client.force_login(UserFactory())

    response = post_input(client, budget_round, line=line(other).pk)

    assert response.status_code == 400
    assert "Denne linjen er ikke i dette budsjettet." in response.content.decode()
    assert not BudgetInput.all_objects.exists()


@pytest.mark.django_db
def test_input_after_the_round_has_closed_is_refused_with_its_dates(client, planner):
    today = timezone.localdate()
    closed = make_round(
        planner,
        opens_on=today - datetime.timedelta(days=10),
        closes_on=today - datetime.timedelta(days=1),
        proposal_on=None,
    )
    client.force_login(UserFactory())

    response = post_input(client, closed, language="nn")

    assert response.status_code == 400
    assert "Denne runden er ikkje open for innspel" in response.content.decode()
    assert not BudgetInput.all_objects.exists()


@pytest.mark.django_db
def test_support_is_once_per_account(client, budget_round):
    record = give(UserFactory(), budget_round)
    client.force_login(UserFactory())
    url = reverse("budgets:input_support", args=[record.pk])

    assert client.post(url).status_code == 302
    again = client.post(url)

    assert again.status_code == 400
    assert "Du støtter allerede dette innspillet." in again.content.decode()
    assert BudgetInputSupport.objects.count() == 1
    record.refresh_from_db()
    assert record.support_count == 1


@pytest.mark.django_db
def test_the_planner_is_warned_when_the_input_closes_after_the_proposal(client, planner):
    budget = make_budget(planner)
    client.force_login(planner)
    today = timezone.localdate()
    form = {
        "title": "Innspill til økonomiplanen",
        "description": "Hva bør prioriteres de neste fire årene?",
        "opens_on": today.isoformat(),
        "closes_on": (today + datetime.timedelta(days=30)).isoformat(),
        "proposal_on": (today + datetime.timedelta(days=20)).isoformat(),
    }
    url = reverse("budgets:round_new", args=[budget.pk])

    warned = client.post(url, form)
    assert warned.status_code == 400
    assert "innspill som kommer etter forslaget, kan knapt endre det" in warned.content.decode()
    assert not BudgetRound.objects.exists()

    confirmed = client.post(url, form | {"confirm_dates": "on"})
    assert confirmed.status_code == 302
    assert BudgetRound.objects.get().closes_on == today + datetime.timedelta(days=30)


@pytest.mark.django_db
def test_the_answers_page_refuses_input_from_another_round(client, planner, budget_round):
    other = make_round(planner, budget=make_budget(planner, number="2026/7001"))
    foreign = give(UserFactory(), other)
    client.force_login(planner)

    response = client.post(
        reverse("budgets:round_answers", args=[budget_round.pk]),
        {"records": [foreign.pk], "outcome": "included", "public_text": "Tatt med."},
    )

    assert response.status_code == 400
    assert "Velg innspill fra denne runden." in response.content.decode()
    foreign.refresh_from_db()
    assert foreign.outcome == ""


@pytest.mark.django_db(transaction=True)
def test_the_people_who_gave_input_hear_back_in_their_language(client):
    planner = staff(Role.PLANNER)
    budget_round = make_round(planner)
    nynorsk = UserFactory(language="nn")
    bokmal = UserFactory(language="nb")
    supporter = UserFactory(language="en")
    first = give(nynorsk, budget_round)
    second = give(bokmal, budget_round, proposal="less", amount=None)
    rounds.input_support(record=first, user=supporter)
    run_jobs()  # the receipts
    mail.outbox.clear()
    client.force_login(planner)

    response = client.post(
        reverse("budgets:round_answers", args=[budget_round.pk]),
        {
            "records": [first.pk, second.pk],
            "outcome": "partly",
            "public_text": "Forslaget har to nye lærerstillinger.",
        },
    )
    run_jobs()

    assert response.status_code == 302
    by_address = {message.to[0]: message.body for message in mail.outbox}
    assert set(by_address) == {nynorsk.email, bokmal.email, supporter.email}
    assert "meir pengar: Grunnskole" in by_address[nynorsk.email]
    assert "budsjettinnspelet ditt" in by_address[nynorsk.email]
    assert "mindre penger: Grunnskole" in by_address[bokmal.email]
    assert "included in a case" in by_address[supporter.email]
    assert all("Forslaget har to nye lærerstillinger." in body for body in by_address.values())


@pytest.mark.django_db
def test_the_input_form_sent_twice_with_its_key_makes_one_record(client, budget_round):
    client.force_login(UserFactory())
    key = "3f1b6c2e-8d4a-4e8b-9f0a-2b7c5d1e4a90"

    first = post_input(client, budget_round, idempotency_key=key)
    again = post_input(client, budget_round, idempotency_key=key)

    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert BudgetInput.all_objects.count() == 1
