"""Closing an account ends what it follows; the data download lists it."""

from __future__ import annotations

import pytest

from accounts import privacy
from follows.models import Follow
from tests.follows.helpers import area, bodo
from tests.priorities.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_closing_an_account_deletes_its_follows_and_the_download_lists_them():
    user, other = UserFactory(), UserFactory()
    Follow.objects.create(user=user, municipality=bodo(), area=area("1804-SK01"))
    kept = Follow.objects.create(user=other, municipality=bodo())
    data = privacy.account_data(user)
    assert "follows.Follow" in str(data)
    privacy.account_close(user=user)
    assert list(Follow.objects.all()) == [kept]
