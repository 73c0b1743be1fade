import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """A cheap hasher: these tests make many accounts and attempts; hashing is not under test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
