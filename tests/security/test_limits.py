"""Creating priorities, supports and reports are limited per account and per client address,
on the pages and in the API: 429 with Retry-After, and no header a client writes resets it."""

import json

import pytest
from django.test import override_settings

from priorities.models import Category, Priority, Report, Support
from tests.priorities.factories import BODO_CENTRE, UserFactory, make_priority

pytestmark = pytest.mark.django_db
GENEROUS = "1000/hour"


def rates(**tight):
    return {
        key: tight.get(key, GENEROUS)
        for key in (
            "priority_create_user",
            "priority_create_address",
            "support_user",
            "support_address",
            "report_user",
            "report_address",
        )
    }


def create_page(client, n, **extra):
    lon, lat = BODO_CENTRE
    return client.post(
        "/priorities/new/",
        {
            "category": Category.objects.get(slug="trafikksikkerhet").pk,
            "title": f"Farlig kryss {n}",
            "text": "Bilene kjører fort her.",
            "lon": lon + n * 0.001,
            "lat": lat,
            "confirm_new": "1",
        },
        **extra,
    )


def create_api(client, n, **extra):
    body = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [BODO_CENTRE[0] + n * 0.001, BODO_CENTRE[1]]},
        "properties": {
            "category": "trafikksikkerhet",
            "title": f"Kryss {n}",
            "text": "Bilene kjører fort her.",
        },
    }
    return client.post(
        "/api/v1/priorities/", json.dumps(body), content_type="application/json", **extra
    )


def support_page(client, priority, **extra):
    return client.post(f"/priorities/{priority.pk}/support/", **extra)


def support_api(client, priority, **extra):
    return client.post(f"/api/v1/priorities/{priority.pk}/support/", **extra)


def report_page(client, priority, **extra):
    return client.post(
        f"/priorities/{priority.pk}/report/", {"reason": "Personopplysninger i teksten."}, **extra
    )


ACTIONS = {
    # action: (request, needs a priority, rows written, the scope)
    "create page": (create_page, False, lambda: Priority.all_objects.count(), "priority_create"),
    "create api": (create_api, False, lambda: Priority.all_objects.count(), "priority_create"),
    "support page": (support_page, True, lambda: Support.objects.count(), "support"),
    "support api": (support_api, True, lambda: Support.objects.count(), "support"),
    "report page": (report_page, True, lambda: Report.objects.count(), "report"),
}


def run(action, client, n, **extra):
    request, needs_priority, _rows, _scope = ACTIONS[action]
    if needs_priority:
        return request(client, make_priority(), **extra)
    return request(client, n, **extra)


@pytest.mark.parametrize("action", ACTIONS)
def test_one_account_is_limited_with_retry_after(client, settings, action):
    settings.NABOLAGET_RATES = rates(**{f"{ACTIONS[action][3]}_user": "2/hour"})
    client.force_login(UserFactory())
    for n in range(2):
        assert run(action, client, n).status_code in (201, 200, 302)
    before = ACTIONS[action][2]()

    response = run(action, client, 3)

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert ACTIONS[action][2]() == before, "nothing is written over the limit"


@pytest.mark.parametrize("action", ACTIONS)
def test_one_address_is_limited_whatever_account_and_forwarded_for_header(client, settings, action):
    """NUM_PROXIES=0: X-Forwarded-For is the client's own writing and is not read."""
    settings.NABOLAGET_RATES = rates(**{f"{ACTIONS[action][3]}_address": "2/hour"})
    for n in range(2):
        client.force_login(UserFactory())
        response = run(action, client, n, headers={"x-forwarded-for": f"10.0.0.{n}"})
        assert response.status_code in (201, 200, 302)
    client.force_login(UserFactory())

    response = run(action, client, 3, headers={"x-forwarded-for": "10.9.9.9"})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


