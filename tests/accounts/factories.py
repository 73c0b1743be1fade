"""Staff roles."""

import factory

from accounts.models import Role, RoleGrant
from tests.areas.factories import MunicipalityFactory


class RoleGrantFactory(factory.django.DjangoModelFactory):
    """A staff role held by an account; by default a planner in Bodø."""

    class Meta:
        model = RoleGrant

    user = factory.SubFactory("tests.priorities.factories.UserFactory")
    role = Role.PLANNER
    municipality = factory.SubFactory(MunicipalityFactory, code="1804")
