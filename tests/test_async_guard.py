"""Django's guard against blocking database calls from async code stays on in the tests."""

import asyncio

import pytest
from django.core.exceptions import SynchronousOnlyOperation

from accounts.models import User


@pytest.mark.django_db
def test_a_database_call_from_async_code_is_refused_outside_the_browser_tests():
    """DJANGO_ALLOW_ASYNC_UNSAFE is for the browser tests only (Playwright's event loop):
    anywhere else an ORM call inside a coroutine raises, as it does in production."""

    async def count_accounts():
        return User.objects.count()

    with pytest.raises(SynchronousOnlyOperation):
        asyncio.run(count_accounts())