@override_settings(NABOLAGET_NUM_PROXIES=1)
@pytest.mark.parametrize("action", ["create api", "support page"])
def test_behind_one_proxy_only_the_address_it_saw_counts(client, settings, action):
    """The proxy appends the address it saw; what the client wrote before it is ignored."""
    settings.NABOLAGET_RATES = rates(**{f"{ACTIONS[action][3]}_address": "2/hour"})
    for n in range(2):
        client.force_login(UserFactory())
        forged = {"x-forwarded-for": f"10.0.0.{n}, 203.0.113.5"}
        assert run(action, client, n, headers=forged).status_code in (201, 200, 302)
    client.force_login(UserFactory())

    limited = run(action, client, 3, headers={"x-forwarded-for": "10.9.9.9, 203.0.113.5"})
    other_client = run(action, client, 4, headers={"x-forwarded-for": "203.0.113.6"})

    assert limited.status_code == 429
    assert other_client.status_code in (201, 200, 302)


# The cache table is made by the owner role (the web role may not create tables), in a
# transaction of its own that the web role's connection must see committed.
@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_a_counter_survives_many_other_accounts_and_addresses(settings):
    """The site's cache (the database's, as in production) keeps a rate-limit counter while
    thousands of other accounts and addresses are counted. With Django's default of 300
    entries a third of the keys were culled on each write beyond it, and limits reset."""
    from django.core.cache import caches
    from django.core.management import call_command

    from nabolaget import settings as project_settings

    settings.CACHES = project_settings.CACHES
    call_command("createcachetable", verbosity=0)
    cache = caches["default"]
    cache.set("throttle_login_email_ola@example.no", [1.0, 2.0], 3600)

    for n in range(1000):
        cache.set(f"throttle_priority_create_address_10.0.{n // 256}.{n % 256}", [1.0], 3600)

    assert cache.get("throttle_login_email_ola@example.no") == [1.0, 2.0]


REUSED_KEY = {"Idempotency-Key": "K"}


def test_a_used_idempotency_key_does_not_lift_the_limit_of_web_form_posts(client, settings):
    """One API create with ``Idempotency-Key: K``, then web-form posts with that header:
    they are not replays of the stored answer (another path, another body), so they count,
    and the account stays at its 10 an hour."""
    settings.NABOLAGET_RATES = rates(priority_create_user="10/hour")
    client.force_login(UserFactory())
    assert create_api(client, 0, headers=REUSED_KEY).status_code == 201

    answers = [create_page(client, n, headers=REUSED_KEY).status_code for n in range(1, 15)]

    assert answers == [302] * 9 + [429] * 5
    assert Priority.all_objects.count() == 10


def test_a_used_idempotency_key_does_not_lift_the_limit_of_other_requests_to_the_api(
    client, settings
):
    """The same key on another method (withdrawing a support) or with another body is not
    a replay and counts; the genuine replay of the stored answer still gets it, uncounted."""
    settings.NABOLAGET_RATES = rates(support_user="3/hour", priority_create_user="2/hour")
    client.force_login(UserFactory())
    priority = make_priority()
    url = f"/api/v1/priorities/{priority.pk}/support/"
    assert client.post(url, headers=REUSED_KEY).status_code == 200
    assert client.delete(url, headers=REUSED_KEY).status_code == 200
    assert client.post(url, headers={"Idempotency-Key": "K2"}).status_code == 200

    over = client.delete(url, headers=REUSED_KEY)

    assert over.status_code == 429
    assert Support.objects.filter(priority=priority, withdrawn_at=None).count() == 1
    replay = client.post(url, headers=REUSED_KEY)
    assert replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"

    assert create_api(client, 1, headers={"Idempotency-Key": "P"}).status_code == 201
    other_body = create_api(client, 2, headers={"Idempotency-Key": "P"})
    assert other_body.status_code == 422
    assert create_api(client, 3, headers={"Idempotency-Key": "P2"}).status_code == 429
    assert create_api(client, 1, headers={"Idempotency-Key": "P"})["Idempotent-Replayed"] == "true"
    assert Priority.all_objects.filter(title__startswith="Kryss").count() == 1
