"""A resident downloads their data and closes the account, in a real browser."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model

from priorities.models import Priority
from tests.browser.conftest import assert_accessible
from tests.browser.test_resident_journey import log_in
from tests.priorities.factories import PASSWORD, UserFactory, make_priority


def test_resident_downloads_the_data_and_closes_the_account(page, axe):
    resident = UserFactory(email="kari@example.no")
    priority = make_priority(author=resident, title="Gatelys mangler")
    log_in(page, resident.email)

    page.goto(page.base_url + "/me/")
    page.get_by_role("link", name="Last ned dataene dine eller steng kontoen din").click()
    page.get_by_role("heading", name="Dine data og kontoen din").wait_for()
    assert_accessible(axe, page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned dataene mine (JSON)").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["account"]["email"] == "kari@example.no"
    assert [p["title"] for p in data["records"]["priorities.Priority.author"]] == [
        "Gatelys mangler"
    ]

    page.get_by_label("Passordet ditt").fill("ikke-mitt-passord")
    page.get_by_role("button", name="Steng kontoen min").click()
    # Beside the field, and in the error summary (which has focus) as a link to it.
    page.locator("#id_password_error").get_by_text(
        "Det er ikke passordet ditt. Ingenting er endret."
    ).wait_for()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert_accessible(axe, page)
    assert get_user_model().objects.get(pk=resident.pk).is_active

    page.get_by_label("Passordet ditt").fill(PASSWORD)
    page.get_by_role("button", name="Steng kontoen min").click()
    page.get_by_text("Kontoen din er stengt").wait_for()

    assert not get_user_model().objects.get(pk=resident.pk).is_active
    assert Priority.public_objects.get(pk=priority.pk).author_id is None
    page.goto(page.base_url + "/me/privacy/")
    assert "/accounts/login/" in page.url
