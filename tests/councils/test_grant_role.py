"""manage.py grant_role: a council secretary is the secretary of one named council."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from accounts.models import RoleGrant
from accounts.services import role_grant
from councils.models import CouncilMembership
from tests.areas.factories import CouncilFactory, CouncilMembershipFactory
from tests.priorities.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_council_secretary_without_a_council_is_refused_and_grants_nothing():
    UserFactory(email="sekretar@example.no")

    with pytest.raises(CommandError, match="--council"):
        call_command("grant_role", "sekretar@example.no", "council_secretary")

    assert RoleGrant.objects.count() == 0
    assert CouncilMembership.objects.count() == 0


def test_council_secretary_of_a_council_named_lets_her_file_for_it(capsys):
    user = UserFactory(email="sekretar@example.no")
    council = CouncilFactory(name="Ungdomsrådet i Bodø")
    other = CouncilFactory(name="Eldrerådet i Bodø")

    call_command(
        "grant_role", "sekretar@example.no", "council_secretary", "--council", "ungdomsrådet i bodø"
    )

    assert council.has_secretary(user)
    assert not other.has_secretary(user)
    assert "is now the secretary of Ungdomsrådet i Bodø" in capsys.readouterr().out
    assert RoleGrant.objects.count() == 0


def test_a_member_named_by_the_councils_number_becomes_its_secretary():
    council = CouncilFactory()
    member = CouncilMembershipFactory(council=council)

    call_command("grant_role", member.user.email, "council_secretary", "--council", str(council.pk))

    member.refresh_from_db()
    assert member.role == CouncilMembership.Role.SECRETARY
    assert council.has_secretary(member.user)


def test_an_unknown_council_is_refused_with_the_councils_there_are():
    UserFactory(email="sekretar@example.no")
    CouncilFactory(name="Ungdomsrådet i Bodø")

    with pytest.raises(CommandError, match="Councils: .*Ungdomsrådet i Bodø"):
        call_command(
            "grant_role", "sekretar@example.no", "council_secretary", "--council", "Finnes ikke"
        )
    assert CouncilMembership.objects.count() == 0


def test_council_is_only_for_council_secretary():
    UserFactory(email="planlegger@example.no")
    CouncilFactory(name="Ungdomsrådet i Bodø")

    with pytest.raises(CommandError, match="only"):
        call_command(
            "grant_role", "planlegger@example.no", "planner", "--council", "Ungdomsrådet i Bodø"
        )
    assert RoleGrant.objects.count() == 0


def test_a_municipality_wide_council_secretary_grant_is_refused_by_the_service():
    UserFactory(email="sekretar@example.no")

    with translation.override("en"), pytest.raises(ValidationError, match="one council"):
        role_grant(email="sekretar@example.no", role="council_secretary", municipality_code="1804")
    assert RoleGrant.objects.count() == 0
