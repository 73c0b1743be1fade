"""Accounts and priorities, made the way the product makes them (through the services)."""

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from accounts.models import RoleGrant
from areas.geo import lon_lat_point
from areas.models import Municipality
from priorities import services
from priorities.models import Category

PASSWORD = "Nabolag-test-2026!"
BODO_CENTRE = (14.385, 67.283)  # lon, lat: Bodø sentrum skolekrets (demo)
MISVAER = (15.0, 67.117)
# What a resident posts to POST /api/v1/priorities/ (a GeoJSON Feature).
PRIORITY_FEATURE = {
    "type": "Feature",
    "geometry": {"type": "Point", "coordinates": list(BODO_CENTRE)},
    "properties": {
        "category": "trafikksikkerhet",
        "title": "Farlig kryss ved skolen",
        "text": "Bilene kjører fort her, og barna krysser hver morgen.",
    },
}


class UserFactory(factory.django.DjangoModelFactory):
    """A resident with a verified e-mail address."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"innbygger{n}")
    email = factory.Sequence(lambda n: f"innbygger{n}@example.no")
    first_name = factory.Sequence(lambda n: f"Kari{n}")
    last_name = "Nordmann"
    language = "nb"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


def staff(role: str, code: str = "1804", **kwargs):
    """An account holding a staff role in a municipality."""
    user = UserFactory(**kwargs)
    RoleGrant.objects.create(user=user, role=role, municipality=Municipality.objects.get(code=code))
    return user


def make_priority(author=None, *, at=BODO_CENTRE, category="trafikksikkerhet", **fields):
    """A priority created through the service, as a resident would create it."""
    author = author or UserFactory()
    return services.priority_create(
        author=author,
        point=lon_lat_point(*at),
        category=Category.objects.get(slug=category, municipality=None),
        title=fields.get("title", "Farlig kryss ved skolen"),
        text=fields.get("text", "Bilene kjører fort her, og barna krysser hver morgen."),
    )


def copies_of(priority, n: int) -> list:
    """``n`` more priorities like this one (same author, place, category and areas), written
    in two statements: for tests that need hundreds (the triggers keep the rollups right)."""
    from priorities.models import Priority

    fields = {
        name: getattr(priority, name)
        for name in ("municipality_id", "author_id", "point", "category_id", "text")
    }
    copies = Priority.all_objects.bulk_create(
        [
            Priority(
                reference=services.next_reference(services.PRIORITY_PREFIX),
                title=f"{priority.title} ({number})",
                **fields,
            )
            for number in range(1, n + 1)
        ]
    )
    links = Priority.areas.through
    area_ids = list(links.objects.filter(priority=priority).values_list("area_id", flat=True))
    links.objects.bulk_create(
        [links(priority_id=copy.pk, area_id=area_id) for copy in copies for area_id in area_ids]
    )
    return copies
