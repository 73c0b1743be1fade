"""A resident's data: download all of it, close the account, and nothing else changes."""

import json

import pghistory.models
import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts import privacy
from accounts.models import Notification, Role
from councils.models import CouncilMembership, Submission
from priorities import services
from priorities.models import (
    Priority,
    PriorityEvent,
    PriorityStatusChange,
    Report,
    Support,
    SupportEvent,
)
from tests.areas.factories import CouncilFactory, council_secretary
from tests.priorities.factories import (
    PASSWORD,
    PRIORITY_FEATURE,
    SubmissionFactory,
    UserFactory,
    make_priority,
    staff,
)

pytestmark = pytest.mark.django_db


def api_create(client) -> Priority:
    """A priority pinned through the API, so its history has the request's context."""
    response = client.post("/api/v1/priorities/", PRIORITY_FEATURE, content_type="application/json")
    assert response.status_code == 201, response.content
    return Priority.all_objects.get(pk=response.json()["id"])


@pytest.fixture
def resident(client):
    """A resident with something in every place an account leaves traces."""
    user = UserFactory(first_name="Kari", last_name="Nordmann", email="kari@example.no")
    services.priority_report(priority=make_priority(), user=user, reason="Dette er reklame.")
    other = make_priority()
    client.force_login(user)
    mine = api_create(client)
    client.post(f"/api/v1/priorities/{other.pk}/support/")
    Notification.objects.create(user=user, key="receipt:test")
    Token.objects.create(user=user)
    account = SocialAccount.objects.create(user=user, provider="idporten", uid="12345")
    SocialToken.objects.create(account=account, token="secret-access-token")
    user.mine, user.supported = mine, other
    return user


def every_count() -> dict[str, int]:
    """Rows in every table that refers to an account, and in the account table itself."""
    counts = {r.key: r.model._base_manager.count() for r in privacy.account_relations()}
    counts["users"] = get_user_model().objects.filter(is_active=True).count()
    return counts


def test_every_relation_to_an_account_has_a_close_policy():
    """A model that refers to the account and is added later fails here until
    CLOSE_POLICY says what closing an account does with it (and closing refuses to run)."""
    live = {r.key for r in privacy.account_relations() if not r.is_history}

    assert live == set(privacy.CLOSE_POLICY)
    history = {r.key for r in privacy.account_relations() if r.is_history}
    assert "priorities.PriorityEvent.author" in history


def test_closing_refuses_to_run_with_a_relation_it_does_not_know(monkeypatch, resident):
    policy = dict(privacy.CLOSE_POLICY)
    del policy["accounts.Notification.user"]
    monkeypatch.setattr(privacy, "CLOSE_POLICY", policy)

    with pytest.raises(ImproperlyConfigured, match="accounts.Notification.user"):
        privacy.account_close(user=resident)
    assert get_user_model().objects.get(pk=resident.pk).is_active


def test_download_holds_every_model_that_refers_to_the_account(client, resident):
    response = client.get("/me/privacy/data.json")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="nabolaget-data-')
    data = json.loads(response.content)
    keys = {r.key for r in privacy.account_relations()} | {"pghistory.Context"}
    assert set(data["records"]) == keys
    assert data["account"]["email"] == "kari@example.no"
    assert "password" not in data["account"]
    records = data["records"]
    (mine,) = records["priorities.Priority.author"]
    assert mine["title"] == "Farlig kryss ved skolen"
    # GeoJSON order: longitude first, in WGS 84.
    assert mine["point"]["coordinates"] == pytest.approx([14.385, 67.283], abs=1e-7)
    assert [s["priority_id"] for s in records["priorities.Support.user"]] == [resident.supported.pk]
    assert records["priorities.PriorityEvent.author"], "the history of my priority"
    assert records["priorities.Report.user"][0]["reason"] == "Dette er reklame."
    assert records["account.EmailAddress.user"][0]["email"] == "kari@example.no"
    assert records["socialaccount.SocialAccount.user"][0]["uid"] == "12345"
    assert records["authtoken.Token.user"] and "key" not in records["authtoken.Token.user"][0]
    assert any(c["metadata"]["url"] == "/api/v1/priorities/" for c in records["pghistory.Context"])
    assert Token.objects.get(user=resident).key not in response.content.decode()


