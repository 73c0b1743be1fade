"""The resident's and the staff's pages, without JavaScript."""

import pytest

from accounts.models import Role
from priorities import services
from priorities.models import Category, Priority, PriorityStatusChange, Support
from tests.priorities.factories import UserFactory, make_priority, staff

pytestmark = pytest.mark.django_db


def form(**overrides):
    category = Category.objects.get(slug="trafikksikkerhet")
    return {
        "category": category.pk,
        "title": "Mangler fotgjengerfelt",
        "text": "Barna må krysse veien uten fotgjengerfelt.",
        "lat": "67.283",
        "lon": "14.385",
        **overrides,
    }


def test_pinning_needs_login(client):
    response = client.get("/priorities/new/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_pin_with_coordinates_and_see_the_receipt(client):
    client.force_login(UserFactory())

    response = client.post("/priorities/new/", form())

    priority = Priority.all_objects.get()
    assert response.status_code == 302
    assert response.url == f"/priorities/{priority.pk}/?receipt=1"
    page = client.get(response.url).content.decode()
    assert priority.reference in page
    assert 'class="receipt"' in page


@pytest.mark.parametrize(
    ("overrides", "text"),
    [
        ({"lat": "", "lon": "", "address": "Storgata 1"}, "Storgata 1"),
        ({"lat": "", "lon": "", "address": "storgata 2"}, "Storgata 20"),
    ],
)
def test_pin_by_address_from_the_address_list(client, overrides, text):
    client.force_login(UserFactory())

    response = client.post("/priorities/new/", form(**overrides))

    assert response.status_code == 302
    priority = Priority.all_objects.get()
    assert priority.areas.filter(type__slug="kommune", code="1804").exists()


def test_pin_by_choosing_an_area(client):
    from areas.models import Area

    area = Area.objects.get(code="1804-SK08")
    client.force_login(UserFactory())

    response = client.post("/priorities/new/", form(lat="", lon="", area=area.pk))

    assert response.status_code == 302
    assert Priority.all_objects.get().areas.filter(pk=area.pk).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"lat": "", "lon": ""}, "Velg stedet"),
        ({"lat": "67.283", "lon": ""}, "både breddegrad og lengdegrad"),
        (
            {"lat": "", "lon": "", "address": "Gata som ikke finnes 99"},
            "Vi kjenner ikke denne adressen",
        ),
        ({"lat": "67.9", "lon": "14.0"}, "utenfor kommunene"),
        ({"title": ""}, "Dette feltet er påkrevd"),
        ({"lat": "95"}, "mindre enn eller lik 90"),
    ],
)
def test_bad_form_input_is_explained_in_bokmal_and_nothing_is_written(client, overrides, message):
    client.force_login(UserFactory())

    response = client.post("/priorities/new/", form(**overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Priority.all_objects.count() == 0


def test_similar_priorities_nearby_are_offered_before_saving(client):
    existing = make_priority()
    client.force_login(UserFactory())

    first = client.post("/priorities/new/", form())

    page = first.content.decode()
    assert first.status_code == 200
    assert existing.title in page
    assert f'action="/priorities/{existing.pk}/support/"' in page
    assert Priority.all_objects.count() == 1

    second = client.post("/priorities/new/", form(confirm_new="on"))
    assert second.status_code == 302
    assert Priority.all_objects.count() == 2


def test_support_from_the_page(client):
    priority = make_priority()
    client.force_login(UserFactory())

    client.post(f"/priorities/{priority.pk}/support/")
    again = client.post(f"/priorities/{priority.pk}/support/")

    assert again.status_code == 400
    assert Support.objects.filter(priority=priority, withdrawn_at=None).count() == 1
    client.post(f"/priorities/{priority.pk}/support/", {"action": "withdraw"})
    assert Support.objects.filter(priority=priority, withdrawn_at=None).count() == 0


def test_logged_out_support_goes_to_login_and_writes_nothing(client):
    priority = make_priority()

    response = client.post(f"/priorities/{priority.pk}/support/")

    assert response.status_code == 302
    assert "/accounts/login/" in response.url
    assert not Support.objects.exists()


def test_planner_answers_from_the_page_and_the_history_shows_it(client):
    priority = make_priority()
    client.force_login(staff(Role.PLANNER))

    response = client.post(
        f"/priorities/{priority.pk}/answer/",
        {"status": "decided", "public_text": "Fotgjengerfelt vedtatt.", "case_number": "2026/77"},
    )

    assert response.status_code == 302
    page = client.get(priority.get_absolute_url()).content.decode()
    assert "Fotgjengerfelt vedtatt." in page
    assert "2026/77" in page


def test_residents_cannot_answer_from_the_page(client):
    priority = make_priority()
    client.force_login(UserFactory())

    response = client.post(
        f"/priorities/{priority.pk}/answer/", {"status": "decided", "public_text": "Jeg bestemmer."}
    )

    assert response.status_code == 403
    assert not PriorityStatusChange.objects.exists()


def test_hidden_priority_is_shown_only_to_its_author_with_the_reason(client):
    priority = make_priority()
    services.priority_moderate(
        priority=priority, moderator=staff(Role.MODERATOR), hide=True, reason="Inneholder et navn."
    )

    assert client.get(priority.get_absolute_url()).status_code == 404
    client.force_login(UserFactory())
    assert client.get(priority.get_absolute_url()).status_code == 404
    client.force_login(priority.author)
    page = client.get(priority.get_absolute_url()).content.decode()
    assert "Inneholder et navn." in page


def test_you_said_we_did_lists_answered_input_newest_first(client):
    old, new = make_priority(title="Gammel"), make_priority(title="Nyere")
    unanswered = make_priority(title="Ubesvart")
    planner = staff(Role.PLANNER)
    services.input_set_status(
        records=[old], status="decided", public_text="Gjort i fjor.", actor=planner
    )
    services.input_set_status(
        records=[new], status="implemented", public_text="Ferdig nå.", actor=planner
    )
    area = new.areas.get(type__slug="skolekrets")

    page = client.get(f"/areas/{area.pk}/answered/").content.decode()

    assert page.index("Ferdig nå.") < page.index("Gjort i fjor.")
    assert unanswered.title not in page


def test_my_page_lists_my_input_and_turns_emails_off(client):
    me = UserFactory()
    mine = make_priority(me, title="Min prioritet")
    client.force_login(me)

    assert "Min prioritet" in client.get("/me/").content.decode()
    client.post("/me/", {"language": "nn"})
    me.refresh_from_db()
    assert me.notify_by_email is False and me.language == "nn"
    assert mine.pk


def test_moderation_queue_is_for_moderators(client):
    client.force_login(UserFactory())
    assert client.get("/moderation/").status_code == 403
    client.force_login(staff(Role.MODERATOR))
    assert client.get("/moderation/").status_code == 200


def test_the_moderation_queue_lists_only_open_reports_with_their_reasons(client):
    """ "Reported, still public" lists the priorities with an open report, not every public
    one (a LEFT JOIN's NULL matched priorities never reported), with the reasons."""
    moderator = staff(Role.MODERATOR)
    make_priority(title="Aldri rapportert")
    reported = make_priority(title="Rapportert to ganger")
    dealt_with = make_priority(title="Allerede behandlet")
    services.priority_report(priority=reported, user=UserFactory(), reason="Navn på en nabo")
    services.priority_report(priority=reported, user=UserFactory(), reason="Reklame for firma")
    services.priority_report(priority=dealt_with, user=UserFactory(), reason="Gammel sak")
    services.priority_moderate(priority=dealt_with, moderator=moderator, hide=False)
    client.force_login(moderator)

    response = client.get("/moderation/")

    assert [p.pk for p in response.context["reported"]] == [reported.pk]
    page = response.content.decode()
    assert "Aldri rapportert" not in page
    assert "Allerede behandlet" not in page
    assert "2 åpne rapporteringer" in page
    assert "Navn på en nabo" in page and "Reklame for firma" in page
    assert "Gammel sak" not in page


def test_grant_role_command(capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    user = UserFactory(email="planlegger@bodo.kommune.no")
    call_command("grant_role", "planlegger@bodo.kommune.no", "planner", "--municipality", "1804")

    assert user.role_grants.get().role == "planner"
    with pytest.raises(CommandError, match="no account"):
        call_command("grant_role", "nobody@example.no", "planner", "--municipality", "1804")
    with pytest.raises(CommandError, match="0000 is not in Nabolaget"):
        call_command(
            "grant_role", "planlegger@bodo.kommune.no", "planner", "--municipality", "0000"
        )