def test_download_through_the_api_and_only_ones_own(client, resident):
    other = UserFactory(email="ola@example.no")
    token = Token.objects.create(user=other)

    anonymous = Client().get("/api/v1/me/data/")
    mine = client.get("/api/v1/me/data/")
    theirs = Client().get("/api/v1/me/data/", headers={"Authorization": f"Token {token.key}"})

    assert anonymous.status_code in (401, 403)
    assert mine.status_code == 200
    assert json.loads(mine.content)["account"]["email"] == "kari@example.no"
    assert json.loads(theirs.content)["account"]["email"] == "ola@example.no"
    assert "kari@example.no" not in theirs.content.decode()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nb", "Det er ikke passordet ditt. Ingenting er endret."),
        ("nn", "Det er ikkje passordet ditt. Ingenting er endra."),
        ("en", "That is not your password. Nothing has been changed."),
    ],
)
def test_wrong_password_changes_nothing(client, resident, language, message):
    before = every_count()

    response = client.post(
        "/me/privacy/", {"password": "feil-passord"}, headers={"accept-language": language}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert every_count() == before
    resident.refresh_from_db()
    assert resident.is_active and resident.email == "kari@example.no"
    assert Priority.all_objects.get(pk=resident.mine.pk).author_id == resident.pk


def test_an_empty_confirmation_changes_nothing(client, resident):
    before = every_count()

    response = client.post("/me/privacy/", {}, headers={"accept-language": "en"})

    assert response.status_code == 400
    assert "Type your password to close the account." in response.content.decode()
    assert every_count() == before


def test_closing_blanks_personal_data_and_keeps_the_public_record(client, resident):
    # The planner answers in a request of their own (as in real use, where each request is
    # its own transaction with its own history context).
    planner = Client()
    planner.force_login(staff(Role.PLANNER))
    answer = {"status": "decided", "public_text": "Vi lager fotgjengerfelt."}
    url = f"/api/v1/priorities/{resident.mine.pk}/status/"
    assert planner.post(url, answer, content_type="application/json").status_code == 201
    elsewhere = Client()
    elsewhere.force_login(resident)
    supported_before = Priority.all_objects.get(pk=resident.supported.pk).support_count

    response = client.post("/me/privacy/", {"password": PASSWORD}, follow=True)

    assert response.status_code == 200
    assert "Kontoen din er stengt" in response.content.decode()
    user = get_user_model().objects.get(pk=resident.pk)
    assert (user.first_name, user.last_name) == ("", "")
    assert "kari" not in user.email and "kari" not in user.username.lower()
    assert not user.is_active and not user.has_usable_password() and user.closed_at
    # Through the login form, as a person would (django-axes wants the request).
    response = Client().post("/accounts/login/", {"login": "kari@example.no", "password": PASSWORD})
    assert "_auth_user_id" not in response.client.session
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not SocialAccount.objects.filter(user=user).exists()
    assert not SocialToken.objects.exists()
    assert not Token.objects.filter(user=user).exists()
    assert not Notification.objects.filter(user=user).exists()
    assert not any(
        s.get_decoded().get("_auth_user_id") == str(user.pk) for s in Session.objects.all()
    )
    assert elsewhere.get("/me/").status_code == 302  # the other session is logged out
    # The priority stays public, anonymous, with its answer.
    mine = Priority.public_objects.get(pk=resident.mine.pk)
    assert mine.author_id is None and mine.status == "decided"
    assert PriorityStatusChange.objects.filter(record=mine).count() == 1
    # The support is withdrawn: off the count, and gone.
    assert Priority.all_objects.get(pk=resident.supported.pk).support_count == (
        supported_before - 1
    )
    assert not Support.objects.filter(user=user).exists()
    # A report is a moderation record: it stays, pointing at the blank account.
    assert Report.objects.filter(user=user).count() == 1
    # History: no event row of the priority or the support names the account any more,
    # and no request context either.
    assert PriorityEvent.objects.filter(pgh_obj=mine).exists()
    assert not PriorityEvent.objects.filter(author_id=user.pk).exists()
    assert not SupportEvent.objects.filter(user_id=user.pk).exists()
    assert not list(pghistory.models.Context.objects.filter(metadata__user=user.pk).values())


def test_the_admin_log_no_longer_names_the_closed_account(resident):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    admin = UserFactory(is_staff=True, is_superuser=True)
    LogEntry.objects.create(
        user=admin,
        content_type=ContentType.objects.get_for_model(resident),
        object_id=str(resident.pk),
        object_repr=str(resident),
        action_flag=CHANGE,
    )

    privacy.account_close(user=resident)

    entry = LogEntry.objects.get(object_id=str(resident.pk))
    assert entry.object_repr == f"closed-{resident.pk}"
    assert entry.user_id == admin.pk


def test_closing_twice_changes_nothing_more(resident):
    privacy.account_close(user=resident)
    closed_at = get_user_model().objects.get(pk=resident.pk).closed_at
    before = every_count()

    privacy.account_close(user=resident, now=timezone.now() + timezone.timedelta(days=1))

    assert every_count() == before
    assert get_user_model().objects.get(pk=resident.pk).closed_at == closed_at


def test_a_secretary_closes_the_account_and_the_councils_submission_stays(client):
    council = CouncilFactory(name="Ungdomsrådet i Bodø")
    secretary = council_secretary(council, first_name="Siri", email="siri@example.no")
    submission = SubmissionFactory(
        author=secretary,
        council=council,
        title="Uttalelse om trafikksikkerhet",
        text="Ungdomsrådet mener skoleveiene må prioriteres.",
        meeting_date=timezone.localdate(),
        minutes_reference="12/26",
    )

    privacy.account_close(user=secretary)

    kept = Submission.objects.get(pk=submission.pk)
    assert kept.title == "Uttalelse om trafikksikkerhet" and kept.author_id == secretary.pk
    assert not CouncilMembership.objects.filter(user=secretary).exists()
    assert kept.events.filter(author_id=secretary.pk).exists(), "its history is kept"


def test_a_planner_closes_the_account_and_the_answers_keep_their_context(client):
    planner = staff(Role.PLANNER)
    client.force_login(planner)
    priority = make_priority()
    response = client.post(
        f"/api/v1/priorities/{priority.pk}/status/",
        {"status": "decided", "public_text": "Vedtatt i formannskapet."},
        content_type="application/json",
    )
    assert response.status_code == 201

    privacy.account_close(user=planner)

    change = PriorityStatusChange.objects.get(record=priority)
    assert change.actor_id == planner.pk and change.public_text == "Vedtatt i formannskapet."
    # The request that made the answer is still on the record with its actor.
    assert pghistory.models.Context.objects.filter(metadata__user=planner.pk).exists()
    assert not planner.role_grants.exists()


def test_closing_through_the_api(resident):
    token = Token.objects.get(user=resident)
    api = Client(headers={"Authorization": f"Token {token.key}", "accept-language": "en"})
    before = every_count()

    wrong = api.post("/api/v1/me/close/", {"password": "nei"}, content_type="application/json")
    missing = api.post("/api/v1/me/close/", "[]", content_type="application/json")

    assert wrong.status_code == 400
    assert wrong.json()["errors"] == {
        "password": ["That is not your password. Nothing has been changed."]
    }
    assert missing.status_code == 400 and "password" in missing.json()["errors"]
    assert every_count() == before

    right = api.post("/api/v1/me/close/", {"password": PASSWORD}, content_type="application/json")

    assert right.status_code == 204
    assert api.get("/api/v1/me/data/").status_code == 401  # the token is gone
    assert not get_user_model().objects.get(pk=resident.pk).is_active


def test_an_account_without_a_password_confirms_with_its_email(client):
    user = UserFactory(email="oidc@example.no")
    user.set_unusable_password()
    user.save()
    client.force_login(user)

    page = client.get("/me/privacy/", headers={"accept-language": "en"})
    wrong = client.post(
        "/me/privacy/", {"email": "noen@example.no"}, headers={"accept-language": "nn"}
    )

    assert 'name="email"' in page.content.decode()
    assert 'name="password"' not in page.content.decode()
    assert wrong.status_code == 400
    assert "Det er ikkje e-postadressa til kontoen din." in wrong.content.decode()
    assert get_user_model().objects.get(pk=user.pk).is_active

    right = client.post("/me/privacy/", {"email": " OIDC@example.no "})

    assert right.status_code == 302
    assert not get_user_model().objects.get(pk=user.pk).is_active


def test_the_pages_need_a_login(client):
    assert client.get("/me/privacy/").status_code == 302
    assert client.get("/me/privacy/data.json").status_code == 302
    assert client.post("/me/privacy/", {"password": "x"}).status_code == 302


def test_my_page_links_to_the_privacy_page(client, resident):
    page = client.get("/me/", headers={"accept-language": "en"}).content.decode()

    assert 'href="/me/privacy/"' in page


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_redaction_works_when_the_history_is_made_append_only(demo_live, resident):
    """If the history tables get pgtrigger protections (append-only history), closing an
    account still redacts them, and the protection still holds for everything else.
    (The owner role installs the trigger, as a migration would; committed data, so that
    its connection does not wait for the test's transaction.)"""
    import pgtrigger
    from django.db import ProgrammingError, transaction

    from core.history import ignore_function_install

    protect = pgtrigger.Protect(
        name="test_priorityevent_append_only", operation=pgtrigger.Update | pgtrigger.Delete
    )
    protect.register(PriorityEvent)
    try:
        protect.install(PriorityEvent, database="owner")
        with pytest.raises(ProgrammingError), transaction.atomic():
            PriorityEvent.objects.filter(author_id=resident.pk).update(author=None)

        privacy.account_close(user=resident)

        assert not PriorityEvent.objects.filter(author_id=resident.pk).exists()
        with pytest.raises(ProgrammingError), transaction.atomic():
            PriorityEvent.objects.update(title="omskrevet")
    finally:
        protect.uninstall(PriorityEvent, database="owner")
        protect.unregister(PriorityEvent)
        ignore_function_install("owner")  # pgtrigger's install wrote its own version
